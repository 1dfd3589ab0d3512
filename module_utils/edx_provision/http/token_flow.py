# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What edx_token does, start to end: check the options, use the cache, wait for the LMS, mint.

Runs where the token is minted: in the module process for `method: endpoint` (normally on the
controller), in the action plugin on the controller for `method: direct` (lms/direct_token.py
gives the minter). The caller only declares options and turns errors into a failure.

Order: options are checked first (nothing is sent before they pass); a cached token bound to the
same credentials is returned after one request proves the LMS still accepts it (token_proof; not
with `cache_reuse` false); a refused one is dropped from the cache and a new one minted, once. Otherwise
the minter makes one: for `endpoint`, /heartbeat is waited for and the token POST retried under one
deadline (`timeout`). A fresh token is stored in the cache (not in check mode).
"""

import time

from ansible.module_utils.common.validation import check_required_if

from ..lms_options import LMS_REQUIRED_IF, lms_argument_spec
from ..vocabulary import iso_utc
from .probe import Timings, wait_for_heartbeat_ok
from .session import (
    EdxHttpError,
    http_argument_spec,
    insecure_transport_warning,
    normalize_lms_url,
    session_from_params,
)
from .token_cache import (
    CacheError,
    fingerprint,
    forget,
    lookup,
    permission_warnings,
    remaining_seconds,
    store,
)
from .token_endpoint import (
    ENDPOINT_REQUIRED_IF,
    endpoint_argument_spec,
    mint,
    scope_text,
    type_mismatch_warning,
)
from .token_proof import lms_refuses

PHASES = ("cache_check", "heartbeat", "token")
TOKEN_REQUIRED_IF = LMS_REQUIRED_IF + [("method", "endpoint", ["lms_url"])]


def token_argument_spec():
    """edx_token's whole argument spec, read by its module file and by the action plugin (method direct)."""
    spec = http_argument_spec()
    spec.update(endpoint_argument_spec())
    spec.update(lms_argument_spec())
    spec.update(
        method=dict(type="str", default="endpoint", choices=["endpoint", "direct"]),
        lms_url=dict(type="str"),
        cache_path=dict(type="path"),
        cache_reuse=dict(type="bool", default=True),
        min_ttl=dict(type="int", default=300),
        expires_in=dict(type="int", default=36000),
        wait_for_heartbeat=dict(type="bool", default=True),
        timeout=dict(type="float", default=60),
    )
    return spec


def checked_lms_url(params):
    """The normalised lms_url ('' when not given with method direct); EdxHttpError for bad options."""
    try:
        if params["method"] == "endpoint":
            check_required_if(ENDPOINT_REQUIRED_IF, params)
        lms_url = normalize_lms_url(params["lms_url"]) if params["lms_url"] else ""
    except (TypeError, ValueError) as exc:
        raise EdxHttpError(str(exc), cause="bad_option") from None
    for name, low in (("min_ttl", 0), ("timeout", 0.001), ("request_timeout", 0.001)):
        if params[name] < low:
            raise EdxHttpError(
                "%s must be %s seconds, got %s" % (name, "0 or more" if low == 0 else "more than 0", params[name]),
                cause="bad_option",
            )
    return lms_url


def cache_identity(params, lms_url):
    """(fingerprint, credentials) of the token asked for: what the cache keys on, and binds it to."""
    grant = params["grant_type"] if params["method"] == "endpoint" else "direct"
    key = fingerprint(
        lms_url, params["client_id"], grant, params["username"], params["token_type"], scope_text(params["scope"])
    )
    credentials = [params["client_secret"], params["password"]] if params["method"] == "endpoint" else []
    return key, credentials


def mint_endpoint(params, lms_url, now, timings, clock=time.monotonic, sleep=time.sleep):
    """method endpoint: wait for /heartbeat, then POST the token endpoint, under one deadline."""
    session = session_from_params(params, retries=0)  # the deadline loops retry
    deadline = timings.start + params["timeout"]
    if params["wait_for_heartbeat"]:
        wait_for_heartbeat_ok(session, lms_url, deadline, params["request_timeout"], timings, clock, sleep)
    return mint(
        session,
        lms_url,
        params,
        params["request_timeout"],
        now=now,
        deadline=deadline,
        timings=timings,
        clock=clock,
        sleep=sleep,
    )


def token_result(record, cached, now, timings):
    expires_at = record.get("expires_at")
    return dict(
        changed=False,
        token=record["token"],
        token_type=record["token_type"],
        expires_in=remaining_seconds(record, now),
        expires_at=None if expires_at is None else iso_utc(expires_at),
        scope=record.get("scope") or "",
        cached=cached,
        timings=timings.result(),
    )


def cached_token(params, warn, key, credentials):
    """The cached record to return, or None; warns about loose modes. EdxHttpError for an unsafe cache."""
    path = params["cache_path"]
    try:
        record, problem = lookup(path, key, credentials, params["min_ttl"])
    except CacheError as exc:
        raise EdxHttpError(str(exc), cause="cache_unsafe") from None
    for warning in permission_warnings(path):  # about a file that is a token cache, not one refused above
        warn(warning)
    if problem:
        warn(problem)
    return record if params["cache_reuse"] else None


def remember(path, warn, key, credentials, record):
    """Store a fresh token in the cache; only warns when it cannot (the token itself is fine)."""
    if record.get("expires_at") is None:
        warn("The LMS did not say when the token expires (no expires_in), so it was not cached.")
        return
    try:
        store(path, key, record, credentials)
    except (OSError, CacheError) as exc:
        warn("Could not write the token cache %s (%s); the token was not cached." % (path, exc))


def drop(path, warn, key):
    """Remove a token the LMS refused from the cache; only warns when it cannot."""
    try:
        forget(path, key)
    except (OSError, CacheError) as exc:
        warn("Could not remove the refused token from the token cache %s (%s)." % (path, exc))


def obtain_token(params, check_mode, warn, minter, clock=time.monotonic):
    """edx_token's result dict; raises EdxHttpError or LmsError (the caller turns them into a failure).

    `minter(params, lms_url, now, timings)` makes a token record: `mint_endpoint`, or the direct one.
    """
    lms_url = checked_lms_url(params)
    if params["method"] == "endpoint":
        warning = insecure_transport_warning(lms_url, params["validate_certs"])
        if warning:
            warn(warning)
    timings = Timings(clock, PHASES)
    key, credentials = cache_identity(params, lms_url)
    cache_path = params["cache_path"]
    if cache_path:
        record = cached_token(params, warn, key, credentials)
        if record is not None and not (lms_url and lms_refuses(params, lms_url, record, timings, clock)):
            return token_result(record, True, time.time(), timings)
        if record is not None:
            warn(
                "The LMS refused the cached token (HTTP 401: revoked, signed with an old key, or expired by the "
                "LMS's clock); it was dropped from %s and a new one minted." % cache_path
            )
            if not check_mode:
                drop(cache_path, warn, key)

    now = time.time()
    record = minter(params, lms_url, now, timings)
    mismatch = type_mismatch_warning(params["token_type"], record)
    if mismatch:
        warn(mismatch)
    if cache_path and not check_mode:
        remember(cache_path, warn, key, credentials, record)
    return token_result(record, False, now, timings)
