"""Bad input is refused before the LMS starts, naming the option and the fix.

Table-driven: every string option of edx_user, edx_oauth_client and edx_access gets a dash-leading,
a newline-ending, a non-ASCII, an over-long and a wrong-typed value. Dash-leading values that are
valid for the LMS are accepted here; the integration tests prove the LMS never reads them as options.
"""

import pytest
from ansible.module_utils.edx_provision.lms.access_options import token_request
from ansible.module_utils.edx_provision.lms.client_options import clients_request
from ansible.module_utils.edx_provision.lms.user_options import users_request

USER_PARAMS = dict(
    username=None,
    email=None,
    staff=None,
    superuser=None,
    active=None,
    groups=None,
    password=None,
    update_password="always",
    state="present",
    remove_owned_clients=False,
    users=None,
)
CLIENT_PARAMS = dict(
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
    allow_owner_change=False,
    clients=None,
)
SECRET = "s" * 32
GOOD_USER = dict(username="svc", email="svc@example.com", password="correct horse")
GOOD_CLIENT = dict(
    name="bot",
    owner="svc",
    client_id="bot",
    client_secret=SECRET,
    redirect_uris=["https://a.example/cb"],
    scopes=["read"],
)


def users(**params):
    return users_request(dict(USER_PARAMS, **params))["users"]


def clients(**params):
    return clients_request(dict(CLIENT_PARAMS, **params))["clients"]


def test_single_user_and_list_entries_inherit_state_and_update_password():
    entries = users(
        users=[{"username": "a", "email": "a@example.com"}, {"username": "b", "state": "absent"}],
        update_password="on_create",
    )
    assert [e["where"] for e in entries] == ["users[0]", "users[1]"]
    assert [e["state"] for e in entries] == ["present", "absent"]
    assert {e["update_password"] for e in entries} == {"on_create"}


def test_good_values_pass():
    assert users(**GOOD_USER)[0]["email"] == "svc@example.com"
    assert users(username="svc", email="svc@localhost")[0]["email"] == "svc@localhost"
    assert clients(**GOOD_CLIENT)[0]["client_id"] == "bot"
    # a dash-leading value is a valid LMS value; it must reach the LMS as a value, never as an option
    assert users(username="--remove", email="-x@example.com")[0]["username"] == "--remove"
    assert clients(**dict(GOOD_CLIENT, name="--public", client_secret="-" + SECRET))[0]["name"] == "--public"


USER_CASES = [
    # (option, bad value, what the message must say)
    ("username", "svc\n", r"username 'svc\\n' is not valid.*ends with a line break"),
    ("username", "bad name", "username 'bad name' is not valid: use 1 to 150 ASCII letters"),
    ("username", "j\u00f6rg", "username 'j\u00f6rg' is not valid"),
    ("username", "u" * 151, r"username 'uuuu.*\(151 characters\) is not valid"),
    ("username", ["svc"], "username must be a str, got list"),
    ("email", "svc@example.com\n", "ends with a line break"),
    ("email", "not-an-email", "email 'not-an-email' is not valid"),
    ("email", "['a@example.com']", "email .* is not valid"),
    ("email", "x@y", "email 'x@y' is not valid"),
    ("email", "\u00e9@example.com", "is not valid"),
    ("email", "a" * 250 + "@example.com", "is 262 characters long; the LMS holds at most 254"),
    ("email", 42, "email must be a str, got int"),
    ("password", "", "password is empty"),
    ("password", "short", "password must be 8 to 4096 characters"),
    ("password", "long enough\n", "a value read from a file often ends with a line break"),
    ("password", "p" * 4097, "password must be 8 to 4096 characters"),
    ("groups", ["api\n"], "groups 'api\\\\n' is not valid"),
    ("groups", [" api"], "without line breaks, control characters or surrounding spaces"),
    ("groups", ["g" * 151], r"\(151 characters\) is not valid: use 1 to 150"),
]


@pytest.mark.parametrize("option, value, message", USER_CASES)
def test_bad_user_input_is_refused_naming_the_option(option, value, message):
    with pytest.raises(ValueError, match=message):
        users(**dict(GOOD_USER, **{option: value}))
    with pytest.raises(ValueError, match=r"users\[0\]\." + option):
        users(users=[dict(GOOD_USER, **{option: value})])


CLIENT_CASES = [
    ("name", "bot\n", "name 'bot\\\\n' is not valid"),
    ("name", "", "name '' is not valid"),
    ("name", "n" * 256, "use 1 to 255 characters"),
    ("name", ["bot"], "name must be a string, got list"),
    ("owner", "svc\n", "owner 'svc\\\\n' is not valid.*ends with a line break"),
    ("owner", "\u00e9", "owner '\u00e9' is not valid"),
    ("client_id", "c\n", "client_id 'c\\\\n' is not valid.*ends with a line break"),
    ("client_id", "a b", "client_id 'a b' is not valid: use 1 to 100 printable ASCII"),
    ("client_id", "\u00e9", "client_id '\u00e9' is not valid"),
    ("client_id", "c" * 101, "client_id .* is not valid"),
    ("client_id", 7, "client_id must be a str, got int"),
    ("client_secret", "", "client_secret is empty"),
    ("client_secret", "x", "client_secret must be 16 to 255 printable ASCII"),
    ("client_secret", SECRET + "\n", "client_secret must be 16 to 255 printable ASCII"),
    ("client_secret", "\u00e9" * 20, "client_secret must be 16 to 255"),
    ("client_secret", "s" * 256, "client_secret must be 16 to 255"),
    ("redirect_uris", ["/relative"], "redirect_uris holds '/relative', which is not an absolute http"),
    ("redirect_uris", ["javascript://alert(1)"], "javascript:, data:, vbscript: and file: are refused"),
    ("redirect_uris", ["https://a.example/cb\n"], "redirect_uris holds"),
    ("redirect_uris", ["https://\u00e9.example/"], "redirect_uris holds"),
    ("scopes", ["a,b"], "without spaces or commas"),
    ("scopes", ["read\n"], "a scope is one word"),
    ("scopes", ["s" * 33], "at most 32 printable characters"),
    ("scopes", ["a", "a"], "lists a scope twice"),
    ("scopes", ["s%d" % i for i in range(26)], "lists 26 scopes; the LMS holds at most 25"),
]


@pytest.mark.parametrize("option, value, message", CLIENT_CASES)
def test_bad_client_input_is_refused_naming_the_option(option, value, message):
    with pytest.raises(ValueError, match=message):
        clients(**dict(GOOD_CLIENT, **{option: value}))


@pytest.mark.parametrize(
    "params, message",
    [
        (
            dict(users=[{"username": "a", "email": "x@example.com"}, {"username": "a"}]),
            r"listed twice \(users\[0\] and users\[1\]\)",
        ),
        (
            dict(users=[{"username": "a", "email": "x@example.com"}, {"username": "b", "email": "X@example.com"}]),
            r"users\[0\].email and users\[1\].email give the same e-mail address",
        ),
        (dict(users=[]), "users is empty"),
    ],
)
def test_bad_user_lists(params, message):
    with pytest.raises(ValueError, match=message):
        users(**params)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(name="bot"), "give client_id, or both name and owner"),
        (dict(clients=[{"client_id": "x"}, {"client_id": "x"}]), r"clients\[0\] and clients\[1\] name the same"),
    ],
)
def test_bad_client_lists(params, message):
    with pytest.raises(ValueError, match=message):
        clients(**params)


TOKEN = dict(client_id="bot", value="v" * 40, username=None, scope=None, expires_in=60)


@pytest.mark.parametrize(
    "token, message",
    [
        (dict(TOKEN, value="short"), "direct_tokens\\[0\\].value must be 32 to 255"),
        (dict(TOKEN, value="v" * 40 + "\n"), "direct_tokens\\[0\\].value must be 32 to 255"),
        (dict(TOKEN, expires_in=0), "direct_tokens\\[0\\].expires_in must be a positive number"),
        (dict(TOKEN, username="-x\n"), "direct_tokens\\[0\\].username '-x\\\\n' is not valid"),
    ],
)
def test_bad_direct_token_is_refused(token, message):
    with pytest.raises(ValueError, match=message):
        token_request({"direct_tokens": [token], "users": None, "clients": None})


def test_edx_access_needs_something_to_do():
    with pytest.raises(ValueError, match="Nothing to do"):
        token_request({"direct_tokens": None, "users": None, "clients": None})
