"""URLs of the user API under api/user/ (user_api/urls.py): only `v1/me` (name own_username_api)."""

from django.urls import path

from openedx.core.djangoapps.user_api.views import OwnUsernameView

urlpatterns = [path("v1/me", OwnUsernameView.as_view(), name="own_username_api")]
