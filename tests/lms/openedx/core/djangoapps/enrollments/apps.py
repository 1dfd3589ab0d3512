from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "openedx.core.djangoapps.enrollments"
    label = "enrollments"
    verbose_name = "Enrollments"
