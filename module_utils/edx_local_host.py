"""Start the LMS process on the host the module runs on (edx_token with method direct).

Reads a native LMS's environment file without a shell, checks that the command and directory
exist, and runs the process with a deadline that kills its whole process group (`edx_process`).
The LMS-side modules (edx_access, edx_user, edx_oauth_client) start it over the task's connection
instead (`edx_connection_host`), so that their host needs no Python for Ansible.
"""

import os
import shlex

from ansible.module_utils.edx_diagnosis import cut
from ansible.module_utils.edx_process import Terminated, run_process
from ansible.module_utils.edx_runner import LmsError, parse_env_file
from ansible.module_utils.edx_transport import BOOTSTRAP


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


class LocalHost:
    """The module's own host: the process runs here, as the module's user."""

    def __init__(self, module):
        self.module = module

    @staticmethod
    def prepare(options):
        """Nothing to do before the start: the clock is the host's own (offset 0)."""
        del options
        return 0

    def environment(self, options):
        """Extra environment for the process: the native LMS's environment file, if any."""
        path = options.get("env_file")
        if not path:
            return {}
        if not os.path.isfile(path):
            raise env_file_missing(path, options["runner"])
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
            raise env_file_unreadable(path, user, exc.strerror or exc) from exc
        try:
            return parse_env_file(text, os.environ, path)
        except ValueError as exc:
            raise LmsError(str(exc)) from exc

    def check_command(self, argv, runner):
        """Fail early, with the option to fix, when the first word of the command cannot run."""
        program = argv[0]
        if os.path.isabs(program):
            if not os.access(program, os.X_OK):
                raise command_missing(program, runner)
        elif os.sep not in program and self.module.get_bin_path(program) is None:
            raise command_missing(program, runner)

    def start(self, argv, data, timeout, options):
        """Run argv with `data` on stdin for at most `timeout` seconds; the Outcome."""
        # `~` and $VARS in the command expand as run_command expanded them; the bootstrap stays as it is.
        argv = [part if part == BOOTSTRAP else os.path.expanduser(os.path.expandvars(part)) for part in argv]
        runner = options["runner"]
        self.check_command(argv, runner)
        chdir = options.get("chdir")
        if chdir and not os.path.isdir(chdir):
            raise chdir_missing(chdir)
        if getattr(self.module, "_debug", False):
            self.module.log("Executing: " + " ".join(shlex.quote(part) for part in argv))
        try:
            return run_process(
                argv,
                data,
                timeout,
                cwd=os.path.abspath(os.path.expanduser(chdir)) if chdir else None,
                env=self.process_environment(options),
            )
        except Terminated as exc:
            raise LmsError(
                "The LMS did not finish: %s, so its processes were killed. Its changes commit in one "
                "transaction at the end, so nothing is half-applied; run the task again." % exc
            ) from exc
        except OSError as exc:
            raise LmsError(
                "Could not start %s (%s runner): %s. Check manage_command and that this user may run it."
                % (cut(argv[0]), runner, exc)
            ) from exc

    def process_environment(self, options):
        """The module's environment as run_command builds it, plus the LMS's environment file."""
        env = dict(os.environ)
        env.update(getattr(self.module, "run_command_environ_update", None) or {})
        env.update(self.environment(options))
        # Drop the paths of Ansible's module payload, as run_command does.
        if "PYTHONPATH" in env:
            paths = [
                path
                for path in env["PYTHONPATH"].split(":")
                if path and not path.endswith("/ansible_modlib.zip") and not path.endswith("/debug_dir")
            ]
            if paths:
                env["PYTHONPATH"] = ":".join(paths)
            else:
                del env["PYTHONPATH"]
        return env
