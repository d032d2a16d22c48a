"""Object operations: Put/Get/Head/Delete/Copy objects, DeleteObjects and the two listings."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import Connection, select

from credmint import errors
from credmint.errors import AwsError
from credmint.httpreq import header_text
from credmint.s3 import object_lock, sse, versions, xmlbody
from credmint.s3.actions import VERSION_ACTIONS
from credmint.s3.blobs import BlobGone, BlobReader
from credmint.s3.buckets import xml_response
from credmint.s3.context import BucketRow, S3Context, S3Response, check_key, dumps, sort_key
from credmint.s3.expiration_header import expiration
from credmint.s3.protection import allow_bypass, check_removal, require_integrity_header, write_lock
from credmint.s3.tags import tagging_header
from credmint.s3.upload import Upload, buffered_upload
from credmint.sigv4 import RunningChecksum, verify_checksum
from credmint.sigv4.checksums import ALGORITHMS
from credmint.store import schema

#: Largest single PUT, as S3: 5 GiB.
MAX_PUT_SIZE = 5 * 1024**3
MAX_METADATA_BYTES = 2048
MAX_DELETE_OBJECTS = 1000

#: Request headers stored with an object and returned on GET/HEAD (result member names).
STORED_HEADERS = {
    "cache-control": "CacheControl",
    "content-disposition": "ContentDisposition",
    "content-encoding": "ContentEncoding",
    "content-language": "ContentLanguage",
    "expires": "Expires",
    "x-amz-website-redirect-location": "WebsiteRedirectLocation",
}
#: GetObject query parameters that override response headers (signed requests only).
RESPONSE_OVERRIDES = {
    "response-content-type": "ContentType",
    "response-content-language": "ContentLanguage",
    "response-expires": "Expires",
    "response-cache-control": "CacheControl",
    "response-content-disposition": "ContentDisposition",
    "response-content-encoding": "ContentEncoding",
}
#: Checksum header name → algorithm name (``x-amz-checksum-crc32`` → ``CRC32``).
CHECKSUM_NAMES = {name: label for name, (label, _, _) in ALGORITHMS.items()}
CHECKSUM_HEADERS = {label: name for name, label in CHECKSUM_NAMES.items()}
DEFAULT_CONTENT_TYPE = "binary/octet-stream"


_HEADER_VALUE = re.compile(r"[^\x00-\x08\x0a-\x1f\x7f]*")


def header_value_ok(value: str) -> bool:
    """Whether ``value`` may be sent as an HTTP header value (no control characters but tab)."""
    return _HEADER_VALUE.fullmatch(value) is not None


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


_OBJECT_COLUMNS = (
    schema.objects.c.key,
    schema.objects.c.size,
    schema.objects.c.etag,
    schema.objects.c.content_type,
    schema.objects.c.attributes,
    schema.objects.c.blob,
    schema.objects.c.last_modified,
    schema.objects.c.version_id,
)


def _row(r: Any) -> ObjectRow:
    modified = r[6] if r[6].tzinfo is not None else r[6].replace(tzinfo=UTC)  # SQLite drops the zone
    return ObjectRow(r[0], int(r[1]), r[2], r[3], json.loads(r[4]), r[5], modified, r[7])


def _from_version(v: versions.Version) -> ObjectRow:
    assert v.blob is not None
    return ObjectRow(v.key, v.size, v.etag, v.content_type, v.attributes, v.blob, v.last_modified, v.version_id)


def load_object(conn: Connection, bucket: str, key: str) -> ObjectRow | None:
    o = schema.objects
    r = conn.execute(select(*_OBJECT_COLUMNS).where(o.c.bucket == bucket, o.c.key == key)).first()
    return None if r is None else _row(r)


def read_object(ctx: S3Context, bucket: str, key: str) -> ObjectRow | None:
    with ctx.store.read() as conn:
        return load_object(conn, bucket, key)


def lock_bucket(conn: Connection, bucket: str) -> None:
    """Lock the bucket row (PostgreSQL) for the rest of a write transaction, so DeleteBucket
    cannot slip in between its emptiness check and an insert, and the writes of one key's
    versions are serialized (``s3.versions``)."""
    b = schema.buckets
    if conn.execute(select(b.c.name).where(b.c.name == bucket).with_for_update()).first() is None:
        raise errors.s3_no_such_bucket(bucket)


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


# --- request pieces ---------------------------------------------------------------------


def _metadata_text(value: str) -> str:
    """A user metadata value as the client's text: its UTF-8 (what botocore sends), or, when
    the bytes are not UTF-8, each byte as the Latin-1 character it is (never a surrogate,
    which the store could not keep)."""
    text = header_text(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return value
    return text


def user_metadata(ctx: S3Context) -> dict[str, str]:
    meta: dict[str, str] = {}
    size = 0
    for name, value in ctx.req.headers:
        if name.startswith("x-amz-meta-"):
            short = name[len("x-amz-meta-") :]
            value = _metadata_text(value)
            meta[short] = f"{meta[short]},{value}" if short in meta else value
            size += len(short.encode()) + len(value.encode())
    if size > MAX_METADATA_BYTES:
        raise errors.s3_error(
            "MetadataTooLarge",
            "Your metadata headers exceed the maximum allowed metadata size.",
            400,
            ("Size", str(size)),
            ("MaxSizeAllowed", str(MAX_METADATA_BYTES)),
        )
    return meta


def stored_headers(ctx: S3Context) -> dict[str, str]:
    out = {member: value for name, member in STORED_HEADERS.items() if (value := ctx.header(name)) is not None}
    encoding = out.get("ContentEncoding")
    if encoding is not None:
        # aws-chunked describes the request's framing, not the object; S3 does not keep it.
        codings = [e.strip() for e in encoding.split(",") if e.strip()]
        kept = [e for e in codings if e.lower() != "aws-chunked"]
        if not kept:
            del out["ContentEncoding"]
        elif len(kept) < len(codings):
            # The list S3 keeps reads as a client writes one ("deflate, gzip").
            out["ContentEncoding"] = ", ".join(kept)
    return out


def requested_algorithm(ctx: S3Context) -> str | None:
    value = ctx.header("x-amz-sdk-checksum-algorithm") or ctx.header("x-amz-checksum-algorithm")
    if value is None:
        return None
    label = value.strip().upper()
    if label not in CHECKSUM_HEADERS:
        raise errors.s3_invalid_request(
            "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
            "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"
        )
    return label


def body_checksum(ctx: S3Context) -> dict[str, str] | None:
    """The checksum the client sent for the body (header or trailer; verified by the handler)."""
    found: dict[str, str] | None = None
    for name, label in CHECKSUM_NAMES.items():
        value = ctx.checksum_header(name)
        if value is not None:
            if found is not None:
                raise errors.s3_invalid_request(
                    "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
                )
            found = {"algorithm": label, "value": value.strip(), "type": "FULL_OBJECT"}
    algorithm = requested_algorithm(ctx)
    if algorithm is not None and (found is None or found["algorithm"] != algorithm):
        raise errors.s3_invalid_request(
            "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer "
            "headers were found."
            if found is None
            else f"Value for x-amz-checksum-{algorithm.lower()} header is invalid."
        )
    return found


def verify_body_digests(ctx: S3Context) -> None:
    """Content-MD5 and header checksums of the body; trailers were checked while decoding."""
    md5 = ctx.header("content-md5")
    if md5 is not None:
        try:
            claimed = base64.b64decode(md5.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise errors.s3_invalid_digest() from None
        if len(claimed) != 16:
            raise errors.s3_invalid_digest()
        actual = hashlib.md5(ctx.body, usedforsecurity=False).digest()
        if actual != claimed:
            raise errors.s3_bad_content_md5(md5.strip(), base64.b64encode(actual).decode())
    for name in ALGORITHMS:
        value = ctx.header(name)
        if value is not None and name not in ctx.trailers:
            verify_checksum(name, value, ctx.body)


def checksum_members(checksum: dict[str, str] | None) -> dict[str, str]:
    """Result members (``ChecksumCRC32``, ``ChecksumType``) for a stored checksum."""
    if not checksum:
        return {}
    return {"Checksum" + checksum["algorithm"]: checksum["value"], "ChecksumType": checksum.get("type", "FULL_OBJECT")}


def quoted(etag_hex: str) -> str:
    return f'"{etag_hex}"'


# --- PutObject ----------------------------------------------------------------------------


def refuse_unsupported_write(ctx: S3Context, bucket: BucketRow) -> tuple[dict[str, Any], sse.CustomerKey | None]:
    """The write headers of PutObject, CopyObject and CreateMultipartUpload: the object's
    owner and ACL to store (``subresources.write_acl``: ACLs are refused as S3 refuses them on
    a BucketOwnerEnforced bucket), its Object Lock settings, and a refusal of encryption with
    KMS keys. Returns those attributes and the request's SSE-C key, if any (checked)."""
    # subresources imports this module, so its ACL step is looked up at call time.
    from credmint.s3.subresources import write_acl

    # The object's owner and ACL, and its Object Lock retention and legal hold.
    ownership = {**write_acl(ctx, bucket), **write_lock(ctx, bucket)}
    customer = sse.customer_key(ctx.header)
    sse.refuse_other_encryption(ctx.header, customer)
    if customer is not None and not ctx.req.secure and not ctx.settings.sse_c_allow_http:
        raise errors.s3_invalid_request(
            "Requests specifying Server Side Encryption with Customer provided keys must be made over a "
            "secure connection."
        )
    return ownership, customer


def put_object_preflight(ctx: S3Context) -> dict[str, Any]:
    """What PutObject can refuse from the head alone, before its body is read; returns the
    owner, ACL and Object Lock attributes the object is stored with."""
    assert ctx.bucket is not None and ctx.key is not None
    check_key(ctx.key)
    bucket = ctx.bucket_or_404()
    ownership, _ = refuse_unsupported_write(ctx, bucket)
    require_integrity_header(ctx, ownership, "Object")
    return ownership


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
        raise errors.s3_entity_too_large(upload.size, MAX_PUT_SIZE)
    checksum = body_checksum(ctx)
    attributes: dict[str, Any] = {"meta": user_metadata(ctx), "headers": stored_headers(ctx), **ownership}
    tagging = ctx.header("x-amz-tagging")
    if tagging:
        attributes["tags"] = tagging_header(tagging)
    if checksum:
        attributes["checksum"] = checksum
    if upload.key_check is not None:
        attributes["sse_c"] = upload.key_check
    etag = quoted(upload.md5_hex)
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


def check_write_conditions(ctx: S3Context, conn: Connection, bucket: str, key: str) -> None:
    """S3's conditional writes (PutObject, CompleteMultipartUpload): ``If-None-Match: *``
    creates only, ``If-Match: <etag>`` replaces only that version. Run inside the write
    transaction that then writes the row, so no other write can come between."""
    if_none_match = ctx.header("if-none-match")
    if_match = ctx.header("if-match")
    if if_none_match is None and if_match is None:
        return
    current = load_object(conn, bucket, key)
    if if_none_match is not None and current is not None and _etag_matches(if_none_match, current.etag):
        raise errors.s3_precondition_failed("If-None-Match")
    if if_match is not None:
        if current is None:
            raise errors.s3_no_such_key(key)
        if not _etag_matches(if_match, current.etag):
            raise errors.s3_precondition_failed("If-Match")


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
                raise errors.s3_delete_marker_read(key, found.version_id, by_version=True, method=method)
            row = _from_version(found) if found is not None else None
        else:
            row = load_object(conn, bucket.name, key)
            marker = versions.newest_noncurrent(conn, bucket.name, key) if row is None else None
    if row is None:
        # Without s3:ListBucket a caller may not learn that a key is absent: 403, as S3.
        try:
            ctx.authorize("ListObjects", bucket, None)
        except AwsError:
            raise errors.s3_access_denied() from None
        if version_id is not None:
            raise errors.s3_no_such_version(key, version_id)
        if marker is not None and marker.delete_marker:
            raise errors.s3_delete_marker_read(key, marker.version_id, by_version=False)
        raise errors.s3_no_such_key(key)
    return row


def _read_bucket(ctx: S3Context) -> BucketRow:
    """GetObject's and HeadObject's bucket, authorized. A caller refused the read of a key
    that does not exist learns that it does not exist (NoSuchKey) when it may list the
    bucket, as S3 answers: listing would tell it anyway. Otherwise the refusal stands."""
    assert ctx.key is not None
    try:
        return ctx.bucket_or_404()
    except AwsError as denied:
        if denied.code != "AccessDenied" or "versionId" in ctx.query:
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
        raise errors.s3_no_such_key(ctx.key) from None


def _get_or_head(ctx: S3Context, *, head: bool) -> S3Response:
    assert ctx.key is not None
    bucket = _read_bucket(ctx)
    overrides = {member: ctx.query[q] for q, member in RESPONSE_OVERRIDES.items() if q in ctx.query}
    if overrides and ctx.principal is None:
        raise errors.s3_invalid_request("Request specific response headers cannot be used for anonymous GET requests.")
    for q in RESPONSE_OVERRIDES:
        if q in ctx.query and not header_value_ok(ctx.query[q]):
            # Echoed into a response header: CR/LF would split the response, NUL and the
            # other controls are not allowed in a header (RFC 9110 §5.5). AWS's exact
            # message for this is unconfirmed.
            raise errors.s3_invalid_argument("Header value contains invalid characters.", q, ctx.query[q])
    customer = sse.customer_key(ctx.header)
    body: bytes | BlobReader = b""
    for _attempt in range(3):
        row = load_for_read(ctx, bucket, ctx.key, method="HEAD" if head else "GET")
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
        raise errors.s3_no_such_key(ctx.key)
    result: dict[str, Any] = {
        "AcceptRanges": "bytes",
        "LastModified": row.last_modified,
        "ETag": row.etag,
        "ContentType": row.content_type or DEFAULT_CONTENT_TYPE,
        "Metadata": row.attributes.get("meta") or {},
        **sse.response_members(row.attributes, customer),
    }
    result.update(row.attributes.get("headers") or {})
    result.update(object_lock.result_members(row.attributes))
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
    from credmint.wire import s3 as ws3

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
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise errors.s3_invalid_range(header.strip(), size)
        start, end = max(0, size - suffix), size - 1
    else:
        start = int(first)
        if start >= size:
            raise errors.s3_invalid_range(header.strip(), size)
        end = size - 1 if not last else int(last)
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
        raise errors.s3_invalid_argument(
            "Part number must be an integer between 1 and 10000, inclusive", "partNumber", raw
        )
    parts: list[int] = row.attributes.get("parts") or [row.size]
    if number > len(parts):
        raise errors.s3_error("InvalidPartNumber", "The requested partnumber is not satisfiable", 416)
    start = sum(parts[: number - 1])
    length = parts[number - 1]
    if len(parts) == 1 and "parts" not in row.attributes:
        return 200, 0, row.size, None
    return 206, start, length, f"bytes {start}-{start + length - 1}/{row.size}"


def _etag_matches(condition: str, etag: str) -> bool:
    bare = etag.strip('"')
    for candidate in condition.split(","):
        c = candidate.strip()
        if c == "*":
            return True
        if c.startswith("W/"):
            c = c[2:]
        if c.strip('"') == bare:
            return True
    return False


def _http_date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def check_conditions(
    header: Callable[[str], str | None], etag: str, last_modified: datetime, *, prefix: str = "", copy: bool = False
) -> None:
    """RFC 7232 preconditions as S3 applies them (If-Match beats If-Unmodified-Since, and
    If-None-Match beats If-Modified-Since). For copy sources every failure is a 412."""
    modified = last_modified.replace(microsecond=0)
    if_match = header(prefix + "if-match")
    if if_match is not None:
        if not _etag_matches(if_match, etag):
            raise errors.s3_precondition_failed(_condition_name(prefix, "If-Match"))
    else:
        since = _http_date(header(prefix + "if-unmodified-since"))
        if since is not None and modified > since:
            raise errors.s3_precondition_failed(_condition_name(prefix, "If-Unmodified-Since"))
    if_none_match = header(prefix + "if-none-match")
    if if_none_match is not None:
        if _etag_matches(if_none_match, etag):
            if copy:
                raise errors.s3_precondition_failed(_condition_name(prefix, "If-None-Match"))
            raise errors.s3_not_modified(etag, format_datetime(modified, usegmt=True))
    else:
        since = _http_date(header(prefix + "if-modified-since"))
        if since is not None and modified <= since:
            if copy:
                raise errors.s3_precondition_failed(_condition_name(prefix, "If-Modified-Since"))
            raise errors.s3_not_modified(etag, format_datetime(modified, usegmt=True))


def _condition_name(prefix: str, name: str) -> str:
    return f"x-amz-copy-source-{name}" if prefix else name


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
        raise errors.s3_no_such_bucket(ctx.bucket)
    if ctx.header("content-md5") is None and not any(ctx.checksum_header(n) for n in ALGORITHMS):
        raise errors.s3_invalid_request("Missing required header for this request: Content-MD5")
    root = xmlbody.parse(ctx.body)
    if xmlbody.local(root.tag) != "Delete":
        raise errors.s3_malformed_xml()
    quiet = (xmlbody.child_text(root, "Quiet") or "").strip().lower() == "true"
    entries = xmlbody.children(root, "Object")
    if not entries or len(entries) > MAX_DELETE_OBJECTS:
        raise errors.s3_malformed_xml()
    keys: list[tuple[str, str | None]] = []
    for entry in entries:
        key = xmlbody.child_text(entry, "Key")
        if key is None or key == "":
            raise errors.s3_malformed_xml()
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
        except AwsError as err:
            message = "Access Denied" if err.code == "AccessDenied" else (err.message or err.code)
            failed.append({**item, "Code": err.code, "Message": message})
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


# --- CopyObject ---------------------------------------------------------------------------


def parse_copy_source(raw: str) -> tuple[str, str, str | None]:
    """``(bucket, key, version id or None)`` of an ``x-amz-copy-source`` header."""
    source = raw.strip()
    source, _, version = source.partition("?")
    version_id: str | None = None
    if version:
        name, _, value = version.partition("=")
        if name != "versionId" or not value:
            raise errors.s3_invalid_argument("Invalid version id specified", "x-amz-copy-source", raw)
        version_id = unquote(value)
        if version_id != versions.NULL and not versions.valid_version_id(version_id):
            raise errors.s3_invalid_argument("Invalid version id specified", "x-amz-copy-source", raw)
    source = unquote(source).lstrip("/")
    bucket, _, key = source.partition("/")
    if not bucket or not key:
        raise errors.s3_invalid_argument("Invalid copy source object key", "x-amz-copy-source", raw)
    return bucket, key, version_id


def read_copy_source(ctx: S3Context, bucket: str, key: str, version_id: str | None) -> ObjectRow:
    """The object a copy (CopyObject, UploadPartCopy) reads: NoSuchKey / NoSuchVersion if
    there is none, and a delete marker is not an object to copy (S3: InvalidRequest for a
    marker named by its id, NoSuchKey for a key whose current version is one)."""
    with ctx.store.read() as conn:
        if version_id is None:
            row = load_object(conn, bucket, key)
            if row is None:
                raise errors.s3_no_such_key(key)
            return row
        found = versions.find(conn, bucket, key, version_id)
    if found is None:
        raise errors.s3_no_such_version(key, version_id)
    if found.delete_marker:
        raise errors.s3_invalid_request(
            "The source of a copy request may not specifically refer to a delete marker by version id."
        )
    return _from_version(found)


def authorize_copy_source(ctx: S3Context, bucket_name: str, key: str, version_id: str | None) -> BucketRow | None:
    """s3:GetObject on the copy source, s3:GetObjectVersion when the source names a version."""
    src_bucket = ctx.load_bucket(bucket_name)
    if version_id is None:
        ctx.authorize("GetObject", src_bucket, key, bucket_name=bucket_name)
    else:
        ctx.authorize(
            "GetObject",
            src_bucket,
            key,
            bucket_name=bucket_name,
            action=VERSION_ACTIONS["GetObject"],
            extra_keys={"s3:versionid": version_id},
        )
    return src_bucket


def copy_object(ctx: S3Context) -> S3Response:
    assert ctx.bucket is not None and ctx.key is not None
    check_key(ctx.key)
    src_bucket_name, src_key, src_version = parse_copy_source(ctx.header("x-amz-copy-source") or "")
    dest = ctx.bucket_or_404()
    ownership, customer = refuse_unsupported_write(ctx, dest)
    source_customer = sse.customer_key(ctx.header, copy_source=True)
    if source_customer is not None and not ctx.req.secure and not ctx.settings.sse_c_allow_http:
        raise errors.s3_invalid_request(
            "Requests specifying Server Side Encryption with Customer provided keys must be made over a "
            "secure connection."
        )
    src_bucket = authorize_copy_source(ctx, src_bucket_name, src_key, src_version)
    if src_bucket is None:
        raise errors.s3_no_such_bucket(src_bucket_name)
    directive = (ctx.header("x-amz-metadata-directive") or "COPY").upper()
    if directive not in ("COPY", "REPLACE"):
        raise errors.s3_invalid_argument("Unknown metadata directive.", "x-amz-metadata-directive", directive)
    tagging_directive = (ctx.header("x-amz-tagging-directive") or "COPY").upper()
    if tagging_directive not in ("COPY", "REPLACE"):
        raise errors.s3_invalid_argument("Unknown tagging directive.", "x-amz-tagging-directive", tagging_directive)
    # A copy onto itself that changes the encryption (to SSE-C, or from SSE-C) is a change.
    changes_encryption = customer is not None or source_customer is not None
    if (
        src_bucket_name == dest.name
        and src_key == ctx.key
        and directive == "COPY"
        and src_version is None
        and not changes_encryption
    ):
        raise errors.s3_invalid_request(
            "This copy request is illegal because it is trying to copy an object to itself without changing the "
            "object's metadata, storage class, website redirect location or encryption attributes."
        )
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
        raise errors.s3_no_such_key(src_key)
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
    checksum = keep
    if running is not None and algorithm is not None:
        checksum = {"algorithm": algorithm, "value": running.value(), "type": "FULL_OBJECT"}
    if checksum:
        attributes["checksum"] = checksum
    if customer is not None:
        attributes["sse_c"] = sse.key_check(master, customer)
    etag = quoted(md5.hexdigest())
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
            stmt = select(*_OBJECT_COLUMNS).where(o.c.bucket == bucket)
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
                items.append((key, _row(r)))
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
        raise errors.s3_invalid_argument(
            "Provided max-keys not an integer or within integer range", "max-keys", raw
        ) from None
    if value < 0:
        raise errors.s3_invalid_argument("Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys", raw)
    return min(value, 1000)


def _owner(ctx: S3Context, account_id: str) -> dict[str, str]:
    a = schema.accounts
    with ctx.store.read() as conn:
        row = conn.execute(select(a.c.canonical_user_id, a.c.name).where(a.c.account_id == account_id)).first()
    return {"ID": row[0], "DisplayName": row[1]} if row else {"ID": account_id}


def _encoder(ctx: S3Context) -> Callable[[str], str]:
    encoding = ctx.query.get("encoding-type")
    if encoding is None:
        return lambda s: s
    if encoding != "url":
        raise errors.s3_invalid_argument("Invalid Encoding Method specified in Request", "encoding-type", encoding)
    return lambda s: quote(s, safe="/~")


def _contents(rows: list[ObjectRow], enc: Callable[[str], str], owner: dict[str, str] | None) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item: dict[str, Any] = {
            "Key": enc(row.key),
            "LastModified": row.last_modified,
            "ETag": row.etag,
            "Size": row.size,
            "StorageClass": "STANDARD",
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
    owner = _owner(ctx, bucket.account_id)
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
            raise errors.s3_invalid_argument(
                "The continuation token provided is incorrect", "continuation-token", token
            ) from None
    else:
        marker = q.get("start-after", "")
    listing = _scan(ctx, bucket.name, prefix, delimiter, marker, max_keys)
    fetch_owner = q.get("fetch-owner", "").lower() == "true"
    owner = _owner(ctx, bucket.account_id) if fetch_owner else None
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
        raise errors.s3_invalid_argument(
            "A version-id marker cannot be specified without a key marker.", "version-id-marker", id_marker
        )
    if id_marker:
        versions.check_version_id(id_marker)
    max_keys = _max_keys(ctx)
    items, truncated = _scan_versions(ctx, bucket.name, prefix, delimiter, key_marker, id_marker, max_keys)
    owner = _owner(ctx, bucket.account_id)
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
        entry.update(ETag=v.etag, Size=v.size, StorageClass="STANDARD")
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
