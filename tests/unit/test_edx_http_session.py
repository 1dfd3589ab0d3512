"""http/session.py sessions against throw-away local HTTP(S) servers: retries, backoff, TLS verification."""

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from ansible.module_utils.edx_provision.http.session import make_session, transport_error
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class Scripted(BaseHTTPRequestHandler):
    """Answers with the next status of the server's script; records each request. A (status, location)
    entry answers a redirect."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.server.seen.append((self.command, self.path, dict(self.headers), body))
        status = self.server.script.pop(0) if self.server.script else 200
        if isinstance(status, tuple):
            status, location = status
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = b'{"ok": true}' if status == 200 else b"<html><title>busy</title></html>"
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if status == 200 else "text/html")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    httpd.script, httpd.seen = [], []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    httpd.url = "http://127.0.0.1:%d" % httpd.server_address[1]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_get_is_retried_on_503_then_succeeds(server):
    server.script = [503, 502]
    response = make_session(retries=2, backoff_factor=0.01).get(server.url + "/heartbeat", timeout=5)
    assert response.status_code == 200
    assert len(server.seen) == 3


def test_token_post_is_retried_with_the_same_form(server):
    server.script = [504]
    session = make_session(retries=2, backoff_factor=0.01)
    response = session.post(server.url + "/oauth2/access_token", data={"grant_type": "client_credentials"}, timeout=5)
    assert response.status_code == 200
    assert [(m, p, b) for m, p, _h, b in server.seen] == [
        ("POST", "/oauth2/access_token", "grant_type=client_credentials")
    ] * 2


def test_retries_stop_and_hand_back_the_last_answer(server):
    server.script = [503, 503, 503, 503]
    response = make_session(retries=2, backoff_factor=0.01).get(server.url + "/x", timeout=5)
    assert response.status_code == 503
    assert len(server.seen) == 3


def test_other_errors_are_not_retried(server):
    server.script = [500, 404]
    response = make_session(retries=2, backoff_factor=0.01).get(server.url + "/x", timeout=5)
    assert response.status_code == 500
    assert len(server.seen) == 1


def test_no_retries_for_deadline_loops(server):
    server.script = [503]
    assert make_session(retries=0).get(server.url + "/x", timeout=5).status_code == 503
    assert len(server.seen) == 1


def test_every_request_names_edx_provision(server):
    make_session().get(server.url + "/x", timeout=5)
    assert server.seen[0][2]["User-Agent"].startswith("edx-provision/")


# --- TLS ---------------------------------------------------------------------------------------


def _certificate(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "edx-provision test CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(server, tmp_path):
    cert_path, key_path = _certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    httpd.script, httpd.seen = [], []
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    httpd.url = "https://127.0.0.1:%d" % httpd.server_address[1]
    httpd.ca = str(cert_path)
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_self_signed_certificate_is_refused_with_advice(tls_server):
    url = tls_server.url + "/heartbeat"
    with pytest.raises(requests.exceptions.SSLError) as err:
        make_session(retries=0).get(url, timeout=5)
    failure = transport_error(err.value, url, 5)
    assert failure.cause == "tls"
    assert "self-signed" in failure.msg
    assert "ca_path" in failure.msg


def test_ca_path_makes_a_private_certificate_trusted(tls_server):
    response = make_session(ca_path=tls_server.ca, retries=0).get(tls_server.url + "/heartbeat", timeout=5)
    assert response.status_code == 200


def test_validate_certs_false_skips_verification(tls_server):
    assert make_session(validate_certs=False, retries=0).get(tls_server.url + "/x", timeout=5).status_code == 200


def test_https_url_on_a_plain_http_port(server):
    url = server.url.replace("http://", "https://") + "/heartbeat"
    with pytest.raises(requests.exceptions.SSLError) as err:
        make_session(retries=0).get(url, timeout=5)
    failure = transport_error(err.value, url, 5)
    assert failure.cause == "tls"
    assert "plain HTTP" in failure.msg


def test_environment_ca_bundle_does_not_override_the_options(tls_server, monkeypatch):
    """requests lets REQUESTS_CA_BUNDLE win over Session.verify; the options must win here."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    assert make_session(validate_certs=False, retries=0).get(tls_server.url + "/x").status_code == 200
    assert make_session(ca_path=tls_server.ca, retries=0).get(tls_server.url + "/x").status_code == 200


def test_requests_without_a_timeout_get_the_session_one(server, monkeypatch):
    session = make_session(timeout=3.5)
    seen = {}
    original = requests.adapters.HTTPAdapter.send

    def spy(self, request, **kwargs):
        seen["timeout"] = kwargs.get("timeout")
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", spy)
    session.get(server.url + "/x")
    assert seen["timeout"] == 3.5


def test_the_session_never_follows_a_redirect_on_its_own(server):
    """requests follows GET redirects by default (and only strips Authorization off-host)."""
    server.script = [(307, "http://127.0.0.1:9/elsewhere")]
    response = make_session(retries=0).get(server.url + "/api", headers={"Authorization": "JWT x"}, timeout=5)
    assert response.status_code == 307
    assert len(server.seen) == 1
