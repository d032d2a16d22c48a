"""The token keyring in the store: first key, rotation and its races, pruning, the node cache."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from credmint.access import keystore
from credmint.access.tokens import MAX_SESSION_SECONDS, TokenKeyring
from credmint.ids import AccountId
from credmint.sealing import MasterKey
from credmint.store import migrate
from credmint.store.db import Store, WouldBlock, non_blocking, sqlite_url

T0 = 1_800_000_000


def _store(url: str) -> Store:
    store = Store(url)
    migrate.upgrade(store)
    return store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = _store(store_url)
    yield s
    s.close()


def race(n: int, fn: object) -> list[TokenKeyring]:
    results: list[TokenKeyring] = []
    barrier = threading.Barrier(n)

    def run() -> None:
        barrier.wait()
        results.append(fn())  # type: ignore[operator]

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_first_use_creates_one_key_even_when_racing(store_url: str) -> None:
    master = MasterKey.generate()
    stores = [_store(store_url) for _ in range(4)]
    try:
        it = iter(stores)
        results = race(4, lambda: keystore.ensure(next(it), master, T0))
        assert len({r.active_key_id for r in results}) == 1
        loaded = keystore.load(stores[0], master)
        assert loaded is not None and len(loaded.keys) == 1
    finally:
        for s in stores:
            s.close()


def test_rotation_retires_and_prunes(store: Store) -> None:
    master = MasterKey.generate()
    first = keystore.ensure(store, master, T0)
    second = keystore.rotate(store, master, T0 + 10)
    assert second.active_key_id != first.active_key_id
    old = second.get(first.active_key_id)
    assert old is not None and old.retire_after == T0 + 10 + MAX_SESSION_SECONDS
    third = keystore.rotate(store, master, T0 + 20)
    assert {k.key_id for k in third.keys} == {first.active_key_id, second.active_key_id, third.active_key_id}
    # Once the first key's last token has expired, the next rotation drops it.
    fourth = keystore.rotate(store, master, T0 + 10 + MAX_SESSION_SECONDS)
    assert fourth.get(first.active_key_id) is None
    assert fourth.get(second.active_key_id) is not None
    stored = keystore.load(store, master)
    assert stored is not None and stored.active_key_id == fourth.active_key_id


def test_scheduled_rotation_happens_once_across_nodes(store_url: str) -> None:
    master = MasterKey.generate()
    stores = [_store(store_url) for _ in range(4)]
    try:
        keystore.ensure(stores[0], master, T0)
        assert keystore.maybe_rotate(stores[0], master, T0 + 100, max_age=3600) is None
        it = iter(stores)
        results = race(4, lambda: keystore.maybe_rotate(next(it), master, T0 + 3600, max_age=3600))
        assert len({r.active_key_id for r in results if r is not None}) == 1
        loaded = keystore.load(stores[0], master)
        assert loaded is not None and len(loaded.keys) == 2
    finally:
        for s in stores:
            s.close()


def test_keys_are_sealed_under_the_master_key(store: Store) -> None:
    master = MasterKey.generate()
    keyring = keystore.ensure(store, master, T0)
    from sqlalchemy import select

    from credmint.store import schema

    with store.read() as conn:
        sealed = conn.execute(select(schema.token_keys.c.key_sealed)).scalar_one()
    assert keyring.active.secret not in bytes(sealed)
    from credmint.sealing import UnsealError

    with pytest.raises(UnsealError):
        keystore.load(store, MasterKey.generate())


def test_holder_follows_the_store(store: Store) -> None:
    master = MasterKey.generate()
    holder = keystore.KeyringHolder(store, master)
    now = int(time.time())
    first = holder.current(now)
    # Rotation by "another node": a separate store on the same database.
    other = Store(store.url)
    try:
        rotated = keystore.rotate(other, master, now + 1)
    finally:
        other.close()
    # No change signal reached this holder, but a token naming the new key makes it re-read.
    from credmint import ids
    from credmint.access.tokens import IssuingCall, PrincipalKind, SessionClaims, seal_token

    claims = SessionClaims(
        kind=IssuingCall.GET_SESSION_TOKEN,
        access_key_id=ids.new_access_key_id("123456789012", temporary=True),
        secret_access_key=ids.new_secret_access_key(),
        account_id=AccountId("123456789012"),
        principal_kind=PrincipalKind.ROOT,
        principal_arn="arn:aws:iam::123456789012:root",
        principal_id="123456789012",
        issued_at=now,
        expires_at=now + 900,
    )
    token = seal_token(claims, rotated)
    assert keystore.token_key_id(token) == rotated.active_key_id
    assert holder.open(token, claims.access_key_id, now) == claims
    # The change signal makes the next seal use the new active key.
    store.changed()
    assert holder.current(now).active_key_id == rotated.active_key_id != first.active_key_id


def test_holder_rotates_on_schedule(store: Store) -> None:
    master = MasterKey.generate()
    holder = keystore.KeyringHolder(store, master, rotation_seconds=3600)
    first = holder.current(T0)
    assert holder.current(T0 + 3599).active_key_id == first.active_key_id
    later = holder.current(T0 + 3600)
    assert later.active_key_id != first.active_key_id
    assert later.get(first.active_key_id) is not None


@pytest.mark.parametrize(
    ("changes", "reads"),
    [
        (frozenset({"entity:AIDAX", "key:AKIAX"}), False),
        (frozenset({"orgs"}), False),
        (frozenset({"token-keys"}), True),
        (frozenset({"*"}), True),
    ],
)
def test_only_keyring_changes_make_the_holder_read(store: Store, changes: frozenset[str], reads: bool) -> None:
    holder = keystore.KeyringHolder(store, MasterKey.generate())
    token = "AQ"  # names no key: only the keyring's own state decides
    holder.current(T0)
    holder.current(T0)  # the first call created the keyring, which itself signals token-keys
    assert not holder.reads_for(token, T0)
    store.changed(changes)
    assert holder.reads_for(token, T0) is reads


def test_a_reload_refused_on_the_event_loop_leaves_the_keyring_stale(store: Store) -> None:
    holder = keystore.KeyringHolder(store, MasterKey.generate())
    holder.current(T0)
    holder.current(T0)
    assert not holder.reads_for("AQ", T0)
    store.changed()
    with non_blocking(), pytest.raises(WouldBlock):
        holder.current(T0)
    assert holder.reads_for("AQ", T0)


@pytest.mark.parametrize(
    ("blob", "expected"),
    [
        (b"\x01\x05key-1" + bytes(40), "key-1"),  # deflated claims
        (b"\x02\x05key-2" + bytes(40), "key-2"),  # plain claims
        (b"\x03\x05key-3" + bytes(40), None),  # no such format
        (b"\x00\x05key-0" + bytes(40), None),
        (b"\x02\x30short", None),  # the key id runs past the data
        (b"\x02", None),
        (b"\x02\x02\xff\xfe" + bytes(40), None),  # not ASCII
    ],
)
def test_token_key_id_reads_the_clear_header_of_either_format(blob: bytes, expected: str | None) -> None:
    assert keystore.token_key_id(base64.b64encode(blob).decode()) == expected


@pytest.mark.parametrize("token", ["", "!!!!", "a", "=" * 10, "\u00e9" * 8])
def test_token_key_id_of_garbage_is_none(token: str) -> None:
    assert keystore.token_key_id(token) is None
