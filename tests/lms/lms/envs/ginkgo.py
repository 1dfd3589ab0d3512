"""
`--settings=ginkgo`: a Ginkgo-era LMS (open-release/ginkgo, Django 1.8, contract §9) as a
variant of production, not a fork. What differs, and where:

* Django 1.8's `shell` (no -c; stdin runs as an interactive session) and the
  RemovedInDjango19Warning lines every start prints: `standin_django18`, first in
  INSTALLED_APPS so its `shell` wins over Django's;
* django-oauth2-provider (`provider.oauth2`) and edx-oauth2-provider (TrustedClient,
  create_oauth2_client): the token endpoint sends a request to DOT when the posted
  client_id is a DOT application, else to DOP (OAUTH2_PROVIDER_FLAVOR = "dop");
* OAUTH_ENFORCE_SECURE on, as Ginkgo's aws settings have it (LMS_OAUTH_ENFORCE_SECURE=0
  turns it off); the server speaks HTTPS with a test certificate (control.py, LMS_TLS);
* `migrate` creates the service user ecommerce_worker (commerce app);
* enrollment API: only the API key may act for other users, use non-default modes or
  update an enrollment (global staff may not); no staff list `enrollments/` nor `roles/`;
  one flat 40/minute throttle rate;
  the older "course mode ... is not available" message;
  Bearer tokens of DOP and DOT, without today's "user_is_disabled" check;
* no create_dot_application (it came with Hawthorn): "Unknown command", as Django 1.8 says;
* DOT's client-credentials scope reads "read write profile email" (DOT 0.10).
"""

import glob
import os
import shutil
from datetime import timedelta

from lms.envs.production import *  # noqa: F403
from lms.envs.production import ENROLLMENT_THROTTLE_RATES, INSTALLED_APPS, OAUTH2_PROVIDER

STANDIN_RELEASE = "ginkgo"

INSTALLED_APPS = [
    "standin_django18.apps.Django18Config",
    *INSTALLED_APPS,
    "provider.oauth2.apps.Oauth2Config",
    "edx_oauth2_provider.apps.EdxOauth2ProviderConfig",
    "lms.djangoapps.commerce.apps.CommerceConfig",
]

# How many RemovedInDjango19Warning lines each start prints on stderr (measured: about 41).
DJANGO18_DEPRECATION_WARNINGS = int(os.environ.get("LMS_GINKGO_WARNINGS") or 41)


def _python2():
    """LMS_GINKGO_PYTHON2: a Python 2.7 path, "off", or "auto" (default: python2.7 on PATH,
    else the newest ~/.pyenv/versions/2.7*): the shell's syntax gate."""
    value = os.environ.get("LMS_GINKGO_PYTHON2", "auto").strip()
    if value.lower() in ("", "off", "0", "no", "false"):
        return None
    if value.lower() != "auto":
        return value
    candidates = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/2.7*/bin/python2.7")))
    found = shutil.which("python2.7")
    if found and "/shims/" not in found:  # a pyenv shim may have no 2.7 selected
        candidates.append(found)
    return candidates[-1] if candidates else None


# The Ginkgo LMS's interpreter: the shell refuses what its grammar refuses (None = no gate).
GINKGO_PYTHON2 = _python2()

# ---------------------------------------------------------------- OAuth2: DOP beside DOT
OAUTH2_PROVIDER_FLAVOR = "dop"
OAUTH_ENFORCE_SECURE = os.environ.get("LMS_OAUTH_ENFORCE_SECURE", "1").strip().lower() not in ("0", "false", "off")
OAUTH_EXPIRE_CONFIDENTIAL_CLIENT_DAYS = 365
OAUTH_EXPIRE_PUBLIC_CLIENT_DAYS = 30
OAUTH_EXPIRE_DELTA = timedelta(days=OAUTH_EXPIRE_CONFIDENTIAL_CLIENT_DAYS)
OAUTH_EXPIRE_DELTA_PUBLIC = timedelta(days=OAUTH_EXPIRE_PUBLIC_CLIENT_DAYS)
OAUTH_OIDC_ID_TOKEN_EXPIRATION = 60 * 60
# No SECURE_PROXY_SSL_HEADER, as in Ginkgo's aws.py: X-Forwarded-Proto is not believed.

OAUTH2_PROVIDER = {
    **OAUTH2_PROVIDER,
    "DEFAULT_SCOPES": {
        "read": "Read access",
        "write": "Write access",
        "profile": "Know your name and username",
        "email": "Know your email address",
    },
}

# ---------------------------------------------------------------- enrollment API
ENROLLMENT_GLOBAL_STAFF_PRIVILEGES = False
ENROLLMENT_STAFF_ENDPOINTS = False  # no `enrollments/` staff list, no `roles/` (§4.1)
USER_API_ME = False  # /api/user/v1/me on Ginkgo is unconfirmed: the toolkit must cope without it
ENROLLMENT_MODE_UNAVAILABLE_MESSAGE = "The course mode '{mode}' is not available for course '{course_id}'."
ENROLLMENT_THROTTLE_RATES = {**ENROLLMENT_THROTTLE_RATES, "staff": ENROLLMENT_THROTTLE_RATES["user"]}
BEARER_REJECTS_DISABLED_USERS = False

# Hawthorn's command (April 2018) and DOT 1.x's own: a Ginkgo LMS answers "Unknown command".
STANDIN_ABSENT_COMMANDS = ["create_dot_application", "createapplication"]
