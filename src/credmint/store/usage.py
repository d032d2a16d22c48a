"""Usage stamps, cheap on the request path: access keys' and roles' "last used".

Every authenticated request with a long-term key calls :meth:`LastUsedRecorder.record`,
which only updates a dict under a lock (no I/O). :meth:`LastUsedRecorder.flush` writes
what accumulated to ``access_keys.last_used_*`` in one transaction; the server calls it
periodically and ``GetAccessKeyLastUsed`` calls it first, so a key used a moment ago
reports that use.

Cache invalidation: the flush deliberately does not go through ``Store.write()``, whose
commit tells this node's caches to drop (the credential cache would otherwise empty on
every flush although no credential changed). On PostgreSQL no NOTIFY is sent either.
On SQLite, the change watcher of every process (this one included) sees ``data_version``
move and drops its caches; that is harmless (one re-read per cached key) and bounded by
the flush interval, and unavoidable without a separate database for usage data.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import or_, update

from credmint.store import schema
from credmint.store.db import Store

log = logging.getLogger("credmint.store.usage")

#: A role's last-use record is written at most this often per role and node: AWS reports
#: RoleLastUsed with a delay anyway, and a write per AssumeRole would cost a disk sync each.
ROLE_LAST_USED_INTERVAL = 60.0


#: A key's use this soon after the pending one, for the same service and region, is not
#: recorded again: AWS reports LastUsedDate to the minute at best, and hours late.
SAME_USE = timedelta(seconds=1)


class Use(NamedTuple):
    at: datetime
    service: str
    region: str


class LastUsedRecorder:
    """Latest use per access key id, kept in memory until flushed. Thread-safe."""

    def __init__(self) -> None:
        self._pending: dict[str, Use] = {}
        self._lock = threading.Lock()
        # One flush at a time, so an older batch never lands after a newer one.
        self._flush_lock = threading.Lock()

    def record(self, access_key_id: str, service: str, region: str, now: datetime) -> None:
        prev = self._pending.get(access_key_id)  # one dict read: atomic without the lock
        if (
            prev is not None
            and prev.service == service
            and prev.region == region
            and timedelta(0) <= now - prev.at < SAME_USE
        ):
            return  # the use already pending says the same, to within a second
        use = Use(now, service, region)
        with self._lock:
            prev = self._pending.get(access_key_id)
            if prev is None or prev.at <= now:
                self._pending[access_key_id] = use

    def pending(self) -> int:
        return len(self._pending)

    def pending_use(self, access_key_id: str) -> Use | None:
        """The use of ``access_key_id`` waiting to be flushed, if any."""
        return self._pending.get(access_key_id)

    def flush(self, store: Store) -> int:
        """Write the recorded uses; returns how many keys were written.

        A use older than what the row already holds (written by another node) does not
        overwrite it. On failure the batch is put back, so nothing is lost but the
        ordering guard keeps newer uses recorded meanwhile.
        """
        with self._flush_lock:
            with self._lock:
                batch, self._pending = self._pending, {}
            if not batch:
                return 0
            try:
                _write(store, batch)
            except Exception:
                with self._lock:
                    for key, use in batch.items():
                        prev = self._pending.get(key)
                        if prev is None or prev.at < use.at:
                            self._pending[key] = use
                raise
            return len(batch)


def _write(store: Store, batch: dict[str, Use]) -> None:
    k = schema.access_keys
    with store.engine.connect() as conn:
        # BEGIN IMMEDIATE on SQLite, as Store.write() does, so two writers never deadlock.
        conn.info["credmint_begin"] = "IMMEDIATE"
        try:
            with conn.begin():
                for key_id, use in sorted(batch.items()):
                    conn.execute(
                        update(k)
                        .where(
                            k.c.access_key_id == key_id,
                            or_(k.c.last_used_at.is_(None), k.c.last_used_at < use.at),
                        )
                        .values(last_used_at=use.at, last_used_service=use.service, last_used_region=use.region)
                    )
        finally:
            conn.info.pop("credmint_begin", None)


class RoleUseRecorder:
    """Writes ``roles.last_used_*`` at most once per ``ROLE_LAST_USED_INTERVAL`` per role.

    The write runs on a thread of its own: issuance may run on the event loop, and a
    usage stamp must never hold it up behind another writer's lock (AWS reports
    RoleLastUsed with a delay too).
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._written: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="credmint-role-use")

    def record(self, role_id: str, now: datetime, region: str) -> None:
        mono = time.monotonic()
        with self._lock:
            prev = self._written.get(role_id)
            if prev is not None and prev[1] == region and mono - prev[0] < ROLE_LAST_USED_INTERVAL:
                return
            if len(self._written) > 100_000:
                self._written.clear()
            self._written[role_id] = (mono, region)
        self._writer.submit(self._write, self._store, role_id, now, region)

    @staticmethod
    def _write(store: Store, role_id: str, at: datetime, region: str) -> None:
        r = schema.roles
        # Not through Store.write(): a usage stamp is no reason to empty every cache on
        # every node (the same choice as LastUsedRecorder for access keys).
        try:
            with store.engine.connect() as conn:
                conn.info["credmint_begin"] = "IMMEDIATE"
                try:
                    with conn.begin():
                        conn.execute(
                            update(r)
                            .where(r.c.role_id == role_id, or_(r.c.last_used_at.is_(None), r.c.last_used_at < at))
                            .values(last_used_at=at, last_used_region=region)
                        )
                finally:
                    conn.info.pop("credmint_begin", None)
        except Exception:  # a lost usage stamp must not fail anything else
            log.exception("recording the last use of role %s failed", role_id)
