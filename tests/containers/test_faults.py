"""Faults of the container runners, met through the real docker and tutor CLIs: each failure names its
own cause and what to do, and nothing is applied. The LMS killed mid-apply (`docker kill`) and a
deadline passed inside the container (the in-LMS alarm ends it: no manage.py process is left)."""

import threading
import time
from pathlib import Path

import containers as containerlib
from conftest import lms_rows, module_play

FAULTY = Path(__file__).resolve().parents[1] / "integration" / "faulty_lms.py"
CONTAINER = containerlib.CONTAINER


def users(prefix, count=2):
    return [{"username": "%s-%d" % (prefix, i), "email": "%s-%d@example.com" % (prefix, i)} for i in range(count)]


def create(containers, host, prefix, env=None, **options):
    run = module_play(containers, host, {"name": "users", "edx_user": {"users": users(prefix), **options}}, env=env)
    return run, run.task("users")["result"]


def applied(containers, host, prefix):
    return [name for name in lms_rows(containers, host)["users"] if name.startswith(prefix + "-")]


def faulty_runner(*docker_exec_options):
    """The docker runner with faulty_lms.py (copied into the container) around the image's own manage.py."""
    return {
        "manage_command": ["docker", "exec", "-i", *docker_exec_options, CONTAINER, "python", "/tmp/faulty_lms.py",
                           "./manage.py"],
    }  # fmt: skip


def manage_processes(containers):
    listed = containers.docker("exec", CONTAINER, "ps", "-eo", "args", check=False).stdout
    return [line for line in listed.splitlines() if "manage.py" in line]


def test_the_tutor_lms_service_stopped_is_named_with_how_to_start_it(containers):
    containers.tutor("local", "stop", "lms")
    try:
        run, result = create(containers, "tutor-lms", "svc-stopped")
    finally:
        containers.tutor("local", "dc", "up", "-d", "--no-deps", "lms")
        containerlib.wait_healthy(containers.url(containers.tutor_port))
    assert run.rc != 0
    assert 'service "lms" is not running' in result["msg"]
    assert "Tutor's lms container is not running. Start it: `tutor local start -d`" in result["msg"]
    assert "deadline" not in result["msg"] and "lms_timeout" not in result["msg"]
    assert not applied(containers, "tutor-lms", "svc-stopped")


def test_a_missing_container_is_named(containers):
    run, result = create(containers, "docker-lms", "no-container", container="edx-provision-gone")
    assert run.rc != 0
    assert "No such container: edx-provision-gone" in result["msg"] and "Set `container`" in result["msg"]
    assert not applied(containers, "docker-lms", "no-container")


def test_a_container_whose_image_has_no_manage_py_is_told_so(containers):
    containers.docker("run", "-d", "--name", "not-an-lms", "--network", "none", "edx-provision/bookworm-minbase",
                      "sleep", "infinity")  # fmt: skip
    try:
        run, result = create(containers, "docker-lms", "no-manage", container="not-an-lms")
    finally:
        containers.docker("rm", "-f", "not-an-lms")
    assert run.rc != 0
    assert "The container has no ./manage.py in its working directory" in result["msg"]
    assert "Tutor's openedx image: /openedx/edx-platform/manage.py" in result["msg"]


def test_the_lms_killed_mid_apply_by_docker_kill_applies_nothing(containers):
    containers.docker("cp", str(FAULTY), "%s:/tmp/faulty_lms.py" % CONTAINER)
    options = faulty_runner("-e", "EDX_FAULT_AFTER_SAVE=pause", "-e", "EDX_FAULT_MARKER=/tmp/fired")
    done = threading.Event()

    def kill_when_mid_apply():
        for _ in range(1200):
            if containers.docker("exec", CONTAINER, "test", "-e", "/tmp/fired", check=False).returncode == 0:
                containers.docker("kill", CONTAINER)
                done.set()
                return
            time.sleep(0.1)

    threading.Thread(target=kill_when_mid_apply, daemon=True).start()
    try:
        run, result = create(containers, "docker-lms", "killed", **options)
    finally:
        containers.start_lms_containers()
    assert done.is_set(), "the LMS reached the middle of the apply and was killed there"
    assert run.rc != 0
    assert "SIGKILL" in result["msg"] or "killed" in result["msg"].lower(), result["msg"]
    assert "deadline" not in result["msg"]
    assert not applied(containers, "docker-lms", "killed")


def test_a_deadline_passed_inside_the_container_ends_the_lms_there(containers):
    containers.docker("cp", str(FAULTY), "%s:/tmp/faulty_lms.py" % CONTAINER)
    options = faulty_runner("-e", "EDX_FAULT_AFTER_SAVE=stall", "-e", "EDX_FAULT_MARKER=/tmp/stalled")
    run, result = create(containers, "docker-lms", "stalled", lms_timeout=15, **options)
    assert run.rc != 0
    assert "did not answer within 15 seconds (lms_timeout, docker runner)" in result["msg"]
    assert "Inside the container the LMS process ends itself at the same deadline" in result["msg"]
    assert containers.docker("exec", CONTAINER, "cat", "/tmp/stalled").stdout == "stalled-0"  # it was mid-apply
    for _ in range(100):  # the alarm fires at the deadline; its exit is not instant
        if not manage_processes(containers):
            break
        time.sleep(0.1)
    assert not manage_processes(containers)
    assert not applied(containers, "docker-lms", "stalled")


def test_the_docker_daemon_down_is_named_for_both_runners(containers):
    containers.daemon.stop()
    try:
        outcomes = {host: create(containers, host, "daemon-down") for host in ("docker-lms", "tutor-lms")}
    finally:
        containers.daemon.start(containers.env)
        containers.start_lms_containers()
    for host, (run, result) in outcomes.items():
        assert run.rc != 0
        assert "Cannot connect to the Docker daemon at %s" % containers.daemon.host in result["msg"]
        assert "The Docker daemon at %s does not answer" % containers.daemon.host in result["msg"]
        assert "deadline" not in result["msg"] and "lms_timeout" not in result["msg"], result["msg"]
        assert not applied(containers, host, "daemon-down")
    assert "tutor local start -d" in outcomes["tutor-lms"][1]["msg"]


def test_a_user_outside_the_docker_group_is_told_so(containers):
    """The real docker CLI, run as nobody against the daemon's socket (root:root 0660): its words, diagnosed."""
    from ansible.module_utils.edx_provision.lms.diagnosis import diagnose

    env = dict(containers.env, HOME="/tmp")
    refused = containerlib.run(["runuser", "-u", "nobody", "--", containerlib.docker_client(), "ps"], check=False,
                               env=env)  # fmt: skip
    assert refused.returncode != 0
    hint = diagnose(refused.stderr, {"runner": "docker", "container": CONTAINER})
    assert hint and "may not use the Docker daemon at %s" % containers.daemon.host in hint, refused.stderr
