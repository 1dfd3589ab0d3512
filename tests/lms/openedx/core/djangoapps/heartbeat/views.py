"""GET /heartbeat: 200 when every check passes, else 503 (heartbeat/views.py)."""

import logging

from django.http import JsonResponse

from openedx.core.djangoapps.heartbeat.runchecks import runchecks

log = logging.getLogger(__name__)


def heartbeat(request):
    check_results = {}
    try:
        check_results = runchecks("extended" in request.GET)
        status_code = 200
        for check in check_results:
            if not check_results[check]["status"]:
                status_code = 503
    except Exception as exc:
        status_code = 503
        check_results = {"error": str(exc)}
    if status_code == 503:
        log.error("Heartbeat check failed (%s): %s", status_code, check_results)
    return JsonResponse(check_results, status=status_code)
