"""The runner's pure parts: argv per deployment kind, environment file, result line, diagnoses."""

import json

import pytest
from ansible.module_utils import edx_lms_base, edx_lms_users
from ansible.module_utils.edx_lms_runner import (
    BOOTSTRAP,
    build_argv,
    diagnose,
    last_error_line,
    parse_env_file,
    parse_result,
    program_source,
    resolve_options,
)


def options(**params):
    base = dict(runner="native", manage_command=None, settings=None, env_file=None, chdir=None, container=None)
    base.update(params)
    return resolve_options(base)


def test_native_runs_edx_python_and_manage_with_production_settings_from_edx_platform():
    opts = options()
    assert build_argv(opts) == [
        "/edx/bin/python.edxapp", "/edx/bin/manage.edxapp", "lms", "--settings=production", "shell", "-c", BOOTSTRAP,
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


@pytest.mark.parametrize("runner, prefix", [
    ("tutor_local", ["tutor", "local", "exec", "-T", "lms", "./manage.py", "lms", "shell"]),
    ("tutor_k8s", ["tutor", "k8s", "exec", "lms", "./manage.py", "lms", "shell"]),
])
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
    text = '''# Ansible managed
export LMS_CFG="/edx/etc/lms.yml"
export PATH="/edx/app/edxapp/venvs/edxapp/bin:/usr/bin"
export QUOTED="a \\"b\\" \\$HOME"
export LITERAL='$HOME stays'
EDX_PLATFORM_SETTINGS=production
export BOTH="${LMS_CFG}:$EDX_PLATFORM_SETTINGS:$HOME"
'''
    env = parse_env_file(text, {"HOME": "/root"})
    assert env == {
        "LMS_CFG": "/edx/etc/lms.yml",
        "PATH": "/edx/app/edxapp/venvs/edxapp/bin:/usr/bin",
        "QUOTED": 'a "b" $HOME',
        "LITERAL": "$HOME stays",
        "EDX_PLATFORM_SETTINGS": "production",
        "BOTH": "/edx/etc/lms.yml:production:/root",
    }


@pytest.mark.parametrize("line, words", [
    ('export X="$(cat /etc/passwd)"', "command substitution"),
    ("export X=`id`", "command substitution"),
    ("source /other/file", "line 1 is not of the form"),
])
def test_env_file_refuses_what_only_a_shell_would_do(line, words):
    with pytest.raises(ValueError, match=words):
        parse_env_file(line, {}, "/edx/app/edxapp/edxapp_env")


def test_result_line_is_found_among_log_noise():
    stdout = "INFO booting\n12 objects imported automatically\n\nEDX_PROVISION_RESULT {\"users\": []}\nbye\n"
    assert parse_result(stdout) == {"users": []}
    assert parse_result("Traceback ...\n") is None


def test_program_is_the_base_followed_by_the_resource_part():
    source = program_source(edx_lms_base, edx_lms_users)
    namespace = {"__name__": "edx_provision"}
    exec(compile(source, "<program>", "exec"), namespace)
    assert "ensure_users" in namespace["ENTRY_POINTS"]
    assert source.index("def main(") < source.index("def ensure_users(")


@pytest.mark.parametrize("output, expected", [
    ("ModuleNotFoundError: No module named 'lms.envs.prodution'", "settings module lms.envs.prodution does not exist"),
    ("Error response from daemon: No such container: edx_lms", "no running container named edx_lms"),
    ("django.db.utils.OperationalError: (2002, \"Can't connect to MySQL server on 'mysql'\")",
     "could not reach its database"),
    ("python: can't open file '/edx/app/edxapp/edx-platform/manage.py'", "manage.py was not found"),
])
def test_diagnose_turns_known_failures_into_what_to_do(output, expected):
    assert expected in diagnose(output)


def test_diagnose_says_nothing_it_does_not_know():
    assert diagnose("something else went wrong") is None


def test_last_error_line_picks_the_exception_from_a_traceback():
    output = "Traceback (most recent call last):\n  File \"x\", line 1\ndjango.core.management.base.CommandError: bad\n"
    assert last_error_line(output) == "django.core.management.base.CommandError: bad"
