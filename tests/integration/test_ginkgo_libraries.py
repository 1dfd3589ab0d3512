"""The in-LMS program on Ginkgo's own libraries under Python 2.7: Django 1.8.18, django-oauth-toolkit
0.10.0, django-oauth2-provider 1.1.4 and edx-oauth2-provider 1.2.0 (tests/py27/requirements.txt,
installed on first use into .py27-ginkgo/ with the machine's Python 2.7).

The stand-in's ginkgo flavour runs today's libraries under Python 3; this runs the same program, whole,
as `manage.py lms shell` would on a Ginkgo LMS, against the real models, validators and the real
create_oauth2_client: DOP clients, DOT applications written as Django admin does (DOT 0.10's
full_clean), direct tokens in DOT 0.10's AccessToken (no swappable models yet), the rule that a
client_id lives in one back end, and non-ASCII text through every layer.
"""

import json
import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from ansible.module_utils.edx_provision.http.token_endpoint import build_request
from ansible.module_utils.edx_provision.lms.client_options import clients_request
from ansible.module_utils.edx_provision.lms.runner import lms_document, parse_result
from ansible.module_utils.edx_provision.lms.user_options import users_request

REPO = Path(__file__).resolve().parents[2]
PY27 = Path.home() / ".pyenv" / "versions" / "2.7.18" / "bin" / "python"
REQUIREMENTS = REPO / "tests" / "py27" / "requirements.txt"
LIBS = REPO / ".py27-ginkgo"
SECRET = "Ginkgo-27-secret-value-0123"
NAME = "Caf\u00e9 \u2013 API"


def installed_libraries():
    """.py27-ginkgo/ holding requirements.txt's packages, installed once per version of that file."""
    stamp = LIBS / ".requirements"
    if stamp.exists() and stamp.read_text() == REQUIREMENTS.read_text():
        return LIBS
    proc = subprocess.run(
        [str(PY27), "-m", "pip", "install", "--quiet", "--upgrade", "--target", str(LIBS), "-r", str(REQUIREMENTS)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stamp.write_text(REQUIREMENTS.read_text())
    return LIBS


class Lms27:
    """A database of Ginkgo's OAuth2 apps, and the program run on it by Python 2.7."""

    def __init__(self, db):
        self.db = db
        self.env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join([str(installed_libraries()), str(REPO / "tests" / "py27")]),
            DJANGO_SETTINGS_MODULE="ginkgo_settings",
            GINKGO27_DB=str(db),
            PYTHONIOENCODING="utf-8",
        )

    def python(self, *args, data=""):
        proc = subprocess.run(
            [str(PY27), str(REPO / "tests" / "py27" / "run_in_lms.py"), *args],
            input=data.encode(),
            capture_output=True,
            env=self.env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
        return proc

    def run(self, entry, check_mode=False, **request):
        document = lms_document(entry, dict(request, check_mode=check_mode))
        proc = self.python("program", data=json.dumps(document))
        self.output = proc.stdout.decode() + proc.stderr.decode()
        result = parse_result(proc.stdout.decode())
        assert result is not None, self.output
        return result

    def rows(self, sql, *args):
        with closing(sqlite3.connect(self.db)) as db:
            return db.execute(sql, args).fetchall()

    def snapshot(self):
        return [
            self.rows("SELECT * FROM oauth2_client ORDER BY id"),
            self.rows("SELECT * FROM oauth2_provider_trustedclient ORDER BY id"),
            self.rows("SELECT * FROM oauth2_provider_application ORDER BY id"),
            self.rows("SELECT * FROM oauth2_provider_accesstoken ORDER BY id"),
        ]


@pytest.fixture(scope="module")
def lms27(tmp_path_factory):
    if not PY27.exists():
        pytest.skip(f"{PY27} is not on this machine")
    lms = Lms27(tmp_path_factory.mktemp("ginkgo27") / "db.sqlite3")
    lms.python("migrate")
    lms.python("users", "owner", "other")
    return lms


def client(**options):
    """One client as edx_oauth_client's own request builder makes it (its checks, its defaults)."""
    params = dict(name="app", owner="owner", client_secret=SECRET, state="present")
    params.update(options, return_secret=False, allow_owner_change=False)
    return clients_request(params)["clients"][0]


def test_dop_clients_through_the_real_create_oauth2_client(lms27):
    want = client(client_id="dop-1", name=NAME, skip_authorization=True, redirect_uris=["https://app.example/cb"])
    before = lms27.snapshot()
    result = lms27.run("ensure_oauth_clients", check_mode=True, clients=[want], backend="auto")
    assert result["clients"][0]["action"] == "create" and lms27.snapshot() == before

    result = lms27.run("ensure_oauth_clients", clients=[want], backend="auto")
    assert result["clients"][0]["action"] == "create" and result["clients"][0]["after"]["backend"] == "dop"
    assert SECRET not in lms27.output  # the command printed it, and the owner's hash: never out of the LMS
    held = lms27.rows(
        "SELECT c.name, c.client_secret, c.redirect_uri, c.client_type, u.username, "
        "EXISTS(SELECT 1 FROM oauth2_provider_trustedclient t WHERE t.client_id = c.id) "
        "FROM oauth2_client c JOIN auth_user u ON u.id = c.user_id WHERE c.client_id = 'dop-1'"
    )
    assert held == [(NAME, SECRET, "https://app.example/cb", 0, "owner", 1)]

    assert lms27.run("ensure_oauth_clients", clients=[want], backend="auto")["clients"][0]["action"] == "none"
    result = lms27.run("ensure_oauth_clients", clients=[dict(want, client_secret=SECRET + "-2")], backend="auto")
    assert result["clients"][0]["changes"] == ["client_secret"]
    assert lms27.rows("SELECT client_secret FROM oauth2_client WHERE client_id = 'dop-1'") == [(SECRET + "-2",)]


def test_dot_0_10_applications_are_validated_and_saved_as_django_admin_does(lms27):
    want = client(client_id="dot-1", name=NAME)
    result = lms27.run("ensure_oauth_clients", clients=[want], backend="dot")
    assert result["clients"][0]["action"] == "create", result
    assert lms27.rows(
        "SELECT a.name, a.client_secret, a.authorization_grant_type, a.client_type, a.redirect_uris, "
        "a.skip_authorization, u.username FROM oauth2_provider_application a JOIN auth_user u ON u.id = a.user_id "
        "WHERE a.client_id = 'dot-1'"
    ) == [(NAME, SECRET, "client-credentials", "confidential", "", 0, "owner")]
    assert lms27.run("ensure_oauth_clients", clients=[want], backend="dot")["clients"][0]["action"] == "none"

    changed = dict(want, grant_type="password", client_type="public")
    result = lms27.run("ensure_oauth_clients", clients=[changed], backend="dot")
    assert sorted(result["clients"][0]["changes"]) == ["client_type", "grant_type"]

    before = lms27.snapshot()
    for check_mode in (True, False):  # check mode refuses what the real run would
        refused = lms27.run(
            "ensure_oauth_clients",
            check_mode=check_mode,
            clients=[dict(want, redirect_uris=["https://a.example/cb#x"])],
            backend="dot",
        )
        assert refused["failed"] and refused["msg"].startswith('The LMS refused OAuth2 client "%s": ' % NAME)
        assert "fragment" in refused["msg"].lower() and refused["msg"].endswith(". Nothing was changed.")
    refused = lms27.run("ensure_oauth_clients", clients=[dict(want, scopes=["read"])], backend="dot")
    assert refused["failed"] and refused["msg"].startswith("scopes cannot be set on this LMS")
    assert lms27.snapshot() == before


def test_a_direct_token_goes_into_dot_0_10s_own_access_token_model(lms27):
    token = {"client_id": "dot-2", "value": "t" * 40, "username": None, "scope": "", "expires_in": 600}
    result = lms27.run(
        "ensure_access", clients=[client(client_id="dot-2", name="tokens")], backend="dot", tokens=[token]
    )
    assert result["tokens"] == [{"username": "owner", "scope": "read write email profile", "expires_in": 600}]
    assert lms27.rows(
        "SELECT t.token, t.scope, u.username FROM oauth2_provider_accesstoken t JOIN auth_user u ON u.id = t.user_id "
        "JOIN oauth2_provider_application a ON a.id = t.application_id WHERE a.client_id = 'dot-2'"
    ) == [("t" * 40, "read write email profile", "owner")]


def test_a_client_id_lives_in_one_back_end_and_refusals_keep_their_non_ascii_text(lms27):
    made = lms27.run("ensure_oauth_clients", clients=[client(client_id="dop-3", name="dop-3")], backend="dop")
    assert made["clients"][0]["action"] == "create", made
    made = lms27.run("ensure_oauth_clients", clients=[client(client_id="dot-3", name=NAME + " 3")], backend="dot")
    assert made["clients"][0]["action"] == "create", made
    before = lms27.snapshot()
    refused = lms27.run("ensure_oauth_clients", clients=[client(client_id="dop-3", name="x")], backend="dot")
    assert refused["failed"] and "is a django-oauth2-provider (dop) client" in refused["msg"]
    refused = lms27.run(
        "ensure_oauth_clients",
        clients=[client(client_id="dot-3", name=None, owner=None, state="absent")],
        backend="auto",
    )
    assert refused.get("failed") and "set backend to dot" in refused["msg"], refused
    refused = lms27.run(
        "ensure_oauth_clients", clients=[client(client_id="dot-3", name=NAME + " 3", owner="other")], backend="dot"
    )
    assert (
        refused["failed"] and f'OAuth2 client "{NAME} 3"' in refused["msg"] and 'belongs to "owner"' in refused["msg"]
    )
    assert lms27.snapshot() == before


def test_a_direct_token_for_a_dop_client_says_to_use_the_token_endpoint(lms27):
    made = lms27.run("ensure_oauth_clients", clients=[client(client_id="dop-4", name="dop-4")], backend="dop")
    assert made["clients"][0]["action"] == "create", made
    before = lms27.snapshot()
    token = {"client_id": "dop-4", "value": "v" * 40, "username": None, "scope": "", "expires_in": 60}
    refused = lms27.run("ensure_access", clients=[], users=[], backend="dot", tokens=[token])
    assert refused.get("failed") and 'client_id "dop-4" is a django-oauth2-provider client' in refused["msg"]
    assert "edx_api_access_token_method endpoint" in refused["msg"] and lms27.snapshot() == before


def test_a_client_id_both_back_ends_hold_is_only_resolved_by_deleting_one(lms27):
    made = lms27.run("ensure_oauth_clients", clients=[client(client_id="twin", name="twin")], backend="dop")
    assert made["clients"][0]["action"] == "create", made
    lms27.python("dot_app", "twin", "owner")  # someone made a DOT application with the same id in the admin
    before = lms27.snapshot()
    for backend in ("auto", "dop", "dot"):
        refused = lms27.run("ensure_oauth_clients", clients=[client(client_id="twin", name="twin")], backend=backend)
        assert refused.get("failed") and "is held by both back ends" in refused["msg"], refused
    assert lms27.snapshot() == before

    removed = lms27.run(
        "ensure_oauth_clients", clients=[client(client_id="twin", name=None, owner=None, state="absent")], backend="dop"
    )
    assert removed["clients"][0]["action"] == "delete", removed
    assert lms27.rows("SELECT count(*) FROM oauth2_client WHERE client_id = 'twin'") == [(0,)]
    assert lms27.rows("SELECT name FROM oauth2_provider_application WHERE client_id = 'twin'") == [("by hand",)]


def test_removing_a_user_counts_a_twin_in_the_other_back_end_as_owned(lms27):
    """Removing a user's DOP client and the user in one call must not let the user's DOT copy of that
    client_id (a twin made by hand in the admin) go silently with the user: it is named, nothing changes."""
    made = lms27.run(
        "ensure_oauth_clients", clients=[client(client_id="tw2", name="tw2", owner="other")], backend="dop"
    )
    assert made["clients"][0]["action"] == "create", made
    lms27.python("dot_app", "tw2", "other")
    before = lms27.snapshot()
    users = users_request(
        {
            "users": [{"username": "other"}],
            "state": "absent",
            "remove_owned_clients": False,
            "update_password": "always",
        }
    )
    gone = client(client_id="tw2", name="tw2", owner="other", state="absent")
    refused = lms27.run("ensure_access", users=users["users"], clients=[gone], backend="dop")
    assert refused.get("failed") and 'owns OAuth2 clients ("tw2")' in refused["msg"], refused
    assert lms27.snapshot() == before


@pytest.mark.parametrize("secret", [SECRET, "Ginkgo!*$@/=?&~._-0123"])
@pytest.mark.parametrize("back_end", ["dop", "dot"])
def test_the_token_request_mints_on_both_ginkgo_back_ends_with_the_secret_only_in_basic(lms27, back_end, secret):
    """What edx_token sends (client_id in the form, the secret only in HTTP Basic) is taken by the real
    DOP 1.1.4 and DOT 0.10.0, as Ginkgo's dispatch routes them by the form's client_id."""
    client_id = "tok-%s-%d" % (back_end, len(secret))
    made = lms27.run(
        "ensure_oauth_clients",
        clients=[client(client_id=client_id, name=client_id, client_secret=secret)],
        backend=back_end,
    )
    assert made["clients"][0]["action"] == "create", made
    params = dict(client_id=client_id, client_secret=secret, grant_type="client_credentials", token_type="bearer")
    form, headers = build_request(params)
    assert secret not in json.dumps(form)  # what TrackMiddleware records
    answer = json.loads(lms27.python("token", data=json.dumps({"form": form, "headers": headers})).stdout)
    assert answer["status"] == 200 and answer["body"]["access_token"], answer
    form, headers = build_request(dict(params, client_secret=secret + "x"))
    answer = json.loads(lms27.python("token", data=json.dumps({"form": form, "headers": headers})).stdout)
    assert answer["status"] in (400, 401) and answer["body"]["error"] == "invalid_client", answer


def test_a_secret_with_percent_plus_or_colon_mints_on_dot_0_10_and_dop_refuses_it(lms27):
    """DOT 0.10 form-decodes the Basic pair (so %, + and : are escaped); DOP 1.1.4 takes it undecoded, so the
    toolkit refuses to give a DOP client such a secret, and one made by hand gets invalid_client."""
    secret = "Gk%41+plus:colon-0123"
    wanted = [client(client_id="special-dot", name="special-dot", client_secret=secret)]
    assert lms27.run("ensure_oauth_clients", clients=wanted, backend="dot")["clients"][0]["action"] == "create"
    wanted = [client(client_id="special-dop", name="special-dop", client_secret=secret)]
    refused = lms27.run("ensure_oauth_clients", clients=wanted, backend="dop")
    assert refused["failed"] and "holds %, + or :, which django-oauth2-provider cannot read" in refused["msg"]
    wanted = [client(client_id="special-dop", name="special-dop", client_secret=SECRET)]
    assert lms27.run("ensure_oauth_clients", clients=wanted, backend="dop")["clients"][0]["action"] == "create"
    lms27.python("dop_secret", "special-dop", data=secret)  # as Django admin would store it
    for back_end in ("dot", "dop"):
        form, headers = build_request(
            dict(client_id="special-" + back_end, client_secret=secret, grant_type="client_credentials")
        )
        answer = json.loads(lms27.python("token", data=json.dumps({"form": form, "headers": headers})).stdout)
        assert answer["status"] == (200 if back_end == "dot" else 400), answer


@pytest.mark.parametrize("back_end", ["dop", "dot"])
def test_the_password_grant_mints_on_both_ginkgo_back_ends_with_the_secret_only_in_basic(lms27, back_end):
    client_id = "pw-" + back_end
    want = client(client_id=client_id, name=client_id, grant_type="password")
    made = lms27.run("ensure_oauth_clients", clients=[want], backend=back_end)
    assert made["clients"][0]["action"] == "create", made
    params = dict(client_id=client_id, client_secret=SECRET, grant_type="password", username="owner", password="pw")
    form, headers = build_request(params)
    assert SECRET not in json.dumps(form)
    answer = json.loads(lms27.python("token", data=json.dumps({"form": form, "headers": headers})).stdout)
    assert answer["status"] == 200 and answer["body"]["access_token"], answer
