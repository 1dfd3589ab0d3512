"""openedx.core.lib.request_utils: the current request, or an empty stand-in outside one."""

import crum
from django.http import HttpRequest


def get_request_or_stub():
    request = crum.get_current_request()
    if request is None:
        return HttpRequest()
    return request
