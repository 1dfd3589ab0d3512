"""
How DOP's token endpoint finds the client (provider/oauth2/backends.py): HTTP Basic
`client_id:client_secret` taken as it is (not form-decoded; a second `:` anywhere makes it
unreadable), else the `client_id` + `client_secret` form fields (exact match);
edx-oauth2-provider adds a public client naming only its `client_id` on a password grant
whose credentials are right. Each returns the Client or None.
"""

import base64
import binascii

from provider import constants
from provider.oauth2.models import Client


def basic_client(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        client_id, client_secret = base64.b64decode(value.strip()).decode("utf-8").split(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return _client(client_id, client_secret)


def request_params_client(request):
    return _client(request.POST.get("client_id"), request.POST.get("client_secret"))


def public_password_client(request, authenticate_user):
    """A public client on a password grant, when the user's credentials are right."""
    if request.POST.get("grant_type") != "password" or not request.POST.get("client_id"):
        return None
    if authenticate_user(request.POST.get("username"), request.POST.get("password")) is None:
        return None
    client = Client.objects.filter(client_id=request.POST["client_id"]).first()
    if client is None or client.client_type != constants.PUBLIC:
        return None
    return client


def _client(client_id, client_secret):
    if not client_id or not client_secret:
        return None
    return Client.objects.filter(client_id=client_id, client_secret=client_secret).first()
