# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure decisions of edx_enrollment: input validation and what to post for each enrollment.

No HTTP here. An enrollment's state is {"mode": str, "is_active": bool}, or None when the LMS has no
enrollment row for that user and course. `state: absent` means inactive (the enrollment API can only
deactivate, never delete), so an inactive or missing enrollment already satisfies it.
"""

import re

# Django's username validator (and the LMS staff list's own check): letters, digits and @.+-_
USERNAME_RE = re.compile(r"^[\w.@+-]+$")
# opaque-keys course run ids: course-v1:ORG+COURSE+RUN, or the old slash form ORG/COURSE/RUN.
_KEY_PART = r"[\w\-~.:%]+"
COURSE_ID_RE = re.compile(r"^(course-v1:%s\+%s\+%s|%s/%s/%s)$" % ((_KEY_PART,) * 6))
MODE_RE = re.compile(r"^[\w-]+$")
STATES = ("present", "absent")


def where(index, option):
    return "enrollments[%d].%s" % (index, option)


def _edge_hint(value):
    """Why a value that looks right is refused: it is never trimmed, so the LMS sees what was given."""
    if isinstance(value, str) and value[-1:].splitlines() == [""]:
        return ". It ends with a line break: remove it"  # \n, \r, \u2028 and the other line separators
    if isinstance(value, str) and value != value.strip():
        return ". It has spaces around it: remove them"
    return ""


def validate(entries):
    """The entries as clean dicts (username, course_id, mode, state, index), and a list of errors.

    Every entry is checked before anything is read or written, so one bad entry stops the call. Values
    are matched whole and never trimmed (`$` would let a trailing newline through).
    """
    clean, errors, seen = [], [], {}
    for index, entry in enumerate(entries or []):
        if not isinstance(entry, dict):
            errors.append("enrollments[%d] must be a dict with username and course_id, not %r" % (index, entry))
            continue
        username = entry.get("username") or ""
        course_id = entry.get("course_id") or ""
        mode = entry.get("mode")
        state = entry.get("state") or "present"
        if not USERNAME_RE.fullmatch(username):
            errors.append(
                "%s %r is not an LMS username: use letters, digits and @.+-_ only, as the LMS does%s"
                % (where(index, "username"), username, _edge_hint(username))
            )
        if not COURSE_ID_RE.fullmatch(course_id):
            errors.append(
                "%s %r is not a course run id: write it as course-v1:ORG+COURSE+RUN (or ORG/COURSE/RUN "
                "on old course runs)%s" % (where(index, "course_id"), course_id, _edge_hint(course_id))
            )
        if mode is not None and not MODE_RE.fullmatch(mode):
            errors.append(
                "%s %r is not a course mode slug such as audit, honor or verified; leave it out for the "
                "course's default mode%s" % (where(index, "mode"), mode, _edge_hint(mode))
            )
        if state not in STATES:
            errors.append("%s %r must be present or absent" % (where(index, "state"), state))
        key = (username, course_id)
        if key in seen and username and course_id:
            errors.append(
                "enrollments[%d] and enrollments[%d] both name %s in %s: keep one entry per user and course"
                % (seen[key], index, username, course_id)
            )
        seen.setdefault(key, index)
        clean.append(dict(username=username, course_id=course_id, mode=mode or None, state=state, index=index))
    if not clean and not errors:
        errors.append("enrollments is empty: give at least one {username, course_id} entry")
    return clean, errors


def default_mode(available):
    """The mode the LMS picks when a POST names none: audit, else honor; None when it has neither."""
    for slug in ("audit", "honor"):
        if slug in available:
            return slug
    return None


def plan(entry, current):
    """What one enrollment needs: action, the changed properties, before/after and the body to post.

    `after` is what the enrollment will be; its mode is None when the LMS will choose the default
    (the caller fills it in from the course's modes, see fill_default_mode).
    """
    desired_mode = entry["mode"]
    before = dict(current) if current else None
    result = dict(
        username=entry["username"],
        course_id=entry["course_id"],
        state=entry["state"],
        key="%s,%s" % (entry["username"], entry["course_id"]),
        action="none",
        changes=[],
        before=before,
        after=before,
        body=None,
    )
    body = {"user": entry["username"], "course_details": {"course_id": entry["course_id"]}}
    if entry["state"] == "absent":
        if current and current["is_active"]:
            # No mode: the LMS refuses to deactivate when a posted mode differs from the current one.
            body["is_active"] = False
            result.update(
                action="deactivate", changes=["is_active"], body=body, after=dict(mode=current["mode"], is_active=False)
            )
        return result
    if current is None:
        body["is_active"] = True
        if desired_mode:
            body["mode"] = desired_mode
        result.update(
            action="create", changes=["mode", "is_active"], body=body, after=dict(mode=desired_mode, is_active=True)
        )
        return result
    changes = []
    if not current["is_active"]:
        changes.append("is_active")
    if desired_mode and desired_mode != current["mode"]:
        changes.insert(0, "mode")
    if changes:
        body["is_active"] = True
        if desired_mode:
            body["mode"] = desired_mode
        result.update(
            action="update",
            changes=changes,
            body=body,
            after=dict(mode=desired_mode or current["mode"], is_active=True),
        )
    return result


def needs_course_modes(item):
    """True when the course's modes decide whether the write can succeed or what it leads to."""
    return item["action"] in ("create", "update") and ("mode" in item["changes"] or item["action"] == "create")


def check_mode_against_course(item, entry, available):
    """An error message when the LMS would refuse this write for its mode, else None.

    Fills in the default mode of a create that names none. `available` lists the course's modes
    that are open for enrollment (the course details' course_modes).
    """
    mode = entry["mode"]
    if mode is None:
        chosen = default_mode(available)
        if chosen is None:
            facts = (where(entry["index"], "mode"), entry["course_id"], ", ".join(available) or "none")
            return (
                "%s: course %s has no audit or honor mode, so the LMS has no default mode for it (modes: %s). "
                "Set mode to one of them" % facts
            )
        item["after"]["mode"] = chosen
        return None
    if mode not in available:
        facts = (where(entry["index"], "mode"), mode, entry["course_id"], ", ".join(available) or "none")
        return (
            "%s: the [%s] course mode is expired or otherwise unavailable for course run [%s] (available: %s). "
            "Use one of those modes" % facts
        )
    return None


def outcome_mismatch(item, answered):
    """The properties where the LMS's answer to a POST differs from what was asked, as a list."""
    wanted = item["after"] or {}
    answered = answered or {}
    return [
        prop
        for prop in ("mode", "is_active")
        if wanted.get(prop) is not None and answered.get(prop) != wanted.get(prop)
    ]


def public(item):
    """An entry as the module returns it (the request body stays internal)."""
    return {key: value for key, value in item.items() if key != "body"}
