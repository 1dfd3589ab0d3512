# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Mint an access token from the LMS's token endpoint and explain every way that can fail.

POST {lms_url}/oauth2/access_token, form-encoded (the only body both DOP on Ginkgo and DOT today
read). The client secret goes only in an HTTP Basic header, never in the body: the LMS's
TrackMiddleware writes every POST body to its tracking log and censors only password fields. The
body still names client_id, because the Ginkgo LMS picks DOT or DOP by the posted client_id. Error
answers (today's DOT: 401 invalid_client, 400 for the rest; Ginkgo's DOP: 400 for everything)
become one message that names the option or the LMS setting to change.
"""

import base64
import time

from ..vocabulary import dot_grant
from .probe import poll
from .session import (
    HAS_REQUESTS,
    RETRY_STATUSES,
    EdxHttpError,
    body_excerpt,
    looks_like_jwt,
    parse_json,
    transport_error,
)
from .token_cache import token_record

if HAS_REQUESTS:
    import requests

TOKEN_PATH = "/oauth2/access_token"
GRANT_TYPES = ("client_credentials", "password")  # the grants a token can be minted with here
TOKEN_TYPES = ("bearer", "jwt")
# Escaped in the Basic credentials: DOT (every version) form-decodes them, DOP takes them as they are
# and splits at every ':'. With none of these in id and secret, both back ends read the same text.
BASIC_ESCAPES = (("%", "%25"), ("+", "%2B"), (":", "%3A"))

# The application grant type that allows each flow, as the LMS stores it and create_dot_application's
# --grant-type spells it (edx_oauth_client's grant_type uses the OAuth2 spelling, like this module).


def endpoint_argument_spec():
    """Options of `method: endpoint` (besides the shared edx_http ones)."""
    return dict(
        client_id=dict(type="str", required=True),
        client_secret=dict(type="str", no_log=True),
        grant_type=dict(type="str", default="client_credentials", choices=list(GRANT_TYPES)),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        token_type=dict(type="str", default="bearer", choices=list(TOKEN_TYPES), no_log=False),
        scope=dict(type="list", elements="str"),
    )


ENDPOINT_REQUIRED_IF = [
    ("grant_type", "client_credentials", ["client_secret"]),
    ("grant_type", "password", ["username", "password"]),
]


def token_url(lms_url):
    return lms_url.rstrip("/") + TOKEN_PATH


def scope_text(scope):
    """The space-separated scope string OAuth2 wants, from a list or a string; '' for none."""
    if not scope:
        return ""
    if isinstance(scope, str):
        scope = [scope]
    return " ".join(word for item in scope for word in str(item).replace(",", " ").split())


def basic_escape(text):
    """Form-encode only what a form decoder would change (RFC 6749 2.3.1 asks the decoder to decode)."""
    for char, escaped in BASIC_ESCAPES:
        text = text.replace(char, escaped)
    return text


def basic_auth_header(client_id, client_secret):
    """HTTP Basic for OAuth2 clients, in the one spelling both DOT and Ginkgo's DOP decode alike."""
    pair = "%s:%s" % (basic_escape(client_id), basic_escape(client_secret))
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def dop_unreadable(client_id, client_secret):
    """True when DOP, which does not decode Basic credentials, cannot match this id and secret."""
    return any(pair[0] in (text or "") for text in (client_id, client_secret) for pair in BASIC_ESCAPES)


def build_request(params):
    """(form fields, extra headers) for the token POST described by the module params."""
    form = {"grant_type": params["grant_type"], "client_id": params["client_id"]}
    headers = {}
    if params["grant_type"] == "password":
        form["username"] = params["username"]
        form["password"] = params["password"]
    if params.get("token_type") == "jwt":
        form["token_type"] = "jwt"
    scope = scope_text(params.get("scope"))
    if scope:
        form["scope"] = scope
    if params.get("client_secret") is not None:  # a public application on the password grant has none
        headers["Authorization"] = basic_auth_header(params["client_id"], params["client_secret"])
    return form, headers


def mint(
    session, lms_url, params, timeout, now=None, deadline=None, timings=None, clock=time.monotonic, sleep=time.sleep
):
    """POST the token request and return a token record (see token_cache.token_record).

    With a `deadline` (a `clock()` value), connection errors and 502/503/504 are retried with backoff
    until then; without one, the request is sent once (plus the session's own retries). `timings`
    (a probe.Timings with a `token` phase) records the attempts, also into a failure.
    """
    url = token_url(lms_url)
    form, headers = build_request(params)

    def send(request_timeout):
        # Never follows a redirect, not even on the same origin: a redirected POST turns into a GET and
        # the real problem (lms_url) gets lost; the answer is explained with its target instead.
        return session.post(url, data=form, headers=headers, timeout=request_timeout, allow_redirects=False)

    started = clock()
    attempts, error, response = 1, None, None
    if deadline is None:
        try:
            response = send(timeout)
        except requests.exceptions.RequestException as exc:
            error = exc
    else:
        response, error, attempts = poll(send, deadline, timeout, lambda s: s in RETRY_STATUSES, clock, sleep)
    if timings is not None:
        timings.record("token", started, attempts)
    try:
        if response is None:
            raise transport_error(error, url, timeout) from None
        return read_token_response(response.status_code, response.headers, response.text, params, url, now)
    except EdxHttpError as failure:
        if timings is not None:
            failure.details.update(timings=timings.result())
        raise


def read_token_response(status, headers, text, params, url, now=None):
    """The token record from a 200 answer, or an EdxHttpError that explains any other answer."""
    now = time.time() if now is None else now
    ok, body = parse_json(text)
    if status == 200 and ok and isinstance(body, dict) and body.get("access_token"):
        return _record(body, now)
    if status == 200:
        raise EdxHttpError(
            "The token endpoint %s answered HTTP 200 without an access_token: %r. Something other than "
            "the LMS's OAuth2 view answered; check lms_url." % (url, body_excerpt(text)),
            cause="bad_response",
            status=status,
            url=url,
        )
    cause, msg = explain_token_error(status, headers, text, params, url)
    details = dict(status=status, url=url)
    if ok and isinstance(body, dict):
        details.update({k: body[k] for k in ("error", "error_description") if k in body})
    raise EdxHttpError(msg, cause=cause, **details)


def _record(body, now):
    token = body["access_token"]
    declared = str(body.get("token_type") or "").lower()
    token_type = "jwt" if declared == "jwt" or looks_like_jwt(token) else "bearer"
    expires_in = body.get("expires_in")
    try:
        expires_in = int(expires_in) if expires_in is not None else None
    except (TypeError, ValueError):
        expires_in = None
    scope = body.get("scope") or ""
    if isinstance(scope, (list, tuple)):
        scope = " ".join(str(s) for s in scope)
    return token_record(token, token_type, expires_in, str(scope), now)


def type_mismatch_warning(requested, record):
    """A warning when the LMS handed back another token type than asked for, else None."""
    if requested == record["token_type"]:
        return None
    return (
        "Asked for a %s token but the LMS returned a %s token; it is returned as token_type %s. "
        "An LMS without JWT support ignores token_type=jwt." % (requested, record["token_type"], record["token_type"])
    )


def explain_token_error(status, headers, text, params, url):
    """(cause, message) for a non-200 answer of the token endpoint: what went wrong, why, what to do."""
    ok, body = parse_json(text)
    body = body if ok and isinstance(body, dict) else {}
    error = body.get("error")
    desc = body.get("error_description") or ""
    said = "HTTP %s %s%s" % (status, error, ": " + desc if desc else "") if error else "HTTP %s" % status
    client_id = params.get("client_id")
    grant = params.get("grant_type")

    if 300 <= status < 400:
        location = headers.get("Location") or "(no Location header)"
        return "redirect", (
            "The token endpoint %s answered with a redirect (HTTP %s) to %s instead of a token: lms_url "
            "is not the LMS's canonical address. Set lms_url to the base of the address it redirects to "
            "(often the https:// one)." % (url, status, location)
        )
    if error == "invalid_client":
        ginkgo = " (HTTP 400 is how django-oauth2-provider on Ginkgo says it)" if status == 400 else ""
        dop = ""
        if status == 400 and dop_unreadable(client_id, params.get("client_secret")):
            dop = (
                " A Ginkgo DOP client whose client_id or client_secret holds %, + or : cannot authenticate "
                "(DOP reads the HTTP Basic header undecoded): change them with edx_oauth_client (role: "
                "edx_api_access_client_secret)."
            )
        return "invalid_client", (
            "The LMS refused the OAuth2 client credentials (%s)%s: no application on this LMS has "
            "client_id %r, or client_secret is not its secret. Check the options client_id and "
            "client_secret; create or update the application with edx_oauth_client.%s" % (said, ginkgo, client_id, dop)
        )
    if error == "invalid_grant" and grant == "password":
        return "invalid_grant", (
            "The LMS rejected the user credentials (%s): user %r does not exist (username or email), the "
            "password is wrong, or the user has no usable password. Check the options username and "
            "password; edx_user can set the password." % (said, params.get("username"))
        )
    if error == "unauthorized_client":
        app_grant = dot_grant(grant)
        other = [g for g in GRANT_TYPES if g != grant]
        return "unauthorized_client", (
            "The OAuth2 application %r may not use grant_type %s (%s): its authorization grant type is a "
            "different one. Set the application's grant type to %s (edx_oauth_client grant_type: %s, or "
            "create_dot_application --grant-type %s --update), or use the grant_type the application "
            "was made for (%s)." % (client_id, grant, said, app_grant, grant, app_grant, ", ".join(other))
        )
    if error == "unsupported_grant_type":
        return "unsupported_grant_type", (
            "The LMS's OAuth2 provider does not support grant_type %s (%s). Use the other grant_type (%s) "
            "with an application made for it." % (grant, said, ", ".join(g for g in GRANT_TYPES if g != grant))
        )
    if error == "invalid_scope":
        return "invalid_scope", (
            "The LMS refused scope %r for client %r (%s): an application gets the LMS's default scopes "
            "(read write email profile) plus those granted to it. Leave scope out, or grant the scope "
            "to the application (edx_oauth_client scopes)." % (scope_text(params.get("scope")), client_id, said)
        )
    if error == "invalid_request" and "secure connection" in desc.lower():
        return "insecure_connection", (
            "The LMS refused a token request that reached it over plain HTTP (%s): its OAuth2 provider "
            "enforces HTTPS (OAUTH_ENFORCE_SECURE). Use an https:// lms_url. If TLS ends at a proxy in "
            "front of the LMS, the LMS still sees HTTP: set SECURE_PROXY_SSL_HEADER = "
            "('HTTP_X_FORWARDED_PROTO', 'https') in the LMS settings and make the proxy send "
            "X-Forwarded-Proto: https." % said
        )
    if status == 404:
        return "oauth2_disabled", (
            "No token endpoint at %s (HTTP 404): the LMS does not serve /oauth2/ because "
            "FEATURES['ENABLE_OAUTH2_PROVIDER'] is off, or lms_url does not point at the LMS. Turn "
            "ENABLE_OAUTH2_PROVIDER on in the LMS settings (configuration: EDXAPP_ENABLE_OAUTH2_PROVIDER: "
            "true; Tutor has it on) and restart the LMS, or fix lms_url." % url
        )
    if status == 429:
        return "rate_limited", (
            "The LMS rate-limits the token endpoint (HTTP 429, RATELIMIT_RATE per client IP). Wait and "
            "run again; cache_path lets later runs reuse a token instead of minting."
        )
    if error:
        return str(error), (
            "The token endpoint %s refused the request (%s). Check client_id, grant_type, username and "
            "scope against the application on the LMS." % (url, said)
        )
    excerpt = body_excerpt(text)
    content_type = headers.get("Content-Type") or "no content type"
    if status >= 500:
        return "server_error", (
            "The LMS failed while minting a token (HTTP %s, %s): %r. Look at the LMS's error log; a "
            "proxy error page means the LMS behind it is down or still starting." % (status, content_type, excerpt)
        )
    if status == 401:
        return "http_auth", (
            "Something in front of the token endpoint %s demands its own authentication (HTTP 401 without "
            "an OAuth2 error: %r). lms_url must reach the LMS directly or through a proxy that lets "
            "/oauth2/ pass." % (url, excerpt)
        )
    return "bad_response", (
        "The token endpoint %s answered HTTP %s with %s instead of an OAuth2 answer: %r. Something other "
        "than the LMS's OAuth2 view answered; check lms_url." % (url, status, content_type, excerpt)
    )
