# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP plumbing for the controller-side modules (edx_token, edx_api_check).

One requests session per module call with TLS verification on by default, a timeout on every
request, urllib3 retries with backoff on connection errors and 502/503/504, and a User-Agent that
names edx-provision. Transport failures (refused, DNS, TLS, timeouts) become one error that says
what went wrong and which option fixes it, so every module words them the same way.
"""

import base64
import binascii
import html
import ipaddress
import json
import os
import re
import ssl
import sys
import traceback

try:
    import requests
    import urllib3
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised only on hosts without requests
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

try:
    from urllib.parse import urljoin, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not a target
    from urlparse import urljoin, urlsplit

USER_AGENT = "edx-provision/0.1 (Ansible module; python-requests)"
RETRY_STATUSES = (502, 503, 504)
DEFAULT_TIMEOUT = 10.0


def http_argument_spec():
    """Options shared by every controller-side module (doc fragment `edx_http`)."""
    return dict(
        lms_url=dict(type="str", required=True),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        request_timeout=dict(type="float", default=DEFAULT_TIMEOUT),
    )


class EdxHttpError(Exception):
    """A failure worded for the user; `cause` is a short machine-readable code, `details` go into the result."""

    def __init__(self, msg, cause="error", **details):
        super().__init__(msg)
        self.msg = msg
        self.cause = cause
        self.details = details

    def result(self):
        """The keys a module passes to fail_json."""
        out = dict(self.details)
        out["cause"] = self.cause
        return out


def missing_requests_message():
    """Ansible's standard 'missing library' message, plus the command that fixes it on this host."""
    from ansible.module_utils.basic import missing_required_lib

    fix = (
        " The HTTP steps (edx_token with method endpoint, edx_api_check) run on the controller: install "
        "requests there with `%s -m pip install requests`, or point ansible_python_interpreter for these "
        "tasks at a Python that has it." % (sys.executable or "python3")
    )
    return missing_required_lib("requests") + fix


def require_requests(module):
    """Fail, naming the fix, when requests is not importable by the Python running the module."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_requests_message(), exception=REQUESTS_IMPORT_ERROR, cause="missing_library")


def module_lms_url(module):
    """For a module: requests importable, then lms_url normalised; else the module fails naming the fix."""
    require_requests(module)
    try:
        return normalize_lms_url(module.params["lms_url"])
    except ValueError as exc:
        module.fail_json(msg=str(exc), cause="bad_option")


def normalize_lms_url(url):
    """The LMS base URL without a trailing slash; ValueError (naming lms_url) when it is not one.

    A URL with credentials in it (http://user:pass@host) is refused without being echoed: the LMS
    never reads them, and Ansible would show them in messages and results.
    """
    text = (url or "").strip()
    parts = urlsplit(text)
    if "@" in parts.netloc:
        raise ValueError(
            "lms_url carries credentials (user:password@ before the host): the LMS does not read them and "
            "they would be shown in messages. Remove them from lms_url; the OAuth2 client authenticates "
            "with client_id and client_secret."
        )
    if parts.scheme in ("http", "https") and parts.netloc and not _is_ascii(parts.netloc):
        raise ValueError(
            "lms_url %r has a host name with non-ASCII characters: write it in its ASCII (IDNA, xn--) form." % (url,)
        )
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            "lms_url %r is not an http(s) URL: it needs a scheme and a host. "
            "Set lms_url to the LMS base URL, e.g. https://lms.example.com" % (url,)
        )
    if parts.query or parts.fragment:
        raise ValueError("lms_url %r has a query or fragment: set it to the LMS base URL only" % (url,))
    path = parts.path.rstrip("/")
    for suffix in ("/oauth2/access_token", "/oauth2", "/api/enrollment/v1/enrollment", "/heartbeat"):
        if path.endswith(suffix):
            raise ValueError(
                "lms_url %r points at an endpoint, not at the LMS: set it to the base URL "
                "(without %s); the modules add the paths themselves" % (url, suffix)
            )
    return "%s://%s%s" % (parts.scheme, parts.netloc, path)


def _is_ascii(text):
    try:
        text.encode("ascii")
    except UnicodeError:
        return False
    return True


def is_loopback(url):
    """True when the URL's host is this machine (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_transport_warning(lms_url, validate_certs=True):
    """The one warning for credentials that travel in clear or to an unverified server, else None.

    The text depends only on lms_url, so the token and the API check of one run give the same warning
    and Ansible shows it once.
    """
    scheme = urlsplit(lms_url).scheme
    if scheme == "http" and not is_loopback(lms_url):
        return (
            "lms_url %s is plain http:// to another host: the client secret, password and tokens travel in "
            "clear over the network. Use the LMS's https:// address." % lms_url
        )
    if scheme == "https" and not validate_certs:
        return (
            "validate_certs is false for %s: the LMS's certificate is not checked, so anyone on the network "
            "path can pose as the LMS and receive the client secret, password and tokens. Set ca_path to "
            "the CA that signed the certificate instead." % lms_url
        )
    return None


_TOKEN_CHARS = re.compile(r"^[\x21-\x7e]+$")


def check_token_value(token, option="token"):
    """ValueError when `token` cannot be sent in an HTTP header; the message never contains the token.

    Access tokens (opaque or JWT) are printable ASCII without spaces. A line break would split the
    header (and requests would echo the whole header value in its error), a non-ASCII character fails
    deep in http.client with a bare codec error.
    """
    text = token or ""
    if not text:
        raise ValueError("%s is empty: pass the token that edx_token returned." % option)
    if _TOKEN_CHARS.match(text):
        return text
    position, char = next((i, c) for i, c in enumerate(text) if not _TOKEN_CHARS.match(c))
    if ord(char) > 0x7E:
        what = "a non-ASCII character"
    elif char in "\r\n":
        what = "a line break"
    elif char.isspace():
        what = "whitespace"
    else:
        what = "a control character"
    raise ValueError(
        "%s contains %s (at position %d of %d); an access token is printable ASCII without spaces. Pass "
        "the token exactly as edx_token returned it, without quotes, spaces or line breaks around it."
        % (option, what, position + 1, len(text))
    )


def origin(url):
    """(scheme, host, port) of a URL, with the scheme's default port filled in."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


MAX_REDIRECTS = 5


def send_same_origin(send, url, max_redirects=MAX_REDIRECTS):
    """`send(url)` and follow redirects only while they stay on the URL's origin; returns the response.

    A redirect to another scheme, host or port raises EdxHttpError (cause `redirect`) naming the target:
    the request, with its token or credentials, is never sent there. requests would follow it and only
    strip the Authorization header, so a check would report another server's answer as the LMS's.
    """
    current = url
    for _hop in range(max_redirects + 1):
        response = send(current)
        location = response.headers.get("Location") if 300 <= response.status_code < 400 else None
        if not location:
            return response
        target = urljoin(current, location)
        if origin(target) != origin(url):
            raise EdxHttpError(
                "%s redirected (HTTP %s) to %s, another scheme, host or port than lms_url: the request was "
                "not sent there, so no token or secret left for it. Set lms_url to the address the LMS "
                "answers on itself (if %s is the LMS, use its base URL)."
                % (current, response.status_code, _without_query(target), _without_query(target)),
                cause="redirect",
                status=response.status_code,
                url=current,
                location=_without_query(target),
            )
        current = target
    raise EdxHttpError(
        "%s redirected more than %d times on its own origin; check lms_url." % (url, max_redirects),
        cause="redirect",
        url=url,
    )


def _without_query(url):
    """A URL without its query and fragment (they may carry codes or tokens)."""
    parts = urlsplit(url)
    return "%s://%s%s" % (parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path)


def _retry(retries, backoff_factor):
    kwargs = dict(
        total=retries,
        connect=retries,
        read=0,
        status=retries,
        other=0,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    # Retrying the token POST is safe: minting twice only leaves one unused token behind.
    methods = frozenset(["GET", "HEAD", "POST"])
    try:
        return Retry(allowed_methods=methods, **kwargs)
    except TypeError:  # urllib3 < 1.26
        return Retry(method_whitelist=methods, **kwargs)


if HAS_REQUESTS:

    class EdxSession(requests.Session):
        """A Session whose verify setting, timeout and redirect policy apply to every request.

        requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's `verify` (so
        validate_certs: false or ca_path would be ignored where those are set): pass it per request.
        """

        default_timeout = DEFAULT_TIMEOUT

        def request(self, method, url, **kwargs):
            kwargs.setdefault("verify", self.verify)
            # Redirects are followed only by send_same_origin(), which never leaves lms_url's origin.
            kwargs.setdefault("allow_redirects", False)
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = self.default_timeout
            return super().request(method, url, **kwargs)

        def get(self, url, **kwargs):
            # requests.Session.get would turn redirects back on before request() sees the call.
            kwargs.setdefault("allow_redirects", False)
            return self.request("GET", url, **kwargs)


def make_session(
    validate_certs=True, ca_path=None, retries=2, backoff_factor=0.5, timeout=DEFAULT_TIMEOUT, user_agent=USER_AGENT
):
    """A requests.Session for one module call: verification, retries with backoff, timeouts, User-Agent.

    `retries` counts extra attempts after connection errors and 502/503/504 answers (0: none, for
    callers that run their own deadline loop). ca_path may be a CA bundle file or a directory.
    `timeout` applies to requests that do not pass their own.
    """
    session = EdxSession()
    session.default_timeout = timeout
    if not validate_certs:
        session.verify = False
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    elif ca_path:
        if not os.path.exists(ca_path):
            raise EdxHttpError(
                "ca_path %s does not exist: it must name the CA bundle (file or directory) that "
                "signed the LMS certificate. Fix ca_path or leave it out to use the system CAs." % ca_path,
                cause="bad_option",
            )
        session.verify = ca_path
    adapter = HTTPAdapter(max_retries=_retry(retries, backoff_factor) if retries else 0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    session.headers["Accept"] = "application/json"
    return session


def session_from_params(params, retries=2, backoff_factor=0.5):
    """make_session() configured from the edx_http options of a module's params."""
    return make_session(
        validate_certs=params.get("validate_certs", True),
        ca_path=params.get("ca_path"),
        retries=retries,
        backoff_factor=backoff_factor,
        timeout=params.get("request_timeout") or DEFAULT_TIMEOUT,
    )


def _chain(exc):
    """The exception and everything it wraps (causes, contexts, urllib3 reasons, args)."""
    seen, todo = [], [exc]
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        todo.extend([item.__cause__, item.__context__, getattr(item, "reason", None)])
        todo.extend(a for a in item.args if isinstance(a, BaseException))
    return seen


def classify_transport_error(exc):
    """(cause, reason) for an exception raised by requests: what kind of failure, in a short phrase.

    cause is one of tls, connection_refused, dns, connect_timeout, read_timeout, connection.
    """
    chain = _chain(exc)
    text = " ".join(str(e) for e in chain)
    if any(isinstance(e, ssl.SSLError) or "SSLError" in type(e).__name__ for e in chain):
        return "tls", _ssl_reason(text)
    if HAS_REQUESTS and isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect_timeout", "no answer to the connection attempt"
    # A read timeout after urllib3's retries arrives as a ConnectionError wrapping ReadTimeoutError:
    # it is still a stalled server, not a dropped connection attempt.
    if (
        (HAS_REQUESTS and isinstance(exc, requests.exceptions.ReadTimeout))
        or any("ReadTimeout" in type(e).__name__ for e in chain)
        or "Read timed out" in text
    ):
        return "read_timeout", "connected, but no answer"
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or re.search(
        r"Connection refused|Errno 111|WinError 10061", text
    ):
        return "connection_refused", "connection refused"
    if re.search(
        r"Name or service not known|nodename nor servname|NameResolution|getaddrinfo failed|"
        r"Temporary failure in name resolution|No address associated",
        text,
    ):
        return "dns", "the host name does not resolve"
    if any(isinstance(e, TimeoutError) for e in chain) or "timed out" in text:
        return "connect_timeout", "no answer to the connection attempt"
    return "connection", _last_words(text)


def _ssl_reason(text):
    for pattern, reason in (
        (r"self[- ]signed certificate", "the certificate is self-signed"),
        (r"unable to get local issuer|unable to get issuer", "the certificate's issuer is not a trusted CA"),
        (r"certificate has expired", "the certificate has expired"),
        (r"[Hh]ostname mismatch|doesn't match|not valid for", "the certificate does not name this host"),
        (r"WRONG_VERSION_NUMBER|wrong version number", "the server does not speak TLS on this port"),
        (r"CERTIFICATE_VERIFY_FAILED", "the certificate could not be verified"),
    ):
        if re.search(pattern, text):
            return reason
    return _last_words(text)


def _last_words(text):
    text = re.sub(r"\s+", " ", text).strip()
    return text[-200:] if text else "unknown error"


def transport_error(exc, url, timeout=None):
    """An EdxHttpError for a requests exception met while calling `url`, with what to do about it."""
    cause, reason = classify_transport_error(exc)
    parts = urlsplit(url)
    where = parts.netloc or url
    if cause == "tls":
        if reason == "the server does not speak TLS on this port":
            fix = "lms_url says https but %s answers plain HTTP: use http:// or the LMS's TLS port in lms_url." % where
        else:
            fix = (
                "Set ca_path to the CA bundle that signed the LMS certificate (or fix the certificate); "
                "validate_certs: false is for throw-away test LMSs only."
            )
        msg = "TLS verification failed for %s: %s. %s" % (where, reason, fix)
    elif cause == "connection_refused":
        msg = (
            "Cannot connect to %s: connection refused, nothing listens there. Is the LMS (or its web "
            "server) running, and are the host and port in lms_url right?" % where
        )
    elif cause == "dns":
        msg = "Cannot connect to %s: %s. Check the host name in lms_url." % (where, reason)
    elif cause == "connect_timeout":
        msg = (
            "Cannot connect to %s: %s within %ss. A firewall drops the traffic or the host is down; "
            "check lms_url and the network path, or raise request_timeout." % (where, reason, timeout)
        )
    elif cause == "read_timeout":
        msg = (
            "The LMS at %s accepted the connection but sent no answer within %ss: it is overloaded or "
            "still starting. Raise request_timeout or try again later." % (where, timeout)
        )
    else:
        msg = "Cannot reach %s: %s. Check lms_url and that the LMS is running." % (where, reason)
    return EdxHttpError(msg, cause=cause, url=url)


_NOT_TEXT = re.compile(r"<(script|style|title)\b[^>]*>.*?(</\1\s*>|$)|<!--.*?(-->|$)", re.I | re.S)


def body_excerpt(text, limit=300):
    """The start of a response body for an error message: an HTML page's title, then its visible text,
    whitespace collapsed. Scripts, styles and comments are dropped: a real LMS error page starts with
    inline <script>, which would otherwise be all the message quotes."""
    text = text or ""
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    if "<" in text:
        text = html.unescape(re.sub(r"<[^>]+>", " ", _NOT_TEXT.sub(" ", text)))
    flat = re.sub(r"\s+", " ", text).strip()
    if title:  # the title is also in the flattened text: quote it once, first
        heading = re.sub(r"\s+", " ", html.unescape(title.group(1))).strip()
        if heading and flat.startswith(heading):
            flat = flat[len(heading) :].strip()
        flat = "%s: %s" % (heading, flat) if heading and flat else heading or flat
    return flat[:limit] + "..." if len(flat) > limit else flat


def parse_json(text):
    """(True, value) when `text` is JSON, else (False, None)."""
    try:
        return True, json.loads(text)
    except (TypeError, ValueError):
        return False, None


def _b64url_json(segment):
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeError):
        return None


_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def looks_like_jwt(token):
    """True for a compact JWS: three base64url parts whose header is a JSON object with `alg`.

    Opaque LMS tokens are short alphanumeric strings without dots, so the shape decides.
    """
    token = (token or "").strip()
    if not _JWT_SHAPE.match(token):
        return False
    header = _b64url_json(token.split(".", 1)[0])
    return isinstance(header, dict) and "alg" in header


def jwt_payload(token):
    """The claims of a compact JWT, not verified: only for a token the LMS has just accepted."""
    parts = (token or "").strip().split(".")
    payload = _b64url_json(parts[1]) if len(parts) == 3 else None
    return payload if isinstance(payload, dict) else None


def auth_scheme(token, token_type=None):
    """The Authorization scheme the LMS expects: 'JWT' for JWTs (edx-drf-extensions), else 'Bearer'."""
    if token_type is None:
        token_type = "jwt" if looks_like_jwt(token) else "bearer"
    return "JWT" if token_type == "jwt" else "Bearer"
