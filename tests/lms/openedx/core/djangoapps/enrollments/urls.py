"""URLs of the enrollment API, under api/enrollment/v1/ (enrollments/urls.py)."""

from django.conf import settings
from django.urls import path, re_path

from openedx.core.djangoapps.enrollments.views import (
    CourseEnrollmentsApiListView,
    EnrollmentCourseDetailView,
    EnrollmentListView,
    EnrollmentUserRolesView,
    EnrollmentView,
)

urlpatterns = [
    re_path(
        rf"^enrollment/{settings.USERNAME_PATTERN},{settings.COURSE_ID_PATTERN}$",
        EnrollmentView.as_view(),
        name="courseenrollment",
    ),
    re_path(rf"^enrollment/{settings.COURSE_ID_PATTERN}$", EnrollmentView.as_view(), name="courseenrollment"),
    path("enrollment", EnrollmentListView.as_view(), name="courseenrollments"),
    re_path(
        rf"^course/{settings.COURSE_ID_PATTERN}$", EnrollmentCourseDetailView.as_view(), name="courseenrollmentdetails"
    ),
]
if settings.ENROLLMENT_STAFF_ENDPOINTS:  # later than Ginkgo (§4.1)
    urlpatterns += [
        re_path(r"^roles/?$", EnrollmentUserRolesView.as_view(), name="roles"),
        re_path(r"^enrollments/?$", CourseEnrollmentsApiListView.as_view(), name="courseenrollmentsapilist"),
    ]
