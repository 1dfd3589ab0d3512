"""http/session.py pure logic: lms_url checks, transport error wording, body excerpts, JWT shape, session setup."""

import base64
import json
import socket
import ssl

import pytest
import requests
from ansible.module_utils.edx_provision.http.session import (
    USER_AGENT,
    EdxHttpError,
    auth_scheme,
    body_excerpt,
    classify_transport_error,
    insecure_transport_warning,
    is_loopback,
    looks_like_jwt,
    make_session,
    normalize_lms_url,
    parse_json,
    transport_error,
)


def b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


JWT = "%s.%s.c2lnbmF0dXJl" % (b64({"alg": "RS512", "typ": "JWT"}), b64({"sub": "x"}))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://lms.example.com", "https://lms.example.com"),
        ("https://lms.example.com/", "https://lms.example.com"),
        ("http://127.0.0.1:18000//", "http://127.0.0.1:18000"),
        ("  https://example.com/edx/ ", "https://example.com/edx"),
    ],
)
def test_lms_url_is_normalised_to_its_base(given, expected):
    assert normalize_lms_url(given) == expected


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("lms.example.com", "needs a scheme"),
        ("ftp://lms.example.com", "needs a scheme"),
        ("", "needs a scheme"),
        ("https://lms.example.com/oauth2/access_token", "points at an endpoint"),
        ("https://lms.example.com/api/enrollment/v1/enrollment/", "points at an endpoint"),
        ("https://lms.example.com/heartbeat", "points at an endpoint"),
        ("https://lms.example.com/?x=1", "query or fragment"),
    ],
)
def test_bad_lms_url_is_refused_naming_the_option(given, words):
    with pytest.raises(ValueError) as err:
        normalize_lms_url(given)
    assert "lms_url" in str(err.value)
    assert words in str(err.value)


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused_is_recognised_and_explained():
    url = "http://127.0.0.1:%d/heartbeat" % closed_port()
    with pytest.raises(requests.exceptions.ConnectionError) as err:
        requests.get(url, timeout=2)
    assert classify_transport_error(err.value)[0] == "connection_refused"
    failure = transport_error(err.value, url, 2)
    assert failure.cause == "connection_refused"
    assert "connection refused" in failure.msg
    assert "lms_url" in failure.msg
    assert failure.details["url"] == url


def test_unresolvable_host_names_lms_url():
    url = "http://no-such-host.invalid/heartbeat"
    with pytest.raises(requests.exceptions.ConnectionError) as err:
        requests.get(url, timeout=2)
    failure = transport_error(err.value, url, 2)
    assert failure.cause == "dns"
    assert "host name in lms_url" in failure.msg


def test_timeouts_are_told_apart():
    connect = requests.exceptions.ConnectTimeout("connect timed out")
    read = requests.exceptions.ReadTimeout("read timed out")
    assert classify_transport_error(connect)[0] == "connect_timeout"
    assert classify_transport_error(read)[0] == "read_timeout"
    assert "request_timeout" in transport_error(read, "https://lms.example.com/x", 7).msg
    assert "within 7s" in transport_error(read, "https://lms.example.com/x", 7).msg


def test_a_stalled_server_behind_retries_is_a_read_timeout_not_a_firewall():
    """A real stalled endpoint: it accepts the connection and never answers; urllib3 retries wrap the error."""
    import socket
    import threading

    from ansible.module_utils.edx_provision.http.session import make_session

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []

    def accept_and_stay_silent():
        try:
            while True:
                accepted.append(server.accept())
        except OSError:  # the test closed the server
            pass

    threading.Thread(target=accept_and_stay_silent, daemon=True).start()
    url = "http://127.0.0.1:%d/oauth2/access_token" % server.getsockname()[1]
    try:
        with pytest.raises(requests.exceptions.RequestException) as err:
            make_session(retries=1, backoff_factor=0).post(url, data={"a": "b"}, timeout=0.3)
    finally:
        server.close()
    failure = transport_error(err.value, url, 0.3)
    assert failure.cause == "read_timeout", failure.msg
    assert "firewall" not in failure.msg and "accepted the connection but sent no answer" in failure.msg


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("certificate verify failed: self-signed certificate (_ssl.c:1006)", "self-signed"),
        ("certificate verify failed: unable to get local issuer certificate", "issuer is not a trusted CA"),
        ("certificate verify failed: certificate has expired", "has expired"),
        ("Hostname mismatch, certificate is not valid for 'lms'", "does not name this host"),
    ],
)
def test_tls_failures_point_at_ca_path_and_validate_certs(reason, words):
    exc = requests.exceptions.SSLError(ssl.SSLError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] " + reason))
    failure = transport_error(exc, "https://lms.example.com/heartbeat", 10)
    assert failure.cause == "tls"
    assert words in failure.msg
    assert "ca_path" in failure.msg
    assert "validate_certs" in failure.msg


def test_tls_to_a_plain_http_port_says_so():
    exc = requests.exceptions.SSLError(ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"))
    failure = transport_error(exc, "https://127.0.0.1:18000/heartbeat", 10)
    assert failure.cause == "tls"
    assert "plain HTTP" in failure.msg
    assert "http://" in failure.msg


def test_html_error_pages_are_shortened_with_their_title():
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>" + "x" * 900
    excerpt = body_excerpt(page, limit=60)
    assert excerpt.startswith("502 Bad Gateway")
    assert "<" not in excerpt
    assert excerpt.endswith("...")
    assert len(excerpt) < 100


def test_an_lms_error_page_is_quoted_by_its_title_and_text_not_its_script():
    page = (
        "<!DOCTYPE html><html><head><title>Page Not Found | \u00e9dX</title><script type='text/javascript'>"
        "/* immediately break out of an iframe if coming from the marketing website */ (function(window) {"
        "if (window.location !== window.top.location) { window.top.location = window.location; } })(this);"
        "</script><style>body { color: red }</style><!-- analytics --></head><body><h1>Page not found</h1>"
        "<p>The page you were looking for &amp; its link are gone.</p></body></html>"
    )
    excerpt = body_excerpt(page)
    assert excerpt == "Page Not Found | \u00e9dX: Page not found The page you were looking for & its link are gone."


def test_plain_bodies_are_collapsed():
    assert body_excerpt("a\n\n  b") == "a b"
    assert body_excerpt(None) == ""


def test_parse_json():
    assert parse_json('{"a": 1}') == (True, {"a": 1})
    assert parse_json("<html>") == (False, None)
    assert parse_json(None) == (False, None)


def test_jwt_shape_detection():
    assert looks_like_jwt(JWT)
    assert looks_like_jwt(" " + JWT + " ")
    assert not looks_like_jwt("aBcD1234efGH5678ijKL9012mnOP34")  # an opaque DOT token
    assert not looks_like_jwt("a.b.c")  # three parts, but no JSON header
    assert not looks_like_jwt("%s.%s.sig" % (b64({"typ": "JWT"}), b64({})))  # header without alg
    assert not looks_like_jwt("")
    assert not looks_like_jwt(None)


def test_auth_scheme_follows_token_type_or_shape():
    assert auth_scheme(JWT) == "JWT"
    assert auth_scheme("opaque") == "Bearer"
    assert auth_scheme(JWT, "bearer") == "Bearer"
    assert auth_scheme("opaque", "jwt") == "JWT"


def test_session_verifies_tls_and_names_the_project():
    session = make_session()
    assert session.verify is True
    assert session.headers["User-Agent"] == USER_AGENT
    assert "edx-provision" in USER_AGENT
    retry = session.get_adapter("https://x").max_retries
    assert retry.status_forcelist == (502, 503, 504)
    assert "POST" in retry.allowed_methods
    assert retry.connect == 2
    assert retry.backoff_factor > 0


def test_session_without_retries_for_deadline_loops():
    assert make_session(retries=0).get_adapter("http://x").max_retries.total == 0


def test_session_ca_path_and_no_verification(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert make_session(ca_path=str(bundle)).verify == str(bundle)
    assert make_session(validate_certs=False, ca_path=str(bundle)).verify is False


def test_missing_ca_path_names_the_option(tmp_path):
    with pytest.raises(EdxHttpError) as err:
        make_session(ca_path=str(tmp_path / "nope.pem"))
    assert "ca_path" in err.value.msg
    assert err.value.cause == "bad_option"


def test_error_result_carries_cause_and_details():
    error = EdxHttpError("boom", cause="tls", url="u", status=None)
    assert error.result() == {"cause": "tls", "url": "u", "status": None}


def test_missing_requests_gives_ansibles_standard_message(monkeypatch):
    import ansible.module_utils.edx_provision.http.session as edx_http

    class Module:
        def fail_json(self, **kwargs):
            raise SystemExit(kwargs)

    monkeypatch.setattr(edx_http, "HAS_REQUESTS", False)
    monkeypatch.setattr(edx_http, "REQUESTS_IMPORT_ERROR", "Traceback: No module named 'requests'")
    with pytest.raises(SystemExit) as stop:
        edx_http.require_requests(Module())
    failure = stop.value.args[0]
    assert "Failed to import the required Python library (requests)" in failure["msg"]
    assert "ansible_python_interpreter" in failure["msg"]
    assert "-m pip install requests" in failure["msg"] and "controller" in failure["msg"]
    assert failure["cause"] == "missing_library"
    assert "No module named" in failure["exception"]


@pytest.mark.parametrize(
    "url",
    [
        "http://admin:s3cr3t-pass@lms.example.com",
        "https://token-only@lms.example.com/",
        "https://user:p%40ss@lms.example.com:8443",
    ],
)
def test_credentials_in_lms_url_are_refused_without_being_echoed(url):
    with pytest.raises(ValueError) as err:
        normalize_lms_url(url)
    msg = str(err.value)
    assert "lms_url carries credentials" in msg and "Remove them" in msg
    for part in ("s3cr3t", "token-only", "p%40ss", "admin"):
        assert part not in msg


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:18000", True),
        ("http://127.1.2.3", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("http://lms.example.com", False),
        ("http://10.0.0.5", False),
        ("http://127.0.0.1.example.com", False),
    ],
)
def test_loopback_hosts(url, loopback):
    assert is_loopback(url) is loopback


def test_one_warning_for_clear_or_unverified_transport():
    clear = insecure_transport_warning("http://lms.example.com", True)
    assert "plain http://" in clear and "travel in clear" in clear and "https://" in clear
    assert insecure_transport_warning("http://lms.example.com", False) == clear  # one warning, not two
    unverified = insecure_transport_warning("https://lms.example.com", False)
    assert "validate_certs is false" in unverified and "ca_path" in unverified
    assert insecure_transport_warning("http://127.0.0.1:18000", True) is None
    assert insecure_transport_warning("http://127.0.0.1:18000", False) is None
    assert insecure_transport_warning("https://lms.example.com", True) is None
