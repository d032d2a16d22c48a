"""The listings: ListObjects, ListObjectsV2 and ListObjectVersions."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, select

from credmint.s3 import errors as s3_errors
from credmint.s3 import versions
from credmint.s3.acl_request import account_owner
from credmint.s3.buckets import xml_response
from credmint.s3.context import S3Context, S3Response, sort_key
from credmint.s3.object_headers import stored_storage_class
from credmint.s3.rows import OBJECT_COLUMNS, ObjectRow, object_row
from credmint.store import schema

# --- listings -----------------------------------------------------------------------------


def _successor(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix``."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return None
    return prefix[:-1] + chr(last + 1)


@dataclass
class _Listing:
    contents: list[ObjectRow]
    prefixes: list[str]
    truncated: bool
    #: The last key or common prefix returned (V1 NextMarker, the V2 token's content).
    last: str | None


def _scan(ctx: S3Context, bucket: str, prefix: str, delimiter: str, marker: str, max_keys: int) -> _Listing:
    o = schema.objects
    key_col = sort_key(ctx.store, o.c.key)
    if marker and marker >= prefix:
        bound, inclusive = marker, False
    else:
        bound, inclusive = prefix, True
    items: list[tuple[str, ObjectRow | None]] = []
    want = max_keys + 1  # one more than asked tells whether the listing is truncated
    batch = min(1000, want + 1)
    with ctx.store.read() as conn:
        while len(items) < want:
            stmt = select(*OBJECT_COLUMNS).where(o.c.bucket == bucket)
            stmt = stmt.where(key_col >= bound if inclusive else key_col > bound)
            rows = conn.execute(stmt.order_by(key_col).limit(batch)).all()
            jumped = False
            for r in rows:
                key = r[0]
                if not key.startswith(prefix):
                    return _finish(items, max_keys)
                if delimiter:
                    at = key.find(delimiter, len(prefix))
                    if at >= 0:
                        common = key[: at + len(delimiter)]
                        if not (marker and marker.startswith(common)) and (not items or items[-1][0] != common):
                            items.append((common, None))
                        nxt = _successor(common)
                        if nxt is not None:
                            bound, inclusive, jumped = nxt, True, True
                            break
                        continue
                items.append((key, object_row(r)))
                if len(items) >= want:
                    break
            if not jumped:
                if len(rows) < batch:
                    break
                bound, inclusive = rows[-1][0], False
    return _finish(items, max_keys)


def _finish(items: list[tuple[str, ObjectRow | None]], max_keys: int) -> _Listing:
    # max-keys=0 asks for no keys at all: S3 answers IsTruncated false (s3-tests'
    # test_bucket_list[v2]_maxkeys_zero). A truncated page with nothing in it would carry no
    # marker to continue from, and a client following IsTruncated would loop forever.
    truncated = max_keys > 0 and len(items) > max_keys
    items = items[:max_keys]
    return _Listing(
        contents=[row for _, row in items if row is not None],
        prefixes=[name for name, row in items if row is None],
        truncated=truncated,
        last=items[-1][0] if items else None,
    )


def _max_keys(ctx: S3Context) -> int:
    raw = ctx.query.get("max-keys")
    if raw is None:
        return 1000
    try:
        value = int(raw)
    except ValueError:
        raise s3_errors.InvalidArgument.not_an_integer("max-keys", raw) from None
    if value < 0:
        raise s3_errors.InvalidArgument.integer_range("maxKeys", raw)
    return min(value, 1000)


def _encoder(ctx: S3Context) -> Callable[[str], str]:
    encoding = ctx.query.get("encoding-type")
    if encoding is None:
        return lambda s: s
    if encoding != "url":
        raise s3_errors.InvalidArgument.encoding_type(encoding)
    return lambda s: quote(s, safe="/~")


def _contents(rows: list[ObjectRow], enc: Callable[[str], str], owner: dict[str, str] | None) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item: dict[str, Any] = {
            "Key": enc(row.key),
            "LastModified": row.last_modified,
            "ETag": row.etag,
            "Size": row.size,
            "StorageClass": stored_storage_class(row.attributes),
        }
        if row.checksum:
            item["ChecksumAlgorithm"] = [row.checksum["algorithm"]]
            item["ChecksumType"] = row.checksum.get("type", "FULL_OBJECT")
        if owner is not None:
            item["Owner"] = owner
        out.append(item)
    return out


def list_objects(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    q = ctx.query
    enc = _encoder(ctx)
    prefix, delimiter, marker = q.get("prefix", ""), q.get("delimiter", ""), q.get("marker", "")
    max_keys = _max_keys(ctx)
    listing = _scan(ctx, bucket.name, prefix, delimiter, marker, max_keys)
    owner = account_owner(ctx, bucket.account_id)
    result: dict[str, Any] = {
        "Name": bucket.name,
        # Version 1 never encodes its own Prefix, encoding-type=url or not (botocore, which
        # asks for url encoding on every ListObjects, decodes Marker but not Prefix).
        "Prefix": prefix,
        "Marker": enc(marker),
        "MaxKeys": max_keys,
        "IsTruncated": listing.truncated,
        "Contents": _contents(listing.contents, enc, owner),
        "CommonPrefixes": [{"Prefix": enc(p)} for p in listing.prefixes],
    }
    if delimiter:
        result["Delimiter"] = enc(delimiter)
        if listing.truncated and listing.last is not None:
            result["NextMarker"] = enc(listing.last)
    if "encoding-type" in q:
        result["EncodingType"] = "url"
    return xml_response("ListObjects", result)


def list_objects_v2(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    q = ctx.query
    enc = _encoder(ctx)
    prefix, delimiter = q.get("prefix", ""), q.get("delimiter", "")
    max_keys = _max_keys(ctx)
    token = q.get("continuation-token")
    if token is not None:
        try:
            marker = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
        except (ValueError, UnicodeError):
            raise s3_errors.InvalidArgument.continuation_token("continuation-token", token) from None
    else:
        marker = q.get("start-after", "")
    listing = _scan(ctx, bucket.name, prefix, delimiter, marker, max_keys)
    fetch_owner = q.get("fetch-owner", "").lower() == "true"
    owner = account_owner(ctx, bucket.account_id) if fetch_owner else None
    result: dict[str, Any] = {
        "Name": bucket.name,
        "Prefix": enc(prefix),
        "MaxKeys": max_keys,
        "KeyCount": len(listing.contents) + len(listing.prefixes),
        "IsTruncated": listing.truncated,
        "Contents": _contents(listing.contents, enc, owner),
        "CommonPrefixes": [{"Prefix": enc(p)} for p in listing.prefixes],
    }
    if delimiter:
        result["Delimiter"] = enc(delimiter)
    if token is not None:
        result["ContinuationToken"] = token
    if "start-after" in q:
        result["StartAfter"] = enc(q["start-after"])
    if listing.truncated and listing.last is not None:
        result["NextContinuationToken"] = base64.urlsafe_b64encode(listing.last.encode("utf-8")).decode("ascii")
    if "encoding-type" in q:
        result["EncodingType"] = "url"
    return xml_response("ListObjectsV2", result)


# --- ListObjectVersions -------------------------------------------------------------------


def _version_rows(ctx: S3Context, conn: Connection, bucket: str, bound: str, inclusive: bool) -> Iterator[Any]:
    """Every version of the keys from ``bound`` on, in key order and newest first, read in
    batches of at most 1000 rows (a key with more versions than that is paged by ``seq``)."""
    src = versions.listing_source()
    key_col = sort_key(ctx.store, src.c.key)
    columns = [c for c in src.c if c.name != "bucket"]
    while True:
        stmt = select(*columns).where(src.c.bucket == bucket, key_col >= bound if inclusive else key_col > bound)
        rows = conn.execute(stmt.order_by(key_col, src.c.seq.desc()).limit(_VERSION_BATCH)).all()
        if len(rows) < _VERSION_BATCH:
            yield from rows
            return
        last_key = rows[-1][0]
        yield from (r for r in rows if r[0] != last_key)
        seq: int | None = None
        while True:
            within = select(*columns).where(src.c.bucket == bucket, src.c.key == last_key)
            if seq is not None:
                within = within.where(src.c.seq < seq)
            part = conn.execute(within.order_by(src.c.seq.desc()).limit(_VERSION_BATCH)).all()
            yield from part
            if len(part) < _VERSION_BATCH:
                break
            seq = int(part[-1][2])
        bound, inclusive = last_key, False


_VERSION_BATCH = 1000


def _scan_versions(
    ctx: S3Context, bucket: str, prefix: str, delimiter: str, key_marker: str, id_marker: str, max_keys: int
) -> tuple[list[tuple[str, versions.Version | None, bool]], bool]:
    """Up to ``max_keys`` entries after the markers, in key order and newest version first:
    ``(key or common prefix, version or None for a prefix, is latest)``, and whether more remain.

    Stops reading one entry past the page, so a bucket of any size costs a page of memory.
    """
    items: list[tuple[str, versions.Version | None, bool]] = []
    want = max_keys + 1
    previous_key: str | None = None
    with ctx.store.read() as conn:
        if key_marker and id_marker:
            # Continue within the marker key: its versions older than the marker version.
            marker = versions.find(conn, bucket, key_marker, id_marker)
            if marker is not None:
                src = versions.listing_source()
                rows = conn.execute(
                    select(*[c for c in src.c if c.name != "bucket"])
                    .where(src.c.bucket == bucket, src.c.key == key_marker, src.c.seq < marker.seq)
                    .order_by(src.c.seq.desc())
                    .limit(want)
                ).all()
                items.extend((key_marker, versions.version_from_row(r), False) for r in rows)
                previous_key = key_marker
        if key_marker and key_marker >= prefix:
            bound, inclusive = key_marker, False
        else:
            bound, inclusive = prefix, True
        while len(items) < want:
            jumped = False
            for r in _version_rows(ctx, conn, bucket, bound, inclusive):
                key = r[0]
                if not key.startswith(prefix):
                    return _finish_versions(items, max_keys)
                if delimiter:
                    at = key.find(delimiter, len(prefix))
                    if at >= 0:
                        common = key[: at + len(delimiter)]
                        if not (key_marker and key_marker.startswith(common)) and (not items or items[-1][0] != common):
                            items.append((common, None, False))
                        nxt = _successor(common)
                        if nxt is None:
                            continue
                        bound, inclusive, jumped = nxt, True, True
                        break
                items.append((key, versions.version_from_row(r), key != previous_key))
                previous_key = key
                if len(items) >= want:
                    break
            if not jumped:
                break
    return _finish_versions(items, max_keys)


def _finish_versions(
    items: list[tuple[str, versions.Version | None, bool]], max_keys: int
) -> tuple[list[tuple[str, versions.Version | None, bool]], bool]:
    truncated = max_keys > 0 and len(items) > max_keys
    return items[:max_keys], truncated


def list_object_versions(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    q = ctx.query
    enc = _encoder(ctx)
    prefix, delimiter = q.get("prefix", ""), q.get("delimiter", "")
    key_marker, id_marker = q.get("key-marker", ""), q.get("version-id-marker", "")
    if id_marker and not key_marker:
        raise s3_errors.InvalidArgument.version_id_marker_alone(id_marker)
    if id_marker:
        versions.check_version_id(id_marker)
    max_keys = _max_keys(ctx)
    items, truncated = _scan_versions(ctx, bucket.name, prefix, delimiter, key_marker, id_marker, max_keys)
    owner = account_owner(ctx, bucket.account_id)
    found: list[dict[str, Any]] = []
    markers: list[dict[str, Any]] = []
    prefixes: list[dict[str, str]] = []
    for name, v, latest in items:
        if v is None:
            prefixes.append({"Prefix": enc(name)})
            continue
        entry: dict[str, Any] = {
            "Key": enc(v.key),
            "VersionId": v.version_id,
            "IsLatest": latest,
            "LastModified": v.last_modified,
            "Owner": owner,
        }
        if v.delete_marker:
            markers.append(entry)
            continue
        entry.update(ETag=v.etag, Size=v.size, StorageClass=stored_storage_class(v.attributes))
        checksum = v.attributes.get("checksum")
        if isinstance(checksum, dict):
            entry["ChecksumAlgorithm"] = [checksum["algorithm"]]
            entry["ChecksumType"] = checksum.get("type", "FULL_OBJECT")
        found.append(entry)
    result: dict[str, Any] = {
        "Name": bucket.name,
        "Prefix": enc(prefix),
        "KeyMarker": enc(key_marker),
        "VersionIdMarker": id_marker,
        "MaxKeys": max_keys,
        "IsTruncated": truncated,
        "Versions": found,
        "DeleteMarkers": markers,
        "CommonPrefixes": prefixes,
    }
    if delimiter:
        result["Delimiter"] = enc(delimiter)
    if truncated and items:
        name, last, _ = items[-1]
        result["NextKeyMarker"] = enc(name)
        if last is not None:
            result["NextVersionIdMarker"] = last.version_id
    if "encoding-type" in q:
        result["EncodingType"] = "url"
    return xml_response("ListObjectVersions", result)
