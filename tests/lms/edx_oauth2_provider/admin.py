from django.contrib import admin

from edx_oauth2_provider.models import TrustedClient

admin.site.register(TrustedClient)
