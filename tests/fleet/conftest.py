"""Fixtures for the fleet tests: a fleet of SSH test hosts, playbook runs against it, host state read back.

fleet        a fleet of 2 hosts (tests/fleet/fleet.py), built once per session and removed at
             its end, also when a test or the build itself fails
provision    provision(fleet, *args, popen_hook=None) runs playbooks/provision.yml over SSH
recap        recap(run) -> {host: {"ok": n, "changed": n, "unreachable": n, "failed": n, ...}}
lms_rows     lms_rows(fleet, host) -> every user, application, access and token row of the host's LMS
"""

import contextlib
import os
import re
import sqlite3
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "integration"))
import fleet as fleetlib  # noqa: E402
from playbook import REPO, run_playbook  # noqa: E402


@pytest.fixture(scope="session")
def fleet(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the fleet needs root (network namespaces, mounts, sshd); CI runs as root")
    hosts = fleetlib.Fleet(tmp_path_factory.mktemp("fleet"))
    try:
        hosts.up(size=2)
        yield hosts
    finally:
        recorded = list(hosts.hosts)
        hosts.down()
    # Nothing of the fleet outlives it: no namespace, no process that names its directory, no file.
    assert not [h["netns"] for h in recorded if Path("/run/netns", h["netns"]).exists()]
    assert not _processes_naming(hosts.dir)
    assert not hosts.dir.exists()


def _processes_naming(directory):
    found = []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if str(directory) in entry.read_bytes().decode(errors="replace"):
                found.append(entry.parent.name)
    return found


def playbook(fleet, name, *args, popen_hook=None):
    return run_playbook(REPO / "playbooks" / name, args=args, inventory=fleet.inventory, popen_hook=popen_hook)


@pytest.fixture
def provision():
    return lambda fleet, *args, **kwargs: playbook(fleet, "provision.yml", *args, **kwargs)


@pytest.fixture
def verify():
    return lambda fleet, *args, **kwargs: playbook(fleet, "verify.yml", *args, **kwargs)


def parse_recap(stdout):
    recap = {}
    for line in stdout.split("PLAY RECAP", 1)[-1].splitlines():
        match = re.match(r"^(\S+)\s+:\s+(.*)$", line.strip())
        if match:
            recap[match.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(2))}
    return recap


@pytest.fixture
def recap():
    return lambda run: parse_recap(run.stdout)


def read_rows(fleet, host):
    """Users, applications, access rows and tokens of a host's LMS, read from its database file."""
    path = fleet.lms_state_dir(host) / "db.sqlite3"
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % path, uri=True)) as db:
        return {
            "users": db.execute("SELECT username, email, is_staff, password FROM auth_user ORDER BY id").fetchall(),
            "apps": db.execute(
                "SELECT client_id, name, user_id, client_secret, authorization_grant_type "
                "FROM oauth2_provider_application ORDER BY id"
            ).fetchall(),
            "access": db.execute(
                "SELECT application_id, scopes FROM oauth_dispatch_applicationaccess ORDER BY id"
            ).fetchall(),
            "tokens": [row[0] for row in db.execute("SELECT token FROM oauth2_provider_accesstoken ORDER BY id")],
        }


@pytest.fixture
def lms_rows():
    return read_rows
