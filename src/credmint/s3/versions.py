"""S3 versioning in the store: which version of a key is current, and what happens to it on a write or delete.

Theory of operation. A key's versions live in two tables. ``objects`` holds the current
version when it is an object (so listings, reads and every pre-versioning query keep
reading one row per key); ``object_versions`` holds every other version: older objects and
delete markers (``blob`` NULL). A key whose newest version is a delete marker has no
``objects`` row. ``seq`` orders a key's versions, newest highest; it is assigned inside
the write transaction as ``max(now in microseconds, newest seq of the key + 1)``, so it is
strictly increasing per key even if clocks of several nodes disagree (writes to a bucket
are serialized by the lock on its row, ``write_current``'s caller holds it).

What a write or delete does depends on the bucket's versioning status (the table below,
as S3's user guide describes "Adding objects to versioning-enabled buckets", "Working with
objects in a versioning-suspended bucket" and "Deleting object versions"):

============  ==========================================  =====================================
status        PUT (new current version)                   DELETE without versionId
============  ==========================================  =====================================
unversioned   replaces the "null" version                 removes the object
Enabled       new id; the old current becomes noncurrent  new delete marker (new id) on top
Suspended     id "null"; replaces any "null" version,     delete marker "null" on top,
              any other current becomes noncurrent        replacing any "null" version
============  ==========================================  =====================================

DELETE with a versionId removes that version for good; if it was the newest, the next
newest becomes current (moved back into ``objects`` when it is an object).

Functions here take an open write connection and return the blobs that no row names any
more; the caller unlinks them after the commit (see ``s3.blobs``).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, literal, select, update

from credmint.s3 import errors as s3_errors
from credmint.store import schema

#: The version id of an object written while versioning was off or suspended.
NULL = "null"

#: Version ids credmint issues are 32 URL-safe characters; anything not of this form (or
#: "null") cannot name a version and is refused as S3 refuses a malformed id.
_VERSION_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

ENABLED = "Enabled"
SUSPENDED = "Suspended"


def opaque_id(nbytes: int) -> str:
    """``nbytes`` random bytes as URL-safe text that never begins with "-". One such text
    in 64 would otherwise, and a command-line client reads ``--version-id -Xy...`` as an
    option: the AWS CLI refuses it ("expected one argument") unless written
    ``--version-id=-Xy...``."""
    while True:
        value = secrets.token_urlsafe(nbytes)
        if not value.startswith("-"):
            return value


def new_version_id() -> str:
    return opaque_id(24)


def valid_version_id(value: str) -> bool:
    return value == NULL or _VERSION_ID.fullmatch(value) is not None


def check_version_id(value: str) -> str:
    """``value`` if it can name a version; InvalidArgument (as S3) otherwise."""
    if valid_version_id(value):
        return value
    raise s3_errors.InvalidArgument.version_id("versionId", value[:1024])


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a key, current or not, object or delete marker."""

    key: str
    version_id: str
    seq: int
    delete_marker: bool
    size: int
    etag: str
    content_type: str | None
    attributes: dict[str, Any]
    blob: str | None
    last_modified: datetime
    #: Whether the row is in ``objects`` (the key's current object).
    current: bool


_O = schema.objects
_V = schema.object_versions


def _o_columns() -> tuple[Any, ...]:
    return (
        _O.c.key,
        _O.c.version_id,
        _O.c.seq,
        literal(False).label("delete_marker"),
        _O.c.size,
        _O.c.etag,
        _O.c.content_type,
        _O.c.attributes,
        _O.c.blob,
        _O.c.last_modified,
        literal(True).label("current"),
    )


def _v_columns() -> tuple[Any, ...]:
    return (
        _V.c.key,
        _V.c.version_id,
        _V.c.seq,
        _V.c.delete_marker,
        _V.c.size,
        _V.c.etag,
        _V.c.content_type,
        _V.c.attributes,
        _V.c.blob,
        _V.c.last_modified,
        literal(False).label("current"),
    )


def version_from_row(r: Any) -> Version:
    modified = r[9] if r[9].tzinfo is not None else r[9].replace(tzinfo=UTC)  # SQLite drops the zone
    return Version(
        key=r[0],
        version_id=r[1],
        seq=int(r[2]),
        delete_marker=bool(r[3]),
        size=int(r[4]),
        etag=r[5],
        content_type=r[6],
        attributes=json.loads(r[7]),
        blob=r[8],
        last_modified=modified,
        current=bool(r[10]),
    )


def status(conn: Connection, bucket: str) -> str | None:
    """The bucket's versioning status: None (never enabled), Enabled or Suspended."""
    c = schema.bucket_configs
    doc = conn.execute(select(c.c.document).where(c.c.bucket == bucket, c.c.name == "versioning")).scalar()
    if doc is None:
        return None
    value = json.loads(doc)
    return value if value in (ENABLED, SUSPENDED) else None


def find(conn: Connection, bucket: str, key: str, version_id: str) -> Version | None:
    """The version ``version_id`` of ``key``, current or not."""
    r = conn.execute(
        select(*_o_columns()).where(_O.c.bucket == bucket, _O.c.key == key, _O.c.version_id == version_id)
    ).first()
    if r is None:
        r = conn.execute(
            select(*_v_columns()).where(_V.c.bucket == bucket, _V.c.key == key, _V.c.version_id == version_id)
        ).first()
    return None if r is None else version_from_row(r)


def newest_noncurrent(conn: Connection, bucket: str, key: str) -> Version | None:
    """The newest version in ``object_versions`` (a delete marker on top when there is no current object)."""
    r = conn.execute(
        select(*_v_columns()).where(_V.c.bucket == bucket, _V.c.key == key).order_by(_V.c.seq.desc()).limit(1)
    ).first()
    return None if r is None else version_from_row(r)


def _next_seq(conn: Connection, bucket: str, key: str, now: datetime) -> int:
    top_current = conn.execute(select(func.max(_O.c.seq)).where(_O.c.bucket == bucket, _O.c.key == key)).scalar()
    top_old = conn.execute(select(func.max(_V.c.seq)).where(_V.c.bucket == bucket, _V.c.key == key)).scalar()
    newest = max(int(top_current or 0), int(top_old or 0))
    return max(int(now.timestamp() * 1_000_000), newest + 1)


def _demote_current(conn: Connection, bucket: str, key: str) -> None:
    """Move the current object of ``key`` (if any) to ``object_versions``."""
    conn.execute(
        insert(_V).from_select(
            ["bucket", "key", "version_id", "seq", "delete_marker", "size", "etag", "content_type", "attributes",
             "blob", "last_modified"],
            select(_O.c.bucket, _O.c.key, _O.c.version_id, _O.c.seq, literal(False), _O.c.size, _O.c.etag,
                   _O.c.content_type, _O.c.attributes, _O.c.blob, _O.c.last_modified)
            .where(_O.c.bucket == bucket, _O.c.key == key),
        )
    )  # fmt: skip
    conn.execute(delete(_O).where(_O.c.bucket == bucket, _O.c.key == key))


def _drop_noncurrent_null(conn: Connection, bucket: str, key: str) -> list[str | None]:
    """Remove the noncurrent "null" version of ``key`` (object or marker); its blob to unlink."""
    gone = conn.execute(
        select(_V.c.blob).where(_V.c.bucket == bucket, _V.c.key == key, _V.c.version_id == NULL)
    ).first()
    if gone is None:
        return []
    conn.execute(delete(_V).where(_V.c.bucket == bucket, _V.c.key == key, _V.c.version_id == NULL))
    return [gone[0]]


def _make_room(conn: Connection, bucket: str, key: str, state: str | None) -> list[str | None]:
    """Clear the way for a new newest version of ``key``: what an unversioned or suspended
    bucket overwrites goes (its blob is returned), anything else becomes noncurrent."""
    current = conn.execute(
        select(_O.c.version_id, _O.c.blob).where(_O.c.bucket == bucket, _O.c.key == key).with_for_update()
    ).first()
    dropped: list[str | None] = []
    if current is not None:
        if state == ENABLED or (state == SUSPENDED and current[0] != NULL):
            _demote_current(conn, bucket, key)
        else:
            conn.execute(delete(_O).where(_O.c.bucket == bucket, _O.c.key == key))
            dropped.append(current[1])
    if state == SUSPENDED:
        dropped.extend(_drop_noncurrent_null(conn, bucket, key))
    return dropped


def write_current(conn: Connection, bucket: str, values: dict[str, Any], now: datetime) -> tuple[str, list[str | None]]:
    """Make ``values`` (an ``objects`` row without version columns) the key's current version.

    Returns the version id given to it and the blobs no longer named by any row.
    """
    key = values["key"]
    state = status(conn, bucket)
    seq = _next_seq(conn, bucket, key, now)
    dropped = _make_room(conn, bucket, key, state)
    version_id = new_version_id() if state == ENABLED else NULL
    conn.execute(insert(_O).values(bucket=bucket, version_id=version_id, seq=seq, **values))
    return version_id, dropped


def add_delete_marker(conn: Connection, bucket: str, key: str, now: datetime) -> tuple[str | None, list[str | None]]:
    """DeleteObject without a version id: the marker's version id (None on an unversioned
    bucket, where the object is simply removed) and the blobs to unlink."""
    state = status(conn, bucket)
    if state is None:
        gone = conn.execute(select(_O.c.blob).where(_O.c.bucket == bucket, _O.c.key == key)).first()
        if gone is None:
            return None, []
        conn.execute(delete(_O).where(_O.c.bucket == bucket, _O.c.key == key))
        return None, [gone[0]]
    seq = _next_seq(conn, bucket, key, now)
    dropped = _make_room(conn, bucket, key, state)
    version_id = new_version_id() if state == ENABLED else NULL
    conn.execute(
        insert(_V).values(
            bucket=bucket,
            key=key,
            version_id=version_id,
            seq=seq,
            delete_marker=True,
            size=0,
            etag="",
            content_type=None,
            attributes="{}",
            blob=None,
            last_modified=now,
        )
    )
    return version_id, dropped


def delete_version(conn: Connection, bucket: str, key: str, version_id: str) -> tuple[Version | None, list[str | None]]:
    """Remove one version for good. Returns it (None if there was none) and the blobs to unlink.

    When it was the key's current object, the next newest version takes its place: moved
    back into ``objects`` if it is an object, left on top if it is a delete marker.
    """
    found = find(conn, bucket, key, version_id)
    if found is None:
        return None, []
    if found.current:
        conn.execute(delete(_O).where(_O.c.bucket == bucket, _O.c.key == key))
    else:
        conn.execute(delete(_V).where(_V.c.bucket == bucket, _V.c.key == key, _V.c.version_id == version_id))
    if conn.execute(select(_O.c.key).where(_O.c.bucket == bucket, _O.c.key == key)).first() is None:
        top = newest_noncurrent(conn, bucket, key)
        if top is not None and not top.delete_marker:
            _promote(conn, bucket, top)
    return found, [found.blob]


def _promote(conn: Connection, bucket: str, v: Version) -> None:
    conn.execute(
        insert(_O).from_select(
            ["bucket", "key", "version_id", "seq", "size", "etag", "content_type", "attributes", "blob",
             "last_modified"],
            select(_V.c.bucket, _V.c.key, _V.c.version_id, _V.c.seq, _V.c.size, _V.c.etag, _V.c.content_type,
                   _V.c.attributes, _V.c.blob, _V.c.last_modified)
            .where(_V.c.bucket == bucket, _V.c.key == v.key, _V.c.version_id == v.version_id),
        )
    )  # fmt: skip
    conn.execute(delete(_V).where(_V.c.bucket == bucket, _V.c.key == v.key, _V.c.version_id == v.version_id))


def set_attributes(conn: Connection, bucket: str, v: Version, attributes: str) -> None:
    """Rewrite the stored attributes (tags) of one version, wherever it lives."""
    if v.current:
        conn.execute(
            update(_O).where(_O.c.bucket == bucket, _O.c.key == v.key, _O.c.version_id == v.version_id)
            .values(attributes=attributes)
        )  # fmt: skip
    else:
        conn.execute(
            update(_V).where(_V.c.bucket == bucket, _V.c.key == v.key, _V.c.version_id == v.version_id)
            .values(attributes=attributes)
        )  # fmt: skip


def has_versions(conn: Connection, bucket: str) -> bool:
    """Whether any noncurrent version or delete marker remains (DeleteBucket refuses then)."""
    return conn.execute(select(_V.c.key).where(_V.c.bucket == bucket).limit(1)).first() is not None


def listing_source() -> Any:
    """Every version of every key as one selectable (ListObjectVersions scans it in key order)."""
    o = select(*_o_columns()).add_columns(_O.c.bucket)
    v = select(*_v_columns()).add_columns(_V.c.bucket)
    return o.union_all(v).subquery("all_versions")
