from django.apps import AppConfig


class EdxOauth2ProviderConfig(AppConfig):
    name = "edx_oauth2_provider"
    label = "edx_oauth2_provider"
    default_auto_field = "django.db.models.AutoField"
