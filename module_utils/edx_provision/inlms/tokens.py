# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs inside the LMS: create a bearer access token directly, as the manual recipe does in Django admin.

Works when the LMS's OAuth2 endpoints are off. The token belongs to an existing application and to
its owner (or to the given user), lasts the requested number of seconds, and gets the requested scopes
or the LMS's default ones.
"""

if __name__ != "edx_provision":  # imported on the controller or by tests; in the LMS the parts are concatenated
    from .base import ProvisionError
    from .dop_clients import dop_client_exists

FALLBACK_SCOPES = ["read", "write", "email", "profile"]  # the LMS's DEFAULT_SCOPES (lms/envs/common.py)


def token_scope(requested, provider_settings):
    """The scope string of the token: the requested one, else the LMS's default scopes."""
    if requested:
        return " ".join(requested.split())
    defaults = provider_settings.get("DEFAULT_SCOPES") or FALLBACK_SCOPES
    return " ".join(defaults)


def make_token(want):
    """Create a bearer token for the client `want["client_id"]`; returns what the module reports.

    The token's value is `want["value"]`, chosen by the caller so that it never travels back.
    """
    import datetime

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from oauth2_provider.models import get_application_model

    app = get_application_model().objects.filter(client_id=want["client_id"]).first()
    if app is None and dop_client_exists(want["client_id"]):
        raise ProvisionError(
            'client_id "%s" is a django-oauth2-provider client (Ginkgo), and a direct token is a '
            "django-oauth-toolkit one: mint the token at the token endpoint instead (edx_token method endpoint; "
            "the role: edx_api_access_token_method endpoint)." % want["client_id"]
        )
    if app is None:
        raise ProvisionError(
            'No OAuth2 client with client_id "%s" on the LMS: create it first (edx_oauth_client), or fix '
            "client_id." % want["client_id"]
        )
    if want.get("username"):
        user = get_user_model().objects.filter(username=want["username"]).first()
        if user is None:
            raise ProvisionError(
                'No user "%s" on the LMS: create it first (edx_user), or fix username.' % want["username"]
            )
    elif app.user_id:
        user = app.user
    else:
        raise ProvisionError(
            'OAuth2 client "%s" has no owner, so a token would belong to nobody: give username.' % app.client_id
        )
    if not user.is_active:
        raise ProvisionError(
            'User "%s" is inactive on the LMS, so a token for it would not work: activate it first.' % user.username
        )
    scope = token_scope(want.get("scope"), getattr(settings, "OAUTH2_PROVIDER", {}))
    expires = timezone.now() + datetime.timedelta(seconds=want["expires_in"])
    token = access_token_model().objects.create(
        user=user, application=app, token=want["value"], expires=expires, scope=scope
    )
    return {"username": user.username, "scope": scope, "expires_in": want["expires_in"], "access_token": token.token}


def access_token_model():
    """django-oauth-toolkit's AccessToken model; swappable (get_access_token_model) from 1.0 on, a plain
    class in the 0.10-0.12 that Ginkgo ships."""
    try:
        from oauth2_provider.models import get_access_token_model
    except ImportError:
        from oauth2_provider.models import AccessToken

        return AccessToken
    return get_access_token_model()
