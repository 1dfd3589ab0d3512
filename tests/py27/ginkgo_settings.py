"""Django settings of a Ginkgo-era OAuth2 stack under Python 2.7: the real libraries at Ginkgo's pins
(requirements.txt), no edx-platform. The database is $GINKGO27_DB."""

import os

SECRET_KEY = "ginkgo27-tests-only"
DEBUG = False
USE_TZ = True
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["GINKGO27_DB"]}}
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "oauth2_provider",
    "provider",
    "provider.oauth2",
    "edx_oauth2_provider",
]
MIDDLEWARE_CLASSES = []
OAUTH2_PROVIDER = {"SCOPES": {"read": "Read", "write": "Write", "email": "E-mail", "profile": "Profile"}}
LMS_ROOT_URL = "https://lms.example.com"
LOGGING_CONFIG = None
OAUTH_OIDC_ISSUER = LMS_ROOT_URL + "/oauth2"
OAUTH_ENFORCE_SECURE = True  # as Ginkgo's aws.py
# Ginkgo's lms/envs/common.py names edx-oauth2-provider's own handlers (its defaults still carry the
# package's old name); edx-platform's oauth2_handler is left out.
OAUTH_OIDC_ID_TOKEN_HANDLERS = (
    "edx_oauth2_provider.oidc.handlers.BasicIDTokenHandler",
    "edx_oauth2_provider.oidc.handlers.ProfileHandler",
    "edx_oauth2_provider.oidc.handlers.EmailHandler",
)
OAUTH_OIDC_USERINFO_HANDLERS = (
    "edx_oauth2_provider.oidc.handlers.BasicUserInfoHandler",
    "edx_oauth2_provider.oidc.handlers.ProfileHandler",
    "edx_oauth2_provider.oidc.handlers.EmailHandler",
)
