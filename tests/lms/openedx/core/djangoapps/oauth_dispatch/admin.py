"""Admin for oauth_dispatch models (DOT registers Application, AccessToken, ... itself)."""

from django.contrib import admin

from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess, RestrictedApplication


@admin.register(RestrictedApplication)
class RestrictedApplicationAdmin(admin.ModelAdmin):
    list_display = ("application",)


@admin.register(ApplicationAccess)
class ApplicationAccessAdmin(admin.ModelAdmin):
    list_display = ("application", "scopes", "filters")
