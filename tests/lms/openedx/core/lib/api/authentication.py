"""
Bearer-token authentication as the LMS does it (openedx/core/lib/api/authentication.py):
tokens are looked up in django-oauth-toolkit's table, and on a Ginkgo-era LMS (DOP
installed) in django-oauth2-provider's too; failures are 401 with
{"error_code", "developer_message"}. The "user_is_disabled" check is today's
(settings.BEARER_REJECTS_DISABLED_USERS; off in the `ginkgo` flavour).
"""

import django.utils.timezone
from django.apps import apps
from django.conf import settings
from oauth2_provider import models as dot_models
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

OAUTH2_TOKEN_ERROR = "token_error"
OAUTH2_TOKEN_ERROR_EXPIRED = "token_expired"
OAUTH2_TOKEN_ERROR_MALFORMED = "token_malformed"
OAUTH2_TOKEN_ERROR_NONEXISTENT = "token_nonexistent"
OAUTH2_TOKEN_ERROR_NOT_PROVIDED = "token_not_provided"
OAUTH2_USER_NOT_ACTIVE_ERROR = "user_not_active"
OAUTH2_USER_DISABLED_ERROR = "user_is_disabled"


class BearerAuthentication(BaseAuthentication):
    www_authenticate_realm = "api"
    allow_inactive_users = False

    def authenticate(self, request):
        auth = get_authorization_header(request).split()

        if len(auth) == 1:
            raise AuthenticationFailed(
                {
                    "error_code": OAUTH2_TOKEN_ERROR_NOT_PROVIDED,
                    "developer_message": "Invalid token header. No credentials provided.",
                }
            )
        if len(auth) > 2:
            raise AuthenticationFailed(
                {
                    "error_code": OAUTH2_TOKEN_ERROR_MALFORMED,
                    "developer_message": "Invalid token header. Token string should not contain spaces.",
                }
            )

        if auth and auth[0].lower() == b"bearer":
            access_token = auth[1].decode("utf8")
        else:
            return None
        return self.authenticate_credentials(access_token)

    def authenticate_credentials(self, access_token):
        token = self.get_access_token(access_token)
        if not token:
            raise AuthenticationFailed(
                {
                    "error_code": OAUTH2_TOKEN_ERROR_NONEXISTENT,
                    "developer_message": "The provided access token does not match any valid tokens.",
                }
            )
        if token.expires < django.utils.timezone.now():
            raise AuthenticationFailed(
                {
                    "error_code": OAUTH2_TOKEN_ERROR_EXPIRED,
                    "developer_message": "The provided access token has expired and is no longer valid.",
                }
            )
        user = token.user
        if getattr(settings, "BEARER_REJECTS_DISABLED_USERS", True) and self._is_disabled(user):
            raise AuthenticationFailed(
                {
                    "error_code": OAUTH2_USER_DISABLED_ERROR,
                    "developer_message": f"User disabled by admin: {user.get_username()}",
                }
            )
        if not self.allow_inactive_users and not user.is_active:
            raise AuthenticationFailed(
                {
                    "error_code": OAUTH2_USER_NOT_ACTIVE_ERROR,
                    "developer_message": f"User inactive or deleted: {user.get_username()}",
                }
            )
        return user, token

    def _is_disabled(self, user):
        has_application = dot_models.get_application_model().objects.filter(user_id=user.id).exists()
        return not user.has_usable_password() and not has_application

    def get_access_token(self, access_token):
        token_query = dot_models.get_access_token_model().objects.select_related("user")
        token = token_query.filter(token=access_token).first()
        if token is None and apps.is_installed("provider.oauth2"):
            from provider.oauth2.models import AccessToken as DOPAccessToken

            token = DOPAccessToken.objects.select_related("user").filter(token=access_token).first()
        return token

    def authenticate_header(self, request):
        return f'Bearer realm="{self.www_authenticate_realm}"'


class BearerAuthenticationAllowInactiveUser(BearerAuthentication):
    allow_inactive_users = True


OAuth2Authentication = BearerAuthentication
OAuth2AuthenticationAllowInactiveUser = BearerAuthenticationAllowInactiveUser
