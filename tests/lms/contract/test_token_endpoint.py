"""Contract sections 2.3, 2.4 and 3: POST /oauth2/access_token (DOT, today's LMS)."""

import json
import uuid

import jwt
import pytest

DEFAULT_SCOPE = "read write email profile"


@pytest.fixture(scope="module")
def world(lms):
    """Users and apps of every kind, made in one boot."""
    uid = uuid.uuid4().hex[:8]
    owner, learner, sleeper = f"owner-{uid}", f"learner-{uid}", f"inactive-{uid}"
    lms.setup(
        users=[
            {"username": owner, "password": "owner-pw", "is_staff": True, "name": "Owner Name"},
            {"username": learner, "password": "learner-pw", "email": f"{learner}@example.org", "name": "Lea Rner"},
            {"username": sleeper, "password": "sleeper-pw", "is_active": False},
        ],
        apps=[
            {"name": "cc", "owner": owner, "client_id": f"cc-{uid}", "secret": "cc-secret"},
            {"name": "cc-uid", "owner": owner, "client_id": f"ccu-{uid}", "secret": "ccu-secret", "scopes": "user_id"},
            {"name": "pw", "owner": owner, "client_id": f"pw-{uid}", "secret": "pw-secret", "grant": "password"},
            {
                "name": "pub",
                "owner": owner,
                "client_id": f"pub-{uid}",
                "secret": "pub-secret",
                "grant": "password",
                "client_type": "public",
            },
            {
                "name": "restricted",
                "owner": owner,
                "client_id": f"rs-{uid}",
                "secret": "rs-secret",
                "restricted": True,
                "filters": "content_org:edX",
            },
        ],
    )
    return {"uid": uid, "owner": owner, "learner": learner, "sleeper": sleeper}


def cc(world, **extra):
    return {
        "grant_type": "client_credentials",
        "client_id": f"cc-{world['uid']}",
        "client_secret": "cc-secret",
        **extra,
    }


def pw(world, username, password, **extra):
    return {
        "grant_type": "password",
        "client_id": f"pw-{world['uid']}",
        "client_secret": "pw-secret",
        "username": username,
        "password": password,
        **extra,
    }


def public_key(standin):
    jwk = json.loads((standin.state_dir / "jwt_signing_key.jwk.json").read_text())
    return jwt.PyJWK({k: jwk[k] for k in ("kty", "n", "e", "kid")}, "RS512").key


# ------------------------------------------------------------------ client credentials
def test_client_credentials_bearer_token(lms, world):
    response = lms.token_response(cc(world))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}  # no refresh_token
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 36000
    assert body["scope"] == DEFAULT_SCOPE
    assert response.headers["Content-Type"] == "application/json"


def test_token_belongs_to_the_application_owner(lms, world, demo):
    token = lms.token(f"cc-{world['uid']}", "cc-secret")
    listing = lms.get("/api/enrollment/v1/enrollment", headers={"Authorization": "Bearer " + token})
    enrolled = lms.enroll({"Authorization": "Bearer " + token})
    assert listing.status_code == 200
    assert enrolled.status_code == 200 and enrolled.json()["user"] == world["owner"]


def test_user_id_scope_added_when_the_application_allows_it(lms, world):
    response = lms.token_response(
        {"grant_type": "client_credentials", "client_id": f"ccu-{world['uid']}", "client_secret": "ccu-secret"}
    )
    assert response.json()["scope"] == DEFAULT_SCOPE + " user_id"


def test_trailing_slash_is_optional(lms, world):
    assert lms.post("/oauth2/access_token/", data=cc(world)).status_code == 200


def test_http_basic_client_authentication(lms, world):
    response = lms.token_response({"grant_type": "client_credentials"}, auth=(f"cc-{world['uid']}", "cc-secret"))
    assert response.status_code == 200
    wrong = lms.token_response({"grant_type": "client_credentials"}, auth=(f"cc-{world['uid']}", "nope"))
    assert wrong.status_code == 401 and wrong.json() == {"error": "invalid_client"}


@pytest.mark.parametrize("client", ["bad-secret", "unknown-client", "no-secret"])
def test_invalid_client_is_401(lms, world, client):
    data = cc(world)
    if client == "bad-secret":
        data["client_secret"] = "wrong"
    elif client == "unknown-client":
        data["client_id"] = "no-such-client"
    else:
        del data["client_secret"]
    response = lms.token_response(data)
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}


def test_form_encoding_is_required(lms, world):
    response = lms.post("/oauth2/access_token", json=cc(world))
    assert response.status_code in (400, 401)
    assert "access_token" not in response.json()


def test_get_is_not_allowed(lms):
    assert lms.get("/oauth2/access_token").status_code == 405


# ------------------------------------------------------------------ password grant
@pytest.mark.parametrize("login", ["username", "email"])
def test_password_grant_by_username_or_email(lms, world, login):
    user = world["learner"]
    name = user if login == "username" else f"{user}@example.org"
    response = lms.token_response(pw(world, name, "learner-pw"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 36000
    assert body["scope"] == DEFAULT_SCOPE
    assert body["refresh_token"]
    enrollments = lms.get("/api/enrollment/v1/enrollment", headers={"Authorization": "Bearer " + body["access_token"]})
    assert enrollments.status_code == 200


def test_inactive_users_get_tokens_and_may_use_them(lms, world, demo):
    response = lms.token_response(pw(world, world["sleeper"], "sleeper-pw"))
    assert response.status_code == 200
    enrolled = lms.enroll({"Authorization": "Bearer " + response.json()["access_token"]})
    assert enrolled.status_code == 200 and enrolled.json()["user"] == world["sleeper"]


def test_public_client_needs_no_secret(lms, world):
    response = lms.token_response(
        {
            "grant_type": "password",
            "client_id": f"pub-{world['uid']}",
            "username": world["learner"],
            "password": "learner-pw",
        }
    )
    assert response.status_code == 200


def test_refresh_token_grant(lms, world):
    first = lms.token_response(pw(world, world["learner"], "learner-pw")).json()
    response = lms.token_response(
        {
            "grant_type": "refresh_token",
            "client_id": f"pw-{world['uid']}",
            "client_secret": "pw-secret",
            "refresh_token": first["refresh_token"],
        }
    )
    assert response.status_code == 200
    assert response.json()["access_token"] != first["access_token"]


def test_wrong_password_is_invalid_grant(lms, world):
    response = lms.token_response(pw(world, world["learner"], "wrong"))
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Invalid credentials given."}


def test_password_grant_on_a_client_credentials_app_is_unauthorized_client(lms, world):
    data = pw(world, world["learner"], "learner-pw", client_id=f"cc-{world['uid']}", client_secret="cc-secret")
    response = lms.token_response(data)
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


def test_unknown_grant_type(lms, world):
    response = lms.token_response(cc(world, grant_type="authorization_codes"))
    assert response.status_code == 400
    assert response.json() == {"error": "unsupported_grant_type"}


def test_missing_parameter_is_invalid_request(lms, world):
    data = pw(world, world["learner"], "learner-pw")
    del data["password"]
    response = lms.token_response(data)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request" and "password" in body["error_description"]


def test_scope_beyond_the_applications_is_invalid_scope(lms, world):
    assert lms.token_response(cc(world, scope="grades:read")).json() == {"error": "invalid_scope"}
    assert lms.token_response(cc(world, scope="read email")).json()["scope"] == "read email"


# ------------------------------------------------------------------ JWT
def test_jwt_by_form_field_with_the_lms_claims(lms, standin, world):
    response = lms.token_response(cc(world, token_type="jwt"))
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "JWT"
    assert body["expires_in"] == 3600
    assert body["scope"] == DEFAULT_SCOPE
    assert "refresh_token" not in body
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS512" and header["kid"]
    claims = jwt.decode(
        body["access_token"],
        public_key(standin),
        algorithms=["RS512"],
        audience="lms-key",
        issuer=f"{standin.url}/oauth2",
    )
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["preferred_username"] == world["owner"]
    assert claims["grant_type"] == "client-credentials"
    assert claims["scopes"] == ["read", "write", "email", "profile"]
    assert claims["version"] == "1.2.0"
    assert claims["filters"] == []
    assert claims["is_restricted"] is False
    assert claims["email_verified"] is True
    assert claims["email"] == f"{world['owner']}@example.com"
    assert claims["administrator"] is True and claims["superuser"] is False
    assert claims["name"] == "Owner Name"
    assert (claims["given_name"], claims["family_name"]) == ("", "")
    assert len(claims["sub"]) == 32 and "user_id" not in claims


def test_jwt_by_header_and_password_grant_adds_user_id(lms, standin, world):
    response = lms.token_response(pw(world, world["learner"], "learner-pw"), headers={"X-Token-Type": "jwt"})
    body = response.json()
    assert body["token_type"] == "JWT" and body["refresh_token"]
    assert body["scope"] == DEFAULT_SCOPE + " user_id"
    claims = jwt.decode(body["access_token"], public_key(standin), algorithms=["RS512"], audience="lms-key")
    assert claims["grant_type"] == "password"
    assert claims["filters"] == ["user:me"]
    assert claims["administrator"] is False and claims["name"] == "Lea Rner"
    assert isinstance(claims["user_id"], int)


def test_restricted_application(lms, standin, world):
    data = {"grant_type": "client_credentials", "client_id": f"rs-{world['uid']}", "client_secret": "rs-secret"}
    opaque = lms.token_response(data).json()
    assert opaque["expires_in"] < 0  # issued already expired
    denied = lms.get("/api/enrollment/v1/enrollment", headers={"Authorization": "Bearer " + opaque["access_token"]})
    assert denied.status_code == 401 and denied.json()["error_code"] == "token_expired"
    as_jwt = lms.token_response({**data, "token_type": "jwt"}).json()
    claims = jwt.decode(as_jwt["access_token"], public_key(standin), algorithms=["RS512"], audience="lms-key")
    assert claims["is_restricted"] is True
    assert claims["filters"] == ["content_org:edX"]


def test_jwt_is_accepted_by_the_enrollment_api(lms, world):
    token = lms.token(f"cc-{world['uid']}", "cc-secret", token_type="jwt")
    assert lms.get("/api/enrollment/v1/enrollment", headers={"Authorization": "JWT " + token}).status_code == 200


def test_passwords_use_the_fast_hasher_that_keeps_tokens_cheap(lms, world):
    """Why a password-grant token costs milliseconds here (a real LMS's PBKDF2 costs ~0.3 s):
    hashes are MD5. Speed itself is measured by `make bench`, not asserted."""
    stored = lms.orm(
        "from django.contrib.auth.models import User;"
        f" print(User.objects.get(username='{world['learner']}').password.split('$')[0])"
    )
    assert stored == "md5"
    assert lms.token_response(pw(world, world["learner"], "learner-pw")).status_code == 200
