"""What fleets share on this machine: commands, packages, the registry of fleets and address slots, processes.

Every fleet registers in /run/edx-fleet (one file per fleet naming its state file) under a lock, so
fleets built side by side (a developer's and the tests') never pick the same addresses, and the
last one removed also removes the /edx mount point if a fleet made it.
"""

import contextlib
import fcntl
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REGISTRY = Path("/run/edx-fleet")
EDX_MOUNT_POINT = Path("/edx")
NETWORKS = ("198.51.100.0/24", "203.0.113.0/24")  # TEST-NET-2, TEST-NET-3: 128 hosts of a /30 each
PACKAGES = {"sshd": "openssh-server", "sudo": "sudo", "ip": "iproute2", "setpriv": "util-linux"}


class FleetError(RuntimeError):
    """The fleet could not be built or removed; the message says why and what to do."""


def log(message):
    sys.stderr.write("fleet: %s\n" % message)
    sys.stderr.flush()


def run(argv, check=True, **kwargs):
    """Run a command, raising FleetError with its output when it fails and `check` is set."""
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise FleetError(
            "%s failed (exit %d): %s"
            % (" ".join(map(str, argv)), result.returncode, (result.stderr or result.stdout).strip())
        )
    return result


# ---------------------------------------------------------------- packages
def ensure_packages():
    """Install openssh-server, sudo, iproute2 with apt-get when their commands are missing."""
    missing = sorted(
        {pkg for cmd, pkg in PACKAGES.items() if not shutil.which(cmd) and not Path("/usr/sbin", cmd).exists()}
    )
    if not missing:
        return
    log("installing %s with apt-get" % " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # No init system here: keep the package scripts from starting the machine's own sshd.
    policy = Path("/usr/sbin/policy-rc.d")
    made_policy = not policy.exists()
    if made_policy:
        policy.write_text("#!/bin/sh\n# edx-provision fleet: installing packages, start no services\nexit 101\n")
        policy.chmod(0o755)
    try:
        run(["apt-get", "update", "-q"], env=env)
        run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=env)
    finally:
        if made_policy:
            policy.unlink()


# ---------------------------------------------------------------- registry (shared by fleets)
@contextlib.contextmanager
def registry_lock():
    """Exclusive access to the registry; retried when the last fleet's `down` removed it meanwhile."""
    while True:
        REGISTRY.mkdir(mode=0o755, exist_ok=True)
        try:
            handle = open(REGISTRY / ".lock", "w")  # noqa: SIM115 (held across the yield)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                current = os.stat(REGISTRY / ".lock").st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                current = False
            if current:
                yield
                return
        finally:
            handle.close()


def registered_fleets():
    """{state file path: fleet id} of every fleet registered on this machine.

    An entry whose state file is gone (its directory was deleted without `down`) is dropped.
    """
    result = {}
    for entry in REGISTRY.glob("fleet-*"):
        with contextlib.suppress(OSError):
            path = entry.read_text().strip()
            if Path(path).exists():
                result[path] = entry.name
            else:
                entry.unlink()
    return result


def used_slots():
    used = set()
    for state_path in registered_fleets():
        with contextlib.suppress(OSError, ValueError):
            used.update(host["slot"] for host in json.loads(Path(state_path).read_text())["hosts"])
    return used


def slot_addresses(slot):
    """(controller address, host address) of address slot `slot`: the 1st and 2nd of a /30."""
    network = ipaddress.ip_network(NETWORKS[slot // 64])
    base = network.network_address + (slot % 64) * 4
    return str(base + 1), str(base + 2)


def addresses_in_use():
    output = run(["ip", "-4", "-o", "addr", "show"], check=False).stdout
    return {field.split("/")[0] for line in output.splitlines() for field in line.split()[3:4]}


# ---------------------------------------------------------------- processes
def alive(pid):
    """Is `pid` a live process (not gone, not a zombie)?"""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError, IndexError):
        if Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def in_netns(pid, ns):
    """Was `pid` started for this host (its command line names the namespace, or it is inside it)?"""
    with contextlib.suppress(OSError):
        if os.stat("/proc/%d/ns/net" % pid).st_ino == os.stat("/run/netns/" + ns).st_ino:
            return True
    with contextlib.suppress(OSError):
        return ns in Path("/proc/%d/cmdline" % pid).read_bytes().decode(errors="replace").split("\0")
    return False


def stop_pid(pid):
    """SIGTERM, then SIGKILL after 5 s."""
    if not pid:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
