"""http/enrollment_plan.py: input checks and what each enrollment needs, without any HTTP."""

import pytest
from ansible.module_utils.edx_provision.http.enrollment_plan import (
    check_mode_against_course,
    default_mode,
    needs_course_modes,
    outcome_mismatch,
    plan,
    validate,
)

DEMO = "course-v1:edX+DemoX+Demo_Course"


def entry(username="alice", course_id=DEMO, mode=None, state="present"):
    clean, errors = validate([{"username": username, "course_id": course_id, "mode": mode, "state": state}])
    assert errors == []
    return clean[0]


def active(mode="audit"):
    return {"mode": mode, "is_active": True}


def inactive(mode="audit"):
    return {"mode": mode, "is_active": False}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("username", "a b", "enrollments[0].username"),
        ("username", "", "enrollments[0].username"),
        ("course_id", "DemoX", "course-v1:ORG+COURSE+RUN"),
        ("course_id", "course-v1:edX+DemoX", "enrollments[0].course_id"),
        ("mode", "ver ified", "enrollments[0].mode"),
        ("state", "gone", "present or absent"),
        ("course_id", DEMO + "\n", "enrollments[0].course_id 'course-v1:edX+DemoX+Demo_Course\\n' is not a course"),
        ("course_id", DEMO + "\n", "It ends with a line break: remove it"),
        ("course_id", DEMO + "\r", "It ends with a line break: remove it"),
        ("course_id", DEMO + "\u2028", "It ends with a line break: remove it"),
        ("course_id", " " + DEMO, "It has spaces around it"),
        ("username", "alice\n", "It ends with a line break"),
        ("mode", "audit\n", "enrollments[0].mode"),
    ],
)
def test_bad_fields_are_named(field, value, words):
    item = {"username": "alice", "course_id": DEMO, field: value}
    clean, errors = validate([item])
    assert len(errors) == 1 and words in errors[0]


def test_old_style_course_ids_and_every_error_at_once():
    clean, errors = validate(
        [{"username": "a", "course_id": "edX/DemoX/2014"}, {"username": "b c", "course_id": "nope"}]
    )
    assert clean[0]["course_id"] == "edX/DemoX/2014"
    assert len(errors) == 2 and "enrollments[1].username" in errors[0] and "enrollments[1].course_id" in errors[1]


def test_duplicates_and_empty_lists_are_refused():
    _, errors = validate([{"username": "a", "course_id": DEMO}, {"username": "a", "course_id": DEMO, "mode": "x"}])
    assert errors == ["enrollments[0] and enrollments[1] both name a in %s: keep one entry per user and course" % DEMO]
    assert validate([])[1] == ["enrollments is empty: give at least one {username, course_id} entry"]


def test_new_enrollment_is_created_in_the_mode_asked_or_the_default():
    item = plan(entry(mode="verified"), None)
    assert item["action"] == "create" and item["before"] is None
    assert item["after"] == {"mode": "verified", "is_active": True}
    assert item["body"] == {
        "user": "alice",
        "course_details": {"course_id": DEMO},
        "is_active": True,
        "mode": "verified",
    }
    default = plan(entry(), None)
    assert "mode" not in default["body"] and default["after"] == {"mode": None, "is_active": True}
    assert needs_course_modes(default) and needs_course_modes(item)


@pytest.mark.parametrize(
    ("mode", "current", "action", "changes"),
    [
        (None, active("verified"), "none", []),
        ("verified", active("verified"), "none", []),
        ("verified", active("audit"), "update", ["mode"]),
        (None, inactive("verified"), "update", ["is_active"]),
        ("audit", inactive("verified"), "update", ["mode", "is_active"]),
    ],
)
def test_existing_enrollments(mode, current, action, changes):
    item = plan(entry(mode=mode), current)
    assert (item["action"], item["changes"]) == (action, changes)
    if action == "none":
        assert item["body"] is None and item["after"] == current
    else:
        assert item["after"] == {"mode": mode or current["mode"], "is_active": True}
        assert item["body"]["is_active"] is True and item["body"].get("mode") == mode


def test_reactivation_in_the_same_mode_needs_no_course_read():
    assert not needs_course_modes(plan(entry(), inactive()))
    assert needs_course_modes(plan(entry(mode="verified"), inactive()))


@pytest.mark.parametrize("current", [None, inactive("verified")])
def test_absent_is_satisfied_by_missing_or_inactive(current):
    item = plan(entry(state="absent", mode="honor"), current)
    assert item["action"] == "none" and item["body"] is None


def test_absent_deactivates_without_naming_a_mode():
    """The LMS refuses to deactivate when a posted mode differs from the current one."""
    item = plan(entry(state="absent", mode="honor"), active("verified"))
    assert item["action"] == "deactivate" and item["changes"] == ["is_active"]
    assert item["body"] == {"user": "alice", "course_details": {"course_id": DEMO}, "is_active": False}
    assert item["after"] == inactive("verified")
    assert not needs_course_modes(item)


def test_default_mode_is_audit_then_honor():
    assert default_mode(["verified", "honor", "audit"]) == "audit"
    assert default_mode(["verified", "honor"]) == "honor"
    assert default_mode(["verified"]) is None


def test_course_modes_decide_before_any_write():
    wanted = entry()
    item = plan(wanted, None)
    assert check_mode_against_course(item, wanted, ["honor", "verified"]) is None
    assert item["after"]["mode"] == "honor"
    no_default = check_mode_against_course(plan(wanted, None), wanted, ["verified"])
    assert "enrollments[0].mode" in no_default and "no audit or honor mode" in no_default
    pro = entry(mode="professional")
    message = check_mode_against_course(plan(pro, None), pro, ["audit", "verified"])
    assert "[professional] course mode is expired or otherwise unavailable" in message
    assert "available: audit, verified" in message


def test_outcome_mismatch_compares_what_was_asked():
    item = plan(entry(mode="verified"), active())
    assert outcome_mismatch(item, active("verified")) == []
    assert outcome_mismatch(item, active("audit")) == ["mode"]
    off = plan(entry(state="absent"), active())
    assert outcome_mismatch(off, active()) == ["is_active"]
