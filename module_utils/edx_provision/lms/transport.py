# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the in-LMS program reaches `manage.py lms shell`: as `shell -c` code, or through the console.

Two transports carry the same JSON document (program, request, deadline) on stdin:

* `command`: `shell -c BOOTSTRAP` (Django 1.10 and later, so Hawthorn onwards); the bootstrap reads
  the whole of stdin.
* `interactive`: `shell --plain --no-startup` (Django 1.8, Ginkgo), where stdin is an interactive
  console session run line by line. The first stdin line is fixed code (CONSOLE_LINE) that reads the
  document from the NEXT stdin line itself, so the console never runs it; the document is one line
  (json.dumps escapes line breaks). The code ends the session with sys.exit, so a failure before the
  program could report one gives a non-zero exit code, which the console alone would not (it prints
  tracebacks and carries on with exit code 0). Prompts (`>>> ` without a newline) land on stdout in
  front of the result line, which starts with a line break of its own (inlms/base.py: emit).

`auto` tries `command` first, so a modern LMS pays no extra start, and falls back to `interactive`
only on Django 1.8's exact refusal of `-c` (one extra start, on Ginkgo only).
All of this code must run under the LMS's Python, 2.7 on Ginkgo.
"""

import re

# What the program's result line starts with (sent in the request, so the LMS side needs no copy).
RESULT_MARKER = "EDX_PROVISION_RESULT "

# Fixed code on the command line (`command` transport); everything variable arrives on stdin. With a
# `deadline` (epoch seconds) in the document, the process also ends itself then (SIGALRM): the
# runner's kill reaches the local process group, but not an LMS inside a container behind
# `docker exec` or kubectl.
BOOTSTRAP = (
    "import json,signal,sys,time;e=json.loads(sys.stdin.read());d=e.get('deadline');"
    "r=d and min(e['timeout'],int(d-time.time()));"
    "(d is None or r>0 or sys.exit('edx-provision: deadline passed before the program started'))"
    " and d and hasattr(signal,'alarm') and signal.alarm(r);"
    "n={'__name__':'edx_provision'};"
    "exec(compile(e['program'],'<edx_provision>','exec'),n);n['main'](e['request'])"
)

# What the console's first line runs (`interactive` transport): the bootstrap above, reading one
# line instead of all of stdin, and ending the session with an exit code that tells the outcome.
CONSOLE_PROGRAM = "\n".join(
    [
        "import json, signal, sys, time, traceback",
        "try:",
        "    e = json.loads(sys.stdin.readline())",
        "    d = e.get('deadline')",
        "    r = d and min(e['timeout'], int(d - time.time()))",
        "    if d is not None and r <= 0:",
        "        sys.exit('edx-provision: deadline passed before the program started')",
        "    if d and hasattr(signal, 'alarm'):",
        "        signal.alarm(r)",
        "    n = {'__name__': 'edx_provision'}",
        "    exec(compile(e['program'], '<edx_provision>', 'exec'), n)",
        "    n['main'](e['request'])",
        "except SystemExit:",
        "    raise",
        "except BaseException:",
        "    traceback.print_exc()",
        "    sys.exit(1)",
        "sys.exit(0)",
        "",
    ]
)

# One line, so the console runs it at once; exec() of a constant is a statement in 2.7 and a call in 3,
# and returns None, so the console echoes nothing.
CONSOLE_LINE = "exec(%r)" % CONSOLE_PROGRAM

# argparse's refusal of `-c` by Django 1.8's shell: "manage.py shell: error: unrecognized arguments: -c ..."
NO_SHELL_C = re.compile(r"^.*\berror: unrecognized arguments: -c\b", re.MULTILINE)


def shell_argv(transport):
    """The words after `manage.py lms [--settings=S]` for this transport."""
    if transport == "interactive":
        return ["shell", "--plain", "--no-startup"]
    return ["shell", "-c", BOOTSTRAP]


def stdin_for(transport, document):
    """The bytes written to the process's stdin: the JSON document, behind the console line if need be."""
    if transport == "interactive":
        return (CONSOLE_LINE + "\n" + document + "\n").encode("utf-8")
    return document.encode("utf-8")


def lacks_shell_c(outcome):
    """Whether the `command` transport failed only because this LMS's shell has no `-c` (Django < 1.10)."""
    if outcome.timed_out or RESULT_MARKER in outcome.stdout:
        return False
    return outcome.rc != 0 and NO_SHELL_C.search(outcome.stderr) is not None
