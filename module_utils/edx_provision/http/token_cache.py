# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A token cache file, so repeated plays reuse a token instead of minting one per run.

One JSON file holds several tokens, each under a fingerprint of what identifies it (LMS, client,
grant, user, token type, scope). Each entry is also bound to the credentials it was minted with: it
carries an HMAC-SHA256 of the client secret and password, keyed with a random key kept in the same
file (never the secrets themselves), and is reused only when the credentials given now produce the
same HMAC. A token is reused while more than `min_ttl` seconds remain; one the LMS refuses is
dropped (forget).

The file must be a regular file owned by the user running the module: a symlink or another user's
file is refused (CacheError), never followed or rewritten. A file or folder other users may read or
write gives a warning. Writers take an exclusive lock (a `.lock` file next to it), re-read, add their
entry and replace the file atomically with mode 0600, so parallel runs lose no entries and a reader
never sees half a file. Missing parent folders are created with mode 0700.
"""

import errno
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
import time

CACHE_VERSION = 2


class CacheError(Exception):
    """The cache file may not be used (symlink, another owner, not a regular file); nothing was read."""


def fingerprint(lms_url, client_id, grant_type, username, token_type, scope):
    """A stable key for one kind of token; secrets are not part of it (see credential_mac)."""
    scope_text = " ".join(sorted((scope or "").split()))
    identity = [lms_url.rstrip("/"), client_id, grant_type, username or "", token_type, scope_text]
    return hashlib.sha256(json.dumps(identity).encode("utf-8")).hexdigest()


def credential_mac(mac_key, credentials):
    """HMAC-SHA256 (hex) of the credentials (a list of strings or None) under the cache's key."""
    message = json.dumps([c if c is None else str(c) for c in credentials]).encode("utf-8")
    return hmac.new(bytes.fromhex(mac_key), message, hashlib.sha256).hexdigest()


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


# --- the file ------------------------------------------------------------------------------------


def _refuse(path, what):
    raise CacheError(
        "token cache %s %s, so it is not used: a cache must be a regular file of the user running the "
        "module (%d). Remove it, or set cache_path to a file in a private folder of that user."
        % (path, what, os.geteuid())
    )


def _checked_stat(path, st):
    """Refuse what the cache must never be; `st` is an lstat/fstat result."""
    if stat.S_ISLNK(st.st_mode):
        _refuse(path, "is a symbolic link")
    if not stat.S_ISREG(st.st_mode):
        _refuse(path, "is not a regular file")
    if st.st_uid != os.geteuid():
        _refuse(path, "belongs to another user (uid %d)" % st.st_uid)


def _open_nofollow(path, flags, mode=0o600):
    try:
        return os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            _refuse(path, "is a symbolic link")
        raise


def permission_warnings(path):
    """Warnings for a cache file or folder other users may read or write (the mode is not changed here)."""
    warnings = []
    try:
        st = os.lstat(path)
    except OSError:
        st = None
    if st is not None and stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) & 0o077:
        warnings.append(
            "token cache %s has mode %04o: other users may read the tokens in it. It is rewritten with mode "
            "0600 when a token is next stored; if others could read it, revoke its tokens on the LMS."
            % (path, stat.S_IMODE(st.st_mode))
        )
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fst = os.stat(folder)
    except OSError:
        return warnings
    if fst.st_mode & 0o022 and not fst.st_mode & stat.S_ISVTX:
        warnings.append(
            "the folder of token cache %s (%s, mode %04o) can be written by other users, who could replace "
            "the cache; keep it in a private folder (mode 0700)." % (path, folder, stat.S_IMODE(fst.st_mode))
        )
    return warnings


UNREADABLE = (
    "cache_path %s cannot be read (%s), so it is left as it is: it may not be a token cache. Make it readable by "
    "the user running the play, or set cache_path to a file of its own."
)


def read_cache(path):
    """(data, problem): the parsed cache ({"mac_key", "tokens"}); a missing file is an empty cache.

    Raises CacheError for a symlink, another user's file, a non-regular file, and a file that is not
    this toolkit's cache (a typo in cache_path must not replace ~/.ssh/authorized_keys), whether it
    cannot be read or holds anything else (`{}` too). An empty file is an empty cache; a cache of an
    older format (whose entries are not bound to credentials) is reported as `problem` and treated as
    empty, so it gets rewritten.
    """
    empty = {"mac_key": None, "tokens": {}}
    try:
        _checked_stat(path, os.lstat(path))
    except FileNotFoundError:
        return empty, None
    try:
        fd = _open_nofollow(path, os.O_RDONLY)
    except FileNotFoundError:
        return empty, None
    except OSError as exc:
        raise CacheError(UNREADABLE % (path, exc)) from None
    try:
        _checked_stat(path, os.fstat(fd))  # the file opened is the file checked
        with os.fdopen(fd, encoding="utf-8", errors="replace") as handle:
            fd = None
            text = handle.read()
    except OSError as exc:
        raise CacheError(UNREADABLE % (path, exc)) from None
    finally:
        if fd is not None:
            os.close(fd)
    if not text.strip():
        return empty, None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or "version" not in data or "tokens" not in data:
        raise CacheError(
            "cache_path %s holds something other than an edx-provision token cache, so it is left as it is. Set "
            "cache_path to a file of its own (one that does not exist yet, or an earlier token cache)." % path
        )
    tokens, mac_key = data.get("tokens"), data.get("mac_key")
    if data.get("version") != CACHE_VERSION or not isinstance(tokens, dict) or not _is_key(mac_key):
        return empty, "token cache %s has an unknown or older format; it will be replaced" % path
    return {"mac_key": mac_key, "tokens": {k: v for k, v in tokens.items() if isinstance(v, dict)}}, None


def _is_key(value):
    try:
        return isinstance(value, str) and len(bytes.fromhex(value)) == 32
    except ValueError:
        return False


def read_entries(path):
    """(entries, problem): the cached records by fingerprint (see read_cache)."""
    data, problem = read_cache(path)
    return data["tokens"], problem


def lookup(path, key, credentials, min_ttl, now=None):
    """(record or None, problem): the token for `key` if it was minted with these credentials and has
    more than min_ttl seconds left. Raises CacheError for a file that may not be used."""
    data, problem = read_cache(path)
    record = data["tokens"].get(key)
    if record is None or not data["mac_key"] or not is_fresh(record, min_ttl, now):
        return None, problem
    expected = credential_mac(data["mac_key"], credentials)
    if not hmac.compare_digest(str(record.get("credentials") or ""), expected):
        return None, problem
    return _public(record), problem


def _public(record):
    return {k: v for k, v in record.items() if k != "credentials"}


def store(path, key, record, credentials, now=None):
    """Add `record` under `key`, bound to `credentials`; drop expired entries; replace the file.

    Holds an exclusive lock while it re-reads and rewrites, so parallel writers keep each other's
    entries. Raises CacheError for a file that may not be used, OSError when it cannot be written.
    """
    now = time.time() if now is None else now
    make_private_dirs(os.path.dirname(os.path.abspath(path)))
    with _locked(path):
        data, _problem = read_cache(path)
        mac_key = data["mac_key"] or secrets.token_hex(32)
        entries = {k: v for k, v in data["tokens"].items() if remaining_seconds(v, now)}
        entry = dict(_public(record))
        entry["credentials"] = credential_mac(mac_key, credentials)
        entries[key] = entry
        write_atomic(path, {"version": CACHE_VERSION, "mac_key": mac_key, "tokens": entries})


def forget(path, key):
    """Drop the entry under `key` (a token the LMS refused), under the same lock as store()."""
    with _locked(path):
        data, _problem = read_cache(path)
        if key in data["tokens"]:
            entries = {k: v for k, v in data["tokens"].items() if k != key}
            write_atomic(path, {"version": CACHE_VERSION, "mac_key": data["mac_key"], "tokens": entries})


def make_private_dirs(directory):
    """Create `directory` and any missing parent with mode 0700 (os.makedirs gives parents 0777 - umask)."""
    missing = []
    current = directory
    while current and not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue
        os.chmod(folder, 0o700)


class _locked:
    """An exclusive flock on `<path>.lock` (created 0600, never through a symlink) for one write."""

    def __init__(self, path):
        self.path = path + ".lock"
        self.fd = None

    def __enter__(self):
        self.fd = _open_nofollow(self.path, os.O_RDWR | os.O_CREAT)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        return False


def write_atomic(path, data):
    """Write JSON to a private temporary file next to `path`, then rename it over `path`."""
    directory = os.path.dirname(os.path.abspath(path))
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
