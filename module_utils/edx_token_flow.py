"""What edx_token does, start to end: check the options, use the cache, wait for the LMS, mint.

Runs in the module process (on the controller for `method: endpoint`, on the LMS host for
`method: direct`). The module itself only declares options and turns errors into fail_json.

Order: options are checked first (nothing is sent before they pass); a cached token bound to the
same credentials is returned without any request (unless `cache_reuse` is false); otherwise, for
`endpoint`, /heartbeat is waited for and the token POST retried under one deadline (`timeout`), and
for `direct`, the LMS runner creates the token in one manage.py process. A fresh token is stored
in the cache (not in check mode).
"""

import time

from ansible.module_utils import edx_inlms_base, edx_inlms_tokens
from ansible.module_utils.common.validation import check_required_if
from ansible.module_utils.edx_api_probe import Timings, wait_for_heartbeat_ok
from ansible.module_utils.edx_http import (
    EdxHttpError,
    insecure_transport_warning,
    normalize_lms_url,
    require_requests,
    session_from_params,
)
from ansible.module_utils.edx_runner import LmsError, LmsRunner
from ansible.module_utils.edx_token_cache import (
    CacheError,
    fingerprint,
    iso_utc,
    lookup,
    permission_warnings,
    remaining_seconds,
    store,
    token_record,
)
from ansible.module_utils.edx_token_endpoint import (
    ENDPOINT_REQUIRED_IF,
    mint,
    scope_text,
    type_mismatch_warning,
)

PHASES = ("heartbeat", "token")


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


def mint_endpoint(module, lms_url, now, timings, clock=time.monotonic, sleep=time.sleep):
    """method endpoint: wait for /heartbeat, then POST the token endpoint, under one deadline."""
    params = module.params
    require_requests(module)
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


def mint_direct(module, lms_url, now, timings):
    """method direct: create a bearer token inside the LMS, in one manage.py shell process."""
    del lms_url, timings
    params = module.params
    if params["token_type"] == "jwt":
        raise LmsError(
            "token_type jwt needs method endpoint: the LMS signs JWTs in its token view. "
            "Use token_type bearer with method direct."
        )
    if params["expires_in"] <= 0:
        raise LmsError("expires_in must be a positive number of seconds, got %s." % params["expires_in"])
    request = {
        "check_mode": module.check_mode,
        "token": {
            "client_id": params["client_id"],
            "username": params["username"],
            "scope": scope_text(params["scope"]),
            "expires_in": params["expires_in"],
        },
    }
    answer = LmsRunner(module).run((edx_inlms_base, edx_inlms_tokens), "create_token", request)
    return token_record(answer["access_token"], "bearer", answer["expires_in"], answer["scope"], now=now)


# How a token is minted; each takes (module, lms_url, now, timings) and returns a token record.
MINTERS = {"endpoint": mint_endpoint, "direct": mint_direct}


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


def cached_token(module, key, credentials):
    """The cached record to return, or None; warns about loose modes. EdxHttpError for an unsafe cache."""
    params = module.params
    path = params["cache_path"]
    for warning in permission_warnings(path):
        module.warn(warning)
    try:
        record, problem = lookup(path, key, credentials, params["min_ttl"])
    except CacheError as exc:
        raise EdxHttpError(str(exc), cause="cache_unsafe") from None
    if problem:
        module.warn(problem)
    return record if params["cache_reuse"] else None


def remember(module, key, credentials, record):
    """Store a fresh token in the cache; only warns when it cannot (the token itself is fine)."""
    path = module.params["cache_path"]
    if record.get("expires_at") is None:
        module.warn("The LMS did not say when the token expires (no expires_in), so it was not cached.")
        return
    try:
        store(path, key, record, credentials)
    except (OSError, CacheError) as exc:
        module.warn("Could not write the token cache %s (%s); the token was not cached." % (path, exc))


def obtain_token(module, clock=time.monotonic):
    """edx_token's result dict; raises EdxHttpError or LmsError (the module turns them into fail_json)."""
    params = module.params
    lms_url = checked_lms_url(params)
    if params["method"] == "endpoint":
        warning = insecure_transport_warning(lms_url, params["validate_certs"])
        if warning:
            module.warn(warning)
    timings = Timings(clock, PHASES)
    key, credentials = cache_identity(params, lms_url)
    cache_path = params["cache_path"]
    if cache_path:
        record = cached_token(module, key, credentials)
        if record is not None:
            return token_result(record, True, time.time(), timings)

    now = time.time()
    record = MINTERS[params["method"]](module, lms_url, now, timings)
    mismatch = type_mismatch_warning(params["token_type"], record)
    if mismatch:
        module.warn(mismatch)
    if cache_path and not module.check_mode:
        remember(module, key, credentials, record)
    return token_result(record, False, now, timings)
