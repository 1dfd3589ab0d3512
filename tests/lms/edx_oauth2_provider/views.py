"""
edx-oauth2-provider's token view over DOP's (edx_oauth2_provider/views.py, forms.py):

* the password grant also accepts the user's e-mail address as `username`;
* client_credentials tokens get openid + profile + email + permissions;
* a token whose scope holds `openid` comes with an OpenID Connect `id_token` (HS256,
  signed with the client's secret) and its scope reads "profile openid email
  permissions"; any other token's scope is cleared to "" (pure OAuth2 scopes unsupported).
"""

import time

import jwt
from common.djangoapps.student.models import UserProfile, anonymous_id_for_user
from django.conf import settings
from django.contrib.auth import get_user_model
from provider import scope as scopes
from provider.oauth2 import views


class AccessTokenView(views.AccessTokenView):
    def authenticate_user(self, username, password):
        user = super().authenticate_user(username, password)
        if user is None and username and password:
            by_email = get_user_model().objects.filter(email=username).first()
            if by_email is not None:
                user = super().authenticate_user(by_email.username, password)
        return user

    def requested_scope(self, request):
        value = 0
        names = dict(scopes.SCOPE_NAMES)
        for name in request.POST.get("scope", "").split():
            if name not in names:
                raise views.OAuthError({"error": "invalid_scope"})
            value |= names[name]
        return value

    def client_credentials_scope(self):
        return scopes.CLIENT_CREDENTIALS_SCOPE

    def access_token_response_data(self, access_token):
        extra = {}
        if scopes.check(scopes.OPEN_ID, access_token.scope):
            extra["id_token"] = self.id_token(access_token)
        else:
            access_token.scope = 0
            access_token.save()
        return {**extra, **super().access_token_response_data(access_token)}

    def scope_string(self, scope):
        return " ".join(scopes.to_names(scope))

    def id_token(self, access_token):
        user, client = access_token.user, access_token.client
        now = int(time.time())
        claims = {
            "iss": settings.LMS_ROOT_URL + "/oauth2",
            "sub": anonymous_id_for_user(user, None),
            "aud": client.client_id,
            "iat": now,
            "exp": now + getattr(settings, "OAUTH_OIDC_ID_TOKEN_EXPIRATION", 30),
        }
        names = scopes.to_names(access_token.scope)
        if "profile" in names:
            profile = UserProfile.objects.filter(user=user).first()
            claims.update(
                preferred_username=user.username,
                name=profile.name if profile else "",
                given_name=user.first_name,
                family_name=user.last_name,
                locale="en",
            )
        if "email" in names:
            claims["email"] = user.email
        if "permissions" in names:
            claims["administrator"] = user.is_staff
        return jwt.encode(claims, client.client_secret, algorithm="HS256")
