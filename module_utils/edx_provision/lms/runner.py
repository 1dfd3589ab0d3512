# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start the LMS once per task and run an in-LMS program in it.

Builds the `manage.py lms ... shell` argv for the deployment kind, reads a native LMS's environment
file without a shell, feeds the program and its request as one JSON document on stdin (never on the
command line, where `ps` shows it) and reads back the single marked result line. The process has
a deadline (`lms_timeout`); a failure is told by its cause (`diagnosis`).
"""

import json
import re
import time

from ..lms_options import DEFAULT_TIMEOUT, MAX_TIMEOUT
from .diagnosis import (
    cut,
    cut_lines,
    diagnose,
    inner_status,
    killing_signal,
    last_error_line,
    signal_message,
)
from .input import shown
from .programs import program_source
from .transport import RESULT_MARKER, lacks_shell_c, shell_argv, stdin_for

SETTINGS_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", re.ASCII)  # what manage.py joins to lms.envs.

DEFAULTS = {
    "native": {
        "manage_command": ["/edx/bin/python.edxapp", "/edx/bin/manage.edxapp"],
        "settings": "production",
        "env_file": "/edx/app/edxapp/edxapp_env",
        "chdir": "/edx/app/edxapp/edx-platform",
    },
    # `-T`: no pseudo-TTY, so stdin reaches the process (docker compose exec option, Tutor passes it on).
    "tutor_local": {"manage_command": ["tutor", "local", "exec", "-T", "lms", "./manage.py"]},
    "tutor_k8s": {"manage_command": ["tutor", "k8s", "exec", "lms", "./manage.py"]},
    "docker": {"manage_command": ["docker", "exec", "-i", "{container}", "./manage.py"]},
    "command": {},
}


class LmsError(Exception):
    """The LMS could not be reached or the program failed; `details` go into the failure result."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


def resolve_options(params):
    """The effective runner options: explicit values win, then the runner's defaults.

    An empty string for settings, env_file or chdir means "none" (e.g. `env_file: ''`).
    """
    runner = params["runner"]
    defaults = DEFAULTS[runner]
    resolved = {"runner": runner}
    resolved["lms_timeout"] = params.get("lms_timeout", DEFAULT_TIMEOUT)
    resolved["shell"] = params.get("shell") or "auto"
    for key in ("manage_command", "settings", "env_file", "chdir"):
        value = params.get(key)
        resolved[key] = defaults.get(key) if value is None else value
        if resolved[key] == "":
            resolved[key] = None
    container = params.get("container")
    if resolved["manage_command"]:
        resolved["manage_command"] = [
            part.replace("{container}", container or "") for part in resolved["manage_command"]
        ]
    return resolved


def build_argv(options, transport="command"):
    """argv for `manage.py lms [--settings=S] shell ...` on this kind of deployment.

    `command`: `shell -c BOOTSTRAP`; `interactive`: `shell --plain --no-startup` (transport).
    """
    argv = list(options["manage_command"]) + ["lms"]
    if options.get("settings"):
        argv.append("--settings=" + options["settings"])
    return argv + shell_argv(transport)


_ENV_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def parse_env_file(text, base_env=None, path="env_file"):
    """Parse `export NAME="value"` lines (what configuration's edxapp_env holds) without a shell.

    Double-quoted and bare values may refer to $NAME / ${NAME} (earlier lines, then base_env);
    single-quoted values are literal. Command substitution is refused rather than run.
    """
    base_env = dict(base_env or {})
    parsed = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if not match:
            raise ValueError(
                '%s line %d is not of the form `export NAME="value"`: %r. '
                "Fix the file or point env_file at another one ('' for none)." % (path, number, line)
            )
        name, value = match.group(1), match.group(2).strip()
        parsed[name] = _env_value(value, parsed, base_env, path, number)
    return parsed


def _env_value(value, parsed, base_env, path, number):
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    elif " #" in value:
        value = value.split(" #", 1)[0].rstrip()
    out, index = [], 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            out.append(value[index + 1])
            index += 2
            continue
        if char == "`" or value.startswith("$(", index):
            raise ValueError(
                "%s line %d uses command substitution, which edx-provision does not run. "
                "Write the value out literally." % (path, number)
            )
        match = _REFERENCE.match(value, index) if char == "$" else None
        if match:
            name = match.group(1) or match.group(2)
            out.append(parsed[name] if name in parsed else base_env.get(name, ""))
            index = match.end()
            continue
        out.append(char)
        index += 1
    return "".join(out)


def lms_document(entry, request, deadline=None, timeout=None):
    """What the LMS reads on stdin: the program of `entry`, the request, and the deadline (epoch
    seconds in the host's clock; None for none) with the whole call's `timeout`."""
    return {
        "program": program_source(entry),
        "request": dict(request, entry=entry, marker=RESULT_MARKER),
        "deadline": deadline,
        "timeout": timeout,
    }


def parse_result(stdout):
    """The decoded result line the program printed, or None when there is none."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER) :])
    return None


class LmsRunner:
    """Runs in-LMS programs for one task: one `manage.py ... shell` process per `run`.

    `params` are the task's options; `host` starts the process on the task's host
    (`connection.ConnectionHost`, over Ansible's connection).
    """

    def __init__(self, params, host):
        self.options = resolve_options(params)
        self.host = host

    def run(self, entry, request):
        """Run `entry(request)` (an entry point of programs.PROGRAMS) inside the LMS; return its result."""
        if not self.options["manage_command"]:
            raise LmsError(
                "manage_command is empty: give the command up to and including manage.py, e.g. "
                "['/edx/bin/python.edxapp', '/edx/bin/manage.edxapp'], or leave it out for the runner's default."
            )
        settings = self.options["settings"]
        if settings is not None and settings.startswith("lms.envs."):
            raise LmsError(
                "settings takes the name under lms/envs, which manage.py prefixes with lms.envs. itself: set it to "
                "%s, not %s." % (shown(settings[len("lms.envs.") :]), shown(settings))
            )
        if settings is not None and not SETTINGS_NAME.fullmatch(settings):
            raise LmsError(
                "settings must name a settings module under lms/envs, such as production (aws on Ginkgo and "
                "Hawthorn): letters, digits and _, words joined by dots; got %s. Leave it unset where the "
                "image sets DJANGO_SETTINGS_MODULE (Tutor)." % shown(settings)
            )
        timeout = self.options["lms_timeout"]
        if timeout is None or not 1 <= timeout <= MAX_TIMEOUT:
            raise LmsError(
                "lms_timeout must be a whole number of seconds from 1 to %d, got %s. Give the longest "
                "time one LMS start and its work may take (default %d)." % (MAX_TIMEOUT, timeout, DEFAULT_TIMEOUT)
            )
        deadline = time.time() + timeout
        offset = self.host.prepare(self.options)  # the in-LMS deadline is in the host's clock
        document = json.dumps(lms_document(entry, request, int(deadline + offset), timeout))
        shell = self.options["shell"]
        outcome = self.start("interactive" if shell == "interactive" else "command", document, deadline)
        if shell == "auto" and lacks_shell_c(outcome):
            # Django 1.8 (Ginkgo) has no `shell -c`: the same document through its console, one more start.
            outcome = self.start("interactive", document, deadline)
        return self.answer(outcome)

    def start(self, transport, document, deadline):
        """One LMS start with `document` on stdin, within what is left of the call's deadline."""
        remaining = max(deadline - time.time(), 1)
        argv = build_argv(self.options, transport)
        return self.host.start(argv, stdin_for(transport, document), remaining, self.options)

    def answer(self, outcome):
        """The program's result, or an LmsError telling what went wrong and what to do."""
        runner = self.options["runner"]
        details = dict(rc=outcome.rc, stderr=tail(outcome.stderr), stdout=tail(outcome.stdout))
        result = parse_result(outcome.stdout)
        output = outcome.stderr + "\n" + outcome.stdout
        status = inner_status(outcome.rc, output, runner)
        name = killing_signal(status, runner)
        # SIGALRM: the bootstrap ended the program on the same deadline, a moment before the kill.
        if (outcome.timed_out or name == "SIGALRM") and result is None:
            raise LmsError(self.timeout_message(outcome), timed_out=True, **details)
        if result is None:
            if name:
                raise LmsError(signal_message(name, status, runner), signal=name, **details)
            hint = diagnose(output, self.options)
            raise LmsError(
                "The LMS command failed (%s runner, exit code %s): %s%s"
                % (runner, outcome.rc, last_error_line(output) or "no output", _sentence(hint)),
                **details,
            )
        if result.get("failed"):
            raise self.program_failure(result)
        return result

    def timeout_message(self, outcome):
        runner = self.options["runner"]
        last = last_error_line(outcome.stderr + "\n" + outcome.stdout)
        inside = (
            " Inside the container the LMS process ends itself at the same deadline."
            if runner in ("tutor_local", "tutor_k8s", "docker")
            else ""
        )
        return (
            "The LMS did not answer within %d seconds (lms_timeout, %s runner), so its processes were "
            "killed. Its changes commit in one transaction at the end, so nothing is half-applied.%s "
            "Check what the LMS waits for when it starts: its database (a MySQL that accepts "
            "connections but does not answer), MongoDB, or a lock held by another process; an LMS "
            "that is only slow (long boots, a long list) needs a larger lms_timeout.%s"
            % (self.options["lms_timeout"], runner, inside, " Its last output: " + last if last else "")
        )

    def program_failure(self, result):
        """An error the in-LMS program reported; an unexpected exception is told by its cause."""
        msg = result["msg"]
        details = {k: v for k, v in result.items() if k not in ("failed", "msg")}
        if "lms_traceback" in details:
            details["lms_traceback"] = cut_lines(details["lms_traceback"])
        hint = diagnose(msg + "\n" + result.get("lms_traceback", ""), self.options)
        if hint and ("lms_traceback" in result or msg.startswith("Unexpected error inside the LMS")):
            # The cause first; the raw exception line (cut) stays for whoever searches for it.
            raw = msg.split(":", 1)[1].strip() if ":" in msg else msg
            msg = "The LMS failed: %s. LMS error: %s" % (hint.rstrip("."), cut(raw, 300))
            return LmsError(msg, **details)
        if hint:
            msg = "%s%s" % (msg.rstrip("."), _sentence(hint))
        return LmsError(msg, **details)


def _sentence(hint):
    """`. Hint.` for appending a hint to a message, or nothing."""
    return ". " + hint[0].upper() + hint[1:].rstrip(".") + "." if hint else ""


def tail(text, lines=40):
    """The last `lines` lines of a process's output, each cut to a readable length, for failure results."""
    return cut_lines("\n".join(text.splitlines()[-lines:]))
