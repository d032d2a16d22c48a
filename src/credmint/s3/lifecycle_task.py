"""The background task that applies S3 lifecycle rules (``s3.lifecycle``) to the store.

Theory of operation. Every node runs :func:`run_if_leader` on a timer. Only the holder of
the lifecycle lease (a row in ``meta``, taken and renewed by a conditional write, so two
nodes on one PostgreSQL cannot both hold it; it lapses when its holder stops renewing) runs
a pass, so an expiration is applied once, not once per node. A pass walks the buckets that
have a lifecycle configuration, rule by rule, reading keys in bounded batches; each action
is its own short write transaction under the bucket's lock that re-reads what it changes,
so a write racing the pass is never undone (an object overwritten since it was read is
left alone). Versions Object Lock protects are skipped. Blobs that no row names any more
are unlinked after each commit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from credmint.s3 import lifecycle, object_lock, versions
from credmint.s3.blobs import BlobStore
from credmint.store import schema
from credmint.store.db import Store

log = logging.getLogger("credmint.s3.lifecycle")

LEASE_KEY = "s3_lifecycle_lease"
BATCH = 500


@dataclass
class PassResult:
    """What one pass did (for the log and the tests)."""

    expired: int = 0
    markers_removed: int = 0
    noncurrent_removed: int = 0
    uploads_aborted: int = 0
    skipped_locked: int = 0
    buckets: list[str] = field(default_factory=list)


def acquire_lease(store: Store, node: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lifecycle lease for ``node`` until ``now + ttl``; False if another
    node holds an unexpired one."""
    m = schema.meta
    value = json.dumps({"node": node, "until": (now + ttl).isoformat()})
    try:
        with store.write() as conn:
            row = conn.execute(select(m.c.value).where(m.c.key == LEASE_KEY).with_for_update()).first()
            if row is None:
                conn.execute(insert(m).values(key=LEASE_KEY, value=value))
                return True
            held = json.loads(row[0])
            if held.get("node") != node and datetime.fromisoformat(held["until"]) > now:
                return False
            # Compare-and-set on the value read: a node that renewed in between wins.
            done = conn.execute(update(m).where(m.c.key == LEASE_KEY, m.c.value == row[0]).values(value=value))
            return done.rowcount == 1
    except IntegrityError:
        return False  # another node inserted the first lease at the same moment


def run_if_leader(store: Store, blobs: BlobStore, node: str, now: datetime, interval: float) -> PassResult | None:
    """One pass if this node holds (or takes) the lease; None otherwise."""
    if not acquire_lease(store, node, now, timedelta(seconds=interval * 2)):
        return None
    return run_pass(store, blobs, now)


def run_pass(store: Store, blobs: BlobStore, now: datetime) -> PassResult:
    result = PassResult()
    c = schema.bucket_configs
    with store.read() as conn:
        configured = conn.execute(select(c.c.bucket, c.c.document).where(c.c.name == "lifecycle")).all()
    for bucket, document in configured:
        rules = [r for r in json.loads(document) if r.get("Status") == "Enabled"]
        result.buckets.append(bucket)
        for rule in rules:
            if "Expiration" in rule:
                _expire_current(store, blobs, bucket, rule, now, result)
                if rule["Expiration"].get("ExpiredObjectDeleteMarker"):
                    _remove_lone_markers(store, bucket, rule, result)
            if "NoncurrentVersionExpiration" in rule:
                _expire_noncurrent(store, blobs, bucket, rule, now, result)
            if "AbortIncompleteMultipartUpload" in rule:
                _abort_uploads(store, blobs, bucket, rule, now, result)
    return result


def _tags(attributes: dict[str, Any]) -> dict[str, str]:
    tags = attributes.get("tags")
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}


def _keys_from(store: Store, table: Any, bucket: str, prefix: str) -> Iterator[list[Any]]:
    """Rows of ``table`` in ``bucket`` under ``prefix``, a batch at a time in key order."""
    after: str | None = None
    while True:
        stmt = select(table.c.key).where(table.c.bucket == bucket)
        if prefix:
            stmt = stmt.where(table.c.key.startswith(prefix, autoescape=True))
        if after is not None:
            stmt = stmt.where(table.c.key > after)
        with store.read() as conn:
            keys = [r[0] for r in conn.execute(stmt.distinct().order_by(table.c.key).limit(BATCH))]
        if not keys:
            return
        yield keys
        after = keys[-1]


def _lock(conn: Any, bucket: str) -> bool:
    b = schema.buckets
    return conn.execute(select(b.c.name).where(b.c.name == bucket).with_for_update()).first() is not None


def _expire_current(
    store: Store, blobs: BlobStore, bucket: str, rule: dict[str, Any], now: datetime, result: PassResult
) -> None:
    o = schema.objects
    prefix = rule["Filter"].get("Prefix", "")
    for keys in _keys_from(store, o, bucket, prefix):
        with store.read() as conn:
            rows = conn.execute(
                select(o.c.key, o.c.version_id, o.c.size, o.c.attributes, o.c.last_modified).where(
                    o.c.bucket == bucket, o.c.key.in_(keys)
                )
            ).all()
        for key, version_id, size, attributes, modified in rows:
            created = modified if modified.tzinfo is not None else modified.replace(tzinfo=now.tzinfo)
            attrs = json.loads(attributes)
            if not (
                lifecycle.matches(rule, key, int(size), _tags(attrs)) and lifecycle.current_expired(rule, created, now)
            ):
                continue
            with store.write() as conn:
                if not _lock(conn, bucket):
                    return
                still = conn.execute(
                    select(o.c.version_id).where(o.c.bucket == bucket, o.c.key == key, o.c.version_id == version_id)
                ).first()
                if still is None:
                    continue  # overwritten or deleted since it was read
                if versions.status(conn, bucket) is None and object_lock.removal_needs(attrs, now) != "ok":
                    result.skipped_locked += 1
                    continue
                _marker, dropped = versions.add_delete_marker(conn, bucket, key, now)
            blobs.delete(dropped)
            result.expired += 1


def _remove_lone_markers(store: Store, bucket: str, rule: dict[str, Any], result: PassResult) -> None:
    """ExpiredObjectDeleteMarker: a delete marker that is its key's only version goes."""
    v = schema.object_versions
    prefix = rule["Filter"].get("Prefix", "")
    for keys in _keys_from(store, v, bucket, prefix):
        for key in keys:
            with store.write() as conn:
                if not _lock(conn, bucket):
                    return
                rows = conn.execute(
                    select(v.c.version_id, v.c.delete_marker).where(v.c.bucket == bucket, v.c.key == key).limit(2)
                ).all()
                current = conn.execute(
                    select(schema.objects.c.key).where(schema.objects.c.bucket == bucket, schema.objects.c.key == key)
                ).first()
                if current is not None or len(rows) != 1 or not rows[0][1]:
                    continue
                versions.delete_version(conn, bucket, key, rows[0][0])
            result.markers_removed += 1


def _expire_noncurrent(
    store: Store, blobs: BlobStore, bucket: str, rule: dict[str, Any], now: datetime, result: PassResult
) -> None:
    v = schema.object_versions
    prefix = rule["Filter"].get("Prefix", "")
    for keys in _keys_from(store, v, bucket, prefix):
        for key in keys:
            dropped: list[str | None] = []
            with store.write() as conn:
                if not _lock(conn, bucket):
                    return
                src = versions.listing_source()
                rows = conn.execute(
                    select(*[col for col in src.c if col.name != "bucket"])
                    .where(src.c.bucket == bucket, src.c.key == key)
                    .order_by(src.c.seq.desc())
                ).all()
                found = [versions.version_from_row(r) for r in rows]
                # found[0] is the key's latest version (current object or delete marker);
                # each later one stopped being current when the one before it was written.
                for i in range(1, len(found)):
                    old = found[i]
                    since = found[i - 1].last_modified
                    if not lifecycle.noncurrent_expired(rule, since, i - 1, now):
                        continue
                    if not lifecycle.matches(rule, key, old.size, _tags(old.attributes)):
                        continue
                    if object_lock.removal_needs(old.attributes, now) != "ok":
                        result.skipped_locked += 1
                        continue
                    _gone, blobs_out = versions.delete_version(conn, bucket, key, old.version_id)
                    dropped.extend(blobs_out)
                    result.noncurrent_removed += 1
            blobs.delete(dropped)


def _abort_uploads(
    store: Store, blobs: BlobStore, bucket: str, rule: dict[str, Any], now: datetime, result: PassResult
) -> None:
    u, mp = schema.multipart_uploads, schema.multipart_parts
    prefix = rule["Filter"].get("Prefix", "")
    stmt = select(u.c.upload_id, u.c.key, u.c.initiated).where(u.c.bucket == bucket)
    if prefix:
        stmt = stmt.where(u.c.key.startswith(prefix, autoescape=True))
    with store.read() as conn:
        uploads = conn.execute(stmt.limit(10_000)).all()
    for upload_id, _key, initiated in uploads:
        started = initiated if initiated.tzinfo is not None else initiated.replace(tzinfo=now.tzinfo)
        if not lifecycle.upload_expired(rule, started, now):
            continue
        with store.write() as conn:
            part_blobs = [r[0] for r in conn.execute(select(mp.c.blob).where(mp.c.upload_id == upload_id))]
            conn.execute(delete(mp).where(mp.c.upload_id == upload_id))
            if conn.execute(delete(u).where(u.c.upload_id == upload_id)).rowcount != 1:
                continue  # completed or aborted meanwhile
        blobs.delete(part_blobs)
        result.uploads_aborted += 1
