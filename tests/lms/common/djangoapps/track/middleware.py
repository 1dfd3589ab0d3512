"""
What the LMS's TrackMiddleware (common/djangoapps/track/middleware.py, the same on Ginkgo and
today) records of every request: its GET and POST fields as JSON, cut to 512 characters, with
only the password fields in CENSORED replaced by eight stars, for every path that no pattern of
TRACKING_IGNORE_URL_PATTERNS matches (/oauth2/ is recorded). Headers, Authorization included, are
not recorded. The real event goes to the tracking log; the stand-in appends it as one JSON line to
TRACKING_LOG (<state dir>/tracking.log) so tests can read what an operator's log would hold.
"""

import json
import re
import threading

from django.conf import settings

CENSORED = ("password", "newpassword", "new_password", "oldpassword", "old_password", "new_password1", "new_password2")
_lock = threading.Lock()


def _censored(fields):
    fields = dict(fields.lists())
    for name in CENSORED:
        if name in fields:
            fields[name] = "*" * 8
    return fields


class TrackMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.META.get("PATH_INFO", "")
        if not any(re.match(pattern, path) for pattern in settings.TRACKING_IGNORE_URL_PATTERNS):
            try:
                event = json.dumps({"GET": _censored(request.GET), "POST": _censored(request.POST)})[:512]
            except Exception:  # noqa: BLE001 - the real middleware records an exception event instead
                event = {"event-type": "exception"}
            line = json.dumps({"event_source": "server", "event_type": path, "event": event})
            with _lock, open(settings.TRACKING_LOG, "a", encoding="utf-8") as log:
                log.write(line + "\n")
        return self.get_response(request)
