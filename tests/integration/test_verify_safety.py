"""The role's verify entry point cannot lie, and waits for an LMS that is restarting.

verify never reuses a cached token: it mints one with the configured credentials, so a wrong
secret or a client deleted by hand fails it even with a warm cache (a cached JWT stays valid after
its client is gone). Before the first HTTP request it waits for /heartbeat under one deadline.
"""

import json
import socket
import struct
import threading
import time

import pytest
from conftest import Target
from playbook import REPO, run_play, run_playbook

SECRET = "Verify-secret-" + "5b1d" * 4
TOKEN_TASK = "Mint an access token at the LMS's token endpoint"


def inventory(tmp_path, target, name, **overrides):
    host = {
        "ansible_connection": "local",
        "ansible_python_interpreter": str(target.lms.manage_prefix[0]),
        "edx_api_access_lms_url": target.url,
        "edx_api_access_runner": "command",
        "edx_api_access_manage_command": list(target.lms.manage_prefix),
        "edx_api_access_settings": target.lms.settings,
        "edx_api_access_environment": target.env,
        "edx_api_access_username": name,
        "edx_api_access_email": name + "@example.com",
        "edx_api_access_client_secret": SECRET,
        "edx_api_access_token_cache": str(tmp_path / "cache" / "tokens.json"),
    }
    host.update(overrides)
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps({"lms": {"hosts": {"lms1": host}}}))
    return path


def playbook(name, inv):
    return run_playbook(REPO / "playbooks" / f"{name}.yml", inventory=inv)


@pytest.fixture
def provisioned(target, tmp_path, name):
    """A service user and client made by the role, with a warm token cache that verify could reuse."""
    inv = inventory(tmp_path, target, name)
    run = playbook("provision", inv)
    assert run.rc == 0, run.output[-3000:]
    cache = json.loads((tmp_path / "cache" / "tokens.json").read_text())
    assert len(cache["tokens"]) == 1
    return inv


def test_verify_mints_even_with_a_warm_cache(target, tmp_path, name, provisioned):
    before = len(target.tokens())
    run = playbook("verify", provisioned)
    assert run.rc == 0, run.output[-3000:]
    assert len(target.tokens()) == before + 1  # a new token: the credentials were proven now
    rerun = playbook("provision", provisioned)
    assert rerun.rc == 0 and len(target.tokens()) == before + 1  # an unchanged provision reuses it


def test_verify_fails_with_a_wrong_secret_despite_a_warm_cache(target, tmp_path, name, provisioned):
    inv = inventory(tmp_path, target, name, edx_api_access_client_secret="Wrong-" + SECRET)
    run = playbook("verify", inv)
    assert run.rc != 0
    assert run.task(TOKEN_TASK)["status"] == "failed" and run.item(TOKEN_TASK)["cause"] == "invalid_client"
    assert "Wrong-" + SECRET not in run.output and SECRET not in run.output


def test_verify_fails_once_the_client_was_deleted_by_hand(target, tmp_path, name, provisioned):
    target.query(
        "import json\n"
        "from oauth2_provider.models import get_application_model\n"
        f"print(json.dumps(get_application_model().objects.filter(client_id={name!r}).delete()[0]))\n"
    )
    assert target.client(name) is None
    run = playbook("verify", provisioned)
    assert run.rc != 0
    assert run.task(TOKEN_TASK)["status"] == "failed" and run.item(TOKEN_TASK)["cause"] == "invalid_client"


def _reset_first_connection_then_start(lms, listener, done, down_for=4.0):
    """Reset the first connection the way a restarting LMS does, stay down a while (nothing listens:
    connection refused), then start the LMS on that port. The issue's LMS came back after 4.8 s, when
    the token step had given up after about 1.5 s of refused connections."""
    try:
        conn, _addr = listener.accept()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, no TIME_WAIT
        conn.close()
        listener.close()
        time.sleep(down_for)  # the scenario, not an assertion: the test counts attempts
        lms.start()
    finally:
        done.set()


def test_verify_waits_for_an_lms_that_comes_back(standin_factory, tmp_path, name):
    target = Target(standin_factory(name="restarting"))
    inv_vars = json.loads(inventory(tmp_path, target, name).read_text())["lms"]["hosts"]["lms1"]
    assert playbook("provision", inventory(tmp_path, target, name)).rc == 0
    target.lms.stop()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the provision's connections linger
    listener.bind(("127.0.0.1", target.lms.port))
    listener.listen(1)
    done = threading.Event()
    gate = threading.Thread(target=_reset_first_connection_then_start, args=(target.lms, listener, done), daemon=True)
    gate.start()
    run = run_play(
        [
            {"name": "verify", "include_role": {"name": "edx_api_access", "tasks_from": "verify"}},
            {"name": "timings", "debug": {"var": "edx_api_access_endpoint_tokens.results[0].timings"}},
        ],
        # No token cache: the token request itself is the first HTTP step, as in the issue.
        play_vars={k: v for k, v in inv_vars.items() if k not in ("ansible_connection", "edx_api_access_token_cache")},
    )
    assert done.wait(120)
    assert run.rc == 0, run.output[-3000:]
    timings = run.task("timings")["result"]["edx_api_access_endpoint_tokens.results[0].timings"]
    assert timings["heartbeat_attempts"] >= 3  # reset, then refused while the LMS was down
    assert timings["token_attempts"] == 1  # and the token was asked for only once it was up
    assert run.item("Check the enrollment API with the token")["status"] == 200


@pytest.mark.parametrize("token_type", ["jwt", "bearer"])
def test_verify_names_a_client_moved_to_another_staff_user_by_hand(target, tmp_path, name, token_type):
    """An operator gives the client to another (staff) user in Django admin: the API still answers 200, but
    the token acts as that user. verify fails naming both users and the client (JWT: its preferred_username
    claim; bearer: /api/user/v1/me)."""
    inv = inventory(tmp_path, target, name, edx_api_access_token_type=token_type)
    assert playbook("provision", inv).rc == 0
    other = name + "-admin"
    assert target.lms.manage("manage_user", other, other + "@example.com", "--staff").returncode == 0
    target.query(
        "import json\nfrom django.contrib.auth import get_user_model\n"
        "from oauth2_provider.models import get_application_model\n"
        f"app = get_application_model().objects.get(client_id={name!r})\n"
        f"app.user = get_user_model().objects.get(username={other!r})\napp.save()\nprint(json.dumps(1))\n"
    )
    assert target.client(name)["owner"] == other
    run = playbook("verify", inv)
    assert run.rc != 0
    result = run.item("Check the enrollment API with the token")
    assert result["cause"] == "wrong_user" and result["username"] == other
    assert f'The token acts as "{other}", not as "{name}"' in result["msg"]
    assert f'give it back to "{name}"' in result["msg"]
    shown = run.task("Show the enrollment API's answer")["result"]["msg"]
    assert shown.startswith(f"{name} (client {name}): The token acts as")
    assert SECRET not in run.output


def test_check_staff_false_turns_off_only_the_staff_check(target, tmp_path, name, provisioned):
    """edx_api_access_check_staff: false skips the staff lookup (for an LMS whose roles/ fails), while the
    flag stays edx_api_access_staff: the next run with the check on still names the drift."""
    target.query(
        "import json\nfrom django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.filter(username={name!r}).update(is_staff=False)\nprint(json.dumps(1))\n"
    )
    run = playbook("verify", inventory(tmp_path, target, name, edx_api_access_check_staff=False))
    assert run.rc == 0, run.output[-3000:]
    assert "is_staff" not in run.item("Check the enrollment API with the token")
    assert run.task("Show the enrollment API's answer")["result"]["msg"].endswith("staff true not checked")
    run = playbook("verify", inventory(tmp_path, target, name))
    assert run.rc != 0 and run.item("Check the enrollment API with the token")["cause"] == "drift"
