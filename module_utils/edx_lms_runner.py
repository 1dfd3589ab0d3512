"""Start the LMS once per module call and run an in-LMS program in it.

Builds the `manage.py lms ... shell` argv for the deployment kind, reads a native LMS's environment
file without a shell, feeds the program and its request as one JSON document on stdin (never on the
command line, where `ps` shows it) and reads back the single marked result line.
"""

import inspect
import json
import os
import re

RESULT_MARKER = "EDX_PROVISION_RESULT "

# Fixed code on the command line; everything variable arrives on stdin.
BOOTSTRAP = (
    "import json,sys;e=json.loads(sys.stdin.read());n={'__name__':'edx_provision'};"
    "exec(compile(e['program'],'<edx_provision>','exec'),n);n['main'](e['request'])"
)

RUNNERS = ("native", "tutor_local", "tutor_k8s", "docker", "command")

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


def lms_argument_spec():
    """Options shared by every module that runs code inside the LMS (doc fragment `edx_lms`)."""
    return dict(
        runner=dict(type="str", default="native", choices=list(RUNNERS)),
        manage_command=dict(type="list", elements="str"),
        settings=dict(type="str"),
        env_file=dict(type="path"),
        chdir=dict(type="path"),
        container=dict(type="str"),
    )


LMS_REQUIRED_IF = [
    ("runner", "command", ["manage_command"]),
    ("runner", "docker", ["container"]),
]


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


def build_argv(options):
    """argv for `manage.py lms [--settings=S] shell -c BOOTSTRAP` on this kind of deployment."""
    argv = list(options["manage_command"]) + ["lms"]
    if options.get("settings"):
        argv.append("--settings=" + options["settings"])
    argv += ["shell", "-c", BOOTSTRAP]
    return argv


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
                "%s line %d is not of the form `export NAME=\"value\"`: %r. "
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


def program_source(*parts):
    """The in-LMS program: the source of the given module_utils modules, concatenated in order."""
    return "\n\n".join(inspect.getsource(part) for part in parts)


def parse_result(stdout):
    """The decoded result line the program printed, or None when there is none."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER):])
    return None


# Known failure signatures in a failed process's output, and what the operator should do.
_DIAGNOSES = (
    (re.compile(r"No module named '?(lms\.envs\.[\w.]+)'?"),
     "the settings module {0} does not exist on this LMS. Set `settings` to the LMS's settings: "
     "'aws' on Ginkgo and Hawthorn, 'production' from Ironwood on; leave it unset for Tutor, whose "
     "image sets DJANGO_SETTINGS_MODULE"),
    (re.compile(r"No such container: (\S+)"),
     "no running container named {0}. Set `container` to the LMS container (`docker ps`)"),
    (re.compile(r"Unknown command: '?shell'?"),
     "this manage.py has no `shell` command; `manage_command` must point at the LMS's manage.py"),
    (re.compile(r"(can't open file|No such file or directory).*manage", re.IGNORECASE),
     "manage.py was not found. Set `manage_command` (and `chdir`) to the LMS's Python and manage.py"),
    (re.compile(r"(OperationalError|could not connect|Can't connect to MySQL).*", re.IGNORECASE),
     "the LMS could not reach its database ({0}). Check that MySQL is up and the LMS's configuration "
     "(env_file, LMS_CFG) points at it"),
)


def diagnose(output):
    """A hint for a failed LMS process, from the last matching known signature in its output."""
    for pattern, hint in _DIAGNOSES:
        matches = list(pattern.finditer(output))
        if matches:
            found = matches[-1]
            return hint.format(*(found.groups() or (found.group(0),)))
    return None


def last_error_line(output):
    """The most telling line of a failed process's output (the exception line of a traceback)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if re.match(r"^[\w.]*(Error|Exception|Exit)\b.*:", line) or line.startswith("CommandError"):
            return line
    return lines[-1] if lines else ""


class LmsRunner:
    """Runs in-LMS programs for one module call: one `manage.py ... shell` process per `run`."""

    def __init__(self, module):
        self.module = module
        self.options = resolve_options(module.params)

    def environment(self):
        """Extra environment for the process: the native LMS's environment file, if any."""
        path = self.options.get("env_file")
        if not path:
            return {}
        if not os.path.isfile(path):
            raise LmsError(
                "env_file %s does not exist on %s. Point env_file at the LMS's environment file "
                "(configuration writes /edx/app/edxapp/edxapp_env), or set env_file: '' if the LMS "
                "needs none." % (path, self.options["runner"] + " runner")
            )
        try:
            with open(path) as handle:
                text = handle.read()
        except OSError as exc:
            uid = os.geteuid()
            try:
                import pwd

                user = "user %s (uid %d)" % (pwd.getpwuid(uid).pw_name, uid)
            except (ImportError, KeyError):
                user = "uid %d" % uid
            raise LmsError(
                "env_file %s cannot be read as %s: %s. Run the task as a user that may read it (become_user: "
                "the LMS's user, edxapp or www-data), or fix the file's owner and mode (configuration "
                "leaves it owned by edxapp, mode 0644)." % (path, user, exc.strerror or exc)
            ) from exc
        try:
            return parse_env_file(text, os.environ, path)
        except ValueError as exc:
            raise LmsError(str(exc)) from exc

    def check_command(self, argv):
        """Fail early, with the option to fix, when the first word of the command cannot run."""
        program = argv[0]
        if os.path.isabs(program):
            if not os.access(program, os.X_OK):
                raise LmsError(
                    "%s (from manage_command) does not exist or is not executable on this host. Set "
                    "manage_command to the LMS's Python and manage.py, or pick the right runner "
                    "(native, tutor_local, tutor_k8s, docker, command)." % program
                )
        elif os.sep not in program and self.module.get_bin_path(program) is None:
            raise LmsError(
                "`%s` (runner %s) is not installed or not on PATH on this host. Run the task where "
                "%s works, or set manage_command." % (program, self.options["runner"], program)
            )

    def run(self, parts, entry, request):
        """Run `entry(request)` from the program made of `parts` inside the LMS; return its result."""
        if not self.options["manage_command"]:
            raise LmsError(
                "manage_command is empty: give the command up to and including manage.py, e.g. "
                "['/edx/bin/python.edxapp', '/edx/bin/manage.edxapp'], or leave it out for the runner's default."
            )
        argv = build_argv(self.options)
        self.check_command(argv)
        chdir = self.options.get("chdir")
        if chdir and not os.path.isdir(chdir):
            raise LmsError(
                "chdir %s does not exist on this host. Set chdir to the edx-platform directory, or "
                "chdir: '' to run from the current directory." % chdir
            )
        document = json.dumps({"program": program_source(*parts), "request": dict(request, entry=entry)})
        rc, stdout, stderr = self.module.run_command(
            argv, data=document, binary_data=True, cwd=chdir, environ_update=self.environment()
        )
        result = parse_result(stdout)
        if result is None:
            output = stderr + "\n" + stdout
            hint = diagnose(output)
            raise LmsError(
                "The LMS command failed (%s, exit code %s): %s%s"
                % (self.options["runner"] + " runner", rc, last_error_line(output) or "no output",
                   ". " + hint[0].upper() + hint[1:] + "." if hint else ""),
                rc=rc, stderr=tail(stderr), stdout=tail(stdout),
            )
        if result.get("failed"):
            msg = result["msg"]
            hint = diagnose(msg + "\n" + result.get("lms_traceback", ""))
            if hint:
                msg = "%s. %s." % (msg.rstrip("."), hint[0].upper() + hint[1:])
            raise LmsError(msg, **{k: v for k, v in result.items() if k not in ("failed", "msg")})
        return result


def tail(text, lines=40):
    """The last `lines` lines of a process's output, for failure results."""
    return "\n".join(text.splitlines()[-lines:])
