"""Multipart uploads: Create, UploadPart, Complete, Abort, ListParts, ListMultipartUploads.

Each part is its own durable blob; completing concatenates them into a new blob (temp
file, fsync, rename) and swaps the metadata in one transaction, so a crash at any point
leaves either the upload or the finished object, never a partial object.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, insert, select, update

from credmint import arns
from credmint.errors import AwsError
from credmint.s3 import errors as s3_errors
from credmint.s3 import sse, versions, xmlbody
from credmint.s3.acl_request import account_owner
from credmint.s3.actions import resource_arn
from credmint.s3.blobs import BlobGone, BlobReader, is_sealed
from credmint.s3.buckets import xml_response
from credmint.s3.conditions import check_conditions, check_write_conditions
from credmint.s3.context import BucketRow, S3Context, S3Response, check_key, dumps, sort_key
from credmint.s3.copies import authorize_copy_source, parse_copy_source, read_copy_source
from credmint.s3.object_headers import (
    CHECKSUM_HEADERS,
    DEFAULT_CONTENT_TYPE,
    body_checksum,
    checksum_members,
    storage_class,
    stored_headers,
    stored_storage_class,
    user_metadata,
)
from credmint.s3.objects import refuse_unsupported_write, request_upload
from credmint.s3.protection import require_integrity_header
from credmint.s3.rows import quoted, read_object, write_object_row
from credmint.s3.tags import tagging_header
from credmint.s3.upload import Upload
from credmint.sigv4 import RunningChecksum
from credmint.sigv4.checksums import ALGORITHMS
from credmint.store import schema

MIN_PART_SIZE = 5 * 1024**2
MAX_PART_NUMBER = 10000
_COMPOSITE_ONLY = frozenset({"SHA1", "SHA256"})


def _upload_row(ctx: S3Context, bucket: str, key: str, upload_id: str) -> dict[str, Any]:
    u = schema.multipart_uploads
    with ctx.store.read() as conn:
        row = conn.execute(
            select(u.c.bucket, u.c.key, u.c.content_type, u.c.attributes, u.c.initiator_arn, u.c.initiated).where(
                u.c.upload_id == upload_id
            )
        ).first()
    if row is None or row[0] != bucket or row[1] != key:
        raise s3_errors.NoSuchUpload(upload_id)
    return {
        "content_type": row[2],
        "attributes": json.loads(row[3]),
        "initiator_arn": row[4],
        "initiated": row[5],
    }


def _upload_id(ctx: S3Context) -> str:
    return ctx.query.get("uploadId", "")


# --- Create -------------------------------------------------------------------------------


def create_multipart_upload(ctx: S3Context) -> S3Response:
    assert ctx.bucket is not None and ctx.key is not None
    check_key(ctx.key)
    bucket = ctx.bucket_or_404()
    ownership, customer = refuse_unsupported_write(ctx, bucket)
    algorithm = (ctx.header("x-amz-checksum-algorithm") or "").strip().upper() or None
    if algorithm is not None and algorithm not in CHECKSUM_HEADERS:
        raise s3_errors.InvalidRequest.checksum_algorithm()
    ctype = (ctx.header("x-amz-checksum-type") or "").strip().upper() or None
    if ctype is not None and ctype not in ("COMPOSITE", "FULL_OBJECT"):
        raise s3_errors.InvalidRequest.checksum_value("x-amz-checksum-type", trailing=False)
    if ctype is not None and algorithm is None:
        raise s3_errors.InvalidRequest.checksum_type_without_algorithm()
    if algorithm is not None and ctype is None:
        # CRC64NVME exists only as a full-object checksum; the others default to composite.
        ctype = "FULL_OBJECT" if algorithm == "CRC64NVME" else "COMPOSITE"
    if (algorithm in _COMPOSITE_ONLY and ctype == "FULL_OBJECT") or (algorithm == "CRC64NVME" and ctype == "COMPOSITE"):
        raise s3_errors.InvalidRequest.checksum_type_for_algorithm(ctype, algorithm)
    attributes: dict[str, Any] = {"meta": user_metadata(ctx), "headers": stored_headers(ctx), **ownership}
    chosen_class = storage_class(ctx)
    if chosen_class is not None:
        attributes["storage_class"] = chosen_class
    tagging = ctx.header("x-amz-tagging")
    if tagging:
        # Validated now, applied to the object when the upload completes.
        attributes["tags"] = tagging_header(tagging)
    if algorithm is not None:
        attributes["checksum_algorithm"] = algorithm
        attributes["checksum_type"] = ctype
    if customer is not None:
        # Every part must then carry the same key; only its salted HMAC is kept.
        attributes["sse_c"] = sse.key_check(ctx.master_key, customer)
    upload_id = versions.opaque_id(48)
    p = ctx.principal
    with ctx.store.write() as conn:
        conn.execute(
            insert(schema.multipart_uploads).values(
                upload_id=upload_id,
                bucket=bucket.name,
                key=ctx.key,
                initiator_arn=p.arn if p is not None else "anonymous",
                initiator_id=p.user_id if p is not None else "anonymous",
                content_type=ctx.header("content-type") or DEFAULT_CONTENT_TYPE,
                attributes=dumps(attributes),
                initiated=ctx.now,
            )
        )
    result: dict[str, Any] = {"Bucket": bucket.name, "Key": ctx.key, "UploadId": upload_id}
    if algorithm is not None:
        result["ChecksumAlgorithm"] = algorithm
        result["ChecksumType"] = ctype
    result.update(sse.response_members(attributes, customer))
    return xml_response("CreateMultipartUpload", result)


# --- UploadPart ---------------------------------------------------------------------------


def _part_number(ctx: S3Context) -> int:
    raw = ctx.query.get("partNumber", "")
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_PART_NUMBER:
        raise s3_errors.InvalidArgument.part_number(raw)
    return number


def upload_part_preflight(ctx: S3Context) -> dict[str, Any]:
    """What UploadPart can refuse from the head alone, before its body is read; returns
    the upload."""
    assert ctx.bucket is not None and ctx.key is not None
    _part_number(ctx)
    bucket = ctx.bucket_or_404()
    upload = _upload_row(ctx, bucket.name, ctx.key, _upload_id(ctx))
    _check_part_key(ctx, upload["attributes"], ctx.customer_key())
    require_integrity_header(ctx, upload["attributes"], "Part")
    return upload


def _check_part_key(ctx: S3Context, attributes: dict[str, Any], customer: sse.CustomerKey | None) -> None:
    """A part of an SSE-C upload carries the upload's key; a part of another upload none."""
    check = attributes.get("sse_c")
    if check is None:
        if customer is not None:
            raise s3_errors.InvalidRequest.upload_encryption_not_applicable()
        return
    if customer is None:
        raise s3_errors.InvalidRequest.upload_encryption_required()
    if not sse.key_matches(ctx.master_key, check, customer):
        raise s3_errors.InvalidRequest.upload_encryption_mismatch()


def upload_part(ctx: S3Context) -> S3Response:
    assert ctx.bucket is not None and ctx.key is not None
    number = _part_number(ctx)
    upload_id = _upload_id(ctx)
    upload = upload_part_preflight(ctx)
    body = request_upload(ctx)
    _check_part_key(ctx, upload["attributes"], body.customer)
    sent = body_checksum(ctx)
    algorithm = upload["attributes"].get("checksum_algorithm")
    checksums: dict[str, str] = {}
    if sent is not None:
        if algorithm is not None and sent["algorithm"] != algorithm:
            raise s3_errors.InvalidRequest.checksum_type_mismatch(algorithm, sent["algorithm"])
        checksums[sent["algorithm"]] = sent["value"]
    elif algorithm is not None:
        # The upload promised a checksum; the part's was computed as it arrived (the spool
        # computes the algorithm the upload names when the request names it; else now).
        name = CHECKSUM_HEADERS[algorithm]
        found = body.checksums.get(name)
        if found is None:
            found = _part_checksum(ctx, body.size, name, body)
        checksums[algorithm] = found
    etag = quoted(body.etag_hex)
    blob = body.commit()
    _store_part(ctx, upload_id, number, body.size, etag, checksums, blob)
    headers = {"ETag": etag}
    for label, value in checksums.items():
        headers[CHECKSUM_HEADERS[label]] = value
    headers.update(sse.response_headers(upload["attributes"], body.customer))
    return S3Response(headers=headers)


def _store_part(
    ctx: S3Context, upload_id: str, number: int, size: int, etag: str, checksums: dict[str, str], blob: str
) -> None:
    """Record (or replace) part ``number`` of an upload, pointing at the durable ``blob``."""
    mp = schema.multipart_parts
    old: str | None = None
    try:
        with ctx.store.write() as conn:
            u = schema.multipart_uploads
            if conn.execute(select(u.c.upload_id).where(u.c.upload_id == upload_id).with_for_update()).first() is None:
                raise s3_errors.NoSuchUpload(upload_id)
            prev = conn.execute(
                select(mp.c.blob).where(mp.c.upload_id == upload_id, mp.c.part_number == number)
            ).first()
            values = {
                "size": size,
                "etag": etag,
                "checksums": dumps(checksums),
                "blob": blob,
                "last_modified": ctx.now,
            }
            if prev is None:
                conn.execute(insert(mp).values(upload_id=upload_id, part_number=number, **values))
            else:
                old = prev[0]
                conn.execute(update(mp).where(mp.c.upload_id == upload_id, mp.c.part_number == number).values(**values))
    except BaseException:
        ctx.blobs.delete([blob])
        raise
    ctx.blobs.delete([old])


# --- UploadPartCopy -----------------------------------------------------------------------

#: Largest copy source S3 copies in one request (CopyObject, or UploadPartCopy of a range).
MAX_COPY_SIZE = 5 * 1024**3
_COPY_RANGE = re.compile(r"bytes=(\d+)-(\d+)")


def _copy_range(raw: str | None, size: int) -> tuple[int, int]:
    """``(start, length)`` of ``x-amz-copy-source-range`` (the whole object when absent).

    Only ``bytes=first-last`` is accepted (s3-tests' test_multipart_copy_improper_range: any
    other form is InvalidArgument); a range past the end of the source is InvalidRange.
    """
    if raw is None:
        return 0, size
    m = _COPY_RANGE.fullmatch(raw.strip())
    if m is None:
        raise s3_errors.InvalidArgument.copy_source_range(raw[:256])
    first, last = int(m.group(1)), int(m.group(2))
    if first > last or last >= size:
        raise s3_errors.InvalidRange(raw.strip()[:256], size)
    return first, last - first + 1


def upload_part_copy(ctx: S3Context) -> S3Response:
    assert ctx.bucket is not None and ctx.key is not None
    number = _part_number(ctx)
    upload_id = _upload_id(ctx)
    src_bucket_name, src_key, src_version = parse_copy_source(ctx.header("x-amz-copy-source") or "")
    bucket = ctx.bucket_or_404()
    upload = _upload_row(ctx, bucket.name, ctx.key, upload_id)
    # The part is sealed under the upload's key: a part copied into an SSE-C upload carries
    # that key as an uploaded part does; a source stored with SSE-C needs its own.
    customer = ctx.customer_key()
    source_customer = ctx.customer_key(copy_source=True)
    _check_part_key(ctx, upload["attributes"], customer)
    src_bucket = authorize_copy_source(ctx, src_bucket_name, src_key, src_version)
    if src_bucket is None:
        raise s3_errors.NoSuchBucket(src_bucket_name)
    algorithm: str | None = upload["attributes"].get("checksum_algorithm")
    master = ctx.master_key
    for _attempt in range(3):
        src = read_copy_source(ctx, src_bucket_name, src_key, src_version)
        source_key = sse.read_key(master, src.attributes, source_customer, copy_source=True)
        check_conditions(ctx.header, src.etag, src.last_modified, prefix="x-amz-copy-source-", copy=True)
        start, length = _copy_range(ctx.header("x-amz-copy-source-range"), src.size)
        if length > MAX_COPY_SIZE:
            raise s3_errors.InvalidRequest.copy_source_too_large(MAX_COPY_SIZE)
        try:
            # Opened now: a source unlinked in between is looked up again; once open, an
            # overwrite of the source does not disturb the copy (blobs.py).
            reader = ctx.blobs.open(src.blob, src.segments, source_key, start, length)
        except BlobGone:
            continue
        break
    else:
        raise s3_errors.NoSuchKey(src_key)
    md5 = hashlib.md5(usedforsecurity=False)
    summer = RunningChecksum(CHECKSUM_HEADERS[algorithm]) if algorithm is not None else None
    writer = ctx.blobs.writer()
    try:
        # Decrypted under the source's key and sealed under the upload's, a piece at a
        # time: the part is one segment, as an uploaded part is, in constant memory.
        writer.begin(customer.key if customer is not None else sse.sse_s3_key(master))
        try:
            while piece := reader.read():
                md5.update(piece)
                if summer is not None:
                    summer.update(piece)
                writer.write(piece)
        finally:
            reader.close()
        blob = writer.commit()
    except BaseException:
        writer.discard()
        raise
    checksums = {algorithm: summer.value()} if algorithm is not None and summer is not None else {}
    etag = quoted(sse.etag_hex(md5.digest(), customer))
    _store_part(ctx, upload_id, number, length, etag, checksums, blob)
    part: dict[str, Any] = {"ETag": etag, "LastModified": ctx.now}
    for label, value in checksums.items():
        part["Checksum" + label] = value
    result: dict[str, Any] = {"CopyPartResult": part, **sse.response_members(upload["attributes"], customer)}
    if src_version is not None or src.version_id != versions.NULL:
        result["CopySourceVersionId"] = src.version_id
    return xml_response("UploadPartCopy", result)


def _part_checksum(ctx: S3Context, size: int, name: str, body: Upload) -> str:
    """Checksum ``name`` of a part received without it running: read back, decrypted."""
    running = RunningChecksum(name)
    blob = body.writer.path
    key = body.customer.key if body.customer is not None else sse.sse_s3_key(ctx.master_key)
    reader = BlobReader(blob.open("rb"), body.writer.sizes, key, 0, size)
    try:
        while piece := reader.read():
            running.update(piece)
    finally:
        reader.close()
    return running.value()


# --- Complete -----------------------------------------------------------------------------


def _requested_parts(body: bytes) -> list[tuple[int, str, dict[str, str]]]:
    root = xmlbody.parse(body)
    if xmlbody.local(root.tag) != "CompleteMultipartUpload":
        raise s3_errors.MalformedXML()
    parts: list[tuple[int, str, dict[str, str]]] = []
    for element in xmlbody.children(root, "Part"):
        number_text = xmlbody.child_text(element, "PartNumber")
        etag = xmlbody.child_text(element, "ETag")
        if number_text is None or etag is None:
            raise s3_errors.MalformedXML()
        try:
            number = int(number_text.strip())
        except ValueError:
            raise s3_errors.MalformedXML() from None
        sums = {}
        for label in CHECKSUM_HEADERS:
            value = xmlbody.child_text(element, "Checksum" + label)
            if value is not None:
                sums[label] = value.strip()
        parts.append((number, etag.strip(), sums))
    if not parts:
        raise s3_errors.MalformedXML()
    return parts


def _digest_of(label: str, value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise s3_errors.InvalidRequest.checksum_value(CHECKSUM_HEADERS[label], trailing=False) from None


def complete_multipart_upload(ctx: S3Context) -> S3Response:
    assert ctx.bucket is not None and ctx.key is not None
    upload_id = _upload_id(ctx)
    bucket = ctx.bucket_or_404()
    try:
        upload = _upload_row(ctx, bucket.name, ctx.key, upload_id)
    except AwsError:
        done = _completed(ctx, bucket.name, ctx.key, upload_id)
        if done is None:
            raise
        return done
    requested = _requested_parts(ctx.body)
    mp = schema.multipart_parts
    with ctx.store.read() as conn:
        stored = {
            r[0]: (int(r[1]), r[2], json.loads(r[3]), r[4])
            for r in conn.execute(
                select(mp.c.part_number, mp.c.size, mp.c.etag, mp.c.checksums, mp.c.blob).where(
                    mp.c.upload_id == upload_id
                )
            )
        }
    previous = 0
    for number, _, _ in requested:
        if number <= previous:
            raise s3_errors.InvalidPartOrder()
        previous = number
    algorithm: str | None = upload["attributes"].get("checksum_algorithm")
    ctype: str | None = upload["attributes"].get("checksum_type")
    md5s = b""
    digests = b""
    sizes: list[int] = []
    part_checksums: list[dict[str, str]] = []
    blobs: list[str] = []
    for i, (number, etag, sums) in enumerate(requested):
        part = stored.get(number)
        if part is None or part[1].strip('"') != etag.strip('"'):
            raise s3_errors.InvalidPart(upload_id, number, etag)
        size, part_etag, part_sums, blob = part
        for label, value in sums.items():
            if part_sums.get(label) != value:
                raise s3_errors.InvalidPart(upload_id, number, etag)
        if size < MIN_PART_SIZE and i < len(requested) - 1:
            raise s3_errors.EntityTooSmall.part(size, MIN_PART_SIZE, number, part_etag)
        md5s += bytes.fromhex(part_etag.strip('"'))
        if algorithm is not None and ctype == "COMPOSITE":
            digests += _digest_of(algorithm, part_sums[algorithm])
        sizes.append(size)
        if algorithm is not None and algorithm in part_sums:
            part_checksums.append({algorithm: part_sums[algorithm]})
        blobs.append(blob)
    etag = quoted(f"{hashlib.md5(md5s, usedforsecurity=False).hexdigest()}-{len(requested)}")
    full = RunningChecksum(CHECKSUM_HEADERS[algorithm]) if algorithm is not None and ctype == "FULL_OBJECT" else None
    try:
        new_blob = _concatenate(ctx, upload["attributes"], blobs, sizes, full.update if full is not None else None)
    except BlobGone:
        raise s3_errors.NoSuchUpload(upload_id) from None
    checksum: dict[str, str] | None = None
    if algorithm is not None:
        if full is not None:
            checksum = {"algorithm": algorithm, "value": full.value(), "type": "FULL_OBJECT"}
        else:
            _, digest_fn, _ = ALGORITHMS[CHECKSUM_HEADERS[algorithm]]
            value = base64.b64encode(digest_fn(digests)).decode("ascii")
            checksum = {"algorithm": algorithm, "value": f"{value}-{len(requested)}", "type": "COMPOSITE"}
        expected = ctx.header(CHECKSUM_HEADERS[algorithm])
        if expected is not None and expected.strip() != checksum["value"]:
            ctx.blobs.delete([new_blob])
            raise s3_errors.BadDigest.checksum(algorithm)
    attributes: dict[str, Any] = {
        "meta": upload["attributes"].get("meta") or {},
        "headers": upload["attributes"].get("headers") or {},
        "parts": sizes,
        "segments": sizes,
        # Which upload made the object: a retried Complete of this upload is answered from it.
        "upload_id": upload_id,
    }
    if part_checksums:
        # Each part's checksum, for GetObjectAttributes' ObjectParts and a GET of one part.
        attributes["part_checksums"] = part_checksums
    if upload["attributes"].get("sse_c") is not None:
        attributes["sse_c"] = upload["attributes"]["sse_c"]
    if upload["attributes"].get("tags"):
        attributes["tags"] = upload["attributes"]["tags"]
    for name in ("owner", "acl", "retention", "legal_hold", "storage_class"):
        if name in upload["attributes"]:
            attributes[name] = upload["attributes"][name]
    if checksum is not None:
        attributes["checksum"] = checksum
    values = {
        "key": ctx.key,
        "size": sum(sizes),
        "etag": etag,
        "content_type": upload["content_type"] or DEFAULT_CONTENT_TYPE,
        "attributes": dumps(attributes),
        "blob": new_blob,
        "last_modified": ctx.now,
    }
    u = schema.multipart_uploads
    try:
        with ctx.store.write() as conn:
            # Deleting the upload row is the claim: a concurrent Complete or Abort loses.
            part_blobs = [r[0] for r in conn.execute(select(mp.c.blob).where(mp.c.upload_id == upload_id))]
            conn.execute(delete(mp).where(mp.c.upload_id == upload_id))
            if conn.execute(delete(u).where(u.c.upload_id == upload_id)).rowcount != 1:
                raise s3_errors.NoSuchUpload(upload_id)
            check_write_conditions(ctx, conn, bucket.name, ctx.key)
            version_id, dropped = write_object_row(conn, bucket.name, values, ctx.now)
    except BaseException:
        ctx.blobs.delete([new_blob])
        raise
    ctx.blobs.delete([*part_blobs, *dropped])
    return _complete_result(ctx, bucket.name, etag, checksum, version_id, attributes)


def _complete_result(
    ctx: S3Context,
    bucket: str,
    etag: str,
    checksum: dict[str, str] | None,
    version_id: str,
    attributes: dict[str, Any],
) -> S3Response:
    host = ctx.header("host") or "localhost"
    scheme = "https" if ctx.req.secure else "http"
    result: dict[str, Any] = {
        "Location": f"{scheme}://{host}/{bucket}/{ctx.key}",
        "Bucket": bucket,
        "Key": ctx.key,
        "ETag": etag,
        **checksum_members(checksum),
        **sse.response_members(attributes),
    }
    if version_id != versions.NULL:
        result["VersionId"] = version_id
    return xml_response("CompleteMultipartUpload", result)


def _concatenate(
    ctx: S3Context,
    attributes: dict[str, Any],
    blobs: list[str],
    sizes: list[int],
    observe: Callable[[bytes], None] | None,
) -> str:
    """One sealed blob of the parts, in order: sealed parts copied as they are (no key is
    needed, which is what lets an SSE-C upload complete without its key), parts stored
    before objects were encrypted sealed now. ``observe`` sees the plaintext (a
    full-object checksum); for an SSE-C upload that needs the key, from the request."""
    master = ctx.master_key
    key = sse.sse_s3_key(master)
    if observe is not None and attributes.get("sse_c") is not None:
        customer = ctx.customer_key()
        if customer is None or not sse.key_matches(master, attributes["sse_c"], customer):
            # The parts' plaintext is needed for a full-object checksum; without the key
            # it cannot be computed (AWS's answer here is unconfirmed: refusing is safer
            # than completing with an unchecked checksum).
            raise s3_errors.InvalidRequest.full_object_checksum_needs_key()
        key = customer.key
    writer = ctx.blobs.writer()
    try:
        for name, size in zip(blobs, sizes, strict=True):
            sealed = is_sealed(name)
            if sealed:
                writer.copy_sealed(ctx.blobs, name, [size])
            if observe is None and sealed:
                continue
            reader = ctx.blobs.open(name, [size], key, 0, size)
            try:
                if not sealed:
                    writer.begin(key)
                while piece := reader.read():
                    if observe is not None:
                        observe(piece)
                    if not sealed:
                        writer.write(piece)
            finally:
                reader.close()
            writer.end()
        return writer.commit()
    except BaseException:
        writer.discard()
        raise


def _completed(ctx: S3Context, bucket: str, key: str, upload_id: str) -> S3Response | None:
    """The answer to a Complete of an upload already completed, while the object it made is
    still the key's current one: S3 answers such a retry (SDKs retry Complete after a
    network error that lost the first answer) with the same 200, not NoSuchUpload. Once the
    object has been replaced or deleted, the upload is unknown again."""
    if not upload_id:
        return None
    current = read_object(ctx, bucket, key)
    if current is None or current.attributes.get("upload_id") != upload_id:
        return None
    return _complete_result(ctx, bucket, current.etag, current.checksum, current.version_id, current.attributes)


# --- Abort and the listings ---------------------------------------------------------------


def abort_multipart_upload(ctx: S3Context) -> S3Response:
    """S3: "By default, the bucket owner and the initiator of the multipart upload are allowed
    to" abort it, and an IAM user's account with it. The bucket owner needs nothing more;
    an initiator from another account is granted the abort of its own upload (its own
    identity policies still apply, and the bucket policy's denials)."""
    assert ctx.bucket is not None and ctx.key is not None
    upload_id = _upload_id(ctx)
    bucket = ctx.bucket_or_404(grants=_initiator_grant(ctx, ctx.bucket, ctx.key, upload_id, "s3:AbortMultipartUpload"))
    _upload_row(ctx, bucket.name, ctx.key, upload_id)
    mp = schema.multipart_parts
    u = schema.multipart_uploads
    with ctx.store.write() as conn:
        part_blobs = [r[0] for r in conn.execute(select(mp.c.blob).where(mp.c.upload_id == upload_id))]
        conn.execute(delete(mp).where(mp.c.upload_id == upload_id))
        if conn.execute(delete(u).where(u.c.upload_id == upload_id)).rowcount != 1:
            raise s3_errors.NoSuchUpload(upload_id)
    ctx.blobs.delete(part_blobs)
    return S3Response(status=204)


def _initiator_grant(ctx: S3Context, bucket: str, key: str, upload_id: str, action: str) -> list[dict[str, Any]]:
    """The statement allowing the account that initiated the upload ``action`` on it (none
    for an unknown upload, or one initiated anonymously)."""
    u = schema.multipart_uploads
    with ctx.store.read() as conn:
        row = conn.execute(
            select(u.c.initiator_arn).where(u.c.upload_id == upload_id, u.c.bucket == bucket, u.c.key == key)
        ).first()
    parts = row[0].split(":") if row is not None else []
    if len(parts) < 6 or parts[0] != "arn" or not parts[4].isdigit():
        return []
    return [
        {
            "Effect": "Allow",
            "Principal": {"AWS": arns.root(parts[4])},
            "Action": action,
            "Resource": resource_arn("object", bucket, key),
        }
    ]


def _initiator(ctx: S3Context, arn: str, account_id: str) -> dict[str, str]:
    """S3's Initiator: "If the principal is an AWS account, it provides the Canonical User
    ID. If the principal is an IAM User, it provides a user ARN value" (with the account's
    display name, or the user's name)."""
    parts = arn.split(":")
    if len(parts) == 6 and parts[0] == "arn" and parts[5] == "root":
        return account_owner(ctx, parts[4])
    name = arn.rsplit("/", 1)[-1] if "/" in arn else account_id
    return {"ID": arn, "DisplayName": name}


def _owner(ctx: S3Context, bucket: BucketRow, attributes: dict[str, Any]) -> dict[str, str]:
    """The Owner of an upload: the account that will own the object (``owner`` in its
    attributes while the bucket's ACLs are enabled: the writer under ObjectWriter), else the
    bucket's owner."""
    return account_owner(ctx, attributes.get("owner") or bucket.account_id)


def _bounded_int(ctx: S3Context, name: str, default: int) -> int:
    raw = ctx.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise s3_errors.InvalidArgument.not_an_integer(name, raw) from None
    if value < 0:
        raise s3_errors.InvalidArgument.integer_range(name, raw)
    return min(value, 1000)


def list_parts(ctx: S3Context) -> S3Response:
    """S3: "The initiator of the multipart upload has the permission to list parts of the
    specific multipart upload", as the bucket owner has for every upload."""
    assert ctx.bucket is not None and ctx.key is not None
    upload_id = _upload_id(ctx)
    grants = _initiator_grant(ctx, ctx.bucket, ctx.key, upload_id, "s3:ListMultipartUploadParts")
    bucket = ctx.bucket_or_404(grants=grants)
    upload = _upload_row(ctx, bucket.name, ctx.key, upload_id)
    max_parts = _bounded_int(ctx, "max-parts", 1000)
    raw_marker = ctx.query.get("part-number-marker", "0") or "0"
    try:
        marker = int(raw_marker)
    except ValueError:
        raise s3_errors.InvalidArgument.not_an_integer("part-number-marker", raw_marker) from None
    mp = schema.multipart_parts
    with ctx.store.read() as conn:
        rows = conn.execute(
            select(mp.c.part_number, mp.c.last_modified, mp.c.etag, mp.c.size, mp.c.checksums)
            # Held within the part numbers for the database (a 30-digit marker is past them all).
            .where(mp.c.upload_id == upload_id, mp.c.part_number > max(-1, min(marker, MAX_PART_NUMBER)))
            .order_by(mp.c.part_number)
            .limit(max_parts + 1)
        ).all()
    # A page of no parts (max-parts=0) is not truncated, as for ListObjects: it would carry no
    # marker to continue from.
    truncated = max_parts > 0 and len(rows) > max_parts
    rows = rows[:max_parts]
    parts = []
    for number, modified, etag, size, sums in rows:
        part: dict[str, Any] = {"PartNumber": number, "LastModified": modified, "ETag": etag, "Size": size}
        for label, value in json.loads(sums).items():
            part["Checksum" + label] = value
        parts.append(part)
    attrs = upload["attributes"]
    result: dict[str, Any] = {
        "Bucket": bucket.name,
        "Key": ctx.key,
        "UploadId": upload_id,
        "PartNumberMarker": marker,
        "MaxParts": max_parts,
        "IsTruncated": truncated,
        "Parts": parts,
        "Initiator": _initiator(ctx, upload["initiator_arn"], bucket.account_id),
        "Owner": _owner(ctx, bucket, upload["attributes"]),
        "StorageClass": stored_storage_class(upload["attributes"]),
    }
    if rows:
        result["NextPartNumberMarker"] = rows[-1][0]
    if attrs.get("checksum_algorithm"):
        result["ChecksumAlgorithm"] = attrs["checksum_algorithm"]
        result["ChecksumType"] = attrs.get("checksum_type")
    return xml_response("ListParts", result)


def list_multipart_uploads(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    q = ctx.query
    prefix, delimiter = q.get("prefix", ""), q.get("delimiter", "")
    key_marker, id_marker = q.get("key-marker", ""), q.get("upload-id-marker", "")
    max_uploads = _bounded_int(ctx, "max-uploads", 1000)
    u = schema.multipart_uploads
    key_col = sort_key(ctx.store, u.c.key)
    stmt = select(u.c.key, u.c.upload_id, u.c.initiated, u.c.initiator_arn, u.c.attributes).where(
        u.c.bucket == bucket.name
    )
    if prefix:
        stmt = stmt.where(u.c.key.startswith(prefix, autoescape=True))
    if key_marker:
        stmt = stmt.where(key_col >= key_marker)
    with ctx.store.read() as conn:
        rows = conn.execute(stmt.order_by(key_col, u.c.initiated, u.c.upload_id)).all()
    owner = account_owner(ctx, bucket.account_id)
    items: list[tuple[str, str, dict[str, Any] | None]] = []
    seen_prefixes: set[str] = set()
    passed_id_marker = not id_marker
    initiators: dict[str, dict[str, str]] = {}  # one account lookup per initiator
    for key, upload_id, initiated, initiator, attrs in rows:
        if key_marker and key == key_marker:
            # Within the marker key, uploads after upload-id-marker (all of them if none was given: S3
            # then lists only keys after the marker).
            if not id_marker:
                continue
            if not passed_id_marker:
                passed_id_marker = upload_id == id_marker
                continue
        if delimiter:
            at = key.find(delimiter, len(prefix))
            if at >= 0:
                common = key[: at + len(delimiter)]
                if common not in seen_prefixes:
                    seen_prefixes.add(common)
                    items.append((common, "", None))
                continue
        a = json.loads(attrs)
        upload: dict[str, Any] = {
            "UploadId": upload_id,
            "Key": key,
            "Initiated": initiated,
            "StorageClass": stored_storage_class(a),
            "Owner": _owner(ctx, bucket, a) if a.get("owner") else owner,
            "Initiator": initiators.get(initiator) or initiators.setdefault(
                initiator, _initiator(ctx, initiator, bucket.account_id)
            ),
        }
        if a.get("checksum_algorithm"):
            upload["ChecksumAlgorithm"] = a["checksum_algorithm"]
            upload["ChecksumType"] = a.get("checksum_type")
        items.append((key, upload_id, upload))
        if len(items) > max_uploads:
            break
    truncated = max_uploads > 0 and len(items) > max_uploads  # see list_parts
    items = items[:max_uploads]
    result: dict[str, Any] = {
        "Bucket": bucket.name,
        "KeyMarker": key_marker,
        "UploadIdMarker": id_marker,
        "MaxUploads": max_uploads,
        "IsTruncated": truncated,
        "Uploads": [item for _, _, item in items if item is not None],
        "CommonPrefixes": [{"Prefix": name} for name, _, item in items if item is None],
    }
    if prefix:
        result["Prefix"] = prefix
    if delimiter:
        result["Delimiter"] = delimiter
    if truncated and items:
        result["NextKeyMarker"] = items[-1][0]
        result["NextUploadIdMarker"] = items[-1][1]
    return xml_response("ListMultipartUploads", result)
