"""playbooks/provision.yml and verify.yml against stand-in LMS instances, as an operator runs them."""

import contextlib
import json
import socket
import threading
import time
from pathlib import Path

import pytest
from conftest import Target
from fakes import HEALTHY, FakeServer
from playbook import play, recap_changed

SECRET = "Client-secret-7f3a9c"
PASSWORD = "User-password-4d2e8b"


def inventory(tmp_path, target, **overrides):
    host = {
        **target.role_host,
        "edx_api_access_username": "svc-api",
        "edx_api_access_email": "svc-api@example.com",
        "edx_api_access_password": PASSWORD,
        "edx_api_access_client_secret": SECRET,
    }
    host.update(overrides)
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps({"lms": {"hosts": {"lms1": host}}}))
    return path


LMS_TASK = "Ensure the service users and their OAuth2 clients on the LMS"


def account_inventory(tmp_path, target, name, **overrides):
    """The inventory of one account named `name` on `target`."""
    return inventory(
        tmp_path, target, edx_api_access_username=name, edx_api_access_email=f"{name}@example.com", **overrides
    )


def test_check_first_then_converge_then_nothing_left_to_change_one_lms_start_each(fresh_target, tmp_path):
    inv = inventory(tmp_path, fresh_target)
    before = fresh_target.snapshot()
    boots = fresh_target.lms.boots()

    run = play("provision", inv, "--check", "--diff")
    assert run.rc == 0, run.output
    assert recap_changed(run) == 1
    assert "+    username: svc-api" in run.stdout and "+    client_id: svc-api" in run.stdout
    assert "would change" in run.stdout
    assert run.task("Check the enrollment API with the token")["status"] == "skipped"
    assert fresh_target.lms.boots() - boots == 1
    assert fresh_target.snapshot() == before

    boots = fresh_target.lms.boots()
    run = play("provision", inv)
    assert run.rc == 0 and recap_changed(run) == 1, run.output
    assert fresh_target.lms.boots() - boots == 1
    check = run.item("Check the enrollment API with the token")
    assert check["status"] == 200 and check["enrollments"] == []
    shown = run.task("Show the enrollment API's answer")["result"]["msg"]
    assert shown == (
        f"GET {fresh_target.url}/api/enrollment/v1/enrollment as svc-api with a jwt token answered 200: []; "
        "client svc-api, staff true as expected"
    )

    boots = fresh_target.lms.boots()
    run = play("provision", inv)
    assert run.rc == 0 and recap_changed(run) == 0, run.output
    assert fresh_target.lms.boots() - boots == 1
    boots = fresh_target.lms.boots()
    run = play("provision", inv, "--check", "--diff")
    assert run.rc == 0 and recap_changed(run) == 0
    assert run.item("Check the enrollment API with the token")["status"] == 200
    assert fresh_target.lms.boots() - boots == 1
    boots = fresh_target.lms.boots()
    assert play("verify", inv).rc == 0
    assert fresh_target.lms.boots() - boots == 0


def test_a_client_that_cannot_be_applied_leaves_no_new_user(target, tmp_path, name):
    """The client_id belongs to someone else: the run fails naming the owner and creates nothing."""
    target.lms.manage("manage_user", name + "-other", f"{name}-other@example.com")
    target.lms.manage("create_dot_application", "theirs", name + "-other", "--client-id", name + "-taken")
    before = target.snapshot()
    run = play("provision", account_inventory(tmp_path, target, name, edx_api_access_client_id=name + "-taken"))
    assert run.rc != 0
    assert f'belongs to "{name}-other"' in run.task(LMS_TASK)["result"]["msg"]
    # Told in the role's terms (issue 17.25): its variables, and no owner change, which the role does not offer.
    msg = run.task("Fail in the role's terms")["result"]["msg"]
    assert f'belongs to "{name}-other", not to edx_api_access_username "{name}"' in msg, msg
    assert "fix edx_api_access_client_id (or edx_api_access_username)" in msg
    assert "move or delete that client on the LMS by hand first" in msg
    assert "allow_owner_change" not in msg and "clients[0]" not in msg
    assert target.snapshot() == before and target.user(name) is None


def test_two_clients_named_by_one_account_are_told_in_the_roles_terms(target, tmp_path, name):
    """Its client_id names one client, its username and client_name another (issue 17.25)."""
    target.lms.manage("manage_user", name, f"{name}@example.com")
    target.lms.manage("create_dot_application", name, name, "--client-id", name + "-1")
    target.lms.manage("create_dot_application", "other", name, "--client-id", name + "-2")
    before = target.snapshot()
    run = play("provision", account_inventory(tmp_path, target, name, edx_api_access_client_id=name + "-2"))
    msg = run.task("Fail in the role's terms")["result"]["msg"]
    assert f'but username "{name}" and client_name "{name}" name another one' in msg, msg
    assert msg.startswith("edx_api_access_client_id names")
    assert target.snapshot() == before


def test_a_user_that_cannot_be_applied_leaves_no_client(target, tmp_path, name):
    """The e-mail is another user's: the run fails naming that user and creates no client."""
    target.lms.manage("manage_user", name + "-first", f"{name}@example.com")
    before = target.snapshot()
    inv = inventory(tmp_path, target, edx_api_access_username=name, edx_api_access_email=f"{name}@example.com")
    run = play("provision", inv)
    assert run.rc != 0 and f'already belongs to user "{name}-first"' in run.task(LMS_TASK)["result"]["msg"]
    assert target.snapshot() == before and target.client(name) is None


def test_drift_made_by_hand_is_converged(target, tmp_path, name):
    inv = inventory(tmp_path, target, edx_api_access_username=name, edx_api_access_email=f"{name}@example.com")
    assert play("provision", inv).rc == 0
    target.query(
        "import json\nfrom django.contrib.auth import get_user_model\n"
        "from oauth2_provider.models import get_application_model\n"
        f"get_user_model().objects.filter(username={name!r}).update(is_active=False)\n"
        f"get_application_model().objects.filter(client_id={name!r}).update(client_type='public', "
        "skip_authorization=True, redirect_uris='https://evil.example.com/cb')\nprint(json.dumps(1))\n"
    )
    run = play("provision", inv, "--diff")
    assert run.rc == 0 and recap_changed(run) == 1, run.output[-3000:]
    result = run.task(LMS_TASK)["result"]
    assert result["users"][0]["changes"] == ["is_active"]
    assert sorted(result["clients"][0]["changes"]) == ["client_type", "redirect_uris", "skip_authorization"]
    held = target.client(name)
    assert (held["client_type"], held["skip"], held["redirect_uris"]) == ("confidential", False, "")


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"edx_api_access_lms_url": "127.0.0.1:18555"}, "edx_api_access_lms_url must be the LMS's root URL"),
        ({"edx_api_access_lms_url": "http://user:pass@127.0.0.1:18555"}, "no user or password in it"),
        ({"edx_api_access_lms_url": "http://127.0.0.1:18555\n"}, "no spaces or line breaks"),
        ({"edx_api_access_email": ["a@example.com"]}, "edx_api_access_email must be a single string, got list"),
        ({"edx_api_access_username": 42}, "edx_api_access_username must be a single string, got int"),
        ({"edx_api_access_settings": "production; id"}, "edx_api_access_settings must name a settings module"),
        ({"edx_api_access_settings": "production\n"}, "edx_api_access_settings must name a settings module"),
        ({"edx_api_access_settings": "lms.envs.production"}, "without lms.envs. before it"),
        ({"edx_api_access_environment": "LMS_STATE_DIR=/x"}, "edx_api_access_environment must be a mapping"),
        ({"edx_api_access_environment": {"X=1;touch /tmp/pwned;Y": "x"}}, "edx_api_access_environment must be a"),
        ({"edx_api_access_environment": {"BAD NAME": "x"}}, "edx_api_access_environment must be a mapping"),
        ({"edx_api_access_lms_url": ["http://u:Canary-pw@127.0.0.1:1"]}, "(its value is not shown"),
        ({"edx_api_access_check_timeout": 0}, "edx_api_access_check_timeout, edx_api_access_request_timeout and"),
        ({"edx_api_access_direct_token_lifetime": 10**12}, "edx_api_access_direct_token_lifetime from 1 to 315360000"),
    ],
)
def test_every_role_input_is_checked_before_the_first_change(target, tmp_path, name, overrides, words):
    before = target.snapshot()
    boots = target.lms.boots()
    inv = inventory(tmp_path, target, edx_api_access_username=name, edx_api_access_email=f"{name}@example.com")
    inv_data = json.loads(inv.read_text())
    inv_data["lms"]["hosts"]["lms1"].update(overrides)
    inv.write_text(json.dumps(inv_data))
    run = play("provision", inv)
    assert run.rc != 0 and words in run.output and "Canary-pw" not in run.output
    assert target.lms.boots() == boots and target.snapshot() == before


def test_diff_shows_what_changes_without_secrets(target, tmp_path, name):
    inv = inventory(tmp_path, target, edx_api_access_username=name, edx_api_access_email=f"{name}@example.com")
    play("provision", inv)
    inv = inventory(
        tmp_path,
        target,
        edx_api_access_username=name,
        edx_api_access_email=f"{name}@example.com",
        edx_api_access_staff=False,
        edx_api_access_client_secret="Rotated-secret-99",
        edx_api_access_password="Rotated-password-98",
    )
    run = play("provision", inv, "--check", "--diff")
    assert run.rc == 0
    assert "-    is_staff: true" in run.stdout and "+    is_staff: false" in run.stdout
    assert "+    client_secret: '******** (changed)'" in run.stdout
    assert "+    password: '******** (changed)'" in run.stdout
    for secret in (SECRET, PASSWORD, "Rotated-secret-99", "Rotated-password-98"):
        assert secret not in run.output


def test_no_secret_in_vvv_output_nor_on_any_command_line(fresh_target, tmp_path):
    inv = inventory(tmp_path, fresh_target, edx_api_access_token_type="bearer")
    seen = set()

    def sample(proc):
        def watch():
            while proc.poll() is None:
                for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                    with contextlib.suppress(OSError):  # processes come and go while we read
                        seen.add(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
                time.sleep(0.01)

        threading.Thread(target=watch, daemon=True).start()

    run = play("provision", inv, "-vvv", popen_hook=sample)
    assert run.rc == 0, run.output[-3000:]
    tokens = fresh_target.tokens()
    assert tokens, "the run minted a token"
    assert any("manage.py lms --settings=production shell -c" in line for line in seen), "sampled the LMS process"
    for secret in (SECRET, PASSWORD, *tokens):
        assert secret not in run.output
        assert not [line for line in seen if secret in line]


def test_user_with_another_email_fails_clearly_and_changes_nothing(target, tmp_path, name):
    target.lms.manage("manage_user", name, f"{name}@elsewhere.example.com")
    before = target.snapshot()
    inv = inventory(tmp_path, target, edx_api_access_username=name, edx_api_access_email=f"{name}@example.com")
    run = play("provision", inv)
    assert run.rc != 0
    msg = run.task(LMS_TASK)["result"]["msg"]
    assert f"{name}@elsewhere.example.com" in msg and f"{name}@example.com" in msg
    assert target.snapshot() == before


def closed_port():
    """A 127.0.0.1 port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("mistake", ["path", "another site", "port"])
def test_a_wrong_lms_url_fails_before_the_lms_side_runs(target, tmp_path, name, mistake):
    """Issue 17.9: a typo in edx_api_access_lms_url is found by one HTTP check before the LMS starts."""
    site = FakeServer({"/heartbeat": HEALTHY, "/api/enrollment/v1/enrollment": (200, {}, "<html>Welcome</html>")})
    urls = {"path": target.url + "/lms", "another site": site.url, "port": "http://127.0.0.1:%d" % closed_port()}
    words = {
        "path": "lms_url does not point at the LMS root",
        "another site": "something other than the LMS answers at lms_url",
        "port": "Connection refused",
    }
    before, boots = target.snapshot(), target.lms.boots()
    inv = inventory(
        tmp_path,
        target,
        edx_api_access_username=name,
        edx_api_access_email=f"{name}@example.com",
        edx_api_access_lms_url=urls[mistake],
        edx_api_access_check_timeout=3,
    )
    with site:
        run = play("provision", inv)
    failed = run.task("Check that edx_api_access_lms_url reaches the LMS")
    assert run.rc != 0 and failed["status"] == "failed", run.output[-3000:]
    assert words[mistake].lower() in failed["result"]["msg"].lower(), failed["result"]["msg"]
    assert not [result for result in run.results if result["task"].endswith(LMS_TASK)]  # never started
    assert target.lms.boots() == boots and target.snapshot() == before


@pytest.mark.parametrize(
    "overrides, words",
    [
        (
            {"edx_api_access_client_secret": 13613613613613613613},
            "edx_api_access_client_secret must be a single string",
        ),
        (
            {"edx_api_access_grant_type": "password", "edx_api_access_password": ["Pw-13613613613613"]},
            "edx_api_access_password must be a single string, got list (its value is not shown)",
        ),
        ({"edx_api_access_client_secret": None}, "edx_api_access_client_secret must be a single string, got NoneType"),
        ({"edx_api_access_client_id": None}, "edx_api_access_client_id must be a single string, got NoneType"),
    ],
)
def test_a_wrong_typed_or_null_secret_is_refused_unshown_before_anything_runs(target, tmp_path, name, overrides, words):
    """Issue 17.1 and 17.7: a bare number, a list or a null, as an inventory or -e JSON gives them."""
    before, boots = target.snapshot(), target.lms.boots()
    inv = inventory(tmp_path, target, edx_api_access_username=name, edx_api_access_email=f"{name}@example.com")
    run = play("provision", inv, "-e", json.dumps(overrides))
    assert run.rc != 0 and words in run.output, run.output[-2000:]
    assert "13613613613613" not in run.output
    assert target.lms.boots() == boots and target.snapshot() == before


@pytest.mark.parametrize(
    "overrides, where, words",
    [
        ({"edx_api_access_email": "not-an-email"}, LMS_TASK, "email 'not-an-email' is not valid"),
        ({"edx_api_access_runner": "kubernetes"}, None, "edx_api_access_runner"),
        (
            {"edx_api_access_grant_type": "password", "edx_api_access_password": None},
            "Check every account",
            "which needs edx_api_access_password",
        ),
    ],
)
def test_bad_input_fails_with_the_option_named(target, tmp_path, name, overrides, where, words):
    before = target.snapshot()
    inv = inventory(tmp_path, target, edx_api_access_username=name, **overrides)
    run = play("provision", inv)
    assert run.rc != 0 and words in run.output
    if where:
        failed = run.task(where)
        assert failed["status"] == "failed" and words in json.dumps(failed["result"])
    assert target.snapshot() == before


def test_verify_names_drift_made_on_the_lms(target, tmp_path, name):
    """verify never starts the LMS, but it sees a service user demoted by hand and says so."""
    inv = inventory(tmp_path, target, edx_api_access_username=name, edx_api_access_email=f"{name}@example.com")
    assert play("provision", inv).rc == 0
    run = play("verify", inv)
    assert run.rc == 0 and run.item("Check the enrollment API with the token")["is_staff"] is True
    target.query(
        "import json\nfrom django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.filter(username={name!r}).update(is_staff=False)\nprint(json.dumps(1))\n"
    )
    boots = target.lms.boots()
    run = play("verify", inv)
    assert run.rc != 0 and target.lms.boots() == boots
    result = run.item("Check the enrollment API with the token")
    assert result["cause"] == "drift" and "is not global staff" in result["msg"]
    assert play("provision", inv).rc == 0 and play("verify", inv).rc == 0


def test_verify_with_a_wrong_secret_names_the_option_and_changes_nothing(target, tmp_path, name):
    inv = inventory(tmp_path, target, edx_api_access_username=name, edx_api_access_email=f"{name}@example.com")
    play("provision", inv)
    before = target.snapshot()
    inv = inventory(tmp_path, target, edx_api_access_username=name, edx_api_access_client_secret="Wrong-secret-1")
    run = play("verify", inv)
    assert run.rc != 0
    result = run.item("Mint an access token at the LMS's token endpoint")
    assert result["cause"] == "invalid_client" and "client_secret" in result["msg"]
    assert "Wrong-secret-1" not in run.output
    assert target.snapshot() == before


def test_verify_explains_an_lms_that_is_down(standin_factory, tmp_path):
    down = Target(standin_factory(name="down"))
    inv = inventory(tmp_path, down, edx_api_access_check_timeout=2)
    down.lms.stop()
    run = play("verify", inv)
    assert run.rc != 0
    result = run.item("Mint an access token at the LMS's token endpoint")
    assert result["cause"] == "connection_refused"
    assert down.url.split("//")[1] in result["msg"] and "lms_url" in result["msg"]
    assert result["timings"]["heartbeat_attempts"] >= 2  # waited for it to come back, until the deadline


def test_oauth2_provider_off_is_explained_and_direct_tokens_still_work(standin_factory, tmp_path):
    off = Target(standin_factory(settings="oauth2_off", name="oauth-off"))
    run = play("provision", inventory(tmp_path, off))
    assert run.rc != 0
    result = run.item("Mint an access token at the LMS's token endpoint")
    assert result["cause"] == "oauth2_disabled" and "ENABLE_OAUTH2_PROVIDER" in result["msg"]

    direct = inventory(tmp_path, off, edx_api_access_token_method="direct")
    run = play("provision", direct)
    assert run.rc == 0, run.output[-3000:]
    check = run.item("Check the enrollment API with the token")
    assert check["status"] == 200 and check["token_type"] == "bearer"

    # verify makes a new token inside the LMS (one start), reported as no change.
    boots = off.lms.boots()
    run = play("verify", direct)
    assert run.rc == 0 and recap_changed(run) == 0, run.output[-3000:]
    assert run.item("Check the enrollment API with the token")["status"] == 200
    assert off.lms.boots() - boots == 1


def test_hashed_secrets_a_rotated_secret_is_reported_and_works(standin_factory, tmp_path):
    hashed = Target(standin_factory(settings="hashed_secrets", name="hashed-play"))
    assert play("provision", inventory(tmp_path, hashed)).rc == 0
    run = play("provision", inventory(tmp_path, hashed))
    assert recap_changed(run) == 0
    run = play("provision", inventory(tmp_path, hashed, edx_api_access_client_secret="Rotated-secret-77"))
    assert run.rc == 0 and recap_changed(run) == 1
    assert run.task(LMS_TASK)["result"]["clients"][0]["changes"] == ["client_secret"]
    assert run.item("Check the enrollment API with the token")["status"] == 200


def test_password_grant_and_token_cache(target, tmp_path, name):
    cache = tmp_path / "tokens.json"
    inv = inventory(
        tmp_path,
        target,
        edx_api_access_username=name,
        edx_api_access_email=f"{name}@example.com",
        edx_api_access_grant_type="password",
        edx_api_access_token_cache=str(cache),
    )
    run = play("provision", inv)
    assert run.rc == 0, run.output[-3000:]
    assert run.item("Check the enrollment API with the token")["status"] == 200
    assert oct(cache.stat().st_mode & 0o777) == "0o600"
    tokens = len(target.tokens())
    run = play("provision", inv)
    assert run.rc == 0 and len(target.tokens()) == tokens  # an unchanged provision reuses the cached token
    run = play("verify", inv)
    assert run.rc == 0 and run.item("Mint an access token at the LMS's token endpoint").get("censored")
    assert len(target.tokens()) == tokens + 1  # verify always mints, to prove the credentials work now
    assert len(json.loads(cache.read_text())["tokens"]) == 1  # the fresh token replaced the cached one
