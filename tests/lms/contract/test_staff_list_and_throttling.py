"""Contract section 4.5 (staff list `enrollments`, cursor pagination) and 4.2 (throttling)."""

import uuid
from urllib.parse import parse_qs, urlparse

import pytest

LIST = "/api/enrollment/v1/enrollments"
DEMO = "course-v1:edX+DemoX+Demo_Course"


@pytest.fixture(scope="module")
def crowd(lms):
    """205 learners enrolled in a course of their own, plus a staff caller."""
    uid = uuid.uuid4().hex[:6]
    course = f"course-v1:Crowd+C{uid}+R"
    assert lms.manage("seed_courses", course).returncode == 0
    names = [f"crowd{i:03d}-{uid}" for i in range(205)]
    lms.setup(
        users=[{"username": name, "password": None, "profile": False} for name in names],
        enrollments=[
            {"user": name, "course": course, "mode": "audit" if i % 2 else "verified"} for i, name in enumerate(names)
        ]
        + [{"user": names[0], "course": DEMO}],
    )
    staff = lms.actors(staff=True)
    return {"course": course, "names": names, "headers": lms.bearer(staff)}


def test_pages_of_100_with_cursor_links(lms, crowd):
    seen = []
    url, params = lms.url + LIST, {"course_id": crowd["course"]}
    pages = []
    while url:
        response = lms.http.get(url, params=params, headers=crowd["headers"], timeout=10)
        params = None  # `next` carries them
        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["next", "previous", "results"]
        pages.append(body)
        seen += [row["user"] for row in body["results"]]
        url = body["next"]
    assert [len(page["results"]) for page in pages] == [100, 100, 5]
    assert pages[0]["previous"] is None and pages[1]["previous"] and pages[2]["next"] is None
    assert "cursor" in parse_qs(urlparse(pages[0]["next"]).query)
    assert sorted(seen) == sorted(crowd["names"])
    row = pages[0]["results"][0]
    assert list(row) == ["created", "mode", "is_active", "user", "course_id"]
    assert row["course_id"] == crowd["course"] and row["is_active"] is True
    # newest first
    assert pages[0]["results"][0]["created"] >= pages[2]["results"][-1]["created"]


def test_filters(lms, crowd):
    first, second = crowd["names"][:2]
    by_user = lms.get(LIST, params={"username": f"{first},{second}"}, headers=crowd["headers"]).json()
    assert sorted((r["user"], r["course_id"]) for r in by_user["results"]) == sorted(
        [(first, crowd["course"]), (first, DEMO), (second, crowd["course"])]
    )
    both = lms.get(LIST, params={"username": first, "course_id": DEMO}, headers=crowd["headers"]).json()
    assert [(r["user"], r["course_id"]) for r in both["results"]] == [(first, DEMO)]
    by_email = lms.get(LIST, params={"email": f"{second}@example.com"}, headers=crowd["headers"]).json()
    assert [r["user"] for r in by_email["results"]] == [second]
    partial = crowd["course"].split("+")[1]
    by_ids = lms.get(LIST, params={"course_ids": partial}, headers=crowd["headers"]).json()
    assert len(by_ids["results"]) == 100 and by_ids["next"]


def test_bad_filters_are_400(lms, crowd):
    bad_course = lms.get(LIST, params={"course_id": "not-a-course"}, headers=crowd["headers"])
    assert bad_course.status_code == 400
    assert bad_course.json() == {
        "field_errors": {"course_id": {"developer_message": "'not-a-course' is not a valid course id."}}
    }
    bad_user = lms.get(LIST, params={"username": "a b"}, headers=crowd["headers"])
    assert bad_user.status_code == 400 and "username" in bad_user.json()["field_errors"]


def test_non_staff_403_anonymous_401_api_key_not_enough(lms):
    actors = lms.actors()
    forbidden = lms.get(LIST, headers=lms.bearer(actors))
    assert forbidden.status_code == 403
    assert forbidden.json() == {"developer_message": "You do not have permission to perform this action."}
    anonymous = lms.get(LIST)
    assert anonymous.status_code == 401
    assert anonymous.json() == {"developer_message": "Authentication credentials were not provided."}
    assert lms.get(LIST, headers={"X-Edx-Api-Key": "PUT_YOUR_API_KEY_HERE"}).status_code == 401


# ------------------------------------------------------------------ throttling
@pytest.fixture(scope="module")
def throttled(standin_factory, client_for):
    """An instance with low rates and its own API key (LMS_THROTTLE_*_RATE, LMS_EDX_API_KEY)."""
    lms = standin_factory(
        name="lms-throttled",
        env={
            "LMS_THROTTLE_USER_RATE": "5/minute",
            "LMS_THROTTLE_STAFF_RATE": "8/minute",
            "LMS_EDX_API_KEY": "a-private-key",
        },
    )
    return client_for(lms)


def test_users_get_429_past_their_rate(throttled):
    actors = throttled.actors()
    headers = throttled.bearer(actors)
    codes = [throttled.get("/api/enrollment/v1/enrollment", headers=headers).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2
    response = throttled.enroll(headers)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled.")
    assert int(response.headers["Retry-After"]) > 0


def test_staff_have_a_higher_rate(throttled):
    staff = throttled.actors(staff=True)
    headers = throttled.bearer(staff)
    codes = [throttled.get("/api/enrollment/v1/enrollment", headers=headers).status_code for _ in range(10)]
    assert codes == [200] * 8 + [429] * 2


def test_api_key_requests_are_never_throttled(throttled):
    staff = throttled.actors(staff=True, learners=1)
    path = f"/api/enrollment/v1/enrollment/{staff['learners'][0]},{DEMO}"
    codes = [throttled.get(path, headers={"X-Edx-Api-Key": "a-private-key"}).status_code for _ in range(12)]
    assert codes == [200] * 12
    # the default well-known key is not this instance's key
    assert throttled.get(path, headers={"X-Edx-Api-Key": "PUT_YOUR_API_KEY_HERE"}).status_code == 401


def test_api_key_can_be_disabled(standin_factory, client_for):
    lms = client_for(standin_factory(name="lms-nokey", env={"LMS_EDX_API_KEY": ""}))
    actors = lms.actors(learners=1)
    path = f"/api/enrollment/v1/enrollment/{actors['learners'][0]},{DEMO}"
    assert lms.get(path, headers={"X-Edx-Api-Key": "PUT_YOUR_API_KEY_HERE"}).status_code == 401
    assert lms.get(path, headers={"X-Edx-Api-Key": ""}).status_code == 401
