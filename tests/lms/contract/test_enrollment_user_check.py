"""Contract 4.3, the order edx_enrollment's user check relies on: the LMS looks the user up (406)
before it looks at the course, and a POST into a course run that does not exist writes nothing."""

CHECK = {
    "course_details": {"course_id": "course-v1:edx-provision+no-such-course+user-check"},
    "mode": "edx-provision-user-check",
}


def enrollment_rows(lms, username):
    return lms.orm(
        "import json\nfrom common.djangoapps.student.models import CourseEnrollment\n"
        f"print(json.dumps(CourseEnrollment.objects.filter(user__username={username!r}).count()))"
    )


def test_unknown_user_is_406_before_the_course_is_looked_at(lms):
    staff = lms.actors(staff=True)
    response = lms.post(
        "/api/enrollment/v1/enrollment", json={**CHECK, "user": "ghost-" + staff["uid"]}, headers=lms.bearer(staff)
    )
    assert response.status_code == 406
    assert response.json() == {"message": f"The user ghost-{staff['uid']} does not exist."}


def test_known_user_gets_400_for_the_missing_course_and_nothing_is_written(lms):
    staff = lms.actors(staff=True, learners=1)
    learner = staff["learners"][0]
    response = lms.post("/api/enrollment/v1/enrollment", json={**CHECK, "user": learner}, headers=lms.bearer(staff))
    assert response.status_code == 400
    assert response.json() == {
        "message": "No course 'course-v1:edx-provision+no-such-course+user-check' found for enrollment"
    }
    assert enrollment_rows(lms, learner) == 0


def test_api_key_caller_gets_the_same_answers(lms):
    actors = lms.actors(learners=1)
    key = {"X-Edx-Api-Key": "PUT_YOUR_API_KEY_HERE"}
    known = lms.post("/api/enrollment/v1/enrollment", json={**CHECK, "user": actors["learners"][0]}, headers=key)
    unknown = lms.post("/api/enrollment/v1/enrollment", json={**CHECK, "user": "ghost-" + actors["uid"]}, headers=key)
    assert (known.status_code, unknown.status_code) == (400, 406)
    assert enrollment_rows(lms, actors["learners"][0]) == 0
