"""
Settings shared by every flavour of the stand-in LMS.

Values mirror lms/envs/common.py of edx-platform where the toolkit can observe them
(OAuth2 provider, JWT claims and lifetimes, throttle rates, API key). The flavour
modules next to this one (production, aws, hashed_secrets, oauth2_off) only override.

Environment knobs (all optional), read once per process:
  LMS_STATE_DIR             state directory (db.sqlite3, keys, logs); default <repo>/.lms
  LMS_PORT / LMS_ROOT_URL   the public URL (JWT issuer is LMS_ROOT_URL + "/oauth2")
  LMS_TLS                   "on" when the server speaks HTTPS (control.py sets it): https URLs
  LMS_EDX_API_KEY           value of EDX_API_KEY (X-Edx-Api-Key); empty string = disabled
  LMS_THROTTLE_USER_RATE    enrollment API rate for users (default "40/minute")
  LMS_THROTTLE_STAFF_RATE   enrollment API rate for is_staff/is_superuser (default "120/minute")
  LMS_JWT_AUDIENCE          JWT "aud" claim (default "lms-key")
"""

import hashlib
import json
import os
import secrets
from pathlib import Path
from urllib.parse import quote

from lms.paths import PROJECT_ROOT, state_dir

# ---------------------------------------------------------------- state directory
STATE_DIR = state_dir()
STATE_DIR.mkdir(parents=True, exist_ok=True)


def _read_or_create(path, make):
    """Return the text of `path`, creating it with make() first if missing.

    Race-free between processes starting at once: the content is written to a private
    temporary file and hard-linked into place, so the first writer wins and every
    process then reads the same content.
    """
    path = Path(path)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text()


def _make_rsa_private_jwk():
    """A fresh 2048-bit RSA key as a private JWK (JSON text) with a stable kid."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key))
    jwk["kid"] = hashlib.sha256(jwk["n"].encode()).hexdigest()[:16]
    return json.dumps(jwk)


def _public_jwk(private_jwk):
    keep = ("kty", "e", "n", "kid")
    return {name: value for name, value in private_jwk.items() if name in keep}


SECRET_KEY = _read_or_create(STATE_DIR / "secret_key", lambda: secrets.token_urlsafe(50)).strip()
JWT_PRIVATE_SIGNING_JWK = _read_or_create(STATE_DIR / "jwt_signing_key.jwk.json", _make_rsa_private_jwk)
JWT_PUBLIC_SIGNING_JWK_SET = json.dumps({"keys": [_public_jwk(json.loads(JWT_PRIVATE_SIGNING_JWK))]})

# ---------------------------------------------------------------- core Django
DEBUG = False
ALLOWED_HOSTS = ["*"]  # the stand-in only ever listens on 127.0.0.1
ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
STATIC_URL = "/static/"

LMS_PORT = int(os.environ.get("LMS_PORT", "18000") or 18000)
# LMS_TLS=on (set by control.py when the server speaks HTTPS) makes the default URL https.
_SCHEME = "https" if os.environ.get("LMS_TLS", "").strip().lower() in ("on", "1", "true", "yes") else "http"
LMS_ROOT_URL = os.environ.get("LMS_ROOT_URL", "").rstrip("/") or f"{_SCHEME}://127.0.0.1:{LMS_PORT}"
LMS_BASE = LMS_ROOT_URL.split("://", 1)[-1]

DB_PATH = STATE_DIR / "db.sqlite3"
# mode=rw once the database exists: a server whose database file vanished reports it
# (heartbeat 503) instead of silently creating an empty one.
_DB_MODE = "rw" if DB_PATH.exists() else "rwc"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": f"file:{quote(str(DB_PATH))}?mode={_DB_MODE}",
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            # Seconds a write waits for another process's lock (MySQL: innodb_lock_wait_timeout).
            "timeout": float(os.environ.get("LMS_DB_LOCK_TIMEOUT") or 30),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lms"}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "oauth2_provider",
    "common.djangoapps.student",
    "common.djangoapps.course_modes",
    "openedx.core.djangoapps.content.course_overviews",
    "openedx.core.djangoapps.oauth_dispatch.apps.OAuthDispatchAppConfig",
    "openedx.core.djangoapps.enrollments",
    "openedx.core.djangoapps.heartbeat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crum.CurrentRequestUserMiddleware",
    "common.djangoapps.track.middleware.TrackMiddleware",
]

# The LMS's request tracking (TrackMiddleware): POST and GET fields of every request but these paths.
TRACKING_IGNORE_URL_PATTERNS = [r"^/event", r"^/login", r"^/heartbeat", r"^/segmentio/event", r"^/performance"]
TRACKING_LOG = STATE_DIR / "tracking.log"

# The enrollment URL has no trailing slash and `enrollment/` must stay a 404.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# Fast hasher first so password checks (password grant, admin login) cost well under
# 50 ms; the others stay so manage_user accepts any real Django hash (--initial-password-hash).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Like the LMS: inactive users may authenticate (password grant, session).
AUTHENTICATION_BACKENDS = [
    "openedx.core.djangoapps.oauth_dispatch.dot_overrides.backends.EdxRateLimitedAllowAllUsersModelBackend",
]

# ---------------------------------------------------------------- LMS feature flags
FEATURES = {
    "ENABLE_OAUTH2_PROVIDER": True,
}

# Which OAuth2 libraries answer /oauth2/: "dot" = django-oauth-toolkit only (today's LMS);
# "dop" = django-oauth2-provider beside DOT, chosen per client_id (the `ginkgo` flavour).
OAUTH2_PROVIDER_FLAVOR = "dot"

# DOT 1.7.1 (pinned by edx-platform) stores client secrets in clear; DOT 2+ hashes them.
# Enforced for every way an Application is saved (see oauth_dispatch/signals.py).
OAUTH2_HASH_CLIENT_SECRETS = False

# ---------------------------------------------------------------- OAuth2 (django-oauth-toolkit)
OAUTH2_PROVIDER = {
    "OAUTH2_VALIDATOR_CLASS": ("openedx.core.djangoapps.oauth_dispatch.dot_overrides.validators.EdxOAuth2Validator"),
    # ACCESS_TOKEN_EXPIRE_SECONDS left at DOT's default (36000 s), as the LMS does.
    "REFRESH_TOKEN_EXPIRE_SECONDS": 7776000,
    "SCOPES_BACKEND_CLASS": "openedx.core.djangoapps.oauth_dispatch.scopes.ApplicationModelScopes",
    "SCOPES": {
        "read": "Read access",
        "write": "Write access",
        "email": "Know your email address",
        "profile": "Know your name and username",
        "certificates:read": "Retrieve your course certificates",
        "grades:read": "Retrieve your grades for your enrolled courses",
        "tpa:read": "Retrieve your third-party authentication username mapping",
        "user_id": "Know your user identifier",
    },
    "DEFAULT_SCOPES": {
        "read": "Read access",
        "write": "Write access",
        "email": "Know your email address",
        "profile": "Know your name and username",
    },
    "REQUEST_APPROVAL_PROMPT": "auto_even_if_expired",
    "ERROR_RESPONSE_WITH_SCOPES": True,
    "PKCE_REQUIRED": False,
    # DOT 3.4 warns on every password grant unless this is set explicitly.
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": False,
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

# ---------------------------------------------------------------- JWT
JWT_ACCESS_TOKEN_EXPIRE_SECONDS = 3600
# The LMS signs with HS256 unless asked (asymmetric_jwt) or forced by this toggle; the
# stand-in forces RS512 with the key kept in the state directory (the direction of the
# upstream "DEPR: symmetric JWTs"), so every JWT it issues is checked against a key set.
JWT_AUTH_FORCE_CREATE_ASYMMETRIC = True
JWT_ISSUER = LMS_ROOT_URL + "/oauth2"
JWT_AUDIENCE = os.environ.get("LMS_JWT_AUDIENCE", "lms-key")
JWT_SECRET_KEY = hashlib.sha256(("jwt:" + SECRET_KEY).encode()).hexdigest()
JWT_AUTH = {
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_ISSUER": JWT_ISSUER,
    "JWT_AUDIENCE": JWT_AUDIENCE,
    "JWT_SECRET_KEY": JWT_SECRET_KEY,
    "JWT_ALGORITHM": "HS256",
    "JWT_SIGNING_ALGORITHM": "RS512",
    "JWT_PRIVATE_SIGNING_JWK": JWT_PRIVATE_SIGNING_JWK,
    "JWT_PUBLIC_SIGNING_JWK_SET": JWT_PUBLIC_SIGNING_JWK_SET,
    "JWT_SUPPORTED_VERSION": "1.2.0",
    "JWT_ISSUERS": [{"ISSUER": JWT_ISSUER, "AUDIENCE": JWT_AUDIENCE, "SECRET_KEY": JWT_SECRET_KEY}],
    "JWT_DECODE_HANDLER": "edx_rest_framework_extensions.auth.jwt.decoder.jwt_decode_handler",
    "JWT_VERIFY_EXPIRATION": True,
    "JWT_VERIFY_AUDIENCE": True,
    "JWT_LEEWAY": 1,
    "JWT_EXPIRATION": 30,
    "JWT_IN_COOKIE_EXPIRATION": 60 * 60,
    "JWT_AUTH_COOKIE": "edx-jwt-cookie",
}
EDX_DRF_EXTENSIONS = {
    # As in the LMS: never update users from (possibly stale) JWT claims.
    "JWT_PAYLOAD_USER_ATTRIBUTE_MAPPING": {},
}

# ---------------------------------------------------------------- REST APIs
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",),
    "DEFAULT_PARSER_CLASSES": (
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# X-Edx-Api-Key: the configuration repo's well-known default unless overridden.
_api_key = os.environ.get("LMS_EDX_API_KEY")
EDX_API_KEY = "PUT_YOUR_API_KEY_HERE" if _api_key is None else (_api_key or None)

# openedx/core/djangoapps/enrollments/views.py EnrollmentUserThrottle
ENROLLMENT_THROTTLE_RATES = {
    "user": os.environ.get("LMS_THROTTLE_USER_RATE") or "40/minute",
    "staff": os.environ.get("LMS_THROTTLE_STAFF_RATE") or "120/minute",
}

COURSE_KEY_PATTERN = r"(?P<course_key_string>[^/+]+(/|\+)[^/+]+(/|\+)[^/?]+)"
COURSE_ID_PATTERN = COURSE_KEY_PATTERN.replace("course_key_string", "course_id")
USERNAME_REGEX_PARTIAL = r"[\w .@_+-]+"
USERNAME_PATTERN = rf"(?P<username>{USERNAME_REGEX_PARTIAL})"

HEARTBEAT_CHECKS = [
    "openedx.core.djangoapps.heartbeat.default_checks.check_modulestore",
    "openedx.core.djangoapps.heartbeat.default_checks.check_database",
]
HEARTBEAT_EXTENDED_CHECKS = []

# ---------------------------------------------------------------- logging
# Like the LMS's console handler: INFO and up to stderr (never stdout, which belongs to
# the command's own output). create_dot_application's secret line goes out here.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "standard": {"format": "%(asctime)s %(levelname)s %(process)d [%(name)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "standard"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.utils.autoreload": {"level": "WARNING"},
        "oauthlib": {"level": "WARNING"},
        "edx_django_utils": {"level": "WARNING"},
    },
}

# The admin's static files, served by the stand-in itself (no collectstatic).
STANDIN_SERVE_STATIC = True
PROJECT_DIR = PROJECT_ROOT

LOGIN_URL = "/admin/login/"

# ---------------------------------------------------------------- release differences
# Switches the `ginkgo` flavour turns off (lms/envs/ginkgo.py); today's LMS has them on.
STANDIN_RELEASE = "master"
# Global staff may enroll others, use any mode and update enrollments (PR #22884, 2020).
ENROLLMENT_GLOBAL_STAFF_PRIVILEGES = True
# The staff list `enrollments/` and `roles/` (added 2018-19; Ginkgo answers 404, §4.1).
ENROLLMENT_STAFF_ENDPOINTS = True
# GET /api/user/v1/me -> {"username": ...} (user_api, 2017-18). Whether Ginkgo has it is unconfirmed, so the
# ginkgo flavour leaves it out and the toolkit must cope without it.
USER_API_ME = True
# POST enrollment's 400 when the mode is not available for the course run.
ENROLLMENT_MODE_UNAVAILABLE_MESSAGE = (
    "The [{mode}] course mode is expired or otherwise unavailable for course run [{course_id}]."
)
# Bearer authentication refuses users with an unusable password who own no application.
BEARER_REJECTS_DISABLED_USERS = True
