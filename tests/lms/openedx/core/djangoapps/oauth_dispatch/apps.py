from django.apps import AppConfig


class OAuthDispatchAppConfig(AppConfig):
    name = "openedx.core.djangoapps.oauth_dispatch"
    label = "oauth_dispatch"
    verbose_name = "OAuth Dispatch"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        # Signal receivers: client-secret storage mode, restricted-application tokens.
        from openedx.core.djangoapps.oauth_dispatch import signals  # noqa: F401
        from openedx.core.djangoapps.oauth_dispatch.dot_overrides import validators  # noqa: F401
