"""
Enrollment API v1 views (openedx/core/djangoapps/enrollments/views.py, master):
authentication by JWT, Bearer (DOT lookup, inactive users allowed) and session;
X-Edx-Api-Key permission; EnrollmentUserThrottle; the same rules, statuses and bodies.
"""

import logging

from common.djangoapps.course_modes.models import CourseMode
from common.djangoapps.student.models import CourseEnrollment, EnrollmentNotAllowed, User
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Q
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from edx_rest_framework_extensions.auth.session.authentication import SessionAuthenticationAllowInactiveUser
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from rest_framework import permissions, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from openedx.core.djangoapps.enrollments import api
from openedx.core.djangoapps.enrollments.errors import (
    CourseEnrollmentError,
    CourseEnrollmentExistsError,
    CourseModeNotFoundError,
    InvalidEnrollmentAttribute,
)
from openedx.core.djangoapps.enrollments.forms import CourseEnrollmentsApiListForm
from openedx.core.djangoapps.enrollments.paginators import CourseEnrollmentsApiListPagination
from openedx.core.djangoapps.enrollments.serializers import CourseEnrollmentsApiListSerializer
from openedx.core.lib.api.authentication import BearerAuthenticationAllowInactiveUser
from openedx.core.lib.api.permissions import ApiKeyHeaderPermission, ApiKeyHeaderPermissionIsAuthenticated
from openedx.core.lib.api.view_utils import DeveloperErrorViewMixin
from openedx.core.lib.exceptions import CourseNotFoundError

log = logging.getLogger(__name__)
REQUIRED_ATTRIBUTES = {
    "credit": ["credit:provider_id"],
}


class CohortDoesNotExist(Exception):
    """course_groups.CourseUserGroup.DoesNotExist (the stand-in has no cohorts)."""


def is_global_staff(user):
    """common.djangoapps.student.roles.GlobalStaff: is_staff (superuser alone is not)."""
    return bool(user and user.is_authenticated and user.is_staff)


def may_act_as_server(user):
    """May global staff do what the API key does in POST enrollment (enroll others, any
    mode, update)? Today yes (PR #22884, 2020); a Ginkgo LMS
    (ENROLLMENT_GLOBAL_STAFF_PRIVILEGES off) leaves that to the API key alone."""
    return settings.ENROLLMENT_GLOBAL_STAFF_PRIVILEGES and is_global_staff(user)


class EnrollmentCrossDomainSessionAuth(SessionAuthenticationAllowInactiveUser):
    """Session auth allowing inactive users (upstream also accepts cross-domain CSRF)."""


class ApiKeyPermissionMixIn:
    def has_api_key_permissions(self, request):
        return ApiKeyHeaderPermission().has_permission(request, self)


class EnrollmentUserThrottle(UserRateThrottle, ApiKeyPermissionMixIn):
    """40/minute for users, 120/minute for staff; API-key requests are never throttled.

    The rates come from settings.ENROLLMENT_THROTTLE_RATES (LMS_THROTTLE_USER_RATE and
    LMS_THROTTLE_STAFF_RATE in the environment) so tests can reach them quickly.
    """

    @property
    def THROTTLE_RATES(self):
        return settings.ENROLLMENT_THROTTLE_RATES

    def allow_request(self, request, view):
        user = request.user
        if user.is_authenticated and (user.is_staff or user.is_superuser):
            self.scope = "staff"
            self.rate = self.get_rate()
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return self.has_api_key_permissions(request) or super().allow_request(request, view)


class EnrollmentView(APIView, ApiKeyPermissionMixIn):
    """GET enrollment/{username},{course_id} and enrollment/{course_id}."""

    authentication_classes = (
        JwtAuthentication,
        BearerAuthenticationAllowInactiveUser,
        SessionAuthenticationAllowInactiveUser,
    )
    permission_classes = (ApiKeyHeaderPermissionIsAuthenticated,)
    throttle_classes = (EnrollmentUserThrottle,)

    def get(self, request, course_id=None, username=None, **kwargs):
        username = username or request.user.username
        if (
            request.user.username != username
            and not self.has_api_key_permissions(request)
            and not request.user.is_staff
        ):
            # 404 rather than 403: do not let one user deduce another's enrollments.
            return Response(status=status.HTTP_404_NOT_FOUND)
        try:
            return Response(api.get_enrollment(username, course_id))
        except CourseEnrollmentError:
            return Response(
                status=status.HTTP_400_BAD_REQUEST,
                data={
                    "message": (
                        f"An error occurred while retrieving enrollments for user '{username}' in course '{course_id}'"
                    )
                },
            )


class EnrollmentCourseDetailView(APIView):
    """GET course/{course_id}[?include_expired=1]; no authentication."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = (EnrollmentUserThrottle,)

    def get(self, request, course_id=None, **kwargs):
        try:
            return Response(api.get_course_enrollment_details(course_id, bool(request.GET.get("include_expired", ""))))
        except CourseNotFoundError:
            return Response(
                status=status.HTTP_400_BAD_REQUEST,
                data={"message": f"No course found for course ID '{course_id}'"},
            )


class EnrollmentUserRolesView(APIView):
    """GET roles/: the caller's course roles and whether it is global staff (EnrollmentUserRolesView)."""

    authentication_classes = (
        JwtAuthentication,
        BearerAuthenticationAllowInactiveUser,
        EnrollmentCrossDomainSessionAuth,
    )
    permission_classes = (ApiKeyHeaderPermissionIsAuthenticated,)
    throttle_classes = (EnrollmentUserThrottle,)

    def get(self, request):
        # The stand-in has no course roles (CourseAccessRole), so the list is always empty.
        return Response({"roles": [], "is_staff": request.user.is_staff})


class EnrollmentListView(APIView, ApiKeyPermissionMixIn):
    """GET enrollment (list) and POST enrollment (enroll)."""

    authentication_classes = (
        JwtAuthentication,
        BearerAuthenticationAllowInactiveUser,
        EnrollmentCrossDomainSessionAuth,
    )
    permission_classes = (ApiKeyHeaderPermissionIsAuthenticated,)
    throttle_classes = (EnrollmentUserThrottle,)

    def get(self, request):
        username = request.GET.get("user", request.user.username)
        try:
            enrollment_data = api.get_enrollments(username)
        except CourseEnrollmentError:
            return Response(
                status=status.HTTP_400_BAD_REQUEST,
                data={"message": f"An error occurred while retrieving enrollments for user '{username}'"},
            )
        if username == request.user.username or is_global_staff(request.user) or self.has_api_key_permissions(request):
            return Response(enrollment_data)
        # Others' enrollments only in courses where the caller has a course staff role;
        # the stand-in has no course roles, so that list is empty.
        return Response([])

    def post(self, request):
        username = request.data.get("user")
        course_details = request.data.get("course_details") or {}
        course_id = course_details.get("course_id") if isinstance(course_details, dict) else None

        if not course_id:
            return Response(
                status=status.HTTP_400_BAD_REQUEST,
                data={"message": "Course ID must be specified to create a new enrollment."},
            )
        try:
            course_id = CourseKey.from_string(course_id)
        except InvalidKeyError:
            return Response(
                status=status.HTTP_400_BAD_REQUEST, data={"message": f"No course '{course_id}' found for enrollment"}
            )

        mode = request.data.get("mode")
        has_api_key_permissions = self.has_api_key_permissions(request)

        if (
            username
            and username != request.user.username
            and not has_api_key_permissions
            and not may_act_as_server(request.user)
        ):
            # 404 rather than 403: do not let one user deduce another's enrollments.
            return Response(status=status.HTTP_404_NOT_FOUND)

        if not username:
            email = request.data.get("email")
            if email:
                if not has_api_key_permissions and not may_act_as_server(request.user):
                    return Response(status=status.HTTP_404_NOT_FOUND)
                try:
                    username = User.objects.get(email=email).username
                except ObjectDoesNotExist:
                    return Response(
                        status=status.HTTP_406_NOT_ACCEPTABLE,
                        data={"message": f"The user with the email address {email} does not exist."},
                    )
            else:
                username = request.user.username

        if (
            mode not in (CourseMode.AUDIT, CourseMode.HONOR, None)
            and not has_api_key_permissions
            and not may_act_as_server(request.user)
        ):
            return Response(
                status=status.HTTP_403_FORBIDDEN,
                data={"message": f"User does not have permission to create enrollment with mode [{mode}]."},
            )

        try:
            user = User.objects.get(username=username)
        except ObjectDoesNotExist:
            return Response(
                status=status.HTTP_406_NOT_ACCEPTABLE, data={"message": f"The user {username} does not exist."}
            )

        cohort_name = None
        try:
            is_active = request.data.get("is_active")
            if is_active is not None and not isinstance(is_active, bool):
                return Response(
                    status=status.HTTP_400_BAD_REQUEST,
                    data={"message": f"'{is_active}' is an invalid enrollment activation status."},
                )
            enrollment_attributes = request.data.get("enrollment_attributes")
            force_enrollment = request.data.get("force_enrollment")
            if force_enrollment is not None and not isinstance(force_enrollment, bool):
                return Response(
                    status=status.HTTP_400_BAD_REQUEST,
                    data={"message": f"'{force_enrollment}' is an invalid force enrollment status."},
                )
            # Only global staff may enroll forcefully.
            force_enrollment = bool(force_enrollment and is_global_staff(request.user))
            enrollment = api.get_enrollment(username, str(course_id))
            mode_changed = enrollment and mode is not None and enrollment["mode"] != mode
            active_changed = enrollment and is_active is not None and enrollment["is_active"] != is_active
            missing_attrs = []
            if enrollment_attributes:
                actual_attrs = ["{namespace}:{name}".format(**attr) for attr in enrollment_attributes]
                missing_attrs = set(REQUIRED_ATTRIBUTES.get(mode, [])) - set(actual_attrs)
            if (may_act_as_server(request.user) or has_api_key_permissions) and (mode_changed or active_changed):
                if mode_changed and active_changed and not is_active:
                    # Deactivating with the wrong mode: the requester's data is stale.
                    msg = (
                        f"Enrollment mode mismatch: active mode={enrollment['mode']}, requested mode={mode}. "
                        "Won't deactivate."
                    )
                    log.warning(msg)
                    return Response(status=status.HTTP_400_BAD_REQUEST, data={"message": msg})
                if missing_attrs:
                    msg = (
                        f"Missing enrollment attributes: requested mode={mode} "
                        f"required attributes={REQUIRED_ATTRIBUTES.get(mode)}"
                    )
                    log.warning(msg)
                    return Response(status=status.HTTP_400_BAD_REQUEST, data={"message": msg})
                response = api.update_enrollment(
                    username,
                    str(course_id),
                    mode=mode,
                    is_active=is_active,
                    enrollment_attributes=enrollment_attributes,
                    include_expired=has_api_key_permissions,
                )
            else:
                # Creates, or reactivates an inactive enrollment.
                response = api.add_enrollment(
                    username,
                    str(course_id),
                    mode=mode,
                    is_active=is_active,
                    enrollment_attributes=enrollment_attributes,
                    enterprise_uuid=request.data.get("enterprise_uuid"),
                    force_enrollment=force_enrollment,
                    include_expired=force_enrollment,
                )

            cohort_name = request.data.get("cohort")
            if cohort_name is not None:
                # The stand-in has no cohorts: every name is unknown, as upstream reports it.
                raise CohortDoesNotExist(cohort_name)
            log.info("The user [%s] has already been enrolled in course run [%s].", username, course_id)
            return Response(response)

        except InvalidEnrollmentAttribute as error:
            return Response(
                status=status.HTTP_400_BAD_REQUEST,
                data={"message": str(error), "localizedMessage": str(error)},
            )
        except EnrollmentNotAllowed as error:
            return Response(
                status=status.HTTP_403_FORBIDDEN,
                data={"message": str(error), "localizedMessage": str(error)},
            )
        except CourseModeNotFoundError as error:
            return Response(
                status=status.HTTP_400_BAD_REQUEST,
                data={
                    "message": settings.ENROLLMENT_MODE_UNAVAILABLE_MESSAGE.format(mode=mode, course_id=course_id),
                    "course_details": error.data,
                },
            )
        except CourseNotFoundError:
            return Response(
                status=status.HTTP_400_BAD_REQUEST, data={"message": f"No course '{course_id}' found for enrollment"}
            )
        except CourseEnrollmentExistsError as error:
            log.warning("An enrollment already exists for user [%s] in course run [%s].", username, course_id)
            return Response(data=error.enrollment)
        except CourseEnrollmentError:
            log.exception(
                "An error occurred while creating the new course enrollment for user [%s] in course run [%s]",
                username,
                course_id,
            )
            return Response(
                status=status.HTTP_400_BAD_REQUEST,
                data={
                    "message": (
                        "An error occurred while creating the new course enrollment for user "
                        f"'{username}' in course '{course_id}'"
                    )
                },
            )
        except CohortDoesNotExist:
            log.exception("Missing cohort [%s] in course run [%s]", cohort_name, course_id)
            return Response(
                status=status.HTTP_400_BAD_REQUEST,
                data={"message": f"An error occured while adding to cohort [{cohort_name}]"},
            )
        finally:
            if has_api_key_permissions:
                log.info(
                    "enrollment_change_requested course_id=%s requested_mode=%s user_id=%s", course_id, mode, user.id
                )


class CourseEnrollmentsApiListView(DeveloperErrorViewMixin, ListAPIView):
    """GET enrollments/ (global staff): cursor-paginated list, filterable."""

    authentication_classes = (
        JwtAuthentication,
        BearerAuthenticationAllowInactiveUser,
        SessionAuthenticationAllowInactiveUser,
    )
    permission_classes = (permissions.IsAdminUser,)
    throttle_classes = (EnrollmentUserThrottle,)
    serializer_class = CourseEnrollmentsApiListSerializer
    pagination_class = CourseEnrollmentsApiListPagination

    def get_queryset(self):
        form = CourseEnrollmentsApiListForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)

        queryset = CourseEnrollment.objects.all().select_related("user")
        course_id = form.cleaned_data.get("course_id")
        course_ids = form.cleaned_data.get("course_ids")
        usernames = form.cleaned_data.get("username")
        emails = form.cleaned_data.get("email")

        if course_id:
            queryset = queryset.filter(course_id=course_id)
        if course_ids:
            query = Q()
            for cid in course_ids:
                query |= Q(course__id__icontains=cid)
            queryset = queryset.filter(query)
        if usernames:
            queryset = queryset.filter(user__username__in=usernames)
        if emails:
            queryset = queryset.filter(user__email__in=emails)
        return queryset
