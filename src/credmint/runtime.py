"""Everything a running node holds: settings, store, keys, caches.

Built once per process by the server. The credential lookup here is the one
read at the edge of the request path: a long-term key comes from an in-memory
cache that the store's change signal empties; a temporary key is opened from
its sealed session token without any read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from credmint import errors
from credmint.api import Call
from credmint.clock import Clock, SystemClock
from credmint.principal import Principal, root_arn
from credmint.sealing import MasterKey
from credmint.settings import Settings
from credmint.store import schema
from credmint.store.db import Store


@dataclass(frozen=True, slots=True)
class KeyEntry:
    secret: str
    principal: Principal
    active: bool


class CredentialCache:
    """Access key id -> secret and principal, for long-term keys."""

    def __init__(self, store: Store, master: MasterKey) -> None:
        self._store = store
        self._master = master
        self._entries: dict[str, KeyEntry | None] = {}
        self._lock = threading.Lock()
        store.on_change(self.clear)

    def clear(self) -> None:
        with self._lock:
            self._entries = {}

    def cached(self, access_key_id: str) -> KeyEntry | bool | None:
        """The entry, ``None`` if known not to exist, ``False`` if not cached."""
        entries = self._entries
        if access_key_id in entries:
            return entries[access_key_id]
        return False

    def load(self, access_key_id: str) -> KeyEntry | None:
        """Read one key from the store (blocking) and cache what was found."""
        entries = self._entries  # a clear() during the read must not be undone
        k = schema.access_keys
        u = schema.users
        with self._store.read() as conn:
            row = conn.execute(
                select(k.c.account_id, k.c.user_id, k.c.secret_sealed, k.c.status, u.c.name, u.c.arn)
                .select_from(k.outerjoin(u, u.c.user_id == k.c.user_id))
                .where(k.c.access_key_id == access_key_id)
            ).first()
        entry: KeyEntry | None = None
        if row is not None:
            account_id, user_id, sealed, status, user_name, arn = row
            secret = self._master.open(sealed, access_key_id.encode()).decode()
            if user_id is None:
                principal = Principal(
                    kind="root",
                    account_id=account_id,
                    arn=root_arn(account_id),
                    user_id=account_id,
                    name="",
                    access_key_id=access_key_id,
                )
            else:
                principal = Principal(
                    kind="user",
                    account_id=account_id,
                    arn=arn,
                    user_id=user_id,
                    name=user_name,
                    access_key_id=access_key_id,
                    entity_id=user_id,
                )
            entry = KeyEntry(secret, principal, status == "Active")
        with self._lock:
            if entries is self._entries and len(entries) < 100_000:
                entries[access_key_id] = entry
        return entry


class Runtime:
    def __init__(self, settings: Settings, store: Store, master: MasterKey, clock: Clock | None = None) -> None:
        self.settings = settings
        self.store = store
        self.master = master
        self.clock: Clock = clock or SystemClock()
        self.credentials = CredentialCache(store, master)

    def now(self) -> datetime:
        return self.clock.now()

    def authorize(self, call: Call, action: str, resource: str) -> None:
        """Allow or refuse ``action`` on ``resource`` for the caller.

        Until the policy engine is wired in, only an account's root user may act.
        """
        p = call.principal
        if p is None:
            raise errors.missing_authentication_token()
        if p.is_root:
            return
        on = "" if resource == "*" else f" on resource: {resource}"
        raise errors.access_denied(
            f"User: {p.arn} is not authorized to perform: {action}{on} "
            f"because no identity-based policy allows the {action} action"
        )
