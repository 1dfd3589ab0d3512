"""edx_api_check through ansible-playbook against the stand-in LMS.

Tokens for the checks are minted straight from the stand-in's token endpoint (not with edx_token),
except in the test that chains the two modules; the user is enrolled in the demo course first, so
the returned enrollments are something to compare.
"""

import secrets
import socket

import pytest
import requests
from playbook import run_play  # tests/integration/conftest.py puts it on the path

PREFIX = "apichk"
USER, CLIENT_ID = PREFIX + "-svc", PREFIX + "-client"
COURSE = "course-v1:edX+DemoX+Demo_Course"


def checked(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def mint(lms, token_type=None):
    data = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": lms.secret}
    if token_type:
        data["token_type"] = token_type
    response = requests.post(lms.url + "/oauth2/access_token", data=data, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture(scope="module")
def lms(standin):
    """The shared stand-in with a service user, its client-credentials app, and one enrollment."""
    standin.secret = "sec-" + secrets.token_urlsafe(24)
    checked(standin.manage("manage_user", USER, USER + "@example.com"))
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
    response = requests.post(
        standin.url + "/api/enrollment/v1/enrollment",
        json={"course_details": {"course_id": COURSE}},
        headers={"Authorization": "Bearer " + mint(standin)},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return standin


def check_task(name, lms_url, **args):
    return {"name": name, "edx_api_check": {"lms_url": lms_url, **args}, "register": name.replace(" ", "_")}


def ok(run, name):
    recorded = run.task(name)
    assert recorded["status"] == "ok", recorded
    return recorded["result"]


def failed(run, name):
    recorded = run.task(name)
    assert recorded["status"] == "failed", recorded
    return recorded["result"]


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tampered(jwt):
    header, payload, signature = jwt.split(".")
    flipped = "A" if signature[10] != "A" else "B"
    return ".".join([header, payload, signature[:10] + flipped + signature[11:]])


def assert_lists_the_enrollment(result):
    assert result["changed"] is False
    assert result["status"] == 200
    assert [(e["user"], e["course_details"]["course_id"], e["is_active"]) for e in result["enrollments"]] == [
        (USER, COURSE, True)
    ]
    assert result["heartbeat"]["sql"]["status"] is True
    timings = result["timings"]
    assert timings["heartbeat_attempts"] == 1 and timings["api_attempts"] == 1


@pytest.fixture(scope="module")
def checks(lms):
    bearer, jwt = mint(lms), mint(lms, "jwt")
    expired = mint(lms)
    checked(
        lms.manage(
            "shell",
            "-c",
            "from oauth2_provider.models import AccessToken; from django.utils import timezone; "
            "import datetime; AccessToken.objects.filter(token=%r).update("
            "expires=timezone.now() - datetime.timedelta(hours=1))" % expired,
        )
    )
    tasks = [
        check_task("bearer", lms.url, token=bearer),
        check_task("jwt detected", lms.url, token=jwt),
        check_task("jwt declared", lms.url, token=jwt, token_type="jwt"),
        check_task("tampered jwt", lms.url, token=tampered(jwt)),
        check_task("expired bearer", lms.url, token=expired),
        check_task("jwt sent as bearer", lms.url, token=jwt, token_type="bearer"),
        check_task("unknown token", lms.url, token="x" * 30),
        check_task("wrong path", lms.url + "/lms", token=bearer, wait_for_heartbeat=False),
        check_task("wrong path heartbeat", lms.url + "/lms", token=bearer),
    ]
    for task in tasks:
        task["ignore_errors"] = True
    run = run_play(tasks)
    assert run.rc == 0, run.output
    run.tokens = {"bearer": bearer, "jwt": jwt, "expired": expired}
    return run


def test_bearer_token_lists_the_enrollments(checks):
    result = ok(checks, "bearer")
    assert_lists_the_enrollment(result)
    assert result["token_type"] == "bearer"


def test_jwt_is_detected_and_sent_with_the_jwt_prefix(checks):
    assert_lists_the_enrollment(ok(checks, "jwt detected"))
    assert ok(checks, "jwt detected")["token_type"] == "jwt"
    assert ok(checks, "jwt declared")["token_type"] == "jwt"


def test_tampered_jwt_is_refused_and_explained(checks):
    result = failed(checks, "tampered jwt")
    assert result["cause"] == "token_refused"
    assert result["status"] == 401
    assert "The LMS refused the token" in result["msg"]
    assert "does not verify" in result["msg"]
    assert "edx_token" in result["msg"]


def test_expired_token_is_refused_and_explained(checks):
    result = failed(checks, "expired bearer")
    assert result["cause"] == "token_refused"
    assert result["error_code"] == "token_expired"
    assert "the token has expired" in result["msg"]


def test_jwt_sent_as_bearer_is_explained(checks):
    result = failed(checks, "jwt sent as bearer")
    assert result["cause"] == "token_refused"
    assert "JWT prefix" in result["msg"]


def test_unknown_token(checks):
    result = failed(checks, "unknown token")
    assert "does not know this token" in result["msg"]


def test_wrong_lms_url_gives_404_explained(checks):
    result = failed(checks, "wrong path")
    assert result["cause"] == "not_found"
    assert result["status"] == 404
    assert "lms_url" in result["msg"]
    heartbeat = failed(checks, "wrong path heartbeat")
    assert heartbeat["cause"] == "not_found" and "/heartbeat" in heartbeat["msg"]


def test_tokens_never_appear_in_output(checks):
    for token in checks.tokens.values():
        assert token not in checks.output


def test_token_from_edx_token_passes_the_check_in_check_mode(lms):
    run = run_play(
        [
            {
                "name": "mint",
                "edx_token": {
                    "lms_url": lms.url,
                    "client_id": CLIENT_ID,
                    "client_secret": lms.secret,
                    "token_type": "jwt",
                },
                "register": "tok",
            },
            check_task("check", lms.url, token="{{ tok.token }}", token_type="{{ tok.token_type }}"),
        ],
        check=True,
    )
    assert run.rc == 0, run.output
    assert_lists_the_enrollment(ok(run, "check"))
    assert ok(run, "check")["token_type"] == "jwt"


def test_lms_down_waits_until_timeout_then_explains():
    url = "http://127.0.0.1:%d" % closed_port()
    run = run_play([check_task("check", url, token="t" * 30, timeout=3)])
    assert run.rc != 0
    result = failed(run, "check")
    assert result["cause"] == "connection_refused"
    assert "connection refused" in result["msg"] and "waited" in result["msg"]
    # Backoff 0.5, 1, 2 s within the 3 s deadline: at least three attempts, and no API call after them.
    assert result["timings"]["heartbeat_attempts"] >= 3
    assert result["timings"]["api_attempts"] == 0
