"""Object operations: PutObject, GetObject and HeadObject, DeleteObject and DeleteObjects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credmint import errors
from credmint.errors import AwsError
from credmint.httpreq import digits_value
from credmint.s3 import errors as s3_errors
from credmint.s3 import object_lock, sse, versions, xmlbody
from credmint.s3.acl_operations import write_acl
from credmint.s3.acl_request import grant_headers, requested_acl
from credmint.s3.actions import VERSION_ACTIONS
from credmint.s3.blobs import BlobGone, BlobReader
from credmint.s3.buckets import xml_response
from credmint.s3.conditions import check_conditions, check_write_conditions
from credmint.s3.context import BucketRow, S3Context, S3Response, check_key, dumps
from credmint.s3.expiration_header import expiration
from credmint.s3.object_headers import (
    CHECKSUM_HEADERS,
    DEFAULT_CONTENT_TYPE,
    RESPONSE_OVERRIDES,
    body_checksum,
    checksum_members,
    header_value_ok,
    storage_class,
    stored_headers,
    stored_storage_class,
    user_metadata,
)
from credmint.s3.protection import allow_bypass, check_removal, require_integrity_header, write_lock
from credmint.s3.restore import check_readable, restore_header
from credmint.s3.rows import ObjectRow, from_version, load_object, lock_bucket, quoted, version_header, write_object_row
from credmint.s3.tags import tagging_header
from credmint.s3.upload import Upload, buffered_upload
from credmint.sigv4.checksums import ALGORITHMS
from credmint.wire import s3 as ws3

MAX_PUT_SIZE = 5 * 1024**3
MAX_DELETE_OBJECTS = 1000


# --- PutObject ----------------------------------------------------------------------------


#: Canned ACLs that grant nothing beyond the object's owner and the bucket's: stating one
#: needs no s3:PutObjectAcl. (AWS's own cross-account pattern grants a writer s3:PutObject
#: alone, on condition that it states bucket-owner-full-control, or grants the bucket owner
#: full control in x-amz-grant-full-control; as for CreateBucket, where ``private`` needs no
#: s3:PutBucketAcl.)
_OWNERS_ONLY = frozenset({"private", "bucket-owner-read", "bucket-owner-full-control"})


def _grants_others(ctx: S3Context, bucket: BucketRow) -> bool:
    """Whether a write's ACL grants anyone beyond the owners (the writer's account and the
    bucket's): a canned ACL other than :data:`_OWNERS_ONLY` (``public-read`` above all), or a
    grant header naming anyone else."""
    canned = ctx.header("x-amz-acl")
    if canned is not None and canned.strip().lower() not in _OWNERS_ONLY:
        return True
    if not grant_headers(ctx):
        return False
    writer = ctx.principal.account_id if ctx.principal is not None else bucket.account_id
    stated = requested_acl(ctx, writer, bucket.account_id, body_allowed=False)
    owners = {writer, bucket.account_id}
    return stated is not None and any(
        g["grantee"].get("type") != "CanonicalUser" or g["grantee"].get("account") not in owners
        for g in stated["grants"]
    )


def _states_tags(ctx: S3Context) -> bool:
    """Whether a write sets tags of its own: ``x-amz-tagging`` with any tag, on a copy only
    with the REPLACE directive (COPY keeps the source's)."""
    if not ctx.header("x-amz-tagging"):
        return False
    if ctx.operation == "CopyObject":
        return (ctx.header("x-amz-tagging-directive") or "COPY").upper() == "REPLACE"
    return True


def refuse_unsupported_write(ctx: S3Context, bucket: BucketRow) -> tuple[dict[str, Any], sse.CustomerKey | None]:
    """The write headers of PutObject, CopyObject and CreateMultipartUpload: the permissions
    what they state needs (an ACL, tags, a lock: ``S3Context.authorize_stated``), the object's
    owner and ACL to store (``acl_operations.write_acl``: ACLs are refused as S3 refuses them on
    a BucketOwnerEnforced bucket), its Object Lock settings, and a refusal of encryption with
    KMS keys. Returns those attributes and the request's SSE-C key, if any (checked)."""
    # What the write states beside its data needs the permission that sets it afterwards.
    if _grants_others(ctx, bucket):
        ctx.authorize_stated("s3:PutObjectAcl", bucket, with_write_grant=True)
    if _states_tags(ctx):
        ctx.authorize_stated("s3:PutObjectTagging", bucket, with_write_grant=True)
    # The object's owner and ACL, and its Object Lock retention and legal hold.
    ownership = {**write_acl(ctx, bucket), **write_lock(ctx, bucket)}
    customer = ctx.customer_key()
    sse.refuse_other_encryption(ctx.header, customer)
    return ownership, customer


def put_object_preflight(ctx: S3Context) -> dict[str, Any]:
    """What PutObject can refuse from the head alone, before its body is read; returns the
    owner, ACL and Object Lock attributes the object is stored with."""
    assert ctx.bucket is not None and ctx.key is not None
    check_key(ctx.key)
    bucket = ctx.bucket_or_404()
    ownership, _ = refuse_unsupported_write(ctx, bucket)
    require_integrity_header(ctx, ownership, "Object")
    chosen = storage_class(ctx)
    return ownership if chosen is None else {**ownership, "storage_class": chosen}


def request_upload(ctx: S3Context) -> Upload:
    """The request's body as an upload: the server's streamed one, or one made now from a
    body in memory."""
    if ctx.upload is not None:
        return ctx.upload
    return buffered_upload(
        ctx.req, ctx.body, ctx.blobs, ctx.master_key, allow_sse_c_over_http=ctx.settings.sse_c_allow_http
    )


def put_object(ctx: S3Context) -> S3Response:
    assert ctx.bucket is not None and ctx.key is not None
    ownership = put_object_preflight(ctx)
    upload = request_upload(ctx)
    if upload.size > MAX_PUT_SIZE:
        raise s3_errors.EntityTooLarge.upload(upload.size, MAX_PUT_SIZE)
    checksum = body_checksum(ctx)
    attributes: dict[str, Any] = {"meta": user_metadata(ctx), "headers": stored_headers(ctx), **ownership}
    tagging = ctx.header("x-amz-tagging")
    if tagging:
        attributes["tags"] = tagging_header(tagging)
    if checksum:
        attributes["checksum"] = checksum
    if upload.key_check is not None:
        attributes["sse_c"] = upload.key_check
    etag = quoted(upload.etag_hex)
    blob = upload.commit()
    values = {
        "key": ctx.key,
        "size": upload.size,
        "etag": etag,
        "content_type": ctx.header("content-type") or DEFAULT_CONTENT_TYPE,
        "attributes": dumps(attributes),
        "blob": blob,
        "last_modified": ctx.now,
    }
    version_id = store_object(ctx, values, blob)
    headers = _put_headers(etag, checksum)
    expires = expiration(ctx, ctx.bucket, ctx.key, upload.size, attributes.get("tags"), ctx.now)
    if expires is not None:
        headers["x-amz-expiration"] = expires
    headers.update(sse.response_headers(attributes, upload.customer))
    headers.update(version_header(version_id))
    return S3Response(headers=headers)


def _put_headers(etag: str, checksum: dict[str, str] | None) -> dict[str, str]:
    headers = {"ETag": etag}
    if checksum:
        headers[CHECKSUM_HEADERS[checksum["algorithm"]]] = checksum["value"]
        headers["x-amz-checksum-type"] = checksum.get("type", "FULL_OBJECT")
    return headers


def store_object(ctx: S3Context, values: dict[str, Any], blob: str) -> str:
    """Commit an object row pointing at an already-durable ``blob``; conditional writes apply.
    Returns the version id the object was given."""
    assert ctx.bucket is not None
    try:
        with ctx.store.write() as conn:
            check_write_conditions(ctx, conn, ctx.bucket, values["key"])
            version_id, dropped = write_object_row(conn, ctx.bucket, values, ctx.now)
    except BaseException:
        ctx.blobs.delete([blob])
        raise
    ctx.blobs.delete(dropped)
    return version_id


# --- GetObject / HeadObject ---------------------------------------------------------------


def get_object(ctx: S3Context) -> S3Response:
    return _get_or_head(ctx, head=False)


def head_object(ctx: S3Context) -> S3Response:
    return _get_or_head(ctx, head=True)


def load_for_read(ctx: S3Context, bucket: BucketRow, key: str, *, method: str = "GET") -> ObjectRow:
    """The object a read addresses: the version named by ``versionId``, else the current one."""
    version_id = ctx.query.get("versionId")
    marker: versions.Version | None = None
    with ctx.store.read() as conn:
        if version_id is not None:
            found = versions.find(conn, bucket.name, key, versions.check_version_id(version_id))
            if found is not None and found.delete_marker:
                raise s3_errors.MethodNotAllowed.delete_marker(method, found.version_id)
            row = from_version(found) if found is not None else None
        else:
            row = load_object(conn, bucket.name, key)
            marker = versions.newest_noncurrent(conn, bucket.name, key) if row is None else None
    if row is None:
        # Without s3:ListBucket a caller may not learn that a key is absent: 403, as S3.
        try:
            ctx.authorize("ListObjects", bucket, None)
        except AwsError:
            raise s3_errors.AccessDenied() from None
        if version_id is not None:
            raise s3_errors.NoSuchVersion(key, version_id)
        if marker is not None and marker.delete_marker:
            raise s3_errors.NoSuchKey.delete_marker(key, marker.version_id)
        raise s3_errors.NoSuchKey(key)
    return row


def _read_bucket(ctx: S3Context) -> BucketRow:
    """GetObject's and HeadObject's bucket, authorized. A caller refused the read of a key
    that does not exist learns that it does not exist (NoSuchKey) when it may list the
    bucket, as S3 answers: listing would tell it anyway. Otherwise the refusal stands."""
    assert ctx.key is not None
    try:
        return ctx.bucket_or_404()
    except errors.AccessDenied as denied:
        if "versionId" in ctx.query:
            raise
        bucket = ctx.load_bucket(ctx.bucket or "")
        if bucket is None:
            raise
        with ctx.store.read() as conn:
            if load_object(conn, bucket.name, ctx.key) is not None:
                raise
        try:
            ctx.authorize("ListObjects", bucket, None)
        except AwsError:
            raise denied from None
        raise s3_errors.NoSuchKey(ctx.key) from None


#: Which GET/HEAD members of a version's lock state each read permission shows.
_LOCK_READS = (
    ("GetObjectRetention", ("ObjectLockMode", "ObjectLockRetainUntilDate")),
    ("GetObjectLegalHold", ("ObjectLockLegalHoldStatus",)),
)


def _shown_lock(ctx: S3Context, bucket: BucketRow, lock: Mapping[str, Any]) -> dict[str, Any]:
    """The lock members a GET or HEAD answers: the retention to a caller allowed
    s3:GetObjectRetention, the legal hold to one allowed s3:GetObjectLegalHold; S3 leaves
    them out otherwise (User Guide, "Managing Object Lock")."""
    shown: dict[str, Any] = {}
    for operation, members in _LOCK_READS:
        present = {m: lock[m] for m in members if m in lock}
        if not present:
            continue
        try:
            ctx.authorize(operation, bucket, ctx.key)
        except errors.AccessDenied:
            continue
        shown.update(present)
    return shown


def _get_or_head(ctx: S3Context, *, head: bool) -> S3Response:
    assert ctx.key is not None
    bucket = _read_bucket(ctx)
    overrides = {member: ctx.query[q] for q, member in RESPONSE_OVERRIDES.items() if q in ctx.query}
    if overrides and ctx.principal is None:
        raise s3_errors.InvalidRequest.anonymous_response_headers()
    for q in RESPONSE_OVERRIDES:
        if q in ctx.query and not header_value_ok(ctx.query[q]):
            # Echoed into a response header: CR/LF would split the response, NUL and the
            # other controls are not allowed in a header (RFC 9110 §5.5). AWS's exact
            # message for this is unconfirmed.
            raise s3_errors.InvalidArgument.header_value(q, ctx.query[q])
    sse_header = ctx.header("x-amz-server-side-encryption")
    if sse_header is not None:
        # S3 answers 400 to a GET or HEAD that sends the header of SSE-S3 or SSE-KMS: the
        # object's encryption is the one it was written with, read without asking.
        raise s3_errors.InvalidArgument.sse_on_read(sse_header[:256])
    customer = ctx.customer_key()
    body: bytes | BlobReader = b""
    for _attempt in range(3):
        row = load_for_read(ctx, bucket, ctx.key, method="HEAD" if head else "GET")
        if not head:
            check_readable(row.attributes, ctx.now)
        key = sse.read_key(ctx.master_key, row.attributes, customer)
        check_conditions(ctx.header, row.etag, row.last_modified)
        status, start, length, content_range = _select_range(ctx, row)
        if head:
            break
        try:
            # Opened now (a blob unlinked in between is retried); read as it is sent.
            body = ctx.blobs.open(row.blob, row.segments, key, start, length)
        except BlobGone:
            continue  # overwritten or deleted between the lookup and the read
        break
    else:
        raise s3_errors.NoSuchKey(ctx.key)
    result: dict[str, Any] = {
        "AcceptRanges": "bytes",
        "LastModified": row.last_modified,
        "ETag": row.etag,
        "ContentType": row.content_type or DEFAULT_CONTENT_TYPE,
        "Metadata": row.attributes.get("meta") or {},
        **sse.response_members(row.attributes, customer),
    }
    result.update(row.attributes.get("headers") or {})
    if "storage_class" in row.attributes:
        # S3 names the class on GET and HEAD for every class but STANDARD.
        result["StorageClass"] = stored_storage_class(row.attributes)
        restore = restore_header(row.attributes, ctx.now)
        if restore is not None:
            result["Restore"] = restore
    lock = object_lock.result_members(row.attributes)
    if lock:
        result.update(_shown_lock(ctx, bucket, lock))
    tags = row.attributes.get("tags")
    if tags:
        result["TagCount"] = len(tags)
    expires = expiration(ctx, bucket.name, row.key, row.size, tags, row.last_modified)
    if expires is not None:
        result["Expiration"] = expires
    parts = row.attributes.get("parts")
    if parts and "partNumber" in ctx.query:
        result["PartsCount"] = len(parts)
    if content_range is not None:
        result["ContentRange"] = content_range
    if (ctx.header("x-amz-checksum-mode") or "").upper() == "ENABLED":
        result.update(_returned_checksum(row, content_range, ctx.query.get("partNumber")))
    if bucket.versioning is not None or row.version_id != versions.NULL:
        result["VersionId"] = row.version_id
    result.update(overrides)

    headers = ws3.s3_result_headers("GetObject" if not head else "HeadObject", result)
    headers["Content-Length"] = str(length)
    if head and tags:
        # HeadObject's model has no TagCount member, but S3 sends the header on HEAD too.
        headers["x-amz-tagging-count"] = str(len(tags))
    return S3Response(status=status, headers=headers, body=body)


def _returned_checksum(row: ObjectRow, content_range: str | None, part: str | None) -> dict[str, str]:
    """The checksum a GET or HEAD with ``x-amz-checksum-mode: ENABLED`` returns: the
    object's for the whole object; for one part of a multipart object (``partNumber``,
    already checked by ``_select_part``), that part's own checksum, with the object's
    checksum type; none for a byte Range, which no stored checksum covers."""
    if content_range is None:
        return checksum_members(row.checksum)
    sums = row.attributes.get("part_checksums")
    if part is None or not isinstance(sums, list) or int(part) > len(sums):
        return {}
    members = {"Checksum" + label: value for label, value in sums[int(part) - 1].items()}
    kind = (row.checksum or {}).get("type", "COMPOSITE")
    return {**members, "ChecksumType": kind} if members else {}


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _select_range(ctx: S3Context, row: ObjectRow) -> tuple[int, int, int, str | None]:
    """(status, start, length, Content-Range) for the whole object, a Range or a partNumber."""
    size = row.size
    part = ctx.query.get("partNumber")
    if part is not None:
        return _select_part(row, part)
    header = ctx.header("range")
    if header is None:
        return 200, 0, size, None
    m = _RANGE.fullmatch(header.strip())
    if m is None or (not m.group(1) and not m.group(2)):
        return 200, 0, size, None  # S3 ignores a Range it cannot parse (and multiple ranges)
    first, last = m.group(1), m.group(2)
    if not first:
        suffix = digits_value(last)
        if suffix == 0 or size == 0:
            raise s3_errors.InvalidRange(header.strip(), size)
        start, end = max(0, size - suffix), size - 1
    else:
        start = digits_value(first)
        if start >= size:
            raise s3_errors.InvalidRange(header.strip(), size)
        end = size - 1 if not last else digits_value(last)
        if end < start:
            return 200, 0, size, None
        end = min(end, size - 1)
    return 206, start, end - start + 1, f"bytes {start}-{end}/{size}"


def _select_part(row: ObjectRow, raw: str) -> tuple[int, int, int, str | None]:
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if not 1 <= number <= 10000:
        raise s3_errors.InvalidArgument.part_number(raw)
    parts: list[int] = row.attributes.get("parts") or [row.size]
    if number > len(parts):
        raise s3_errors.InvalidPartNumber()
    start = sum(parts[: number - 1])
    length = parts[number - 1]
    if len(parts) == 1 and "parts" not in row.attributes:
        return 200, 0, row.size, None
    return 206, start, length, f"bytes {start}-{start + length - 1}/{row.size}"


# --- DeleteObject(s) ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deletion:
    """What deleting one key or version did, in DeleteObject's and DeleteObjects' terms."""

    #: The version removed or the delete marker added (None: an unversioned delete).
    version_id: str | None
    #: Whether that version is a delete marker (one created, or one removed by version id).
    delete_marker: bool


def delete_one(ctx: S3Context, bucket_row: BucketRow, key: str, version_id: str | None) -> Deletion:
    """Delete ``key`` (a delete marker on a versioned bucket) or one version of it, for good;
    a version Object Lock protects stays (AccessDenied)."""
    bucket = bucket_row.name
    # Authorized before the write transaction; the protection itself is read inside it.
    bypass = version_id is not None and allow_bypass(ctx, bucket_row, key)
    with ctx.store.write() as conn:
        lock_bucket(conn, bucket)
        if version_id is None:
            marker, dropped = versions.add_delete_marker(conn, bucket, key, ctx.now)
            result = Deletion(marker, marker is not None)
        else:
            found = versions.find(conn, bucket, key, version_id)
            if found is not None:
                check_removal(found.attributes, ctx.now, bypass)
            gone, dropped = versions.delete_version(conn, bucket, key, version_id)
            # Deleting a version that does not exist succeeds, as in S3.
            result = Deletion(version_id, gone is not None and gone.delete_marker)
    ctx.blobs.delete(dropped)
    return result


def delete_object(ctx: S3Context) -> S3Response:
    assert ctx.key is not None
    version_id = ctx.query.get("versionId")
    if version_id is not None:
        versions.check_version_id(version_id)
    bucket = ctx.bucket_or_404()
    # Deleting a key that does not exist succeeds, as in S3.
    done = delete_one(ctx, bucket, ctx.key, version_id)
    headers: dict[str, str] = {}
    if done.version_id is not None:
        headers["x-amz-version-id"] = done.version_id
    if done.delete_marker:
        headers["x-amz-delete-marker"] = "true"
    return S3Response(status=204, headers=headers)


def delete_objects(ctx: S3Context) -> S3Response:
    assert ctx.bucket is not None
    bucket = ctx.load_bucket(ctx.bucket)
    if bucket is None:
        ctx.authorize("DeleteObjects", None, "*")
        raise s3_errors.NoSuchBucket(ctx.bucket)
    if ctx.header("content-md5") is None and not any(ctx.checksum_header(n) for n in ALGORITHMS):
        raise s3_errors.InvalidRequest.missing_header("Content-MD5")
    root = xmlbody.parse(ctx.body)
    if xmlbody.local(root.tag) != "Delete":
        raise s3_errors.MalformedXML()
    quiet = (xmlbody.child_text(root, "Quiet") or "").strip().lower() == "true"
    entries = xmlbody.children(root, "Object")
    if not entries or len(entries) > MAX_DELETE_OBJECTS:
        raise s3_errors.MalformedXML()
    keys: list[tuple[str, str | None]] = []
    for entry in entries:
        key = xmlbody.child_text(entry, "Key")
        if key is None or key == "":
            raise s3_errors.MalformedXML()
        version_id = xmlbody.child_text(entry, "VersionId")
        keys.append((key, version_id))
    deleted: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for key, version_id in keys:
        item: dict[str, Any] = {"Key": key}
        if version_id is not None:
            item["VersionId"] = version_id
        try:
            if version_id is None:
                ctx.authorize("DeleteObject", bucket, key)
            else:
                versions.check_version_id(version_id)
                ctx.authorize(
                    "DeleteObject",
                    bucket,
                    key,
                    action=VERSION_ACTIONS["DeleteObjects"],
                    extra_keys={"s3:versionid": version_id},
                )
        except errors.AccessDenied as err:
            # The entry reports the refusal, not the policy's reasons for it.
            failed.append({**item, "Code": err.code, "Message": "Access Denied"})
            continue
        except AwsError as err:
            failed.append({**item, "Code": err.code, "Message": err.message or err.code})
            continue
        # One transaction per entry: a key's versions are rewritten under the bucket lock,
        # and a failure part way leaves every earlier entry done, as S3 reports per entry.
        try:
            done = delete_one(ctx, bucket, key, version_id)
        except AwsError as err:
            failed.append({**item, "Code": err.code, "Message": err.message or err.code})
            continue
        if quiet:
            continue
        if version_id is None and done.version_id is not None:
            item.update(DeleteMarker=True, DeleteMarkerVersionId=done.version_id)
        elif version_id is not None and done.delete_marker:
            item.update(DeleteMarker=True, DeleteMarkerVersionId=version_id)
        deleted.append(item)
    result: dict[str, Any] = {}
    if deleted:
        result["Deleted"] = deleted
    if failed:
        result["Errors"] = failed
    return xml_response("DeleteObjects", result)
