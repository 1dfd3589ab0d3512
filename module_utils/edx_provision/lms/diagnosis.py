# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What went wrong in a failed LMS process, told so that it does not mislead.

A table of known failure signatures (Django, SQLite, MySQL, Docker, manage.py) maps the LMS's own
output to a cause and to what to do, worded for the runner in use: only the native runner has
`env_file` and `LMS_CFG`, only Tutor has `tutor local do init`. The error line shown is the LMS's
own (not the wrapper line of Tutor or kubectl), a signal is named, and long values are cut.
"""

import re
import signal

from ..lms_options import CONTAINER_RUNNERS

# Longest echoed value, and longest error line, a message may hold.
VALUE_LIMIT = 200
LINE_LIMIT = 400


def cut(text, limit=VALUE_LIMIT):
    """`text` shortened to `limit` characters, saying how much was left out."""
    text = str(text)
    if len(text) <= limit:
        return text
    return "%s... (%d more characters)" % (text[:limit], len(text) - limit)


def cut_lines(text, limit=LINE_LIMIT):
    """Every line of `text` cut to `limit` characters (for output tails in failure results)."""
    return "\n".join(cut(line, limit) for line in text.splitlines())


# Per runner: how to migrate, and where the database settings live.
_MIGRATE = {
    "native": "run the LMS's migrations as the LMS user: `{command} lms{settings} migrate`",
    "tutor_local": "run Tutor's initialisation, which migrates: `tutor local do init` (before Tutor 15: "
    "`tutor local init`)",
    "tutor_k8s": "run Tutor's initialisation, which migrates: `tutor k8s do init` (before Tutor 15: `tutor k8s init`)",
    "docker": "run the migrations in the container: `docker exec {container} ./manage.py lms migrate`",
    "command": "run the LMS's migrations: `{command} lms{settings} migrate`",
}
_DB_CONFIG = {
    "native": "the LMS's configuration (env_file, LMS_CFG, its DATABASES)",
    "tutor_local": "Tutor's MySQL settings (`tutor config printvalue MYSQL_HOST`, RUN_MYSQL)",
    "tutor_k8s": "Tutor's MySQL settings (`tutor config printvalue MYSQL_HOST`, RUN_MYSQL)",
    "docker": "the DATABASES settings the container {container} runs with",
    "command": "the DATABASES settings of `settings`",
}
_DB_UP = {
    "native": "Check that MySQL is up and reachable from this host, and that {config} points at it",
    "tutor_local": "Check that Tutor's mysql container runs (`tutor local status`, `tutor local start -d`) "
    "and that {config} point at it",
    "tutor_k8s": "Check that the mysql pod runs (`tutor k8s status`) and that {config} point at it",
    "docker": "Check that the database is up and reachable from the container {container}, and {config}",
    "command": "Check that the database is up and reachable, and {config}",
}
_SETTINGS = {
    "native": "Set `settings` to the LMS's settings: 'aws' on Ginkgo and Hawthorn, 'production' from Ironwood on",
    "tutor_local": "Leave `settings` unset: Tutor's image sets DJANGO_SETTINGS_MODULE",
    "tutor_k8s": "Leave `settings` unset: Tutor's image sets DJANGO_SETTINGS_MODULE",
    "docker": "Leave `settings` unset if the image sets DJANGO_SETTINGS_MODULE, or name one under lms/envs",
    "command": "Set `settings` to a module under lms/envs, or leave it unset",
}


class Cause:
    """One known failure: the signature, what it means (`{0}`: the first group), what to do per runner."""

    def __init__(self, pattern, meaning, todo):
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.meaning = meaning
        self.todo = todo

    def explain(self, match, runner, values):
        groups = [cut(group) for group in (match.groups() or (match.group(0),)) if group is not None]
        todo = self.todo.get(runner, self.todo.get("*", "")) if isinstance(self.todo, dict) else self.todo
        todo = todo.format(**values)
        return self.meaning.format(*groups) + (". " + todo[0].upper() + todo[1:] if todo else "")


# First match wins: the specific database errors before the generic ones.
CAUSES = (
    Cause(r"No module named '?(lms\.envs\.[\w.]+)'?", "the settings module {0} does not exist on this LMS", _SETTINGS),
    Cause(
        r"No such container: (\S+)",
        "no running container named {0}",
        "Set `container` to the LMS container (`docker ps`)",
    ),
    Cause(
        r"container (\S+) is not running",
        "the container {0} is not running",
        {"*": "Start the LMS container first (`docker ps -a`)"},
    ),
    # Docker Compose v2 (what `tutor local exec` runs) on a stopped service.
    Cause(
        r'service "?([\w.-]+)"? is not running',
        "Tutor's {0} container is not running",
        {"*": "Start it: `tutor local start -d` (or `tutor local start -d lms`), then run the task again"},
    ),
    Cause(
        r"Cannot connect to the Docker daemon at (\S+?)\.? Is the docker daemon running",
        "the Docker daemon at {0} does not answer (stopped, or DOCKER_HOST names another one)",
        {
            "tutor_local": "Start Docker (`systemctl start docker`), then the platform (`tutor local start -d`); "
            "or set DOCKER_HOST in edx_api_access_environment to the daemon Tutor's containers run on",
            "*": "Start Docker (`systemctl start docker`) and the LMS container; or set DOCKER_HOST in "
            "edx_api_access_environment to the daemon the LMS container runs on",
        },
    ),
    Cause(
        r"permission denied while trying to connect to the Docker daemon socket at (\S+?):? ",
        "the user that runs the task may not use the Docker daemon at {0}",
        "Run the task as a user of the docker group (or root: edx_api_access_become), as you run docker or tutor",
    ),
    # The image's working directory holds no manage.py (docker exec's own error), or it is not executable.
    Cause(
        r'exec: "?([^"\s]*manage[^"\s]*)"?: stat \S+: no such file or directory',
        "the container has no {0} in its working directory: it is not an Open edX LMS container",
        {
            "docker": "Set `container` to the LMS container (Tutor's openedx image: /openedx/edx-platform/manage.py)",
            "*": "Check that the lms service runs Open edX's image (`tutor config printvalue DOCKER_IMAGE_OPENEDX`)",
        },
    ),
    Cause(
        r'exec: "?([^"\s]*manage[^"\s]*)"?: permission denied',
        "{0} in the container is not executable",
        "Start it with the image's Python: manage_command [..., python, ./manage.py]",
    ),
    Cause(
        r"Unknown command: '?shell'?",
        "this manage.py has no `shell` command",
        "`manage_command` must point at the LMS's manage.py",
    ),
    Cause(
        r"(?:can't open file|No such file or directory).*manage",
        "the LMS's manage.py was not found",
        "Set `manage_command` (and `chdir`) to the LMS's Python and manage.py",
    ),
    # Schema not migrated: SQLite, MySQL 1146 (table) and 1054 (column).
    Cause(
        r"no such table: ([\w.]+)|Table '([\w.]+)' doesn't exist|no such column: ([\w.]+)|Unknown column '([\w.]+)'",
        "the LMS's database has no {0}: its schema is not migrated (or `settings` points at another database)",
        _MIGRATE,
    ),
    # Disk full: SQLite, MySQL 1114/1021/errno 28, the OS.
    Cause(
        r"database or disk is full|The table '([\w.]+)' is full|Disk full|No space left on device",
        "the disk under the LMS's database (or its temporary directory) is full",
        "Free space there (`df -h` on the database host), then run the task again; nothing was applied",
    ),
    # Read-only: SQLite, MySQL 1290 (--read-only) and 1792, a read-only filesystem.
    Cause(
        r"attempt to write a readonly database|running with the --read-only option|READ ONLY transaction"
        r"|Read-only file system",
        "the LMS's database is read-only (a MySQL replica or --read-only server, or a read-only file)",
        "Point the LMS at its writable primary database, or make the database file writable by the LMS's user",
    ),
    Cause(
        r"database is locked|Lock wait timeout exceeded|Deadlock found",
        "another process held a lock on the LMS's database and this change gave up waiting",
        "Run the task again once the other process (a migration, another run) is done; nothing was applied",
    ),
    Cause(
        r"Access denied for user '?([^' ]+)",
        "the LMS's database refused the credentials of {0}",
        {
            "*": "Fix the database user or password in {config}",
        },
    ),
    Cause(
        r"Unknown database '([^']+)'",
        "the database {0} does not exist on the LMS's database server",
        {"*": "Check {config}"},
    ),
    # Database unreachable: MySQL 2002/2003/2005/2006/2013, SQLite's unopenable file, PostgreSQL.
    Cause(
        r"Can't connect to (?:local )?MySQL server (?:on|through) '[^']*'(?: \(-?\d+\))?"
        r"|Unknown MySQL server host '[^']*'(?: \(-?\d+\))?|MySQL server has gone away"
        r"|Lost connection to MySQL server[\w ]*|unable to open database file|could not connect to server",
        "the LMS could not reach its database ({0})",
        _DB_UP,
    ),
    Cause(
        r"UNIQUE constraint failed: [\w]+\.client_id|Duplicate entry '([^']*)' for key '(?:[\w]+\.)?client_id'",
        "another OAuth2 application already uses this client_id",
        "Choose another client_id, or leave client_id out to manage the client by its owner and name",
    ),
    Cause(
        r"UNIQUE constraint failed: ([\w.]+)",
        "the LMS's database already holds a record with the same {0} (created at the same time by another run?)",
        "Run the task again to see the record as it is now; nothing was applied",
    ),
    Cause(
        r"Duplicate entry '([^']*)' for key '([^']+)'",
        "the LMS's database already holds a record with {0} as {1} (created at the same time by another run?)",
        "Run the task again to see the record as it is now; nothing was applied",
    ),
    Cause(
        r"deadline passed before the program started",
        "the LMS finished starting after the deadline (lms_timeout)",
        "Raise lms_timeout, and check that the clocks of this host and of the LMS agree",
    ),
    Cause(
        r"(?:OperationalError|ProgrammingError|InterfaceError|DatabaseError)\b[:,]?\s*([^\n]*)",
        "the LMS's database reported an error: {0}",
        {"*": "Check the database server's log"},
    ),
)


def runner_values(options):
    """What runner-specific hints may name: the manage command, settings, container, config place."""
    runner = (options or {}).get("runner", "command")
    values = {
        "command": " ".join((options or {}).get("manage_command") or ["manage.py"]),
        "settings": " --settings=%s" % options["settings"] if (options or {}).get("settings") else "",
        "container": (options or {}).get("container") or "CONTAINER",
    }
    values["config"] = _DB_CONFIG.get(runner, _DB_CONFIG["command"]).format(**values)
    return runner, values


def settings_cause(options):
    """Python 2's `ImportError: No module named production` names only the part of the settings module below the
    last package it found (production, or tutor.production when lms/envs/tutor is missing)."""
    settings = (options or {}).get("settings")
    if not settings:
        return ()
    module = "lms.envs." + settings
    words = module.split(".")
    # Python 2 names the part below the last package it found: production, or tutor.production.
    tails = "|".join(re.escape(".".join(words[start:])) for start in range(len(words)))
    pattern = r"(?m)ImportError: No module named (?:%s)[ \t]*$" % tails
    meaning = "the settings module %s does not exist on this LMS" % module.replace("{", "{{").replace("}", "}}")
    return (Cause(pattern, meaning, _SETTINGS),)


def diagnose(output, options=None):
    """What a failed process's output means and what to do, for this runner; None when unknown.

    A wrapper's line (Tutor's `Error: Command failed ...: docker compose ... shell -c <bootstrap>`) echoes
    the command, whose text holds the bootstrap's own messages, so it is never read as the LMS's error.
    """
    runner, values = runner_values(options)
    output = "\n".join(line for line in output.splitlines() if not _WRAPPER_LINES.match(line.strip()))
    for cause in settings_cause(options) + CAUSES:
        matches = list(cause.pattern.finditer(output))
        if matches:
            return cause.explain(matches[-1], runner, values)
    return None


# Lines a wrapper prints about the command it ran, which are not the LMS's own error.
_WRAPPER_LINES = re.compile(
    r"^(Error: Command failed with status \d+:|command terminated with exit code \d+"
    r"|(docker compose|docker-compose|docker|kubectl) (\S+ )*(exec|run)\b|Killed$)"
)
_ERROR_LINE = re.compile(r"^[\w.]*(Error|Exception|Exit)\b.*:|^CommandError\b")


def last_error_line(output):
    """The LMS's own most telling line (the exception of a traceback), never a wrapper's line; cut."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    lines = [line for line in lines if not _WRAPPER_LINES.match(line)]
    for line in reversed(lines):
        if _ERROR_LINE.match(line):
            return cut(line, LINE_LIMIT)
    return cut(lines[-1], LINE_LIMIT) if lines else ""


_INNER_STATUS = re.compile(
    r"^(?:Error: Command failed with status|command terminated with exit code) (\d+)", re.MULTILINE
)


def inner_status(rc, output, runner):
    """The exit status of the LMS process itself: Tutor exits 1 and names the real status in its line."""
    if runner in CONTAINER_RUNNERS:
        found = _INNER_STATUS.findall(output)
        if found:
            return int(found[-1])
    return rc


_SIGNAL_HINTS = {
    "SIGKILL": "out of memory? Check the kernel log (`dmesg`) or the container's memory limit",
    "SIGTERM": "stopped by an operator, a service manager or the container runtime",
    "SIGINT": "interrupted",
    "SIGSEGV": "the LMS's Python crashed",
    "SIGBUS": "the LMS's Python crashed",
    "SIGABRT": "the LMS's Python aborted",
}


def killing_signal(rc, runner):
    """The signal's name when rc says the LMS was killed by one, else None.

    A negative rc is a signal of the process started here; through `docker exec`, Tutor and
    kubectl, a process killed inside the container exits with status 128+N.
    """
    if rc is None:
        return None
    number = -rc if rc < 0 else (rc - 128 if runner in CONTAINER_RUNNERS and 128 < rc < 160 else None)
    if not number:
        return None
    try:
        return signal.Signals(number).name
    except ValueError:
        return "signal %d" % number


def signal_message(name, rc, runner):
    """The failure message for an LMS process killed by a signal, without its log noise."""
    hint = _SIGNAL_HINTS.get(name)
    status = "" if rc < 0 else ", exit status %d" % rc
    return (
        "The LMS process was killed by %s (%s runner%s)%s. Its changes commit in one transaction at the "
        "end, so nothing is half-applied; run the task again once the cause is fixed."
        % (name, runner, status, ": " + hint if hint else "")
    )
