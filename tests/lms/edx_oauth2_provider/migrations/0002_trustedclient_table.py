"""TrustedClient's table as edx-oauth2-provider names it (oauth2_provider_trustedclient)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("edx_oauth2_provider", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="trustedclient", table="oauth2_provider_trustedclient"),
    ]
