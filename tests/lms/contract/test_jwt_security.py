"""Issue point 4: JWTs are checked against the instance's own RSA key set; forgeries get 401.

(edx-drf-extensions skips signature checks when the key set is empty; the stand-in must
not fall into that.)"""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ENROLLMENTS = "/api/enrollment/v1/enrollment"


@pytest.fixture(scope="module")
def issued(lms):
    """A genuine JWT for a non-staff owner, and the names of a staff user."""
    actors = lms.actors()
    staff = lms.actors(staff=True)
    token = lms.token(actors["client_id"], actors["secret"], token_type="jwt")
    return {"token": token, "claims": jwt.decode(token, options={"verify_signature": False}), "staff": staff}


def private_key(standin):
    jwk = json.loads((standin.state_dir / "jwt_signing_key.jwk.json").read_text())
    return jwt.PyJWK(jwk, "RS512").key, jwk["kid"]


def call(lms, token):
    return lms.get(ENROLLMENTS, headers={"Authorization": "JWT " + token})


def b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_genuine_token_is_accepted(lms, issued):
    response = call(lms, issued["token"])
    assert response.status_code == 200


def test_key_set_is_configured_and_nonempty(standin):
    program = "from django.conf import settings; print(settings.JWT_AUTH['JWT_PUBLIC_SIGNING_JWK_SET'])"
    shown = json.loads(standin.manage("shell", "-v0", "-c", program).stdout)
    (key,) = shown["keys"]
    assert key["kty"] == "RSA" and key["n"] and "d" not in key


def test_tampered_payload_is_refused(lms, issued):
    header, payload, signature = issued["token"].split(".")
    claims = {**issued["claims"], "preferred_username": issued["staff"]["caller"], "administrator": True}
    forged = ".".join([header, b64(claims), signature])
    response = call(lms, forged)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_token_signed_with_another_key_is_refused(lms, issued, standin):
    __, kid = private_key(standin)
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(issued["claims"], impostor, algorithm="RS512", headers={"kid": kid})
    assert call(lms, forged).status_code == 401


def test_unsigned_token_is_refused(lms, issued):
    forged = jwt.encode(issued["claims"], key=None, algorithm="none")
    assert call(lms, forged).status_code == 401


def test_hmac_with_the_public_key_as_secret_is_refused(lms, issued, standin):
    key, __ = private_key(standin)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = b64({"alg": "HS256", "typ": "JWT"})
    body = b64(issued["claims"])
    signature = (
        base64.urlsafe_b64encode(hmac.new(pem, f"{header}.{body}".encode(), hashlib.sha256).digest())
        .rstrip(b"=")
        .decode()
    )
    assert call(lms, f"{header}.{body}.{signature}").status_code == 401


def test_hmac_with_a_guessed_secret_is_refused(lms, issued):
    for secret in ("lms-secret-lms-secret-lms-secret-00", "SET-ME-PLEASE-SET-ME-PLEASE-SET-ME-PLEASE"):
        assert call(lms, jwt.encode(issued["claims"], secret, algorithm="HS256")).status_code == 401


def test_key_from_the_state_directory_verifies_and_expiry_is_enforced(lms, issued, standin):
    key, kid = private_key(standin)
    now = int(time.time())
    fresh = jwt.encode({**issued["claims"], "iat": now, "exp": now + 60}, key, algorithm="RS512", headers={"kid": kid})
    expired = jwt.encode(
        {**issued["claims"], "iat": now - 7200, "exp": now - 3600}, key, algorithm="RS512", headers={"kid": kid}
    )
    assert call(lms, fresh).status_code == 200
    assert call(lms, expired).status_code == 401


def test_wrong_issuer_or_audience_is_refused(lms, issued, standin):
    key, kid = private_key(standin)
    for change in ({"iss": "http://elsewhere/oauth2"}, {"aud": "someone-else"}):
        forged = jwt.encode({**issued["claims"], **change}, key, algorithm="RS512", headers={"kid": kid})
        assert call(lms, forged).status_code == 401, change


def test_jwt_from_another_instance_is_refused(lms, other_standin):
    other = type(lms)(other_standin)
    actors = other.actors(scopes=None)
    token = other.token(actors["client_id"], actors["secret"], token_type="jwt")
    assert call(other, token).status_code == 200
    assert call(lms, token).status_code == 401


def test_bearer_prefix_does_not_take_a_jwt(lms, issued):
    response = lms.get(ENROLLMENTS, headers={"Authorization": "Bearer " + issued["token"]})
    assert response.status_code == 401
    assert response.json()["error_code"] == "token_nonexistent"
