"""CopyObject, and the copy source it shares with UploadPartCopy: parsed, authorized, read."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import unquote

from credmint.s3 import errors as s3_errors
from credmint.s3 import sse, versions
from credmint.s3.actions import VERSION_ACTIONS, copy_source_path
from credmint.s3.blobs import BlobGone
from credmint.s3.buckets import xml_response
from credmint.s3.conditions import check_conditions
from credmint.s3.context import BucketRow, S3Context, S3Response, check_key, dumps
from credmint.s3.object_headers import (
    CHECKSUM_HEADERS,
    DEFAULT_CONTENT_TYPE,
    checksum_members,
    requested_algorithm,
    storage_class,
    stored_headers,
    user_metadata,
)
from credmint.s3.objects import refuse_unsupported_write, store_object
from credmint.s3.restore import check_readable
from credmint.s3.rows import ObjectRow, from_version, load_object, quoted
from credmint.s3.tags import tagging_header
from credmint.sigv4 import RunningChecksum

# --- CopyObject ---------------------------------------------------------------------------


def parse_copy_source(raw: str) -> tuple[str, str, str | None]:
    """``(bucket, key, version id or None)`` of an ``x-amz-copy-source`` header."""
    version = raw.strip().partition("?")[2]
    version_id: str | None = None
    if version:
        name, _, value = version.partition("=")
        if name != "versionId" or not value:
            raise s3_errors.InvalidArgument.version_id("x-amz-copy-source", raw)
        version_id = unquote(value)
        if version_id != versions.NULL and not versions.valid_version_id(version_id):
            raise s3_errors.InvalidArgument.version_id("x-amz-copy-source", raw)
    source = copy_source_path(raw)
    bucket, _, key = source.partition("/")
    # A NUL names no object (wire.s3's path decoding refuses it in a request's own key).
    if not bucket or not key or "\x00" in source or (version_id is not None and "\x00" in version_id):
        raise s3_errors.InvalidArgument.copy_source_key(raw)
    return bucket, key, version_id


def read_copy_source(ctx: S3Context, bucket: str, key: str, version_id: str | None) -> ObjectRow:
    """The object a copy (CopyObject, UploadPartCopy) reads: NoSuchKey / NoSuchVersion if
    there is none, and a delete marker is not an object to copy (S3: InvalidRequest for a
    marker named by its id, NoSuchKey for a key whose current version is one)."""
    with ctx.store.read() as conn:
        if version_id is None:
            row = load_object(conn, bucket, key)
            if row is None:
                raise s3_errors.NoSuchKey(key)
        else:
            found = versions.find(conn, bucket, key, version_id)
            if found is None:
                raise s3_errors.NoSuchVersion(key, version_id)
            if found.delete_marker:
                raise s3_errors.InvalidRequest.copy_source_delete_marker()
            row = from_version(found)
    # An archived source's data is read only from a restored copy.
    check_readable(row.attributes, ctx.now, copy_source=True)
    return row


def authorize_copy_source(ctx: S3Context, bucket_name: str, key: str, version_id: str | None) -> BucketRow | None:
    """s3:GetObject on the copy source, s3:GetObjectVersion when the source names a version."""
    src_bucket = ctx.load_bucket(bucket_name)
    # The source's stored facts (its tags for s3:ExistingObjectTag, its ACL) are those of
    # the version it names, or of its current version: never the destination request's.
    if version_id is None:
        ctx.authorize("GetObject", src_bucket, key, bucket_name=bucket_name, version=None)
    else:
        ctx.authorize(
            "GetObject",
            src_bucket,
            key,
            bucket_name=bucket_name,
            action=VERSION_ACTIONS["GetObject"],
            extra_keys={"s3:versionid": version_id},
            version=version_id,
        )
    return src_bucket


def copy_object(ctx: S3Context) -> S3Response:
    assert ctx.bucket is not None and ctx.key is not None
    check_key(ctx.key)
    src_bucket_name, src_key, src_version = parse_copy_source(ctx.header("x-amz-copy-source") or "")
    dest = ctx.bucket_or_404()
    ownership, customer = refuse_unsupported_write(ctx, dest)
    # The copy's class is the request's (STANDARD without one), whatever the source's.
    chosen_class = storage_class(ctx)
    source_customer = ctx.customer_key(copy_source=True)
    src_bucket = authorize_copy_source(ctx, src_bucket_name, src_key, src_version)
    if src_bucket is None:
        raise s3_errors.NoSuchBucket(src_bucket_name)
    directive = (ctx.header("x-amz-metadata-directive") or "COPY").upper()
    if directive not in ("COPY", "REPLACE"):
        raise s3_errors.InvalidArgument.metadata_directive(directive)
    tagging_directive = (ctx.header("x-amz-tagging-directive") or "COPY").upper()
    if tagging_directive not in ("COPY", "REPLACE"):
        raise s3_errors.InvalidArgument.tagging_directive(tagging_directive)
    # A copy onto itself that changes the encryption (to SSE-C, or from SSE-C) is a change.
    changes_encryption = customer is not None or source_customer is not None
    if (
        src_bucket_name == dest.name
        and src_key == ctx.key
        and directive == "COPY"
        and src_version is None
        and not changes_encryption
    ):
        raise s3_errors.InvalidRequest.copy_to_itself()
    algorithm = requested_algorithm(ctx)
    master = ctx.master_key
    for _attempt in range(3):
        src = read_copy_source(ctx, src_bucket_name, src_key, src_version)
        source_key = sse.read_key(master, src.attributes, source_customer, copy_source=True)
        check_conditions(ctx.header, src.etag, src.last_modified, prefix="x-amz-copy-source-", copy=True)
        try:
            reader = ctx.blobs.open(src.blob, src.segments, source_key, 0, src.size)
        except BlobGone:
            continue
        break
    else:
        raise s3_errors.NoSuchKey(src_key)
    keep = src.checksum if src.checksum and src.checksum.get("type") == "FULL_OBJECT" else None
    running = (
        RunningChecksum(CHECKSUM_HEADERS[algorithm])
        if algorithm is not None and (keep is None or keep["algorithm"] != algorithm)
        else None
    )
    md5 = hashlib.md5(usedforsecurity=False)
    writer = ctx.blobs.writer()
    try:
        # Decrypted under the source's key and sealed again under the destination's, a
        # piece at a time: a copy of any size runs in constant memory.
        writer.begin(customer.key if customer is not None else sse.sse_s3_key(master))
        try:
            while piece := reader.read():
                md5.update(piece)
                if running is not None:
                    running.update(piece)
                writer.write(piece)
        finally:
            reader.close()
        blob = writer.commit()
    except BaseException:
        writer.discard()
        raise
    if directive == "REPLACE":
        attributes: dict[str, Any] = {"meta": user_metadata(ctx), "headers": stored_headers(ctx)}
        content_type = ctx.header("content-type") or DEFAULT_CONTENT_TYPE
    else:
        attributes = {"meta": src.attributes.get("meta") or {}, "headers": src.attributes.get("headers") or {}}
        content_type = src.content_type or DEFAULT_CONTENT_TYPE
    # The copy keeps the source's tags unless the request replaces them (x-amz-tagging-directive).
    tags = (
        src.attributes.get("tags") if tagging_directive == "COPY" else tagging_header(ctx.header("x-amz-tagging") or "")
    )
    if tags:
        attributes["tags"] = tags
    # The copy is a new object: owned and ACL'd as the request says, not as the source was.
    attributes.update(ownership)
    if chosen_class is not None:
        attributes["storage_class"] = chosen_class
    checksum = keep
    if running is not None and algorithm is not None:
        checksum = {"algorithm": algorithm, "value": running.value(), "type": "FULL_OBJECT"}
    if checksum:
        attributes["checksum"] = checksum
    if customer is not None:
        attributes["sse_c"] = sse.key_check(master, customer)
    etag = quoted(sse.etag_hex(md5.digest(), customer))
    values = {
        "key": ctx.key,
        "size": src.size,
        "etag": etag,
        "content_type": content_type,
        "attributes": dumps(attributes),
        "blob": blob,
        "last_modified": ctx.now,
    }
    version_id = store_object(ctx, values, blob)
    result: dict[str, Any] = {
        "CopyObjectResult": {"ETag": etag, "LastModified": ctx.now, **checksum_members(checksum)},
        **sse.response_members(attributes, customer),
    }
    if src_version is not None or src.version_id != versions.NULL:
        result["CopySourceVersionId"] = src.version_id
    if version_id != versions.NULL:
        result["VersionId"] = version_id
    return xml_response("CopyObject", result)
