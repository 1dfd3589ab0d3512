"""Diagnoses of a failed LMS process: one cause per signature, hints that fit the runner, values cut.

The samples are the last lines real LMS processes print: Django's exception line over SQLite or
MySQL (mysqlclient's `(code, "message")` form), Docker's and Tutor's own lines.
"""

import pytest
from ansible.module_utils.edx_provision.lms.diagnosis import (
    cut,
    diagnose,
    killing_signal,
    last_error_line,
    signal_message,
)

NATIVE = dict(
    runner="native", manage_command=["/edx/bin/python.edxapp", "/edx/bin/manage.edxapp"], settings="production"
)
TUTOR = dict(runner="tutor_local", manage_command=["tutor", "local", "exec", "-T", "lms", "./manage.py"])
K8S = dict(runner="tutor_k8s", manage_command=["tutor", "k8s", "exec", "lms", "./manage.py"])
DOCKER = dict(runner="docker", manage_command=["docker", "exec", "-i", "edx.lms", "./manage.py"], container="edx.lms")

# (sample output line, words the diagnosis must hold, words it must not hold)
CASES = [
    # schema not migrated
    (
        "django.db.utils.OperationalError: no such table: auth_user",
        ["has no auth_user", "not migrated", "lms --settings=production migrate"],
        ["MySQL is up"],
    ),
    (
        "django.db.utils.ProgrammingError: (1146, \"Table 'edxapp.oauth2_provider_application' doesn't exist\")",
        ["has no edxapp.oauth2_provider_application", "not migrated"],
        ["could not reach"],
    ),
    (
        "django.db.utils.OperationalError: (1054, \"Unknown column 'oauth2_provider_application.algorithm' in "
        "'field list'\")",
        ["has no oauth2_provider_application.algorithm", "not migrated"],
        [],
    ),
    ("django.db.utils.OperationalError: no such column: oauth2_provider_application.algorithm", ["not migrated"], []),
    # disk full
    ("django.db.utils.OperationalError: database or disk is full", ["disk", "is full", "df -h"], ["MySQL is up"]),
    ("django.db.utils.OperationalError: (1114, \"The table 'auth_user' is full\")", ["is full"], []),
    (
        "django.db.utils.OperationalError: (3, \"Error writing file '/tmp/MYfd=41' (OS errno 28 - No space left "
        'on device)")',
        ["is full"],
        [],
    ),
    ("OSError: [Errno 28] No space left on device", ["is full"], []),
    # read-only
    ("django.db.utils.OperationalError: attempt to write a readonly database", ["read-only"], ["is full"]),
    (
        "django.db.utils.OperationalError: (1290, 'The MySQL server is running with the --read-only option so it "
        "cannot execute this statement')",
        ["read-only", "primary"],
        [],
    ),
    (
        "django.db.utils.OperationalError: (1792, 'Cannot execute statement in a READ ONLY transaction.')",
        ["read-only"],
        [],
    ),
    # locks
    ("django.db.utils.OperationalError: database is locked", ["lock", "again"], ["read-only"]),
    (
        "django.db.utils.OperationalError: (1205, 'Lock wait timeout exceeded; try restarting transaction')",
        ["lock"],
        [],
    ),
    # unreachable, credentials, unknown database
    (
        "django.db.utils.OperationalError: (2002, \"Can't connect to MySQL server on 'mysql' (115)\")",
        ["could not reach its database", "Can't connect to MySQL server on 'mysql' (115)", "env_file", "LMS_CFG"],
        [],
    ),
    (
        "django.db.utils.OperationalError: (2003, \"Can't connect to MySQL server on '127.0.0.1:3306' (111)\")",
        ["could not reach"],
        [],
    ),
    ("django.db.utils.OperationalError: (2005, \"Unknown MySQL server host 'mysql' (-2)\")", ["could not reach"], []),
    ("django.db.utils.OperationalError: (2006, 'MySQL server has gone away')", ["could not reach"], []),
    (
        "django.db.utils.OperationalError: (2013, 'Lost connection to MySQL server during query')",
        ["could not reach"],
        [],
    ),
    ("django.db.utils.OperationalError: unable to open database file", ["could not reach"], []),
    (
        "django.db.utils.OperationalError: (1045, \"Access denied for user 'edxapp001'@'localhost' (using password: "
        'YES)")',
        ["refused the credentials of edxapp001", "LMS_CFG"],
        ["could not reach"],
    ),
    ("django.db.utils.OperationalError: (1049, \"Unknown database 'edxapp'\")", ["edxapp does not exist"], []),
    # unique constraints
    (
        "django.db.utils.IntegrityError: UNIQUE constraint failed: oauth2_provider_application.client_id",
        ["another OAuth2 application already uses this client_id", "Choose another client_id"],
        ["IntegrityError"],
    ),
    (
        "django.db.utils.IntegrityError: (1062, \"Duplicate entry 'enrollment-api' for key "
        "'oauth2_provider_application.client_id'\")",
        ["already uses this client_id"],
        [],
    ),
    (
        "django.db.utils.IntegrityError: (1062, \"Duplicate entry 'enrollment-api' for key 'client_id'\")",
        ["already uses this client_id"],
        [],
    ),
    (
        "django.db.utils.IntegrityError: UNIQUE constraint failed: auth_user.username",
        ["same auth_user.username", "again"],
        ["client_id"],
    ),
    (
        "django.db.utils.IntegrityError: (1062, \"Duplicate entry 'bob' for key 'auth_user.username'\")",
        ["bob as auth_user.username"],
        [],
    ),
    # any other database error is told as one, not as an outage
    (
        "django.db.utils.OperationalError: (1366, \"Incorrect string value: '\\xF0\\x9F' for column 'name'\")",
        ["database reported an error", "Incorrect string value"],
        ["could not reach", "MySQL is up"],
    ),
    # the LMS itself
    (
        "ModuleNotFoundError: No module named 'lms.envs.prodution'",
        ["lms.envs.prodution does not exist", "'aws' on Ginkgo"],
        [],
    ),
    ("Error response from daemon: No such container: edx_lms", ["no running container named edx_lms"], []),
    ("Error response from daemon: container 4f2a is not running", ["container 4f2a is not running"], []),
    (
        "python: can't open file '/edx/app/edxapp/edx-platform/manage.py': [Errno 2] No such file or directory",
        ["manage.py was not found"],
        [],
    ),
    ("Unknown command: 'shell'", ["no `shell` command"], []),
]


@pytest.mark.parametrize("line, present, absent", CASES, ids=[case[0][:60] for case in CASES])
def test_each_known_failure_gets_its_own_cause(line, present, absent):
    hint = diagnose('Traceback (most recent call last):\n  File "x", line 1\n' + line + "\n", NATIVE)
    for words in present:
        assert words in hint
    for words in absent:
        assert words not in hint


@pytest.mark.parametrize(
    "options, present, absent",
    [
        (NATIVE, ["env_file", "LMS_CFG"], ["tutor"]),
        (TUTOR, ["tutor local status", "MYSQL_HOST"], ["env_file", "LMS_CFG"]),
        (K8S, ["tutor k8s status"], ["env_file", "LMS_CFG"]),
        (DOCKER, ["container edx.lms"], ["env_file", "LMS_CFG"]),
        (dict(runner="command", manage_command=["python", "manage.py"]), ["DATABASES"], ["env_file", "LMS_CFG"]),
    ],
)
def test_database_hints_fit_the_runner(options, present, absent):
    hint = diagnose(
        "django.db.utils.OperationalError: (2002, \"Can't connect to MySQL server on 'mysql' (115)\")", options
    )
    for words in present:
        assert words in hint
    for words in absent:
        assert words not in hint


@pytest.mark.parametrize(
    "options, command",
    [
        (NATIVE, "/edx/bin/python.edxapp /edx/bin/manage.edxapp lms --settings=production migrate"),
        (TUTOR, "tutor local do init"),
        (K8S, "tutor k8s do init"),
        (DOCKER, "docker exec edx.lms ./manage.py lms migrate"),
    ],
)
def test_migration_hint_names_the_runners_own_command(options, command):
    assert command in diagnose("django.db.utils.OperationalError: no such table: auth_user", options)


def test_settings_hint_fits_the_runner():
    line = "ModuleNotFoundError: No module named 'lms.envs.production'"
    assert "Leave `settings` unset" in diagnose(line, TUTOR)
    assert "'production' from Ironwood" in diagnose(line, NATIVE)


def test_a_missing_settings_module_is_told_under_python_2_too():
    """Python 2.7 (Ginkgo) names only the module's last word: `python2.7 -c "import importlib;
    importlib.import_module('lms.envs.nosuch')"` prints this line (issue 17.22)."""
    output = "Traceback (most recent call last):\n  ...\nImportError: No module named nosuch\n"
    hint = diagnose(output, dict(NATIVE, settings="nosuch"))
    assert hint.startswith("the settings module lms.envs.nosuch does not exist on this LMS")
    assert "'aws' on Ginkgo and Hawthorn" in hint
    # Another module missing is not a settings problem.
    assert diagnose("ImportError: No module named yaml\n", dict(NATIVE, settings="nosuch")) is None
    # A dotted settings name whose package is missing: Python 2.7 names the part below lms.envs.
    output = "ImportError: No module named tutor.production\nsome output after it\n"
    hint = diagnose(output, dict(NATIVE, settings="tutor.production"))
    assert hint.startswith("the settings module lms.envs.tutor.production does not exist")


def test_diagnose_says_nothing_it_does_not_know():
    assert diagnose("something else went wrong", NATIVE) is None


# What `tutor local exec` prints (stdout: the command it runs; stderr: the LMS's traceback, then its own line).
TUTOR_OUTPUT = """docker compose -f /root/.local/share/tutor/env/local/docker-compose.yml -f \
/root/.local/share/tutor/env/local/docker-compose.prod.yml --project-name tutor_local exec -T lms ./manage.py lms \
shell -c import json,signal,sys
Traceback (most recent call last):
  File "/openedx/edx-platform/manage.py", line 103, in <module>
    execute_from_command_line([sys.argv[0]] + django_args)
django.db.utils.OperationalError: (2005, "Unknown MySQL server host 'mysql' (-2)")
Error: Command failed with status 1: docker compose -f /root/.local/share/tutor/env/local/docker-compose.yml \
--project-name tutor_local exec -T lms ./manage.py lms shell -c import json,signal,sys
"""


def test_tutors_echo_of_the_bootstrap_is_never_read_as_the_lms_own_error():
    """Docker down: Tutor's wrapper line echoes the bootstrap, whose text holds its deadline message."""
    from ansible.module_utils.edx_provision.lms.transport import BOOTSTRAP

    output = (
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"
        "Error: Command failed with status 1: docker compose -f /root/.local/share/tutor/env/local/"
        "docker-compose.yml --project-name tutor_local exec -T lms ./manage.py lms shell -c " + BOOTSTRAP + "\n"
    )
    assert "deadline passed before the program started" in output
    assert "deadline" not in (diagnose(output, TUTOR) or "")


def test_the_error_line_is_the_lms_own_not_tutors_wrapper_line():
    line = last_error_line(TUTOR_OUTPUT)
    assert line == "django.db.utils.OperationalError: (2005, \"Unknown MySQL server host 'mysql' (-2)\")"


def test_kubectls_wrapper_line_is_skipped_too():
    output = 'CommandError: Skipping user "u"\ncommand terminated with exit code 1\n'
    assert last_error_line(output) == 'CommandError: Skipping user "u"'


def test_last_error_line_picks_the_exception_from_a_traceback():
    output = 'Traceback (most recent call last):\n  File "x", line 1\ndjango.core.management.base.CommandError: bad\n'
    assert last_error_line(output) == "django.core.management.base.CommandError: bad"


def test_a_huge_value_in_the_error_line_is_cut():
    username = "u" * 100_000
    line = last_error_line("ValueError: invalid username '%s'\n" % username)
    assert len(line) < 500 and "more characters" in line
    hint = diagnose("django.db.utils.IntegrityError: (1062, \"Duplicate entry '%s' for key 'x.y'\")" % username)
    assert len(hint) < 600 and "more characters" in hint


def test_cut_keeps_short_values_whole():
    assert cut("short") == "short"
    assert cut("x" * 250) == "x" * 200 + "... (50 more characters)"


@pytest.mark.parametrize(
    "rc, runner, name",
    [
        (-9, "native", "SIGKILL"),
        (-15, "command", "SIGTERM"),
        (137, "tutor_local", "SIGKILL"),  # 128 + 9 through docker exec, Tutor, kubectl
        (143, "docker", "SIGTERM"),
        (137, "native", None),  # a plain exit status outside containers
        (1, "tutor_local", None),
        (0, "native", None),
    ],
)
def test_a_signal_is_named_from_the_exit_status(rc, runner, name):
    assert killing_signal(rc, runner) == name


def test_a_killed_process_is_told_by_its_signal_and_likely_cause():
    msg = signal_message("SIGKILL", -9, "native")
    assert "killed by SIGKILL" in msg and "out of memory" in msg and "exit code" not in msg
    assert "exit status 137" in signal_message("SIGKILL", 137, "docker")


# What runc printed here (dockerd 20.10) for `docker exec -i CONTAINER ./manage.py ...`.
@pytest.mark.parametrize(
    ("output", "told"),
    [
        (
            'OCI runtime exec failed: exec failed: unable to start container process: exec: "./manage.py": '
            "stat ./manage.py: no such file or directory: unknown",
            "the container has no ./manage.py in its working directory",
        ),
        (
            'OCI runtime exec failed: exec failed: unable to start container process: exec: "./manage.py": '
            "permission denied: unknown",
            "./manage.py in the container is not executable. Start it with the image's Python",
        ),
    ],
)
def test_a_container_without_a_runnable_manage_py_is_told_so(output, told):
    assert told in diagnose(output, dict(runner="docker", container="lms", manage_command=["docker"]))
