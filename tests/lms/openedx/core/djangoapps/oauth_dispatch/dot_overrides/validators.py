"""
EdxOAuth2Validator: the LMS's django-oauth-toolkit overrides
(openedx/core/djangoapps/oauth_dispatch/dot_overrides/validators.py):

* password grant: username, then email; inactive users are allowed;
* client_credentials: the token is saved with user = the application's owner, and the
  default scopes gain `user_id` when the application's ApplicationAccess allows it;
* scopes limited to (ApplicationAccess.scopes + DEFAULT_SCOPES) ∩ SCOPES;
* restricted applications get opaque tokens that are already expired.
"""

from datetime import datetime, timedelta, timezone

from django.contrib.auth import authenticate, get_user_model
from django.db.models.signals import pre_save
from django.dispatch import receiver
from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import get_scopes_backend

from openedx.core.djangoapps.oauth_dispatch.models import RestrictedApplication


@receiver(pre_save, sender=AccessToken, dispatch_uid="standin_restricted_token_presave")
def on_access_token_presave(sender, instance, *args, **kwargs):
    """Mark AccessTokens as expired for restricted applications when required."""
    if instance.application_id and RestrictedApplication.should_expire_access_token(instance.application):
        instance.expires = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _utc_now():
    return datetime.now(timezone.utc)


class EdxOAuth2Validator(OAuth2Validator):
    def validate_user(self, username, password, client, request, *args, **kwargs):
        user = self._authenticate(username=username, password=password)
        if user is not None:
            request.user = user
            return True
        return False

    def _authenticate(self, username, password):
        authenticated_user = authenticate(username=username, password=password)
        if authenticated_user is None:
            user_model = get_user_model()
            try:
                email_user = user_model.objects.get(email=username)
            except (user_model.DoesNotExist, user_model.MultipleObjectsReturned):
                authenticated_user = None
            else:
                authenticated_user = authenticate(username=email_user.username, password=password)
        return authenticated_user

    def save_bearer_token(self, token, request, *args, **kwargs):
        grant_type = request.grant_type
        user = request.user
        if grant_type == "client_credentials":
            # Keep the super method from dropping request.user, and make the token the owner's.
            request.grant_type = None
            request.user = request.client.user

        super().save_bearer_token(token, request, *args, **kwargs)

        is_restricted_client = self._update_token_expiry_if_restricted_client(token, request.client)
        if not is_restricted_client:
            self._update_token_expiry_if_overridden_in_request(token, request)

        request.grant_type = grant_type
        request.user = user

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        default_scopes = super().get_default_scopes(client_id, request, *args, **kwargs)
        if (
            request.grant_type == "client_credentials"
            and not request.scopes
            and get_scopes_backend().has_user_id_in_application_scopes(application=request.client)
        ):
            return [*default_scopes, "user_id"]
        return default_scopes

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        available_scopes = get_scopes_backend().get_available_scopes(application=client, request=request)
        return set(scopes).issubset(set(available_scopes))

    def _update_token_expiry_if_restricted_client(self, token, client):
        if RestrictedApplication.should_expire_access_token(client):
            access_token = AccessToken.objects.get(token=token["access_token"])
            token["expires_in"] = int((access_token.expires - _utc_now()).total_seconds())
            return True
        return False

    def _update_token_expiry_if_overridden_in_request(self, token, request):
        expires_in = getattr(request, "expires_in", None)
        if expires_in:
            access_token = AccessToken.objects.get(token=token["access_token"])
            access_token.expires = _utc_now() + timedelta(seconds=expires_in)
            access_token.save()
            token["expires_in"] = expires_in
