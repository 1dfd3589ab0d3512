"""Authentication backend that lets inactive users log in (upstream also rate-limits it)."""

from django.contrib.auth.backends import AllowAllUsersModelBackend


class EdxRateLimitedAllowAllUsersModelBackend(AllowAllUsersModelBackend):
    """AllowAllUsersModelBackend; the stand-in leaves out django-ratelimit's limit."""
