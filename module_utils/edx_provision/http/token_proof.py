# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ask the LMS whether it still accepts a cached token, before edx_token hands it out again.

A cached token can be refused although the cache thinks it fresh: the LMS revoked it, its JWT
signing key changed, or the controller's clock disagrees with the LMS's about its expiry. One GET of
the enrollment list (what the role's API check reads anyway) answers 200 for a token the LMS takes
and 401 for one it refuses. Only a 401 counts as a refusal: any other answer, or none, says nothing
about the token, which is then kept as before.
"""

import time

from .probe import ENROLLMENT_PATH, getter
from .session import HAS_REQUESTS, EdxHttpError, auth_scheme, session_from_params

if HAS_REQUESTS:
    import requests


def lms_refuses(params, lms_url, record, timings, clock=time.monotonic):
    """True when the LMS answers 401 to one authenticated GET with the cached token `record`."""
    if not HAS_REQUESTS:  # method direct on a controller without requests: cannot ask
        return False
    started = clock()
    session = session_from_params(params, retries=0)
    headers = {"Authorization": "%s %s" % (auth_scheme(record["token"], record.get("token_type")), record["token"])}
    try:  # a redirect is followed only on lms_url's origin, as the API check does: the token goes nowhere else
        response = getter(session, lms_url + ENROLLMENT_PATH, headers)(params["request_timeout"])
    except (requests.exceptions.RequestException, EdxHttpError):
        return False
    finally:
        timings.record("cache_check", started, 1)
    return response.status_code == 401
