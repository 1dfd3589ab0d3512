from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "lms.djangoapps.commerce"
    label = "commerce"
    default_auto_field = "django.db.models.AutoField"
