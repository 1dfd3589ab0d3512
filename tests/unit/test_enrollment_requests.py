"""http/enrollments.py and http/throttle.py: which requests a call makes, pacing and 429 waits.

A scripted session answers like the LMS; a fake clock stands in for time, so nothing really waits.
"""

import json
import math
from urllib.parse import parse_qs, urlsplit

import pytest
from ansible.module_utils.edx_provision.http.enrollments import (
    STAFF_RATE,
    USER_CHECK_COURSE,
    EnrollmentApi,
    EnrollmentError,
    _name_chunks,
    ensure_enrollments,
)
from ansible.module_utils.edx_provision.http.throttle import EARLIER_CALLS, Pacer, retry_delay

LMS = "https://lms.example.com"
DEMO = "course-v1:edX+DemoX+Demo_Course"
MODES = {"course_id": DEMO, "course_modes": [{"slug": "audit"}, {"slug": "verified"}]}


class Clock:
    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class Response:
    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        self.text = "" if body is None else json.dumps(body)
        self.headers = headers or {}


class FakeLms:
    """Enrollments in a dict, answering the calls http/enrollments.py makes, optionally throttling."""

    def __init__(self, clock, enrollments=None, users=("alice", "bob", "carol"), staff_list=True, throttle=()):
        self.clock = clock
        self.rows = dict(enrollments or {})
        self.users = set(users)
        self.staff_list = staff_list
        self.throttle = list(throttle)  # Retry-After values to answer with, one 429 each, first
        self.calls = []

    def request(self, method, url, headers=None, timeout=None, params=None, json=None):
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query.update(params or {})
        self.calls.append((method, parts.path, query, json, dict(headers or {})))
        self.clock.now += 0.01
        if self.throttle:
            return Response(429, {"detail": "Request was throttled."}, {"Retry-After": str(self.throttle.pop(0))})
        path = parts.path
        if path == "/api/enrollment/v1/enrollments":
            if "Authorization" not in (headers or {}):
                return Response(401, {"developer_message": "Authentication credentials were not provided."})
            if not self.staff_list:
                return Response(404)
            names = query["username"].split(",")
            rows = [
                dict(user=u, course_id=c, **state)
                for (u, c), state in sorted(self.rows.items())
                if u in names and c == query["course_id"]
            ]
            return Response(200, {"next": None, "previous": None, "results": rows})
        if path.startswith("/api/enrollment/v1/enrollment/"):
            user, course = path.rsplit("/", 1)[1].split(",", 1)
            state = self.rows.get((user, course))
            return Response(200, dict(user=user, **state) if state else None)
        if path.startswith("/api/enrollment/v1/course/"):
            return Response(200, MODES) if path.endswith(DEMO) else Response(400, {"message": "No course found"})
        if method == "POST":
            if json["user"] not in self.users:
                return Response(406, {"message": "The user %s does not exist." % json["user"]})
            course = json["course_details"]["course_id"]
            if course != DEMO:
                return Response(400, {"message": "No course '%s' found for enrollment" % course})
            old = self.rows.get((json["user"], course), {"mode": "audit", "is_active": True})
            new = {"mode": json.get("mode", old["mode"]), "is_active": json.get("is_active", True)}
            self.rows[(json["user"], course)] = new
            return Response(200, dict(user=json["user"], **new))
        raise AssertionError(url)


def api_for(lms, clock, **kwargs):
    return EnrollmentApi(lms, LMS, token="opaque-token", clock=clock, sleep=clock.sleep, **kwargs)


def wanted(*names, **extra):
    return [dict(username=name, course_id=DEMO, **extra) for name in names]


def posts(lms):
    return [call for call in lms.calls if call[0] == "POST"]


def test_one_staff_list_read_then_only_the_differences_are_posted():
    clock = Clock()
    lms = FakeLms(clock, {("alice", DEMO): {"mode": "audit", "is_active": True}})
    result = ensure_enrollments(api_for(lms, clock), wanted("alice", "bob"))
    assert [e["action"] for e in result["enrollments"]] == ["none", "create"]
    # the course run first (no credentials), then the staff list
    assert lms.calls[0][1] == "/api/enrollment/v1/course/" + DEMO and "Authorization" not in lms.calls[0][4]
    method, path, query, _, headers = lms.calls[1]
    assert (method, path, query) == (
        "GET",
        "/api/enrollment/v1/enrollments",
        {"course_id": DEMO, "username": "alice,bob"},
    )
    assert headers["Authorization"] == "Bearer opaque-token"
    # the check that bob exists, then bob's enrollment
    enroll = "/api/enrollment/v1/enrollment"
    assert [c[1] for c in lms.calls[2:]] == [enroll, enroll]
    assert posts(lms)[0][3]["course_details"]["course_id"] == USER_CHECK_COURSE
    assert result["http"] == dict(
        requests=4,
        reads=1,
        course_reads=1,
        user_checks=1,
        writes=1,
        throttled=0,
        waited_seconds=0.0,
        read_strategy="staff_list",
    )


def test_rerun_is_the_course_run_and_one_read_and_no_post():
    clock = Clock()
    lms = FakeLms(clock, {(n, DEMO): {"mode": "audit", "is_active": True} for n in ("alice", "bob")})
    result = ensure_enrollments(api_for(lms, clock), wanted("alice", "bob"))
    assert result["changed"] is False and [c[0] for c in lms.calls] == ["GET", "GET"]


def test_an_unknown_course_run_fails_before_any_enrollment_is_read():
    clock = Clock()
    lms = FakeLms(clock)
    entries = wanted("alice") + [dict(username="alice", course_id="course-v1:No+Such+Run%d" % i) for i in range(999)]
    with pytest.raises(EnrollmentError) as raised:
        ensure_enrollments(api_for(lms, clock), entries)
    assert raised.value.cause == "unknown_course"
    assert "course-v1:No+Such+Run0" in raised.value.msg and "enrollments[1]" in raised.value.msg
    assert [c[1].split("/")[4] for c in lms.calls] == ["course", "course"] and clock.slept == []


def test_check_mode_never_posts_and_warns_about_unchecked_users():
    clock = Clock()
    lms = FakeLms(clock)
    result = ensure_enrollments(api_for(lms, clock), wanted("alice", "ghost"), check_mode=True, diff=True)
    assert result["changed"] is True and posts(lms) == []
    assert [d["before_header"] for d in result["diff"]] == [
        "enrollment alice,%s (absent)" % DEMO,
        "enrollment ghost,%s (absent)" % DEMO,
    ]
    assert "alice, ghost" in result["warnings"][0]


def test_unknown_user_stops_the_call_before_any_write():
    clock = Clock()
    lms = FakeLms(clock)
    with pytest.raises(EnrollmentError) as caught:
        ensure_enrollments(api_for(lms, clock), wanted("alice", "ghost"))
    assert caught.value.cause == "unknown_user" and "enrollments[1].username" in caught.value.msg
    assert all(call[3]["course_details"]["course_id"] == USER_CHECK_COURSE for call in posts(lms))
    assert lms.rows == {}


def test_unknown_course_stops_the_call_before_any_write():
    clock = Clock()
    lms = FakeLms(clock)
    entries = wanted("alice") + [dict(username="bob", course_id="course-v1:No+Such+Run")]
    with pytest.raises(EnrollmentError) as caught:
        ensure_enrollments(api_for(lms, clock), entries)
    assert caught.value.cause == "unknown_course" and "enrollments[1]" in caught.value.msg
    assert posts(lms) == []


def test_without_a_staff_list_each_enrollment_is_read():
    clock = Clock()
    lms = FakeLms(clock, {("alice", DEMO): {"mode": "audit", "is_active": False}}, staff_list=False)
    result = ensure_enrollments(api_for(lms, clock), wanted("alice", "bob"))
    # the staff list's 404, then one read per enrollment
    assert result["http"]["read_strategy"] == "per_enrollment" and result["http"]["reads"] == 3
    assert [e["action"] for e in result["enrollments"]] == ["update", "create"]
    assert lms.rows[("alice", DEMO)] == {"mode": "audit", "is_active": True}


def test_a_200_that_changes_nothing_is_a_failure():
    """A caller that is not staff gets 200 with the unchanged enrollment for a mode change."""
    clock = Clock()
    lms = FakeLms(clock, {("alice", DEMO): {"mode": "audit", "is_active": True}})
    lms.request_original = lms.request

    def stubborn(method, url, **kwargs):
        response = lms.request_original(method, url, **kwargs)
        if method == "POST":
            lms.rows[("alice", DEMO)] = {"mode": "audit", "is_active": True}
            return Response(200, {"user": "alice", "mode": "audit", "is_active": True})
        return response

    lms.request = stubborn
    with pytest.raises(EnrollmentError) as caught:
        ensure_enrollments(api_for(lms, clock), wanted("alice", mode="verified"))
    assert caught.value.cause == "not_applied" and "global staff" in caught.value.msg
    assert caught.value.details["applied"] == [] and caught.value.details["pending"][0]["username"] == "alice"


def test_429_is_waited_out_as_retry_after_says():
    clock = Clock()
    lms = FakeLms(clock, throttle=[7, 3])
    result = ensure_enrollments(api_for(lms, clock), wanted("alice"))
    assert clock.slept[:2] == [7.0, 3.0]
    assert result["http"]["throttled"] == 2 and result["http"]["waited_seconds"] == 10.0


def test_429_past_throttle_timeout_fails_with_the_cause():
    clock = Clock()
    lms = FakeLms(clock, throttle=[30, 30, 30])
    with pytest.raises(EnrollmentError) as caught:
        ensure_enrollments(api_for(lms, clock, throttle_timeout=45), wanted("alice"))
    assert caught.value.cause == "rate_limited" and "throttle_timeout" in caught.value.msg
    assert clock.slept == [30.0]


def test_a_retry_after_past_throttle_timeout_says_what_the_lms_asked_without_waiting():
    clock = Clock()
    lms = FakeLms(clock, throttle=[3600])
    with pytest.raises(EnrollmentError) as caught:
        ensure_enrollments(api_for(lms, clock, throttle_timeout=180), wanted("alice"))
    assert "asked to wait 3600 s (Retry-After), past throttle_timeout (180s)" in caught.value.msg
    assert clock.slept == []


def test_staff_caller_is_paced_at_the_staff_rate():
    clock = Clock()
    lms = FakeLms(clock, users=["u%03d" % i for i in range(150)])
    api = api_for(lms, clock)
    result = ensure_enrollments(api, wanted(*["u%03d" % i for i in range(150)]), check_users=False)
    assert api.pacer.per_minute == STAFF_RATE
    assert result["http"]["throttled"] == 0
    # 2 staff-list reads + 150 writes are paced; the window never holds more than 120 of them
    stamps = [c for c in lms.calls if "Authorization" in c[4]]
    assert len(stamps) == 152 and sum(clock.slept) > 0


def test_api_key_is_sent_and_not_paced():
    clock = Clock()
    lms = FakeLms(clock)
    api = EnrollmentApi(lms, LMS, api_key="k", clock=clock, sleep=clock.sleep)
    result = ensure_enrollments(api, wanted("alice"))
    assert all(c[4].get("X-Edx-Api-Key") == "k" and "Authorization" not in c[4] for c in lms.calls if c[4])
    # the staff list takes no API key: each enrollment is read on its own
    assert result["http"]["read_strategy"] == "per_enrollment" and result["http"]["reads"] == 1
    assert api.pacer.per_minute is None


def test_username_chunks_stay_within_the_staff_lists_limits():
    chunks = list(_name_chunks(["u%03d" % i for i in range(250)]))
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert [len(c) for c in _name_chunks(["bench-learner-%03d" % i for i in range(100)])] == [100]
    long_names = list(_name_chunks(["x@" * 70 + str(i) for i in range(60)]))
    assert len(long_names) > 1
    assert all(len(",".join(chunk).replace("@", "%40").replace(",", "%2C")) < 3200 for chunk in long_names)


def test_pacer_keeps_a_sliding_minute_counting_the_roles_calls_before_it():
    clock = Clock()
    pacer = Pacer(EARLIER_CALLS + 3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        assert pacer.wait() == 0
        pacer.record()
        clock.now += 1
    # the role's earlier calls count from the pacer's start, so the window is full until they age out
    assert pacer.delay() == pytest.approx(57.05)
    pacer.wait()
    pacer.record()
    assert pacer.delay() == 0
    assert Pacer(0, clock=clock, sleep=clock.sleep).delay() == 0


class SlidingLms(FakeLms):
    """FakeLms behind the LMS's throttle: `rate` authenticated requests in any 60 s, `earlier` of them
    made before the call (seconds before it), Retry-After as Django REST framework computes it."""

    def __init__(self, clock, rate, earlier, **kwargs):
        super().__init__(clock, **kwargs)
        self.rate, self.history = rate, [clock.now - ago for ago in earlier]

    def request(self, method, url, headers=None, **kwargs):
        if "Authorization" in (headers or {}):
            now = self.clock.now
            self.history = [t for t in self.history if t > now - 60]
            if len(self.history) >= self.rate:
                self.calls.append((method, urlsplit(url).path, {}, None, dict(headers)))
                self.clock.now += 0.01
                wait = math.ceil(60 - (now - self.history[0]))
                return Response(429, {"detail": "Request was throttled."}, {"Retry-After": str(wait)})
            self.history.append(now)
        return super().request(method, url, headers=headers, **kwargs)


LEARNERS = ["l%d" % i for i in range(4)]


def test_a_run_right_after_the_roles_api_check_meets_no_429():
    """The role's token proof, list and roles/ reads a second before: 3 + 9 requests at a rate of 10."""
    clock = Clock()
    lms = SlidingLms(clock, rate=10, earlier=[1, 1, 1], users=LEARNERS)
    result = ensure_enrollments(api_for(lms, clock, per_minute=10), wanted(*LEARNERS))
    assert result["http"]["throttled"] == 0 and result["http"]["writes"] == 4
    assert sum(clock.slept) == pytest.approx(60.05, abs=0.5)  # the last requests wait for the minute to slide


def test_after_an_earlier_run_in_the_same_minute_one_429_is_met_then_none():
    """An earlier run left the window full (10 requests over the last 50 s): the first request meets a
    429; the pacer then counts the window as full and meets no second one."""
    clock = Clock()
    lms = SlidingLms(clock, rate=10, earlier=range(50, 0, -5), users=LEARNERS)
    result = ensure_enrollments(api_for(lms, clock, per_minute=10), wanted(*LEARNERS))
    assert result["http"]["throttled"] == 1 and result["http"]["writes"] == 4


def test_retry_after_seconds_date_or_fallback():
    assert retry_delay({"Retry-After": "12"}, 1.0) == 12.0
    assert retry_delay({}, 1.5) == 1.5
    assert retry_delay({"Retry-After": "Fri, 27 Nov 2026 10:00:30 GMT"}, 1.0, now=1795773600.0) == 30.0
    assert retry_delay({"Retry-After": "soon"}, 2.0) == 2.0
    # What no client can wait: infinity, not-a-number, beyond a day (a proxy's or attacker's header).
    for value in ("inf", "-inf", "nan", "1e309"):
        assert retry_delay({"Retry-After": value}, 2.0) == 2.0
    assert retry_delay({"Retry-After": "1e12"}, 2.0) == 86400.0


class RefusingLms(FakeLms):
    """A token's POST for someone else is a 404, empty (Ginkgo: only the API key may act for others);
    `list_status` answers the staff list (403: the caller is not staff; 404: an LMS without one)."""

    def __init__(self, clock, list_status=None):
        super().__init__(clock)
        self.list_status = list_status

    def request(self, method, url, headers=None, timeout=None, params=None, json=None):
        path = urlsplit(url).path
        refused = (method == "POST" and "X-Edx-Api-Key" not in (headers or {})) or (
            self.list_status and path.endswith("/enrollments")
        )
        if refused:
            self.calls.append((method, path, {}, json, dict(headers or {})))
            return Response(self.list_status if method == "GET" else 404)
        return super().request(method, url, headers=headers, timeout=timeout, params=params, json=json)


@pytest.mark.parametrize(
    ("list_status", "told"),
    [
        (None, "although the token's user is global staff: an LMS before 2020"),
        (404, "no staff enrollment list, so it predates 2019: an LMS before 2020"),
        (403, "the token's user may only enroll itself"),  # not staff on today's LMS
    ],
)
def test_a_refused_enrollment_says_what_the_lms_needs(list_status, told):
    clock = Clock()
    lms = RefusingLms(clock, list_status)
    with pytest.raises(EnrollmentError) as refused:
        ensure_enrollments(api_for(lms, clock), wanted("alice"), check_users=False)
    assert refused.value.cause == "not_allowed" and told in refused.value.msg, refused.value.msg
    assert "api_key" in refused.value.msg and lms.rows == {}
