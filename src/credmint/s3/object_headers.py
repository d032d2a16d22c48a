"""What an object request's headers say: user metadata, the headers stored with an object,
and the body's checksums and Content-MD5.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any

from credmint.httpreq import header_text
from credmint.s3 import errors as s3_errors
from credmint.s3.context import S3Context
from credmint.sigv4 import verify_checksum
from credmint.sigv4.checksums import ALGORITHMS

MAX_METADATA_BYTES = 2048

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
        raise s3_errors.MetadataTooLarge(size, MAX_METADATA_BYTES)
    return meta


#: The storage classes of a general purpose bucket (the model's ``StorageClass`` also
#: names those of directory buckets, Outposts, Snow, FSx and AWS Backup, which S3 refuses
#: here as InvalidStorageClass).
STORAGE_CLASSES = frozenset(
    {
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "DEEP_ARCHIVE",
        "GLACIER_IR",
    }
)
DEFAULT_STORAGE_CLASS = "STANDARD"


def storage_class(ctx: S3Context) -> str | None:
    """The ``x-amz-storage-class`` an object is written with, None for STANDARD (what S3
    reports for an object written without one, and leaves out of GET and HEAD)."""
    value = ctx.header("x-amz-storage-class")
    if value is None:
        return None
    if value not in STORAGE_CLASSES:
        raise s3_errors.InvalidStorageClass(value)
    return None if value == DEFAULT_STORAGE_CLASS else value


def stored_storage_class(attributes: dict[str, Any]) -> str:
    """The storage class an object (or an upload) was written with."""
    value = attributes.get("storage_class")
    return value if isinstance(value, str) else DEFAULT_STORAGE_CLASS


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
        raise s3_errors.InvalidRequest.checksum_algorithm()
    return label


def body_checksum(ctx: S3Context) -> dict[str, str] | None:
    """The checksum the client sent for the body (header or trailer; verified by the handler)."""
    found: dict[str, str] | None = None
    for name, label in CHECKSUM_NAMES.items():
        value = ctx.checksum_header(name)
        if value is not None:
            if found is not None:
                raise s3_errors.InvalidRequest.multiple_checksums()
            found = {"algorithm": label, "value": value.strip(), "type": "FULL_OBJECT"}
    algorithm = requested_algorithm(ctx)
    if algorithm is not None and (found is None or found["algorithm"] != algorithm):
        if found is None:
            raise s3_errors.InvalidRequest.checksum_missing()
        raise s3_errors.InvalidRequest.checksum_value(f"x-amz-checksum-{algorithm.lower()}", trailing=False)
    return found


#: Operations whose x-amz-checksum-* headers describe something other than the request body.
NOT_BODY_CHECKSUMS = frozenset(
    {"CompleteMultipartUpload", "CreateMultipartUpload", "CopyObject", "UploadPartCopy", "PostObject"}
)


def verify_request_body(ctx: S3Context) -> None:
    """The digests of the request's body, for the operations whose digest headers describe it.

    An empty body is checked too: a checksum or Content-MD5 that is not the empty body's
    is refused (BadDigest) as S3 does, never taken for a zero-length object. A streamed
    upload's body is not in ``ctx.body``: the spool checked its digests as it arrived."""
    if ctx.upload is None and ctx.operation not in NOT_BODY_CHECKSUMS:
        verify_body_digests(ctx)


def verify_body_digests(ctx: S3Context) -> None:
    """Content-MD5 and header checksums of the body; trailers were checked while decoding."""
    md5 = ctx.header("content-md5")
    if md5 is not None:
        try:
            claimed = base64.b64decode(md5.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise s3_errors.InvalidDigest() from None
        if len(claimed) != 16:
            raise s3_errors.InvalidDigest()
        actual = hashlib.md5(ctx.body, usedforsecurity=False).digest()
        if actual != claimed:
            raise s3_errors.BadDigest.content_md5(md5.strip(), base64.b64encode(actual).decode())
    for name in ALGORITHMS:
        value = ctx.header(name)
        if value is not None and name not in ctx.trailers:
            verify_checksum(name, value, ctx.body)


def checksum_members(checksum: dict[str, str] | None) -> dict[str, str]:
    """Result members (``ChecksumCRC32``, ``ChecksumType``) for a stored checksum."""
    if not checksum:
        return {}
    return {"Checksum" + checksum["algorithm"]: checksum["value"], "ChecksumType": checksum.get("type", "FULL_OBJECT")}
