"""Enrollment API functions (openedx/core/djangoapps/enrollments/api.py)."""

import logging

from common.djangoapps.course_modes.models import CourseMode
from opaque_keys.edx.keys import CourseKey

from openedx.core.djangoapps.enrollments import data as _data
from openedx.core.djangoapps.enrollments import errors

log = logging.getLogger(__name__)


def get_enrollments(username, include_inactive=False):
    return _data.get_course_enrollments(username, include_inactive)


def get_enrollment(username, course_id):
    return _data.get_course_enrollment(username, course_id)


def add_enrollment(
    username,
    course_id,
    mode=None,
    is_active=True,
    enrollment_attributes=None,
    enterprise_uuid=None,
    force_enrollment=False,
    include_expired=False,
):
    if mode is None:
        mode = _default_course_mode(course_id)
    validate_course_mode(course_id, mode, is_active=is_active, include_expired=include_expired)
    enrollment = _data.create_course_enrollment(
        username, course_id, mode, is_active, enterprise_uuid, force_enrollment=force_enrollment
    )
    if enrollment_attributes is not None:
        _data.add_or_update_enrollment_attr(username, course_id, enrollment_attributes)
    return enrollment


def update_enrollment(
    username, course_id, mode=None, is_active=None, enrollment_attributes=None, include_expired=False
):
    if mode is not None:
        validate_course_mode(course_id, mode, is_active=is_active, include_expired=include_expired)
    enrollment = _data.update_course_enrollment(username, course_id, mode=mode, is_active=is_active)
    if enrollment is None:
        msg = f"Course Enrollment not found for user {username} in course {course_id}"
        log.warning(msg)
        raise errors.EnrollmentNotFoundError(msg)
    if enrollment_attributes is not None:
        _data.add_or_update_enrollment_attr(username, course_id, enrollment_attributes)
    return enrollment


def get_course_enrollment_details(course_id, include_expired=False):
    # Upstream caches this for 60 s; the stand-in always reads the database.
    return _data.get_course_enrollment_info(course_id, include_expired)


def _default_course_mode(course_id):
    course_modes = CourseMode.modes_for_course(CourseKey.from_string(course_id))
    available_modes = [m.slug for m in course_modes]
    if CourseMode.DEFAULT_MODE_SLUG in available_modes:
        return CourseMode.DEFAULT_MODE_SLUG
    if "audit" in available_modes:
        return "audit"
    if "honor" in available_modes:
        return "honor"
    return CourseMode.DEFAULT_MODE_SLUG


def validate_course_mode(course_id, mode, is_active=None, include_expired=False):
    # Deactivating may target an expired mode.
    if not include_expired:
        include_expired = not is_active if is_active is not None else False
    course_enrollment_info = _data.get_course_enrollment_info(course_id, include_expired=include_expired)
    available_modes = [m["slug"] for m in course_enrollment_info["course_modes"]]
    if mode not in available_modes:
        msg = (
            f"Specified course mode '{mode}' unavailable for course {course_id}.  "
            f"Available modes were: {', '.join(available_modes)}"
        )
        log.warning(msg)
        raise errors.CourseModeNotFoundError(msg, course_enrollment_info)
