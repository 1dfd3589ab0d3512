# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start the LMS process on the task's host over Ansible's connection, from the controller.

The action plugin of the LMS-side modules (edx_access, edx_user, edx_oauth_client, edx_token with
method direct) runs their logic on the controller and only the LMS process on the host, so the host
needs no Python for Ansible: a Ginkgo host has Python 3.5 and the LMS's 2.7, and ansible-core 2.19
runs modules on 3.8 and later only.

The host runs two fixed POSIX sh scripts through the connection (with become, as a module would):

* PROBE prints the host's clock (the in-LMS deadline is in the host's time) and reads the
  environment file as the task's user, with that user's environment (`env -0`), so the controller
  parses it with the same rules as every env file (`runner.parse_env_file`);
* LAUNCHER reads `NAME=value` lines from stdin up to a blank line and exports them, checks the
  command and the directory, and execs the LMS command under coreutils' `timeout` (which kills its
  whole process group on the deadline; the in-LMS alarm covers hosts without it). The rest of
  stdin, the JSON document, reaches the LMS untouched: `read` takes a pipe byte by byte.

Everything variable (the environment's values, the request) travels on stdin; the command line
holds only fixed code, the deadline, the directory and the LMS command (what `ps` may show).
"""

import math
import re
import shlex
import time

from ..lms_options import CONTAINER_RUNNERS
from .diagnosis import cut
from .runner import LmsError, parse_env_file

HOST_MARK = "edx-provision-host: "
PROBE_MARK = "edx-provision-probe "  # what the probe's output starts with, after any login noise
HOST_FAILED = 125  # the launcher's own failures; `timeout` uses 124-127 for its own, the LMS none of them
TIMED_OUT = 124  # coreutils timeout, when the command overran and ended on SIGTERM

PROBE = r"""
printf 'edx-provision-probe %s %s %s\n' "$(date +%s)" "$(id -u)" "$(id -un 2>/dev/null)"
[ -n "$1" ] || exit 0
[ -f "$1" ] || exit 3
cat -- "$1" || exit 4
printf '\000'
env -0
"""

LAUNCHER = r"""
t=$1 d=$2
shift 2
while IFS= read -r l && [ -n "$l" ]; do export "$l" || exit 125; done
case $1 in
  */*) [ -f "$1" ] && [ -x "$1" ] ;;
  *) command -v "$1" >/dev/null 2>&1 ;;
esac || { echo "edx-provision-host: no-command" >&2; exit 125; }
if [ -n "$d" ]; then
  cd -- "$d" 2>/dev/null || { echo "edx-provision-host: no-chdir" >&2; exit 125; }
fi
if command -v timeout >/dev/null 2>&1; then exec timeout -k 3 "$t" "$@"; fi
exec "$@"
"""


class Outcome:
    """What came of one LMS process: exit code (negative: killed by that signal), output, deadline."""

    def __init__(self, rc, stdout, stderr, timed_out):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out


def env_file_missing(path, runner):
    return LmsError(
        "env_file %s does not exist on %s. Point env_file at the LMS's environment file "
        "(configuration writes /edx/app/edxapp/edxapp_env), or set env_file: '' if the LMS "
        "needs none." % (path, runner + " runner")
    )


def env_file_unreadable(path, user, reason):
    return LmsError(
        "env_file %s cannot be read as %s: %s. Run the task as a user that may read it (become_user: "
        "the LMS's user, edxapp or www-data), or fix the file's owner and mode (configuration "
        "leaves it owned by edxapp, mode 0644)." % (path, user, reason)
    )


def command_missing(program, runner):
    if program.startswith("/"):
        return LmsError(
            "%s (from manage_command) does not exist or is not executable on this host. Set "
            "manage_command to the LMS's Python and manage.py, or pick the right runner "
            "(native, tutor_local, tutor_k8s, docker, command)." % program
        )
    return LmsError(
        "`%s` (runner %s) is not installed or not on PATH on this host. Run the task where "
        "%s works, or set manage_command." % (program, runner, program)
    )


def chdir_missing(chdir):
    return LmsError(
        "chdir %s does not exist on this host. Set chdir to the edx-platform directory, or "
        "chdir: '' to run from the current directory." % cut(chdir)
    )


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def script_command(script, *args):
    """The command line that runs a fixed sh script with positional arguments."""
    return " ".join(shlex.quote(part) for part in ["/bin/sh", "-c", script, "edx-provision"] + list(args))


def env_lines(env):
    """The launcher's stdin preamble: one `NAME=value` line per variable, then a blank line."""
    lines = []
    for name, value in env.items():
        if not _NAME.fullmatch(name) or "\n" in value or "\0" in value:
            raise LmsError(
                "env_file sets %s to a value with a line break (or an invalid name), which cannot be "
                "passed on; write it on one line." % name[:80]
            )
        lines.append("%s=%s\n" % (name, value))
    return ("".join(lines) + "\n").encode("utf-8")


class ConnectionHost:
    """The task's host, reached through `execute(command, in_data) -> (rc, stdout, stderr)`."""

    def __init__(self, execute, log=None):
        self.execute = execute
        self.log = log
        self.env = {}

    def prepare(self, options):
        """One round trip before the LMS starts: the host's clock offset (seconds), and its env file read."""
        path = options.get("env_file") or ""
        asked = time.time()
        # Some stdin, so that no connection gives the probe a terminal (ssh does without in_data).
        rc, stdout, stderr = self.execute(script_command(PROBE, path), b"\n")
        first, rest = (stdout.partition(PROBE_MARK)[2] + "\n").split("\n", 1)
        words = first.split()
        if rc not in (0, 3, 4) or len(words) < 2 or not words[0].isdigit():
            said = (stderr.strip() or stdout.strip())[-300:] or "no output"
            raise LmsError(
                "Could not prepare the LMS command on the host (exit code %s): %s. The host needs a POSIX "
                "sh with date, id, cat and env (coreutils)." % (rc, said)
            )
        offset = int(words[0]) - int((asked + time.time()) / 2)
        self.env = self.parse(path, options["runner"], rc, words, rest, stderr)
        return offset

    @staticmethod
    def parse(path, runner, rc, words, rest, stderr):
        """The variables of the env file the probe printed (none without one)."""
        if not path:
            return {}
        if rc == 3:
            raise env_file_missing(path, runner)
        if rc == 4:
            user = "user %s (uid %s)" % (words[2], words[1]) if len(words) > 2 else "uid %s" % words[1]
            said = [line for line in stderr.splitlines() if line.startswith("cat: ")]  # not ssh's own lines
            reason = said[-1].rsplit(": ", 1)[-1].strip() if said else "cat failed"
            raise env_file_unreadable(path, user, reason)
        text, listing = (rest + "\0").split("\0", 1)
        base = dict(entry.split("=", 1) for entry in listing.split("\0") if "=" in entry)
        try:
            return parse_env_file(text, base, path)
        except ValueError as exc:
            raise LmsError(str(exc)) from exc

    def start(self, argv, data, timeout, options):
        """Run argv on the host with `data` on stdin for at most `timeout` seconds; the Outcome."""
        seconds = max(math.ceil(timeout), 1)
        command = script_command(LAUNCHER, str(seconds), options.get("chdir") or "", *argv)
        if self.log:
            self.log("Executing on the host: " + " ".join(shlex.quote(part) for part in argv))
        started = time.monotonic()
        rc, stdout, stderr = self.execute(command, env_lines(self.env) + data)
        elapsed = time.monotonic() - started
        if rc == HOST_FAILED and HOST_MARK + "no-command" in stderr:
            raise command_missing(argv[0], options["runner"])
        if rc == HOST_FAILED and HOST_MARK + "no-chdir" in stderr:
            raise chdir_missing(options["chdir"])
        timed_out = rc == TIMED_OUT or (rc != 0 and elapsed >= seconds)
        if options["runner"] not in CONTAINER_RUNNERS and 128 < rc < 160:
            rc = 128 - rc  # killed by signal N: the shell's 128+N, told as the process's own -N
        return Outcome(rc, stdout, stderr, timed_out)
