"""The token cache: fingerprints, expiry arithmetic, and a private file replaced atomically."""

import json
import os
import stat

from ansible.module_utils.edx_token_cache import (
    fingerprint,
    is_fresh,
    iso_utc,
    lookup,
    loose_permissions,
    read_entries,
    remaining_seconds,
    store,
    token_record,
)

KEY_ARGS = ("https://lms.example.com", "client", "client_credentials", None, "bearer", "read write")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_fingerprint_is_stable_and_ignores_scope_order_and_trailing_slash():
    assert fingerprint(*KEY_ARGS) == fingerprint(*KEY_ARGS)
    assert fingerprint(*KEY_ARGS) == fingerprint("https://lms.example.com/", "client", "client_credentials", "",
                                                 "bearer", "write  read")


def test_fingerprint_changes_with_every_part():
    base = fingerprint(*KEY_ARGS)
    for index, other in enumerate(["https://other", "client2", "password", "svc", "jwt", "read"]):
        args = list(KEY_ARGS)
        args[index] = other
        assert fingerprint(*args) != base, "part %d not in the fingerprint" % index


def test_iso_utc():
    assert iso_utc(0) == "1970-01-01T00:00:00Z"
    assert iso_utc(1767225600.7) == "2026-01-01T00:00:00Z"


def test_expiry_arithmetic():
    record = token_record("t", "bearer", 3600, "read", now=1000.0)
    assert record["expires_at"] == 4600.0
    assert remaining_seconds(record, now=1000.0) == 3600
    assert remaining_seconds(record, now=5000.0) == 0
    assert is_fresh(record, 300, now=4000.0)
    assert not is_fresh(record, 300, now=4300.0)  # exactly min_ttl left is not enough
    assert not is_fresh(record, 300, now=4500.0)


def test_unknown_expiry_is_never_fresh():
    record = token_record("t", "bearer", None, "", now=0)
    assert remaining_seconds(record) is None
    assert not is_fresh(record, 0)


def test_store_then_lookup(tmp_path):
    path = str(tmp_path / "tokens.json")
    key = fingerprint(*KEY_ARGS)
    record = token_record("tok", "jwt", 3600, "read", now=1000.0)
    store(path, key, record, now=1000.0)
    assert lookup(path, key, 300, now=2000.0) == (record, None)
    assert lookup(path, key, 300, now=4400.0) == (None, None)  # too close to expiry
    assert lookup(path, "other", 300, now=2000.0) == (None, None)


def test_file_is_private_and_replaced_atomically(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_text("{}")
    os.chmod(path, 0o644)
    inode = os.stat(path).st_ino
    store(str(path), "k", token_record("tok", "bearer", 60, "", now=0), now=0)
    assert mode(path) == 0o600
    assert os.stat(path).st_ino != inode  # a new file renamed over the old one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json"]  # no temporary files left


def test_missing_directory_is_created_private(tmp_path):
    path = tmp_path / "cache" / "edx" / "tokens.json"
    store(str(path), "k", token_record("tok", "bearer", 60, "", now=0), now=0)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_several_tokens_share_a_file_and_expired_ones_are_dropped(tmp_path):
    path = str(tmp_path / "tokens.json")
    store(path, "old", token_record("a", "bearer", 10, "", now=0), now=0)
    store(path, "keep", token_record("b", "bearer", 1000, "", now=0), now=0)
    store(path, "new", token_record("c", "bearer", 1000, "", now=50), now=50)
    entries, problem = read_entries(path)
    assert problem is None
    assert sorted(entries) == ["keep", "new"]


def test_corrupt_or_foreign_files_are_reported_and_replaced(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_text("not json")
    record, problem = lookup(str(path), "k", 0)
    assert record is None and "unreadable" in problem
    path.write_text(json.dumps({"version": 99, "tokens": {}}))
    assert "unknown format" in read_entries(str(path))[1]
    store(str(path), "k", token_record("t", "bearer", 60, "", now=0), now=0)
    assert read_entries(str(path))[1] is None


def test_missing_file_is_an_empty_cache(tmp_path):
    assert read_entries(str(tmp_path / "none.json")) == ({}, None)


def test_loose_permissions(tmp_path):
    path = tmp_path / "tokens.json"
    assert not loose_permissions(str(path))
    path.write_text("{}")
    os.chmod(path, 0o640)
    assert loose_permissions(str(path))
    os.chmod(path, 0o600)
    assert not loose_permissions(str(path))
