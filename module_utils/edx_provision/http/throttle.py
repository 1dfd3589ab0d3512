# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keep under the LMS's enrollment API throttle, and wait as it says when throttled anyway.

The LMS's EnrollmentUserThrottle is Django REST framework's sliding window: at most N requests of
one user in any 60 seconds (N = 40 for users, 120 for staff; requests with the API key are never
throttled). The Pacer keeps the same window on the client side, so a lone client never meets a
429; when other clients share the user's budget the LMS answers 429 with Retry-After, and
retry_delay() says how long to wait. Clock and sleep are injected so tests need no real waiting.
"""

import collections
import email.utils
import time

WINDOW = 60.0
# The LMS records a request between our send and our receipt; counting from receipt plus this
# margin keeps us on the safe side of its window.
MARGIN = 0.05


class Pacer:
    """At most `per_minute` requests in any WINDOW seconds (None or 0: no limit)."""

    def __init__(self, per_minute=None, clock=time.monotonic, sleep=time.sleep):
        self.per_minute = per_minute or None
        self.clock = clock
        self.sleep = sleep
        self.stamps = collections.deque()
        self.waited = 0.0

    def _forget_old(self, now):
        while self.stamps and self.stamps[0] <= now - WINDOW:
            self.stamps.popleft()

    def delay(self):
        """Seconds to wait before the next request may go."""
        if not self.per_minute:
            return 0.0
        now = self.clock()
        self._forget_old(now)
        if len(self.stamps) < self.per_minute:
            return 0.0
        return max(0.0, self.stamps[0] + WINDOW + MARGIN - now)

    def wait(self):
        """Sleep until the window has room; returns the seconds slept."""
        seconds = self.delay()
        if seconds > 0:
            self.sleep(seconds)
            self.waited += seconds
        return seconds

    def record(self):
        """Count a request the LMS has answered (call after the response arrived)."""
        self.stamps.append(self.clock())


def retry_delay(headers, fallback, now=None):
    """Seconds a 429's Retry-After asks for (delta seconds or an HTTP date), else `fallback`."""
    value = (headers or {}).get("Retry-After")
    if value is None:
        return fallback
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return fallback
    if when is None:
        return fallback
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)
