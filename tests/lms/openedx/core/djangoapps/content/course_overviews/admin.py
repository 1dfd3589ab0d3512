from django.contrib import admin

from openedx.core.djangoapps.content.course_overviews.models import CourseOverview


@admin.register(CourseOverview)
class CourseOverviewAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "display_name",
        "start",
        "end",
        "enrollment_start",
        "enrollment_end",
        "invitation_only",
        "self_paced",
    )
    search_fields = ("id", "display_name")
