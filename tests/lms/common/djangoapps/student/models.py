"""
The parts of common/djangoapps/student/models the toolkit meets: UserProfile and
CourseEnrollment (with its enroll/unenroll class methods and their errors).
"""

import hashlib
import logging
from datetime import datetime, timezone

from django.conf import settings
from django.contrib.auth.models import User  # noqa: F401  (re-exported, as upstream)
from django.db import models, transaction
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

from common.djangoapps.course_modes.models import CourseMode

log = logging.getLogger(__name__)


class UserProfile(models.Model):
    """Extra data about a user; `name` is the full name shown by the LMS."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, unique=True, db_index=True, related_name="profile", on_delete=models.CASCADE
    )
    name = models.CharField(blank=True, max_length=255, db_index=True)
    meta = models.TextField(blank=True)
    language = models.CharField(blank=True, max_length=255)
    location = models.CharField(blank=True, max_length=255)
    year_of_birth = models.IntegerField(blank=True, null=True)
    gender = models.CharField(blank=True, null=True, max_length=6)
    level_of_education = models.CharField(blank=True, null=True, max_length=6)
    mailing_address = models.TextField(blank=True, null=True)
    city = models.TextField(blank=True, null=True)
    country = models.CharField(blank=True, null=True, max_length=2)
    goals = models.TextField(blank=True, null=True)
    bio = models.CharField(blank=True, null=True, max_length=3000)

    class Meta:
        app_label = "student"
        db_table = "auth_userprofile"

    def __str__(self):
        return f"UserProfile({self.user.username})"


def anonymous_id_for_user(user, course_id):
    """A stable opaque id for the user (the JWT `sub` claim uses course_id=None)."""
    hasher = hashlib.md5(usedforsecurity=False)
    hasher.update(settings.SECRET_KEY.encode("utf8"))
    hasher.update(str(user.id).encode("utf8"))
    if course_id:
        hasher.update(str(course_id).encode("utf-8"))
    return hasher.hexdigest()


class CourseEnrollmentException(Exception):
    pass


class NonExistentCourseError(CourseEnrollmentException):
    pass


class EnrollmentClosedError(CourseEnrollmentException):
    pass


class CourseFullError(CourseEnrollmentException):
    pass


class AlreadyEnrolledError(CourseEnrollmentException):
    pass


class EnrollmentNotAllowed(CourseEnrollmentException):
    pass


class CourseEnrollment(models.Model):
    """A user's enrollment in a course run. `course_id` is a CourseKey."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # Like upstream: a foreign key to CourseOverview without a DB constraint, so
    # `course_id` holds the CourseKey (stored as its string) even if the overview goes.
    course = models.ForeignKey(CourseOverview, db_constraint=False, on_delete=models.DO_NOTHING)
    created = models.DateTimeField(auto_now_add=True, null=True, db_index=True)
    is_active = models.BooleanField(default=True)
    mode = models.CharField(default=CourseMode.DEFAULT_MODE_SLUG, max_length=100)

    class Meta:
        app_label = "student"
        unique_together = (("user", "course"),)
        ordering = ("user", "course")

    def __str__(self):
        return f"[CourseEnrollment] {self.user.username}: {self.course_id} ({self.created}); active: ({self.is_active})"

    @property
    def username(self):
        return self.user.username

    @property
    def course_overview(self):
        try:
            return CourseOverview.objects.get(id=self.course_id)
        except CourseOverview.DoesNotExist:
            return None

    # ------------------------------------------------------------ class API
    @classmethod
    def get_enrollment(cls, user, course_key):
        return cls.objects.filter(user=user, course_id=course_key).first()

    @classmethod
    def is_enrolled(cls, user, course_key):
        return cls.objects.filter(user=user, course_id=course_key, is_active=True).exists()

    @classmethod
    def get_or_create_enrollment(cls, user, course_key):
        enrollment, __ = cls.objects.get_or_create(user=user, course_id=course_key, defaults={"is_active": False})
        return enrollment

    @classmethod
    def is_enrollment_closed(cls, user, course):
        """Whether `user` may not enroll now (window closed, invitation only)."""
        if user.is_staff:
            return False
        if course.invitation_only:
            return True
        now = datetime.now(timezone.utc)
        if course.enrollment_start and now < course.enrollment_start:
            return True
        return bool(course.enrollment_end and now > course.enrollment_end)

    @classmethod
    def is_course_full(cls, course):
        limit = course.max_student_enrollments_allowed
        if not limit:
            return False
        return cls.objects.filter(course_id=course.id, is_active=True).count() >= limit

    @classmethod
    def enroll(cls, user, course_key, mode=None, check_access=False, can_upgrade=False, enterprise_uuid=None):
        """Enroll `user` (activate or create), as student.models.CourseEnrollment.enroll."""
        try:
            course = CourseOverview.get_from_id(course_key)
        except CourseOverview.DoesNotExist:
            course = None
            if check_access:
                log.warning("User %s failed to enroll in non-existent course %s", user.username, course_key)
                raise NonExistentCourseError from None
        if check_access and course is not None:
            if cls.is_enrollment_closed(user, course) and not can_upgrade:
                raise EnrollmentClosedError
            if cls.is_course_full(course):
                raise CourseFullError
        if cls.is_enrolled(user, course_key):
            raise AlreadyEnrolledError
        with transaction.atomic():
            enrollment = cls.get_or_create_enrollment(user, course_key)
            enrollment.update_enrollment(is_active=True, mode=mode or CourseMode.DEFAULT_MODE_SLUG)
        return enrollment

    @classmethod
    def unenroll(cls, user, course_id, skip_refund=False):
        enrollment = cls.get_enrollment(user, course_id)
        if enrollment is not None:
            enrollment.update_enrollment(is_active=False)
        return enrollment

    def update_enrollment(self, mode=None, is_active=None, skip_refund=False, enterprise_uuid=None):
        """Change mode and/or activation; None leaves a value as it is. Saves."""
        changed = False
        if mode is not None and mode != self.mode:
            self.mode = mode
            changed = True
        if is_active is not None and is_active != self.is_active:
            self.is_active = is_active
            changed = True
        if changed or self.pk is None:
            self.save()

    def activate(self):
        self.update_enrollment(is_active=True)

    def deactivate(self):
        self.update_enrollment(is_active=False)
