"""edx_token through ansible-playbook against the stand-in LMS: what an operator sees.

Users and OAuth2 applications are made with the stand-in's own commands (manage_user,
create_dot_application), never with the toolkit's modules. Plays that share a setup run once per
module (fixtures) and each test asserts on one task of them.
"""

import base64
import hashlib
import json
import os
import secrets
import socket
import stat
import time
from datetime import datetime, timezone

import pytest
import requests
from playbook import run_play  # tests/integration/conftest.py puts it on the path

PREFIX = "tokmod"
CC_ID, PW_ID = PREFIX + "-cc-client", PREFIX + "-pw-client"
SVC, PW_USER = PREFIX + "-svc", PREFIX + "-pwuser"


def md5_hash(password):
    """A Django MD5PasswordHasher hash (the stand-in accepts it for --initial-password-hash)."""
    salt = secrets.token_hex(6)
    return "md5$%s$%s" % (salt, hashlib.md5((salt + password).encode(), usedforsecurity=False).hexdigest())


def checked(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def lms(standin):
    """The shared stand-in with a client-credentials app and a password-grant app and user."""
    creds = {
        "cc_secret": "cc-" + secrets.token_urlsafe(24),
        "pw_secret": "pw-" + secrets.token_urlsafe(24),
        "password": "Pass-" + secrets.token_urlsafe(18),
    }
    checked(standin.manage("manage_user", SVC, SVC + "@example.com", "--staff"))
    checked(
        standin.manage(
            "manage_user", PW_USER, PW_USER + "@example.com", "--initial-password-hash", md5_hash(creds["password"])
        )
    )
    checked(
        standin.manage(
            "create_dot_application",
            PREFIX + "-cc",
            SVC,
            "--client-id",
            CC_ID,
            "--client-secret",
            creds["cc_secret"],
            "--update",
        )
    )
    checked(
        standin.manage(
            "create_dot_application",
            PREFIX + "-pw",
            PW_USER,
            "--grant-type",
            "password",
            "--client-id",
            PW_ID,
            "--client-secret",
            creds["pw_secret"],
            "--update",
        )
    )
    standin.creds = creds
    return standin


def token_task(name, lms_url, **args):
    return {"name": name, "edx_token": {"lms_url": lms_url, **args}, "register": name.replace(" ", "_")}


def show(*names):
    """debug tasks that print registered results: how a user explicitly looks at a token."""
    return [{"name": "show " + n, "debug": {"var": n.replace(" ", "_")}} for n in names]


def shown(run, name):
    return run.task("show " + name)["result"][name.replace(" ", "_")]


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def api_status(lms, token, scheme):
    url = lms.url + "/api/enrollment/v1/enrollment"
    return requests.get(url, headers={"Authorization": "%s %s" % (scheme, token)}, timeout=10).status_code


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- minting ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minted(lms):
    creds = lms.creds
    run = run_play(
        [
            token_task("bearer", lms.url, client_id=CC_ID, client_secret=creds["cc_secret"]),
            token_task("jwt", lms.url, client_id=CC_ID, client_secret=creds["cc_secret"], token_type="jwt"),
            token_task(
                "password grant",
                lms.url,
                client_id=PW_ID,
                client_secret=creds["pw_secret"],
                grant_type="password",
                username=PW_USER,
                password=creds["password"],
                token_type="jwt",
            ),
            token_task(
                "scope",
                lms.url,
                client_id=CC_ID,
                client_secret=creds["cc_secret"],
                scope=["read", "email"],
            ),
            *show("bearer", "jwt", "password grant", "scope"),
        ]
    )
    assert run.rc == 0, run.output
    return run


def epoch(iso):
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def test_client_credentials_bearer_token(lms, minted):
    result = shown(minted, "bearer")
    assert result["changed"] is False
    assert result["cached"] is False
    assert result["token_type"] == "bearer"
    assert result["scope"] == "read write email profile"
    assert 35990 <= result["expires_in"] <= 36000  # DOT's default lifetime
    assert result["timings"]["heartbeat_attempts"] == 1 and result["timings"]["token_attempts"] == 1
    assert api_status(lms, result["token"], "Bearer") == 200


def test_client_credentials_jwt(lms, minted):
    result = shown(minted, "jwt")
    assert result["token_type"] == "jwt"
    assert 3590 <= result["expires_in"] <= 3600  # the LMS's JWT lifetime, not 0 or a bearer's
    claims = jwt_claims(result["token"])
    assert abs(epoch(result["expires_at"]) - claims["exp"]) <= 2  # expires_at is the LMS's own expiry
    assert claims["preferred_username"] == SVC
    assert claims["grant_type"] == "client-credentials"
    assert api_status(lms, result["token"], "JWT") == 200


def test_password_grant_gets_a_token_for_the_user(lms, minted):
    result = shown(minted, "password grant")
    assert result["token_type"] == "jwt"
    assert jwt_claims(result["token"])["preferred_username"] == PW_USER
    assert api_status(lms, result["token"], "JWT") == 200


def test_scope_is_asked_for(lms, minted):
    result = shown(minted, "scope")
    assert result["token_type"] == "bearer"
    assert result["scope"] == "read email"
    assert api_status(lms, result["token"], "Bearer") == 200


def test_successful_results_are_hidden_from_output(minted):
    for name in ("bearer", "jwt", "password grant", "scope"):
        recorded = minted.task(name)
        assert recorded["status"] == "ok"
        assert "token" not in recorded["result"]
        assert "censored" in recorded["result"]
        assert recorded["result"]["changed"] is False


# --- failures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def failures(lms):
    creds = lms.creds
    tasks = [
        token_task("wrong secret", lms.url, client_id=CC_ID, client_secret="not-the-" + creds["cc_secret"]),
        token_task("unknown client", lms.url, client_id="no-such-client", client_secret="whatever-secret"),
        token_task(
            "password on cc app",
            lms.url,
            client_id=CC_ID,
            client_secret=creds["cc_secret"],
            grant_type="password",
            username=PW_USER,
            password=creds["password"],
        ),
        token_task(
            "wrong password",
            lms.url,
            client_id=PW_ID,
            client_secret=creds["pw_secret"],
            grant_type="password",
            username=PW_USER,
            password="Wrong-" + creds["password"],
        ),
        token_task("bad scope", lms.url, client_id=CC_ID, client_secret=creds["cc_secret"], scope=["grades:read"]),
        token_task(
            "url of endpoint", lms.url + "/oauth2/access_token", client_id=CC_ID, client_secret=creds["cc_secret"]
        ),
        token_task("missing secret", lms.url, client_id=CC_ID),
    ]
    for task in tasks:
        task["ignore_errors"] = True
    run = run_play(tasks)
    assert run.rc == 0, run.output  # every failure ignored: the play itself succeeds
    return run


def failed(run, name):
    recorded = run.task(name)
    assert recorded["status"] == "failed", recorded
    return recorded["result"]


def test_wrong_client_secret_names_the_options(lms, failures):
    result = failed(failures, "wrong secret")
    assert result["cause"] == "invalid_client"
    assert result["status"] == 401
    assert "refused the OAuth2 client credentials" in result["msg"]
    assert "client_secret" in result["msg"] and repr(CC_ID) in result["msg"]
    assert lms.creds["cc_secret"] not in failures.output


def test_unknown_client(failures):
    result = failed(failures, "unknown client")
    assert result["cause"] == "invalid_client"
    assert "'no-such-client'" in result["msg"]


def test_password_grant_on_a_client_credentials_app_is_explained(failures):
    result = failed(failures, "password on cc app")
    assert result["cause"] == "unauthorized_client"
    assert "may not use grant_type password" in result["msg"]
    assert "edx_oauth_client grant_type: password" in result["msg"]


def test_wrong_user_password(lms, failures):
    result = failed(failures, "wrong password")
    assert result["cause"] == "invalid_grant"
    assert repr(PW_USER) in result["msg"]
    assert "username and password" in result["msg"]
    assert lms.creds["password"] not in failures.output


def test_scope_not_allowed_for_the_app(failures):
    result = failed(failures, "bad scope")
    assert result["cause"] == "invalid_scope"
    assert "'grades:read'" in result["msg"]


def test_lms_url_pointing_at_the_endpoint(failures):
    result = failed(failures, "url of endpoint")
    assert result["cause"] == "bad_option"
    assert "lms_url" in result["msg"] and "base URL" in result["msg"]


def test_missing_client_secret_is_caught_by_the_argument_spec(failures):
    result = failed(failures, "missing secret")
    assert "client_secret" in result["msg"]


@pytest.mark.slow
def test_oauth2_provider_off_is_explained(standin_factory):
    off = standin_factory(settings="oauth2_off", name="lms-oauth2-off")
    run = run_play([token_task("mint", off.url, client_id="any", client_secret="any-secret")])
    assert run.rc != 0
    result = failed(run, "mint")
    assert result["cause"] == "oauth2_disabled"
    assert result["status"] == 404
    assert "ENABLE_OAUTH2_PROVIDER" in result["msg"]
    assert "lms_url" in result["msg"]
    assert "ENABLE_OAUTH2_PROVIDER" in run.output


def test_lms_down_is_waited_for_until_timeout_then_explained():
    url = "http://127.0.0.1:%d" % closed_port()
    run = run_play([token_task("mint", url, client_id="any", client_secret="any-secret", timeout=2)])
    assert run.rc != 0
    result = failed(run, "mint")
    assert result["cause"] == "connection_refused"
    assert "connection refused" in result["msg"] and "lms_url" in result["msg"] and "waited" in result["msg"]
    assert result["timings"]["heartbeat_attempts"] >= 2  # retried (0.5 s, 1 s, ...) until the deadline
    assert result["timings"]["token_attempts"] == 0  # no token request before the LMS is ready


def test_without_heartbeat_the_token_request_itself_is_retried_until_timeout():
    url = "http://127.0.0.1:%d" % closed_port()
    run = run_play(
        [token_task("mint", url, client_id="any", client_secret="any-secret", timeout=2, wait_for_heartbeat=False)]
    )
    result = failed(run, "mint")
    assert result["cause"] == "connection_refused"
    assert result["timings"]["heartbeat_attempts"] == 0 and result["timings"]["token_attempts"] >= 2


# --- cache and check mode ----------------------------------------------------------------------------


def test_cache_reuses_the_token_in_a_private_file(lms, tmp_path):
    cache = tmp_path / "cache" / "tokens.json"
    args = dict(client_id=CC_ID, client_secret=lms.creds["cc_secret"], cache_path=str(cache))
    run = run_play(
        [
            token_task("first", lms.url, **args),
            token_task("second", lms.url, **args),
            token_task("other kind", lms.url, token_type="jwt", **args),
            token_task("too short", lms.url, min_ttl=40000, **args),
            *show("first", "second", "other kind", "too short"),
        ]
    )
    assert run.rc == 0, run.output
    first, second = shown(run, "first"), shown(run, "second")
    assert (first["cached"], second["cached"]) == (False, True)
    assert second["token"] == first["token"]
    assert second["expires_at"] == first["expires_at"]
    assert second["expires_in"] <= first["expires_in"]
    other, renewed = shown(run, "other kind"), shown(run, "too short")
    assert other["cached"] is False and other["token_type"] == "jwt"
    assert renewed["cached"] is False and renewed["token"] != first["token"]  # 36000 s left < min_ttl
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cache.parent).st_mode) == 0o700
    assert sorted(p.name for p in cache.parent.iterdir()) == ["tokens.json", "tokens.json.lock"]
    stored = json.loads(cache.read_text())["tokens"]
    assert sorted(entry["token"] for entry in stored.values()) == sorted([renewed["token"], other["token"]])
    assert lms.creds["cc_secret"] not in cache.read_text()


def test_check_mode_mints_but_writes_no_cache(lms, tmp_path):
    cache = tmp_path / "tokens.json"
    run = run_play(
        [
            token_task("mint", lms.url, client_id=CC_ID, client_secret=lms.creds["cc_secret"], cache_path=str(cache)),
            *show("mint"),
        ],
        check=True,
    )
    assert run.rc == 0, run.output
    result = shown(run, "mint")
    assert result["changed"] is False and result["cached"] is False
    assert api_status(lms, result["token"], "Bearer") == 200
    assert not cache.exists()


# --- a cached token the LMS refuses -----------------------------------------------------------------


def access_log(lms):
    """The request lines of the stand-in's gunicorn log (it also holds the LMS's own log lines)."""
    return [
        line for line in (lms.state_dir / "server.log").read_text(errors="replace").splitlines() if " HTTP/1." in line
    ]


def settled_length(lms):
    """The access log's length once the lines of earlier requests are written (gunicorn logs after it answers)."""
    length, still = len(access_log(lms)), 0
    for _ in range(100):  # at most 5 s; settled once unchanged for 0.25 s
        time.sleep(0.05)
        now = len(access_log(lms))
        still = still + 1 if now == length else 0
        if still == 5:
            return now
        length = now
    return length


def cached_run(lms, cache, secret, client_id=CC_ID, check=False, **extra):
    """One edx_token task with the cache: (result, output, the LMS's access log lines of the run)."""
    mark = settled_length(lms)
    run = run_play(
        [token_task("cached", lms.url, client_id=client_id, client_secret=secret, cache_path=str(cache), **extra)]
        + show("cached"),
        check=check,
    )
    assert run.rc == 0, run.output
    return shown(run, "cached"), run.output, access_log(lms)[mark:]


def round_trips(lines):
    """(enrollment GETs, heartbeat GETs, token POSTs) in access log lines."""
    return tuple(
        sum(1 for line in lines if needle in line)
        for needle in ('"GET /api/enrollment/v1/enrollment ', '"GET /heartbeat', '"POST /oauth2/access_token')
    )


def test_a_cached_token_is_proven_with_one_request(lms, tmp_path):
    cache = tmp_path / "tokens.json"
    first, _out, lines = cached_run(lms, cache, lms.creds["cc_secret"])
    assert first["cached"] is False and round_trips(lines) == (0, 1, 1)
    again, _out, lines = cached_run(lms, cache, lms.creds["cc_secret"])
    assert again["cached"] is True and again["token"] == first["token"]
    assert round_trips(lines) == (1, 0, 0) and len(lines) == 1 and '" 200 ' in lines[0]
    assert again["timings"]["cache_check_attempts"] == 1


REFUSALS = {
    # the LMS deleted the token (revoke_token, an admin, a cleanup job)
    "revoked": "get_access_token_model().objects.filter(token=%r).delete()",
    # the controller's clock is ahead of the LMS's: the cache thinks it fresh, the LMS says it expired
    "clock skew": "get_access_token_model().objects.filter(token=%r).update(expires=timezone.now() - timedelta(1))",
}


@pytest.mark.parametrize("cause", sorted(REFUSALS))
def test_a_cached_token_the_lms_refuses_is_dropped_and_minted_once(lms, tmp_path, cause):
    cache = tmp_path / "tokens.json"
    first, _out, _lines = cached_run(lms, cache, lms.creds["cc_secret"])
    code = (
        "from datetime import timedelta\nfrom django.utils import timezone\n"
        "from oauth2_provider.models import get_access_token_model\n" + REFUSALS[cause] % first["token"]
    )
    checked(lms.manage("shell", "-c", code))
    assert api_status(lms, first["token"], "Bearer") == 401

    held = cache.read_bytes()
    checked_run, _out, _lines = cached_run(lms, cache, lms.creds["cc_secret"], check=True)
    assert checked_run["cached"] is False and cache.read_bytes() == held  # check mode leaves the cache as it is

    renewed, output, lines = cached_run(lms, cache, lms.creds["cc_secret"])
    assert renewed["cached"] is False and renewed["token"] != first["token"]
    assert api_status(lms, renewed["token"], "Bearer") == 200
    assert "The LMS refused the cached token" in output and first["token"] not in output
    # the refusal, then one mint: GET 401, heartbeat, token POST
    assert round_trips(lines) == (1, 1, 1) and '" 401 ' in lines[0]
    stored = json.loads(cache.read_text())["tokens"]
    assert [entry["token"] for entry in stored.values()] == [renewed["token"]]

    again, _out, lines = cached_run(lms, cache, lms.creds["cc_secret"])
    assert again["cached"] is True and again["token"] == renewed["token"] and round_trips(lines) == (1, 0, 0)


def test_a_cached_jwt_signed_with_a_rotated_key_is_minted_again(standin_factory, tmp_path):
    lms = standin_factory(name="jwt-rotation")
    secret = "rot-" + secrets.token_urlsafe(24)
    checked(lms.manage("manage_user", SVC, SVC + "@example.com"))
    checked(
        lms.manage(
            "create_dot_application", "rot", SVC, "--client-id", "rot-client", "--client-secret", secret, "--update"
        )
    )
    cache = tmp_path / "tokens.json"
    first, _out, _lines = cached_run(lms, cache, secret, client_id="rot-client", token_type="jwt")
    lms.stop()
    # a new signing key: the stand-in makes one (RSA, and the HS256 secret from secret_key) when missing
    (lms.state_dir / "jwt_signing_key.jwk.json").unlink()
    (lms.state_dir / "secret_key").write_text(secrets.token_urlsafe(50))
    lms.start()
    assert api_status(lms, first["token"], "JWT") == 401

    renewed, output, lines = cached_run(lms, cache, secret, client_id="rot-client", token_type="jwt")
    assert renewed["cached"] is False and renewed["token"] != first["token"]
    assert api_status(lms, renewed["token"], "JWT") == 200
    assert "The LMS refused the cached token" in output and round_trips(lines) == (1, 1, 1)


# --- nothing secret at -vvv --------------------------------------------------------------------------


def test_vvv_output_shows_no_secret_password_or_token(lms, tmp_path):
    cache = tmp_path / "tokens.json"
    creds = lms.creds
    run = run_play(
        [
            token_task(
                "cc",
                lms.url,
                client_id=CC_ID,
                client_secret=creds["cc_secret"],
                token_type="jwt",
                cache_path=str(cache),
            ),
            token_task(
                "pw",
                lms.url,
                client_id=PW_ID,
                client_secret=creds["pw_secret"],
                grant_type="password",
                username=PW_USER,
                password=creds["password"],
                cache_path=str(cache),
            ),
            {"name": "check", "edx_api_check": {"lms_url": lms.url, "token": "{{ cc.token }}"}},
            {"name": "check pw", "edx_api_check": {"lms_url": lms.url, "token": "{{ pw.token }}"}},
            token_task(
                "wrong",
                lms.url,
                client_id=PW_ID,
                client_secret=creds["pw_secret"],
                grant_type="password",
                username=PW_USER,
                password=creds["password"] + "-typo",
            ),
        ],
        verbosity=3,
    )
    assert run.task("check")["status"] == "ok" and run.task("check pw")["status"] == "ok"
    assert run.task("wrong")["status"] == "failed"
    tokens = [entry["token"] for entry in json.loads(cache.read_text())["tokens"].values()]
    assert run.task("cc")["status"] == "ok" and run.task("pw")["status"] == "ok"
    assert len(tokens) == 2
    assert "EXEC" in run.output and "censored" in run.output  # really -vvv, really hidden
    for secret in [creds["cc_secret"], creds["pw_secret"], creds["password"], creds["password"] + "-typo", *tokens]:
        assert secret not in run.output
