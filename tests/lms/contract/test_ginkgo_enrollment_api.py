"""Contract §4.1, §4.3, §4.2 and §9 "Enrollment API" on the ginkgo flavour.

DOP and DOT bearer tokens are accepted; `enrollment/` is a 404; no auth 401; unknown token
401 token_nonexistent; malformed header token_malformed. Only the API key
(`X-Edx-Api-Key`, when EDX_API_KEY is set) may enroll another user, use a non-default mode
or update an enrollment: global staff may not (that came in 2020). A wrong key is a 401,
a bad Bearer token stays a 401 even with a valid key. One flat throttle rate.
"""

import uuid

import pytest

API_KEY = {"X-Edx-Api-Key": "PUT_YOUR_API_KEY_HERE"}  # the configuration repo's default, unless overridden
ENROLLMENT = "/api/enrollment/v1/enrollment"


@pytest.fixture(scope="module")
def world(ginkgo):
    uid = uuid.uuid4().hex[:8]
    staff, learner, other = f"staff-{uid}", f"learner-{uid}", f"other-{uid}"
    ginkgo.setup(
        users=[
            {"username": staff, "password": "pw", "is_staff": True, "is_superuser": True},
            {"username": learner, "password": "pw"},
            {"username": other, "password": "pw"},
        ],
        dop_clients=[{"owner": staff, "client_id": f"dop-{uid}", "secret": "dop-secret"}],
        apps=[{"name": "dot", "owner": staff, "client_id": f"dot-{uid}", "secret": "dot-secret"}],
    )
    return {"uid": uid, "staff": staff, "learner": learner, "other": other}


def bearer(ginkgo, world, kind="dop"):
    token = ginkgo.token(f"{kind}-{world['uid']}", f"{kind}-secret")
    return {"Authorization": "Bearer " + token}


def test_dop_and_dot_bearer_tokens_list_enrollments(ginkgo, world):
    for kind in ("dop", "dot"):
        response = ginkgo.get(ENROLLMENT, headers=bearer(ginkgo, world, kind))
        assert response.status_code == 200, (kind, response.text)
        assert response.json() == []


def test_authentication_failures(ginkgo, world):
    assert ginkgo.get(ENROLLMENT + "/", headers=bearer(ginkgo, world)).status_code == 404
    none = ginkgo.get(ENROLLMENT)
    assert none.status_code == 401
    assert none.json() == {"detail": "Authentication credentials were not provided."}
    unknown = ginkgo.get(ENROLLMENT, headers={"Authorization": "Bearer " + "0" * 40})
    assert unknown.status_code == 401 and unknown.json()["error_code"] == "token_nonexistent"
    malformed = ginkgo.get(ENROLLMENT, headers={"Authorization": "Bearer a b"})
    assert malformed.status_code == 401 and malformed.json()["error_code"] == "token_malformed"


def test_global_staff_may_not_enroll_another_user(ginkgo, world, demo):
    response = ginkgo.enroll(bearer(ginkgo, world), user=world["learner"])
    assert response.status_code == 404
    assert response.content == b""


def test_global_staff_may_not_use_a_non_default_mode(ginkgo, world, demo):
    response = ginkgo.enroll(bearer(ginkgo, world), mode="verified")
    assert response.status_code == 403
    assert response.json() == {"message": "User does not have permission to create enrollment with mode [verified]."}


def test_global_staff_may_not_deactivate_its_own_enrollment(ginkgo, world, demo):
    headers = bearer(ginkgo, world, "dot")
    assert ginkgo.enroll(headers).status_code == 200
    response = ginkgo.enroll(headers, is_active=False)
    assert response.status_code == 200
    assert response.json()["is_active"] is True  # the update path is the API key's alone


def test_the_api_key_enrolls_others_in_any_mode_and_updates(ginkgo, world, demo):
    enrolled = ginkgo.enroll(API_KEY, user=world["other"], mode="verified")
    assert enrolled.status_code == 200, enrolled.text
    assert enrolled.json()["mode"] == "verified" and enrolled.json()["user"] == world["other"]
    changed = ginkgo.enroll(API_KEY, user=world["other"], mode="audit")
    assert changed.status_code == 200 and changed.json()["mode"] == "audit"
    listing = ginkgo.get(ENROLLMENT, params={"user": world["other"]}, headers=API_KEY)
    assert listing.status_code == 200 and [e["mode"] for e in listing.json()] == ["audit"]


def test_a_wrong_key_is_a_401_and_a_bad_token_stays_one_with_a_valid_key(ginkgo, world):
    wrong = ginkgo.get(ENROLLMENT, params={"user": world["other"]}, headers={"X-Edx-Api-Key": "nope"})
    assert wrong.status_code == 401
    bad_token = ginkgo.get(ENROLLMENT, headers={**API_KEY, "Authorization": "Bearer " + "0" * 40})
    assert bad_token.status_code == 401 and bad_token.json()["error_code"] == "token_nonexistent"


def test_without_edx_api_key_the_header_is_ignored_and_staff_share_the_user_rate(standin_factory, client_for):
    lms = client_for(
        standin_factory(
            settings="ginkgo",
            name="lms-ginkgo-nokey",
            env={"LMS_EDX_API_KEY": "", "LMS_THROTTLE_USER_RATE": "3/minute", "LMS_THROTTLE_STAFF_RATE": "100/minute"},
        )
    )
    uid = uuid.uuid4().hex[:8]
    lms.setup(
        users=[{"username": f"s-{uid}", "password": "pw", "is_staff": True}],
        dop_clients=[{"owner": f"s-{uid}", "client_id": f"dop-{uid}", "secret": "dop-secret"}],
    )
    assert lms.get(ENROLLMENT, headers=API_KEY).status_code == 401
    headers = {"Authorization": "Bearer " + lms.token(f"dop-{uid}", "dop-secret")}
    statuses = [lms.get(ENROLLMENT, headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # staff get the users' rate on Ginkgo


def test_an_unavailable_mode_has_ginkgos_message(ginkgo, world, demo):
    response = ginkgo.enroll(API_KEY, user=world["learner"], mode="professional")
    assert response.status_code == 400
    assert response.json()["message"] == f"The course mode 'professional' is not available for course '{demo}'."


def test_there_is_no_staff_list_nor_roles_endpoint(ginkgo, world):
    """§4.1: `enrollments/` (the staff list) and `roles/` came in 2018-19; on Ginkgo both are 404, for
    global staff and the API key alike."""
    for path in ("/api/enrollment/v1/enrollments", "/api/enrollment/v1/enrollments/", "/api/enrollment/v1/roles/"):
        for headers in (bearer(ginkgo, world), API_KEY):
            assert ginkgo.get(path, headers=headers).status_code == 404, path


def test_the_ginkgo_flavour_has_no_user_api_me(ginkgo, world):
    """Whether Ginkgo has `/api/user/v1/me` is unconfirmed: the stand-in leaves it out, so the toolkit is
    tested without it."""
    assert ginkgo.get("/api/user/v1/me", headers=bearer(ginkgo, world)).status_code == 404
