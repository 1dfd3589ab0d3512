"""Data layer of the enrollment API (openedx/core/djangoapps/enrollments/data.py)."""

import logging

from common.djangoapps.student.models import (
    AlreadyEnrolledError,
    CourseEnrollment,
    CourseFullError,
    EnrollmentClosedError,
    NonExistentCourseError,
)
from django.contrib.auth.models import User
from opaque_keys.edx.keys import CourseKey

from openedx.core.djangoapps.content.course_overviews.models import CourseOverview
from openedx.core.djangoapps.enrollments.errors import (
    CourseEnrollmentClosedError,
    CourseEnrollmentExistsError,
    CourseEnrollmentFullError,
    InvalidEnrollmentAttribute,
    UserNotFoundError,
)
from openedx.core.djangoapps.enrollments.serializers import CourseEnrollmentSerializer, CourseSerializer
from openedx.core.lib.exceptions import CourseNotFoundError

log = logging.getLogger(__name__)


def get_course_enrollments(username, include_inactive=False):
    qset = CourseEnrollment.objects.filter(user__username=username).order_by("created")
    if not include_inactive:
        qset = qset.filter(is_active=True)
    enrollments = CourseEnrollmentSerializer(qset, many=True).data
    # Enrollments in courses that no longer exist are left out.
    return [enrollment for enrollment in enrollments if enrollment.get("course_details") is not None]


def get_course_enrollment(username, course_id):
    course_key = CourseKey.from_string(course_id)
    try:
        enrollment = CourseEnrollment.objects.get(user__username=username, course_id=course_key)
        return CourseEnrollmentSerializer(enrollment).data
    except CourseEnrollment.DoesNotExist:
        return None


def _get_user(username):
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        msg = f"Not user with username '{username}' found."
        log.warning(msg)
        raise UserNotFoundError(msg) from None


def create_course_enrollment(username, course_id, mode, is_active, enterprise_uuid=None, force_enrollment=False):
    course_key = CourseKey.from_string(course_id)
    user = _get_user(username)
    try:
        enrollment = CourseEnrollment.enroll(user, course_key, check_access=True, can_upgrade=force_enrollment)
        return _update_enrollment(enrollment, is_active=is_active, mode=mode)
    except NonExistentCourseError as err:
        raise CourseNotFoundError(str(err)) from None
    except EnrollmentClosedError as err:
        raise CourseEnrollmentClosedError(str(err)) from None
    except CourseFullError as err:
        raise CourseEnrollmentFullError(str(err)) from None
    except AlreadyEnrolledError as err:
        enrollment = get_course_enrollment(username, course_id)
        raise CourseEnrollmentExistsError(str(err), enrollment) from None


def update_course_enrollment(username, course_id, mode=None, is_active=None):
    course_key = CourseKey.from_string(course_id)
    user = _get_user(username)
    try:
        enrollment = CourseEnrollment.objects.get(user=user, course_id=course_key)
        return _update_enrollment(enrollment, is_active=is_active, mode=mode)
    except CourseEnrollment.DoesNotExist:
        return None


def add_or_update_enrollment_attr(username, course_id, attributes):
    """Validates the attributes (the stand-in does not store them)."""
    _invalid_attribute(attributes)


def _update_enrollment(enrollment, is_active=None, mode=None):
    enrollment.update_enrollment(is_active=is_active, mode=mode)
    enrollment.save()
    return CourseEnrollmentSerializer(enrollment).data


def _invalid_attribute(attributes):
    for attribute in attributes:
        for key in ("namespace", "name", "value"):
            if key not in attribute:
                msg = f"'{key}' not in enrollment attribute"
                log.warning(msg)
                raise InvalidEnrollmentAttribute(msg)
    return []


def get_course_enrollment_info(course_id, include_expired=False):
    course_key = CourseKey.from_string(course_id)
    try:
        course = CourseOverview.get_from_id(course_key)
    except CourseOverview.DoesNotExist:
        msg = f"Requested enrollment information for unknown course {course_id}"
        log.warning(msg)
        raise CourseNotFoundError(msg) from None
    return CourseSerializer(course, include_expired=include_expired).data
