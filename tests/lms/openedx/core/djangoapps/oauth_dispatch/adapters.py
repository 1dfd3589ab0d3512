"""
Adapters isolating the OAuth2 library behind the token view, as upstream's
oauth_dispatch/adapters: the DOT one is today's LMS. A Ginkgo flavour would add a DOP
adapter here and let AccessTokenView pick per client_id (see README).
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
