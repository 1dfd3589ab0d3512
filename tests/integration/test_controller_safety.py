"""edx_token and edx_api_check through ansible-playbook where safety is at stake: redirects to other
servers, secrets that must not leak, insecure transports, the token cache, a failing heartbeat, a
controller without requests.

Fake servers (tests/integration/fakes.py) play what the stand-in LMS must not do: redirect elsewhere,
record what a stranger receives, answer a failing heartbeat, serve TLS with a self-signed certificate.
"""

import json
import os
import re
import secrets
import stat
import subprocess
from pathlib import Path

import pytest
from fakes import HEALTHY, FakeServer, token_answer
from playbook import run_play

PREFIX = "safety"
CLIENT_ID, USER = PREFIX + "-client", PREFIX + "-svc"


def checked(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def lms(standin):
    """The shared stand-in with a client-credentials application."""
    standin.secret = "safe-" + secrets.token_urlsafe(24)
    checked(standin.manage("manage_user", USER, USER + "@example.com", "--staff"))
    checked(
        standin.manage(
            "create_dot_application",
            PREFIX + "-app",
            USER,
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            standin.secret,
            "--update",
        )
    )
    return standin


def token_task(name, lms_url, **args):
    task = {"name": name, "edx_token": {"lms_url": lms_url, **args}, "register": name.replace(" ", "_")}
    return task


def check_task(name, lms_url, **args):
    return {"name": name, "edx_api_check": {"lms_url": lms_url, **args}, "register": name.replace(" ", "_")}


def ignoring(*tasks):
    return [dict(task, ignore_errors=True) for task in tasks]


def show(name):
    return {"name": "show " + name, "debug": {"var": name.replace(" ", "_")}}


def shown(run, name):
    return run.task("show " + name)["result"][name.replace(" ", "_")]


def failed(run, name):
    recorded = run.task(name)
    assert recorded["status"] == "failed", recorded
    return recorded["result"]


# --- redirects (issue 6.4) -----------------------------------------------------------------------


def test_api_check_never_follows_a_redirect_to_another_origin(lms):
    token = "opaque-token-for-the-real-lms-0123"
    with (
        FakeServer({"/api/enrollment/v1/enrollment": (200, {}, [])}) as stranger,
        FakeServer({"/heartbeat": HEALTHY}) as front,
    ):
        elsewhere = stranger.url + "/api/enrollment/v1/enrollment"
        front.routes["/api/enrollment/v1/enrollment"] = (307, {"Location": elsewhere}, "")
        run = run_play(ignoring(check_task("check", front.url, token=token, timeout=5)))
    result = failed(run, "check")
    assert result["cause"] == "redirect"
    assert stranger.url + "/api/enrollment/v1/enrollment" in result["msg"]
    assert "answered 200" not in run.output
    assert stranger.seen == []  # nothing at all went there, so neither did the token
    assert token not in run.output


def test_token_request_never_follows_a_redirect_and_the_secret_stays_home(lms):
    with FakeServer({"/oauth2/access_token": token_answer()}) as stranger, FakeServer({"/heartbeat": HEALTHY}) as front:
        front.routes["/oauth2/access_token"] = (307, {"Location": stranger.url + "/oauth2/access_token"}, "")
        run = run_play(ignoring(token_task("mint", front.url, client_id=CLIENT_ID, client_secret=lms.secret)))
    result = failed(run, "mint")
    assert result["cause"] == "redirect"
    assert stranger.url + "/oauth2/access_token" in result["msg"]
    assert stranger.seen == []
    assert lms.secret not in run.output


def test_a_same_origin_redirect_is_followed_with_the_token(lms):
    token = "opaque-token-same-origin-0123456"

    def api(request):
        ok = request["headers"].get("Authorization") == "Bearer " + token
        return (200, {}, []) if ok else (401, {}, {"detail": "Authentication credentials were not provided."})

    with FakeServer({"/heartbeat": HEALTHY, "/api/v2/enrollment": api}) as lms_like:
        lms_like.routes["/api/enrollment/v1/enrollment"] = (301, {"Location": "/api/v2/enrollment"}, "")
        run = run_play([check_task("check", lms_like.url, token=token, token_type="bearer")])
    assert run.rc == 0, run.output
    assert run.task("check")["result"]["status"] == 200
    assert [r["path"] for r in lms_like.seen] == ["/heartbeat", "/api/enrollment/v1/enrollment", "/api/v2/enrollment"]


# --- leaks (issue 6.9) ---------------------------------------------------------------------------


def test_unsendable_tokens_are_refused_naming_the_option_and_never_shown(lms):
    first, second = "Tk" + secrets.token_hex(12), secrets.token_hex(12) + "Zz"
    run = run_play(
        ignoring(
            {"name": "newline", "edx_api_check": {"lms_url": lms.url, "token": first + "\n" + second}},
            {"name": "non-ascii", "edx_api_check": {"lms_url": lms.url, "token": first + "\u00e9" + second}},
        )
    )
    for name, words in (("newline", "a line break"), ("non-ascii", "a non-ASCII character")):
        result = failed(run, name)
        assert result["cause"] == "bad_option"
        assert words in result["msg"] and "token" in result["msg"]
        assert "codec" not in result["msg"]
    assert first not in run.output and second not in run.output


def test_credentials_in_lms_url_are_refused_and_never_echoed(lms):
    """Not in the message, and not in the invocation's options that -vvv shows (issue 17.2)."""
    password = "Url-" + secrets.token_hex(8)
    url = lms.url.replace("http://", "http://admin:%s@" % password)
    run = run_play(
        ignoring(
            token_task("mint", url, client_id=CLIENT_ID, client_secret=lms.secret),
            check_task("check", url, token="opaque-token-0123456789"),
        ),
        verbosity=3,
    )
    for name in ("mint", "check"):
        result = failed(run, name)
        assert result["cause"] == "bad_option" and "lms_url carries credentials" in result["msg"]
    assert "module_args" in run.output  # -vvv shows the invocation
    assert password not in run.output


@pytest.mark.parametrize("secret", ["ab", "p", "ASCII"])
def test_a_refused_short_secret_is_hidden_without_garbling_the_message(lms, secret):
    """A secret made of letters that the refusal's words contain: the words read whole (issue 17.3)."""
    run = run_play(
        ignoring(
            token_task("mint", lms.url, client_id=CLIENT_ID, client_secret=secret),
            {
                "name": "access",
                "edx_access": {
                    "runner": "command",
                    "manage_command": list(lms.manage_prefix),
                    "settings": lms.settings,
                    "clients": [{"name": "short", "owner": USER, "client_secret": secret}],
                },
                "register": "access",
            },
        ),
        env={"LMS_STATE_DIR": str(lms.state_dir)},
        verbosity=3,
    )
    refusals = {"mint": "refused the OAuth2 client credentials", "access": "16 to 255 printable ASCII characters"}
    for name, words in refusals.items():
        result = failed(run, name)
        assert words in result["msg"] and "********" not in result["msg"], result["msg"]
    assert "client_secret: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.output  # the invocation at -vvv
    assert not re.search(r"[:=] *['\"]?%s['\"]?\s*$" % secret, run.output, re.MULTILINE)


# --- one warning per run (issue 6.17) ------------------------------------------------------------


def test_validate_certs_false_warns_once_for_token_and_check(tmp_path):
    token = "opaque-token-over-tls-0123456789"
    with FakeServer(
        {
            "/heartbeat": HEALTHY,
            "/oauth2/access_token": token_answer(token),
            "/api/enrollment/v1/enrollment": (200, {}, []),
        },
        tls_dir=tmp_path,
    ) as tls_lms:
        run = run_play(
            [
                token_task("mint", tls_lms.url, client_id="c", client_secret="s-" + "x" * 20, validate_certs=False),
                check_task("check", tls_lms.url, token="{{ mint.token }}", validate_certs=False),
            ]
        )
    assert run.rc == 0, run.output
    flat = " ".join(run.output.split())
    assert flat.count("validate_certs is false for %s" % tls_lms.url) == 1, run.output
    assert "can pose as the LMS" in flat


def test_no_warning_for_http_on_this_machine(lms):
    run = run_play([token_task("mint", lms.url, client_id=CLIENT_ID, client_secret=lms.secret)])
    assert run.rc == 0, run.output
    assert "[WARNING]" not in run.output


# --- the token cache (issues 6.3 and 6.16) -------------------------------------------------------


def test_a_warm_cache_does_not_hide_a_wrong_secret(lms, tmp_path):
    cache = tmp_path / "tokens.json"
    run = run_play(
        ignoring(
            token_task("warm", lms.url, client_id=CLIENT_ID, client_secret=lms.secret, cache_path=str(cache)),
            token_task("wrong", lms.url, client_id=CLIENT_ID, client_secret="not-" + lms.secret, cache_path=str(cache)),
            token_task("right", lms.url, client_id=CLIENT_ID, client_secret=lms.secret, cache_path=str(cache)),
            show("right"),
        )
    )
    assert run.task("warm")["status"] == "ok"
    assert failed(run, "wrong")["cause"] == "invalid_client"
    assert shown(run, "right")["cached"] is True  # the right credentials still reuse it
    assert lms.secret not in cache.read_text()


def test_cache_reuse_false_always_mints_and_refreshes_the_cache(lms, tmp_path):
    cache = tmp_path / "tokens.json"
    args = dict(client_id=CLIENT_ID, client_secret=lms.secret, cache_path=str(cache))
    run = run_play(
        [
            token_task("first", lms.url, **args),
            token_task("fresh", lms.url, cache_reuse=False, **args),
            token_task("again", lms.url, **args),
            show("first"),
            show("fresh"),
            show("again"),
        ]
    )
    assert run.rc == 0, run.output
    first, fresh, again = shown(run, "first"), shown(run, "fresh"), shown(run, "again")
    assert fresh["cached"] is False and fresh["token"] != first["token"]
    assert again["cached"] is True and again["token"] == fresh["token"]


def test_a_symlink_at_the_cache_path_is_refused_and_its_target_untouched(lms, tmp_path):
    planted = tmp_path / "planted.json"
    planted.write_text(json.dumps({"version": 2, "mac_key": "00" * 32, "tokens": {}}))
    os.chmod(planted, 0o644)
    link = tmp_path / "tokens.json"
    link.symlink_to(planted)
    run = run_play(
        ignoring(token_task("mint", lms.url, client_id=CLIENT_ID, client_secret=lms.secret, cache_path=str(link)))
    )
    result = failed(run, "mint")
    assert result["cause"] == "cache_unsafe"
    assert "symbolic link" in result["msg"] and str(link) in result["msg"]
    assert link.is_symlink() and stat.S_IMODE(planted.stat().st_mode) == 0o644
    assert json.loads(planted.read_text())["tokens"] == {}


def test_a_cache_open_to_others_gives_a_warning_and_is_not_silently_fixed(lms, tmp_path):
    cache = tmp_path / "tokens.json"
    args = dict(client_id=CLIENT_ID, client_secret=lms.secret, cache_path=str(cache))
    assert run_play([token_task("warm", lms.url, **args)]).rc == 0
    os.chmod(cache, 0o644)
    run = run_play([token_task("reuse", lms.url, **args), show("reuse")])
    assert run.rc == 0, run.output
    assert shown(run, "reuse")["cached"] is True
    flat = " ".join(run.output.split())
    assert "has mode 0644" in flat and "revoke its tokens" in flat
    assert stat.S_IMODE(cache.stat().st_mode) == 0o644  # a warning, not a silent chmod


def test_new_cache_folders_are_private(lms, tmp_path):
    cache = tmp_path / "a" / "b" / "tokens.json"
    run = run_play([token_task("mint", lms.url, client_id=CLIENT_ID, client_secret=lms.secret, cache_path=str(cache))])
    assert run.rc == 0, run.output
    assert [stat.S_IMODE(p.stat().st_mode) for p in (cache.parent.parent, cache.parent)] == [0o700, 0o700]


# --- readiness (issue 6.11) ----------------------------------------------------------------------


def test_a_failing_heartbeat_stops_the_token_step_saying_what_failed():
    body = {
        "sql": {"status": True, "message": "OK"},
        "modulestore": {"status": False, "message": "ServerSelectionTimeoutError: mongodb:27017"},
    }
    with FakeServer({"/heartbeat": (503, {}, body), "/oauth2/access_token": token_answer()}) as sick:
        run = run_play(ignoring(token_task("mint", sick.url, client_id="c", client_secret="s" * 20, timeout=1.5)))
    result = failed(run, "mint")
    assert result["cause"] == "unhealthy" and result["status"] == 503
    assert "modulestore: ServerSelectionTimeoutError: mongodb:27017" in result["msg"]
    assert "sql" not in result["msg"].split("failing checks:")[1]
    assert result["timings"]["heartbeat_attempts"] >= 2 and result["timings"]["token_attempts"] == 0
    assert [r["path"] for r in sick.seen if r["path"] != "/heartbeat"] == []


# --- a controller without requests (issue 10.12) -------------------------------------------------

SYSTEM_PYTHON = Path("/usr/bin/python3")


def _has_requests(python):
    return subprocess.run([str(python), "-c", "import requests"], capture_output=True).returncode == 0


@pytest.mark.skipif(
    not SYSTEM_PYTHON.exists() or _has_requests(SYSTEM_PYTHON), reason="needs a Python without requests"
)
def test_a_controller_without_requests_is_told_how_to_fix_it(lms):
    run = run_play(
        ignoring(
            token_task("mint", lms.url, client_id=CLIENT_ID, client_secret=lms.secret),
            check_task("check", lms.url, token="opaque-token-0123456789"),
        ),
        play_vars={"ansible_python_interpreter": str(SYSTEM_PYTHON)},
    )
    for name in ("mint", "check"):
        result = failed(run, name)
        assert result["cause"] == "missing_library"
        assert "requests" in result["msg"] and "%s -m pip install requests" % SYSTEM_PYTHON in result["msg"]
        assert "ansible_python_interpreter" in result["msg"]


# --- what the README warns about (issue 6.9) -----------------------------------------------------


def test_only_ansible_debug_shows_the_secret_and_token_as_the_readme_warns():
    """Nothing at -vvv; Ansible's own ANSIBLE_DEBUG=1 prints module arguments and results."""
    secret, token = "Debug-secret-" + secrets.token_hex(8), "Debug-token-" + secrets.token_hex(8)
    with FakeServer({"/heartbeat": HEALTHY, "/oauth2/access_token": token_answer(token)}) as lms_like:
        task = token_task("mint", lms_like.url, client_id="c", client_secret=secret)
        quiet = run_play([task], verbosity=3)
        debug = run_play([task], env={"ANSIBLE_DEBUG": "1"})
    assert quiet.rc == 0 and debug.rc == 0
    assert secret not in quiet.output and token not in quiet.output
    assert secret in debug.output and token in debug.output


# --- the lookups after the API answered (issue "Trust, round 3", items 26 and 27) -----------------------

ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Server Error | edX</title><script>/* immediately break out of an iframe "
    "*/ (function(window) {})(this);</script></head><body><h1>Server Error</h1></body></html>"
)


def test_a_failing_roles_is_a_failed_staff_lookup_after_the_api_passed():
    """What a real LMS does when roles/ breaks (HTTP 500 with its HTML error page): the message says the API
    answered and the staff lookup failed, and names the role variable that turns off only that check."""
    token = "opaque-token-roles-fail-01234567"
    routes = {
        "/heartbeat": HEALTHY,
        "/api/enrollment/v1/enrollment": (200, {}, []),
        "/api/enrollment/v1/roles/": (500, {}, ERROR_PAGE),
    }
    with FakeServer(routes) as lms_like:
        run = run_play(ignoring(check_task("check", lms_like.url, token=token, expect_staff=True)))
    result = failed(run, "check")
    assert result["cause"] == "staff_lookup_failed" and result["status"] == 500
    assert "/api/enrollment/v1/enrollment answered 200), but the staff lookup failed" in result["msg"]
    assert "'Server Error | edX: Server Error'" in result["msg"] and "iframe" not in result["msg"]
    assert "edx_api_access_check_staff: false" in result["msg"] and token not in run.output


def test_what_could_not_be_checked_is_a_warning_not_a_deprecation():
    """An LMS without roles/ and /api/user/v1/me and a bearer token: both are skipped with a warning each,
    passed through module.warn (exit_json's `warnings` is deprecated in ansible-core)."""
    routes = {"/heartbeat": HEALTHY, "/api/enrollment/v1/enrollment": (200, {}, [])}
    with FakeServer(routes) as lms_like:
        run = run_play(
            [
                check_task(
                    "check", lms_like.url, token="opaque-token-0123456789", expect_staff=True, expect_username="svc"
                )
            ]
        )
    assert run.rc == 0, run.output
    result = run.task("check")["result"]
    assert result["is_staff"] is None and result["username"] is None
    assert "Which user the token acts as was not checked" in run.output
    assert "global staff was not checked" in run.output and "edx_api_access_check_staff: false" in run.output
    assert "DEPRECATION" not in run.output and not result.get("deprecations"), run.output
