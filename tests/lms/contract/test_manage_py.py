"""Issue point 1 and contract section 6: the command-line shape of edx's manage.py,
boots.log and LMS_BOOT_DELAY, Django's own shell/migrate/changepassword."""

import json
import os
import pwd
import re
import subprocess


def run(lms, argv, input=None, env=None):
    """manage.py with a raw argv (no variant or --settings added)."""
    return subprocess.run(
        [*lms.manage_prefix, *argv],
        input=input,
        capture_output=True,
        text=True,
        env=lms.environ(env=env),
        timeout=120,
        start_new_session=True,
    )


SHOW_SETTINGS = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.OAUTH2_HASH_CLIENT_SECRETS)"


def test_settings_flag_in_both_spellings_and_the_aws_alias(standin):
    eq = run(standin, ["lms", "--settings=hashed_secrets", "shell", "-v0", "-c", SHOW_SETTINGS])
    space = run(standin, ["lms", "--settings", "hashed_secrets", "shell", "-v0", "-c", SHOW_SETTINGS])
    aws = run(standin, ["lms", "--settings=aws", "shell", "-v0", "-c", SHOW_SETTINGS])
    assert eq.stdout.strip() == "lms.envs.hashed_secrets True", eq.stderr
    assert space.stdout.strip() == "lms.envs.hashed_secrets True", space.stderr
    assert aws.stdout.strip() == "lms.envs.aws False", aws.stderr


def test_without_settings_the_environment_then_production_is_used(standin):
    from_env = run(
        standin, ["lms", "shell", "-v0", "-c", SHOW_SETTINGS], env={"DJANGO_SETTINGS_MODULE": "lms.envs.oauth2_off"}
    )
    env = standin.environ()
    env.pop("DJANGO_SETTINGS_MODULE")
    default = subprocess.run(
        [*standin.manage_prefix, "lms", "shell", "-v0", "-c", SHOW_SETTINGS],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert from_env.stdout.strip() == "lms.envs.oauth2_off False"
    assert default.stdout.strip() == "lms.envs.production False", default.stderr


def test_unknown_settings_module_fails_like_edx(standin):
    result = run(standin, ["lms", "--settings=prodution", "check"])
    assert result.returncode != 0
    assert "ModuleNotFoundError: No module named 'lms.envs.prodution'" in result.stderr


def test_cms_and_a_missing_variant_are_refused_clearly(standin):
    cms = run(standin, ["cms", "shell", "-c", "print(1)"])
    bare = run(standin, ["shell", "-c", "print(1)"])
    assert cms.returncode != 0 and cms.stdout == ""
    assert "'cms' (Studio) is not available" in cms.stderr
    assert bare.returncode != 0 and bare.stdout == ""
    assert "service variant" in bare.stderr


def test_each_start_appends_one_boots_line_without_arguments(standin):
    before = standin.boots()
    secret = "s3cr3t-never-logged"
    result = standin.manage("shell", "-v0", "-c", f"x = '{secret}'")
    standin.manage("check")
    assert result.returncode == 0
    assert standin.boots() == before + 2
    lines = (standin.state_dir / "boots.log").read_text().splitlines()[-2:]
    user = rf"uid={os.getuid()} user={re.escape(pwd.getpwuid(os.getuid()).pw_name)}"
    assert re.fullmatch(rf"\S+Z pid=\d+ command=shell {user}", lines[0]), lines
    assert re.fullmatch(rf"\S+Z pid=\d+ command=check {user}", lines[1]), lines
    assert secret not in (standin.state_dir / "boots.log").read_text()


def test_the_server_writes_no_boots_lines(lms, standin):
    before = standin.boots()
    for _ in range(3):
        assert lms.get("/heartbeat").status_code == 200
    assert standin.boots() == before


# Runs manage.py with time.sleep replaced by a recorder (a fake clock): what a start asks
# to sleep is asserted, not how long it took (speed belongs in `make bench`).
SLEEP_SPY = """
import os, runpy, sys, time
slept = []
time.sleep = slept.append
manage_py = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(manage_py))
code = 0
try:
    runpy.run_path(manage_py, run_name="__main__")
except SystemExit as exc:
    code = exc.code
sys.stderr.write("SLEPT %r\\n" % slept)
sys.exit(code)
"""


def test_boot_delay_makes_every_start_sleep_that_long_first(standin):
    python, manage_py = standin.manage_prefix
    before = standin.boots()
    results = {
        delay: subprocess.run(
            [python, "-c", SLEEP_SPY, manage_py, "lms", "--settings=production", "check"],
            capture_output=True,
            text=True,
            timeout=120,
            env=standin.environ(env={"LMS_BOOT_DELAY": delay} if delay else {}),
        )
        for delay in ("", "1.5")
    }
    assert all(result.returncode == 0 for result in results.values()), results
    assert "SLEPT []" in results[""].stderr
    assert "SLEPT [1.5]" in results["1.5"].stderr
    assert standin.boots() == before + 2


def test_shell_c_leaves_stdin_to_the_code_and_prints_only_what_django_prints(standin):
    program = "import json, sys; doc = json.load(sys.stdin); print('RESULT ' + json.dumps(doc['n'] * 2))"
    quiet = standin.manage("shell", "-v0", "-c", program, input=json.dumps({"n": 21}))
    chatty = standin.manage("shell", "-c", program, input=json.dumps({"n": 2}))
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "RESULT 42\n"
    # Django 5.2's own notice stays (the toolkit must not parse raw stdout), nothing else.
    assert chatty.stdout.splitlines()[-1] == "RESULT 4"
    assert all("objects imported automatically" in line or not line.strip() for line in chatty.stdout.splitlines()[:-1])


def test_shell_without_c_executes_stdin(standin):
    result = standin.manage("shell", "-v0", input="print(6 * 7)\n")
    assert result.returncode == 0
    assert result.stdout == "42\n"


def test_migrate_is_djangos_own(standin):
    result = standin.manage("migrate")
    assert result.returncode == 0
    assert "No migrations to apply." in result.stdout


def test_changepassword_reads_stdin_without_a_terminal(lms):
    actors = lms.actors()
    result = lms.manage("changepassword", actors["caller"], input="N3w-pass-phrase\nN3w-pass-phrase\n")
    assert result.returncode == 0, result.stderr
    assert f"Password changed successfully for user '{actors['caller']}'" in result.stdout
    token = lms.token_response(
        {
            "grant_type": "password",
            "client_id": actors["client_id"],
            "client_secret": actors["secret"],
            "username": actors["caller"],
            "password": "N3w-pass-phrase",
        }
    )
    # The app is a client-credentials one: the password is right, the grant is not.
    assert token.status_code == 400 and token.json()["error"] == "unauthorized_client"
