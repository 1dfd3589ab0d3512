"""The runner's pure parts: argv per deployment kind, environment file, result line, diagnoses."""

import json

import pytest
from ansible.module_utils.edx_provision.lms.programs import program_source
from ansible.module_utils.edx_provision.lms.runner import (
    build_argv,
    diagnose,
    last_error_line,
    parse_env_file,
    parse_result,
    resolve_options,
)
from ansible.module_utils.edx_provision.lms.transport import BOOTSTRAP


def options(**params):
    base = dict(runner="native", manage_command=None, settings=None, env_file=None, chdir=None, container=None)
    base.update(params)
    return resolve_options(base)


def test_native_runs_edx_python_and_manage_with_production_settings_from_edx_platform():
    opts = options()
    assert build_argv(opts) == [
        "/edx/bin/python.edxapp",
        "/edx/bin/manage.edxapp",
        "lms",
        "--settings=production",
        "shell",
        "-c",
        BOOTSTRAP,
    ]
    assert opts["env_file"] == "/edx/app/edxapp/edxapp_env"
    assert opts["chdir"] == "/edx/app/edxapp/edx-platform"


def test_native_ginkgo_hawthorn_settings_and_paths_are_overridable():
    opts = options(settings="aws", manage_command=["/opt/venv/bin/python", "/opt/edx/manage.py"], chdir="/opt/edx")
    assert build_argv(opts)[:4] == ["/opt/venv/bin/python", "/opt/edx/manage.py", "lms", "--settings=aws"]
    assert opts["chdir"] == "/opt/edx"


def test_empty_strings_switch_native_defaults_off():
    opts = options(settings="", env_file="", chdir="")
    assert "--settings=production" not in build_argv(opts)
    assert opts["env_file"] is None and opts["chdir"] is None


@pytest.mark.parametrize(
    "runner, prefix",
    [
        ("tutor_local", ["tutor", "local", "exec", "-T", "lms", "./manage.py", "lms", "shell"]),
        ("tutor_k8s", ["tutor", "k8s", "exec", "lms", "./manage.py", "lms", "shell"]),
    ],
)
def test_tutor_runners_leave_settings_to_the_image(runner, prefix):
    opts = options(runner=runner)
    assert build_argv(opts)[:-1] == prefix + ["-c"]
    assert opts["env_file"] is None and opts["chdir"] is None


def test_docker_runner_execs_in_the_named_container_with_stdin_open():
    argv = build_argv(options(runner="docker", container="edx.devstack.lms"))
    assert argv[:5] == ["docker", "exec", "-i", "edx.devstack.lms", "./manage.py"]


def test_command_runner_uses_the_given_prefix_and_optional_settings():
    argv = build_argv(options(runner="command", manage_command=["python", "manage.py"], settings="hashed_secrets"))
    assert argv[:-1] == ["python", "manage.py", "lms", "--settings=hashed_secrets", "shell", "-c"]


def test_bootstrap_is_fixed_code_that_reads_everything_variable_from_stdin():
    for runner in ("native", "tutor_local", "docker"):
        argv = build_argv(options(runner=runner, container="lms"))
        assert argv[-1] == BOOTSTRAP
    assert "sys.stdin" in BOOTSTRAP and "'request'" in BOOTSTRAP


def test_bootstrap_runs_the_program_with_the_request(capsys, monkeypatch):
    import io

    program = "def main(request):\n    print('got', request['n'])\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"program": program, "request": {"n": 7}})))
    exec(compile(BOOTSTRAP, "<bootstrap>", "exec"), {})
    assert capsys.readouterr().out == "got 7\n"


def test_env_file_parses_configuration_edxapp_env_without_a_shell():
    text = """# Ansible managed
export LMS_CFG="/edx/etc/lms.yml"
export PATH="/edx/app/edxapp/venvs/edxapp/bin:/usr/bin"
export QUOTED="a \\"b\\" \\$HOME"
export LITERAL='$HOME stays'
EDX_PLATFORM_SETTINGS=production
export BOTH="${LMS_CFG}:$EDX_PLATFORM_SETTINGS:$HOME"
"""
    env = parse_env_file(text, {"HOME": "/root"})
    assert env == {
        "LMS_CFG": "/edx/etc/lms.yml",
        "PATH": "/edx/app/edxapp/venvs/edxapp/bin:/usr/bin",
        "QUOTED": 'a "b" $HOME',
        "LITERAL": "$HOME stays",
        "EDX_PLATFORM_SETTINGS": "production",
        "BOTH": "/edx/etc/lms.yml:production:/root",
    }


@pytest.mark.parametrize(
    "line, words",
    [
        ('export X="$(cat /etc/passwd)"', "command substitution"),
        ("export X=`id`", "command substitution"),
        ("source /other/file", "line 1 is not of the form"),
    ],
)
def test_env_file_refuses_what_only_a_shell_would_do(line, words):
    with pytest.raises(ValueError, match=words):
        parse_env_file(line, {}, "/edx/app/edxapp/edxapp_env")


def test_result_line_is_found_among_log_noise():
    stdout = 'INFO booting\n12 objects imported automatically\n\nEDX_PROVISION_RESULT {"users": []}\nbye\n'
    assert parse_result(stdout) == {"users": []}
    assert parse_result("Traceback ...\n") is None


def test_program_is_the_base_followed_by_the_resource_part():
    source = program_source("ensure_users")
    namespace = {"__name__": "edx_provision"}
    exec(compile(source, "<program>", "exec"), namespace)
    assert "ensure_users" in namespace["ENTRY_POINTS"]
    assert source.index("def main(") < source.index("def ensure_users(")


@pytest.mark.parametrize(
    "output, expected",
    [
        (
            "ModuleNotFoundError: No module named 'lms.envs.prodution'",
            "settings module lms.envs.prodution does not exist",
        ),
        ("Error response from daemon: No such container: edx_lms", "no running container named edx_lms"),
        (
            "django.db.utils.OperationalError: (2002, \"Can't connect to MySQL server on 'mysql'\")",
            "could not reach its database",
        ),
        ("python: can't open file '/edx/app/edxapp/edx-platform/manage.py'", "manage.py was not found"),
    ],
)
def test_diagnose_turns_known_failures_into_what_to_do(output, expected):
    assert expected in diagnose(output)


def test_diagnose_says_nothing_it_does_not_know():
    assert diagnose("something else went wrong") is None


def test_last_error_line_picks_the_exception_from_a_traceback():
    output = 'Traceback (most recent call last):\n  File "x", line 1\ndjango.core.management.base.CommandError: bad\n'
    assert last_error_line(output) == "django.core.management.base.CommandError: bad"


def run_bootstrap(document, tmp_path):
    """Run the bootstrap as `shell -c` would: its own process, the document on stdin."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", BOOTSTRAP],
        input=json.dumps(document),
        text=True,
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_bootstrap_ends_a_program_that_overruns_its_deadline(tmp_path):
    # What stops an LMS inside a container, where killing `docker exec` does not reach it.
    import signal
    import time

    program = "import time\ndef main(request):\n    time.sleep(60)\n    print('applied')\n"
    # Six seconds: a loaded machine may take seconds to start Python, and the deadline must not pass first.
    proc = run_bootstrap({"program": program, "request": {}, "deadline": int(time.time()) + 6, "timeout": 6}, tmp_path)
    assert proc.returncode == -signal.SIGALRM and "applied" not in proc.stdout


def test_bootstrap_runs_nothing_when_the_deadline_passed_during_the_boot(tmp_path):
    import time

    program = "def main(request):\n    print('applied')\n"
    proc = run_bootstrap(
        {"program": program, "request": {}, "deadline": int(time.time()) - 5, "timeout": 600}, tmp_path
    )
    assert proc.returncode == 1 and "applied" not in proc.stdout
    assert "edx-provision: deadline passed before the program started" in proc.stderr
    assert "lms_timeout" in diagnose(proc.stderr)


def test_every_lms_side_module_gets_a_deadline_option_of_ten_minutes():
    from ansible.module_utils.edx_provision.lms_options import lms_argument_spec

    assert lms_argument_spec()["lms_timeout"] == dict(type="int", default=600)


def runner(**params):
    """A runner with the command runner's options; its host is never reached by these tests."""
    from ansible.module_utils.edx_provision.lms.runner import LmsRunner

    base = dict(runner="command", manage_command=["python", "manage.py"], settings=None, env_file=None)
    base.update(chdir=None, container=None, lms_timeout=600)
    base.update(params)
    return LmsRunner(base, host=None)


def failure(outcome, **params):
    from ansible.module_utils.edx_provision.lms.runner import LmsError

    with pytest.raises(LmsError) as caught:
        runner(**params).answer(outcome)
    return caught.value


def outcome(rc=1, stdout="", stderr="", timed_out=False):
    from ansible.module_utils.edx_provision.lms.connection import Outcome

    return Outcome(rc, stdout, stderr, timed_out)


@pytest.mark.parametrize("value", [0, -5, 86401, 10**12])
def test_a_deadline_out_of_range_is_refused_naming_the_option(value):
    from ansible.module_utils.edx_provision.lms.runner import LmsError

    expected = r"lms_timeout must be a whole number of seconds from 1 to 86400, got %d" % value
    with pytest.raises(LmsError, match=expected):
        runner(lms_timeout=value).run("ensure_users", {})


def test_a_missed_deadline_says_how_long_and_what_to_check():
    error = failure(outcome(rc=-15, stderr="INFO booting\n", timed_out=True), lms_timeout=30)
    assert "did not answer within 30 seconds (lms_timeout, command runner)" in error.msg
    assert "nothing is half-applied" in error.msg and "database" in error.msg
    assert error.details["timed_out"] is True


def test_a_missed_deadline_with_a_container_runner_says_the_inner_process_ends_too():
    error = failure(
        outcome(rc=-15, timed_out=True),
        runner="docker",
        container="lms",
        manage_command=["docker", "exec", "-i", "lms", "./manage.py"],
    )
    assert "Inside the container the LMS process ends itself" in error.msg


def test_a_process_killed_by_a_signal_is_told_by_name_without_log_noise():
    noise = "INFO 2026-11-27 lms.startup: Loading settings\nWARNING something unrelated\n"
    error = failure(outcome(rc=-9, stderr=noise))
    assert error.msg.startswith("The LMS process was killed by SIGKILL (command runner): out of memory?")
    assert "exit code -9" not in error.msg and "unrelated" not in error.msg and "Loading" not in error.msg
    assert error.details["signal"] == "SIGKILL"


def test_through_tutor_the_status_inside_the_container_names_the_signal():
    stderr = "Error: Command failed with status 137: docker compose -f x.yml exec -T lms ./manage.py lms shell -c x\n"
    error = failure(
        outcome(rc=1, stderr=stderr),
        runner="tutor_local",
        manage_command=["tutor", "local", "exec", "-T", "lms", "./manage.py"],
    )
    assert "killed by SIGKILL (tutor_local runner, exit status 137)" in error.msg


def test_through_tutor_the_message_shows_the_lms_error_and_a_tutor_hint():
    stdout = "docker compose -f /root/env/local/docker-compose.yml --project-name tutor_local exec -T lms ./manage.py\n"
    stderr = (
        'Traceback (most recent call last):\n  File "manage.py", line 103\n'
        "django.db.utils.OperationalError: no such table: auth_user\n"
        "Error: Command failed with status 1: docker compose -f /root/env/local/docker-compose.yml exec -T lms\n"
    )
    error = failure(
        outcome(rc=1, stdout=stdout, stderr=stderr),
        runner="tutor_local",
        manage_command=["tutor", "local", "exec", "-T", "lms", "./manage.py"],
    )
    assert "(tutor_local runner, exit code 1): django.db.utils.OperationalError: no such table: auth_user" in error.msg
    assert "tutor local do init" in error.msg
    assert "Command failed with status" not in error.msg and "env_file" not in error.msg


def test_an_unexpected_integrity_error_inside_the_lms_becomes_a_clear_message():
    result = {
        "failed": True,
        "lms_traceback": "Traceback ...\n" + "  x = 1\n" * 3,
        "msg": "Unexpected error inside the LMS: IntegrityError: UNIQUE constraint failed: "
        "oauth2_provider_application.client_id",
    }
    error = failure(outcome(rc=0, stdout="EDX_PROVISION_RESULT " + json.dumps(result) + "\n"))
    assert error.msg.startswith("The LMS failed: another OAuth2 application already uses this client_id")
    assert "Choose another client_id" in error.msg


def test_long_lines_are_cut_in_the_message_and_the_output_tails():
    huge = "x" * 100_000
    error = failure(outcome(rc=1, stderr="ValueError: invalid username '%s'\n" % huge))
    assert len(error.msg) < 1000 and "more characters" in error.msg
    assert len(error.details["stderr"]) < 1000
