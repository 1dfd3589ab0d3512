"""
Specialized models for oauth_dispatch (openedx/core/djangoapps/oauth_dispatch/models.py):
RestrictedApplication and ApplicationAccess, with the same Python API as upstream.
"""

from datetime import datetime, timezone

from django import forms
from django.db import models
from oauth2_provider.settings import oauth2_settings

from openedx.core.lib.request_utils import get_request_or_stub


class _CommaSeparatedFormField(forms.CharField):
    """Shows a list as "a,b,c" in forms (the admin) and hands the text back as is."""

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ",".join(value)
        return value


class ListCharField(models.CharField):
    """A list of strings stored comma-separated (django-mysql's ListCharField, simplified).

    Reading gives a list; a list or a comma-separated string may be assigned (like the
    upstream field, which create_dot_application feeds the raw "--scopes a,b" string).
    """

    def __init__(self, *args, size=None, **kwargs):
        self.size = size
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["size"] = self.size
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if isinstance(value, str):
            return [item for item in value.split(",") if item] if value else []
        return value

    def get_prep_value(self, value):
        value = models.Field.get_prep_value(self, value)
        if isinstance(value, (list, tuple)):
            items = [str(item) for item in value]
            for item in items:
                if "," in item:
                    raise ValueError(f"List items may not contain commas: {item!r}")
            if self.size is not None and len(items) > self.size:
                raise ValueError(f"At most {self.size} items are allowed")
            value = ",".join(items)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": _CommaSeparatedFormField, **kwargs})

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        super().validate(self.get_prep_value(value), model_instance)

    def run_validators(self, value):
        super().run_validators(self.get_prep_value(value))


class RestrictedApplication(models.Model):
    """Applications whose tokens are limited: opaque tokens are issued already expired."""

    application = models.ForeignKey(oauth2_settings.APPLICATION_MODEL, null=False, on_delete=models.CASCADE)

    class Meta:
        app_label = "oauth_dispatch"

    def __str__(self):
        return f"<RestrictedApplication '{self.application.name}'>"

    @classmethod
    def should_expire_access_token(cls, application):
        jwt_not_requested = get_request_or_stub().POST.get("token_type", "").lower() != "jwt"
        restricted_application = cls.objects.filter(application=application).exists()
        return restricted_application and jwt_not_requested

    @classmethod
    def verify_access_token_as_expired(cls, access_token):
        return access_token.expires == datetime(1970, 1, 1, tzinfo=timezone.utc)


class ApplicationAccess(models.Model):
    """Scopes (and filters) an Application may request beyond the default ones."""

    CONTENT_ORG_FILTER_NAME = "content_org"

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, related_name="access", on_delete=models.CASCADE
    )
    scopes = ListCharField(
        size=25,
        max_length=(25 * 33),
        help_text="Comma-separated list of scopes that this application will be allowed to request.",
    )
    filters = ListCharField(
        size=25,
        max_length=(25 * 33),
        help_text="Comma-separated list of filters that this application will be allowed to request.",
        null=True,
        blank=True,
    )

    class Meta:
        app_label = "oauth_dispatch"

    @classmethod
    def get_scopes(cls, application):
        return cls.objects.get(application=application).scopes

    @classmethod
    def get_filters(cls, application):
        return cls.objects.get(application=application).filters

    @classmethod
    def get_filter_values(cls, application, filter_name):
        filters = cls.get_filters(application=application)
        if filters:
            for filter_constraint in filters:
                name, filter_value = filter_constraint.split(":", 1)
                if name == filter_name:
                    yield filter_value

    def __str__(self):
        return f"{self.application.name}:{self.scopes}:{self.filters}"
