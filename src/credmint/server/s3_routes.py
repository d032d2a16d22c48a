"""S3 REST routing: the bucket, key and sub-resource a request addresses, and so its operation.

The path or virtual host names the bucket and key (``wire.s3.s3_target`` decodes them);
the method and the query's sub-resource names choose the operation, from the tables
below. A sub-resource credmint does not serve is answered NotImplemented, never taken for
the plain bucket or object operation it would otherwise look like.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.s3 import errors as s3_errors
from credmint.s3.post_object import is_form_upload
from credmint.sigv4.parse import split_query
from credmint.wire import s3 as ws3

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
    ("POST", "restore"): "RestoreObject",
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


@dataclass(frozen=True, slots=True)
class S3Address:
    """What an S3 request addresses, decoded once from its head."""

    bucket: str | None
    key: str | None
    query: dict[str, str]
    #: None when the request names no operation credmint serves: ``refusal`` says why.
    operation: str | None
    #: The error the request answers once authenticated (a bad URI, an unknown
    #: sub-resource, a method the resource does not have); None when ``operation`` is set.
    refusal: AwsError | None = None

    def checked(self) -> str:
        """The operation, or its refusal raised."""
        if self.operation is None:
            assert self.refusal is not None
            raise self.refusal
        return self.operation


def address(req: HttpRequest) -> S3Address:
    """The bucket, key, query and operation of ``req``. A request that names no operation
    keeps its refusal, raised once the request is authenticated and its body read (an
    unsigned or wrongly signed request gets its authentication error first)."""
    query = parse_query(req.query_string)
    try:
        bucket, key = ws3.s3_target(req.header("host"), req.raw_path)
    except AwsError as err:
        return S3Address(None, None, query, None, err)
    if "%00" in req.query_string:
        for name, value in query.items():
            if "\x00" in name or "\x00" in value:
                # A NUL in a parameter (a prefix, a marker, a version or upload id) names
                # nothing stored (see ws3.s3_target), and PostgreSQL refuses it in a
                # query's text. AWS's answer is not documented: refused as a bad argument.
                return S3Address(bucket, key, query, None, s3_errors.InvalidArgument.not_text(name, value))
    try:
        return S3Address(bucket, key, query, route(req.method, bucket, key, query, req))
    except AwsError as err:
        return S3Address(bucket, key, query, None, err)


def parse_query(query_string: str) -> dict[str, str]:
    """The query's parameters, decoded; the first of a repeated name wins."""
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
        raise s3_errors.Unimplemented()
    if bucket is None:
        if method in ("GET", "HEAD"):
            return "ListBuckets"
        raise s3_errors.MethodNotAllowed(method, "SERVICE")
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
            if not query and is_form_upload(req):
                return "PostObject"
            raise s3_errors.Unimplemented()
        raise s3_errors.MethodNotAllowed(method, "BUCKET")
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
        raise s3_errors.Unimplemented()
    raise s3_errors.MethodNotAllowed(method, "OBJECT")
