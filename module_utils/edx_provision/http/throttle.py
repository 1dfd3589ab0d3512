# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keep under the LMS's enrollment API throttle, and wait as it says when throttled anyway.

The LMS's EnrollmentUserThrottle is Django REST framework's sliding window: at most N requests of
one user in any 60 seconds (N = 40 for users, 120 for staff; requests with the API key are never
throttled), every enrollment API request of that user counted, GETs included. The Pacer keeps the
same window on the client side. It cannot see what the user did before it started, and the LMS
says nothing about its count until it answers 429, so:
  - it starts with EARLIER_CALLS requests counted at its start: the role's calls just before
    (the cached token's proof, the API check's list and roles/ reads), so a run after them meets
    no 429;
  - on a 429 (calls it did not make: an earlier run in the same minute, another client) it takes
    the LMS's window as full, counting the calls it did not see at that moment (full()), and waits
    as Retry-After says (retry_delay()); from then on it meets no further 429 unless others keep
    calling.
Clock and sleep are injected so tests need no real waiting.
"""

import collections
import email.utils
import math
import time

WINDOW = 60.0
# The LMS records a request between our send and our receipt; counting from receipt plus this
# margin keeps us on the safe side of its window.
MARGIN = 0.05
# Enrollment API requests of the same user the role makes just before edx_enrollment: the cached
# token's proof (edx_token), the API check's enrollment list and roles/ (edx_api_check).
EARLIER_CALLS = 3
MAX_RETRY_AFTER = 86400.0  # seconds; a Retry-After beyond a day is read as a day


class Pacer:
    """At most `per_minute` requests in any WINDOW seconds (None or 0: no limit)."""

    def __init__(self, per_minute=None, clock=time.monotonic, sleep=time.sleep):
        self.per_minute = per_minute or None
        self.clock = clock
        self.sleep = sleep
        self.stamps = collections.deque([clock()] * EARLIER_CALLS if self.per_minute else [])
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

    def full(self):
        """The LMS answered 429: its window holds per_minute requests, some not ours. Count those now
        (the latest they can have been made), so the next requests wait until they age out."""
        if not self.per_minute:
            return
        now = self.clock()
        self._forget_old(now)
        self.stamps.extend([now] * max(0, self.per_minute - len(self.stamps)))

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
        seconds = float(value)
    except ValueError:
        pass
    else:  # "inf", "nan" and absurd values are no delay a client can keep: a day at most
        return min(max(0.0, seconds), MAX_RETRY_AFTER) if math.isfinite(seconds) else fallback
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return fallback
    if when is None:
        return fallback
    now = time.time() if now is None else now
    return min(max(0.0, when.timestamp() - now), MAX_RETRY_AFTER)
