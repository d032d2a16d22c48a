"""The token keyring in the store: creation, rotation, pruning, and the per-node cache.

The keys that seal session tokens (:mod:`credmint.access.tokens`) live in ``token_keys``,
each sealed under the master key. Which key is active is also recorded in one ``meta``
row (``token_keys.active`` -> key id), and that row is the compare-and-set cell that
makes creation and rotation safe across nodes:

* creation inserts the ``meta`` row; its primary key lets exactly one of several racing
  nodes commit (the others get an integrity error, then read the winner's keyring);
* rotation is ``UPDATE meta SET value = :new WHERE key = ... AND value = :old``; a node
  whose update matches no row lost the race and reads the winner's keyring instead.

Both happen in the same transaction as the ``token_keys`` rows, so ``meta`` and the
``active`` flags never disagree. Retired keys stay until every token they sealed has
expired (``retire_after``) and are pruned by the next rotation after that.

A node reads the keyring once and keeps it (:class:`KeyringHolder`); the store's change
signal marks it stale, and a token naming a key id this node has not seen yet makes it
re-read (at most once a second, so forged key ids cannot turn into a read per request).
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from credmint.access.tokens import (
    TOKEN_FORMATS,
    SessionClaims,
    TokenKeyRecord,
    TokenKeyring,
    keyring_from_records,
    keyring_to_records,
    open_token,
)
from credmint.sealing import MasterKey
from credmint.store import schema
from credmint.store.changes import ALL, EVERYTHING, TOKEN_KEYS, Changes
from credmint.store.db import Store

#: The ``meta`` row naming the active token key.
ACTIVE_META_KEY = "token_keys.active"
#: How long a token key seals before it is rotated out (scheduled rotation).
DEFAULT_ROTATION_SECONDS = 86_400
#: Unknown key ids re-read the store at most this often.
_UNKNOWN_KEY_RELOAD_SECONDS = 1.0

t = schema.token_keys
meta = schema.meta


def _epoch(value: datetime | int | float) -> int:
    return int(value.timestamp()) if isinstance(value, datetime) else int(value)


def _dt(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


# --- store access ---------------------------------------------------------------------------


def _read(conn: Connection, master: MasterKey) -> TokenKeyring | None:
    rows = conn.execute(select(t.c.key_id, t.c.key_sealed, t.c.active, t.c.created_at, t.c.retire_after)).all()
    if not rows:
        return None
    records = [
        TokenKeyRecord(
            key_id=r.key_id,
            sealed_key=bytes(r.key_sealed),
            created_at=_epoch(_aware(r.created_at)),
            retire_after=None if r.retire_after is None else _epoch(_aware(r.retire_after)),
            active=bool(r.active),
        )
        for r in rows
    ]
    return keyring_from_records(records, master)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _insert_keys(conn: Connection, records: list[TokenKeyRecord]) -> None:
    for r in records:
        conn.execute(
            insert(t).values(
                key_id=r.key_id,
                key_sealed=r.sealed_key,
                active=r.active,
                created_at=_dt(r.created_at),
                retire_after=_dt(r.retire_after),
            )
        )


def load(store: Store, master: MasterKey) -> TokenKeyring | None:
    """The stored keyring, or ``None`` if no key was ever created."""
    with store.read() as conn:
        return _read(conn, master)


def ensure(store: Store, master: MasterKey, now: datetime | int) -> TokenKeyring:
    """The stored keyring, creating the first key if there is none.

    Several nodes starting at once each try to insert the ``meta`` row; one commits,
    the others fail on its primary key and read what the winner wrote."""
    existing = load(store, master)
    if existing is not None:
        return existing
    keyring = TokenKeyring.create(_epoch(now))
    try:
        with store.write() as conn:
            if _read(conn, master) is None:
                conn.execute(insert(meta).values(key=ACTIVE_META_KEY, value=keyring.active_key_id))
                _insert_keys(conn, keyring_to_records(keyring, master))
    except IntegrityError:
        pass
    stored = load(store, master)
    if stored is None:  # pragma: no cover - the insert above or a racing one committed
        raise RuntimeError("token keyring missing after creation")
    return stored


def rotate(store: Store, master: MasterKey, now: datetime | int, *, expected_active: str | None = None) -> TokenKeyring:
    """Make a new key active now; the previous one retires once its longest session is
    over; keys whose tokens have all expired are deleted.

    With ``expected_active``, rotate only if that key is still the active one (scheduled
    rotation: of several nodes deciding at once, one rotates). Returns the keyring as
    stored afterwards, whoever rotated it."""
    at = _epoch(now)
    current = ensure(store, master, at)
    if expected_active is not None and current.active_key_id != expected_active:
        return current
    rotated = current.rotate(at).prune(at)
    old_active = current.active_key_id
    try:
        with store.write() as conn:
            won = conn.execute(
                update(meta)
                .where(meta.c.key == ACTIVE_META_KEY, meta.c.value == old_active)
                .values(value=rotated.active_key_id)
            ).rowcount
            if won == 1:
                retiring = rotated.get(old_active)
                assert retiring is not None and retiring.retire_after is not None
                conn.execute(
                    update(t)
                    .where(t.c.key_id == old_active)
                    .values(active=False, retire_after=_dt(retiring.retire_after))
                )
                kept = {k.key_id for k in rotated.keys}
                conn.execute(delete(t).where(t.c.key_id.not_in(kept)))
                new = [r for r in keyring_to_records(rotated, master) if r.key_id == rotated.active_key_id]
                _insert_keys(conn, new)
    except IntegrityError:
        # Another node rotated in between in a way that clashed; its keyring stands.
        pass
    stored = load(store, master)
    assert stored is not None
    return stored


def maybe_rotate(
    store: Store, master: MasterKey, now: datetime | int, max_age: int = DEFAULT_ROTATION_SECONDS
) -> TokenKeyring | None:
    """Rotate if the active key is ``max_age`` seconds old; the new keyring, or ``None``
    if no rotation was due."""
    current = ensure(store, master, now)
    if not current.needs_rotation(_epoch(now), max_age):
        return None
    return rotate(store, master, now, expected_active=current.active_key_id)


# --- the per-node cache ---------------------------------------------------------------------


def token_key_id(token: str) -> str | None:
    """The key id in a token's clear header (not authenticated here: only to decide
    whether the keyring should be re-read)."""
    try:
        head = base64.b64decode(token[:360], validate=False)
    except (binascii.Error, ValueError):
        return None
    if len(head) < 2 or head[0] not in TOKEN_FORMATS or len(head) < 2 + head[1]:
        return None
    try:
        return head[2 : 2 + head[1]].decode("ascii")
    except UnicodeDecodeError:
        return None


class KeyringHolder:
    """This node's copy of the keyring: read once, re-read after the store changes."""

    def __init__(self, store: Store, master: MasterKey, *, rotation_seconds: int = DEFAULT_ROTATION_SECONDS) -> None:
        self._store = store
        self._master = master
        self.rotation_seconds = rotation_seconds
        self._keyring: TokenKeyring | None = None
        self._stale = True
        self._lock = threading.Lock()
        self._last_unknown_reload = 0.0
        store.on_change(self.invalidate)

    def invalidate(self, changes: Changes = ALL) -> None:
        if EVERYTHING in changes or TOKEN_KEYS in changes:
            self._stale = True

    def reads_for(self, token: str, now: datetime | int) -> bool:
        """Whether opening ``token`` now would read the store (the keyring is stale, due
        for rotation, or does not know the token's key): the caller then opens it on a
        worker thread, never on the event loop."""
        keyring = self._keyring
        if keyring is None or self._stale or keyring.needs_rotation(_epoch(now), self.rotation_seconds):
            return True
        key_id = token_key_id(token)
        return key_id is not None and keyring.get(key_id) is None

    def _reload(self, now: datetime | int) -> TokenKeyring:
        # Clear the flag first: a change signalled during the read marks it stale again.
        self._stale = False
        try:
            keyring = ensure(self._store, self._master, now)
        except BaseException:
            self._stale = True  # not read after all (the store is down, or not here: WouldBlock)
            raise
        self._keyring = keyring
        return keyring

    def current(self, now: datetime | int) -> TokenKeyring:
        """The keyring to seal with (its active key), rotating it when due."""
        keyring = self._keyring
        if keyring is None or self._stale:
            with self._lock:
                keyring = self._keyring
                if keyring is None or self._stale:
                    keyring = self._reload(now)
        if keyring.needs_rotation(_epoch(now), self.rotation_seconds):
            with self._lock:
                self.maybe_rotate(now, self.rotation_seconds)
                keyring = self._keyring or self._reload(now)
        return keyring

    def maybe_rotate(self, now: datetime | int, max_age: int) -> bool:
        """Scheduled rotation; True if this call found a rotation due (whoever did it)."""
        rotated = maybe_rotate(self._store, self._master, now, max_age)
        if rotated is None:
            return False
        self._keyring = rotated
        return True

    def rotate(self, now: datetime | int) -> TokenKeyring:
        keyring = rotate(self._store, self._master, now)
        self._keyring = keyring
        return keyring

    def for_token(self, token: str, now: datetime | int) -> TokenKeyring:
        """The keyring that should know the key ``token`` names: re-read once if it is
        unknown here (a key another node just created)."""
        keyring = self.current(now)
        key_id = token_key_id(token)
        if key_id is None or keyring.get(key_id) is not None:
            return keyring
        with self._lock:
            mono = time.monotonic()
            if mono - self._last_unknown_reload < _UNKNOWN_KEY_RELOAD_SECONDS:
                return self._keyring or keyring
            self._last_unknown_reload = mono
            return self._reload(now)

    def open(self, token: str, access_key_id: str, now: datetime | int) -> SessionClaims:
        """:func:`credmint.access.tokens.open_token` against this node's keyring."""
        return open_token(token, access_key_id, self.for_token(token, now), _epoch(now))
