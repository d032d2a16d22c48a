"""Access key "last used" tracking, cheap on the request path.

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

import threading
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import or_, update

from credmint.store import schema
from credmint.store.db import Store


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
        use = Use(now, service, region)
        with self._lock:
            prev = self._pending.get(access_key_id)
            if prev is None or prev.at <= now:
                self._pending[access_key_id] = use

    def pending(self) -> int:
        return len(self._pending)

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
