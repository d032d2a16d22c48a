"""The S3 entry point: route a verified REST request to its operation and render the answer.

``handle_s3`` is synchronous (it reads and writes the store and the blob files): the
server runs it on a worker thread after authenticating the request.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from credmint import errors
from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.principal import Principal
from credmint.s3 import buckets, multipart, operations
from credmint.s3.context import S3Context, S3Response
from credmint.sigv2 import SignedV2
from credmint.sigv4 import SignedRequest, decode_aws_chunked, is_streaming
from credmint.sigv4.parse import split_query
from credmint.wire import s3 as ws3

if TYPE_CHECKING:
    from credmint.runtime import Runtime

log = logging.getLogger("credmint.s3")

Response = tuple[int, list[tuple[bytes, bytes]], bytes]
Operation = Callable[[S3Context], S3Response]

OPERATIONS: dict[str, Operation] = {
    "ListBuckets": buckets.list_buckets,
    "CreateBucket": buckets.create_bucket,
    "HeadBucket": buckets.head_bucket,
    "DeleteBucket": buckets.delete_bucket,
    "GetBucketLocation": buckets.get_bucket_location,
    "GetBucketPolicy": buckets.get_bucket_policy,
    "PutBucketPolicy": buckets.put_bucket_policy,
    "DeleteBucketPolicy": buckets.delete_bucket_policy,
    "ListObjects": operations.list_objects,
    "ListObjectsV2": operations.list_objects_v2,
    "PutObject": operations.put_object,
    "GetObject": operations.get_object,
    "HeadObject": operations.head_object,
    "DeleteObject": operations.delete_object,
    "DeleteObjects": operations.delete_objects,
    "CopyObject": operations.copy_object,
    "CreateMultipartUpload": multipart.create_multipart_upload,
    "UploadPart": multipart.upload_part,
    "CompleteMultipartUpload": multipart.complete_multipart_upload,
    "AbortMultipartUpload": multipart.abort_multipart_upload,
    "ListParts": multipart.list_parts,
    "ListMultipartUploads": multipart.list_multipart_uploads,
}

#: Sub-resources of S3 that credmint does not serve: answered NotImplemented rather than
#: being mistaken for the plain bucket or object operation.
UNSUPPORTED_SUBRESOURCES = frozenset(
    {
        "accelerate", "acl", "analytics", "attributes", "cors", "encryption", "intelligent-tiering",
        "inventory", "legal-hold", "lifecycle", "logging", "metadataConfiguration", "metrics",
        "notification", "object-lock", "ownershipControls", "policyStatus", "publicAccessBlock",
        "renameObject", "replication", "requestPayment", "restore", "retention", "select", "session",
        "tagging", "torrent", "versioning", "versions", "website",
    }
)  # fmt: skip

#: Operations whose x-amz-checksum-* headers describe something other than the request body.
_NOT_BODY_CHECKSUMS = frozenset({"CompleteMultipartUpload", "CreateMultipartUpload", "CopyObject"})


def parse_query(query_string: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in split_query(query_string):
        key = unquote_plus(name)
        if key not in out:
            out[key] = unquote_plus(value)
    return out


def route(method: str, bucket: str | None, key: str | None, query: dict[str, str], req: HttpRequest) -> str:
    """The S3 operation a request addresses."""
    if any(name in UNSUPPORTED_SUBRESOURCES for name in query):
        raise errors.s3_not_implemented()
    if bucket is None:
        if method in ("GET", "HEAD"):
            return "ListBuckets"
        raise errors.s3_method_not_allowed(method, "SERVICE")
    if key is None:
        if method == "PUT":
            return "PutBucketPolicy" if "policy" in query else "CreateBucket"
        if method == "GET":
            if "location" in query:
                return "GetBucketLocation"
            if "policy" in query:
                return "GetBucketPolicy"
            if "uploads" in query:
                return "ListMultipartUploads"
            return "ListObjectsV2" if query.get("list-type") == "2" else "ListObjects"
        if method == "HEAD":
            return "HeadBucket"
        if method == "DELETE":
            return "DeleteBucketPolicy" if "policy" in query else "DeleteBucket"
        if method == "POST":
            if "delete" in query:
                return "DeleteObjects"
            raise errors.s3_not_implemented()
        raise errors.s3_method_not_allowed(method, "BUCKET")
    if method == "PUT":
        if "uploadId" in query or "partNumber" in query:
            if req.header("x-amz-copy-source") is not None:
                raise errors.s3_not_implemented()  # UploadPartCopy
            return "UploadPart"
        return "CopyObject" if req.header("x-amz-copy-source") is not None else "PutObject"
    if method == "GET":
        return "ListParts" if "uploadId" in query else "GetObject"
    if method == "HEAD":
        return "HeadObject"
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in query else "DeleteObject"
    if method == "POST":
        if "uploads" in query:
            return "CreateMultipartUpload"
        if "uploadId" in query:
            return "CompleteMultipartUpload"
        raise errors.s3_not_implemented()
    raise errors.s3_method_not_allowed(method, "OBJECT")


def handle_s3(
    runtime: Runtime,
    req: HttpRequest,
    principal: Principal | None,
    signed: SignedRequest | None,
    request_id: str,
    *,
    secret: str | None = None,
    signed_v2: SignedV2 | None = None,
) -> Response:
    """Serve one authenticated (or anonymous: ``principal`` None) S3 request.

    ``secret`` is the signing secret the edge looked up; it verifies the chunk signatures
    of ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD`` bodies. ``signed_v2`` is the verified
    Signature Version 2 of a request signed that way (``signed`` is then None).
    """
    try:
        response = _serve(runtime, req, principal, signed, request_id, secret, signed_v2)
    except AwsError as err:
        return render_error(err, request_id)
    headers = [(b"x-amz-request-id", request_id.encode()), (b"x-amz-id-2", request_id.encode())]
    headers.extend((k.lower().encode("latin-1"), _header_value(v)) for k, v in response.headers.items())
    return response.status, headers, response.body


def _header_value(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        # Non-Latin-1 metadata cannot travel in an HTTP header as is; S3 sends it RFC 2047-encoded.
        return ("=?UTF-8?B?" + base64.b64encode(value.encode()).decode() + "?=").encode()


def _serve(
    runtime: Runtime,
    req: HttpRequest,
    principal: Principal | None,
    signed: SignedRequest | None,
    request_id: str,
    secret: str | None,
    signed_v2: SignedV2 | None = None,
) -> S3Response:
    bucket, key = ws3.s3_target(req.header("host"), req.raw_path)
    query = parse_query(req.query_string)
    operation = route(req.method, bucket, key, query, req)
    body = req.body
    trailers: dict[str, str] = {}
    if signed is not None and is_streaming(signed):
        decoded = decode_aws_chunked(req, signed, secret)
        body = decoded.data
        trailers = dict(decoded.trailers)
    ctx = S3Context(
        runtime=runtime,
        req=req,
        principal=principal,
        signed=signed,
        signed_v2=signed_v2,
        request_id=request_id,
        operation=operation,
        bucket=bucket,
        key=key,
        query=query,
        now=runtime.now(),
        body=body,
        trailers=trailers,
    )
    if body and operation not in _NOT_BODY_CHECKSUMS:
        operations.verify_body_digests(ctx)
    return OPERATIONS[operation](ctx)


def render_error(err: AwsError, request_id: str) -> Response:
    body = ws3.render_s3_error(err, request_id, request_id)
    headers = [(b"x-amz-request-id", request_id.encode()), (b"x-amz-id-2", request_id.encode())]
    if body:
        headers.append((b"content-type", b"application/xml"))
    return err.status, headers, body
