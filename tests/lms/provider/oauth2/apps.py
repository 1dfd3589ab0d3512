from django.apps import AppConfig


class Oauth2Config(AppConfig):
    name = "provider.oauth2"
    label = "oauth2"
    verbose_name = "OAuth2 (django-oauth2-provider)"
    default_auto_field = "django.db.models.AutoField"
