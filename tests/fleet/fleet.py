#!/usr/bin/env python3
"""
A fleet of SSH test hosts, each a native Open edX LMS host, on this machine. Standard library only.

    fleet.py up [--size N] [--dir DIR] [--boot-delay S]   build N hosts, write DIR/inventory.yml
    fleet.py down [--dir DIR]                             remove everything DIR/state.json records
    fleet.py down --all                                   the same for every fleet on this machine
    fleet.py status [--dir DIR]                           list the hosts and whether they answer

Each host is a network namespace with one end of a veth pair and a /30 from a documentation
range (RFC 5737; TEST-NET-1 can be the machine's own uplink, so it is not used), plus a mount and
UTS namespace of its own holding what a native install has: /edx/bin/python.edxapp,
/edx/bin/manage.edxapp, /edx/app/edxapp/edx-platform (the stand-in LMS, read-only),
/edx/app/edxapp/venvs/edxapp (the project's virtualenv, read-only),
/edx/app/edxapp/edxapp_env (owned by edxapp, group www-data, 0644, as configuration leaves it),
users edxapp and www-data, and a login user with key-only SSH that may sudo to edxapp and
www-data (nothing else). The host runs its own sshd and its own stand-in LMS (gunicorn as edxapp)
on its address. Users, sudoers, /etc/ssh, /home, /run and /tmp are the host's own bind mounts
and tmpfs, so nothing on the controller changes except an empty /edx mount point.
Like a Ginkgo host (Ubuntu 16.04: Python 3.5, the LMS on 2.7), a host has no Python that Ansible
can run modules with: its /usr/bin/python3 is the oldest Python older than 3.8 found under pyenv
(or none at all); the LMS's own Python is the only other.

fleet_hostfiles.py writes the hosts' files, fleet_machine.py holds what fleets share on the machine
(the registry of address slots, packages, process helpers); this file builds and removes hosts.

Every step is recorded in DIR/state.json before it is taken, so `down` removes every namespace,
veth, process and file also after a failed or interrupted `up`, and may be run any number of times.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from fleet_hostfiles import (
    LMS_PORT,
    LMS_STATE,
    LMS_USER,
    LMS_VENV,
    env_file_text,
    host_users,
    inventory_text,
    lms_url,
    ssh_client_files,
    write_host_files,
)
from fleet_machine import (
    EDX_MOUNT_POINT,
    NETWORKS,
    PACKAGES,
    REGISTRY,
    FleetError,
    addresses_in_use,
    alive,
    ensure_packages,
    in_netns,
    log,
    registered_fleets,
    registry_lock,
    run,
    slot_addresses,
    stop_pid,
    used_slots,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
PYENV_VERSIONS = Path.home() / ".pyenv" / "versions"
STANDIN_ROOT = REPO_ROOT / "tests" / "lms"
DEFAULT_DIR = REPO_ROOT / ".fleet"
SSHD = "/usr/sbin/sshd"
__all__ = ["NETWORKS", "Fleet", "FleetError", "slot_addresses"]


class Fleet:
    """The fleet whose state lives in `directory` (state.json, inventory.yml, one dir per host)."""

    def __init__(self, directory=DEFAULT_DIR):
        self.dir = Path(directory).resolve()
        self.state_path = self.dir / "state.json"
        self.state = self._load()

    # ------------------------------------------------ state
    def _load(self):
        try:
            return json.loads(self.state_path.read_text())
        except (FileNotFoundError, ValueError):
            return None

    def _save(self):
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=1) + "\n")
        os.replace(tmp, self.state_path)

    @property
    def hosts(self):
        return self.state["hosts"] if self.state else []

    @property
    def inventory(self):
        return self.dir / "inventory.yml"

    @property
    def control_dir(self):
        """Where Ansible's SSH connection masters for this fleet keep their sockets."""
        return self.dir / "cp"

    @property
    def client_secret(self):
        return self.state["client_secret"]

    def host(self, name):
        return next(host for host in self.hosts if host["name"] == name)

    def host_dir(self, host):
        return self.dir / "hosts" / host["name"]

    def lms_state_dir(self, host):
        """The host's stand-in state directory (db.sqlite3, boots.log) as seen from the controller."""
        return self.host_dir(host) / Path(LMS_STATE).relative_to("/")

    def boots(self, host):
        """boots.log lines of the host's LMS: [{'pid', 'command', 'uid', 'user'}, ...]."""
        try:
            text = (self.lms_state_dir(host) / "boots.log").read_text()
        except FileNotFoundError:
            return []
        return [dict(field.split("=", 1) for field in line.split()[1:] if "=" in field) for line in text.splitlines()]

    # ------------------------------------------------ up
    def up(self, size=3, boot_delay=0.0, settings="production"):
        if os.geteuid() != 0:
            raise FleetError("fleet up needs root (network namespaces, mounts, sshd); run it as root")
        if self.state and self.state.get("complete") and len(self.hosts) == size and self.healthy():
            log("fleet of %d already up in %s" % (size, self.dir))
            return self
        if self.state:
            log("removing the earlier fleet recorded in %s first" % self.state_path)
            self.down()
        ensure_packages()
        for command in ("ip", "unshare", "nsenter", "setpriv", "ssh", "ssh-keygen", SSHD):
            if not shutil.which(command):
                raise FleetError(
                    "`%s` is not installed; install it (apt-get install %s)"
                    % (command, PACKAGES.get(os.path.basename(command), "util-linux openssh-client"))
                )
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)  # the client key and the inventory's secret; hosts see bind mounts only
        self.state = {
            "hosts": [],
            "complete": False,
            "client_secret": secrets.token_hex(24),
            "users": host_users(),
            "boot_delay": boot_delay,
            "settings": settings,
        }
        self._save()
        self._register(size)
        self._client_key()
        self._template_db()
        for host in self.hosts:
            self._build_host(host)
        for host in self.hosts:
            self._start_services(host)
        for host in self.hosts:
            self.wait_ready(host)
        self._write_client_files()
        self.state["complete"] = True
        self._save()
        log("fleet of %d up: inventory %s" % (size, self.inventory))
        return self

    def _register(self, size):
        fleet_id = "fleet-%s" % secrets.token_hex(4)
        with registry_lock():
            used, in_use = used_slots(), addresses_in_use()
            slots = []
            for slot in range(64 * len(NETWORKS)):
                leftover = Path("/run/netns/edxf%d" % slot).exists() or Path("/sys/class/net/edxf%d" % slot).exists()
                if slot not in used and not leftover and not set(slot_addresses(slot)) & in_use:
                    slots.append(slot)
                if len(slots) == size:
                    break
            if len(slots) < size:
                raise FleetError(
                    "only %d free address slots for %d hosts; make fleet-down other fleets" % (len(slots), size)
                )
            for index, slot in enumerate(slots, start=1):
                gateway, address = slot_addresses(slot)
                self.state["hosts"].append(
                    {
                        "name": "lms%d" % index,
                        "slot": slot,
                        "netns": "edxf%d" % slot,
                        "veth": "edxf%d" % slot,
                        "gateway": gateway,
                        "address": address,
                    }
                )
            self.state["fleet_id"] = fleet_id
            if not EDX_MOUNT_POINT.exists():
                EDX_MOUNT_POINT.mkdir(mode=0o755)
                (REGISTRY / ".created-edx").write_text("edx-provision fleet made /edx as a mount point\n")
            self._save()
            (REGISTRY / fleet_id).write_text(str(self.state_path) + "\n")

    def _client_key(self):
        key = self.dir / "id_ed25519"
        if not key.exists():
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "edx-provision-fleet", "-f", str(key)])

    def _template_db(self):
        """A migrated, seeded database every host starts from (copied; keys are made per host)."""
        template = self.dir / "template"
        template.mkdir(exist_ok=True)
        env = dict(os.environ, LMS_STATE_DIR=str(template), DJANGO_SETTINGS_MODULE="lms.envs.production")
        run([self.lms_python(), "-m", "lms.setup_state"], cwd=str(STANDIN_ROOT), env=env, timeout=300)

    @staticmethod
    def lms_python():
        """The virtualenv the stand-in runs from (this one, or the repository's .venv)."""
        if sys.prefix != sys.base_prefix:
            return str(Path(sys.prefix) / "bin" / "python")
        return str(REPO_ROOT / ".venv" / "bin" / "python")

    # ------------------------------------------------ one host
    def _build_host(self, host):
        self._write_host_files(host)
        self._network(host)
        self._anchor(host)
        self._mounts(host)

    def _write_host_files(self, host):
        write_host_files(
            self.host_dir(host),
            host,
            self.state["users"],
            self.env_file_text(host),
            self.dir / "id_ed25519.pub",
            self.dir / "template" / "db.sqlite3",
        )

    def env_file_text(self, host):
        return env_file_text(host, self.state["settings"], self.state["boot_delay"])

    @staticmethod
    def lms_url(host):
        return lms_url(host)

    def _network(self, host):
        ns, veth = host["netns"], host["veth"]
        run(["ip", "netns", "add", ns])
        run(["ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "h"])
        run(["ip", "link", "set", veth + "h", "netns", ns])
        run(["ip", "addr", "add", host["gateway"] + "/30", "dev", veth])
        run(["ip", "link", "set", veth, "up"])
        for argv in (
            ["ip", "link", "set", veth + "h", "name", "eth0"],
            ["ip", "addr", "add", host["address"] + "/30", "dev", "eth0"],
            ["ip", "link", "set", "eth0", "up"],
            ["ip", "link", "set", "lo", "up"],
        ):
            run(["ip", "netns", "exec", ns, *argv])

    def _anchor(self, host):
        """A process that holds the host's mount and UTS namespaces (inside its network namespace)."""
        proc = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                host["netns"],
                "unshare",
                "--mount",
                "--uts",
                "--propagation",
                "private",
                "--",
                "sleep",
                "infinity",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        host["anchor"] = proc.pid
        self._save()
        own = os.readlink("/proc/self/ns/mnt")
        for _ in range(100):
            with contextlib.suppress(OSError):
                if (
                    Path("/proc/%d/comm" % proc.pid).read_text().strip() == "sleep"
                    and os.readlink("/proc/%d/ns/mnt" % proc.pid) != own
                ):
                    return
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        raise FleetError("the namespace holder of %s did not start" % host["name"])

    def enter(self, host):
        """argv prefix that runs a command inside the host (its network, mount and UTS namespaces)."""
        return ["nsenter", "-t", str(host["anchor"]), "-m", "-u", "-n", "--wd=/", "--"]

    def host_run(self, host, argv, check=True, **kwargs):
        return run(self.enter(host) + list(argv), check=check, **kwargs)

    def _mounts(self, host):
        root = self.host_dir(host)
        steps = [
            ["hostname", host["name"]],
            ["mount", "--bind", str(root / "edx"), "/edx"],
            ["mount", "--bind", str(STANDIN_ROOT), "/edx/app/edxapp/edx-platform"],
            ["mount", "-o", "remount,bind,ro", "/edx/app/edxapp/edx-platform"],
            ["mount", "--bind", os.path.realpath(Path(self.lms_python()).parent.parent), LMS_VENV],
            ["mount", "-o", "remount,bind,ro", LMS_VENV],
        ]
        for name in ("passwd", "group", "shadow", "hosts", "sudoers.d", "ssh"):
            steps.append(["mount", "--bind", str(root / "etc" / name), "/etc/" + name])
        steps.append(["mount", "--bind", str(root / "home"), "/home"])
        steps += self._old_python_steps(root)
        steps += self._expose_steps(root)
        steps += [
            ["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"],
            ["mkdir", "-m", "0755", "/run/sshd"],
            ["mount", "-t", "tmpfs", "-o", "mode=1777", "tmpfs", "/tmp"],
        ]
        for argv in steps:
            self.host_run(host, argv)

    @staticmethod
    def old_python():
        """The oldest pyenv Python older than 3.8 (a Ginkgo host has 3.5), or None."""
        found = sorted(
            (tuple(int(part) for part in path.name.split(".")[:2]), path)
            for path in PYENV_VERSIONS.glob("3.[0-7].*")
            if (path / "bin" / "python3").exists()
        )
        return str(found[0][1] / "bin" / "python3") if found else None

    def _old_python_steps(self, root):
        """/usr/bin/python3 inside the host: a Python too old for Ansible's modules, or none."""
        system = Path("/usr/bin/python3")
        if not system.exists() or os.path.realpath(system) == os.path.realpath(self.lms_python()):
            return []  # (the LMS's own Python stays)
        old = self.old_python()
        wrapper = root / "python3"
        wrapper.write_text(
            "#!/bin/sh\n"
            + ('exec %s "$@"\n' % old if old else 'echo "python3: not installed on this host" >&2; exit 127\n')
        )
        wrapper.chmod(0o755)
        return [["mount", "--bind", str(wrapper), os.path.realpath(system)]]

    def _expose_steps(self, root):
        """Make the LMS's base Python reachable for edxapp when it lives under a private directory.

        A virtualenv made from an interpreter under /root (mode 0700) cannot run as edxapp. Inside the host
        only, each private directory on the way is replaced by a tmpfs into which just the needed
        subdirectories are moved back, top-down, so deeper private directories get the same.
        """
        targets = {Path(os.path.realpath(self.lms_python()))}  # the venv itself is bind-mounted at LMS_VENV
        if self.old_python():
            targets.add(Path(os.path.realpath(self.old_python())))
        needed = {}  # private directory -> the children of it that lead to a target
        for target in targets:
            parts = target.parts
            for depth in range(2, len(parts)):
                directory = Path(*parts[:depth])
                if not os.stat(directory).st_mode & stat.S_IXOTH:
                    needed.setdefault(directory, set()).add(Path(*parts[: depth + 1]))
        steps = []
        for number, private in enumerate(sorted(needed, key=lambda path: len(path.parts))):
            holders = []
            for index, child in enumerate(sorted(needed[private])):
                holder = root / "mnt" / ("expose-%d-%d" % (number, index))
                holder.mkdir(parents=True, exist_ok=True)
                holders.append((holder, child))
                steps.append(["mount", "--bind", str(child), str(holder)])
            steps.append(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", str(private)])
            for holder, child in holders:
                steps += [["mkdir", str(child)], ["mount", "--move", str(holder), str(child)]]
        return steps

    def _start_services(self, host):
        self.start_sshd(host)
        self.start_lms(host)

    def start_lms(self, host):
        """Start the host's stand-in LMS server (gunicorn, as edxapp) on the host's address."""
        lms_id, root = self.state["users"][LMS_USER], self.host_dir(host)
        env = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": "/edx/app/edxapp",
            "PYTHONUNBUFFERED": "1",
            "LMS_STATE_DIR": LMS_STATE,
            "LMS_ROOT_URL": self.lms_url(host),
            "LMS_PORT": str(LMS_PORT),
            "DJANGO_SETTINGS_MODULE": "lms.envs." + self.state["settings"],
        }
        argv = self.enter(host) + [
            "env",
            "--chdir=/edx/app/edxapp/edx-platform",
            "setpriv",
            "--reuid=%d" % lms_id,
            "--regid=%d" % lms_id,
            "--clear-groups",
            "--",
            "/edx/bin/python.edxapp",
            "-m",
            "gunicorn",
            "lms.wsgi:application",
            "--bind",
            "%s:%d" % (host["address"], LMS_PORT),
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
            "--access-logfile",
            "-",
        ]
        with open(root / "log" / "lms.log", "ab") as out:
            host["lms"] = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            ).pid
        self._save()

    def stop_lms(self, host):
        stop_pid(host.get("lms"))

    def stop_sshd(self, host):
        """Stop the host's sshd and every session it serves (connection masters lose theirs too)."""
        stop_pid(host.get("sshd"))
        for pid in run(["ip", "netns", "pids", host["netns"]], check=False).stdout.split():
            with contextlib.suppress(OSError):
                if Path("/proc/%s/comm" % pid).read_text().strip() == "sshd":
                    stop_pid(int(pid))

    def start_sshd(self, host):
        with open(self.host_dir(host) / "log" / "sshd.log", "ab") as out:
            host["sshd"] = subprocess.Popen(
                self.enter(host) + [SSHD, "-D", "-e"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            ).pid
        self._save()

    def wait_ready(self, host, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.port_open(host, 22) and self.heartbeat(host) == 200:
                return
            for service in ("sshd", "lms"):
                if not alive(host.get(service)):
                    raise FleetError(
                        "%s's %s exited; see %s"
                        % (host["name"], service, self.host_dir(host) / "log" / (service + ".log"))
                    )
            time.sleep(0.2)
        raise FleetError(
            "%s did not answer on ssh and %s/heartbeat within %d s; logs in %s"
            % (host["name"], self.lms_url(host), timeout, self.host_dir(host) / "log")
        )

    @staticmethod
    def port_open(host, port):
        with contextlib.suppress(OSError), socket.create_connection((host["address"], port), timeout=1):
            return True
        return False

    def heartbeat(self, host):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
        try:
            with opener.open(self.lms_url(host) + "/heartbeat", timeout=2) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, OSError):
            return None

    def healthy(self):
        return all(
            alive(host.get("anchor")) and self.port_open(host, 22) and self.heartbeat(host) == 200
            for host in self.hosts
        )

    # ------------------------------------------------ controller-side files
    def _write_client_files(self):
        keys = {host["name"]: self.host_dir(host) / "etc" / "ssh" / "ssh_host_ed25519_key.pub" for host in self.hosts}
        known, config = ssh_client_files(self.hosts, keys, self.dir / "id_ed25519", self.dir)
        (self.dir / "known_hosts").write_text(known)
        (self.dir / "ssh_config").write_text(config)
        self.inventory.write_text(self.inventory_text())
        os.chmod(self.inventory, 0o600)

    def inventory_text(self):
        return inventory_text(self.hosts, self.dir / "ssh_config", self.control_dir, self.client_secret)

    # ------------------------------------------------ down
    def down(self):
        """Remove every namespace, veth, process, mount and file this fleet recorded. Idempotent."""
        state = self.state or {}
        for host in state.get("hosts", []):
            self._remove_host(host)
        self._stop_connection_masters()
        fleet_id = state.get("fleet_id")
        if REGISTRY.exists():
            with registry_lock():
                if fleet_id:
                    with contextlib.suppress(FileNotFoundError):
                        (REGISTRY / fleet_id).unlink()
                for path, other in registered_fleets().items():
                    if path == str(self.state_path):
                        (REGISTRY / other).unlink()
                if not registered_fleets():
                    marker = REGISTRY / ".created-edx"
                    if marker.exists():
                        with contextlib.suppress(OSError):
                            EDX_MOUNT_POINT.rmdir()  # only while empty
                        marker.unlink()
                    shutil.rmtree(REGISTRY, ignore_errors=True)
        if self.dir.exists():
            mounted = [
                line.split()[4]
                for line in Path("/proc/self/mountinfo").read_text().splitlines()
                if line.split()[4].startswith(str(self.dir) + "/")
            ]
            if mounted:
                raise FleetError("refusing to delete %s: %s are mounted here" % (self.dir, ", ".join(mounted)))
            shutil.rmtree(self.dir)
        self.state = None
        return self

    def _stop_connection_masters(self):
        """End the controller's SSH connection masters (ControlPersist) whose sockets live in this fleet."""
        marker = str(self.control_dir) + "/"
        for entry in Path("/proc").glob("[0-9]*/cmdline"):
            with contextlib.suppress(OSError, ValueError):
                # A master retitles itself "ssh: <control path> [mux]".
                if (entry.parent / "comm").read_text().strip() == "ssh" and marker in entry.read_bytes().decode(
                    errors="replace"
                ):
                    stop_pid(int(entry.parent.name))

    def _remove_host(self, host):
        ns = host["netns"]
        if Path("/run/netns", ns).exists():
            for _ in range(3):
                pids = [int(pid) for pid in run(["ip", "netns", "pids", ns], check=False).stdout.split()]
                if not pids:
                    break
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    for pid in pids:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(pid, sig)
                    for _ in range(40):
                        if not any(alive(pid) for pid in pids):
                            break
                        time.sleep(0.05)
            run(["ip", "netns", "del", ns], check=False)
        # Recorded processes outside the netns (a holder that had not entered it yet).
        for key in ("anchor", "sshd", "lms"):
            pid = host.get(key)
            if pid and alive(pid) and in_netns(pid, ns):
                stop_pid(pid)
        for _ in range(50):  # the veth goes with the namespace, a little later
            if run(["ip", "link", "show", host["veth"]], check=False).returncode != 0:
                break
            time.sleep(0.1)
        else:
            run(["ip", "link", "del", host["veth"]], check=False)

    def status(self):
        if not self.hosts:
            return "no fleet recorded in %s" % self.dir
        lines = []
        for host in self.hosts:
            lines.append(
                "%s %s ssh:%s lms:%s"
                % (
                    host["name"],
                    host["address"],
                    "up" if self.port_open(host, 22) else "down",
                    self.heartbeat(host) or "down",
                )
            )
        return "\n".join(lines)


def main(argv):
    parser = argparse.ArgumentParser(prog="fleet.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("up", "down", "status"))
    parser.add_argument("--dir", default=os.environ.get("FLEET_DIR") or str(DEFAULT_DIR))
    parser.add_argument("--size", type=int, default=int(os.environ.get("FLEET_SIZE") or 3))
    parser.add_argument("--boot-delay", type=float, default=float(os.environ.get("LMS_BOOT_DELAY") or 0))
    parser.add_argument(
        "--all", action="store_true", help="down: every fleet registered on this machine (e.g. a killed test run's)"
    )
    args = parser.parse_args(argv)
    if args.action == "down" and args.all:
        paths = list(registered_fleets()) if REGISTRY.exists() else []
        for path in paths:
            Fleet(Path(path).parent).down()
            print("fleet of %s removed" % Path(path).parent)
        return 0
    fleet = Fleet(args.dir)
    try:
        if args.action == "up":
            if not 1 <= args.size <= 64 * len(NETWORKS):
                raise FleetError("FLEET_SIZE must be between 1 and %d" % (64 * len(NETWORKS)))
            fleet.up(args.size, args.boot_delay)
            print(fleet.status())
        elif args.action == "down":
            fleet.down()
            print("fleet of %s removed" % args.dir)
        else:
            print(fleet.status())
    except FleetError as exc:
        sys.stderr.write("fleet %s: %s\n" % (args.action, exc))
        if args.action == "up":
            sys.stderr.write(
                "fleet up: the partial fleet stays recorded in %s; `make fleet-down` removes it\n" % fleet.state_path
            )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
