"""
DOP's token endpoint (provider/views.py AccessToken + provider/oauth2/views.py), as the
Ginkgo flavour's /oauth2/access_token answers for clients that are not DOT applications
(contract §2.2, §3, §9):

* every error is a 400 with a JSON body: GET -> invalid_request "Only POST requests
  allowed."; not secure while OAUTH_ENFORCE_SECURE -> invalid_request "A secure connection
  is required." (request.is_secure(); X-Forwarded-Proto is not believed); no grant_type
  (a JSON body has none) -> invalid_request; unknown grant -> unsupported_grant_type;
  no client -> invalid_client; then the grant's own errors;
* grants: client_credentials (token user = client.user; a client without one -> 500),
  password (refresh token for confidential clients only), refresh_token,
  authorization_code; tokens last 365 days (confidential) or 30 days (public).
The OpenID Connect parts (id_token, scopes, e-mail as username) are edx-oauth2-provider's:
edx_oauth2_provider/views.py.
"""

import json
from datetime import timedelta

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import View

from provider import constants
from provider.oauth2 import backends
from provider.oauth2.models import AccessToken, Grant, RefreshToken


class OAuthError(Exception):
    """Carries the error dict the endpoint answers with (400)."""


class AccessTokenView(View):
    grant_types = ("authorization_code", "refresh_token", "password", "client_credentials")

    # ------------------------------------------------------------ HTTP
    def get(self, request, *args, **kwargs):
        return self.error_response({"error": "invalid_request", "error_description": "Only POST requests allowed."})

    def post(self, request, *args, **kwargs):
        if constants.ENFORCE_SECURE and not request.is_secure():
            return self.error_response(
                {"error": "invalid_request", "error_description": "A secure connection is required."}
            )
        if "grant_type" not in request.POST:
            return self.error_response(
                {"error": "invalid_request", "error_description": "No 'grant_type' included in the request."}
            )
        grant_type = request.POST["grant_type"]
        if grant_type not in self.grant_types:
            return self.error_response({"error": "unsupported_grant_type"})
        client = self.authenticate_client(request)
        if client is None:
            return self.error_response({"error": "invalid_client"})
        try:
            with transaction.atomic():
                access_token = getattr(self, grant_type)(request, client)
        except OAuthError as error:
            return self.error_response(error.args[0])
        return HttpResponse(json.dumps(self.access_token_response_data(access_token)), content_type="application/json")

    def error_response(self, error, status=400):
        return HttpResponse(json.dumps(error), status=status, content_type="application/json")

    # ------------------------------------------------------------ clients and users
    def authenticate_client(self, request):
        return (
            backends.basic_client(request)
            or backends.request_params_client(request)
            or backends.public_password_client(request, self.authenticate_user)
        )

    def authenticate_user(self, username, password):
        if not username or not password:
            return None
        return authenticate(username=username, password=password)

    def requested_scope(self, request):
        """The `scope` field as DOP's bitmask (0 when absent)."""
        return 0

    # ------------------------------------------------------------ grants
    def client_credentials(self, request, client):
        # client.user may be None: AccessToken.user is NOT NULL, so that is a 500, as on Ginkgo.
        return self.create_access_token(client.user, self.client_credentials_scope(), client)

    def client_credentials_scope(self):
        return 0

    def password(self, request, client):
        username, password = request.POST.get("username"), request.POST.get("password")
        if not username or not password:
            raise OAuthError({"error": "invalid_request"})
        user = self.authenticate_user(username, password)
        if user is None:
            raise OAuthError({"error": "invalid_grant", "error_description": "Invalid credentials given."})
        access_token = self.create_access_token(user, self.requested_scope(request), client)
        if client.client_type != constants.PUBLIC:  # public clients get no refresh token
            self.create_refresh_token(access_token)
        return access_token

    def refresh_token(self, request, client):
        token = request.POST.get("refresh_token")
        if not token:
            raise OAuthError({"error": "invalid_request"})
        refresh = RefreshToken.objects.filter(token=token, expired=False, client=client).first()
        if refresh is None:
            raise OAuthError({"error": "invalid_grant"})
        refresh.expired = True
        refresh.save()
        old = refresh.access_token
        old.expires = timezone.now() - timedelta(days=1)
        old.save()
        access_token = self.create_access_token(refresh.user, old.scope, client)
        self.create_refresh_token(access_token)
        return access_token

    def authorization_code(self, request, client):
        code = request.POST.get("code")
        if not code:
            raise OAuthError({"error": "invalid_request"})
        grant = Grant.objects.filter(code=code, client=client, expires__gt=timezone.now()).first()
        if grant is None:
            raise OAuthError({"error": "invalid_grant"})
        access_token = self.create_access_token(grant.user, grant.scope, client)
        self.create_refresh_token(access_token)
        grant.delete()
        return access_token

    # ------------------------------------------------------------ tokens
    def create_access_token(self, user, scope, client):
        return AccessToken.objects.create(user=user, client=client, scope=scope)

    def create_refresh_token(self, access_token):
        return RefreshToken.objects.create(
            user=access_token.user, access_token=access_token, client=access_token.client
        )

    def access_token_response_data(self, access_token):
        data = {
            "access_token": access_token.token,
            "token_type": constants.TOKEN_TYPE,
            "expires_in": access_token.get_expire_delta(),
            "scope": self.scope_string(access_token.scope),
        }
        refresh = RefreshToken.objects.filter(access_token=access_token).first()
        if refresh is not None:
            data["refresh_token"] = refresh.token
        return data

    def scope_string(self, scope):
        return ""
