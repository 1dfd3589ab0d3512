"""URLs of the stand-in LMS: the subset of lms/urls.py the toolkit touches."""

from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path

urlpatterns = [
    path("", include("openedx.core.djangoapps.heartbeat.urls")),
    path("api/enrollment/v1/", include("openedx.core.djangoapps.enrollments.urls")),
    path("admin/", admin.site.urls),
]

if settings.USER_API_ME:
    urlpatterns += [path("api/user/", include("openedx.core.djangoapps.user_api.urls"))]

if settings.FEATURES.get("ENABLE_OAUTH2_PROVIDER"):
    urlpatterns += [
        path("oauth2/", include(("openedx.core.djangoapps.oauth_dispatch.urls", "oauth2"), namespace="oauth2")),
    ]

if getattr(settings, "STANDIN_SERVE_STATIC", False):
    # The admin's CSS/JS straight from the installed apps (no collectstatic, no CDN).
    urlpatterns += [re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True})]
