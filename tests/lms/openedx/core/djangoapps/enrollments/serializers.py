"""Serializers of the enrollment API (openedx/core/djangoapps/enrollments/serializers.py)."""

from common.djangoapps.course_modes.models import CourseMode
from common.djangoapps.student.models import CourseEnrollment
from rest_framework import serializers


class StringListField(serializers.CharField):
    """Upstream's field is declared as a list but renders the raw string (e.g. "")."""


class ModeSerializer(serializers.Serializer):
    slug = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=255)
    min_price = serializers.IntegerField()
    suggested_prices = StringListField(max_length=255)
    currency = serializers.CharField(max_length=8)
    expiration_datetime = serializers.DateTimeField()
    description = serializers.CharField()
    sku = serializers.CharField()
    bulk_sku = serializers.CharField()


class CourseSerializer(serializers.Serializer):
    course_id = serializers.CharField(source="id")
    course_name = serializers.CharField(source="display_name_with_default")
    enrollment_start = serializers.DateTimeField(format=None)
    enrollment_end = serializers.DateTimeField(format=None)
    course_start = serializers.DateTimeField(source="start", format=None)
    course_end = serializers.DateTimeField(source="end", format=None)
    invite_only = serializers.BooleanField(source="invitation_only")
    course_modes = serializers.SerializerMethodField()
    pacing_type = serializers.SerializerMethodField()

    def __init__(self, *args, **kwargs):
        self.include_expired = kwargs.pop("include_expired", False)
        super().__init__(*args, **kwargs)

    def get_course_modes(self, obj):
        course_modes = CourseMode.modes_for_course(obj.id, include_expired=self.include_expired, only_selectable=False)
        return [ModeSerializer(mode).data for mode in course_modes]

    def get_pacing_type(self, obj):
        return "Self Paced" if obj.self_paced else "Instructor Paced"


class CourseEnrollmentSerializer(serializers.ModelSerializer):
    course_details = CourseSerializer(source="course_overview")
    user = serializers.SerializerMethodField("get_username")

    def get_username(self, model):
        return model.username

    class Meta:
        model = CourseEnrollment
        fields = ("created", "mode", "is_active", "course_details", "user")
        lookup_field = "username"


class CourseEnrollmentsApiListSerializer(CourseEnrollmentSerializer):
    course_id = serializers.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("course_details")

    class Meta(CourseEnrollmentSerializer.Meta):
        fields = (*CourseEnrollmentSerializer.Meta.fields, "course_id")
