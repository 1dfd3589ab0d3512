"""DOP's admin pages: /admin/oauth2/client/ is how Ginkgo operators made clients by hand."""

from django.contrib import admin

from provider.oauth2.models import AccessToken, Client, Grant, RefreshToken


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("url", "user", "redirect_uri", "client_id", "client_type")
    raw_id_fields = ("user",)


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "client", "token", "expires", "scope")
    raw_id_fields = ("user",)


admin.site.register(Grant)
admin.site.register(RefreshToken)
