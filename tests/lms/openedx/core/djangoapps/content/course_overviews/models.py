"""
CourseOverview: the LMS's cached summary of a course run. In the stand-in it *is* the
course catalogue (there is no modulestore behind it).
"""

from django.db import models
from opaque_keys.edx.django.models import CourseKeyField
from opaque_keys.edx.keys import CourseKey


class CourseOverview(models.Model):
    id = CourseKeyField(db_index=True, primary_key=True, max_length=255)
    display_name = models.TextField(null=True)
    display_number_with_default = models.TextField(default="")
    display_org_with_default = models.TextField(default="")
    org = models.TextField(max_length=255, default="outdated_entry")
    start = models.DateTimeField(null=True)
    end = models.DateTimeField(null=True)
    enrollment_start = models.DateTimeField(null=True)
    enrollment_end = models.DateTimeField(null=True)
    invitation_only = models.BooleanField(default=False)
    max_student_enrollments_allowed = models.IntegerField(null=True)
    self_paced = models.BooleanField(default=False)
    catalog_visibility = models.TextField(null=True, default="both")
    short_description = models.TextField(null=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "course_overviews"

    def __str__(self):
        return str(self.id)

    @property
    def display_name_with_default(self):
        return self.display_name or str(self.id.course if hasattr(self.id, "course") else self.id)

    @property
    def location(self):
        return self.id

    @classmethod
    def get_from_id(cls, course_id):
        """The overview of `course_id` (CourseKey or string); raises DoesNotExist."""
        if isinstance(course_id, str):
            course_id = CourseKey.from_string(course_id)
        return cls.objects.get(id=course_id)

    @classmethod
    def course_exists(cls, course_id):
        return cls.objects.filter(id=course_id).exists()
