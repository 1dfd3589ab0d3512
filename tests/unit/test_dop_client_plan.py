"""Planning DOP (Ginkgo) clients: the same identity rules as django-oauth-toolkit clients, and what a DOP
client cannot hold refused by the option's name."""

import pytest
from ansible.module_utils.edx_provision.inlms.base import ProvisionError
from ansible.module_utils.edx_provision.inlms.dop_clients import plan_dop_client

HAVE = {
    "client_id": "svc",
    "name": "svc",
    "owner": "svc",
    "client_type": "confidential",
    "redirect_uris": ["https://lms.example.com"],
    "skip_authorization": False,
    "backend": "dop",
}


def want(**options):
    base = {
        "where": "",
        "state": "present",
        "name": "svc",
        "owner": "svc",
        "client_id": "svc",
        "client_secret": "s" * 20,
        "client_type": "confidential",
        "redirect_uris": [],
        "skip_authorization": False,
        "grant_type": "client_credentials",
    }
    base.update(options)
    return base


def plan(wanted, have=HAVE, secret_ok=True, by_name=None):
    return plan_dop_client(wanted, have, secret_ok, "new-id", by_name, "https://lms.example.com")


def test_the_roles_client_again_changes_nothing_and_an_empty_redirect_list_keeps_the_uri():
    result = plan(want())
    assert (result["action"], result["changes"]) == ("none", [])


def test_a_new_client_gets_the_lms_root_url_and_the_requested_trust():
    result = plan(want(client_id=None, skip_authorization=True), have=None)
    assert result["action"] == "create"
    assert result["after"] == dict(HAVE, client_id="new-id", skip_authorization=True)


def test_a_different_secret_and_trust_are_updates():
    result = plan(want(skip_authorization=True), secret_ok=False)
    assert result["action"] == "update"
    assert sorted(result["changes"]) == ["client_secret", "skip_authorization"]


def test_another_owners_client_is_not_taken_over():
    with pytest.raises(ProvisionError, match="does not take over"):
        plan(want(owner="mallory"))
    assert plan(want(owner="mallory", allow_owner_change=True))["changes"] == ["owner"]


def test_absent_deletes_only_on_a_full_identity_match():
    with pytest.raises(ProvisionError, match="matches every identity"):
        plan(want(state="absent", name="other"))
    assert plan(want(state="absent"))["action"] == "delete"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scopes": ["profile"]}, "scopes: this LMS keeps OAuth2 clients in django-oauth2-provider"),
        ({"redirect_uris": ["https://a.example", "https://b.example"]}, "redirect_uris holds 2 URIs"),
        ({"redirect_uris": ["-x"]}, "http:// or https:// URL"),
    ],
)
def test_what_a_dop_client_cannot_hold_is_refused_by_the_option(options, message):
    with pytest.raises(ProvisionError, match=message):
        plan(want(**options))
