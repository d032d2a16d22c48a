"""The stored audit trail: batched inserts, LookupEvents' filters and paging, retention.

Records are kept in ``audit_events`` so that LookupEvents on any node sees the calls
served by every node sharing the database. Inserts bypass the store's change signal:
an audit record changes nothing a cache holds, on this process or any other (on SQLite,
it leaves the change counter alone: see ``store.db``).

Events are returned newest first, ordered by ``(event_time_ms, event_id)``; a page ends at
an event and the next page starts strictly after it, so paging never repeats or skips an
event that was stored before the first page was read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.sql.elements import ColumnElement

from credmint.audit.record import Summary
from credmint.httpreq import UNSTORABLE, is_storable
from credmint.store.db import Store
from credmint.store.schema import audit_events as t

#: Separates the values of ``resource_types`` / ``resource_names``.
SEP = "\x1f"

#: LookupEvents' attribute keys -> how each filters (column, match whole value or one of several).
ATTRIBUTES: Mapping[str, tuple[str, bool]] = {
    "EventId": ("event_id", False),
    "EventName": ("event_name", False),
    "ReadOnly": ("read_only", False),
    "Username": ("username", False),
    "ResourceType": ("resource_types", True),
    "ResourceName": ("resource_names", True),
    "EventSource": ("event_source", False),
    "AccessKeyId": ("access_key_id", False),
}


@dataclass(frozen=True, slots=True)
class Lookup:
    #: The account whose events are read; None reads every account's (the operator's CLI).
    account_id: str | None
    limit: int
    #: ``(attribute key, value)`` pairs, all of which must match (LookupEvents sends at most one).
    attributes: tuple[tuple[str, str], ...] = ()
    start_ms: int | None = None
    end_ms: int | None = None
    #: ``(event_time_ms, event_id)`` of the last event of the previous page.
    after: tuple[int, str] | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    event_id: str
    event_time_ms: int
    event_name: str
    event_source: str
    read_only: bool
    username: str | None
    access_key_id: str | None
    resources: tuple[tuple[str, str], ...]
    record: str


#: An ``audit_events`` row, its values in the order of :data:`COLUMNS`. A tuple of strings
#: and numbers: cheap to build on the request path, and not tracked by the garbage
#: collector while it waits for its batch.
Row = tuple[Any, ...]

COLUMNS = (
    "event_id",
    "account_id",
    "event_time_ms",
    "event_name",
    "event_source",
    "read_only",
    "username",
    "access_key_id",
    "resource_types",
    "resource_names",
    "record",
)


#: Rows per ``INSERT`` on SQLite (see :func:`insert_rows`): their values stay under the
#: host-parameter limit, 32,766 since SQLite 3.32 and 999 before it.
SQLITE_ROWS_PER_STATEMENT = 256 if sqlite3.sqlite_version_info >= (3, 32) else 999 // len(COLUMNS)


def row_of(summary: Summary, record: str) -> Row:
    """The ``audit_events`` row of one record.

    The record is JSON text, which escapes what a database refuses; the indexed fields
    are a request's own text (a parameter naming a resource, an operation's name), which
    can hold a NUL (PostgreSQL's text refuses it) or a lone surrogate (no database's UTF-8
    holds one: from a JSON body's ``\\udc80`` or a header's bytes that were not UTF-8).
    One such row would fail its whole batch, and every batch after it, so each is made
    storable (:func:`storable`)."""
    return (
        summary.event_id,
        summary.account_id,
        int(summary.event_time.timestamp() * 1000),
        storable(summary.event_name[:128]),
        summary.event_source[:64],
        summary.read_only,
        storable(summary.username[:256]) if summary.username else None,
        storable(summary.access_key_id[:128]) if summary.access_key_id else None,
        _joined([r[0] for r in summary.resources]),
        _joined([r[1] for r in summary.resources]),
        record,
    )


def storable(text: str) -> str:
    """``text`` with each NUL and lone surrogate replaced by U+FFFD (as the form decoder
    replaces bytes that are not UTF-8)."""
    return text if is_storable(text) else UNSTORABLE.sub("\ufffd", text)


def _joined(values: list[str]) -> str:
    items = [storable(v.replace(SEP, "")) for v in values]
    return SEP + SEP.join(items) + SEP if items else ""


def insert_rows(store: Store, rows: Sequence[Row]) -> None:
    """Store a batch in one transaction, without signalling a change (no cache depends on it).

    The rows go to the driver as tuples: the batch is written on a thread of the serving
    process, and SQLAlchemy's per-row parameter processing would cost that process several
    times the driver's own work (measured: ~25 µs a row against ~4 µs).

    On SQLite, :data:`SQLITE_ROWS_PER_STATEMENT` rows go in one multi-row ``INSERT``.
    ``executemany`` would bind and step one row at a time, and Python's sqlite3 module
    releases the interpreter lock around every step: each row would make the flushing
    thread take the lock back from the event loop's thread, a hand-over (and a wait for
    the loop) per row while a batch of a second's requests is written. One statement binds
    all its values in C and inserts them in one step, with the lock released throughout.
    PostgreSQL's driver pipelines ``executemany`` and releases the lock on the network.
    """
    if not rows:
        return
    width = len(COLUMNS)
    names = ", ".join(COLUMNS)
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "sqlite":
            one = "(" + ", ".join(["?"] * width) + ")"
            for start in range(0, len(rows), SQLITE_ROWS_PER_STATEMENT):
                part = rows[start : start + SQLITE_ROWS_PER_STATEMENT]
                # Column names and markers are constants of this module: nothing from a request.
                sql = f"INSERT INTO audit_events ({names}) VALUES {', '.join([one] * len(part))}"  # noqa: S608 - constant column names and markers, no request data
                conn.exec_driver_sql(sql, tuple(value for row in part for value in row))
        else:
            sql = f"INSERT INTO audit_events ({names}) VALUES ({', '.join(['%s'] * width)})"  # noqa: S608 - constant column names and markers, no request data
            conn.exec_driver_sql(sql, list(rows))


def prune(store: Store, before_ms: int) -> int:
    """Delete the events older than ``before_ms`` (retention); the number deleted."""
    with store.engine.begin() as conn:
        return conn.execute(delete(t).where(t.c.event_time_ms < before_ms)).rowcount or 0


def lookup(store: Store, q: Lookup) -> list[StoredEvent]:
    conds: list[ColumnElement[bool]] = []
    if q.account_id is not None:
        conds.append(t.c.account_id == q.account_id)
    if q.start_ms is not None:
        conds.append(t.c.event_time_ms >= q.start_ms)
    if q.end_ms is not None:
        conds.append(t.c.event_time_ms <= q.end_ms)
    conds.extend(_attribute(key, value) for key, value in q.attributes)
    if q.after is not None:
        at, event_id = q.after
        conds.append(or_(t.c.event_time_ms < at, and_(t.c.event_time_ms == at, t.c.event_id < event_id)))
    stmt = (
        select(
            t.c.event_id,
            t.c.event_time_ms,
            t.c.event_name,
            t.c.event_source,
            t.c.read_only,
            t.c.username,
            t.c.access_key_id,
            t.c.resource_types,
            t.c.resource_names,
            t.c.record,
        )
        .where(*conds)
        .order_by(t.c.event_time_ms.desc(), t.c.event_id.desc())
        .limit(q.limit)
    )
    with store.read() as conn:
        rows = conn.execute(stmt).all()
    return [
        StoredEvent(
            event_id=r[0],
            event_time_ms=r[1],
            event_name=r[2],
            event_source=r[3],
            read_only=bool(r[4]),
            username=r[5],
            access_key_id=r[6],
            resources=_split_resources(r[7], r[8]),
            record=r[9],
        )
        for r in rows
    ]


def _attribute(key: str, value: str) -> ColumnElement[bool]:
    column_name, several = ATTRIBUTES[key]
    column = t.c[column_name]
    if key == "ReadOnly":
        return column == (value.lower() == "true")
    # Looked for as it was stored: a value a database refuses matches its stored form.
    value = storable(value)
    if several:
        return column.contains(SEP + value.replace(SEP, "") + SEP, autoescape=True)
    return column == value


def _split_resources(types: str, names: str) -> tuple[tuple[str, str], ...]:
    ts = types.strip(SEP).split(SEP) if types else []
    ns = names.strip(SEP).split(SEP) if names else []
    return tuple(zip(ts, ns))
