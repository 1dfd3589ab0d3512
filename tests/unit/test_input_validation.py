"""Bad input is refused before the LMS starts, naming the option and the fix."""

import pytest
from ansible.module_utils.edx_clients import clients_request
from ansible.module_utils.edx_users import users_request

USER_PARAMS = dict(username=None, email=None, staff=None, superuser=None, groups=None, password=None,
                   update_password="always", state="present", users=None)
CLIENT_PARAMS = dict(name=None, owner=None, client_id=None, client_secret=None, grant_type=None, client_type=None,
                     redirect_uris=None, scopes=None, skip_authorization=None, state="present", return_secret=False,
                     clients=None)


def users(**params):
    return users_request(dict(USER_PARAMS, **params))["users"]


def clients(**params):
    return clients_request(dict(CLIENT_PARAMS, **params))["clients"]


def test_single_user_and_list_entries_inherit_state_and_update_password():
    entries = users(users=[{"username": "a", "email": "a@example.com"}, {"username": "b", "state": "absent"}],
                    update_password="on_create")
    assert [e["where"] for e in entries] == ["users[0]", "users[1]"]
    assert [e["state"] for e in entries] == ["present", "absent"]
    assert {e["update_password"] for e in entries} == {"on_create"}


@pytest.mark.parametrize("params, message", [
    (dict(username="svc", email="not-an-email"), "email 'not-an-email' is not a valid e-mail address"),
    (dict(username="bad name", email="a@example.com"), "username 'bad name' is not a valid LMS username"),
    (dict(username="svc", password=""), "password is empty"),
    (dict(users=[{"username": "a", "email": "x@y"}]), r"users\[0\].email 'x@y'"),
    (dict(users=[{"username": "a"}, {"username": "a"}]), r"listed twice \(users\[0\] and users\[1\]\)"),
    (dict(users=[]), "users is empty"),
])
def test_bad_user_input(params, message):
    with pytest.raises(ValueError, match=message):
        users(**params)


def test_localhost_addresses_are_accepted():
    assert users(username="svc", email="svc@localhost")[0]["email"] == "svc@localhost"


@pytest.mark.parametrize("params, message", [
    (dict(name="bot"), "give client_id, or both name and owner"),
    (dict(client_id="a b"), "client_id must be 1 to 100 printable characters"),
    (dict(client_id="bot", client_secret=""), "client_secret is empty"),
    (dict(client_id="bot", redirect_uris=["/relative"]), "redirect_uris holds '/relative'"),
    (dict(client_id="bot", scopes=["a,b"]), "without spaces or commas"),
    (dict(client_id="bot", scopes=["a", "a"]), "lists a scope twice"),
    (dict(clients=[{"client_id": "x"}, {"client_id": "x"}]), r"clients\[0\] and clients\[1\] name the same"),
])
def test_bad_client_input(params, message):
    with pytest.raises(ValueError, match=message):
        clients(**params)
