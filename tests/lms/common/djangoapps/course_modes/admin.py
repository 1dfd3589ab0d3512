from django.contrib import admin

from common.djangoapps.course_modes.models import CourseMode


@admin.register(CourseMode)
class CourseModeAdmin(admin.ModelAdmin):
    list_display = ("course_id", "mode_slug", "mode_display_name", "min_price", "currency", "expiration_datetime")
    search_fields = ("course_id",)
