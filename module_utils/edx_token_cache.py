"""A token cache file, so repeated plays reuse a token instead of minting one per run.

One JSON file holds several tokens, each under a fingerprint of what identifies it (LMS, client,
grant, user, token type, scope). A token is reused while more than `min_ttl` seconds remain. The
file is private (mode 0600) and replaced atomically, so a crash or a parallel reader never sees half
a file. Parallel writers may drop each other's entries; that only costs a fresh mint.
"""

import hashlib
import json
import os
import stat
import tempfile
import time
from datetime import datetime, timezone

CACHE_VERSION = 1


def fingerprint(lms_url, client_id, grant_type, username, token_type, scope):
    """A stable key for one kind of token; secrets are not part of it (they do not change the token's identity)."""
    scope_text = " ".join(sorted((scope or "").split()))
    identity = [lms_url.rstrip("/"), client_id, grant_type, username or "", token_type, scope_text]
    return hashlib.sha256(json.dumps(identity).encode("utf-8")).hexdigest()


def iso_utc(epoch):
    """ISO 8601 in UTC with a Z, to the second: 2026-01-31T12:00:00Z."""
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def token_record(access_token, token_type, expires_in, scope, now=None):
    """The shape every minting method hands back and the cache stores.

    expires_at is an epoch number (None when the LMS did not say); token_type is bearer or jwt.
    """
    now = time.time() if now is None else now
    expires_at = None if expires_in is None else now + int(expires_in)
    return {
        "token": access_token,
        "token_type": token_type,
        "expires_at": expires_at,
        "scope": scope or "",
    }


def remaining_seconds(record, now=None):
    """Whole seconds left before the token expires (0 when expired); None when unknown."""
    if record.get("expires_at") is None:
        return None
    now = time.time() if now is None else now
    return max(0, int(record["expires_at"] - now))


def is_fresh(record, min_ttl, now=None):
    """True while the token has more than min_ttl seconds left; unknown expiry is never fresh."""
    left = remaining_seconds(record, now)
    return left is not None and left > min_ttl and bool(record.get("token"))


def read_entries(path):
    """(entries, problem): the cached records by fingerprint; a missing file is an empty cache.

    An unreadable or corrupt file is reported as `problem` and treated as empty, so it gets rewritten.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError) as exc:
        return {}, "token cache %s is unreadable (%s); it will be replaced" % (path, exc)
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("tokens"), dict):
        return {}, "token cache %s has an unknown format; it will be replaced" % path
    entries = {k: v for k, v in data["tokens"].items() if isinstance(v, dict)}
    return entries, None


def lookup(path, key, min_ttl, now=None):
    """(record or None, problem): the cached token for `key` if it has more than min_ttl seconds left."""
    entries, problem = read_entries(path)
    record = entries.get(key)
    if record is not None and is_fresh(record, min_ttl, now):
        return record, problem
    return None, problem


def loose_permissions(path):
    """True when the cache file exists and group or others may read or write it."""
    try:
        return bool(stat.S_IMODE(os.stat(path).st_mode) & 0o077)
    except OSError:
        return False


def store(path, key, record, now=None):
    """Add `record` under `key`, drop expired entries, and replace the file atomically with mode 0600."""
    now = time.time() if now is None else now
    entries, _problem = read_entries(path)
    entries = {k: v for k, v in entries.items() if remaining_seconds(v, now)}
    entries[key] = record
    write_atomic(path, {"version": CACHE_VERSION, "tokens": entries})


def write_atomic(path, data):
    """Write JSON to a private temporary file next to `path`, then rename it over `path`."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".edx-token-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
