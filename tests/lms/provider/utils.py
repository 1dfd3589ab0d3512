"""Token and expiry helpers (provider/utils.py): 40-hex long tokens, 20-hex short ones."""

import hashlib
import json
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from provider import constants


def long_token():
    """A 40-character hex token (DOP: sha1 of a random uuid): access tokens, secrets."""
    return hashlib.sha1(uuid.uuid4().hex.encode(), usedforsecurity=False).hexdigest()


def short_token():
    """A 20-character hex token: DOP's default client_id."""
    return hashlib.sha1(uuid.uuid4().hex.encode(), usedforsecurity=False).hexdigest()[::2]


def get_token_expiry(public=True):
    """When a new token expires: 30 days for public clients, 365 days for confidential ones."""
    delta = constants.EXPIRE_DELTA_PUBLIC if public else constants.EXPIRE_DELTA
    return timezone.now() + delta


def serialize_instance(instance):
    """Every public attribute of a model instance, JSON-safe (a user: its whole row, hash included)."""
    fields = {key: value for key, value in instance.__dict__.items() if not key.startswith("_")}
    return json.loads(json.dumps(fields, cls=DjangoJSONEncoder))
