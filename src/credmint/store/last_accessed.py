"""Service last accessed data: which IAM entity last attempted which action, when and where.

IAM's access advisor (GenerateServiceLastAccessedDetails, GenerateOrganizationsAccessReport)
reports, per service and per action, the latest *attempt* by a user, a role (any of its
sessions) or an account's root user: AWS counts denied attempts too ("The service last
accessed data includes all attempts to access an Amazon Web Services API, not just the
successful ones", IAM API reference, GenerateServiceLastAccessedDetails). So every
request that reaches a policy decision for such a principal is recorded, allowed or not.

The request path pays one dictionary update under a lock (:meth:`AccessRecorder.record`):
uses coalesce per (entity, action) in memory and :meth:`AccessRecorder.flush` writes the
batch in one transaction, on the same period as access keys' last-used data, and before
a report is generated (so a report sees the calls made just before it). The pending map
is bounded (:data:`MAX_PENDING`): past the bound a use of a pair not yet pending is
dropped until the next flush (AWS itself reports activity "within four hours", so a
report missing a use from an overloaded second is within its own tolerance); a newer use
of a pending pair still replaces the older one.

Like access keys' last-used data, the flush bypasses ``Store.write()``: no cache reads
these rows, so no change is signalled for them.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from credmint import ids
from credmint.ids import AccountId, UniqueId
from credmint.store import schema
from credmint.store.db import Store

#: At most this many (entity, action) pairs wait for a flush; each costs ~300 bytes.
MAX_PENDING = 50_000

#: The entity id recorded for an account's root user.
ROOT_ENTITY = ids.ROOT_USER_ID


class Access(NamedTuple):
    at: datetime
    region: str
    #: The caller's ARN (a role session's assumed-role ARN is reported as the role's).
    entity_arn: str


class AccessRecorder:
    """Latest attempt per (account, entity, action), kept in memory until flushed. Thread-safe."""

    def __init__(self, max_pending: int = MAX_PENDING) -> None:
        self._pending: dict[tuple[str, str, str], Access] = {}
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._max = max_pending
        self.dropped = 0

    def record(
        self, account_id: AccountId, entity_id: UniqueId, entity_arn: str, action: str, region: str, now: datetime
    ) -> None:
        key = (account_id, entity_id, action.lower())
        with self._lock:
            prev = self._pending.get(key)
            if prev is None:
                if len(self._pending) >= self._max:
                    self.dropped += 1
                    return
            elif prev.at > now:
                return
            self._pending[key] = Access(now, region, entity_arn)

    def pending(self) -> int:
        return len(self._pending)

    def flush(self, store: Store) -> int:
        """Write the pending attempts; returns how many pairs were written. On failure the
        batch goes back (newer attempts recorded meanwhile win)."""
        with self._flush_lock:
            with self._lock:
                batch, self._pending = self._pending, {}
            if not batch:
                return 0
            try:
                with store.engine.connect() as conn:
                    conn.info["credmint_begin"] = "IMMEDIATE"
                    try:
                        with conn.begin():
                            _write(conn, batch)
                    finally:
                        conn.info.pop("credmint_begin", None)
            except Exception:
                with self._lock:
                    for key, use in batch.items():
                        prev = self._pending.get(key)
                        if prev is None or prev.at < use.at:
                            self._pending[key] = use
                raise
            return len(batch)


def _write(conn: Connection, batch: dict[tuple[str, str, str], Access]) -> None:
    t = schema.service_last_accessed
    ins = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    for (account_id, entity_id, action), use in sorted(batch.items()):
        service = action.partition(":")[0]
        stmt = ins(t).values(
            account_id=account_id,
            entity_id=entity_id,
            action=action,
            service=service,
            entity_arn=use.entity_arn,
            last_at=use.at,
            region=use.region,
        )
        # Another node may have written a later attempt: never move a row back in time.
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.c.account_id, t.c.entity_id, t.c.action],
                set_={
                    "last_at": stmt.excluded.last_at,
                    "region": stmt.excluded.region,
                    "entity_arn": stmt.excluded.entity_arn,
                },
                where=t.c.last_at < stmt.excluded.last_at,
            )
        )
