"""The token cache: fingerprints, credential binding, expiry arithmetic, and a private file that is
locked, replaced atomically, and never a symlink or another user's file."""

import json
import multiprocessing
import os
import stat

import pytest
from ansible.module_utils.edx_provision.http.token_cache import (
    CacheError,
    fingerprint,
    is_fresh,
    lookup,
    permission_warnings,
    read_entries,
    remaining_seconds,
    store,
    token_record,
)
from ansible.module_utils.edx_provision.vocabulary import iso_utc

KEY_ARGS = ("https://lms.example.com", "client", "client_credentials", None, "bearer", "read write")
CREDS = ["client-secret-1", None]


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_fingerprint_is_stable_and_ignores_scope_order_and_trailing_slash():
    # A fixed value: a cache written by one run must be found by the next (no per-process salt).
    assert fingerprint(*KEY_ARGS) == "04c52de35ff4367110b1b817c215fb3d196eb4c165e5e363a1034c1792e9956e"
    assert fingerprint(*KEY_ARGS) == fingerprint(
        "https://lms.example.com/", "client", "client_credentials", "", "bearer", "write  read"
    )


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
    store(path, key, record, CREDS, now=1000.0)
    assert lookup(path, key, CREDS, 300, now=2000.0) == (record, None)
    assert lookup(path, key, CREDS, 300, now=4400.0) == (None, None)  # too close to expiry
    assert lookup(path, "other", CREDS, 300, now=2000.0) == (None, None)


def test_a_token_is_reused_only_with_the_credentials_it_was_minted_with(tmp_path):
    path = str(tmp_path / "tokens.json")
    record = token_record("tok", "jwt", 3600, "read", now=1000.0)
    store(path, "k", record, ["right-secret", "pw"], now=1000.0)
    assert lookup(path, "k", ["right-secret", "pw"], 0, now=1000.0)[0] == record
    assert lookup(path, "k", ["wrong-secret", "pw"], 0, now=1000.0)[0] is None
    assert lookup(path, "k", ["right-secret", "other-pw"], 0, now=1000.0)[0] is None
    assert lookup(path, "k", ["right-secret", None], 0, now=1000.0)[0] is None
    text = (tmp_path / "tokens.json").read_text()
    assert "right-secret" not in text and 'pw"' not in text  # only a keyed hash is stored


def test_each_cache_file_has_its_own_random_key(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for path in (a, b):
        store(str(path), "k", token_record("tok", "bearer", 60, "", now=0), CREDS, now=0)
    data_a, data_b = json.loads(a.read_text()), json.loads(b.read_text())
    assert len(bytes.fromhex(data_a["mac_key"])) == 32
    assert data_a["mac_key"] != data_b["mac_key"]
    assert data_a["tokens"]["k"]["credentials"] != data_b["tokens"]["k"]["credentials"]


def test_entries_of_the_older_unbound_format_are_never_served(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"version": 1, "tokens": {"k": token_record("planted", "bearer", 999, "", now=0)}}))
    record, problem = lookup(str(path), "k", CREDS, 0, now=1)
    assert record is None and "older format" in problem


def test_file_is_private_and_replaced_atomically(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_text("")
    os.chmod(path, 0o644)
    inode = os.stat(path).st_ino
    store(str(path), "k", token_record("tok", "bearer", 60, "", now=0), CREDS, now=0)
    assert mode(path) == 0o600
    assert os.stat(path).st_ino != inode  # a new file renamed over the old one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json", "tokens.json.lock"]  # no temporary files


def test_every_missing_folder_is_created_private(tmp_path):
    path = tmp_path / "cache" / "edx" / "tokens.json"
    old = os.umask(0o022)
    try:
        store(str(path), "k", token_record("tok", "bearer", 60, "", now=0), CREDS, now=0)
    finally:
        os.umask(old)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert mode(path.parent.parent) == 0o700  # os.makedirs would leave this one 0755


def test_a_symlink_is_refused_and_its_target_left_alone(tmp_path):
    planted = tmp_path / "planted.json"
    planted.write_text(json.dumps({"version": 2, "mac_key": "00" * 32, "tokens": {}}))
    os.chmod(planted, 0o644)
    link = tmp_path / "tokens.json"
    link.symlink_to(planted)
    with pytest.raises(CacheError) as err:
        lookup(str(link), "k", CREDS, 0)
    assert "symbolic link" in str(err.value) and str(link) in str(err.value) and "cache_path" in str(err.value)
    with pytest.raises(CacheError):
        store(str(link), "k", token_record("tok", "bearer", 60, "", now=0), CREDS, now=0)
    assert link.is_symlink() and mode(planted) == 0o644
    assert json.loads(planted.read_text())["tokens"] == {}


def test_a_symlinked_lock_file_is_refused(tmp_path):
    (tmp_path / "tokens.json.lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(CacheError):
        store(str(tmp_path / "tokens.json"), "k", token_record("tok", "bearer", 60, "", now=0), CREDS, now=0)
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_another_users_file_is_refused(tmp_path):
    path = tmp_path / "tokens.json"
    store(str(path), "k", token_record("tok", "bearer", 60, "", now=0), CREDS, now=0)
    os.chown(path, 65534, 65534)
    with pytest.raises(CacheError) as err:
        lookup(str(path), "k", CREDS, 0, now=0)
    assert "another user (uid 65534)" in str(err.value)


def test_a_folder_is_refused(tmp_path):
    (tmp_path / "tokens.json").mkdir()
    with pytest.raises(CacheError) as err:
        lookup(str(tmp_path / "tokens.json"), "k", CREDS, 0)
    assert "not a regular file" in str(err.value)


def test_loose_modes_are_warned_about_and_not_changed_by_reading(tmp_path):
    path = tmp_path / "tokens.json"
    assert permission_warnings(str(path)) == []
    store(str(path), "k", token_record("tok", "bearer", 60, "", now=0), CREDS, now=0)
    assert permission_warnings(str(path)) == []
    os.chmod(path, 0o644)
    warnings = permission_warnings(str(path))
    assert len(warnings) == 1 and "mode 0644" in warnings[0] and "revoke" in warnings[0]
    lookup(str(path), "k", CREDS, 0, now=0)
    assert mode(path) == 0o644
    os.chmod(tmp_path, 0o777)  # noqa: S103 (the loose folder under test)
    assert any("can be written by other users" in w for w in permission_warnings(str(path)))
    os.chmod(tmp_path, 0o700)


def _store_many(path, prefix, count):
    for index in range(count):
        store(path, "%s-%d" % (prefix, index), token_record("t", "bearer", 3600, ""), CREDS)


def test_parallel_writers_lose_no_entries(tmp_path):
    path = str(tmp_path / "tokens.json")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_store_many, args=(path, "w%d" % n, 15)) for n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0] * 6
    entries, problem = read_entries(path)
    assert problem is None
    assert len(entries) == 6 * 15


def test_several_tokens_share_a_file_and_expired_ones_are_dropped(tmp_path):
    path = str(tmp_path / "tokens.json")
    store(path, "old", token_record("a", "bearer", 10, "", now=0), CREDS, now=0)
    store(path, "keep", token_record("b", "bearer", 1000, "", now=0), CREDS, now=0)
    store(path, "new", token_record("c", "bearer", 1000, "", now=50), CREDS, now=50)
    entries, problem = read_entries(path)
    assert problem is None
    assert sorted(entries) == ["keep", "new"]


def test_a_cache_of_another_format_is_reported_and_replaced(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"version": 99, "tokens": {}}))
    record, problem = lookup(str(path), "k", CREDS, 0)
    assert record is None and "unknown or older format" in problem
    store(str(path), "k", token_record("t", "bearer", 60, "", now=0), CREDS, now=0)
    assert read_entries(str(path))[1] is None
    path.write_text("")
    assert read_entries(str(path)) == ({}, None)  # an empty file (touch) is an empty cache


@pytest.mark.parametrize(
    "content",
    ["ssh-ed25519 AAAAC3Nza... operator@laptop\n", "[1, 2]", '{"tokens": {}}', "127.0.0.1 localhost\n", "{}"],
)
def test_a_file_that_is_no_token_cache_is_refused_and_left_as_it_is(tmp_path, content):
    """A typo in cache_path (~/.ssh/authorized_keys, /etc/hosts) must not replace that file with tokens."""
    path = tmp_path / "authorized_keys"
    path.write_text(content)
    with pytest.raises(CacheError, match="holds something other than an edx-provision token cache"):
        lookup(str(path), "k", CREDS, 0)
    with pytest.raises(CacheError):
        store(str(path), "k", token_record("t", "bearer", 60, "", now=0), CREDS, now=0)
    assert path.read_text() == content


def test_missing_file_is_an_empty_cache(tmp_path):
    assert read_entries(str(tmp_path / "none.json")) == ({}, None)


def test_a_refused_file_gets_no_warning_about_tokens_in_it(tmp_path):
    """Only a token cache can leak tokens: a refused authorized_keys (mode 0644) is refused, not warned about."""
    from ansible.module_utils.edx_provision.http.session import EdxHttpError
    from ansible.module_utils.edx_provision.http.token_flow import cached_token

    path = tmp_path / "authorized_keys"
    path.write_text("ssh-ed25519 AAAAC3Nza... operator@laptop\n")
    os.chmod(path, 0o644)
    warnings = []
    params = {"cache_path": str(path), "min_ttl": 0, "cache_reuse": True}
    with pytest.raises(EdxHttpError, match="holds something other than an edx-provision token cache"):
        cached_token(params, warnings.append, "k", CREDS)
    assert warnings == []
