"""Scopes backend: available scopes = (ApplicationAccess.scopes + defaults) ∩ SCOPES."""

from oauth2_provider.scopes import SettingsScopes

from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess


class ApplicationModelScopes(SettingsScopes):
    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        try:
            application_scopes = ApplicationAccess.get_scopes(application)
        except ApplicationAccess.DoesNotExist:
            application_scopes = []
        default_scopes = self.get_default_scopes()
        all_scopes = list(self.get_all_scopes().keys())
        return set(list(application_scopes) + list(default_scopes)).intersection(all_scopes)

    def has_user_id_in_application_scopes(self, application=None):
        try:
            application_scopes = ApplicationAccess.get_scopes(application)
        except ApplicationAccess.DoesNotExist:
            return False
        return "user_id" in application_scopes
