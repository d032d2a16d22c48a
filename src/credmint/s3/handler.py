"""The S3 entry point: route a verified REST request to its operation and render the answer.

``handle_s3`` is synchronous (it reads and writes the store and the blob files): the
server runs it on a worker thread after authenticating the request.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from datetime import datetime
from urllib.parse import unquote_plus

from credmint import errors
from credmint.access.authorize import Authorizer
from credmint.access.principal import Principal
from credmint.errors import AwsError
from credmint.httpreq import BodyStream, HttpRequest
from credmint.s3 import (
    acl_operations,
    bucket_encryption,
    buckets,
    copies,
    cors,
    listing,
    multipart,
    object_attributes,
    object_headers,
    objects,
    post_object,
    retention,
)
from credmint.s3 import subresources as sub
from credmint.s3.context import S3Context, S3Response
from credmint.s3.upload import Upload
from credmint.sealing import MasterKey
from credmint.settings import Settings
from credmint.sigv2 import SignedV2
from credmint.sigv4 import SignedRequest, decode_aws_chunked, is_streaming
from credmint.sigv4.parse import split_query
from credmint.store.db import Store
from credmint.wire import s3 as ws3

log = logging.getLogger("credmint.s3")

Response = tuple[int, list[tuple[bytes, bytes]], bytes | BodyStream]
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
    "GetBucketPolicyStatus": buckets.get_bucket_policy_status,
    "ListObjects": listing.list_objects,
    "ListObjectsV2": listing.list_objects_v2,
    "ListObjectVersions": listing.list_object_versions,
    "PutObject": objects.put_object,
    "PostObject": post_object.post_object,
    "GetObject": objects.get_object,
    "HeadObject": objects.head_object,
    "DeleteObject": objects.delete_object,
    "DeleteObjects": objects.delete_objects,
    "CopyObject": copies.copy_object,
    "GetObjectAttributes": object_attributes.get_object_attributes,
    "CreateMultipartUpload": multipart.create_multipart_upload,
    "UploadPart": multipart.upload_part,
    "UploadPartCopy": multipart.upload_part_copy,
    "CompleteMultipartUpload": multipart.complete_multipart_upload,
    "AbortMultipartUpload": multipart.abort_multipart_upload,
    "ListParts": multipart.list_parts,
    "ListMultipartUploads": multipart.list_multipart_uploads,
    "GetBucketTagging": sub.get_bucket_tagging,
    "PutBucketTagging": sub.put_bucket_tagging,
    "DeleteBucketTagging": sub.delete_bucket_tagging,
    "GetObjectTagging": sub.get_object_tagging,
    "PutObjectTagging": sub.put_object_tagging,
    "DeleteObjectTagging": sub.delete_object_tagging,
    "GetBucketVersioning": sub.get_bucket_versioning,
    "PutBucketVersioning": sub.put_bucket_versioning,
    "GetBucketCors": sub.get_bucket_cors,
    "PutBucketCors": sub.put_bucket_cors,
    "DeleteBucketCors": sub.delete_bucket_cors,
    "GetPublicAccessBlock": sub.get_public_access_block,
    "PutPublicAccessBlock": sub.put_public_access_block,
    "DeletePublicAccessBlock": sub.delete_public_access_block,
    "GetBucketOwnershipControls": sub.get_bucket_ownership_controls,
    "PutBucketOwnershipControls": sub.put_bucket_ownership_controls,
    "DeleteBucketOwnershipControls": sub.delete_bucket_ownership_controls,
    "GetBucketAcl": acl_operations.get_bucket_acl,
    "PutBucketAcl": acl_operations.put_bucket_acl,
    "GetObjectAcl": acl_operations.get_object_acl,
    "PutObjectAcl": acl_operations.put_object_acl,
    "GetBucketEncryption": bucket_encryption.get_bucket_encryption,
    "PutBucketEncryption": bucket_encryption.put_bucket_encryption,
    "DeleteBucketEncryption": bucket_encryption.delete_bucket_encryption,
    "GetBucketLogging": sub.get_bucket_logging,
    "PutBucketLogging": sub.not_implemented,
    "GetBucketAccelerateConfiguration": sub.get_bucket_accelerate_configuration,
    "PutBucketAccelerateConfiguration": sub.not_implemented,
    "GetBucketRequestPayment": sub.get_bucket_request_payment,
    "PutBucketRequestPayment": sub.not_implemented,
    "GetBucketNotificationConfiguration": sub.get_bucket_notification_configuration,
    "PutBucketNotificationConfiguration": sub.not_implemented,
    "GetBucketWebsite": sub.get_bucket_website,
    "PutBucketWebsite": sub.not_implemented,
    "DeleteBucketWebsite": sub.nothing_to_delete,
    "GetBucketLifecycleConfiguration": sub.get_bucket_lifecycle_configuration,
    "PutBucketLifecycleConfiguration": sub.put_bucket_lifecycle_configuration,
    "DeleteBucketLifecycle": sub.delete_bucket_lifecycle,
    "GetBucketReplication": sub.get_bucket_replication,
    "PutBucketReplication": sub.not_implemented,
    "DeleteBucketReplication": sub.nothing_to_delete,
    "GetObjectLockConfiguration": retention.get_object_lock_configuration,
    "PutObjectLockConfiguration": retention.put_object_lock_configuration,
    "GetObjectRetention": retention.get_object_retention,
    "PutObjectRetention": retention.put_object_retention,
    "GetObjectLegalHold": retention.get_object_legal_hold,
    "PutObjectLegalHold": retention.put_object_legal_hold,
}

#: Bucket sub-resources credmint serves: (method, query parameter) -> operation.
BUCKET_SUBRESOURCES: dict[tuple[str, str], str] = {
    ("GET", "tagging"): "GetBucketTagging",
    ("PUT", "tagging"): "PutBucketTagging",
    ("DELETE", "tagging"): "DeleteBucketTagging",
    ("GET", "versioning"): "GetBucketVersioning",
    ("PUT", "versioning"): "PutBucketVersioning",
    ("GET", "versions"): "ListObjectVersions",
    ("GET", "cors"): "GetBucketCors",
    ("PUT", "cors"): "PutBucketCors",
    ("DELETE", "cors"): "DeleteBucketCors",
    ("GET", "publicAccessBlock"): "GetPublicAccessBlock",
    ("PUT", "publicAccessBlock"): "PutPublicAccessBlock",
    ("DELETE", "publicAccessBlock"): "DeletePublicAccessBlock",
    ("GET", "policyStatus"): "GetBucketPolicyStatus",
    ("GET", "ownershipControls"): "GetBucketOwnershipControls",
    ("PUT", "ownershipControls"): "PutBucketOwnershipControls",
    ("DELETE", "ownershipControls"): "DeleteBucketOwnershipControls",
    ("GET", "acl"): "GetBucketAcl",
    ("PUT", "acl"): "PutBucketAcl",
    ("GET", "encryption"): "GetBucketEncryption",
    ("PUT", "encryption"): "PutBucketEncryption",
    ("DELETE", "encryption"): "DeleteBucketEncryption",
    ("GET", "logging"): "GetBucketLogging",
    ("PUT", "logging"): "PutBucketLogging",
    ("GET", "accelerate"): "GetBucketAccelerateConfiguration",
    ("PUT", "accelerate"): "PutBucketAccelerateConfiguration",
    ("GET", "requestPayment"): "GetBucketRequestPayment",
    ("PUT", "requestPayment"): "PutBucketRequestPayment",
    ("GET", "notification"): "GetBucketNotificationConfiguration",
    ("PUT", "notification"): "PutBucketNotificationConfiguration",
    ("GET", "website"): "GetBucketWebsite",
    ("PUT", "website"): "PutBucketWebsite",
    ("DELETE", "website"): "DeleteBucketWebsite",
    ("GET", "lifecycle"): "GetBucketLifecycleConfiguration",
    ("PUT", "lifecycle"): "PutBucketLifecycleConfiguration",
    ("DELETE", "lifecycle"): "DeleteBucketLifecycle",
    ("GET", "replication"): "GetBucketReplication",
    ("PUT", "replication"): "PutBucketReplication",
    ("DELETE", "replication"): "DeleteBucketReplication",
    ("GET", "object-lock"): "GetObjectLockConfiguration",
    ("PUT", "object-lock"): "PutObjectLockConfiguration",
}

#: Object sub-resources credmint serves.
OBJECT_SUBRESOURCES: dict[tuple[str, str], str] = {
    ("GET", "attributes"): "GetObjectAttributes",
    ("GET", "retention"): "GetObjectRetention",
    ("PUT", "retention"): "PutObjectRetention",
    ("GET", "legal-hold"): "GetObjectLegalHold",
    ("PUT", "legal-hold"): "PutObjectLegalHold",
    ("GET", "tagging"): "GetObjectTagging",
    ("PUT", "tagging"): "PutObjectTagging",
    ("DELETE", "tagging"): "DeleteObjectTagging",
    ("GET", "acl"): "GetObjectAcl",
    ("PUT", "acl"): "PutObjectAcl",
}

#: Sub-resources of S3 that credmint does not serve (or not with this method, or not at this
#: level): answered NotImplemented rather than being mistaken for the plain bucket or object
#: operation.
UNSUPPORTED_SUBRESOURCES = frozenset(
    {
        "accelerate", "acl", "analytics", "attributes", "cors", "encryption", "intelligent-tiering",
        "inventory", "legal-hold", "lifecycle", "logging", "metadataConfiguration", "metrics",
        "notification", "object-lock", "ownershipControls", "policyStatus", "publicAccessBlock",
        "renameObject", "replication", "requestPayment", "restore", "retention", "select", "session",
        "tagging", "torrent", "versioning", "versions", "website",
    }
)  # fmt: skip

def parse_query(query_string: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in split_query(query_string):
        key = unquote_plus(name)
        if key not in out:
            out[key] = unquote_plus(value)
    return out


def route(method: str, bucket: str | None, key: str | None, query: dict[str, str], req: HttpRequest) -> str:
    """The S3 operation a request addresses."""
    if bucket is not None:
        served = BUCKET_SUBRESOURCES if key is None else OBJECT_SUBRESOURCES
        for name in query:
            operation = served.get((method, name))
            if operation is not None:
                return operation
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
            if not query and post_object.is_form_upload(req):
                return "PostObject"
            raise errors.s3_not_implemented()
        raise errors.s3_method_not_allowed(method, "BUCKET")
    if method == "PUT":
        if "uploadId" in query or "partNumber" in query:
            if req.header("x-amz-copy-source") is not None:
                return "UploadPartCopy"
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
    store: Store,
    settings: Settings,
    authorizer: Authorizer,
    req: HttpRequest,
    principal: Principal | None,
    signed: SignedRequest | None,
    request_id: str,
    now: datetime,
    *,
    secret: str | None = None,
    signed_v2: SignedV2 | None = None,
    master: MasterKey | None = None,
    upload: Upload | None = None,
) -> Response:
    """Serve one authenticated (or anonymous: ``principal`` None) S3 request.

    ``secret`` is the signing secret the edge looked up; it verifies the chunk signatures
    of ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD`` bodies. ``signed_v2`` is the verified
    Signature Version 2 of a request signed that way (``signed`` is then None).
    ``master`` is the master key object data keys derive from. ``upload`` is the body of
    PutObject or UploadPart, received and checked by the server (``req.body`` is then
    empty); it is discarded unless the operation commits it.
    """
    try:
        response = _serve(
            store, settings, authorizer, req, principal, signed, request_id, now, secret, signed_v2, master, upload
        )
    except AwsError as err:
        return render_error(err, request_id)
    finally:
        if upload is not None:
            upload.discard()
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
    store: Store,
    settings: Settings,
    authorizer: Authorizer,
    req: HttpRequest,
    principal: Principal | None,
    signed: SignedRequest | None,
    request_id: str,
    now: datetime,
    secret: str | None,
    signed_v2: SignedV2 | None = None,
    master: MasterKey | None = None,
    upload: Upload | None = None,
) -> S3Response:
    bucket, key = ws3.s3_target(req.header("host"), req.raw_path)
    query = parse_query(req.query_string)
    operation = route(req.method, bucket, key, query, req)
    body = req.body
    trailers: dict[str, str] = {}
    if upload is not None:
        trailers = dict(upload.trailers)
    elif signed is not None and is_streaming(signed):
        decoded = decode_aws_chunked(req, signed, secret)
        body = decoded.data
        trailers = dict(decoded.trailers)
    ctx = S3Context(
        store=store,
        settings=settings,
        authorizer=authorizer,
        req=req,
        principal=principal,
        signed=signed,
        signed_v2=signed_v2,
        request_id=request_id,
        operation=operation,
        bucket=bucket,
        key=key,
        query=query,
        now=now,
        body=body,
        trailers=trailers,
        master=master,
        upload=upload,
    )
    object_headers.verify_request_body(ctx)
    return OPERATIONS[operation](ctx)


#: Operations whose body is object data: streamed to disk by the server (``upload.py``),
#: after :func:`preflight_upload` has authorized the request from its head.
STREAMED_UPLOADS = frozenset({"PutObject", "UploadPart"})


def preflight_upload(
    store: Store,
    settings: Settings,
    authorizer: Authorizer,
    req: HttpRequest,
    principal: Principal | None,
    signed: SignedRequest | None,
    request_id: str,
    now: datetime,
    *,
    signed_v2: SignedV2 | None = None,
    master: MasterKey | None = None,
) -> Response | None:
    """The refusal of an upload that can be refused from its head alone (not allowed, no
    such bucket or upload, a bad key or part number), so that its body is never read;
    None when the body should be read. The operation authorizes again with the body.

    A client that sent ``Expect: 100-continue`` waits for ``100 Continue`` before sending the
    body; S3 answers a refused upload (AccessDenied, NoSuchBucket) instead, so the client
    never sends a body that would be thrown away. The server sends ``100 Continue`` when it
    first reads the body, so a refusal from here answers first.
    """
    bucket, key = ws3.s3_target(req.header("host"), req.raw_path)
    query = parse_query(req.query_string)
    operation = route(req.method, bucket, key, query, req)
    ctx = S3Context(
        store=store,
        settings=settings,
        authorizer=authorizer,
        req=req,
        principal=principal,
        signed=signed,
        signed_v2=signed_v2,
        request_id=request_id,
        operation=operation,
        bucket=bucket,
        key=key,
        query=query,
        now=now,
        master=master,
    )
    try:
        if operation == "PutObject":
            objects.put_object_preflight(ctx)
        elif operation == "UploadPart":
            multipart.upload_part_preflight(ctx)
    except AwsError as err:
        return render_error(err, request_id)
    return None


def preflight(store: Store, req: HttpRequest, request_id: str) -> Response:
    """A CORS preflight (``OPTIONS``), answered from the bucket's CORS rules, unsigned."""
    try:
        headers = cors.preflight(store, req)
    except AwsError as err:
        return render_error(err, request_id)
    out = [(b"x-amz-request-id", request_id.encode()), (b"x-amz-id-2", request_id.encode())]
    out.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers)
    return 200, out, b""


def with_cors(store: Store, req: HttpRequest, response: Response) -> Response:
    """``response`` with the ``Access-Control-*`` headers the bucket's CORS rules give a
    request from ``Origin`` (added to error answers too, as S3 does, so a page can read them)."""
    try:
        bucket, _ = ws3.s3_target(req.header("host"), req.raw_path)
    except AwsError:
        return response
    if bucket is None:
        return response
    added = cors.actual_headers(store, req, bucket)
    if not added:
        return response
    status, headers, body = response
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in added]
    return status, [*headers, *extra], body


def describe(req: HttpRequest) -> tuple[str | None, str | None, str | None]:
    """``(operation, bucket, key)`` a request addresses, as far as it can be told (for the audit trail)."""
    try:
        bucket, key = ws3.s3_target(req.header("host"), req.raw_path)
    except AwsError:
        return None, None, None
    try:
        return route(req.method, bucket, key, parse_query(req.query_string), req), bucket, key
    except AwsError:
        return None, bucket, key


def render_error(err: AwsError, request_id: str) -> Response:
    body = ws3.render_s3_error(err, request_id, request_id)
    headers = [(b"x-amz-request-id", request_id.encode()), (b"x-amz-id-2", request_id.encode())]
    headers.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in err.headers)
    if body:
        headers.append((b"content-type", b"application/xml"))
    return err.status, headers, body
