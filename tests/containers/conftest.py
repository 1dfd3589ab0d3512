"""Fixtures for the container tests: a private dockerd, the stand-in image, the docker runner's
container and a Tutor project driven by the real `tutor` CLI (tests/containers/containers.py).

containers   built once per session in a temporary directory, on ports of its own, and removed at
             the end, also when a test or the build fails. Needs root; CI runs as root, and there a
             missing root is a failure rather than a skip.
play         play(containers, playbook, host, *args, popen_hook=None) runs playbooks/<playbook>.yml
             against one of the hosts docker-lms (docker runner) and tutor-lms (tutor_local runner)
module_play  module_play(containers, host, task) runs one task against that host's runner options
lms_rows     lms_rows(containers, host) -> users, applications and tokens in the container's database
"""

import contextlib
import os
import sqlite3
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "integration"))
sys.path.insert(0, str(HERE.parent / "lms"))
import containers as containerlib  # noqa: E402
from control import free_port  # noqa: E402
from machine import processes_naming  # noqa: E402
from playbook import BIN, REPO, run_playbook  # noqa: E402

HOSTS = ("docker-lms", "tutor-lms")
RUNNERS = {
    "docker-lms": {"runner": "docker", "container": containerlib.CONTAINER},
    "tutor-lms": {"runner": "tutor_local"},
}


@pytest.fixture(scope="session")
def containers(tmp_path_factory):
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the container tests need root (apt-get, dockerd), and CI runs them")
        pytest.skip("the container tests need root (apt-get, dockerd); CI runs them as root")
    built = containerlib.Containers(
        tmp_path_factory.mktemp("containers"), docker_port=free_port(), tutor_port=free_port()
    )
    try:
        built.up()
        yield built
    finally:
        built.down()
    # Nothing outlives the session: no process naming its directory, no file.
    assert not processes_naming(built.dir)
    assert not built.dir.exists()


def controller_env(containers):
    """What ansible-playbook runs with: the venv's ansible first, then the Tutor CLI, both daemons' settings."""
    env = containers.env
    env["PATH"] = "%s:%s" % (BIN, env["PATH"])
    return env


def play(containers, playbook, host, *args, popen_hook=None, timeout=900):
    return run_playbook(
        REPO / "playbooks" / ("%s.yml" % playbook),
        inventory=containers.inventory,
        args=("--limit", host, *args),
        env=controller_env(containers),
        popen_hook=popen_hook,
        timeout=timeout,
    )


def module_play(containers, host, task, env=None, timeout=900):
    """One module task on localhost with `host`'s runner options (merged under the task's own)."""
    from playbook import run_play

    (module, options), *rest = [(k, v) for k, v in task.items() if k != "name"]
    task = {"name": task.get("name", "task"), module: {**RUNNERS[host], **options}}
    return run_play([task], env={**controller_env(containers), **(env or {})}, timeout=timeout)


def lms_rows(containers, host):
    """Every user, application and token row of the container LMS's SQLite database (read on this machine)."""
    db = containers.state_dir(host) / "db.sqlite3"
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % db, uri=True)) as conn:
        return {
            "users": [r[0] for r in conn.execute("select username from auth_user order by username")],
            "applications": [r[0] for r in conn.execute("select client_id from oauth2_provider_application")],
            "tokens": [r[0] for r in conn.execute("select token from oauth2_provider_accesstoken")],
        }


def recap(run, host):
    """The PLAY RECAP counts of `host`: {"ok": n, "changed": n, "failed": n, ...}."""
    for line in run.stdout.split("PLAY RECAP", 1)[-1].splitlines():
        if line.startswith(host + " "):
            return {k: int(v) for k, v in (pair.split("=") for pair in line.split(":", 1)[1].split())}
    raise AssertionError("no recap for %s in:\n%s" % (host, run.stdout[-3000:]))
