#!/usr/bin/env python3
"""
Start, stop and inspect stand-in LMS instances. Standard library only.

Command line (the Makefile's lms-up / lms-down), configured by the environment:
    control.py up       start in the background (LMS_PORT, LMS_STATE_DIR, LMS_SETTINGS)
    control.py down     stop the instance recorded in LMS_STATE_DIR
    control.py status   say whether it runs (exit 0) or not (exit 3)
    control.py serve    prepare the state, then run the server in the foreground (the
                        container image's main process, tests/containers)

Python API (tests):
    lms = StandinLMS(port, state_dir, settings="production", env=None, template=None)
    lms.start(); lms.url; lms.manage("manage_user", "bob", "bob@example.com"); lms.stop()

An instance is one state directory (SQLite database, RSA JWT key, secret key, pid file,
logs, boots.log) plus one gunicorn server on 127.0.0.1:port. Several instances with
different ports and state directories run side by side.
"""

import contextlib
import errno
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent  # tests/lms
REPO_ROOT = PROJECT_ROOT.parents[1]
MANAGE_PY = PROJECT_ROOT / "manage.py"
DEFAULT_STATE_DIR = REPO_ROOT / ".lms"
DEFAULT_PORT = 18000
DEFAULT_SETTINGS = "production"

# Settings knobs read by the LMS from its environment (README, "Environment knobs"). An
# instance gets them only through its `env`, never implicitly from the caller's
# environment; the command line forwards the caller's.
KNOBS = (
    "LMS_THROTTLE_USER_RATE",
    "LMS_THROTTLE_STAFF_RATE",
    "LMS_EDX_API_KEY",
    "LMS_BOOT_DELAY",
    "LMS_ROOT_URL",
    "LMS_JWT_AUDIENCE",
    "LMS_TLS",
    "LMS_OAUTH_ENFORCE_SECURE",
    "LMS_GINKGO_WARNINGS",
    "LMS_GINKGO_PYTHON2",
)

# Flavours whose INSTALLED_APPS differ from production's: their databases are migrated
# (and test templates kept) separately. Aliases such as aws or hashed_secrets share production's.
OWN_SCHEMA = {"ginkgo": "ginkgo"}
# Flavours served over HTTPS unless LMS_TLS says otherwise (README, "The ginkgo flavour").
TLS_BY_DEFAULT = {"ginkgo"}
TLS_DIR = "tls"

DB_NAME = "db.sqlite3"
SERVER_FILE = "server.json"  # {"pid", "port", "settings"} of the running gunicorn
PID_FILE = "gunicorn.pid"
SERVER_LOG = "server.log"
BOOTS_LOG = "boots.log"


class StandinError(RuntimeError):
    """The stand-in could not be started or stopped; the message says why."""


class PortInUseError(StandinError):
    pass


def lms_python():
    """The interpreter that runs the LMS: $LMS_PYTHON, this one inside a virtualenv, else .venv's."""
    explicit = os.environ.get("LMS_PYTHON")
    if explicit:
        return explicit
    if sys.prefix != sys.base_prefix:
        return sys.executable
    return str(REPO_ROOT / ".venv" / "bin" / "python")


def resolve_state_dir(value=None):
    value = value if value is not None else os.environ.get("LMS_STATE_DIR", "")
    if not str(value).strip():
        return DEFAULT_STATE_DIR
    path = Path(value)
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path.resolve()


def port_is_free(port, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host="127.0.0.1"):
    """A port the kernel considers free right now (for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _process_state(pid):
    """'running', 'zombie' or None (gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return "running"
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return "zombie"
    except (OSError, IndexError):
        pass
    return "running"


def _cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None


class StandinLMS:
    """One stand-in LMS instance: a state directory and a gunicorn server on 127.0.0.1."""

    def __init__(self, port=DEFAULT_PORT, state_dir=None, settings=DEFAULT_SETTINGS, env=None, template=None):
        self.port = int(port)
        self.state_dir = resolve_state_dir(state_dir)
        self.settings = settings or DEFAULT_SETTINGS
        self.env = dict(env or {})
        self.template = Path(template) if template else None
        self._proc = None

    # ------------------------------------------------------------ properties
    @property
    def schema(self):
        """Which database layout this flavour needs: "production" or its own (e.g. "ginkgo")."""
        return OWN_SCHEMA.get(self.settings, "production")

    @property
    def tls(self):
        """Does the server speak HTTPS? LMS_TLS (on/off) in env, else the flavour's default."""
        value = str(self.env.get("LMS_TLS", "")).strip().lower()
        if value:
            return value not in ("0", "off", "false", "no")
        return self.settings in TLS_BY_DEFAULT

    @property
    def ca_path(self):
        """The test CA that signed the server certificate (trust it: requests verify=ca_path)."""
        return self.state_dir / TLS_DIR / "ca.pem"

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def manage_prefix(self):
        """argv that runs the stand-in's manage.py; append ["lms", "--settings=X", COMMAND, ...]."""
        return [lms_python(), str(MANAGE_PY)]

    @property
    def db_path(self):
        return self.state_dir / DB_NAME

    def __repr__(self):
        return f"StandinLMS(port={self.port}, state_dir={str(self.state_dir)!r}, settings={self.settings!r})"

    # ------------------------------------------------------------ environment
    def environ(self, settings=None, env=None):
        """The environment manage.py and the server run with."""
        result = {name: value for name, value in os.environ.items() if name not in KNOBS}
        result.update(self.env)
        result["LMS_STATE_DIR"] = str(self.state_dir)
        result["LMS_PORT"] = str(self.port)
        result["DJANGO_SETTINGS_MODULE"] = "lms.envs." + (settings or self.settings)
        result["LMS_TLS"] = "on" if self.tls else "off"
        result.setdefault("PYTHONUNBUFFERED", "1")
        result.update(env or {})
        return result

    # ------------------------------------------------------------ management commands
    def manage(self, *args, input=None, settings=None, env=None, timeout=120, check=False):
        """Run `manage.py lms --settings=S ARGS...`; returns the CompletedProcess (text mode)."""
        argv = [*self.manage_prefix, "lms", f"--settings={settings or self.settings}", *args]
        return subprocess.run(
            argv,
            input=input,
            capture_output=True,
            text=True,
            env=self.environ(settings, env),
            cwd=str(PROJECT_ROOT),
            timeout=timeout,
            check=check,
            # No controlling terminal, as under Ansible: getpass-style prompts read stdin.
            start_new_session=True,
        )

    def boots(self):
        """How many manage.py starts boots.log records."""
        try:
            with open(self.state_dir / BOOTS_LOG, "rb") as handle:
                return sum(1 for _ in handle)
        except FileNotFoundError:
            return 0

    # ------------------------------------------------------------ state
    def prepare(self):
        """Create the state directory and a migrated, seeded database if missing (and the
        TLS certificate when the server speaks HTTPS)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if self.tls:
            self._prepare_tls()
        if self.db_path.exists():
            return False
        if self.template and (self.template / DB_NAME).exists():
            tmp = self.db_path.with_name(DB_NAME + ".copying")
            shutil.copyfile(self.template / DB_NAME, tmp)
            os.replace(tmp, self.db_path)
            return True
        result = subprocess.run(
            [lms_python(), "-m", "lms.setup_state"],
            capture_output=True,
            text=True,
            env=self.environ(),
            cwd=str(PROJECT_ROOT),
            timeout=300,
        )
        if result.returncode != 0:
            with contextlib.suppress(FileNotFoundError):
                self.db_path.unlink()
            raise StandinError(f"migrating {self.db_path} failed:\n{result.stderr[-4000:]}")
        return True

    def _prepare_tls(self):
        if self.ca_path.exists():
            return
        template_tls = self.template / TLS_DIR if self.template else None
        if template_tls and (template_tls / "ca.pem").exists():
            shutil.copytree(template_tls, self.state_dir / TLS_DIR, dirs_exist_ok=True)
            return
        result = subprocess.run(
            [lms_python(), "-m", "lms.tls", str(self.state_dir)],
            capture_output=True,
            text=True,
            cwd=str(PROJECT_ROOT),
            timeout=120,
        )
        if result.returncode != 0:
            raise StandinError(f"creating the test certificate in {self.state_dir} failed:\n{result.stderr[-3000:]}")

    def _ssl_context(self):
        return ssl.create_default_context(cafile=str(self.ca_path)) if self.tls else None

    def _read_server(self):
        try:
            return json.loads((self.state_dir / SERVER_FILE).read_text())
        except (FileNotFoundError, ValueError):
            return None

    def _is_ours(self, pid):
        """Is `pid` the gunicorn this state directory started (not a recycled pid)?"""
        cmdline = _cmdline(pid)
        if cmdline is None:  # no /proc: trust the pid file
            return _process_state(pid) == "running"
        return "gunicorn" in cmdline and str(self.state_dir) in cmdline

    def pid(self):
        """The pid of this instance's running server, or None."""
        info = self._read_server()
        if not info:
            return None
        pid = int(info.get("pid", 0))
        if pid > 0 and _process_state(pid) == "running" and self._is_ours(pid):
            return pid
        return None

    def heartbeat(self, timeout=2.0):
        """HTTP status of GET /heartbeat, or None when nothing answers."""
        try:
            url = self.url + "/heartbeat"  # 127.0.0.1 only
            with urllib.request.urlopen(url, timeout=timeout, context=self._ssl_context()) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, OSError):
            return None

    def is_running(self):
        return self.pid() is not None

    # ------------------------------------------------------------ start / stop
    def start(self, timeout=60):
        """Start in the background and return once /heartbeat answers 200. Idempotent."""
        running = self.pid()
        if running:
            info = self._read_server() or {}
            if int(info.get("port", 0)) != self.port or info.get("settings") != self.settings:
                raise StandinError(
                    f"the stand-in of {self.state_dir} already runs (pid {running}) on port "
                    f"{info.get('port')} with settings {info.get('settings')!r}; stop it first (make lms-down)"
                )
            self._wait_healthy(running, timeout)
            return self
        if not port_is_free(self.port):
            raise PortInUseError(
                f"127.0.0.1:{self.port} is already in use by another process (not the stand-in recorded in "
                f"{self.state_dir}); pick another LMS_PORT or stop that process"
            )
        self.prepare()
        log_path = self.state_dir / SERVER_LOG
        argv = self.server_argv()
        with open(log_path, "ab") as log:
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.environ(),
                cwd=str(PROJECT_ROOT),
                start_new_session=True,
            )
        info = {"pid": self._proc.pid, "port": self.port, "settings": self.settings, "url": self.url}
        (self.state_dir / SERVER_FILE).write_text(json.dumps(info) + "\n")
        try:
            self._wait_healthy(self._proc.pid, timeout)
        except StandinError:
            self.stop()
            raise
        return self

    def server_argv(self):
        """gunicorn's argv for this instance: one process, 8 threads, on 127.0.0.1:port."""
        argv = [
            lms_python(),
            "-m",
            "gunicorn",
            "lms.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            # One process, several threads: throttling counters (locmem cache) are shared.
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "8",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--pid",
            str(self.state_dir / PID_FILE),
            "--error-logfile",
            "-",
            "--access-logfile",
            "-",
            "--chdir",
            str(PROJECT_ROOT),
            # Believe no forwarded headers (gunicorn trusts X-Forwarded-Proto from 127.0.0.1 by
            # default): whether a request is secure is Django's call, as on the measured LMS.
            "--forwarded-allow-ips",
            "",
        ]
        if self.tls:
            tls_dir = self.state_dir / TLS_DIR
            argv += ["--certfile", str(tls_dir / "server.pem"), "--keyfile", str(tls_dir / "server.key")]
        return argv

    def serve(self):
        """Prepare the state, then become the server in the foreground (a container's main process)."""
        self.prepare()
        os.chdir(PROJECT_ROOT)
        os.execve(lms_python(), self.server_argv(), self.environ())  # noqa: S606 (the argv is ours)

    def _wait_healthy(self, pid, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                break
            if _process_state(pid) != "running":
                break
            if self.heartbeat() == 200:
                return
            time.sleep(0.1)
        tail = ""
        with contextlib.suppress(OSError):
            tail = (self.state_dir / SERVER_LOG).read_text(errors="replace")[-3000:]
        raise StandinError(f"the stand-in LMS on {self.url} did not become healthy; {SERVER_LOG}:\n{tail}")

    def stop(self, timeout=15):
        """Stop the server recorded in the state directory (no-op when none runs)."""
        info = self._read_server()
        pid = int(info["pid"]) if info and info.get("pid") else None
        stopped = False
        if pid and _process_state(pid) == "running" and self._is_ours(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self._proc is not None and self._proc.pid == pid:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self._proc.wait(timeout=0.1)
                if _process_state(pid) != "running":
                    break
                time.sleep(0.1)
            else:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
            stopped = True
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
            self._proc = None
        for name in (SERVER_FILE, PID_FILE):
            with contextlib.suppress(FileNotFoundError):
                (self.state_dir / name).unlink()
        return stopped


# ---------------------------------------------------------------- command line
def _from_environment():
    return StandinLMS(
        port=int(os.environ.get("LMS_PORT") or DEFAULT_PORT),
        state_dir=resolve_state_dir(),
        settings=os.environ.get("LMS_SETTINGS") or DEFAULT_SETTINGS,
        env={name: os.environ[name] for name in KNOBS if name in os.environ},
    )


def main(argv):
    if len(argv) != 1 or argv[0] not in ("up", "down", "status", "serve"):
        sys.stderr.write("usage: control.py up|down|status|serve   (env: LMS_PORT, LMS_STATE_DIR, LMS_SETTINGS)\n")
        return 2
    lms = _from_environment()
    action = argv[0]
    try:
        if action == "serve":
            lms.serve()
        elif action == "up":
            was_running = lms.is_running()
            lms.start()
            state = "already running" if was_running else "started"
            print(
                f"stand-in LMS {state} on {lms.url} (settings {lms.settings}, state {lms.state_dir}, pid {lms.pid()})"
            )
        elif action == "down":
            if lms.stop():
                print(f"stand-in LMS of {lms.state_dir} stopped")
            else:
                print(f"no stand-in LMS running for {lms.state_dir}")
        else:
            pid = lms.pid()
            if pid is None:
                print(f"not running ({lms.state_dir})")
                return 3
            info = lms._read_server() or {}
            print(
                f"running: pid {pid} on {info.get('url')} "
                f"(settings {info.get('settings')}, heartbeat {lms.heartbeat()})"
            )
    except StandinError as exc:
        sys.stderr.write(f"control.py {action}: {exc}\n")
        return 1
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            sys.stderr.write(f"control.py {action}: {exc} (is .venv installed? run `make venv`)\n")
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
