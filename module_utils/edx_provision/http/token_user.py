# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who a token acts as, asked after the enrollment API accepted it: its username and its global staff flag.

A token can pass the API check and still act as the wrong user: a client-credentials token acts as the
client's owner, and an operator can move a client to another user by hand. A JWT the LMS has just accepted
names its user (`preferred_username`) and staff flag (`administrator`); otherwise the LMS is asked
(`/api/user/v1/me`, the enrollment API's `roles/`). Where neither can tell (an LMS without those endpoints
and a bearer token), the answer is None with a warning that says what would make it tell.
"""

from .session import HAS_REQUESTS, EdxHttpError, body_excerpt, jwt_payload, parse_json, transport_error

if HAS_REQUESTS:
    import requests

ROLES_PATH = "/api/enrollment/v1/roles/"  # {"roles": [...], "is_staff": bool} of the caller
ME_PATH = "/api/user/v1/me"  # {"username": ...} of the caller
# Advice where only a JWT can tell: the module's options, then the role's variables.
JWT_ADVICE = (
    "Only a JWT minted at the token endpoint carries the answer: edx_token with token_type jwt (role: "
    "edx_api_access_token_method endpoint and edx_api_access_token_type jwt)"
)


def _get(getter, url, request_timeout):
    """(status, JSON body or None, text) of GET `url`; a transport failure raises EdxHttpError."""
    try:
        response = getter(url)(request_timeout)
    except requests.exceptions.RequestException as exc:
        raise transport_error(exc, url, request_timeout) from None
    ok, body = parse_json(response.text)
    return response.status_code, body if ok else None, response.text


def _claims(headers):
    scheme, token = headers["Authorization"].split(" ", 1)
    return (jwt_payload(token) or {}) if scheme == "JWT" else None


def _lookup_failed(what, url, status, text, api_url, advice):
    """The API check passed and a lookup after it failed: say both, and how to check without the lookup."""
    return EdxHttpError(
        "The enrollment API accepted the token (GET %s answered 200), but the %s lookup failed: GET %s answered "
        "HTTP %s %r. Look at the LMS's error log for that request. %s"
        % (api_url, what, url, status, body_excerpt(text), advice),
        cause="%s_lookup_failed" % what,
        status=status,
        url=url,
    )


def check_username(getter, lms_url, headers, expected, request_timeout, api_url):
    """(username, warning): the user the token acts as; EdxHttpError (cause wrong_user) when not `expected`."""
    claims = _claims(headers)
    if claims and claims.get("preferred_username"):
        actual, said = claims["preferred_username"], "the preferred_username claim of the JWT the LMS accepted"
    else:
        url = lms_url + ME_PATH
        status, body, text = _get(getter, url, request_timeout)
        if status == 200 and isinstance(body, dict) and body.get("username"):
            actual, said = body["username"], "GET %s" % url
        elif status == 404:
            return None, (
                "Which user the token acts as was not checked: this LMS has no %s and the token names no user. "
                "%s." % (url, JWT_ADVICE)
            )
        else:
            advice = "%s, and names its user without this lookup; or leave expect_username out." % JWT_ADVICE
            raise _lookup_failed("username", url, status, text, api_url, advice)
    if actual != expected:
        raise EdxHttpError(
            'The token acts as "%s", not as "%s" (%s): the OAuth2 client that minted it belongs to "%s" on the '
            "LMS, so every call made with it acts as that user (a client-credentials token acts as its client's "
            'owner). Someone moved the client by hand: give it back to "%s" on the LMS (Django admin, OAuth2 '
            "applications, its User), then run verify again; provision does not take a client from another "
            "owner." % (actual, expected, said, actual, expected),
            cause="wrong_user",
            status=200,
            username=actual,
        )
    return actual, None


def check_staff(getter, lms_url, headers, expected, request_timeout, api_url):
    """(is_staff, warning): whether the token's user is global staff, from the API's roles/, or on an
    LMS without it (before 2019, Ginkgo) from the `administrator` claim of a JWT the LMS has just
    accepted; (None, warning) when neither can tell. EdxHttpError when not as `expected`."""
    url = lms_url + ROLES_PATH
    status, body, text = _get(getter, url, request_timeout)
    if status == 200 and isinstance(body, dict) and "is_staff" in body:
        is_staff = bool(body["is_staff"])
        said = "GET %s says is_staff: %s" % (url, str(is_staff).lower())
    elif status == 404:
        claims = _claims(headers)
        if not claims or "administrator" not in claims:
            token = "the JWT has no administrator claim" if claims is not None else "a bearer token names no role"
            return None, (
                "Whether the token's user is global staff was not checked: this LMS has no %s (an LMS before "
                "2019, Ginkgo) and %s. %s, or leave expect_staff out (role: edx_api_access_check_staff: false). "
                "On such an LMS staff gives no right to enroll others; the API key does." % (url, token, JWT_ADVICE)
            )
        is_staff = bool(claims["administrator"])
        said = "the administrator claim of the JWT it accepted is %s; it has no %s" % (str(is_staff).lower(), url)
    else:
        advice = (
            "To check the API without it, leave expect_staff out (role: edx_api_access_check_staff: false, which "
            "keeps edx_api_access_staff, the flag provision sets)."
        )
        raise _lookup_failed("staff", url, status, text, api_url, advice)
    if is_staff != expected:
        raise EdxHttpError(
            "Drift: the token's user is %sglobal staff on the LMS (%s), but it should %sbe. "
            "Someone changed it on the LMS; run the provision playbook to converge it back, or set "
            "edx_api_access_staff (expect_staff) to what you want."
            % ("" if is_staff else "not ", said, "" if expected else "not "),
            cause="drift",
            status=200,
            url=url,
            is_staff=is_staff,
        )
    return is_staff, None
