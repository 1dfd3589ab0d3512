"""
Views that dispatch OAuth2 requests to the OAuth2 library, as upstream's
oauth_dispatch/views.py: AccessTokenView wraps django-oauth-toolkit's TokenView and,
when asked (token_type=jwt form field, or X-Token-Type header), turns a successful
response into a signed JWT. With OAUTH2_PROVIDER_FLAVOR "dop" (the `ginkgo` flavour) a
request whose POSTed client_id is not a DOT application goes to DOP instead, exactly as
the Ginkgo-era dispatch did (so a DOT client using HTTP Basic only lands in DOP).
"""

import json

from django.conf import settings
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from oauth2_provider import views as dot_views
from oauth2_provider.models import get_application_model

from openedx.core.djangoapps.oauth_dispatch import adapters
from openedx.core.djangoapps.oauth_dispatch.jwt import create_jwt_token_dict


class _DispatchingView(View):
    """Route to the view of the OAuth2 library that owns the client."""

    dot_adapter = adapters.DOTAdapter()
    dop_adapter = adapters.DOPAdapter()
    dop_view = None  # dotted path of DOP's view, for views DOP answers in the `ginkgo` flavour

    def get_adapter(self, request):
        if getattr(settings, "OAUTH2_PROVIDER_FLAVOR", "dot") != "dop" or not self.dop_view:
            return self.dot_adapter
        client_id = self._get_client_id(request)
        if client_id and get_application_model().objects.filter(client_id=client_id).exists():
            return self.dot_adapter
        return self.dop_adapter

    def dispatch(self, request, *args, **kwargs):
        backend = self.select_backend(request)
        view = self.get_view_for_backend(backend)
        return view(request, *args, **kwargs)

    def select_backend(self, request):
        return self.get_adapter(request).backend

    def get_view_for_backend(self, backend):
        if backend == self.dot_adapter.backend:
            return self.dot_view.as_view()
        if backend == self.dop_adapter.backend:
            return import_string(self.dop_view).as_view()
        raise KeyError(f"Failed to dispatch view. Invalid backend {backend}")

    def _get_client_id(self, request):
        if request.method == "GET":
            return request.GET.get("client_id")
        return request.POST.get("client_id")


def _get_token_type(request):
    """token_type form field, else the X-Token-Type header."""
    default_token_type = request.META.get("HTTP_X_TOKEN_TYPE", "no_token_type_supplied")
    return request.POST.get("token_type", default_token_type).lower()


class AccessTokenView(_DispatchingView):
    dot_view = dot_views.TokenView
    dop_view = "edx_oauth2_provider.views.AccessTokenView"

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200 and _get_token_type(request) == "jwt":
            response.content = self._get_jwt_content_from_access_token_content(request, response)
        return response

    def _get_jwt_content_from_access_token_content(self, request, response):
        opaque_token_dict = json.loads(response.content.decode("utf-8"))
        use_asymmetric_key = request.POST.get("asymmetric_jwt", False)
        jwt_token_dict = create_jwt_token_dict(
            opaque_token_dict, self.get_adapter(request), use_asymmetric_key=use_asymmetric_key
        )
        return json.dumps(jwt_token_dict)


class RevokeTokenView(_DispatchingView):
    dot_view = dot_views.RevokeTokenView


class AuthorizationView(_DispatchingView):
    dot_view = dot_views.AuthorizationView


access_token_view = csrf_exempt(AccessTokenView.as_view())
revoke_token_view = csrf_exempt(RevokeTokenView.as_view())
authorize_view = csrf_exempt(AuthorizationView.as_view())
