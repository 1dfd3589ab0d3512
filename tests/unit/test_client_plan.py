"""edx_oauth_client's decisions and the create_dot_application argv that carries them out."""

import pytest
from ansible.module_utils.edx_provision.inlms.base import ProvisionError
from ansible.module_utils.edx_provision.inlms.clients import command_args, plan_client, secret_matches

HAVE = {
    "client_id": "bot",
    "name": "bot",
    "owner": "svc",
    "client_type": "confidential",
    "grant_type": "client_credentials",
    "redirect_uris": [],
    "skip_authorization": False,
    "scopes": [],
    "filters": [],
}


def want(**options):
    base = dict(
        where="",
        name=None,
        owner=None,
        client_id=None,
        client_secret=None,
        grant_type=None,
        client_type=None,
        redirect_uris=None,
        scopes=None,
        skip_authorization=None,
        state="present",
        return_secret=False,
    )
    base.update(options)
    return base


def test_creation_takes_the_command_defaults_for_options_left_out():
    plan = plan_client(want(name="bot", owner="svc"), None, True, new_client_id="generated-id")
    assert plan["action"] == "create"
    assert plan["after"] == dict(HAVE, client_id="generated-id")
    assert command_args(plan, secret="s3") == (
        ["bot", "svc"],
        {
            "grant_type": "client-credentials",
            "redirect_uris": "",
            "client_id": "generated-id",
            "public": False,
            "skip_authorization": False,
            "update": False,
            "client_secret": "s3",
        },
    )


def test_update_passes_every_option_so_update_resets_nothing():
    have = dict(HAVE, client_type="public", skip_authorization=True, redirect_uris=["https://a/cb"], scopes=["user_id"])
    plan = plan_client(want(client_id="bot", grant_type="password"), have, True)
    assert plan["changes"] == ["grant_type"]
    assert command_args(plan) == (
        ["bot", "svc"],
        {
            "grant_type": "password",
            "redirect_uris": "https://a/cb",
            "client_id": "bot",
            "public": True,
            "skip_authorization": True,
            "scopes": "user_id",
            "update": True,
        },
    )


def test_unchanged_client_and_matching_secret_is_a_no_op():
    plan = plan_client(want(client_id="bot", client_secret="s3", grant_type="client_credentials"), HAVE, True)
    assert plan["action"] == "none"


def test_a_different_secret_is_a_change_even_though_it_cannot_be_read_back():
    plan = plan_client(want(client_id="bot", client_secret="new"), HAVE, secret_matches=False)
    assert plan["changes"] == ["client_secret"] and plan["after"] == HAVE


def test_another_owners_client_is_never_taken_over_without_allow_owner_change():
    with pytest.raises(ProvisionError, match=r'belongs to "svc".*allow_owner_change: true') as failure:
        plan_client(want(client_id="bot", owner="other", name="renamed"), HAVE, True)
    assert "Nothing was changed" in str(failure.value)
    plan = plan_client(want(client_id="bot", owner="other", name="renamed", allow_owner_change=True), HAVE, True)
    assert plan["changes"] == ["name", "owner"]


def test_the_same_owner_may_rename_its_client():
    assert plan_client(want(client_id="bot", owner="svc", name="renamed"), HAVE, True)["changes"] == ["name"]


def test_a_client_is_never_re_keyed_to_another_client_id():
    with pytest.raises(ProvisionError, match=r'client_id "bot".*never changes the client_id.*set client_id to "bot"'):
        plan_client(want(client_id="new-id", owner="svc", name="bot"), None, True, by_name=HAVE)


def test_client_id_and_owner_name_naming_two_clients_fail():
    other = dict(HAVE, client_id="other-id")
    with pytest.raises(ProvisionError, match="name another one"):
        plan_client(want(client_id="bot", owner="svc", name="bot"), HAVE, True, by_name=other)


def test_absent_deletes_only_what_matches_every_identity_given():
    with pytest.raises(ProvisionError, match=r"not its owner as given"):
        plan_client(want(client_id="bot", owner="mallory", state="absent"), HAVE, True)
    assert plan_client(want(client_id="bot", owner="svc", name="bot", state="absent"), HAVE, True)["action"] == "delete"
    # the given client_id does not exist: the client that owner and name match is not deleted instead
    assert (
        plan_client(want(client_id="gone", owner="svc", name="bot", state="absent"), None, True, by_name=HAVE)["action"]
        == "none"
    )


def test_scopes_are_compared_as_a_set_and_filters_are_kept():
    have = dict(HAVE, scopes=["read", "write"], filters=["content_org:X"])
    assert plan_client(want(client_id="bot", scopes=["write", "read"]), have, True)["action"] == "none"
    plan = plan_client(want(client_id="bot", scopes=[]), have, True)
    assert plan["changes"] == ["scopes"] and plan["after"]["filters"] == ["content_org:X"]


def test_creating_without_name_and_owner_names_the_missing_options():
    with pytest.raises(ProvisionError, match=r"clients\[0\].name and clients\[0\].owner"):
        plan_client(want(where="clients[0]", client_id="nope"), None, True)


def test_redirect_grants_need_redirect_uris():
    with pytest.raises(ProvisionError, match="redirect_uris"):
        plan_client(want(name="web", owner="svc", grant_type="authorization_code"), None, True, "id")


def test_absent():
    assert plan_client(want(client_id="bot", state="absent"), HAVE, True)["action"] == "delete"
    assert plan_client(want(client_id="bot", state="absent"), None, True)["action"] == "none"


def test_secret_comparison_handles_clear_and_hashed_storage():
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
        django.setup()
    from django.contrib.auth.hashers import make_password

    assert secret_matches("s3cret", "s3cret") and not secret_matches("s3cret", "other")
    hashed = make_password("s3cret")
    assert secret_matches("s3cret", hashed) and not secret_matches("wrong", hashed)
