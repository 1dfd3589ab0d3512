"""DOP's constants (provider/constants.py), read from settings like DOP reads them."""

from datetime import timedelta

from django.conf import settings

CONFIDENTIAL = 0
PUBLIC = 1
CLIENT_TYPES = ((CONFIDENTIAL, "Web applications and native applications"), (PUBLIC, "Public: single page apps"))

TOKEN_TYPE = "Bearer"

# aws.py builds these from OAUTH_EXPIRE_{CONFIDENTIAL,PUBLIC}_CLIENT_DAYS (365 and 30).
EXPIRE_DELTA = getattr(settings, "OAUTH_EXPIRE_DELTA", timedelta(days=365))
EXPIRE_DELTA_PUBLIC = getattr(settings, "OAUTH_EXPIRE_DELTA_PUBLIC", timedelta(days=30))

# True in Ginkgo's aws settings: the token endpoint refuses requests that are not secure.
ENFORCE_SECURE = getattr(settings, "OAUTH_ENFORCE_SECURE", False)
