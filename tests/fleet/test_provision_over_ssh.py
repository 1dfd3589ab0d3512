"""The playbooks against SSH hosts with a native LMS: login user, sudo to edxapp, runner `native`.

What is asserted is what an operator sees (PLAY RECAP, messages) and what the LMS holds afterwards
(its database, and boots.log, where the stand-in records the user of every manage.py start).
"""

import contextlib
import threading
import time
from pathlib import Path


def test_check_mode_writes_nothing_then_provision_converges_reruns_clean_and_verifies(
    fleet, provision, verify, recap, lms_rows
):
    hosts = fleet.hosts
    before = {host["name"]: lms_rows(fleet, host) for host in hosts}
    boots = {host["name"]: len(fleet.boots(host)) for host in hosts}

    check = provision(fleet, "--check", "--diff")
    assert check.rc == 0, check.output[-3000:]
    for host in hosts:
        assert recap(check)[host["name"]]["changed"] > 0, check.stdout[-2000:]
        assert recap(check)[host["name"]]["failed"] == 0
        assert lms_rows(fleet, host) == before[host["name"]], "check mode wrote to " + host["name"]

    first = provision(fleet)
    assert first.rc == 0, first.output[-3000:]
    for host in hosts:
        name = host["name"]
        assert recap(first)[name]["changed"] > 0 and recap(first)[name]["failed"] == 0, first.stdout[-2000:]
        rows = lms_rows(fleet, host)
        assert [u[:3] for u in rows["users"] if u[0] == "enrollment-api"] == [
            ("enrollment-api", "enrollment-api@example.com", 1)
        ]
        assert [a[0] for a in rows["apps"]].count("enrollment-api") == 1
        # The LMS side ran on that host, over SSH and sudo, as the LMS's user: the stand-in says so.
        started = fleet.boots(host)[boots[name] :]
        assert len(started) == 2, "check mode and provision: one LMS start each on " + name
        assert {(b["user"], b["uid"], b["command"]) for b in started} == {
            ("edxapp", str(fleet.state["users"]["edxapp"]), "shell")
        }
        assert "GET %s/api/enrollment/v1/enrollment as enrollment-api" % fleet.lms_url(host) in first.stdout

    converged = {host["name"]: lms_rows(fleet, host) for host in hosts}
    rerun = provision(fleet)
    assert rerun.rc == 0, rerun.output[-3000:]
    for host in hosts:
        assert recap(rerun)[host["name"]]["changed"] == 0, rerun.stdout[-2000:]
        assert recap(rerun)[host["name"]]["failed"] == 0
        rows = lms_rows(fleet, host)
        assert {k: v for k, v in rows.items() if k != "tokens"} == {
            k: v for k, v in converged[host["name"]].items() if k != "tokens"
        }

    checked = verify(fleet)
    assert checked.rc == 0, checked.output[-3000:]
    for host in hosts:
        assert recap(checked)[host["name"]]["failed"] == 0
        assert "%s/api/enrollment/v1/enrollment as enrollment-api with a jwt token answered 200" % fleet.lms_url(
            host
        ) in checked.stdout.replace("\n        ", " ")


def test_no_secret_on_any_command_line_of_controller_or_hosts(fleet, provision, recap, lms_rows):
    """/proc holds the controller's processes and the hosts' (namespaces share one process table)."""
    seen = set()

    def sample(proc):
        def watch():
            while proc.poll() is None:
                for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                    with contextlib.suppress(OSError):  # processes come and go while we read
                        seen.add(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
                time.sleep(0.01)

        threading.Thread(target=watch, daemon=True).start()

    # A new service user and client, so the secret travels to every host during this run.
    run = provision(
        fleet,
        "-e",
        "edx_api_access_username=fleet-cmdline",
        "-e",
        "edx_api_access_email=fleet-cmdline@example.com",
        popen_hook=sample,
    )
    assert run.rc == 0, run.output[-3000:]
    assert all(recap(run)[host["name"]]["changed"] > 0 for host in fleet.hosts)
    assert any("/edx/bin/manage.edxapp lms --settings=production shell -c" in line for line in seen), (
        "the sampler saw the LMS processes on the hosts"
    )
    assert any("sshd" in line for line in seen) and any("sudo" in line for line in seen)
    tokens = [token for host in fleet.hosts for token in lms_rows(fleet, host)["tokens"]]
    assert tokens
    for secret in (fleet.client_secret, *tokens):
        assert secret not in run.output
        assert not [line for line in seen if secret in line]


def test_the_hosts_have_no_python_that_ansible_can_run_modules_with(fleet):
    """What the provision test above ran on: hosts where a module, even ping, cannot run (as on Ginkgo)."""
    import subprocess

    from playbook import BIN, REPO, ansible_env

    proc = subprocess.run(
        [str(BIN / "ansible"), "lms", "-i", str(fleet.inventory), "-m", "ping"],
        capture_output=True,
        text=True,
        env=ansible_env(),
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode != 0, proc.stdout
    for host in fleet.hosts:
        assert "%s | FAILED" % host["name"] in proc.stdout, proc.stdout[-3000:]
    if fleet.old_python():  # its python3 is too old for ansible-core 2.19's module code
        assert proc.stdout.count("SyntaxError") >= len(fleet.hosts), proc.stdout[-3000:]
