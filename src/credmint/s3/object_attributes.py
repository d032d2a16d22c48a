"""GetObjectAttributes: an object's ETag, checksum, parts, storage class and size in one call.

The attributes asked for come in ``x-amz-object-attributes`` (a comma-separated list); the
parts page with ``x-amz-max-parts`` and ``x-amz-part-number-marker``. Everything is read from
the object's row: part sizes and per-part checksums were recorded when its multipart upload
completed.
"""

from __future__ import annotations

from typing import Any

from credmint.s3 import errors as s3_errors
from credmint.s3 import sse, versions
from credmint.s3.actions import VERSION_ACTIONS
from credmint.s3.buckets import xml_response
from credmint.s3.context import S3Context, S3Response
from credmint.s3.object_headers import stored_storage_class
from credmint.s3.objects import load_for_read

#: The attribute names S3 accepts (the ObjectAttributes enum of the service model).
ATTRIBUTES = frozenset({"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"})
MAX_PARTS = 1000


def _requested(ctx: S3Context) -> set[str]:
    raw = ctx.header("x-amz-object-attributes")
    names = {n.strip() for n in (raw or "").split(",") if n.strip()}
    if not names:
        # The header is required by the model; AWS's exact answer to its absence is not
        # documented, so the request is refused as a missing required header.
        raise s3_errors.InvalidRequest.missing_header("x-amz-object-attributes")
    unknown = names - ATTRIBUTES
    if unknown:
        raise s3_errors.InvalidArgument.attribute_name(sorted(unknown)[0][:256])
    return names


def _int_header(ctx: S3Context, name: str, default: int) -> int:
    raw = ctx.header(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise s3_errors.InvalidArgument.not_an_integer(name, raw[:64]) from None
    if value < 0:
        raise s3_errors.InvalidArgument.integer_range(name, raw)
    return value


def get_object_attributes(ctx: S3Context) -> S3Response:
    assert ctx.key is not None
    bucket = ctx.bucket_or_404()
    # The attributes are read access to the object too (its ETag is most objects' MD5): S3
    # asks for s3:GetObject as well, s3:GetObjectVersion with a versionId.
    read = VERSION_ACTIONS["GetObject"] if "versionId" in ctx.query else None
    ctx.authorize("GetObject", bucket, ctx.key, action=read)
    wanted = _requested(ctx)
    max_parts = min(_int_header(ctx, "x-amz-max-parts", MAX_PARTS), MAX_PARTS)
    marker = _int_header(ctx, "x-amz-part-number-marker", 0)
    customer = ctx.customer_key()
    row = load_for_read(ctx, bucket, ctx.key)
    # An SSE-C object's attributes (its checksum, its parts' sums) describe its plaintext:
    # read with the key only, as S3 requires the SSE-C headers here as on GetObject.
    sse.read_key(ctx.master_key, row.attributes, customer)
    result: dict[str, Any] = {"LastModified": row.last_modified}
    if bucket.versioning is not None or row.version_id != versions.NULL:
        result["VersionId"] = row.version_id
    if "ETag" in wanted:
        result["ETag"] = row.etag.strip('"')  # unquoted here, unlike every other ETag of S3
    checksum = row.checksum
    if "Checksum" in wanted and checksum:
        result["Checksum"] = {
            "Checksum" + checksum["algorithm"]: checksum["value"],
            "ChecksumType": checksum.get("type", "FULL_OBJECT"),
        }
    sizes = row.attributes.get("parts")
    if "ObjectParts" in wanted and isinstance(sizes, list):
        sums = row.attributes.get("part_checksums")
        numbered = list(enumerate(sizes, start=1))[marker:]
        page = numbered[:max_parts]
        parts: list[dict[str, Any]] = []
        for number, size in page:
            part: dict[str, Any] = {"PartNumber": number, "Size": size}
            if isinstance(sums, list) and number <= len(sums):
                for label, value in sums[number - 1].items():
                    part["Checksum" + label] = value
            parts.append(part)
        truncated = len(numbered) > max_parts
        object_parts: dict[str, Any] = {
            "TotalPartsCount": len(sizes),
            "PartNumberMarker": marker,
            "MaxParts": max_parts,
            "IsTruncated": truncated,
            "Parts": parts,
        }
        if page:
            object_parts["NextPartNumberMarker"] = page[-1][0]
        result["ObjectParts"] = object_parts
    if "StorageClass" in wanted:
        result["StorageClass"] = stored_storage_class(row.attributes)
    if "ObjectSize" in wanted:
        result["ObjectSize"] = row.size
    return xml_response("GetObjectAttributes", result)
