"""The docker and tutor_local runners through the real `docker exec -i` and the real `tutor local exec`:
what an operator sees from the playbooks, one LMS start per run (the container's boots.log), a request
of 10,000 users streamed through Tutor and Compose, and no secret on any command line or environment."""

import contextlib
import threading
import time
from pathlib import Path

import pytest
from conftest import HOSTS, lms_rows, module_play, play, recap


def answered(run):
    return " ".join(run.stdout.split())


@pytest.mark.parametrize("host", HOSTS)
def test_converge_rerun_check_and_verify_through_the_real_runner(containers, host):
    url = containers.url(containers.docker_port if host == "docker-lms" else containers.tutor_port)
    boots = containers.boots(host)

    preview = play(containers, "provision", host, "--check", "--diff")
    assert preview.rc == 0, preview.output[-3000:]
    assert recap(preview, host)["changed"] > 0 and "enrollment-api" in preview.stdout
    assert "enrollment-api" not in lms_rows(containers, host)["users"]  # check mode wrote nothing
    assert containers.boots(host) == boots + 1  # one start to read

    first = play(containers, "provision", host)
    assert first.rc == 0, first.output[-3000:]
    assert recap(first, host)["changed"] > 0
    assert containers.boots(host) == boots + 2  # one start for the whole converge
    assert "GET %s/api/enrollment/v1/enrollment as enrollment-api with a jwt token answered 200" % url in answered(
        first
    )
    rows = lms_rows(containers, host)
    assert "enrollment-api" in rows["users"] and "enrollment-api" in rows["applications"]

    again = play(containers, "provision", host)
    assert again.rc == 0 and recap(again, host)["changed"] == 0, again.output[-3000:]
    assert containers.boots(host) == boots + 3

    checked = play(containers, "verify", host)
    assert checked.rc == 0 and recap(checked, host)["changed"] == 0, checked.output[-3000:]
    assert containers.boots(host) == boots + 3  # verify with an endpoint token starts no LMS

    # Every start ran inside the container as Tutor's app user (uid 1000), not as root.
    log = (containers.state_dir(host) / "boots.log").read_text().splitlines()
    assert log and all("command=shell uid=1000 user=app" in line for line in log[boots:]), log[boots:]


@pytest.mark.parametrize("host", HOSTS)
def test_enroll_a_learner_through_the_real_runner(containers, host):
    learner = "learner-" + host
    created = module_play(
        containers, host, {"edx_user": {"users": [{"username": learner, "email": learner + "@x.org"}]}}
    )
    assert created.rc == 0, created.output[-3000:]
    assert play(containers, "provision", host).rc == 0
    enrollments = '{"edx_api_access_enrollments": [{"username": "%s", "course_id": "course-v1:edX+DemoX+Demo_Course"}]}'
    first = play(containers, "enroll", host, "-e", enrollments % learner)
    assert first.rc == 0 and recap(first, host)["changed"] == 1, first.output[-3000:]
    again = play(containers, "enroll", host, "-e", enrollments % learner)
    assert again.rc == 0 and recap(again, host)["changed"] == 0, again.output[-3000:]


def test_ten_thousand_users_stream_through_tutor_and_compose_in_one_start(containers):
    boots = containers.boots("tutor-lms")
    users = [{"username": "bulk-%05d" % i, "email": "bulk-%05d@example.com" % i} for i in range(10_000)]
    run = module_play(containers, "tutor-lms", {"name": "users", "edx_user": {"users": users}}, timeout=1200)
    assert run.rc == 0, run.output[-3000:]
    result = run.task("users")["result"]
    assert result["changed"] is True and len(result["users"]) == 10_000
    assert containers.boots("tutor-lms") == boots + 1
    assert sum(1 for name in lms_rows(containers, "tutor-lms")["users"] if name.startswith("bulk-")) == 10_000


def test_no_secret_on_any_docker_tutor_or_compose_command_line_or_environment(containers):
    """/proc holds the controller's processes, docker's, Compose's and the containers' own."""
    seen = set()

    def sample(proc):
        def watch():
            while proc.poll() is None:
                for entry in Path("/proc").glob("[0-9]*"):
                    with contextlib.suppress(OSError):  # processes come and go while we read
                        for name in ("cmdline", "environ"):
                            seen.add((entry / name).read_bytes().replace(b"\0", b" ").decode(errors="replace"))
                time.sleep(0.01)

        threading.Thread(target=watch, daemon=True).start()

    args = ("-e", "edx_api_access_username=cmdline-probe", "-e", "edx_api_access_email=cmdline-probe@example.com")
    secret = "demo-client-secret-for-the-stand-in-only"
    for host in HOSTS:
        seen.clear()
        run = play(containers, "provision", host, *args, popen_hook=sample)
        assert run.rc == 0 and recap(run, host)["changed"] > 0, run.output[-3000:]
        launcher = "docker exec -i" if host == "docker-lms" else "tutor local exec -T lms ./manage.py"
        assert any(launcher in line for line in seen), "the sampler saw the runner's processes"
        assert any("manage.py lms shell -c" in line for line in seen), "... and the LMS inside the container"
        tokens = lms_rows(containers, host)["tokens"]
        assert tokens
        for value in (secret, *tokens):
            assert value not in run.output
            assert not [line for line in seen if value in line], (host, value)


def test_the_tutor_demo_runs_as_the_readme_says(containers):
    """`make tutor-demo`'s script against this session's Tutor project."""
    import os
    import subprocess

    from conftest import controller_env

    env = dict(controller_env(containers), CONTAINERS_DIR=str(containers.dir))
    script = Path(__file__).resolve().parent / "tutor-demo.sh"
    demo = subprocess.run([str(script)], capture_output=True, text=True, env=env, timeout=900, cwd=os.getcwd())
    assert demo.returncode == 0, (demo.stdout + demo.stderr)[-4000:]
    out = " ".join(demo.stdout.split())
    assert "tutor, version 21.0.9" in out and "Docker Compose version" in out
    assert "provision again: must report changed=0" in out and "the rerun changed something" not in demo.stderr
    assert "1 of 1 enrollments changed" in out
    assert out.rfind("as enrollment-api with a jwt token answered 200") > out.rfind("1 of 1 enrollments changed")
    assert "LMS starts inside the container (boots.log): 4 (2 provision runs" in out
