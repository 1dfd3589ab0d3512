from django.contrib import admin

from common.djangoapps.student.models import CourseEnrollment, UserProfile


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "name")
    search_fields = ("user__username", "name")


@admin.register(CourseEnrollment)
class CourseEnrollmentAdmin(admin.ModelAdmin):
    list_display = ("id", "course_id", "mode", "user", "is_active")
    list_filter = ("mode", "is_active")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
