"""TrustedClient (edx_oauth2_provider/models.py): a DOP client that skips the consent screen."""

from django.db import models
from provider.oauth2.models import Client


class TrustedClient(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE)

    class Meta:
        app_label = "edx_oauth2_provider"
        db_table = "oauth2_provider_trustedclient"  # edx-oauth2-provider 1.2.0's own table name

    def __str__(self):
        return str(self.client)
