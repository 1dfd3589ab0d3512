"""The toolkit on a Ginkgo-era LMS: the stand-in's ginkgo flavour (Django 1.8's shell without -c,
django-oauth2-provider clients through create_oauth2_client, HTTPS with a test CA).

What the LMS holds is read straight from its SQLite database: Django 1.8's shell has no -c."""

import json
import sqlite3
from contextlib import closing

import pytest
from conftest import Target
from playbook import play, recap_changed

SECRET = "Ginkgo-client-secret-5e1d7a"
CONSOLE = {"shell": "interactive"}  # the runner option, not a subprocess shell


class GinkgoTarget(Target):
    """A ginkgo stand-in as the modules see it, its DOP tables read from the database."""

    def rows(self, sql, *args):
        with closing(sqlite3.connect(self.lms.state_dir / "db.sqlite3")) as db:
            return db.execute(sql, args).fetchall()

    def dop_client(self, client_id):
        found = self.rows(
            "SELECT c.name, u.username, c.client_secret, c.client_type, c.redirect_uri, "
            "EXISTS(SELECT 1 FROM oauth2_provider_trustedclient t WHERE t.client_id = c.id) "
            "FROM oauth2_client c LEFT JOIN auth_user u ON u.id = c.user_id WHERE c.client_id = ?",
            client_id,
        )
        assert len(found) <= 1
        if not found:
            return None
        return dict(zip(("name", "owner", "secret", "client_type", "redirect_uri", "trusted"), found[0], strict=True))

    def dot_client(self, client_id):
        found = self.rows(
            "SELECT a.name, u.username, a.client_secret, a.client_type, a.authorization_grant_type, "
            "a.redirect_uris, a.skip_authorization "
            "FROM oauth2_provider_application a LEFT JOIN auth_user u ON u.id = a.user_id WHERE a.client_id = ?",
            client_id,
        )
        assert len(found) <= 1
        if not found:
            return None
        keys = ("name", "owner", "secret", "client_type", "grant", "redirect_uris", "skip_authorization")
        return dict(zip(keys, found[0], strict=True))

    def snapshot(self):
        return {
            "users": self.rows("SELECT username, email, is_staff, is_active, password FROM auth_user ORDER BY id"),
            "dop": self.rows(
                "SELECT client_id, name, user_id, client_secret, client_type, redirect_uri "
                "FROM oauth2_client ORDER BY id"
            ),
            "trusted": self.rows("SELECT client_id FROM oauth2_provider_trustedclient ORDER BY id"),
            "dot": self.rows(
                "SELECT client_id, name, user_id, client_secret, client_type, authorization_grant_type, "
                "redirect_uris, skip_authorization FROM oauth2_provider_application ORDER BY id"
            ),
        }


@pytest.fixture(scope="module")
def ginkgo(standin_factory):
    return GinkgoTarget(standin_factory(settings="ginkgo", name="ginkgo"))


@pytest.fixture
def fresh_ginkgo(standin_factory):
    return GinkgoTarget(standin_factory(settings="ginkgo", name="ginkgo-fresh"))


def make_user(target, username):
    proc = target.lms.manage("manage_user", username, f"{username}@example.com")
    assert proc.returncode == 0, proc.stderr


def ensure(target, check=False, diff=False, verbosity=0, **options):
    run = target.play(
        [{"name": "client", "edx_oauth_client": {**target.runner, **options}}],
        check=check,
        diff=diff,
        verbosity=verbosity,
    )
    return run, run.task("client")["result"]


# --- transport -------------------------------------------------------------------------------


@pytest.mark.parametrize(("shell", "starts"), [("auto", 2), ("interactive", 1)])
def test_ginkgo_shell_without_dash_c_auto_falls_back_with_one_extra_start(ginkgo, name, shell, starts):
    boots = ginkgo.lms.boots()
    run = ginkgo.play(
        [
            {
                "name": "user",
                "edx_user": {**ginkgo.runner, "shell": shell, "username": name, "email": f"{name}@example.com"},
            }
        ]
    )
    result = run.task("user")["result"]
    assert run.rc == 0, run.output
    assert result["users"][0]["action"] == "create"
    assert ginkgo.lms.boots() - boots == starts
    assert ginkgo.rows("SELECT email FROM auth_user WHERE username = ?", name) == [(f"{name}@example.com",)]


def test_a_modern_lms_pays_no_extra_start_for_detection(target, name):
    boots = target.lms.boots()
    run = target.play(
        [{"name": "user", "edx_user": {**target.runner, "username": name, "email": f"{name}@example.com"}}]
    )
    assert run.rc == 0 and run.task("user")["result"]["changed"], run.output
    assert target.lms.boots() - boots == 1


def test_a_failure_inside_the_ginkgo_console_fails_the_task(ginkgo, name):
    # The console's own exit code is 0 whatever happens; the task must fail all the same.
    run, result = ensure(ginkgo, **CONSOLE, name="app", owner=name + "-nobody", client_id=name, client_secret=SECRET)
    assert run.rc != 0
    assert f'The owner "{name}-nobody"' in result["msg"] and "does not exist" in result["msg"]
    assert ginkgo.dop_client(name) is None


# --- DOP clients -----------------------------------------------------------------------------


def test_dop_client_created_then_rerun_changes_nothing_and_secret_never_shows(ginkgo, name):
    make_user(ginkgo, name)
    options = dict(
        CONSOLE,
        name="app",
        owner=name,
        client_id=name,
        client_secret=SECRET,
        skip_authorization=True,
        redirect_uris=["https://app.example.com/cb"],
    )
    run, result = ensure(ginkgo, diff=True, verbosity=3, **options)
    assert run.rc == 0, run.output
    client = result["clients"][0]
    assert client["action"] == "create" and client["after"]["backend"] == "dop"
    assert ginkgo.dop_client(name) == dict(
        name="app", owner=name, secret=SECRET, client_type=0, redirect_uri="https://app.example.com/cb", trusted=1
    )
    # create_oauth2_client prints the secret and the owner's password hash: neither may reach the output.
    password_hash = ginkgo.rows("SELECT password FROM auth_user WHERE username = ?", name)[0][0]
    assert SECRET not in run.output and password_hash not in run.output
    assert '"client_secret"' not in run.output

    run, result = ensure(ginkgo, **options)
    assert run.rc == 0 and result["changed"] is False, run.output
    assert ginkgo.dop_client(name)["trusted"] == 1  # not dropped by a rerun (an omitted -t would)


def test_dop_secret_and_trust_changes_are_detected_shown_as_markers_and_applied(ginkgo, name):
    make_user(ginkgo, name)
    ensure(ginkgo, name="app", owner=name, client_id=name, client_secret=SECRET, skip_authorization=True)
    before = ginkgo.snapshot()
    run, result = ensure(
        ginkgo,
        check=True,
        diff=True,
        name="app",
        owner=name,
        client_id=name,
        client_secret=SECRET + "-new",
        skip_authorization=False,
    )
    assert result["changed"] is True and sorted(result["clients"][0]["changes"]) == [
        "client_secret",
        "skip_authorization",
    ]
    assert "******** (changed)" in run.stdout and SECRET not in run.output
    assert ginkgo.snapshot() == before
    run, result = ensure(
        ginkgo, name="app", owner=name, client_id=name, client_secret=SECRET + "-new", skip_authorization=False
    )
    assert run.rc == 0 and result["changed"] is True, run.output
    held = ginkgo.dop_client(name)
    assert (held["secret"], held["trusted"]) == (SECRET + "-new", 0)


def test_another_owners_dop_client_is_neither_taken_over_nor_deleted(ginkgo, name):
    make_user(ginkgo, name)
    make_user(ginkgo, name + "-b")
    ensure(ginkgo, name="app", owner=name, client_id=name, client_secret=SECRET)
    before = ginkgo.snapshot()
    run, result = ensure(ginkgo, name="app", owner=name + "-b", client_id=name, client_secret=SECRET)
    assert run.rc != 0 and f'belongs to "{name}"' in result["msg"] and "allow_owner_change" in result["msg"]
    run, result = ensure(ginkgo, state="absent", name="other", client_id=name)
    assert run.rc != 0 and "matches every identity given" in result["msg"]
    assert ginkgo.snapshot() == before

    run, result = ensure(
        ginkgo, name="app", owner=name + "-b", client_id=name, client_secret=SECRET, allow_owner_change=True
    )
    assert run.rc == 0 and result["clients"][0]["changes"] == ["owner"], run.output
    assert ginkgo.dop_client(name)["owner"] == name + "-b"
    run, result = ensure(ginkgo, state="absent", name="app", owner=name + "-b", client_id=name)
    assert run.rc == 0 and result["clients"][0]["action"] == "delete"
    assert ginkgo.dop_client(name) is None


def test_removing_a_user_that_owns_a_dop_client_is_refused_unless_allowed(ginkgo, name):
    """DOP's Client.user cascades like DOT's: the LMS would delete the client with its owner."""
    make_user(ginkgo, name)
    ensure(ginkgo, name="app", owner=name, client_id=name + "-dop", client_secret=SECRET)
    before = ginkgo.snapshot()
    user = {**ginkgo.runner, "username": name, "state": "absent"}
    run = ginkgo.play([{"name": "user", "edx_user": user}])
    result = run.task("user")["result"]
    assert run.rc != 0 and f'owns OAuth2 clients ("{name}-dop")' in result["msg"]
    assert ginkgo.snapshot() == before and ginkgo.dop_client(name + "-dop") is not None
    run = ginkgo.play([{"name": "user", "edx_user": {**user, "remove_owned_clients": True}}])
    assert run.rc == 0 and run.task("user")["result"]["users"][0]["removed_clients"] == [name + "-dop"]
    assert ginkgo.dop_client(name + "-dop") is None


def test_what_a_dop_client_cannot_hold_fails_naming_the_option(ginkgo, name):
    make_user(ginkgo, name)
    run, result = ensure(ginkgo, name="app", owner=name, client_id=name, client_secret=SECRET, scopes=["profile"])
    assert run.rc != 0 and result["msg"].startswith("scopes: this LMS keeps OAuth2 clients in django-oauth2-provider")
    assert ginkgo.dop_client(name) is None


@pytest.mark.parametrize("option, value", [("client_secret", "Secret:with-a-colon-012345"), ("client_id", "id+plus")])
def test_a_dop_client_that_could_never_get_a_token_is_refused(ginkgo, name, option, value):
    """DOP reads the token request's HTTP Basic header undecoded: %, + or : would lock the client out."""
    make_user(ginkgo, name)
    given = dict(dict(name="app", owner=name, client_id=name, client_secret=SECRET), **{option: value})
    run, result = ensure(ginkgo, **given)
    assert run.rc != 0 and result["msg"].startswith(option + " holds %, + or :, which django-oauth2-provider")
    assert value not in result["msg"] or option == "client_id"
    assert ginkgo.dop_client(given["client_id"]) is None


# --- DOT applications on Ginkgo (no create_dot_application: written as Django admin does) ---------


def test_dot_client_on_ginkgo_check_create_rerun_and_a_token_from_dot(ginkgo, name):
    make_user(ginkgo, name)
    options = dict(CONSOLE, backend="dot", name="app", owner=name, client_id=name, client_secret=SECRET)
    before = ginkgo.snapshot()
    boots = ginkgo.lms.boots()
    run, result = ensure(ginkgo, check=True, diff=True, **options)
    assert run.rc == 0 and result["changed"] is True, run.output
    assert result["clients"][0]["action"] == "create" and "+    grant_type: client_credentials" in run.stdout
    assert ginkgo.snapshot() == before and ginkgo.lms.boots() - boots == 1

    run, result = ensure(ginkgo, diff=True, verbosity=3, **options)
    assert run.rc == 0 and result["clients"][0]["action"] == "create", run.output
    assert ginkgo.dot_client(name) == dict(
        name="app",
        owner=name,
        secret=SECRET,
        client_type="confidential",
        grant="client-credentials",
        redirect_uris="",
        skip_authorization=0,
    )
    assert ginkgo.dop_client(name) is None and SECRET not in run.output
    run, result = ensure(ginkgo, **options)
    assert run.rc == 0 and result["changed"] is False, run.output

    # The token endpoint sends this client_id to DOT: its answer is DOT's on Ginkgo, and the token works.
    run = ginkgo.play(
        [
            {
                "name": "token",
                "register": "minted",
                "edx_token": {
                    "lms_url": ginkgo.url,
                    "ca_path": str(ginkgo.lms.ca_path),
                    "client_id": name,
                    "client_secret": SECRET,
                    "token_type": "bearer",
                },
            },
            {"name": "show", "debug": {"var": "minted"}},
            {
                "name": "check",
                "edx_api_check": {
                    "lms_url": ginkgo.url,
                    "ca_path": str(ginkgo.lms.ca_path),
                    "token": "{{ minted.token }}",
                    "token_type": "bearer",
                },
            },
        ]
    )
    assert run.rc == 0, run.output
    token = run.task("show")["result"]["minted"]
    assert 35990 <= token["expires_in"] <= 36000 and token["scope"] == "read write profile email"
    assert run.task("check")["result"]["status"] == 200


def test_dot_client_on_ginkgo_updates_secret_grant_and_owner_as_asked(ginkgo, name):
    make_user(ginkgo, name)
    make_user(ginkgo, name + "-b")
    base = dict(backend="dot", name="app", client_id=name)
    ensure(ginkgo, **base, owner=name, client_secret=SECRET)
    before = ginkgo.snapshot()
    change = dict(base, owner=name, client_secret=SECRET + "-new", grant_type="password", client_type="public")
    run, result = ensure(ginkgo, check=True, diff=True, **change)
    assert sorted(result["clients"][0]["changes"]) == ["client_secret", "client_type", "grant_type"], run.output
    assert "******** (changed)" in run.stdout and SECRET not in run.output
    assert ginkgo.snapshot() == before
    run, result = ensure(ginkgo, **change)
    assert run.rc == 0 and result["changed"] is True, run.output
    held = ginkgo.dot_client(name)
    assert (held["secret"], held["grant"], held["client_type"]) == (SECRET + "-new", "password", "public")

    run, result = ensure(ginkgo, **base, owner=name + "-b")
    assert run.rc != 0 and f'belongs to "{name}"' in result["msg"] and "allow_owner_change" in result["msg"]
    run, result = ensure(ginkgo, **base, owner=name + "-b", allow_owner_change=True)
    assert run.rc == 0 and result["clients"][0]["changes"] == ["owner"], run.output
    assert ginkgo.dot_client(name)["owner"] == name + "-b"
    run, result = ensure(ginkgo, **base, state="absent")
    assert run.rc == 0 and result["clients"][0]["action"] == "delete"
    assert ginkgo.dot_client(name) is None


def test_what_a_ginkgo_dot_client_cannot_hold_fails_naming_the_option(ginkgo, name):
    make_user(ginkgo, name)
    before = ginkgo.snapshot()
    base = dict(backend="dot", name="app", owner=name, client_id=name, client_secret=SECRET)
    run, result = ensure(ginkgo, **base, scopes=["profile"])
    assert run.rc != 0 and result["msg"].startswith("scopes cannot be set on this LMS"), run.output
    assert "Hawthorn" in result["msg"]
    run, result = ensure(ginkgo, **base, grant_type="authorization_code")
    assert run.rc != 0 and "give redirect_uris" in result["msg"]
    # What only the model knows: Django admin's validation (full_clean) runs, its answer is shown,
    # and check mode refuses it as the real run does.
    for check in (True, False):
        run, result = ensure(ginkgo, check=check, **base, redirect_uris=["https://app.example.com/cb#fragment"])
        assert run.rc != 0 and result["msg"].startswith('The LMS refused OAuth2 client "app": '), run.output
        assert "fragment" in result["msg"] and result["msg"].endswith(". Nothing was changed.")
    assert ginkgo.snapshot() == before


def test_a_client_id_lives_in_one_back_end_of_a_ginkgo_lms(ginkgo, name):
    """The token endpoint sends a client_id to DOT whenever DOT holds it: a DOT application with a DOP
    client's id would take that client's token requests over, so neither is created beside the other."""
    make_user(ginkgo, name)
    ensure(ginkgo, name="dop-app", owner=name, client_id=name + "-dop", client_secret=SECRET)
    ensure(ginkgo, backend="dot", name="dot-app", owner=name, client_id=name + "-dot", client_secret=SECRET)
    before = ginkgo.snapshot()
    run, result = ensure(ginkgo, backend="dot", name="x", owner=name, client_id=name + "-dop", client_secret=SECRET)
    assert run.rc != 0 and "is a django-oauth2-provider (dop) client" in result["msg"], run.output
    assert "set backend to dop" in result["msg"]
    run, result = ensure(ginkgo, name="x", owner=name, client_id=name + "-dot", client_secret=SECRET)
    assert run.rc != 0 and "is a django-oauth-toolkit (dot) client" in result["msg"], run.output
    run, result = ensure(ginkgo, state="absent", client_id=name + "-dot")
    assert run.rc != 0 and "set backend to dot" in result["msg"], run.output
    assert ginkgo.snapshot() == before


# --- the role and the playbooks --------------------------------------------------------------


def inventory(tmp_path, target, **overrides):
    """What a Ginkgo operator sets (README): the settings, the console shell, the CA to trust."""
    host = {
        "ansible_connection": "local",
        "ansible_python_interpreter": str(target.lms.manage_prefix[0]),
        "edx_api_access_lms_url": target.url,
        "edx_api_access_ca_path": str(target.lms.ca_path),
        "edx_api_access_runner": "command",
        "edx_api_access_manage_command": list(target.lms.manage_prefix),
        "edx_api_access_settings": target.lms.settings,
        "edx_api_access_shell": "interactive",
        "edx_api_access_environment": target.env,
        "edx_api_access_username": "svc-api",
        "edx_api_access_email": "svc-api@example.com",
        "edx_api_access_client_secret": SECRET,
    }
    host.update(overrides)
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps({"lms": {"hosts": {"ginkgo1": host}}}))
    return path


@pytest.mark.parametrize("token_type", ["jwt", "bearer"])
def test_role_on_ginkgo_check_converge_rerun_verify(fresh_ginkgo, tmp_path, token_type):
    target = fresh_ginkgo
    inv = inventory(tmp_path, target, edx_api_access_token_type=token_type)
    before = target.snapshot()

    boots = target.lms.boots()
    run = play("provision", inv, "--check", "--diff")
    assert run.rc == 0 and recap_changed(run) == 1, run.output
    assert "+    backend: dop" in run.stdout and "+    username: svc-api" in run.stdout
    assert target.snapshot() == before and target.lms.boots() - boots == 1

    boots = target.lms.boots()
    run = play("provision", inv)
    assert run.rc == 0 and recap_changed(run) == 1, run.output
    assert target.lms.boots() - boots == 1
    held = target.dop_client("svc-api")
    assert held.pop("redirect_uri").startswith(("http://", "https://"))  # DOP needs one: the LMS's root URL
    assert held == dict(name="svc-api", owner="svc-api", secret=SECRET, client_type=0, trusted=0)
    check = run.item("Check the enrollment API with the token")
    assert check["status"] == 200 and check["enrollments"] == []
    shown = run.task("Show the enrollment API's answer")["result"]["msg"]
    staff = "staff true as expected" if token_type == "jwt" else "staff true not checked"  # Ginkgo: a JWT's claim
    assert shown == (
        f"GET {target.url}/api/enrollment/v1/enrollment as svc-api with a {token_type} token answered 200: []; "
        f"client svc-api, {staff}"
    )
    assert target.snapshot()["dot"] == before["dot"]  # the client went to DOP, not DOT

    after = target.snapshot()
    run = play("provision", inv)
    assert run.rc == 0 and recap_changed(run) == 0, run.output
    run = play("provision", inv, "--check", "--diff")
    assert run.rc == 0 and recap_changed(run) == 0, run.output
    assert target.snapshot() == after

    boots = target.lms.boots()
    run = play("verify", inv)
    assert run.rc == 0, run.output
    check = run.item("Check the enrollment API with the token")
    assert check["status"] == 200 and target.lms.boots() == boots
    # Ginkgo has no roles/: a JWT's administrator claim says whether the user is staff; a bearer token cannot.
    if token_type == "jwt":
        assert check["is_staff"] is True and "was not checked" not in run.output
    else:
        assert check["is_staff"] is None and "global staff was not checked" in run.output

    if token_type == "jwt":  # drift made by hand is named, from the claim
        with closing(sqlite3.connect(target.lms.state_dir / "db.sqlite3")) as db, db:
            db.execute("UPDATE auth_user SET is_staff = 0 WHERE username = 'svc-api'")
        run = play("verify", inv)
        result = run.item("Check the enrollment API with the token")
        assert run.rc != 0 and result["cause"] == "drift", run.output
        assert "is not global staff" in result["msg"] and "administrator claim" in result["msg"]


def test_role_on_ginkgo_with_a_dot_client_and_direct_tokens_needs_no_python_on_the_host(fresh_ginkgo, tmp_path):
    """backend dot (Django admin's way, no create_dot_application) and token_method direct; the host's
    Python for Ansible does not exist, so provision and verify run only manage.py there."""
    target = fresh_ginkgo
    inv = inventory(
        tmp_path,
        target,
        edx_api_access_backend="dot",
        edx_api_access_token_method="direct",
        ansible_python_interpreter="/nonexistent/python3",
    )
    before = target.snapshot()
    run = play("provision", inv, "--check", "--diff")
    assert run.rc == 0 and recap_changed(run) == 1, run.output
    assert "+    grant_type: client_credentials" in run.stdout and target.snapshot() == before

    boots = target.lms.boots()
    run = play("provision", inv)
    assert run.rc == 0 and recap_changed(run) == 1, run.output
    assert target.lms.boots() - boots == 1
    assert target.dot_client("svc-api") == dict(
        name="svc-api",
        owner="svc-api",
        secret=SECRET,
        client_type="confidential",
        grant="client-credentials",
        redirect_uris="",
        skip_authorization=0,
    )
    assert target.dop_client("svc-api") is None
    check = run.item("Check the enrollment API with the token")
    assert check["status"] == 200 and check["token_type"] == "bearer"

    run = play("provision", inv)
    assert run.rc == 0 and recap_changed(run) == 0, run.output
    boots = target.lms.boots()
    run = play("verify", inv)
    assert run.rc == 0 and recap_changed(run) == 0, run.output
    assert run.item("Check the enrollment API with the token")["status"] == 200
    assert target.lms.boots() - boots == 1
    # Direct tokens are bearer while edx_api_access_token_type stays jwt: the warning gives advice that applies.
    assert "a bearer token names no role" in run.output and "edx_api_access_token_method endpoint" in run.output
    assert "Use token_type jwt to have it checked" not in run.output


def test_role_on_ginkgo_detects_the_back_end_and_shell_by_itself(fresh_ginkgo, tmp_path):
    """Only the settings and the CA set: shell auto (one extra start) and backend auto still converge."""
    inv = inventory(tmp_path, fresh_ginkgo, edx_api_access_shell="auto")
    boots = fresh_ginkgo.lms.boots()
    run = play("provision", inv)
    assert run.rc == 0 and recap_changed(run) == 1, run.output
    assert fresh_ginkgo.lms.boots() - boots == 2
    assert fresh_ginkgo.dop_client("svc-api")["owner"] == "svc-api"


@pytest.mark.parametrize("backend", ["dop", "dot"])
def test_provision_and_verify_keep_the_client_secret_out_of_the_tracking_log(fresh_ginkgo, tmp_path, backend):
    """The LMS's TrackMiddleware logs every token request's POST fields, censoring only password fields:
    the secret travels in HTTP Basic, the password grant's password is censored."""
    pw_secret, password = "Ginkgo-pw-client-secret-77aa", "Ginkgo-user-password-3f"
    accounts = [
        {"username": "svc-api", "email": "svc-api@example.com", "client_secret": SECRET},
        {
            "username": "svc-pw",
            "email": "svc-pw@example.com",
            "client_secret": pw_secret,
            "grant_type": "password",
            "password": password,
            "token_type": "bearer",
        },
    ]
    inv = inventory(tmp_path, fresh_ginkgo, edx_api_access_backend=backend, edx_api_access_accounts=accounts)
    hosts = json.loads(inv.read_text())
    for single in ("edx_api_access_username", "edx_api_access_email", "edx_api_access_client_secret"):
        del hosts["lms"]["hosts"]["ginkgo1"][single]
    inv.write_text(json.dumps(hosts))
    for entry in ("provision", "verify"):
        run = play(entry, inv)
        assert run.rc == 0, run.output
    log = (fresh_ginkgo.lms.state_dir / "tracking.log").read_text()
    token_events = [json.loads(line) for line in log.splitlines() if "/oauth2/access_token" in line]
    assert len(token_events) == 4 and all('"client_id": ["svc-' in e["event"] for e in token_events), log
    assert any('"password": "********"' in e["event"] for e in token_events), log
    assert SECRET not in log and pw_secret not in log and password not in log


DEMO = "course-v1:edX+DemoX+Demo_Course"
API_KEY = "PUT_YOUR_API_KEY_HERE"  # the flavour's EDX_API_KEY (LMS_EDX_API_KEY)


def enrollments(target, names):
    """{username: (mode, is_active)} in the demo course, as the LMS's database holds them."""
    rows = target.rows(
        "SELECT u.username, e.mode, e.is_active FROM student_courseenrollment e JOIN auth_user u ON u.id = e.user_id "
        "WHERE e.course_id = ? ORDER BY u.username",
        DEMO,
    )
    return {username: (mode, active) for username, mode, active in rows if username in names}


def test_enroll_playbook_on_ginkgo_needs_the_api_key_then_converges(fresh_ginkgo, tmp_path):
    """Ginkgo lets only the API key enroll other users (global staff may not): without it the run fails
    at the first write, saying what to set, with nothing enrolled; with it, enroll, rerun, check, absent."""
    target = fresh_ginkgo
    names = ["learner-a", "learner-b", "learner-c"]
    for learner in names:
        make_user(target, learner)
    wanted = [
        {"username": "learner-a", "course_id": DEMO},
        {"username": "learner-b", "course_id": DEMO, "mode": "verified"},
    ]
    assert play("provision", inventory(tmp_path, target)).rc == 0

    run = play("enroll", inventory(tmp_path, target, edx_api_access_enrollments=wanted))
    assert run.rc != 0, run.output
    result = run.task("edx_api_access : Ensure the enrollments")["result"]
    assert result["cause"] == "not_allowed", result
    assert "it has no staff enrollment list, so it predates 2019" in result["msg"], result["msg"]
    assert "lets only its API key act for other users" in result["msg"] and "edx_api_access_api_key" in result["msg"]
    assert enrollments(target, names) == {}

    wrong = dict(edx_api_access_enrollments=wanted, edx_api_access_api_key="Not-the-LMS-key-42")
    run = play("enroll", inventory(tmp_path, target, **wrong))
    result = run.task("edx_api_access : Ensure the enrollments")["result"]
    assert run.rc != 0 and "although api_key was given" in result["msg"], run.output
    assert "Not-the-LMS-key-42" not in run.output and enrollments(target, names) == {}

    keyed = dict(edx_api_access_enrollments=wanted, edx_api_access_api_key=API_KEY)
    run = play("enroll", inventory(tmp_path, target, **keyed))
    assert run.rc == 0 and recap_changed(run) == 1, run.output
    assert enrollments(target, names) == {"learner-a": ("audit", 1), "learner-b": ("verified", 1)}
    assert API_KEY not in run.output
    assert run.task("edx_api_access : Ensure the enrollments")["result"]["http"]["read_strategy"] == "per_enrollment"

    run = play("enroll", inventory(tmp_path, target, **keyed))
    assert run.rc == 0 and recap_changed(run) == 0, run.output

    more = dict(keyed, edx_api_access_enrollments=[*wanted, {"username": "learner-c", "course_id": DEMO}])
    run = play("enroll", inventory(tmp_path, target, **more), "--check", "--diff")
    assert run.rc == 0 and recap_changed(run) == 1, run.output
    assert "learner-c" not in enrollments(target, names)

    gone = dict(keyed, edx_api_access_enrollments=[{"username": "learner-b", "course_id": DEMO, "state": "absent"}])
    run = play("enroll", inventory(tmp_path, target, **gone))
    assert run.rc == 0 and recap_changed(run) == 1, run.output
    assert enrollments(target, names)["learner-b"] == ("verified", 0)


def test_create_oauth2_client_output_never_leaves_the_lms(ginkgo, name):
    """The program runs through the console as the runner runs it: the process's own output (which the
    runner shows when a process dies without a result) holds neither the secret nor the password hash."""
    from ansible.module_utils.edx_provision.lms.runner import lms_document, parse_result
    from ansible.module_utils.edx_provision.lms.transport import stdin_for

    make_user(ginkgo, name)
    password_hash = ginkgo.rows("SELECT password FROM auth_user WHERE username = ?", name)[0][0]
    want = dict(
        where="",
        name="quiet",
        owner=name,
        client_id=name,
        client_secret="Never-shown-1-abcdefgh",
        grant_type=None,
        client_type=None,
        redirect_uris=None,
        scopes=None,
        skip_authorization=None,
        state="present",
        return_secret=False,
    )
    request = {"check_mode": False, "clients": [want], "backend": "auto"}
    document = json.dumps(lms_document("ensure_oauth_clients", request))
    proc = ginkgo.lms.manage("shell", "--plain", "--no-startup", input=stdin_for("interactive", document).decode())
    assert proc.returncode == 0, proc.stderr
    assert parse_result(proc.stdout)["clients"][0]["action"] == "create", proc.stderr
    assert "Never-shown-1-abcdefgh" not in proc.stdout + proc.stderr
    assert password_hash not in proc.stdout + proc.stderr
    assert ginkgo.dop_client(name)["secret"] == "Never-shown-1-abcdefgh"

    # Control: the LMS's command on its own prints both, which is why the module discards its output.
    proc = ginkgo.lms.manage(
        "create_oauth2_client",
        "https://a.example",
        "https://a.example/cb",
        "confidential",
        "-u",
        name,
        "-s",
        "Printed-by-edx-2-abcdef",
    )
    assert "Printed-by-edx-2-abcdef" in proc.stdout and password_hash in proc.stdout


def test_role_direct_tokens_for_dop_clients_say_which_role_variable_to_set(ginkgo, tmp_path):
    """Issue 17.25: the role's words (edx_api_access_token_method), not the module's (direct_tokens)."""
    inv = inventory(tmp_path, ginkgo, edx_api_access_username="svc-dop-direct", edx_api_access_token_method="direct")
    before = ginkgo.snapshot()
    run = play("provision", inv)
    assert run.rc != 0
    assert "direct_tokens" in run.task("Ensure the service users and their OAuth2 clients on the LMS")["result"]["msg"]
    msg = run.task("Fail in the role's terms")["result"]["msg"]
    assert "set token_method endpoint (edx_api_access_token_method, or the account's token_method)" in msg, msg
    assert "leave direct_tokens out" not in msg
    assert ginkgo.snapshot() == before
