"""One broken host fails with a clear message of its own while the other hosts converge.

Each case breaks the last host of the fleet the way a real host breaks, runs provision for a new
service user, checks both hosts' outcomes, and repairs the host (also when the test fails).
"""

import contextlib
import os
import re

import pytest


def _env_file(fleet, host):
    return fleet.host_dir(host) / "edx" / "app" / "edxapp" / "edxapp_env"


@contextlib.contextmanager
def unreadable_env_file(fleet, host):
    path = _env_file(fleet, host)
    os.chown(path, 0, 0)
    os.chmod(path, 0o600)
    try:
        yield
    finally:
        os.chown(path, fleet.state["users"]["edxapp"], fleet.state["users"]["www_gid"])
        os.chmod(path, 0o644)


@contextlib.contextmanager
def missing_python(fleet, host):
    path = fleet.host_dir(host) / "edx" / "bin" / "python.edxapp"
    path.rename(path.with_name("python.edxapp.away"))
    try:
        yield
    finally:
        path.with_name("python.edxapp.away").rename(path)


@contextlib.contextmanager
def sshd_down(fleet, host):
    fleet.stop_sshd(host)
    try:
        yield
    finally:
        fleet.start_sshd(host)
        fleet.wait_ready(host)


@contextlib.contextmanager
def lms_down(fleet, host):
    fleet.stop_lms(host)
    try:
        yield
    finally:
        fleet.start_lms(host)
        fleet.wait_ready(host)


CASES = {
    "unreadable env file": (
        unreadable_env_file,
        "failed",
        r"env_file /edx/app/edxapp/edxapp_env cannot be read as user edxapp \(uid \d+\): "
        r"Permission denied",
    ),
    "missing python.edxapp": (
        missing_python,
        "failed",
        r"/edx/bin/python\.edxapp \(from manage_command\) does not exist or is not executable",
    ),
    "sshd down": (
        sshd_down,
        "unreachable",
        # Ansible's ssh plugin words it "Failed to connect to the host via ssh" or, when the task sends
        # data on stdin (the LMS-side action plugins do), "Data could not be sent to remote host".
        r"(Failed to connect to the host via ssh|Data could not be sent to remote host \"lms\d+\"\. Make sure "
        r"this host can be reached over ssh): ssh: connect to host {address} port 22: Connection refused",
    ),
    "LMS down": (lms_down, "failed", r"Cannot connect to {address}:8000: connection refused"),
}


def fatal_block(stdout, name):
    """The text Ansible printed for host `name`'s failure (from `fatal: [name`, or `failed: [name` for a looped
    task's item, to the next blank line)."""
    match = re.search(r"^(?:fatal|failed): \[%s[^\n]*\n(.*?)(?:\n\n|\Z)" % re.escape(name), stdout, re.S | re.M)
    return re.sub(r"\s+", " ", match.group(1)) if match else None


@pytest.mark.parametrize("case", list(CASES))
def test_a_broken_host_fails_clearly_while_the_others_converge(fleet, provision, recap, lms_rows, case):
    breaker, outcome, message = CASES[case]
    good, bad = fleet.hosts[0], fleet.hosts[-1]
    username = "fleet-" + re.sub(r"\W+", "-", case)
    with breaker(fleet, bad):
        run = provision(
            fleet, "-e", "edx_api_access_username=" + username, "-e", "edx_api_access_email=%s@example.com" % username
        )
    assert run.rc != 0
    summary = recap(run)
    assert summary[good["name"]]["failed"] == 0 and summary[good["name"]]["unreachable"] == 0, run.stdout[-3000:]
    assert summary[good["name"]]["changed"] > 0
    assert username in [user[0] for user in lms_rows(fleet, good)["users"]]
    assert fatal_block(run.stdout, good["name"]) is None
    assert summary[bad["name"]][outcome] == 1, run.stdout[-3000:]
    block = fatal_block(run.stdout, bad["name"])
    assert block is not None, run.stdout[-3000:]
    assert re.search(message.format(address=re.escape(bad["address"])), block), block
