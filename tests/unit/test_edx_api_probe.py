"""http/probe.py: heartbeat wait, deadline and backoff, and the explanation of each API failure.

A scripted session and a fake clock stand in for the network and for time.
"""

import base64
import json
import ssl

import pytest
import requests
from ansible.module_utils.edx_provision.http.probe import (
    ENROLLMENT_PATH,
    HEARTBEAT_PATH,
    backoff_delays,
    check_api,
    explain_api_error,
    failing_checks,
)
from ansible.module_utils.edx_provision.http.session import EdxHttpError
from ansible.module_utils.edx_provision.http.token_user import ME_PATH, ROLES_PATH

LMS = "https://lms.example.com"
OPAQUE = "aBcD1234efGH5678ijKL9012mnOP34"
JWT = (
    ".".join(
        base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
        for part in ({"alg": "RS512"}, {"sub": "x"})
    )
    + ".c2ln"
)
ENROLLMENT = {"user": "svc", "mode": "audit", "is_active": True, "course_details": {"course_id": "course-v1:X+Y+Z"}}


class Clock:
    def __init__(self):
        self.now = 100.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class Response:
    def __init__(self, status, body="", headers=None):
        self.status_code = status
        self.text = body if isinstance(body, str) else json.dumps(body)
        self.headers = headers or {}


class Session:
    """Answers GETs per path from a script of Responses or exceptions; the last entry repeats."""

    def __init__(self, clock, **scripts):
        self.clock = clock
        self.scripts = {
            HEARTBEAT_PATH: scripts.get("heartbeat", [Response(200, {"sql": {"status": True}})]),
            ENROLLMENT_PATH: scripts.get("api", [Response(200, [ENROLLMENT])]),
        }
        self.scripts.update(scripts.get("others", {}))
        self.calls = []

    def get(self, url, headers=None, timeout=None, allow_redirects=True):
        assert allow_redirects is False, "requests must never follow redirects on its own"
        assert url.startswith(LMS), "a request left lms_url's origin: %s" % url
        path = url[len(LMS) :]
        self.calls.append((path, dict(headers or {}), timeout))
        self.clock.now += 0.01
        script = self.scripts[path]
        item = script.pop(0) if len(script) > 1 else script[0]
        if callable(item):  # a slow answer: it takes its own time, then answers or raises
            item = item(timeout)
        if isinstance(item, Exception):
            raise item
        return item


def refused():
    return requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))


def run(session, clock, token=OPAQUE, **kwargs):
    kwargs.setdefault("timeout", 30)
    return check_api(session, LMS, token, clock=clock, sleep=clock.sleep, **kwargs)


def test_backoff_doubles_up_to_a_cap():
    delays = backoff_delays()
    assert [next(delays) for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_success_returns_enrollments_status_and_timings():
    clock = Clock()
    session = Session(clock)
    result = run(session, clock)
    assert result["status"] == 200
    assert result["enrollments"] == [ENROLLMENT]
    assert result["url"] == LMS + ENROLLMENT_PATH
    assert result["heartbeat"] == {"sql": {"status": True}}
    assert result["token_type"] == "bearer"
    timings = result["timings"]
    assert (timings["heartbeat_attempts"], timings["api_attempts"]) == (1, 1)
    assert timings["heartbeat_seconds"] == pytest.approx(0.01)
    assert timings["total_seconds"] == pytest.approx(0.02)
    assert session.calls[1][1] == {"Authorization": "Bearer " + OPAQUE}


def test_jwt_is_sent_with_the_jwt_prefix_when_detected_or_asked():
    clock = Clock()
    session = Session(clock)
    assert run(session, clock, token=JWT)["token_type"] == "jwt"
    assert session.calls[-1][1] == {"Authorization": "JWT " + JWT}
    run(session, clock, token=OPAQUE, token_type="jwt")
    assert session.calls[-1][1] == {"Authorization": "JWT " + OPAQUE}
    run(session, clock, token=JWT, token_type="bearer")
    assert session.calls[-1][1] == {"Authorization": "Bearer " + JWT}


def test_heartbeat_is_waited_for_with_backoff():
    clock = Clock()
    session = Session(
        clock,
        heartbeat=[
            refused(),
            Response(502, "<html>bad gateway</html>"),
            Response(503, {"sql": {"status": False, "message": "down"}}),
            Response(200, "OK"),
        ],
    )
    result = run(session, clock)
    assert result["timings"]["heartbeat_attempts"] == 4
    assert clock.slept == [0.5, 1.0, 2.0]
    assert result["heartbeat"] is None  # not JSON
    assert result["status"] == 200


def test_heartbeat_can_be_skipped():
    clock = Clock()
    session = Session(clock, heartbeat=[Response(404, "")])
    result = run(session, clock, wait_for_heartbeat=False)
    assert result["timings"]["heartbeat_attempts"] == 0
    assert [call[0] for call in session.calls] == [ENROLLMENT_PATH]


def test_lms_down_fails_at_the_deadline_with_the_refusal_explained():
    clock = Clock()
    session = Session(clock, heartbeat=[refused()])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, timeout=10)
    failure = err.value
    assert failure.cause == "connection_refused"
    assert "connection refused" in failure.msg
    assert "raise timeout" in failure.msg
    assert 10 <= clock.now - 100.0 <= 10.5  # used the whole timeout, no more
    assert failure.details["timings"]["heartbeat_attempts"] == len(session.calls) > 3


def test_unhealthy_heartbeat_lists_the_failing_checks():
    clock = Clock()
    body = {"sql": {"status": False, "message": "could not connect"}, "modulestore": {"status": True, "message": "OK"}}
    session = Session(clock, heartbeat=[Response(503, body)])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, timeout=5)
    assert err.value.cause == "unhealthy"
    assert "sql: could not connect" in err.value.msg
    assert "modulestore: OK" not in err.value.msg and "failing checks: sql: could not connect." in err.value.msg
    assert err.value.details["status"] == 503


def test_heartbeat_404_fails_at_once_naming_lms_url():
    clock = Clock()
    session = Session(clock, heartbeat=[Response(404, "<html>nope</html>")])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock)
    assert err.value.cause == "not_found"
    assert "lms_url" in err.value.msg and "wait_for_heartbeat" in err.value.msg
    assert len(session.calls) == 1


def test_tls_errors_are_not_retried():
    clock = Clock()
    tls = requests.exceptions.SSLError(ssl.SSLError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed certificate"))
    session = Session(clock, heartbeat=[tls])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock)
    assert err.value.cause == "tls"
    assert "ca_path" in err.value.msg
    assert len(session.calls) == 1


def test_api_is_retried_on_gateway_errors_and_throttling():
    clock = Clock()
    session = Session(clock, api=[Response(502), Response(429), refused(), Response(200, [])])
    result = run(session, clock)
    assert result["enrollments"] == []
    assert result["timings"]["api_attempts"] == 4


def test_api_gateway_errors_until_the_deadline():
    clock = Clock()
    session = Session(clock, api=[Response(504, "<html><title>504 Gateway Time-out</title></html>")])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, timeout=8)
    assert err.value.cause == "server_error"
    assert "504 Gateway Time-out" in err.value.msg
    assert err.value.details["timings"]["api_attempts"] > 2


def api_failure(status, body, token=OPAQUE, headers=None, **kwargs):
    clock = Clock()
    session = Session(clock, api=[Response(status, body, headers)])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, token=token, **kwargs)
    assert len([c for c in session.calls if c[0] == ENROLLMENT_PATH]) == 1  # not retried
    return err.value


def test_401_expired_token_from_error_code():
    body = {"error_code": "token_expired", "developer_message": "The provided access token has expired"}
    err = api_failure(401, body)
    assert err.cause == "token_refused"
    assert "token_expired" in err.msg and "has expired" in err.msg
    assert "edx_token" in err.msg
    assert err.details["error_code"] == "token_expired"
    assert OPAQUE not in err.msg


def test_401_unknown_token():
    err = api_failure(401, {"error_code": "token_nonexistent", "developer_message": "x"})
    assert "does not know this token" in err.msg


def test_401_tampered_jwt():
    err = api_failure(401, {"detail": "Error decoding token."}, token=JWT)
    assert err.cause == "token_refused"
    assert "does not verify" in err.msg
    assert err.details["detail"] == "Error decoding token."


def test_401_jwt_sent_as_bearer():
    err = api_failure(401, {"detail": "Authentication credentials were not provided."}, token=JWT, token_type="bearer")
    assert "JWT prefix" in err.msg
    assert "Authorization: Bearer" in err.msg


def test_401_reason_from_www_authenticate():
    err = api_failure(
        401,
        {"detail": "Authentication credentials were not provided."},
        headers={
            "WWW-Authenticate": 'Bearer realm="api",error="invalid_token",'
            'error_description="The access token is invalid."'
        },
    )
    assert "The access token is invalid." in err.msg


def test_401_without_reason_mentions_proxies_stripping_the_header():
    err = api_failure(401, {"detail": "Authentication credentials were not provided."})
    assert "strips the Authorization header" in err.msg


def test_403():
    err = api_failure(403, {"detail": "You do not have permission to perform this action."})
    assert err.cause == "forbidden"
    assert "You do not have permission" in err.msg
    assert "token_type jwt" in err.msg


def test_404_on_the_api_path_blames_lms_url():
    err = api_failure(404, "<html>Not found</html>")
    assert err.cause == "not_found"
    assert "lms_url" in err.msg
    assert LMS + ENROLLMENT_PATH in err.msg


def test_200_that_is_not_a_list():
    err = api_failure(200, "<html><title>Welcome</title></html>")
    assert err.cause == "bad_response"
    assert "Welcome" in err.msg


def test_500():
    assert api_failure(500, "<html><title>Server Error</title></html>").cause == "server_error"


def test_explain_api_error_alone():
    cause, msg = explain_api_error(418, {}, "teapot", LMS + ENROLLMENT_PATH, "Bearer", OPAQUE)
    assert cause == "unexpected_status"
    assert "HTTP 418" in msg and "teapot" in msg


def test_failing_checks_in_both_heartbeat_formats():
    assert failing_checks('{"sql": {"status": false, "message": "boom"}}') == "sql: boom"
    assert failing_checks('{"SQL": "connection lost", "modulestore": true}') == "SQL: connection lost"
    assert failing_checks('{"error": "exploded"}') == "error: exploded"
    assert failing_checks("<html>") == ""


def test_401_prefix_mismatch_wins_over_the_lms_code():
    """A JWT sent as Bearer is looked up as an opaque token: the LMS only says it does not know it."""
    body = {"error_code": "token_nonexistent", "developer_message": "x"}
    assert "JWT prefix" in api_failure(401, body, token=JWT, token_type="bearer").msg
    assert (
        "set token_type: bearer" in api_failure(401, {"detail": "Invalid token."}, token=OPAQUE, token_type="jwt").msg
    )


def test_heartbeat_read_timeout_says_a_hung_check_looks_like_this():
    clock = Clock()
    session = Session(clock, heartbeat=[requests.exceptions.ReadTimeout("read timed out")])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, timeout=3)
    assert err.value.cause == "read_timeout"
    assert "MongoDB" in err.value.msg and "raise request_timeout" in err.value.msg.lower()


def test_heartbeat_503_body_with_the_exception_format_is_reported():
    clock = Clock()
    session = Session(clock, heartbeat=[Response(503, {"error": "database is locked"})])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, timeout=2)
    assert "failing checks: error: database is locked" in err.value.msg


def test_same_origin_redirects_are_followed_with_the_token():
    clock = Clock()
    moved = Response(301, "", {"Location": "/api/enrollment/v1/enrollment?page=1"})
    session = Session(clock, api=[moved], others={"/api/enrollment/v1/enrollment?page=1": [Response(200, [])]})
    result = run(session, clock)
    assert result["status"] == 200 and result["enrollments"] == []
    assert [c[0] for c in session.calls][-2:] == [ENROLLMENT_PATH, ENROLLMENT_PATH + "?page=1"]
    assert session.calls[-1][1] == {"Authorization": "Bearer " + OPAQUE}


@pytest.mark.parametrize(
    "location",
    [
        "https://evil.example.net/api/enrollment/v1/enrollment",
        "http://lms.example.com/api/enrollment/v1/enrollment",  # another scheme
        "https://lms.example.com:8443/api/enrollment/v1/enrollment",  # another port
        "//evil.example.net/x",  # scheme-relative
    ],
)
def test_redirects_to_another_origin_fail_naming_the_target_and_send_nothing_there(location):
    clock = Clock()
    session = Session(clock, api=[Response(307, "", {"Location": location})])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock)
    failure = err.value
    assert failure.cause == "redirect"
    assert failure.details["location"] in failure.msg
    assert failure.details["location"].split("/")[2] in location
    assert "not sent there" in failure.msg and "lms_url" in failure.msg
    assert [c[0] for c in session.calls] == [HEARTBEAT_PATH, ENROLLMENT_PATH]  # Session asserts the origin
    assert failure.details["timings"]["api_attempts"] == 1


def test_a_redirect_of_the_heartbeat_elsewhere_fails_too():
    clock = Clock()
    session = Session(clock, heartbeat=[Response(302, "", {"Location": "https://sso.example.org/login"})])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock)
    assert err.value.cause == "redirect" and "https://sso.example.org/login" in err.value.msg


def test_a_redirect_loop_on_the_origin_ends():
    clock = Clock()
    session = Session(clock, api=[Response(302, "", {"Location": ENROLLMENT_PATH})])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock)
    assert err.value.cause == "redirect" and "more than 5 times" in err.value.msg


@pytest.mark.parametrize(
    ("token", "words"),
    [
        (OPAQUE[:10] + "\n" + OPAQUE[10:], "a line break"),
        (OPAQUE + "\r\nX-Injected: 1", "a line break"),
        (OPAQUE[:5] + "\u00e9" + OPAQUE[5:], "a non-ASCII character"),
        (" " + OPAQUE, "whitespace"),
        (OPAQUE + "\x00", "a control character"),
    ],
)
def test_unsendable_tokens_are_refused_before_any_request_and_never_shown(token, words):
    clock = Clock()
    session = Session(clock)
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, token=token)
    assert err.value.cause == "bad_option"
    assert words in err.value.msg and "token" in err.value.msg
    assert OPAQUE[:5] not in err.value.msg and OPAQUE[-5:] not in err.value.msg
    assert session.calls == []


def jwt_with(claims):
    return (
        ".".join(
            base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
            for part in ({"alg": "RS512"}, claims)
        )
        + ".c2ln"
    )


@pytest.mark.parametrize(
    ("token", "expected", "warned"),
    [
        (jwt_with({"administrator": True}), True, False),  # the claim of a JWT the LMS just accepted
        (jwt_with({"sub": "x"}), None, True),  # a JWT without the profile claims
        (OPAQUE, None, True),  # a bearer token carries nothing
    ],
)
def test_an_lms_without_roles_is_asked_through_the_jwt_or_not_at_all(token, expected, warned):
    clock = Clock()
    session = Session(clock, others={ROLES_PATH: [Response(404, "<h1>Not Found</h1>")]})
    result = run(session, clock, token=token, expect={"is_staff": True})
    assert result["is_staff"] is expected
    assert bool(result["warnings"]) is warned
    if warned:
        assert ROLES_PATH in result["warnings"][0] and "edx_api_access_check_staff: false" in result["warnings"][0]


def test_the_claim_of_a_non_staff_user_is_drift():
    clock = Clock()
    session = Session(clock, others={ROLES_PATH: [Response(404, "")]})
    with pytest.raises(EdxHttpError) as failed:
        run(session, clock, token=jwt_with({"administrator": False}), expect={"is_staff": True})
    assert failed.value.cause == "drift" and "administrator claim" in failed.value.msg


def test_a_failing_roles_is_a_failed_staff_lookup_after_the_api_passed():
    clock = Clock()
    session = Session(clock, others={ROLES_PATH: [Response(500, "<html><title>Server Error</title></html>")]})
    with pytest.raises(EdxHttpError) as failed:
        run(session, clock, token=jwt_with({"administrator": True}), expect={"is_staff": True})
    assert failed.value.cause == "staff_lookup_failed" and failed.value.details["status"] == 500
    msg = failed.value.msg
    assert "accepted the token (GET %s answered 200), but the staff lookup failed" % (LMS + ENROLLMENT_PATH) in msg
    assert "HTTP 500 'Server Error'" in msg and "edx_api_access_check_staff: false" in msg


def test_the_warning_for_a_bearer_token_gives_the_advice_that_applies():
    """A direct token is bearer while the role's token_type is jwt: 'use token_type jwt' would not help."""
    clock = Clock()
    session = Session(clock, others={ROLES_PATH: [Response(404, "")]})
    warning = run(session, clock, token=OPAQUE, token_type="bearer", expect={"is_staff": True})["warnings"][0]
    assert "a bearer token names no role" in warning and "edx_api_access_token_method endpoint" in warning
    assert "Use token_type jwt to have it checked" not in warning


def test_a_jwt_of_another_user_is_named_without_asking_the_lms():
    clock = Clock()
    session = Session(clock)
    with pytest.raises(EdxHttpError) as failed:
        run(
            session,
            clock,
            token=jwt_with({"preferred_username": "admin"}),
            expect={"username": "svc", "is_staff": True},
        )
    assert failed.value.cause == "wrong_user" and failed.value.details["username"] == "admin"
    assert 'acts as "admin", not as "svc"' in failed.value.msg and "preferred_username" in failed.value.msg
    assert [call[0] for call in session.calls] == [HEARTBEAT_PATH, ENROLLMENT_PATH]  # no roles/: wrong user first


def test_a_bearer_tokens_user_is_asked_at_user_api_me():
    clock = Clock()
    session = Session(clock, others={ME_PATH: [Response(200, {"username": "svc"})]})
    assert run(session, clock, token=OPAQUE, expect={"username": "svc"})["username"] == "svc"
    session = Session(clock, others={ME_PATH: [Response(200, {"username": "staff-admin"})]})
    with pytest.raises(EdxHttpError) as failed:
        run(session, clock, token=OPAQUE, expect={"username": "svc"})
    assert failed.value.cause == "wrong_user" and "GET %s" % (LMS + ME_PATH) in failed.value.msg


def test_without_user_api_me_a_bearer_tokens_user_is_not_checked_with_a_warning():
    clock = Clock()
    session = Session(clock, others={ME_PATH: [Response(404, "<h1>Not Found</h1>")]})
    result = run(session, clock, token=OPAQUE, expect={"username": "svc"})
    assert result["username"] is None and ME_PATH in result["warnings"][0]
    session = Session(clock, others={ME_PATH: [Response(500, "boom")]})
    with pytest.raises(EdxHttpError) as failed:
        run(session, clock, token=OPAQUE, expect={"username": "svc"})
    assert failed.value.cause == "username_lookup_failed" and "expect_username" in failed.value.msg


def test_a_slow_heartbeat_503_is_reported_even_when_the_next_attempt_times_out():
    """A real heartbeat with MongoDB down answers 503 after about 30 s; the next attempt, cut to the time
    left, times out. The 503 and its failing check are what the user must see, as docs/reliability.md says."""
    clock = Clock()
    down = {"modulestore": {"status": False, "message": "ServerSelectionTimeoutError"}, "sql": {"status": True}}

    def slow_503(timeout):
        clock.now += 30
        return Response(503, down)

    def hung(timeout):
        clock.now += timeout
        return requests.exceptions.ReadTimeout("read timed out")

    session = Session(clock, heartbeat=[slow_503, hung])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, timeout=60, request_timeout=40)
    failure = err.value
    assert failure.cause == "unhealthy" and failure.details["status"] == 503
    assert "HTTP 503, failing checks: modulestore: ServerSelectionTimeoutError" in failure.msg
    assert "The last attempts got no answer (connected, but no answer)" in failure.msg
    assert "edx_api_access_heartbeat: false" in failure.msg  # the API itself works without MongoDB


def test_a_heartbeat_502_blames_the_server_behind_the_proxy():
    clock = Clock()
    session = Session(clock, heartbeat=[Response(502, "<html><title>502 Bad Gateway</title></html>")])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, timeout=3)
    assert "proxy in front of the LMS" in err.value.msg and "application server" in err.value.msg
    assert "database, modulestore" not in err.value.msg


def test_an_api_502_blames_the_server_behind_the_proxy():
    clock = Clock()
    session = Session(clock, api=[Response(502, "<html><title>502 Bad Gateway</title></html>")])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, timeout=3)
    assert err.value.cause == "server_error" and "proxy in front of the LMS" in err.value.msg


@pytest.mark.parametrize(
    ("retry_after", "words"),
    [
        ("3600", "Run again in 1 h (its Retry-After)"),
        ("90", "1 min 30 s"),
        ("0", "Wait a minute and run again"),
        ("inf", "Wait a minute and run again"),
        ("1e309", "Wait a minute and run again"),
    ],
)
def test_throttling_says_how_long_retry_after_asks_for(retry_after, words):
    clock = Clock()
    session = Session(clock, api=[Response(429, {"detail": "Request was throttled."}, {"Retry-After": retry_after})])
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, timeout=3)
    assert err.value.cause == "rate_limited" and words in err.value.msg
    assert ("Wait a minute" in err.value.msg) == (words == "Wait a minute and run again")


# Without a token: only whether lms_url reaches the LMS (what the role checks before it changes anything).

UNAUTHENTICATED = Response(
    401, {"detail": "Authentication credentials were not provided."}, {"WWW-Authenticate": 'JWT realm="api"'}
)


def test_without_a_token_the_lms_asking_for_credentials_means_lms_url_reaches_it():
    clock = Clock()
    session = Session(clock, api=[Response(503, "starting"), UNAUTHENTICATED])
    result = run(session, clock, token=None)
    assert (result["status"], result["url"]) == (401, LMS + ENROLLMENT_PATH)
    assert "enrollments" not in result and result["warnings"] == []
    assert [headers for _path, headers, _timeout in session.calls] == [{}, {}, {}]  # no credential sent
    assert result["timings"]["api_attempts"] == 2  # the 503 was waited out


@pytest.mark.parametrize(
    "answer, cause, words",
    [
        (Response(200, "<html>Welcome</html>"), "not_the_lms", "something other than the LMS answers at lms_url"),
        (Response(403, "<html>Forbidden</html>"), "not_the_lms", "asks for credentials (401)"),
        (Response(404, "<html>not here</html>"), "not_found", "lms_url does not point at the LMS root"),
        (
            Response(401, "<html>401 Authorization Required</html>", {"WWW-Authenticate": 'Basic realm="staging"'}),
            "not_the_lms",
            "answered HTTP 401 asking for Basic credentials, not as the LMS's enrollment API does",
        ),
    ],
)
def test_without_a_token_anything_but_401_says_lms_url_is_wrong(answer, cause, words):
    clock = Clock()
    with pytest.raises(EdxHttpError) as err:
        run(Session(clock, api=[answer]), clock, token=None)
    assert err.value.cause == cause and words in err.value.msg


def test_expectations_need_a_token():
    clock = Clock()
    session = Session(clock)
    with pytest.raises(EdxHttpError) as err:
        run(session, clock, token=None, expect=dict(username="svc", is_staff=None))
    assert err.value.cause == "bad_option" and "expect_username needs token" in err.value.msg
    assert session.calls == []
