"""What the container tests need on this machine: Debian's packages, the Compose plugin, a private dockerd.

Standard library only. Needs root (apt-get, dockerd). Nothing here touches the machine's own Docker
setup: the daemon has its own data root, socket and pid file under the containers directory, no
iptables rules and no default bridge, and the Compose plugin lives in a DOCKER_CONFIG of its own.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

# command -> Debian 12 package that provides it
PACKAGES = {"dockerd": "docker.io", "debootstrap": "debootstrap", "dpkg-deb": "dpkg"}
# Compose v2 is not in Debian 12; Debian 13's package is one self-contained plugin binary.
COMPOSE_SUITE = "trixie"
COMPOSE_PACKAGE = "docker-compose"
MIRROR = "http://deb.debian.org/debian"


class ContainersError(RuntimeError):
    """A step of containers up/down failed; the message says which and what to do."""


def log(message):
    sys.stderr.write("containers: %s\n" % message)
    sys.stderr.flush()


def run(argv, check=True, env=None, timeout=900, **kwargs):
    """Run argv, capture its output; a failure raises ContainersError with the output's tail."""
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise ContainersError(
            "%s failed (exit %d):\n%s"
            % (" ".join(argv[:4]), result.returncode, (result.stderr + result.stdout)[-3000:])
        )
    return result


def ensure_packages():
    """Install the Debian packages whose commands are missing (root only)."""
    missing = sorted({pkg for cmd, pkg in PACKAGES.items() if not shutil.which(cmd)})
    if not missing:
        return
    log("installing %s from Debian's packages" % ", ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if run(["apt-get", "install", "-y", "-q", *missing], check=False, env=env).returncode != 0:
        run(["apt-get", "update", "-q"], env=env)
        run(["apt-get", "install", "-y", "-q", *missing], env=env)


def docker_client():
    """The docker CLI to use: the first on PATH (a newer client talks to dockerd 20.10 at its API version)."""
    found = shutil.which("docker")
    if not found:
        raise ContainersError("no docker command on PATH after installing docker.io")
    return found


def compose_plugin(cache, config_dir):
    """Put Debian 13's docker-compose plugin into config_dir/cli-plugins (DOCKER_CONFIG), from a .deb
    fetched through apt with a private source list and state, so the machine's apt setup is untouched."""
    target = Path(config_dir) / "cli-plugins" / "docker-compose"
    if target.exists():
        return target
    cache = Path(cache)
    debs = sorted(cache.glob("docker-compose_*.deb"))
    if not debs:
        apt = cache / "apt"
        for sub in ("lists/partial", "cache/archives/partial", "etc"):
            (apt / sub).mkdir(parents=True, exist_ok=True)
        sources = apt / "etc" / "compose.sources"
        sources.write_text(
            "Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n" % (MIRROR, COMPOSE_SUITE)
        )
        options = [
            "-o", "Dir::Etc::sourcelist=%s" % sources,
            "-o", "Dir::Etc::sourceparts=-",
            "-o", "Dir::State::Lists=%s" % (apt / "lists"),
            "-o", "Dir::Cache=%s" % (apt / "cache"),
            "-o", "Dir::State::status=/dev/null",
            "-o", "APT::Sandbox::User=root",
        ]  # fmt: skip
        log("fetching %s from Debian %s" % (COMPOSE_PACKAGE, COMPOSE_SUITE))
        run(["apt-get", "-q", *options, "update"])
        run(["apt-get", "-q", *options, "download", COMPOSE_PACKAGE], cwd=str(cache))
        debs = sorted(cache.glob("docker-compose_*.deb"))
        if not debs:
            raise ContainersError("apt-get download %s left no .deb in %s" % (COMPOSE_PACKAGE, cache))
    extracted = cache / "compose-extracted"
    shutil.rmtree(extracted, ignore_errors=True)
    run(["dpkg-deb", "-x", str(debs[-1]), str(extracted)])
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(extracted / "usr/libexec/docker/cli-plugins/docker-compose", target)
    shutil.rmtree(extracted, ignore_errors=True)
    return target


class Daemon:
    """A private dockerd: data root, exec root, socket, pid file and log all under `directory`."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.socket = self.dir / "docker.sock"
        self.pid_file = self.dir / "dockerd.pid"
        self.log_file = self.dir / "dockerd.log"

    @property
    def host(self):
        return "unix://%s" % self.socket

    def pid(self):
        with contextlib.suppress(OSError, ValueError):
            pid = int(self.pid_file.read_text().strip())
            if Path("/proc/%d" % pid).exists():
                return pid
        return None

    def start(self, env, timeout=60):
        if self.pid():
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        argv = [
            shutil.which("dockerd") or "/usr/sbin/dockerd",
            "--data-root", str(self.dir / "data"),
            "--exec-root", str(self.dir / "exec"),
            "--pidfile", str(self.pid_file),
            "--host", self.host,
            "--iptables=false",
            "--ip-masq=false",
            "--bridge=none",
        ]  # fmt: skip
        with open(self.log_file, "ab") as out:
            subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if run([docker_client(), "info", "--format", "{{.ServerVersion}}"], check=False, env=env).returncode == 0:
                return
            time.sleep(0.5)
        raise ContainersError(
            "dockerd did not answer on %s within %d s; its log:\n%s"
            % (
                self.socket,
                timeout,
                self.log_file.read_text(errors="replace")[-3000:] if self.log_file.exists() else "",
            )
        )

    def stop(self, timeout=30):
        """SIGTERM the daemon (it stops its containers and containerd), then SIGKILL whatever is left."""
        pid = self.pid()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and Path("/proc/%d" % pid).exists():
                time.sleep(0.2)
        for leftover in processes_naming(self.dir):
            with contextlib.suppress(ProcessLookupError):
                os.kill(leftover, signal.SIGKILL)


def processes_naming(directory):
    """Pids whose command line names `directory` (the daemon, containerd and its shims)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if str(directory) in entry.read_bytes().decode(errors="replace"):
                found.append(int(entry.parent.name))
    return [pid for pid in found if pid != os.getpid()]


def unmount_under(directory):
    """Unmount every mount below `directory` (overlay layers, shm, netns), deepest first."""
    prefix = str(Path(directory)) + "/"
    with open("/proc/self/mounts") as mounts:
        points = [line.split()[1].encode().decode("unicode_escape") for line in mounts]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)
