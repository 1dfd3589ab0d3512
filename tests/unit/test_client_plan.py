"""edx_oauth_client's decisions and the create_dot_application argv that carries them out."""

import pytest
from ansible.module_utils.edx_lms_base import ProvisionError
from ansible.module_utils.edx_lms_clients import command_args, plan_client, secret_matches

HAVE = {"client_id": "bot", "name": "bot", "owner": "svc", "client_type": "confidential",
        "grant_type": "client_credentials", "redirect_uris": [], "skip_authorization": False, "scopes": []}


def want(**options):
    base = dict(where="", name=None, owner=None, client_id=None, client_secret=None, grant_type=None,
                client_type=None, redirect_uris=None, scopes=None, skip_authorization=None, state="present",
                return_secret=False)
    base.update(options)
    return base


def test_creation_takes_the_command_defaults_for_options_left_out():
    plan = plan_client(want(name="bot", owner="svc"), None, True, new_client_id="generated-id")
    assert plan["action"] == "create"
    assert plan["after"] == dict(HAVE, client_id="generated-id")
    assert command_args(plan, secret="s3") == [
        "bot", "svc", "--grant-type", "client-credentials", "--redirect-uris", "", "--client-id", "generated-id",
        "--client-secret", "s3",
    ]


def test_update_passes_every_option_so_update_resets_nothing():
    have = dict(HAVE, client_type="public", skip_authorization=True, redirect_uris=["https://a/cb"],
                scopes=["user_id"])
    plan = plan_client(want(client_id="bot", grant_type="password"), have, True)
    assert plan["changes"] == ["grant_type"]
    assert command_args(plan) == [
        "bot", "svc", "--grant-type", "password", "--redirect-uris", "https://a/cb", "--client-id", "bot",
        "--public", "--skip-authorization", "--scopes", "user_id", "--update",
    ]


def test_unchanged_client_and_matching_secret_is_a_no_op():
    plan = plan_client(want(client_id="bot", client_secret="s3", grant_type="client_credentials"), HAVE, True)
    assert plan["action"] == "none"


def test_a_different_secret_is_a_change_even_though_it_cannot_be_read_back():
    plan = plan_client(want(client_id="bot", client_secret="new"), HAVE, secret_matches=False)
    assert plan["changes"] == ["client_secret"] and plan["after"] == HAVE


def test_new_owner_or_name_for_an_existing_client_id():
    plan = plan_client(want(client_id="bot", owner="other", name="renamed"), HAVE, True)
    assert plan["changes"] == ["name", "owner"]


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
