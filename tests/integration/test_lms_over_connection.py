"""The LMS-side tasks need no Python for Ansible on the LMS host: the one action plugin runs them on the
controller and only `manage.py ... shell` on the host, over the connection; edx_token's method direct
too. Without the action plugin, a module says so and changes nothing."""

import pytest
import requests

NO_PYTHON = {"ansible_python_interpreter": "/nonexistent/python3"}


def access(target, name, **extra):
    return {
        **target.runner,
        "users": [{"username": name, "email": f"{name}@example.com", "staff": True}],
        "clients": [
            {
                "name": name,
                "owner": name,
                "client_id": name,
                "client_secret": "Connection-secret-" + name,
                "grant_type": "client_credentials",
            }
        ],
        **extra,
    }


def test_a_host_without_any_python_for_ansible_is_provisioned_checked_and_rerun(target, name):
    # Proof that the host cannot run a module: ping, the simplest one, fails there.
    ping = target.play([{"name": "ping", "ping": {}}], play_vars=NO_PYTHON)
    assert ping.rc != 0 and "/nonexistent/python3" in ping.output

    tasks = [{"name": "access", "edx_access": access(target, name)}]
    check = target.play(tasks, play_vars=NO_PYTHON, check=True, diff=True)
    assert check.rc == 0, check.output[-3000:]
    assert check.task("access")["result"]["changed"] is True and target.user(name) is None
    assert "Connection-secret-" + name not in check.output

    first = target.play(tasks, play_vars=NO_PYTHON)
    assert first.rc == 0 and first.task("access")["result"]["changed"] is True, first.output[-3000:]
    assert target.user(name)["is_staff"] is True and target.client(name)["owner"] == name

    boots = target.lms.boots()
    rerun = target.play(tasks, play_vars=NO_PYTHON)
    assert rerun.rc == 0 and rerun.task("access")["result"]["changed"] is False
    assert target.lms.boots() - boots == 1


def test_edx_user_and_edx_oauth_client_need_no_python_on_the_host_either(target, name):
    tasks = [
        {"name": "user", "edx_user": {**target.runner, "username": name, "email": f"{name}@example.com"}},
        {
            "name": "client",
            "edx_oauth_client": {
                **target.runner,
                "name": name,
                "owner": name,
                "client_id": name,
                "client_secret": "Connection-secret-" + name,
            },
        },
    ]
    run = target.play(tasks, play_vars=NO_PYTHON)
    assert run.rc == 0, run.output[-3000:]
    assert run.task("user")["result"]["users"][0]["action"] == "create"
    assert run.task("client")["result"]["clients"][0]["action"] == "create"


def test_a_bad_option_fails_on_the_controller_naming_it_before_the_lms_starts(target, name):
    boots = target.lms.boots()
    run = target.play(
        [{"name": "user", "edx_user": {**target.runner, "username": name, "shell": "bash"}}], play_vars=NO_PYTHON
    )
    assert run.rc != 0 and "shell" in run.task("user")["result"]["msg"]
    run = target.play(
        [{"name": "user", "edx_user": {**target.runner, "username": name + "\n", "email": "x@example.com"}}],
        play_vars=NO_PYTHON,
    )
    assert run.rc != 0 and "username" in run.task("user")["result"]["msg"]
    assert target.lms.boots() == boots


def test_the_tasks_environment_reaches_the_lms(target, name):
    """`environment:` on the task applies to the LMS process, as it would to a module."""
    task = {
        "name": "user",
        "edx_user": {**target.runner, "username": name, "email": f"{name}@example.com"},
        "environment": target.env,
    }
    run = target.play([task], env={"LMS_STATE_DIR": "/nonexistent"})  # the play's own environment is wrong
    assert run.rc == 0, run.output[-3000:]
    assert target.user(name) is not None


def test_without_the_action_plugin_the_module_says_so_and_changes_nothing(target, name, tmp_path):
    """library/ copied without action_plugins/: the LMS side never runs in the module process."""
    empty = tmp_path / "no_action_plugins"
    empty.mkdir()
    run = target.play(
        [{"name": "access", "edx_access": access(target, name)}],
        env={"ANSIBLE_ACTION_PLUGINS": str(empty)},
    )
    assert run.rc == 2, run.output[-2000:]
    msg = run.task("access")["result"]["msg"]
    assert msg.startswith("edx_access runs on the controller through its action plugin"), msg
    assert "action_plugins = ./action_plugins" in msg
    assert target.user(name) is None and target.client(name) is None


def direct_token(target, name, **extra):
    """An edx_token task with method direct for the client `name` (made by `access`)."""
    args = {**target.runner, "method": "direct", "client_id": name, **extra}
    return {"name": "token", "edx_token": args, "register": "made"}


SHOW = {"name": "show", "debug": {"var": "made"}}


def test_edx_token_direct_runs_on_the_controller_and_its_token_works(target, name, tmp_path):
    """method direct: one LMS start over the connection, a host without Python, the value never read back."""
    assert target.play([{"name": "access", "edx_access": access(target, name)}]).rc == 0
    cache = tmp_path / "controller-cache" / "tokens.json"
    boots = target.lms.boots()
    run = target.play([direct_token(target, name, cache_path=str(cache), expires_in=600), SHOW], play_vars=NO_PYTHON)
    assert run.rc == 0, run.output[-3000:]
    assert target.lms.boots() - boots == 1
    made = run.task("show")["result"]["made"]
    assert made["changed"] is False and made["cached"] is False and made["token_type"] == "bearer"
    assert 590 <= made["expires_in"] <= 600 and made["scope"] == "read write email profile"
    assert len(made["token"]) == 40 and made["token"] not in run.task("token")["result"].values()
    assert "censored" in run.task("token")["result"]  # hidden from output, kept in the registered variable
    assert made["token"] in target.tokens()
    answer = requests.get(
        target.url + "/api/enrollment/v1/enrollment", headers={"Authorization": "Bearer " + made["token"]}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    assert cache.exists() and oct(cache.stat().st_mode & 0o777) == "0o600"  # the cache is the controller's

    boots = target.lms.boots()
    again = target.play([direct_token(target, name, cache_path=str(cache), expires_in=600), SHOW])
    assert again.rc == 0 and target.lms.boots() == boots  # reused from the cache: no LMS start
    assert again.task("show")["result"]["made"]["token"] == made["token"]


@pytest.mark.parametrize(
    "extra, words",
    [
        ({"token_type": "jwt"}, "token_type jwt needs method endpoint"),
        ({"expires_in": 0}, "expires_in must be a positive number of seconds up to 315360000 (ten years), got 0"),
        ({"expires_in": 10**12}, "expires_in must be a positive number of seconds up to 315360000"),
        ({"username": "bad name\n"}, "username 'bad name\\n' is not valid"),
        ({"client_id": "bad\nid"}, "client_id 'bad\\nid' is not valid"),
        ({"client_id": "x" * 10000}, "client_id 'xxxx"),
        ({"client_secret": ""}, "client_secret is not used with method direct"),
        ({"password": "ab"}, "password is not used with method direct"),
    ],
)
def test_edx_token_direct_refuses_bad_options_before_the_lms_starts(target, name, tmp_path, extra, words):
    """Refused before the cache is read or the LMS starts, naming the option, in words no mask cut up."""
    assert target.play([{"name": "access", "edx_access": access(target, name)}]).rc == 0
    cache = tmp_path / "tokens.json"
    assert target.play([direct_token(target, name, cache_path=str(cache))]).rc == 0  # a valid token is cached
    boots = target.lms.boots()
    run = target.play([direct_token(target, name, cache_path=str(cache), **extra)])
    result = run.task("token")["result"]
    assert run.rc == 2 and words in result["msg"] and result["cause"] == "bad_option", run.output[-2000:]
    assert "********" not in result["msg"] and len(result["msg"]) < 1000
    assert target.lms.boots() == boots


def test_an_empty_password_is_refused_in_words_no_mask_cuts_up(target, name):
    user = {**target.runner, "username": name, "email": f"{name}@example.com", "password": ""}
    run = target.play([{"name": "user", "edx_user": user}])
    msg = run.task("user")["result"]["msg"]
    assert run.rc == 2 and msg.startswith("password is empty: leave it out"), msg


def test_edx_token_direct_for_an_unknown_client_says_what_to_do(target, name):
    run = target.play([direct_token(target, name + "-none")])
    assert run.rc == 2
    result = run.task("token")["result"]
    assert 'No OAuth2 client with client_id "%s-none"' % name in result["msg"] and result["cause"] == "lms"
