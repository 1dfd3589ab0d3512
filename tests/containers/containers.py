#!/usr/bin/env python3
"""
The container LMSs the docker and tutor_local runners meet for real. Standard library only; needs root.

    containers.py up [--dir DIR]      install what is missing, start a private dockerd, build the
                                      image, start the docker runner's container and a Tutor project
    containers.py down [--dir DIR]    remove every container, volume, network, image and the daemon
                                      of DIR, and DIR itself (also after a failed or interrupted up)
    containers.py status [--dir DIR]  say what runs (exit 0) or not (exit 3)
    containers.py env [--dir DIR]     print the `export` lines a shell needs to use them

DIR (default <repo>/.containers, or $CONTAINERS_DIR) holds:
  docker/          the private dockerd: data root, exec root, socket, pid file, log
  docker-config/   DOCKER_CONFIG with the Compose v2 plugin (Debian 13's docker-compose)
  tutor-venv/      the real Tutor CLI (tests/containers/requirements.txt)
  tutor/           TUTOR_ROOT: a Tutor project whose `lms` service runs the stand-in image
  inventory.yml    both LMSs as hosts of the `lms` group, for playbooks/*.yml
The docker runner's LMS is the container edx-provision-lms (port 18110, state on the volume
edx-provision-lms-data); Tutor's is its project's `lms` service (port 18120, state in the project's
data/lms). Both use host networking (the daemon has no bridge) and listen on 127.0.0.1 only.
Downloads (root filesystem, wheels, the Compose .deb) are cached in $CONTAINERS_CACHE
(default ~/.cache/edx-provision/containers) and survive `down`.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import image
from machine import (
    ContainersError,
    Daemon,
    compose_plugin,
    docker_client,
    ensure_packages,
    log,
    processes_naming,
    run,
    unmount_under,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = Path(os.environ.get("CONTAINERS_DIR") or REPO_ROOT / ".containers")
DEFAULT_CACHE = Path(os.environ.get("CONTAINERS_CACHE") or Path.home() / ".cache" / "edx-provision" / "containers")
TUTOR_REQUIREMENTS = Path(__file__).resolve().parent / "requirements.txt"
CONTAINER = "edx-provision-lms"
VOLUME = "edx-provision-lms-data"
DOCKER_PORT = int(os.environ.get("CONTAINERS_DOCKER_PORT") or 18110)
TUTOR_PORT = int(os.environ.get("CONTAINERS_TUTOR_PORT") or 18120)
APP_UID = 1000  # Tutor's `app` user, which its `permissions` service gives the data directories
# Tutor's lms service as the stand-in runs it: host networking (no bridge on this daemon), Tutor's
# settings mounts left out (its rendered settings import edx-platform's modulestore and need MySQL,
# MongoDB, Redis; the image's lms.envs.tutor.production stands for them), the data volume kept.
COMPOSE_OVERRIDE = """\
# Written by tests/containers/containers.py: the stand-in image in place of Open edX's.
services:
  lms:
    network_mode: host
    environment:
      LMS_PORT: "{port}"
    volumes: !override
      - ../../data/lms:/openedx/data:z
"""


class Containers:
    """The private daemon, the images and both container LMSs of one directory."""

    def __init__(self, directory=DEFAULT_DIR, cache=DEFAULT_CACHE, docker_port=DOCKER_PORT, tutor_port=TUTOR_PORT):
        self.dir = Path(directory).resolve()
        self.docker_port = docker_port
        self.tutor_port = tutor_port
        self.cache = Path(cache)
        self.daemon = Daemon(self.dir / "docker")
        self.tutor_root = self.dir / "tutor"
        self.tutor_venv = self.dir / "tutor-venv"
        self.inventory = self.dir / "inventory.yml"

    # ------------------------------------------------------------ how to reach them
    @property
    def env(self):
        """The environment in which docker, docker compose and tutor reach this directory's daemon and project."""
        env = dict(os.environ)
        env.update(
            DOCKER_HOST=self.daemon.host,
            DOCKER_CONFIG=str(self.dir / "docker-config"),
            TUTOR_ROOT=str(self.tutor_root),
            PATH="%s:%s" % (self.tutor_venv / "bin", os.environ.get("PATH", "/usr/bin:/bin")),
        )
        return env

    def env_lines(self):
        return "".join(
            "export %s=%s\n" % (name, self.env[name]) for name in ("DOCKER_HOST", "DOCKER_CONFIG", "TUTOR_ROOT", "PATH")
        )

    def docker(self, *args, check=True, timeout=300, **kwargs):
        return run([docker_client(), *args], check=check, env=self.env, timeout=timeout, **kwargs)

    def tutor(self, *args, check=True, timeout=300, env=None, **kwargs):
        """The Tutor CLI of tutor-venv, in `env` (default: this directory's project and daemon)."""
        tutor = str(self.tutor_venv / "bin" / "tutor")
        return run([tutor, *args], check=check, env=env or self.env, timeout=timeout, **kwargs)

    @staticmethod
    def url(port):
        return "http://127.0.0.1:%d" % port

    @property
    def tutor_data(self):
        """The Tutor project's data/lms on this machine: the lms container's /openedx/data."""
        return self.tutor_root / "data" / "lms"

    def state_dir(self, host):
        """The stand-in's state directory (db.sqlite3, boots.log) of `host` (docker-lms, tutor-lms), on this machine."""
        if host == "tutor-lms":
            return self.tutor_data / "standin"
        mountpoint = self.docker("volume", "inspect", "--format", "{{.Mountpoint}}", VOLUME).stdout.strip()
        return Path(mountpoint) / "standin"

    def boots(self, host):
        """How many LMS starts the container's boots.log (on its volume) records."""
        try:
            return len((self.state_dir(host) / "boots.log").read_text().splitlines())
        except FileNotFoundError:
            return 0

    # ------------------------------------------------------------ up
    def start_lms_containers(self):
        """(Re)start both LMS containers on a running daemon and wait until they answer."""
        self.start_docker_lms()
        self.tutor("local", "dc", "up", "-d", "--no-deps", "lms")
        for port in (self.docker_port, self.tutor_port):
            wait_healthy(self.url(port))

    def up(self):
        if os.geteuid() != 0:
            raise ContainersError("containers need root (apt-get, dockerd); run as root or skip them")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cache.mkdir(parents=True, exist_ok=True)
        ensure_packages()
        compose_plugin(self.cache, self.dir / "docker-config")
        self.daemon.start(self.env)
        image.build(docker_client(), self.env, self.cache, self.pip())
        self.start_docker_lms()
        self.start_tutor_lms()
        self.inventory.write_text(self.inventory_text())
        for port in (self.docker_port, self.tutor_port):
            wait_healthy(self.url(port))
        return self

    @staticmethod
    def pip():
        """The pip that fetches the image's wheels: the project's .venv, else this Python's."""
        venv_pip = REPO_ROOT / ".venv" / "bin" / "pip"
        return str(venv_pip) if venv_pip.exists() else shutil.which("pip3") or "pip3"

    def start_docker_lms(self):
        """The docker runner's LMS: one container, its state on a named volume."""
        if self.docker("ps", "-aq", "--filter", "name=^%s$" % CONTAINER).stdout.strip():
            self.docker("start", CONTAINER)
            return
        log("starting container %s on port %d" % (CONTAINER, self.docker_port))
        self.docker(
            "run", "-d", "--name", CONTAINER, "--network", "host",
            "-e", "LMS_PORT=%d" % self.docker_port,
            "-v", "%s:/openedx/data" % VOLUME,
            image.LMS_IMAGE,
        )  # fmt: skip

    def start_tutor_lms(self):
        """A Tutor project (the real CLI) whose `lms` service runs the stand-in image, started alone."""
        if not (self.tutor_venv / "bin" / "tutor").exists():
            log("installing %s" % TUTOR_REQUIREMENTS.read_text().strip().splitlines()[-1])
            run([sys.executable if sys.prefix == sys.base_prefix else sys.base_prefix + "/bin/python3", "-m", "venv",
                 str(self.tutor_venv)])  # fmt: skip
            run([str(self.tutor_venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                 "-r", str(TUTOR_REQUIREMENTS)])  # fmt: skip
        self.tutor("config", "save", "--set", "DOCKER_IMAGE_OPENEDX=%s" % image.LMS_IMAGE)
        (self.tutor_root / "env" / "local" / "docker-compose.override.yml").write_text(
            COMPOSE_OVERRIDE.format(port=self.tutor_port)
        )
        # What Tutor's `permissions` service does before the lms starts: data owned by `app`.
        self.tutor_data.mkdir(parents=True, exist_ok=True)
        os.chown(self.tutor_data, APP_UID, APP_UID)
        log("starting Tutor's lms service on port %d" % self.tutor_port)
        self.tutor("local", "dc", "up", "-d", "--no-deps", "lms")

    def inventory_text(self):
        common = {
            "ansible_connection": "local",
            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
            "edx_api_access_username": "enrollment-api",
            "edx_api_access_email": "enrollment-api@example.com",
            "edx_api_access_client_secret": "demo-client-secret-for-the-stand-in-only",
        }
        hosts = {
            "docker-lms": {
                "edx_api_access_runner": "docker",
                "edx_api_access_container": CONTAINER,
                "edx_api_access_lms_url": self.url(self.docker_port),
            },
            "tutor-lms": {"edx_api_access_runner": "tutor_local", "edx_api_access_lms_url": self.url(self.tutor_port)},
        }
        header = (
            "---\n# Written by tests/containers/containers.py up: the container LMSs on this machine.\n"
            '# docker, docker compose and tutor reach them with: eval "$(python3 %s env)"\n' % Path(__file__).name
        )
        return header + json.dumps({"lms": {"hosts": hosts, "vars": common}}, indent=2) + "\n"

    # ------------------------------------------------------------ down
    def down(self):
        """Remove everything of this directory; safe to repeat and after a failed up."""
        if self.daemon.pid():
            listed = self.docker("ps", "-aq", check=False).stdout.split()
            if listed:
                self.docker("rm", "-f", *listed, check=False, timeout=120)
            self.docker("volume", "prune", "-f", check=False)
            self.docker("network", "prune", "-f", check=False)
        self.daemon.stop()
        unmount_under(self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)
        leftovers = processes_naming(self.dir)
        if leftovers or self.dir.exists():
            raise ContainersError("down left processes %s or files in %s" % (leftovers, self.dir))

    # ------------------------------------------------------------ status
    def status(self):
        if not self.daemon.pid():
            return "no daemon for %s" % self.dir, False
        lines = [self.docker("ps", "-a", "--format", "{{.Names}}\t{{.Status}}\t{{.Image}}").stdout.strip()]
        ok = True
        for name, port in (("docker runner", self.docker_port), ("tutor_local", self.tutor_port)):
            code = heartbeat(self.url(port))
            ok = ok and code == 200
            lines.append("%s LMS on %s: heartbeat %s" % (name, self.url(port), code))
        return "\n".join(lines), ok


def heartbeat(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url + "/heartbeat", timeout=timeout) as response:  # noqa: S310 (http only)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def wait_healthy(url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if heartbeat(url) == 200:
            return
        time.sleep(0.5)
    raise ContainersError("the container LMS on %s did not answer /heartbeat within %d s" % (url, timeout))


def main(argv):
    parser = argparse.ArgumentParser(prog="containers.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("up", "down", "status", "env"))
    parser.add_argument("--dir", default=str(DEFAULT_DIR))
    args = parser.parse_args(argv)
    containers = Containers(args.dir)
    try:
        if args.action == "up":
            started = time.monotonic()
            containers.up()
            print("containers up in %.0f s: inventory %s" % (time.monotonic() - started, containers.inventory))
            print(containers.status()[0])
        elif args.action == "down":
            containers.down()
            print("containers of %s removed" % containers.dir)
        elif args.action == "env":
            sys.stdout.write(containers.env_lines())
        else:
            text, ok = containers.status()
            print(text)
            return 0 if ok else 3
    except (ContainersError, subprocess.TimeoutExpired) as exc:
        sys.stderr.write("containers.py %s: %s\n" % (args.action, exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
