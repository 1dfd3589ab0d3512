"""Token endpoint requests and the wording of every failure (DOT today, DOP on Ginkgo), without network."""

import base64
import json
from urllib.parse import unquote_plus

import pytest
import requests
from ansible.module_utils.edx_provision.http.probe import Timings
from ansible.module_utils.edx_provision.http.session import EdxHttpError
from ansible.module_utils.edx_provision.http.token_endpoint import (
    build_request,
    explain_token_error,
    mint,
    read_token_response,
    scope_text,
    token_url,
    type_mismatch_warning,
)

URL = "https://lms.example.com/oauth2/access_token"
JSON = {"Content-Type": "application/json"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


def params(**overrides):
    base = dict(
        client_id="svc-client",
        client_secret="s3cret",
        grant_type="client_credentials",
        username=None,
        password=None,
        token_type="bearer",
        scope=None,
    )
    base.update(overrides)
    return base


def test_token_url():
    assert token_url("https://lms.example.com") == URL
    assert token_url("https://lms.example.com/") == URL


def basic_pair(headers):
    scheme, value = headers["Authorization"].split(" ", 1)
    assert scheme == "Basic"
    return base64.b64decode(value).decode()


def test_the_secret_travels_only_in_the_basic_header_and_the_body_names_the_client():
    """The body is what the LMS's TrackMiddleware logs; the Ginkgo LMS routes on the body's client_id."""
    form, headers = build_request(params())
    assert form == {"grant_type": "client_credentials", "client_id": "svc-client"}
    assert basic_pair(headers) == "svc-client:s3cret"


def test_password_grant_jwt_and_scope():
    form, _ = build_request(
        params(grant_type="password", username="svc", password="pw", token_type="jwt", scope=["read", "email"])
    )
    assert form["grant_type"] == "password"
    assert (form["username"], form["password"]) == ("svc", "pw")
    assert form["token_type"] == "jwt"
    assert form["scope"] == "read email"


def test_public_client_sends_no_secret():
    form, headers = build_request(params(grant_type="password", username="u", password="p", client_secret=None))
    assert "client_secret" not in form and headers == {}
    assert form["client_id"] == "svc-client"


@pytest.mark.parametrize("secret", ["a:b+c/d%41 e", "%2B+%%", "Plain-secret_0123.~!*$@/=?&"])
def test_dot_form_decodes_the_basic_pair_back_to_id_and_secret(secret):
    client_id, sent = basic_pair(build_request(params(client_id="id:+%", client_secret=secret))[1]).split(":", 1)
    assert (unquote_plus(client_id), unquote_plus(sent)) == ("id:+%", secret)  # DOT's _authenticate_basic_auth


def test_dop_reads_the_basic_pair_as_it_is_when_it_holds_no_percent_plus_or_colon():
    secret = "Plain-secret_0123.~!*$@/=?&"
    assert basic_pair(build_request(params(client_secret=secret))[1]).split(":") == ["svc-client", secret]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, ""),
        ([], ""),
        (["read"], "read"),
        (["read write", "email"], "read write email"),
        ("read,email", "read email"),
    ],
)
def test_scope_text(given, expected):
    assert scope_text(given) == expected


# --- success -----------------------------------------------------------------------------------


def test_bearer_token_record():
    body = {"access_token": "abc123", "token_type": "Bearer", "expires_in": 36000, "scope": "read write"}
    record = read_token_response(200, JSON, json.dumps(body), params(), URL, now=1000.0)
    assert record == {"token": "abc123", "token_type": "bearer", "expires_at": 37000.0, "scope": "read write"}


def test_jwt_is_recognised_by_declared_type():
    body = {"access_token": "x.y.z", "token_type": "JWT", "expires_in": 3600, "scope": "read"}
    assert read_token_response(200, JSON, json.dumps(body), params(), URL, now=0)["token_type"] == "jwt"


def test_missing_expiry_is_kept_unknown():
    record = read_token_response(200, JSON, '{"access_token": "t", "token_type": "Bearer"}', params(), URL, now=0)
    assert record["expires_at"] is None
    assert record["scope"] == ""


def test_200_without_a_token_is_an_error():
    with pytest.raises(EdxHttpError) as err:
        read_token_response(200, HTML, "<html><title>Sign in</title></html>", params(), URL)
    assert err.value.cause == "bad_response"
    assert "Sign in" in err.value.msg
    assert "lms_url" in err.value.msg


def test_type_mismatch_warning():
    assert type_mismatch_warning("jwt", {"token_type": "jwt"}) is None
    assert "returned a bearer token" in type_mismatch_warning("jwt", {"token_type": "bearer"})


# --- failures ------------------------------------------------------------------------------------


def fail(status, body, headers=JSON, **overrides):
    text = body if isinstance(body, str) else json.dumps(body)
    with pytest.raises(EdxHttpError) as err:
        read_token_response(status, headers, text, params(**overrides), URL)
    return err.value


def test_dot_invalid_client_names_both_options():
    err = fail(401, {"error": "invalid_client"})
    assert err.cause == "invalid_client"
    assert "client_id" in err.msg and "client_secret" in err.msg
    assert "'svc-client'" in err.msg
    assert err.details == {"status": 401, "url": URL, "error": "invalid_client"}
    assert "s3cret" not in err.msg


def test_ginkgo_dop_invalid_client_is_a_400():
    err = fail(400, {"error": "invalid_client"})
    assert err.cause == "invalid_client"
    assert "Ginkgo" in err.msg


@pytest.mark.parametrize("secret", ["with:colon-0123456", "with+plus-01234567", "with%percent-0123"])
def test_a_ginkgo_refusal_of_a_secret_dop_cannot_read_says_why(secret):
    err = fail(400, {"error": "invalid_client"}, client_secret=secret)
    assert "holds %, + or : cannot authenticate" in err.msg and secret not in err.msg
    assert "cannot authenticate" not in fail(400, {"error": "invalid_client"}).msg
    assert "cannot authenticate" not in fail(401, {"error": "invalid_client"}, client_secret=secret).msg


def test_wrong_user_password_names_username_and_password():
    err = fail(
        400,
        {"error": "invalid_grant", "error_description": "Invalid credentials given."},
        grant_type="password",
        username="svc",
        password="pw",
    )
    assert err.cause == "invalid_grant"
    assert "Invalid credentials given." in err.msg
    assert "username" in err.msg and "password" in err.msg
    assert "'svc'" in err.msg


def test_unauthorized_client_says_which_grant_type_to_set():
    err = fail(400, {"error": "unauthorized_client"}, grant_type="password", username="u", password="p")
    assert err.cause == "unauthorized_client"
    assert "may not use grant_type password" in err.msg
    assert "edx_oauth_client grant_type: password" in err.msg
    assert "--grant-type password" in err.msg
    assert "client_credentials" in err.msg


def test_unauthorized_client_for_client_credentials_spells_each_tool_its_way():
    err = fail(400, {"error": "unauthorized_client"})
    assert "edx_oauth_client grant_type: client_credentials" in err.msg
    assert "create_dot_application --grant-type client-credentials" in err.msg


def test_unsupported_grant_type():
    err = fail(400, {"error": "unsupported_grant_type"})
    assert err.cause == "unsupported_grant_type"
    assert "client_credentials" in err.msg


def test_invalid_scope_names_the_scope_and_the_option():
    err = fail(400, {"error": "invalid_scope"}, scope=["grades:read"])
    assert err.cause == "invalid_scope"
    assert "'grades:read'" in err.msg
    assert "scope" in err.msg and "edx_oauth_client scopes" in err.msg


def test_ginkgo_secure_connection_points_at_the_proxy_header():
    err = fail(400, {"error": "invalid_request", "error_description": "A secure connection is required."})
    assert err.cause == "insecure_connection"
    assert "OAUTH_ENFORCE_SECURE" in err.msg
    assert "SECURE_PROXY_SSL_HEADER" in err.msg
    assert "https://" in err.msg


def test_other_invalid_request_shows_the_description():
    err = fail(400, {"error": "invalid_request", "error_description": "No 'grant_type' included in the request."})
    assert err.cause == "invalid_request"
    assert "No 'grant_type' included" in err.msg


def test_404_means_oauth2_provider_off_or_wrong_url():
    err = fail(404, "<html><title>Page not found</title></html>", headers=HTML)
    assert err.cause == "oauth2_disabled"
    assert "ENABLE_OAUTH2_PROVIDER" in err.msg
    assert "lms_url" in err.msg
    assert err.details["status"] == 404


def test_redirect_shows_where_to():
    err = fail(301, "", headers={"Location": "https://lms.example.com/oauth2/access_token"})
    assert err.cause == "redirect"
    assert "https://lms.example.com/oauth2/access_token" in err.msg
    assert "lms_url" in err.msg


def test_rate_limited():
    assert fail(429, "Too many").cause == "rate_limited"


def test_html_server_error_shows_status_and_start_of_page():
    page = "<html><head><title>Server Error (500)</title></head><body>" + "trace " * 200 + "</body></html>"
    err = fail(500, page, headers=HTML)
    assert err.cause == "server_error"
    assert "HTTP 500" in err.msg
    assert "Server Error (500)" in err.msg
    assert "text/html" in err.msg
    assert len(err.msg) < 700


def test_non_json_answer_shows_status_and_body():
    err = fail(418, "I am a teapot", headers={"Content-Type": "text/plain"})
    assert err.cause == "bad_response"
    assert "HTTP 418" in err.msg and "I am a teapot" in err.msg


def test_proxy_basic_auth_401():
    err = fail(401, "<html><title>401 Authorization Required</title></html>", headers=HTML)
    assert err.cause == "http_auth"
    assert "Authorization Required" in err.msg


def test_explain_is_usable_on_its_own():
    cause, msg = explain_token_error(401, {}, '{"error": "invalid_client"}', params(), URL)
    assert cause == "invalid_client"
    assert msg.startswith("The LMS refused the OAuth2 client credentials")


# --- mint(): retries under a deadline, never a redirect -----------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class Answer:
    def __init__(self, status, body, headers=None):
        self.status_code, self.headers = status, headers or JSON
        self.text = body if isinstance(body, str) else json.dumps(body)


class PostSession:
    """Answers POSTs from a script (the last entry repeats); records the keyword arguments."""

    def __init__(self, clock, script):
        self.clock, self.script, self.calls = clock, list(script), []

    def post(self, url, **kwargs):
        self.calls.append(kwargs)
        self.clock.now += 0.01
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, Exception):
            raise item
        return item


def refused():
    return requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))


GOOD = Answer(200, {"access_token": "tok", "token_type": "Bearer", "expires_in": 36000, "scope": "read"})


def test_mint_retries_gateway_errors_and_refusals_until_the_token_comes():
    clock = FakeClock()
    session = PostSession(clock, [Answer(503, "<html>busy</html>", HTML), refused(), Answer(502, "", HTML), GOOD])
    timings = Timings(clock, ("heartbeat", "token"))
    record = mint(
        session,
        "https://lms.example.com",
        params(),
        10,
        now=0,
        deadline=30,
        timings=timings,
        clock=clock,
        sleep=clock.sleep,
    )
    assert record["token"] == "tok"
    assert timings.result()["token_attempts"] == 4
    assert all(call["allow_redirects"] is False for call in session.calls)


def test_mint_gives_up_at_the_deadline_with_the_attempts_in_the_failure():
    clock = FakeClock()
    session = PostSession(clock, [refused()])
    timings = Timings(clock, ("heartbeat", "token"))
    with pytest.raises(EdxHttpError) as err:
        mint(
            session,
            "https://lms.example.com",
            params(),
            10,
            deadline=4,
            timings=timings,
            clock=clock,
            sleep=clock.sleep,
        )
    assert err.value.cause == "connection_refused"
    assert err.value.details["timings"]["token_attempts"] == len(session.calls) >= 3
    assert 4 <= clock.now <= 4.1


def test_mint_does_not_retry_an_oauth2_refusal():
    clock = FakeClock()
    session = PostSession(clock, [Answer(401, {"error": "invalid_client"})])
    with pytest.raises(EdxHttpError) as err:
        mint(session, "https://lms.example.com", params(), 10, deadline=30, clock=clock, sleep=clock.sleep)
    assert err.value.cause == "invalid_client" and len(session.calls) == 1


def test_mint_reports_a_redirect_with_its_target_and_does_not_follow_it():
    clock = FakeClock()
    moved = Answer(307, "", {"Location": "https://elsewhere.example.net/oauth2/access_token"})
    session = PostSession(clock, [moved])
    with pytest.raises(EdxHttpError) as err:
        mint(session, "https://lms.example.com", params(), 10, deadline=30, clock=clock, sleep=clock.sleep)
    assert err.value.cause == "redirect"
    assert "https://elsewhere.example.net/oauth2/access_token" in err.value.msg
    assert len(session.calls) == 1 and session.calls[0]["allow_redirects"] is False
