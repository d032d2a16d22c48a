"""An object's stored row: reading it, writing the key's current version, and the owner
and version an object request addresses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from credmint.s3 import errors as s3_errors
from credmint.s3 import versions
from credmint.s3.context import BucketRow, S3Context
from credmint.store import schema


@dataclass(frozen=True, slots=True)
class ObjectRow:
    key: str
    size: int
    etag: str
    content_type: str | None
    attributes: dict[str, Any]
    blob: str
    last_modified: datetime
    version_id: str = versions.NULL

    @property
    def checksum(self) -> dict[str, str] | None:
        value = self.attributes.get("checksum")
        return value if isinstance(value, dict) else None

    @property
    def segments(self) -> list[int]:
        """Plaintext sizes of the blob's sealed segments (one per part of a multipart upload)."""
        value = self.attributes.get("segments")
        return [int(v) for v in value] if isinstance(value, list) else [self.size]


OBJECT_COLUMNS = (
    schema.objects.c.key,
    schema.objects.c.size,
    schema.objects.c.etag,
    schema.objects.c.content_type,
    schema.objects.c.attributes,
    schema.objects.c.blob,
    schema.objects.c.last_modified,
    schema.objects.c.version_id,
)


def object_row(r: Any) -> ObjectRow:
    modified = r[6] if r[6].tzinfo is not None else r[6].replace(tzinfo=UTC)  # SQLite drops the zone
    return ObjectRow(r[0], int(r[1]), r[2], r[3], json.loads(r[4]), r[5], modified, r[7])


def from_version(v: versions.Version) -> ObjectRow:
    assert v.blob is not None
    return ObjectRow(v.key, v.size, v.etag, v.content_type, v.attributes, v.blob, v.last_modified, v.version_id)


def load_object(conn: Connection, bucket: str, key: str) -> ObjectRow | None:
    o = schema.objects
    r = conn.execute(select(*OBJECT_COLUMNS).where(o.c.bucket == bucket, o.c.key == key)).first()
    return None if r is None else object_row(r)


def read_object(ctx: S3Context, bucket: str, key: str) -> ObjectRow | None:
    with ctx.store.read() as conn:
        return load_object(conn, bucket, key)


def lock_bucket(conn: Connection, bucket: str) -> None:
    """Lock the bucket row (PostgreSQL) for the rest of a write transaction, so DeleteBucket
    cannot slip in between its emptiness check and an insert, and the writes of one key's
    versions are serialized (``s3.versions``)."""
    b = schema.buckets
    if conn.execute(select(b.c.name).where(b.c.name == bucket).with_for_update()).first() is None:
        raise s3_errors.NoSuchBucket(bucket)


def write_object_row(
    conn: Connection, bucket: str, values: dict[str, Any], now: datetime
) -> tuple[str, list[str | None]]:
    """Make ``values`` the key's current version inside a write transaction, as the bucket's
    versioning status says (``s3.versions``); returns its version id and the blobs to unlink."""
    lock_bucket(conn, bucket)
    return versions.write_current(conn, bucket, values, now)


def version_header(version_id: str | None) -> dict[str, str]:
    """``x-amz-version-id`` of a write: S3 sends it for a real version id, not for "null"
    (s3-tests' test_versioning_bucket_atomic_upload_return_version_id)."""
    return {"x-amz-version-id": version_id} if version_id and version_id != versions.NULL else {}


def quoted(etag_hex: str) -> str:
    return f'"{etag_hex}"'


def addressed_version(ctx: S3Context, conn: Connection, bucket: str) -> versions.Version:
    """The version an object sub-resource request addresses: ``versionId``'s, else the current
    object (NoSuchKey / NoSuchVersion otherwise; a delete marker has no sub-resources)."""
    assert ctx.key is not None
    version_id = ctx.query.get("versionId")
    if version_id is None:
        obj = load_object(conn, bucket, ctx.key)
        if obj is None:
            raise s3_errors.NoSuchKey(ctx.key)
        found = versions.find(conn, bucket, ctx.key, obj.version_id)
    else:
        found = versions.find(conn, bucket, ctx.key, versions.check_version_id(version_id))
        if found is None:
            raise s3_errors.NoSuchVersion(ctx.key, version_id)
    if found is None:
        raise s3_errors.NoSuchKey(ctx.key)
    if found.delete_marker:
        raise s3_errors.MethodNotAllowed.delete_marker(ctx.req.method, found.version_id)
    return found


def addressed_object(ctx: S3Context) -> tuple[BucketRow, versions.Version]:
    bucket = ctx.bucket_or_404()
    with ctx.store.read() as conn:
        return bucket, addressed_version(ctx, conn, bucket.name)


def version_headers(bucket: BucketRow, version: versions.Version) -> dict[str, str]:
    if bucket.versioning is None and version.version_id == versions.NULL:
        return {}
    return {"x-amz-version-id": version.version_id}
