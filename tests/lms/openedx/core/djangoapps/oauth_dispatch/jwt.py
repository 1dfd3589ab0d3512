"""
JWTs the way the LMS builds them (openedx/core/djangoapps/oauth_dispatch/jwt.py):
same claims, lifetimes and signing choices, written against PyJWT.
"""

import functools
import json
import logging
from time import time

import jwt as pyjwt
from common.djangoapps.student.models import UserProfile, anonymous_id_for_user
from django.conf import settings
from jwt.api_jwk import PyJWK
from jwt.utils import base64url_encode
from oauth2_provider.models import get_application_model

log = logging.getLogger(__name__)


def create_jwt_for_user(user, secret=None, aud=None, additional_claims=None, scopes=None):
    """A JWT identifying `user` without an access token behind it."""
    return _create_jwt(
        user,
        scopes=scopes,
        expires_in=_get_jwt_access_token_expire_seconds(),
        aud=aud,
        additional_claims=additional_claims,
        secret=secret,
        use_asymmetric_key=False,
    )


def create_jwt_token_dict(token_dict, oauth_adapter, use_asymmetric_key=None):
    """The token response dict with its opaque access token replaced by a JWT."""
    access_token = oauth_adapter.get_access_token(token_dict["access_token"])
    client = oauth_adapter.get_client_for_token(access_token)

    jwt_expires_in = _get_jwt_access_token_expire_seconds()
    try:
        grant_type = oauth_adapter.get_grant_type(access_token)
    except Exception:
        grant_type = "unknown-error"
        log.exception("Unable to get grant_type from access token.")

    scopes = _get_updated_scopes(token_dict["scope"].split(), grant_type)
    jwt_access_token = _create_jwt(
        access_token.user,
        scopes=scopes,
        expires_in=jwt_expires_in,
        use_asymmetric_key=use_asymmetric_key,
        is_restricted=oauth_adapter.is_client_restricted(client),
        filters=oauth_adapter.get_authorization_filters(client),
        grant_type=grant_type,
    )

    jwt_token_dict = token_dict.copy()
    # Only "refresh_token" is kept from the opaque response.
    jwt_token_dict.update(
        {
            "access_token": jwt_access_token,
            "token_type": "JWT",
            "expires_in": jwt_expires_in,
            "scope": " ".join(scopes),
        }
    )
    return jwt_token_dict


def _get_jwt_access_token_expire_seconds():
    return getattr(settings, "JWT_ACCESS_TOKEN_EXPIRE_SECONDS", 60 * 60)


def _get_use_asymmetric_key_value(is_restricted, use_asymmetric_key):
    if getattr(settings, "JWT_AUTH_FORCE_CREATE_ASYMMETRIC", False):
        return True
    return bool(use_asymmetric_key or is_restricted)


def _compute_time_fields(expires_in):
    now = int(time())
    expires_in = expires_in or settings.JWT_AUTH["JWT_EXPIRATION"]
    return now, now + expires_in


def _create_jwt(
    user,
    scopes=None,
    expires_in=None,
    is_restricted=False,
    filters=None,
    aud=None,
    additional_claims=None,
    use_asymmetric_key=None,
    secret=None,
    grant_type=None,
):
    use_asymmetric_key = _get_use_asymmetric_key_value(is_restricted, use_asymmetric_key)
    # `email` and `profile` are the legacy defaults.
    scopes = scopes or ["email", "profile"]
    iat, exp = _compute_time_fields(expires_in)

    payload = {
        "aud": aud if aud else settings.JWT_AUTH["JWT_AUDIENCE"],
        "exp": exp,
        "grant_type": grant_type or "",
        "iat": iat,
        "iss": settings.JWT_AUTH["JWT_ISSUER"],
        "preferred_username": user.username,
        "scopes": scopes,
        "version": settings.JWT_AUTH["JWT_SUPPORTED_VERSION"],
        "sub": anonymous_id_for_user(user, None),
        "filters": filters or [],
        "is_restricted": is_restricted,
        "email_verified": user.is_active,
    }
    payload.update(additional_claims or {})
    _update_from_additional_handlers(payload, user, scopes)
    return _encode_and_sign(payload, use_asymmetric_key, secret)


def _update_from_additional_handlers(payload, user, scopes):
    handlers = {"user_id": _attach_user_id_claim, "email": _attach_email_claim, "profile": _attach_profile_claim}
    for scope in scopes:
        handler = handlers.get(scope)
        if handler:
            handler(payload, user)


def _attach_user_id_claim(payload, user):
    payload["user_id"] = user.id


def _attach_email_claim(payload, user):
    payload["email"] = user.email


def _attach_profile_claim(payload, user):
    try:
        name = UserProfile.objects.get(user=user).name
    except UserProfile.DoesNotExist:
        name = None
    payload.update(
        {
            "name": name,
            "family_name": user.last_name,
            "given_name": user.first_name,
            "administrator": user.is_staff,
            "superuser": user.is_superuser,
        }
    )


@functools.lru_cache(maxsize=4)
def _private_signing_key(serialized_jwk, algorithm):
    """Loading an RSA private key validates it (tens of ms): do it once per key."""
    key = json.loads(serialized_jwk)
    return PyJWK(key, algorithm).key, key.get("kid")


def _encode_and_sign(payload, use_asymmetric_key, secret):
    if use_asymmetric_key:
        algorithm = settings.JWT_AUTH["JWT_SIGNING_ALGORITHM"]
        key, kid = _private_signing_key(settings.JWT_AUTH["JWT_PRIVATE_SIGNING_JWK"], algorithm)
        headers = {"kid": kid} if kid else None
        return pyjwt.encode(payload, key, algorithm=algorithm, headers=headers)
    secret = secret if secret else settings.JWT_AUTH["JWT_SECRET_KEY"]
    key = {"k": base64url_encode(secret.encode("utf-8")).decode(), "kty": "oct"}
    algorithm = settings.JWT_AUTH["JWT_ALGORITHM"]
    jwk = PyJWK(key, algorithm)
    return pyjwt.encode(payload, jwk.key, algorithm=algorithm)


def _get_updated_scopes(scopes, grant_type):
    """Scopes for the JWT: `user_id` is added for the password grant."""
    scopes = scopes or ["email", "profile"]
    if grant_type == get_application_model().GRANT_PASSWORD and "user_id" not in scopes:
        scopes.append("user_id")
    return scopes
