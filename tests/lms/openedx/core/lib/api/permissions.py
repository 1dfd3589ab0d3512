"""API-key permissions (openedx/core/lib/api/permissions.py)."""

from django.conf import settings
from rest_framework import permissions


class ApiKeyHeaderPermission(permissions.BasePermission):
    """Allowed iff settings.EDX_API_KEY is set and the X-Edx-Api-Key header equals it."""

    def has_permission(self, request, view):
        api_key = getattr(settings, "EDX_API_KEY", None)
        return api_key is not None and request.META.get("HTTP_X_EDX_API_KEY") == api_key


class ApiKeyHeaderPermissionIsAuthenticated(ApiKeyHeaderPermission, permissions.IsAuthenticated):
    """Allowed with the API key OR when authenticated."""

    def has_permission(self, request, view):
        api_permissions = ApiKeyHeaderPermission.has_permission(self, request, view)
        is_authenticated_permissions = permissions.IsAuthenticated.has_permission(self, request, view)
        return api_permissions or is_authenticated_permissions
