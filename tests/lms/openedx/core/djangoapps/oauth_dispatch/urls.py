"""OAuth2 URLs, mounted at /oauth2/ only when FEATURES['ENABLE_OAUTH2_PROVIDER'] is on."""

from django.urls import re_path

from openedx.core.djangoapps.oauth_dispatch import views

urlpatterns = [
    re_path(r"^authorize/?$", views.authorize_view, name="authorize"),
    re_path(r"^access_token/?$", views.access_token_view, name="access_token"),
    re_path(r"^revoke_token/?$", views.revoke_token_view, name="revoke_token"),
]
