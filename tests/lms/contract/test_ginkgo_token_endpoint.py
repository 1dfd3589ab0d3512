"""Contract §2.1, §2.2 and §9 "Token endpoint" on the ginkgo flavour (served over HTTPS).

/oauth2/access_token[/] sends a request to DOT when the POSTed client_id is a DOT
application, else to DOP. DOP: client_credentials -> 40-hex token, id_token, expires_in
31535999, scope "profile openid email permissions"; password grant -> refresh token,
scope "", e-mail accepted as username; public clients 2591999 s; every error a 400.
DOT on Ginkgo: 30-character tokens, 36000 s, "read write profile email", 401 invalid_client.
"""

import re
import uuid

import jwt
import pytest

DOP_CC_SCOPE = "profile openid email permissions"
DOP_SECRET = "dop-secret-long-enough-for-hs256-keys"  # id_tokens are signed with it


@pytest.fixture(scope="module")
def world(ginkgo):
    uid = uuid.uuid4().hex[:8]
    owner, learner = f"owner-{uid}", f"learner-{uid}"
    ginkgo.setup(
        users=[
            {"username": owner, "password": "owner-pw", "email": f"{owner}@example.com"},
            {"username": learner, "password": "learner-pw", "email": f"{learner}@example.org"},
        ],
        dop_clients=[
            {"owner": owner, "client_id": f"dop-{uid}", "secret": DOP_SECRET},
            {"owner": owner, "client_id": f"pub-{uid}", "secret": "pub-secret", "public": True},
            {"client_id": f"nouser-{uid}", "secret": "nouser-secret"},
        ],
        apps=[{"name": "dot", "owner": owner, "client_id": f"dot-{uid}", "secret": "dot-secret"}],
    )
    return {"uid": uid, "owner": owner, "learner": learner}


def dop(world, **extra):
    return {
        "grant_type": "client_credentials",
        "client_id": f"dop-{world['uid']}",
        "client_secret": DOP_SECRET,
        **extra,
    }


def dop_password(world, username, password, **extra):
    return dop(world, grant_type="password", username=username, password=password, **extra)


def dot(world, **extra):
    return {
        "grant_type": "client_credentials",
        "client_id": f"dot-{world['uid']}",
        "client_secret": "dot-secret",
        **extra,
    }


# ------------------------------------------------------------------ DOP successes
def test_dop_client_credentials(ginkgo, world):
    response = ginkgo.token_response(dop(world))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "id_token", "expires_in", "token_type", "scope"}
    assert re.fullmatch(r"[0-9a-f]{40}", body["access_token"])
    assert body["expires_in"] == 31535999
    assert body["token_type"] == "Bearer"
    assert body["scope"] == DOP_CC_SCOPE
    claims = jwt.decode(body["id_token"], DOP_SECRET, algorithms=["HS256"], audience=f"dop-{world['uid']}")
    assert claims["preferred_username"] == world["owner"]
    assert claims["iss"] == ginkgo.url + "/oauth2"


def test_dop_token_url_with_and_without_slash(ginkgo, world):
    for path in ("/oauth2/access_token", "/oauth2/access_token/"):
        response = ginkgo.post(path, data=dop(world))
        assert response.status_code == 200, (path, response.text)


def test_dop_client_credentials_with_http_basic(ginkgo, world):
    response = ginkgo.token_response({"grant_type": "client_credentials"}, auth=(f"dop-{world['uid']}", DOP_SECRET))
    assert response.status_code == 200, response.text


def test_dop_password_grant_refresh_token_and_email_as_username(ginkgo, world):
    by_name = ginkgo.token_response(dop_password(world, world["learner"], "learner-pw"))
    by_email = ginkgo.token_response(dop_password(world, f"{world['learner']}@example.org", "learner-pw"))
    for response in (by_name, by_email):
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"access_token", "expires_in", "token_type", "scope", "refresh_token"}
        assert body["scope"] == ""
        assert body["expires_in"] == 31535999
    assert by_name.json()["access_token"] != by_email.json()["access_token"]


def test_dop_refresh_token_grant(ginkgo, world):
    first = ginkgo.token_response(dop_password(world, world["learner"], "learner-pw")).json()
    refreshed = ginkgo.token_response(dop(world, grant_type="refresh_token", refresh_token=first["refresh_token"]))
    reused = ginkgo.token_response(dop(world, grant_type="refresh_token", refresh_token=first["refresh_token"]))
    assert refreshed.status_code == 200 and refreshed.json()["refresh_token"] != first["refresh_token"]
    assert reused.status_code == 400 and reused.json() == {"error": "invalid_grant"}


def test_public_client_password_grant_with_client_id_only(ginkgo, world):
    response = ginkgo.token_response(
        {
            "grant_type": "password",
            "client_id": f"pub-{world['uid']}",
            "username": world["learner"],
            "password": "learner-pw",
        }
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 2591999  # 30 days for public clients
    assert "refresh_token" not in body  # public clients get none


def test_dop_tokens_are_accepted_by_the_enrollment_api(ginkgo, world):
    for data in (dop(world), dop_password(world, world["learner"], "learner-pw")):
        token = ginkgo.token_response(data).json()["access_token"]
        response = ginkgo.get("/api/enrollment/v1/enrollment", headers={"Authorization": "Bearer " + token})
        assert response.status_code == 200, response.text
        assert response.json() == []


def test_token_type_jwt_on_dop(ginkgo, world):
    body = ginkgo.token_response(dop(world, token_type="jwt")).json()
    assert body["token_type"] == "JWT"
    listing = ginkgo.get("/api/enrollment/v1/enrollment", headers={"Authorization": "JWT " + body["access_token"]})
    assert listing.status_code == 200, listing.text


# ------------------------------------------------------------------ DOP errors: all 400
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong secret", {"error": "invalid_client"}),
        ("unknown client", {"error": "invalid_client"}),
        ("wrong password", {"error": "invalid_grant", "error_description": "Invalid credentials given."}),
        ("unknown grant", {"error": "unsupported_grant_type"}),
        (
            "missing grant",
            {"error": "invalid_request", "error_description": "No 'grant_type' included in the request."},
        ),
    ],
)
def test_dop_errors_are_400(ginkgo, world, case, expected):
    data = {
        "wrong secret": dop(world, client_secret="nope"),
        "unknown client": dop(world, client_id="no-such-client"),
        "wrong password": dop_password(world, world["learner"], "wrong"),
        "unknown grant": dop(world, grant_type="magic"),
        "missing grant": {"client_id": f"dop-{world['uid']}", "client_secret": DOP_SECRET},
    }[case]
    response = ginkgo.token_response(data)
    assert response.status_code == 400
    assert response.json() == expected


def test_a_json_body_counts_as_a_missing_grant(ginkgo, world):
    response = ginkgo.post("/oauth2/access_token", json=dop(world))
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "No 'grant_type' included in the request.",
    }


def test_get_is_a_400(ginkgo):
    response = ginkgo.get("/oauth2/access_token")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "Only POST requests allowed."}


def test_a_dop_client_without_user_cannot_mint_client_credentials_tokens(ginkgo, world):
    response = ginkgo.token_response(
        {"grant_type": "client_credentials", "client_id": f"nouser-{world['uid']}", "client_secret": "nouser-secret"}
    )
    assert response.status_code == 500


# ------------------------------------------------------------------ DOT beside DOP
def test_dot_application_is_served_by_dot(ginkgo, world):
    response = ginkgo.token_response(dot(world))
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["access_token"]) == 30
    assert body["expires_in"] == 36000
    assert body["scope"] == "read write profile email"
    assert "id_token" not in body


def test_dot_wrong_secret_is_dots_401(ginkgo, world):
    response = ginkgo.token_response(dot(world, client_secret="nope"))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_dot_client_with_http_basic_only_lands_in_dop_and_fails(ginkgo, world):
    response = ginkgo.token_response({"grant_type": "client_credentials"}, auth=(f"dot-{world['uid']}", "dot-secret"))
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client"}


def test_token_type_jwt_on_dot(ginkgo, world):
    body = ginkgo.token_response(dot(world, token_type="jwt")).json()
    assert body["token_type"] == "JWT" and body["expires_in"] == 3600


def test_dot_tokens_are_accepted_by_the_enrollment_api(ginkgo, world):
    token = ginkgo.token_response(dot(world)).json()["access_token"]
    response = ginkgo.get("/api/enrollment/v1/enrollment", headers={"Authorization": "Bearer " + token})
    assert response.status_code == 200, response.text


def test_production_has_no_dop(lms):
    response = lms.token_response({"grant_type": "client_credentials", "client_id": "no-such", "client_secret": "x"})
    assert response.status_code == 401  # DOT's answer: no DOP fallback today
