"""Many service accounts on one LMS host (edx_api_access_accounts): one LMS start per run for all of
them, every account's own token proven against the API, and a teardown that removes exactly them."""

import base64
import json
import os

import pytest
import requests
from playbook import play, recap_changed, run_playbook

LMS_TASK = "Ensure the service users and their OAuth2 clients on the LMS"


def account(index, **fields):
    name = "svc-%02d" % index
    return {
        "username": name,
        "email": name + "@example.com",
        "client_secret": "Secret-of-%s-0123456789" % name,
        **fields,
    }


def inventory(tmp_path, target, accounts, **overrides):
    host = {**target.role_host, "edx_api_access_accounts": accounts, **overrides}
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps({"lms": {"hosts": {"lms1": host}}}))
    return path


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def api_status(target, token, token_type):
    answer = requests.get(
        target.url + "/api/enrollment/v1/enrollment",
        headers={"Authorization": "%s %s" % ("JWT" if token_type.lower() == "jwt" else "Bearer", token)},
        timeout=10,
    )
    return answer.status_code


SHOW_TOKENS = [{"name": "show tokens", "ansible.builtin.debug": {"var": "edx_api_access_tokens"}}]


def tokens_of(target, inv, tmp_path):
    """Every account's own token, as a later task of the play gets it (edx_api_access_tokens)."""
    playbook = tmp_path / "tokens.yml"
    playbook.write_text(
        json.dumps(
            [
                {
                    "hosts": "lms",
                    "gather_facts": False,
                    "tasks": [
                        {"ansible.builtin.include_role": {"name": "edx_api_access", "tasks_from": "verify"}},
                        *SHOW_TOKENS,
                    ],
                }
            ]
        )
    )
    run = run_playbook(playbook, inventory=inv)
    assert run.rc == 0, run.output[-3000:]
    return run.task("show tokens")["result"]["edx_api_access_tokens"]


def test_ten_accounts_one_lms_start_per_run_each_token_works_and_deprovision_removes_exactly_them(
    fresh_target, tmp_path
):
    target = fresh_target
    accounts = [account(i) for i in range(10)]
    accounts[3].update(staff=False, token_type="bearer")
    accounts[7].update(client_name="reporting", client_id="reporting-client")
    inv = inventory(tmp_path, target, accounts)
    # Someone else's client with the same name as account 7's, and an unrelated user: both must survive.
    assert target.lms.manage("manage_user", "bystander", "bystander@example.com").returncode == 0
    made = target.lms.manage("create_dot_application", "reporting", "bystander", "--client-id", "bystander-reporting")
    assert made.returncode == 0, made.stderr
    before = target.snapshot()

    def run(name, *args):
        """The playbook's run and the LMS starts it made (state queries of this test start it too)."""
        boots = target.lms.boots()
        ran = play(name, inv, *args)
        return ran, target.lms.boots() - boots

    checked, starts = run("provision", "--check", "--diff")
    assert checked.rc == 0 and starts == 1, checked.output[-3000:]
    assert target.snapshot() == before

    first, starts = run("provision")
    assert first.rc == 0 and starts == 1, first.output[-3000:]  # one start for all ten accounts
    result = first.task(LMS_TASK)["result"]
    assert result["changed"] is True and recap_changed(first) == 1
    assert [entry["action"] for entry in result["users"] + result["clients"]] == ["create"] * 20
    shown = first.task("Show the enrollment API's answer")["result"]["msg"]
    assert len(shown) == 10 and all(" answered 200: []; client " in line for line in shown), shown
    assert "as svc-03 with a bearer token answered 200: []; client svc-03, staff false as expected" in shown[3]
    assert shown[7].endswith("; client reporting-client, staff true as expected")
    assert target.user("svc-03")["is_staff"] is False and target.client("reporting-client")["owner"] == "svc-07"

    rerun, starts = run("provision")
    assert rerun.rc == 0 and recap_changed(rerun) == 0 and starts == 1, rerun.output[-3000:]

    boots = target.lms.boots()
    tokens = tokens_of(target, inv, tmp_path)
    assert target.lms.boots() == boots  # verify starts the LMS 0 times
    assert [token["username"] for token in tokens] == [a["username"] for a in accounts]
    for token, wanted in zip(tokens, accounts, strict=True):
        assert token["token_type"].lower() == wanted.get("token_type", "jwt")
        assert api_status(target, token["token"], token["token_type"]) == 200
        if token["token_type"].lower() == "jwt":
            assert jwt_claims(token["token"])["preferred_username"] == wanted["username"]  # each account's own

    gone, starts = run("deprovision", "--check", "--diff")
    assert gone.rc == 0 and recap_changed(gone) == 1 and starts == 1, gone.output[-3000:]
    assert target.user("svc-00") is not None
    gone, starts = run("deprovision")
    assert gone.rc == 0 and recap_changed(gone) == 1 and starts == 1, gone.output[-3000:]
    removed = gone.task(LMS_TASK)["result"]
    assert [entry["action"] for entry in removed["users"] + removed["clients"]] == ["delete"] * 20
    assert target.snapshot() == before  # exactly those ten accounts; the bystander and its client remain
    assert target.client("bystander-reporting")["owner"] == "bystander"
    again, starts = run("deprovision")
    assert again.rc == 0 and recap_changed(again) == 0 and starts == 1


def test_a_failing_account_is_named_and_the_others_are_still_checked(fresh_target, tmp_path):
    target = fresh_target
    accounts = [account(i) for i in range(3)]
    inv = inventory(tmp_path, target, accounts)
    assert play("provision", inv).rc == 0
    # svc-01's user is made non-staff by hand, so its check finds drift; the others still pass.
    query = "from django.contrib.auth.models import User; User.objects.filter(username='svc-01').update(is_staff=False)"
    assert target.lms.manage("shell", "-c", query).returncode == 0
    run = play("verify", inv)
    assert run.rc == 2
    failed = run.task("Fail naming the accounts whose API check failed")["result"]["msg"]
    assert "failed for svc-01 " in failed and "the other accounts passed" in failed
    shown = run.task("Show the enrollment API's answer")["result"]["msg"]
    assert (
        shown[0].startswith("GET ")
        and shown[2].startswith("GET ")
        and shown[1].startswith("svc-01 (client svc-01): Drift")
    )


def test_removing_a_user_with_other_clients_needs_remove_owned_clients(fresh_target, tmp_path):
    target = fresh_target
    inv = inventory(tmp_path, target, [account(0)])
    assert play("provision", inv).rc == 0
    assert target.lms.manage("create_dot_application", "extra", "svc-00", "--client-id", "svc-00-extra").returncode == 0
    before = target.snapshot()
    refused = play("deprovision", inv)
    assert refused.rc == 2 and '"svc-00-extra"' in refused.task(LMS_TASK)["result"]["msg"]
    said = refused.task("Fail in the role's terms")["result"]["msg"]
    assert "or set edx_api_access_remove_owned_clients: true to delete them with the user" in said, said
    assert target.snapshot() == before
    removed = play("deprovision", inventory(tmp_path, target, [account(0)], edx_api_access_remove_owned_clients=True))
    assert removed.rc == 0 and target.user("svc-00") is None and target.client("svc-00-extra") is None


@pytest.mark.parametrize(
    "accounts, words",
    [
        (
            [account(0), account(1, client_id="svc-00")],
            'edx_api_access_accounts names client_id "svc-00" more than once',
        ),
        ([account(0), account(0)], 'edx_api_access_accounts names username "svc-00" more than once'),
        (
            [account(0), account(1), account(2), {"username": "svc-03", "email": "x@example.com"}],
            "edx_api_access_accounts[3].client_secret is required.",
        ),
        (
            [account(0), account(1, client_secret=None)],
            "edx_api_access_accounts[1].client_secret must be a single string, got NoneType (its value is not shown)",
        ),
        ([account(0, client_id=12)], "edx_api_access_accounts[0].client_id must be a single string, got int"),
        ([account(0, clinet_id="x")], "edx_api_access_accounts[0] has unknown fields (clinet_id)"),
        ([account(0, state="gone")], "edx_api_access_accounts[0].state must be one of present, absent."),
        ([account(0, grant_type="password")], "edx_api_access_accounts[0].grant_type is password, which needs"),
        ([account(0, staff="maybe")], "edx_api_access_accounts[0].staff must be true or false."),
        (["svc-00"], "edx_api_access_accounts[0] must be a mapping"),
        ([], "edx_api_access_accounts is empty"),
    ],
)
def test_bad_accounts_are_refused_naming_the_field_before_the_lms_starts(target, tmp_path, accounts, words):
    inv = inventory(tmp_path, target, accounts)
    boots = target.lms.boots()
    run = play("provision", inv)
    assert run.rc == 2 and words in run.output, run.output[-3000:]
    assert target.lms.boots() == boots
    assert "Secret-of-" not in run.output  # no secret in any message


def test_the_single_account_variables_and_the_list_are_not_mixed(target, tmp_path):
    inv = inventory(tmp_path, target, [account(0)], edx_api_access_email="x@example.com")
    run = play("provision", inv)
    assert run.rc == 2 and "Set either edx_api_access_accounts or the single-account variables" in run.output


def test_direct_tokens_for_several_accounts_take_one_lms_start_in_verify_too(fresh_target, tmp_path):
    target = fresh_target
    accounts = [account(0, scopes=["user_id"]), account(1, token_method="direct"), account(2, token_method="direct")]
    inv = inventory(tmp_path, target, accounts)
    boots = target.lms.boots()
    first = play("provision", inv)
    assert first.rc == 0 and target.lms.boots() - boots == 1, first.output[-3000:]  # users, clients and tokens
    shown = first.task("Show the enrollment API's answer")["result"]["msg"]
    assert "as svc-01 with a bearer token answered 200" in shown[1] and "as svc-02 with a bearer" in shown[2]
    assert target.client("svc-00")["scopes"] == ["user_id"] and target.client("svc-01")["scopes"] is None
    boots = target.lms.boots()
    tokens = tokens_of(target, inv, tmp_path)
    assert target.lms.boots() - boots == 1  # both direct accounts' new tokens in one start
    assert [token["token_type"].lower() for token in tokens] == ["jwt", "bearer", "bearer"]
    for token in tokens:
        assert api_status(target, token["token"], token["token_type"]) == 200
    assert len({token["token"] for token in tokens}) == 3
    # Check mode makes no direct token (a row in the LMS's database) and says why it checks no API (17.14).
    rows = len(target.tokens())
    checked = play("provision", inv, "--check")
    assert checked.rc == 0 and recap_changed(checked) == 0, checked.output[-3000:]
    said = checked.task("Say why check mode stops before the tokens")["result"]["msg"]
    assert "a direct token (token_method direct) would be a row in the LMS's database" in said
    assert len(target.tokens()) == rows


def test_a_failure_names_the_accounts_field_not_the_modules_option(target, tmp_path):
    """Issue 17.25: clients[2].client_id is edx_api_access_accounts[2].client_id to the role's user."""
    taken = "svc-taken-" + base64.b32encode(os.urandom(5)).decode().lower()
    target.lms.manage("manage_user", taken, taken + "@example.com")
    target.lms.manage("create_dot_application", "theirs", taken, "--client-id", taken)
    accounts = [account(0), account(1), dict(account(2), client_id=taken)]
    before = target.snapshot()
    run = play("provision", inventory(tmp_path, target, accounts))
    assert run.rc != 0
    msg = run.task("Fail in the role's terms")["result"]["msg"]
    assert f'belongs to "{taken}", not to edx_api_access_accounts[2].username' in msg, msg
    assert "fix edx_api_access_accounts[2].client_id (or edx_api_access_accounts[2].username)" in msg
    assert "clients[2]" not in msg and "allow_owner_change" not in msg
    assert target.snapshot() == before
