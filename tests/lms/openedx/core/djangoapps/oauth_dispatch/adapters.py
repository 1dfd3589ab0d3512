"""
Adapters isolating the OAuth2 library behind the token view, as upstream's
oauth_dispatch/adapters: DOT (today's LMS) and, in the `ginkgo` flavour, DOP
(django-oauth2-provider), which AccessTokenView picks per client_id.
"""

from oauth2_provider import models

from openedx.core.djangoapps.oauth_dispatch.models import RestrictedApplication


class DOTAdapter:
    backend = object()
    FILTER_USER_ME = "user:me"

    def get_client(self, **filters):
        return models.get_application_model().objects.get(**filters)

    def get_client_for_token(self, token):
        return token.application

    def get_access_token(self, token_string):
        return models.get_access_token_model().objects.get(token=token_string)

    def get_token_scope_names(self, token):
        return list(token.scopes)

    def get_grant_type(self, token):
        return token.application.authorization_grant_type

    def is_client_restricted(self, client):
        return RestrictedApplication.objects.filter(application=client).exists()

    def get_authorization_filters(self, client):
        application = client
        filter_set = set()
        if hasattr(application, "access") and application.access.filters:
            filter_set.update(application.access.filters)
        # Client-credentials apps may see all users' data; other grants only the user's.
        if application.authorization_grant_type != application.GRANT_CLIENT_CREDENTIALS:
            filter_set.add(self.FILTER_USER_ME)
        return sorted(filter_set)


class DOPAdapter:
    """django-oauth2-provider (Ginkgo): models imported on use, installed only by `ginkgo`."""

    backend = object()

    def get_client(self, **filters):
        from provider.oauth2.models import Client

        return Client.objects.get(**filters)

    def get_client_for_token(self, token):
        return token.client

    def get_access_token(self, token_string):
        from provider.oauth2.models import AccessToken

        return AccessToken.objects.get(token=token_string)

    def get_token_scope_names(self, token):
        from provider.scope import to_names

        return to_names(token.scope)

    def get_grant_type(self, token):
        # DOP records no grant type on its clients or tokens.
        return "password" if hasattr(token, "refresh_token") else "client_credentials"

    def is_client_restricted(self, client):
        return False

    def get_authorization_filters(self, client):
        return []
