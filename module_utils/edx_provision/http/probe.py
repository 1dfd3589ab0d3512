# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prove the LMS's API answers: wait for /heartbeat, then list enrollments with a token.

Waiting and retrying share one deadline (`timeout`): connection errors, 5xx on the heartbeat and
429/502/503/504 on the API are retried with capped exponential backoff; anything else is final and
is explained (401: why the token was refused; 403; 404: wrong lms_url; TLS; timeouts; refused).
Redirects are followed only on lms_url's own origin (session.send_same_origin); the token is never
sent anywhere else. The clock and sleep are injectable so the loop is tested without waiting.
`wait_for_heartbeat` is also edx_token's readiness wait, so both steps wait the same way.
"""

import time

from .session import (
    HAS_REQUESTS,
    EdxHttpError,
    auth_scheme,
    body_excerpt,
    check_token_value,
    classify_transport_error,
    looks_like_jwt,
    parse_json,
    send_same_origin,
    transport_error,
)
from .throttle import retry_delay
from .token_user import check_staff, check_username

if HAS_REQUESTS:
    import requests

HEARTBEAT_PATH = "/heartbeat"
ENROLLMENT_PATH = "/api/enrollment/v1/enrollment"  # no trailing slash: `enrollment/` is a 404
API_RETRY_STATUSES = (429, 502, 503, 504)
DEFAULT_TIMEOUT = 60.0

# error_code values of the LMS's BearerAuthentication (openedx/core/lib/api/authentication.py).
TOKEN_ERROR_CODES = {
    "token_expired": "the token has expired",
    "token_nonexistent": "the LMS does not know this token (revoked, mistyped, or minted by another LMS)",
    "token_malformed": "the Authorization header is malformed",
    "token_not_provided": "the LMS saw no token in the Authorization header",
    "user_not_active": "the token's user is not active",
    "user_is_disabled": "the token's user is disabled (unusable password and no OAuth2 application of its own)",
}


def probe_argument_spec():
    """Options of edx_api_check besides the shared edx_http ones."""
    return dict(
        token=dict(type="str", no_log=True),
        token_type=dict(type="str", choices=["bearer", "jwt"], no_log=False),
        timeout=dict(type="float", default=DEFAULT_TIMEOUT),
        wait_for_heartbeat=dict(type="bool", default=True),
        expect_staff=dict(type="bool"),
        expect_username=dict(type="str"),
    )


def backoff_delays(first=0.5, factor=2.0, cap=5.0):
    """0.5, 1, 2, 4, 5, 5, ... seconds: quick first retries, bounded later ones."""
    delay = first
    while True:
        yield delay
        delay = min(cap, delay * factor)


class Timings:
    """Seconds and attempts per phase, reported in every result, failed or not."""

    def __init__(self, clock, phases=("heartbeat", "api")):
        self.clock = clock
        self.start = clock()
        self.data = {}
        for phase in phases:
            self.data.update({"%s_seconds" % phase: 0.0, "%s_attempts" % phase: 0})

    def record(self, phase, started, attempts):
        self.data["%s_seconds" % phase] = round(self.clock() - started, 3)
        self.data["%s_attempts" % phase] = attempts

    def result(self):
        out = dict(self.data)
        out["total_seconds"] = round(self.clock() - self.start, 3)
        return out


def poll(send, deadline, request_timeout, retryable, clock=time.monotonic, sleep=time.sleep):
    """Call `send(timeout)` until an answer that `retryable(status)` rejects, a TLS error, or the deadline.

    Returns (response or None, last exception or None, attempts). A redirect off lms_url's origin
    raises EdxHttpError at once (it is not a passing problem).
    """
    delays = backoff_delays()
    attempts = 0
    while True:
        attempts += 1
        timeout = max(0.5, min(request_timeout, deadline - clock()))
        response, error = None, None
        try:
            response = send(timeout)
        except requests.exceptions.RequestException as exc:
            error = exc
            if classify_transport_error(exc)[0] == "tls":
                return None, error, attempts
        if response is not None and not retryable(response.status_code):
            return response, None, attempts
        remaining = deadline - clock()
        if remaining <= 0:
            return response, error, attempts
        sleep(min(next(delays), remaining))  # the last try lands on the deadline


def getter(session, url, headers):
    """A `send(timeout)` for poll(): GET `url`, following redirects only on its own origin."""

    def send(timeout):
        return send_same_origin(
            lambda target: session.get(target, headers=headers, timeout=timeout, allow_redirects=False), url
        )

    return send


def _polled(phase, timings, started, send, deadline, request_timeout, retryable, clock, sleep):
    """poll() that records the phase's timings, also when a redirect ends it.

    Returns (response, error, attempts) where `response` is the last answer of any attempt: when later
    attempts got no answer (`error`), an earlier 503 still says what failed (a real heartbeat with MongoDB
    down answers 503 after about 30 s, and the next attempt, cut to the time left, times out).
    """
    answers = []

    def recording(timeout):
        response = send(timeout)
        answers.append(response)
        return response

    try:
        _last, error, attempts = poll(recording, deadline, request_timeout, retryable, clock, sleep)
    except EdxHttpError as failure:
        timings.record(phase, started, 1)
        failure.details.update(timings=timings.result())
        raise
    timings.record(phase, started, attempts)
    return (answers[-1] if answers else None), error, attempts


def check_api(
    session,
    lms_url,
    token,
    token_type=None,
    timeout=DEFAULT_TIMEOUT,
    request_timeout=10.0,
    wait_for_heartbeat=True,
    clock=time.monotonic,
    sleep=time.sleep,
    expect=None,
):
    """Wait for the heartbeat, list the token user's enrollments, and return the result keys.

    `expect` may hold `username` and `is_staff`: who the token must act as (see token_user.py). `warnings`
    in the result lists what could not be checked (the module passes each to module.warn).
    Without a token, only whether lms_url reaches the LMS (see reach_result).
    Raises EdxHttpError (with status, url and timings in its details) when the API is not usable.
    """
    expect = {key: value for key, value in (expect or {}).items() if value is not None}
    if token is None and expect:
        raise EdxHttpError(
            "%s needs token: without one only lms_url is checked." % " and ".join("expect_" + key for key in expect),
            cause="bad_option",
        )
    if token is not None:
        try:
            check_token_value(token, "token")
        except ValueError as exc:
            raise EdxHttpError(str(exc), cause="bad_option") from None
    timings = Timings(clock)
    deadline = timings.start + timeout
    heartbeat = None
    if wait_for_heartbeat:
        heartbeat = wait_for_heartbeat_ok(session, lms_url, deadline, request_timeout, timings, clock, sleep)

    url = lms_url + ENROLLMENT_PATH
    scheme = auth_scheme(token, token_type) if token is not None else None
    headers = {"Authorization": "%s %s" % (scheme, token)} if token is not None else {}
    response, error, _attempts = _polled(
        "api",
        timings,
        clock(),
        getter(session, url, headers),
        deadline,
        request_timeout,
        lambda s: s in API_RETRY_STATUSES,
        clock,
        sleep,
    )
    if response is None:
        failure = transport_error(error, url, request_timeout)
        failure.details.update(timings=timings.result())
        raise failure
    if token is None:
        return reach_result(response, url, heartbeat, timings)
    ok, body = parse_json(response.text)
    if response.status_code == 200 and ok and isinstance(body, list):
        result = dict(
            status=200,
            enrollments=body,
            url=url,
            token_type="jwt" if scheme == "JWT" else "bearer",
            heartbeat=heartbeat,
            timings=timings.result(),
        )
        warnings = []
        for key, lookup in (("username", check_username), ("is_staff", check_staff)):
            expected = expect.get(key)  # the user first: another user's staff flag says nothing
            if expected is not None:
                result[key], warning = lookup(
                    lambda target: getter(session, target, headers), lms_url, headers, expected, request_timeout, url
                )
                warnings += [warning] if warning else []
        return dict(result, warnings=warnings)
    cause, msg = explain_api_error(response.status_code, response.headers, response.text, url, scheme, token)
    details = dict(status=response.status_code, url=url, timings=timings.result())
    if ok and isinstance(body, dict):
        details.update({k: body[k] for k in ("detail", "error_code", "developer_message") if k in body})
    raise EdxHttpError(msg, cause=cause, **details)


def reach_result(response, url, heartbeat, timings):
    """Without a token: the LMS's enrollment API asks for credentials (401), so lms_url reaches the LMS.

    What the role checks before it changes anything, so a wrong lms_url fails before the LMS side runs.
    """
    status = response.status_code
    ok, body = parse_json(response.text)
    challenge = response.headers.get("WWW-Authenticate", "").split(" ")[0].lower()
    if status == 401 and (challenge in ("jwt", "bearer") or (ok and isinstance(body, dict) and "detail" in body)):
        return dict(status=401, url=url, heartbeat=heartbeat, timings=timings.result(), warnings=[])
    if status == 401:
        cause, msg = (
            "not_the_lms",
            (
                "%s answered HTTP 401 asking for %s credentials, not as the LMS's enrollment API does (a JSON "
                "`detail`, WWW-Authenticate JWT or Bearer): a proxy or another site guards lms_url (HTTP Basic "
                "authentication in front of a staging LMS?). Point lms_url at the LMS itself, or let the controller "
                "through that guard." % (url, challenge.capitalize() or "other")
            ),
        )
    elif status in (200, 403):
        cause, msg = (
            "not_the_lms",
            (
                "%s answered HTTP %s without a token, where the LMS's enrollment API asks for credentials (401): "
                "something other than the LMS answers at lms_url (another site, a proxy's page). Set lms_url to "
                "the LMS base URL." % (url, status)
            ),
        )
    else:
        cause, msg = explain_api_error(status, response.headers, response.text, url, None, None)
    raise EdxHttpError(msg, cause=cause, status=status, url=url, timings=timings.result())


def wait_for_heartbeat_ok(session, lms_url, deadline, request_timeout, timings, clock=time.monotonic, sleep=time.sleep):
    """Wait until /heartbeat answers 200 (connection errors, 5xx and 429 are retried until `deadline`).

    Returns the heartbeat's JSON (None when not JSON); raises EdxHttpError saying what failed, with
    the checks a 503 names. Shared by edx_api_check and edx_token's readiness wait.
    """
    url = lms_url + HEARTBEAT_PATH
    started = clock()
    response, error, attempts = _polled(
        "heartbeat",
        timings,
        started,
        getter(session, url, {}),
        deadline,
        request_timeout,
        lambda s: s >= 500 or s == 429,
        clock,
        sleep,
    )
    waited = round(clock() - started, 1)
    if response is None:
        failure = transport_error(error, url, request_timeout)
        if failure.cause == "read_timeout":
            failure.msg += (
                " /heartbeat runs the LMS's checks (database, modulestore): a hung check looks like this (with "
                "MongoDB down a real LMS answers 503 only after about 30 s). Raise request_timeout above that "
                "to see which check fails, or turn the heartbeat wait off."
            )
        if failure.cause != "tls":
            failure.msg += " (waited %ss, %s attempts; raise timeout if the LMS is still starting)" % (waited, attempts)
        failure.details.update(timings=timings.result())
        raise failure
    ok, body = parse_json(response.text)
    if response.status_code == 200:
        return body if ok else None
    cause, msg = explain_heartbeat(response.status_code, response.text, url, waited, attempts)
    if error is not None:
        msg += " The last attempts got no answer (%s)." % classify_transport_error(error)[1]
    raise EdxHttpError(msg, cause=cause, status=response.status_code, url=url, timings=timings.result())


def failing_checks(text):
    """'sql: <message>, ...' from a heartbeat body listing failed checks (both LMS formats)."""
    ok, body = parse_json(text)
    if not ok or not isinstance(body, dict):
        return ""
    failed = []
    for name, value in sorted(body.items()):
        if isinstance(value, dict) and value.get("status") is False:
            failed.append("%s: %s" % (name, value.get("message") or "failed"))
        elif name == "error" or (value is not True and not isinstance(value, dict)):
            failed.append("%s: %s" % (name, value))
    return ", ".join(failed)


def proxy_failure(status):
    """What a gateway status means, or None: 502 and 504 come from a proxy in front of the LMS."""
    if status == 502:
        return (
            "HTTP 502 comes from the proxy in front of the LMS (nginx, a load balancer, Caddy): the application "
            "server behind it (gunicorn, uwsgi) is stopped, crashed, or listens elsewhere. Start the LMS's "
            "application server (or fix the proxy's upstream), or raise timeout if it is still starting."
        )
    if status == 504:
        return (
            "HTTP 504 comes from the proxy in front of the LMS: the application server behind it took too long to "
            "answer. It is overloaded or hung; look at its log, or raise timeout if it is still starting."
        )
    return None


def explain_heartbeat(status, text, url, waited, attempts):
    """(cause, message) for a heartbeat that never answered 200."""
    proxy = proxy_failure(status)
    if proxy:
        return "unhealthy", "The LMS at %s did not report healthy within %ss (%s attempts; last answer %r). %s" % (
            url,
            waited,
            attempts,
            body_excerpt(text),
            proxy,
        )
    if status >= 500 or status == 429:
        checks = failing_checks(text)
        because = "failing checks: %s" % checks if checks else "answer %r" % body_excerpt(text)
        return "unhealthy", (
            "The LMS at %s did not report healthy within %ss (%s attempts): it answered HTTP %s, %s. Fix the "
            "failing service (database, modulestore) or raise timeout if the LMS is still starting. The "
            "enrollment API itself can answer without the modulestore (MongoDB): to check it anyway, set "
            "wait_for_heartbeat: false (role: edx_api_access_heartbeat: false)."
            % (url, waited, attempts, status, because)
        )
    if status == 404:
        return "not_found", (
            "No heartbeat at %s (HTTP 404): lms_url does not point at the LMS root. Set lms_url to the LMS "
            "base URL, or wait_for_heartbeat: false if a proxy hides /heartbeat." % url
        )
    return "unhealthy", (
        "The heartbeat at %s answered HTTP %s: %r. Check lms_url, or set wait_for_heartbeat: false if a "
        "proxy guards /heartbeat." % (url, status, body_excerpt(text))
    )


def _token_reason(status_body, headers, scheme, token):
    """Why a 401 happened: a token sent with the wrong prefix first (the LMS then only says it does not
    know the token), then the body (error_code / detail), then the WWW-Authenticate header."""
    is_jwt = looks_like_jwt(token)
    if is_jwt and scheme != "JWT":
        return (
            "the token is a JWT but was sent as 'Authorization: Bearer'; the LMS reads JWTs only with the "
            "JWT prefix (leave token_type out or set it to jwt)"
        )
    if not is_jwt and scheme == "JWT":
        return "the token is not a JWT but was sent as 'Authorization: JWT' (set token_type: bearer)"
    code = status_body.get("error_code")
    detail = str(status_body.get("detail") or status_body.get("developer_message") or "")
    lowered = detail.lower()
    if code in TOKEN_ERROR_CODES:
        return TOKEN_ERROR_CODES[code]
    if "expired" in lowered:
        return "the token has expired"
    if any(word in lowered for word in ("signature", "decod", "invalid token", "issuer", "audience")):
        return (
            "the JWT does not verify against this LMS's JWT_AUTH settings (altered, or minted by another LMS or issuer)"
        )
    www = headers.get("WWW-Authenticate") or ""
    if "error_description=" in www:
        return www.split("error_description=", 1)[1].strip().strip('"')
    if "not provided" in lowered:
        return (
            "no authentication class accepted the header: the token is unknown or expired, or a proxy "
            "strips the Authorization header"
        )
    return "the LMS gave no reason"


def explain_api_error(status, headers, text, url, scheme, token):
    """(cause, message) for an enrollment API answer other than 200 with a JSON list."""
    ok, body = parse_json(text)
    fields = body if ok and isinstance(body, dict) else {}
    said = fields.get("error_code") or fields.get("detail") or fields.get("message") or ""
    said = "HTTP %s%s" % (status, ": %s" % said if said else "")
    if status == 401:
        return "token_refused", (
            "The LMS refused the token (%s): %s. Mint a fresh token with edx_token and pass it as token; "
            "token_type (here sent as 'Authorization: %s') must match the token."
            % (said, _token_reason(fields, headers, scheme, token), scheme)
        )
    if status == 403:
        return "forbidden", (
            "The LMS refused access to %s (%s): the token's user may not list enrollments, the OAuth2 "
            "application is restricted (its opaque tokens are refused; ask for token_type jwt), or a "
            "proxy blocks /api/. Check the user and application behind the token." % (url, said)
        )
    if status == 404:
        return "not_found", (
            "No enrollment API at %s (HTTP 404): lms_url does not point at the LMS root (a path prefix, or "
            "another site), or a proxy does not pass /api/. Set lms_url to the LMS base URL." % url
        )
    if status == 429:
        wait = retry_delay(headers, None)
        when = "Run again in %s (its Retry-After)" % _duration(wait) if wait else "Wait a minute and run again"
        return "rate_limited", (
            "The LMS kept throttling the enrollment API until timeout (HTTP 429; 40 requests/minute per "
            "user unless staff). %s, or raise timeout." % when
        )
    if proxy_failure(status):
        return "server_error", "The enrollment API at %s failed (%r). %s" % (
            url,
            body_excerpt(text),
            proxy_failure(status),
        )
    if status >= 500:
        return "server_error", (
            "The enrollment API at %s failed (HTTP %s): %r. Look at the LMS's error log, or raise timeout if "
            "the LMS is still starting." % (url, status, body_excerpt(text))
        )
    if status == 200:
        return "bad_response", (
            "The enrollment API at %s answered HTTP 200 but not with a JSON list: %r. Something other than "
            "the LMS answered; check lms_url." % (url, body_excerpt(text))
        )
    return "unexpected_status", (
        "The enrollment API at %s answered HTTP %s: %r. Check lms_url and the token."
        % (url, status, body_excerpt(text))
    )


def _duration(seconds):
    """3600 -> '1 h', 90 -> '1 min 30 s', 20 -> '20 s': a wait as a person reads it."""
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        ("%d h" % hours) if hours else "",
        ("%d min" % minutes) if minutes else "",
        ("%d s" % secs) if secs else "",
    ]
    return " ".join(p for p in parts if p) or "0 s"
