"""
DOP's models (provider/oauth2/models.py of edx's django-oauth2-provider 1.1.x), tables
oauth2_client, oauth2_grant, oauth2_accesstoken, oauth2_refreshtoken (contract §2.2):

* Client: user (nullable), name, url, redirect_uri, client_id, client_secret (random
  defaults), client_type (0 confidential, 1 public), logout_uri (edx's addition);
* AccessToken: user (required: a client without a user cannot mint client-credentials
  tokens), token, client, expires (365 or 30 days by client type), scope (int bitmask);
* RefreshToken: user, token, access_token (1:1), client, expired; Grant for auth codes.
Secrets are stored in clear, as DOP does.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from provider import constants
from provider.utils import get_token_expiry, long_token, serialize_instance, short_token


class Client(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="oauth2_client", blank=True, null=True, on_delete=models.CASCADE
    )
    name = models.CharField(max_length=255, blank=True)
    url = models.URLField(help_text="Your application's URL.")
    redirect_uri = models.URLField(help_text="Your application's callback URL")
    client_id = models.CharField(max_length=255, default=short_token)
    client_secret = models.CharField(max_length=255, default=long_token)
    client_type = models.IntegerField(choices=constants.CLIENT_TYPES)
    logout_uri = models.URLField(help_text="Your application's logout URL", null=True, blank=True)

    class Meta:
        db_table = "oauth2_client"

    def __str__(self):
        return self.redirect_uri

    def serialize(self):
        """The client as a dict, the owner as a dict of its whole row (password hash included)."""
        return {
            "user": serialize_instance(self.user) if self.user else None,
            "name": self.name,
            "url": self.url,
            "redirect_uri": self.redirect_uri,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "client_type": self.client_type,
            "logout_uri": self.logout_uri,
        }


class Grant(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    client = models.ForeignKey(Client, on_delete=models.CASCADE)
    code = models.CharField(max_length=255, default=long_token)
    expires = models.DateTimeField()
    redirect_uri = models.CharField(max_length=255, blank=True)
    scope = models.IntegerField(default=0)
    nonce = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        db_table = "oauth2_grant"


class AccessToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    token = models.CharField(max_length=255, default=long_token, db_index=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE)
    expires = models.DateTimeField()
    scope = models.IntegerField(default=2)

    class Meta:
        db_table = "oauth2_accesstoken"

    def __str__(self):
        return self.token

    def save(self, *args, **kwargs):
        if not self.expires:
            self.expires = get_token_expiry(public=self.client.client_type == constants.PUBLIC)
        super().save(*args, **kwargs)

    def get_expire_delta(self, reference=None):
        """Seconds until expiry, as DOP reports it in `expires_in` (a year minus one second)."""
        reference = reference or timezone.now()
        delta = self.expires - reference
        return delta.days * 86400 + delta.seconds


class RefreshToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    token = models.CharField(max_length=255, default=long_token)
    access_token = models.OneToOneField(AccessToken, related_name="refresh_token", on_delete=models.CASCADE)
    client = models.ForeignKey(Client, on_delete=models.CASCADE)
    expired = models.BooleanField(default=False)

    class Meta:
        db_table = "oauth2_refreshtoken"

    def __str__(self):
        return self.token
