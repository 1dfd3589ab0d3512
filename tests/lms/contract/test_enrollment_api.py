"""Contract section 4: the enrollment API v1 (master), every status and body the toolkit meets."""

import re
import uuid

import pytest
import requests

from_api = "/api/enrollment/v1/"
DEMO_MODES = [
    {
        "slug": "audit",
        "name": "Audit",
        "min_price": 0,
        "suggested_prices": "",
        "currency": "usd",
        "expiration_datetime": None,
        "description": None,
        "sku": None,
        "bulk_sku": None,
    },
    {
        "slug": "verified",
        "name": "Verified Certificate",
        "min_price": 149,
        "suggested_prices": "",
        "currency": "usd",
        "expiration_datetime": None,
        "description": None,
        "sku": None,
        "bulk_sku": None,
    },
]
DEMO_DETAILS = {
    "course_id": "course-v1:edX+DemoX+Demo_Course",
    "course_name": "Demonstration Course",
    "enrollment_start": None,
    "enrollment_end": None,
    "course_start": "2013-02-05T05:00:00Z",
    "course_end": None,
    "invite_only": False,
    "course_modes": DEMO_MODES,
    "pacing_type": "Instructor Paced",
}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@pytest.fixture(scope="module")
def courses(lms):
    """Extra course runs: closed for enrollment, full, with an expired mode."""
    uid = uuid.uuid4().hex[:6]
    closed, full, expiring = (
        f"course-v1:Test+Closed{uid}+R",
        f"course-v1:Test+Full{uid}+R",
        f"course-v1:Test+Exp{uid}+R",
    )
    assert lms.manage("seed_courses", closed, "--enrollment-end", "2020-01-01T00:00:00Z").returncode == 0
    assert lms.manage("seed_courses", full, "--max-enrollments", "1", "--self-paced").returncode == 0
    assert lms.manage("seed_courses", expiring, "--modes", "audit,verified:50").returncode == 0
    lms.orm(
        "from common.djangoapps.course_modes.models import CourseMode as M; "
        f"M.objects.filter(course_id='{expiring}', mode_slug='verified')"
        ".update(expiration_datetime='2020-01-01T00:00Z')"
    )
    return {"closed": closed, "full": full, "expiring": expiring}


@pytest.fixture
def learner(lms):
    actors = lms.actors(learners=1)
    return {**actors, "headers": lms.bearer(actors), "other": actors["learners"][0]}


@pytest.fixture
def staff(lms):
    actors = lms.actors(staff=True, learners=2)
    return {**actors, "headers": lms.bearer(actors)}


# ------------------------------------------------------------------ URLs and authentication
def test_unauthenticated_is_401(lms):
    for response in (lms.get(from_api + "enrollment"), lms.enroll({})):
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_trailing_slash_on_enrollment_is_404(lms, learner):
    assert lms.get(from_api + "enrollment/", headers=learner["headers"]).status_code == 404
    assert lms.post(from_api + "enrollment/", json={}, headers=learner["headers"]).status_code == 404


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer no-such-token", "token_nonexistent"),
        ("Bearer", "token_not_provided"),
        ("Bearer a b", "token_malformed"),
    ],
)
def test_bearer_errors(lms, header, code):
    response = lms.get(from_api + "enrollment", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error_code"] == code
    assert response.json()["developer_message"]


def test_expired_bearer_token(lms, learner):
    token = learner["headers"]["Authorization"].split()[1]
    lms.orm(
        "import datetime; from oauth2_provider.models import AccessToken; "
        f"AccessToken.objects.filter(token='{token}').update(expires=datetime.datetime(2000, 1, 1, "
        "tzinfo=datetime.timezone.utc))"
    )
    response = lms.get(from_api + "enrollment", headers=learner["headers"])
    assert response.status_code == 401
    assert response.json() == {
        "error_code": "token_expired",
        "developer_message": "The provided access token has expired and is no longer valid.",
    }


def test_disabled_user_token_is_refused(lms):
    actors = lms.actors(learners=1)
    disabled = actors["learners"][0]
    token = "disabled-" + actors["uid"]
    lms.orm(
        "import datetime; from django.contrib.auth.models import User; "
        "from oauth2_provider.models import AccessToken, Application; "
        f"u = User.objects.get(username='{disabled}'); u.set_unusable_password(); u.save(); "
        f"AccessToken.objects.create(user=u, token='{token}', application=Application.objects.get("
        f"client_id='{actors['client_id']}'), expires=datetime.datetime(2999, 1, 1, tzinfo=datetime.timezone.utc), "
        "scope='read')"
    )
    response = lms.get(from_api + "enrollment", headers={"Authorization": "Bearer " + token})
    assert response.status_code == 401
    assert response.json() == {
        "error_code": "user_is_disabled",
        "developer_message": f"User disabled by admin: {disabled}",
    }


# ------------------------------------------------------------------ POST enrollment
def test_enroll_self_defaults_to_audit_and_repeat_is_200(lms, learner):
    first = lms.enroll(learner["headers"])
    assert first.status_code == 200
    body = first.json()
    assert list(body) == ["created", "mode", "is_active", "course_details", "user"]
    assert ISO.match(body["created"])
    assert (body["mode"], body["is_active"], body["user"]) == ("audit", True, learner["caller"])
    assert body["course_details"] == DEMO_DETAILS
    again = lms.enroll(learner["headers"], mode="audit")
    assert again.status_code == 200
    assert again.json() == body


def test_enroll_by_jwt(lms, learner):
    response = lms.enroll(lms.jwt(learner))
    assert response.status_code == 200 and response.json()["user"] == learner["caller"]


def test_roles_say_whether_the_caller_is_global_staff(lms, learner, staff):
    """Contract section 8: `roles/` -> 200 {"roles": [], "is_staff": true} for a staff token."""
    assert lms.get(from_api + "roles/", headers=staff["headers"]).json() == {"roles": [], "is_staff": True}
    answer = lms.get(from_api + "roles/", headers=lms.jwt(learner))
    assert answer.status_code == 200 and answer.json() == {"roles": [], "is_staff": False}
    assert lms.get(from_api + "roles/").status_code == 401


def test_user_api_me_names_the_tokens_user(lms, learner):
    """user_api's `v1/me` (own_username_api): 200 {"username": <the token's user>} for a bearer token and a JWT,
    401 without credentials."""
    for headers in (learner["headers"], lms.jwt(learner)):
        answer = lms.get("/api/user/v1/me", headers=headers)
        assert answer.status_code == 200 and answer.json() == {"username": learner["caller"]}
    assert lms.get("/api/user/v1/me").status_code == 401


def test_course_id_errors(lms, learner):
    missing = lms.post(from_api + "enrollment", json={}, headers=learner["headers"])
    assert missing.status_code == 400
    assert missing.json() == {"message": "Course ID must be specified to create a new enrollment."}
    bad = lms.enroll(learner["headers"], course_id="not a course")
    assert bad.status_code == 400 and bad.json() == {"message": "No course 'not a course' found for enrollment"}
    absent = lms.enroll(learner["headers"], course_id="course-v1:edX+Nope+Run")
    assert absent.status_code == 400
    assert absent.json() == {"message": "No course 'course-v1:edX+Nope+Run' found for enrollment"}


def test_non_staff_enrolling_someone_else_is_404_with_empty_body(lms, learner):
    response = lms.enroll(learner["headers"], user=learner["other"])
    assert response.status_code == 404
    assert response.content == b""
    by_email = lms.enroll(learner["headers"], email=f"{learner['other']}@example.com")
    assert by_email.status_code == 404 and by_email.content == b""


def test_non_default_mode_needs_staff(lms, learner):
    response = lms.enroll(learner["headers"], mode="verified")
    assert response.status_code == 403
    assert response.json() == {"message": "User does not have permission to create enrollment with mode [verified]."}


def test_superuser_alone_is_not_global_staff(lms):
    actors = lms.actors(learners=1)
    lms.orm(
        f"from django.contrib.auth.models import User; User.objects.filter(username='{actors['caller']}')"
        ".update(is_superuser=True)"
    )
    response = lms.enroll(lms.bearer(actors), user=actors["learners"][0])
    assert response.status_code == 404


def test_staff_enrolls_others_in_any_mode_and_by_email(lms, staff):
    first, second = staff["learners"]
    verified = lms.enroll(staff["headers"], user=first, mode="verified")
    assert verified.status_code == 200
    assert (verified.json()["user"], verified.json()["mode"]) == (first, "verified")
    by_email = lms.enroll(staff["headers"], email=f"{second}@example.com")
    assert by_email.status_code == 200 and by_email.json()["user"] == second


def test_unknown_user_or_email_is_406(lms, staff):
    user = lms.enroll(staff["headers"], user="ghost-" + staff["uid"])
    assert user.status_code == 406
    assert user.json() == {"message": f"The user ghost-{staff['uid']} does not exist."}
    email = lms.enroll(staff["headers"], email="ghost@nowhere.example")
    assert email.status_code == 406
    assert email.json() == {"message": "The user with the email address ghost@nowhere.example does not exist."}


def test_staff_changes_mode_and_deactivates(lms, staff):
    learner = staff["learners"][0]
    assert lms.enroll(staff["headers"], user=learner).json()["mode"] == "audit"
    upgraded = lms.enroll(staff["headers"], user=learner, mode="verified")
    assert upgraded.status_code == 200 and upgraded.json()["mode"] == "verified"
    mismatch = lms.enroll(staff["headers"], user=learner, mode="audit", is_active=False)
    assert mismatch.status_code == 400
    assert mismatch.json() == {
        "message": "Enrollment mode mismatch: active mode=verified, requested mode=audit. Won't deactivate."
    }
    deactivated = lms.enroll(staff["headers"], user=learner, mode="verified", is_active=False)
    assert deactivated.status_code == 200 and deactivated.json()["is_active"] is False
    listed = lms.get(from_api + "enrollment", params={"user": learner}, headers=staff["headers"])
    assert listed.json() == []  # inactive enrollments are not listed


def test_learner_post_reactivates_but_cannot_deactivate(lms, staff, learner):
    me = learner["caller"]
    assert lms.enroll(learner["headers"]).status_code == 200
    assert lms.enroll(staff["headers"], user=me, mode="audit", is_active=False).json()["is_active"] is False
    again = lms.enroll(learner["headers"])
    assert again.status_code == 200 and again.json()["is_active"] is True
    own_deactivate = lms.enroll(learner["headers"], is_active=False)
    assert own_deactivate.status_code == 200
    assert own_deactivate.json()["is_active"] is True  # already enrolled: returned unchanged


def test_is_active_must_be_a_boolean(lms, learner):
    response = lms.enroll(learner["headers"], is_active="yes")
    assert response.status_code == 400
    assert response.json() == {"message": "'yes' is an invalid enrollment activation status."}


def test_unavailable_mode(lms, staff, courses):
    response = lms.enroll(staff["headers"], user=staff["learners"][0], mode="professional")
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == (
        "The [professional] course mode is expired or otherwise unavailable for course run "
        "[course-v1:edX+DemoX+Demo_Course]."
    )
    assert body["course_details"] == DEMO_DETAILS
    expired = lms.enroll(staff["headers"], course_id=courses["expiring"], user=staff["learners"][0], mode="verified")
    assert expired.status_code == 400
    assert [m["slug"] for m in expired.json()["course_details"]["course_modes"]] == ["audit"]


def test_closed_and_full_courses(lms, learner, staff, courses):
    closed = lms.enroll(learner["headers"], course_id=courses["closed"])
    assert closed.status_code == 400
    assert closed.json() == {
        "message": (
            f"An error occurred while creating the new course enrollment for user '{learner['caller']}' "
            f"in course '{courses['closed']}'"
        )
    }
    assert lms.enroll(staff["headers"], course_id=courses["closed"]).status_code == 200  # staff may
    assert lms.enroll(staff["headers"], course_id=courses["full"], user=staff["learners"][1]).status_code == 200
    full = lms.enroll(learner["headers"], course_id=courses["full"])
    assert full.status_code == 400 and full.json()["message"].startswith("An error occurred while creating")


def test_unknown_cohort_is_400_after_enrolling(lms, learner):
    response = lms.enroll(learner["headers"], cohort="no-such-cohort")
    assert response.status_code == 400
    assert response.json() == {"message": "An error occured while adding to cohort [no-such-cohort]"}


# ------------------------------------------------------------------ X-Edx-Api-Key
def test_api_key_enrolls_anyone_in_any_mode(lms, staff):
    learner = staff["learners"][0]
    response = lms.enroll({"X-Edx-Api-Key": "PUT_YOUR_API_KEY_HERE"}, user=learner, mode="verified")
    assert response.status_code == 200 and response.json()["mode"] == "verified"
    wrong = lms.enroll({"X-Edx-Api-Key": "guess"}, user=learner)
    assert wrong.status_code == 401
    read = lms.get(
        from_api + f"enrollment/{learner},course-v1:edX+DemoX+Demo_Course",
        headers={"X-Edx-Api-Key": "PUT_YOUR_API_KEY_HERE"},
    )
    assert read.status_code == 200 and read.json()["mode"] == "verified"


# ------------------------------------------------------------------ GETs
def test_get_one_enrollment_permissions(lms, learner, staff):
    me, other = learner["caller"], learner["other"]
    lms.enroll(learner["headers"])
    path = from_api + "enrollment/{},course-v1:edX+DemoX+Demo_Course"
    own = lms.get(path.format(me), headers=learner["headers"])
    assert own.status_code == 200 and own.json()["user"] == me and own.json()["course_details"] == DEMO_DETAILS
    current = lms.get(from_api + "enrollment/course-v1:edX+DemoX+Demo_Course", headers=learner["headers"])
    assert current.json() == own.json()
    hidden = lms.get(path.format(other), headers=learner["headers"])
    assert hidden.status_code == 404 and hidden.content == b""
    by_staff = lms.get(path.format(me), headers=staff["headers"])
    assert by_staff.status_code == 200 and by_staff.json() == own.json()
    not_enrolled = lms.get(path.format(other), headers=staff["headers"])
    assert not_enrolled.status_code == 200 and not_enrolled.content == b""


def test_get_list_of_other_users(lms, learner, staff):
    lms.enroll(staff["headers"], user=learner["other"])
    as_learner = lms.get(from_api + "enrollment", params={"user": learner["other"]}, headers=learner["headers"])
    assert as_learner.status_code == 200 and as_learner.json() == []
    as_staff = lms.get(from_api + "enrollment", params={"user": learner["other"]}, headers=staff["headers"])
    assert [e["user"] for e in as_staff.json()] == [learner["other"]]
    own = lms.get(from_api + "enrollment", headers=learner["headers"])
    assert own.status_code == 200 and own.json() == []


def test_course_details_need_no_authentication(lms, courses):
    # A distinct X-Forwarded-For keeps these anonymous calls out of other tests' rate bucket.
    headers = {"X-Forwarded-For": "198.51.100." + str(uuid.uuid4().int % 250)}
    demo = lms.get(from_api + "course/course-v1:edX+DemoX+Demo_Course", headers=headers)
    assert demo.status_code == 200 and demo.json() == DEMO_DETAILS
    full = lms.get(from_api + "course/" + courses["full"], headers=headers).json()
    assert full["pacing_type"] == "Self Paced"
    expiring = lms.get(from_api + "course/" + courses["expiring"], headers=headers).json()
    assert [m["slug"] for m in expiring["course_modes"]] == ["audit"]
    everything = lms.get(
        from_api + "course/" + courses["expiring"], params={"include_expired": 1}, headers=headers
    ).json()
    assert [m["slug"] for m in everything["course_modes"]] == ["audit", "verified"]
    assert everything["course_modes"][1]["expiration_datetime"] == "2020-01-01T00:00:00Z"
    missing = lms.get(from_api + "course/course-v1:edX+Nope+Run", headers=headers)
    assert missing.status_code == 400
    assert missing.json() == {"message": "No course found for course ID 'course-v1:edX+Nope+Run'"}


# ------------------------------------------------------------------ session authentication
def admin_session(lms, username, password):
    session = requests.Session()
    login = lms.url + "/admin/login/"
    page = session.get(login, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = session.post(
        login,
        data={"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"},
        headers={"Referer": login},
        timeout=10,
    )
    assert done.status_code == 200 and "Log out" in done.text, done.text[:500]
    return session


def test_session_authentication_and_csrf(lms, staff):
    session = admin_session(lms, staff["caller"], staff["caller_password"])
    listing = session.get(lms.url + from_api + "enrollment", timeout=10)
    assert listing.status_code == 200
    body = {"course_details": {"course_id": "course-v1:edX+DemoX+Demo_Course"}}
    no_csrf = session.post(lms.url + from_api + "enrollment", json=body, timeout=10)
    assert no_csrf.status_code == 403
    assert no_csrf.json()["detail"].startswith("CSRF Failed:")
    with_csrf = session.post(
        lms.url + from_api + "enrollment",
        json=body,
        timeout=10,
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": lms.url + "/"},
    )
    assert with_csrf.status_code == 200 and with_csrf.json()["user"] == staff["caller"]
