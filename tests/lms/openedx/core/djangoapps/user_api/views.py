"""GET /api/user/v1/me: the caller's username (user_api/accounts/views.py, AccountViewSet.get).

Same authentication as the real view (JWT, Bearer with inactive users, session) and IsAuthenticated:
200 {"username": ...}, 401 without credentials.
"""

from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from edx_rest_framework_extensions.auth.session.authentication import SessionAuthenticationAllowInactiveUser
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from openedx.core.lib.api.authentication import BearerAuthenticationAllowInactiveUser


class OwnUsernameView(APIView):
    authentication_classes = (
        JwtAuthentication,
        BearerAuthenticationAllowInactiveUser,
        SessionAuthenticationAllowInactiveUser,
    )
    permission_classes = (permissions.IsAuthenticated,)

    def get(self, request):
        return Response({"username": request.user.username})
