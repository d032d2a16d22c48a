"""Which IAM action, resource ARN and condition keys each S3 call is authorized with.

Follows the S3 "actions, resources and condition keys" reference: bucket-level calls act
on ``arn:aws:s3:::bucket``, object-level calls on ``arn:aws:s3:::bucket/key``, and
``ListBuckets`` on the service itself, ``arn:aws:s3:::``. Some operations share an action
(HeadBucket is ``s3:ListBucket``, HeadObject is ``s3:GetObject``, every multipart step that
writes is ``s3:PutObject``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Literal, Protocol
from urllib.parse import unquote

from credmint import arns
from credmint.access import condition_keys
from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.s3.post_policy import PostCredential
from credmint.s3.tags import requested_tags
from credmint.sigv2 import SignedV2
from credmint.sigv4 import SignedRequest

ResourceKind = Literal["service", "bucket", "object"]


class StoredBucket(Protocol):
    """What :func:`stored_keys` reads of a bucket."""

    @property
    def name(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def tags(self) -> tuple[tuple[str, str], ...]: ...


@dataclass(frozen=True, slots=True)
class S3Action:
    action: str
    kind: ResourceKind


ACTIONS: dict[str, S3Action] = {
    "ListBuckets": S3Action("s3:ListAllMyBuckets", "service"),
    "CreateBucket": S3Action("s3:CreateBucket", "bucket"),
    "HeadBucket": S3Action("s3:ListBucket", "bucket"),
    "DeleteBucket": S3Action("s3:DeleteBucket", "bucket"),
    "GetBucketLocation": S3Action("s3:GetBucketLocation", "bucket"),
    "GetBucketPolicy": S3Action("s3:GetBucketPolicy", "bucket"),
    "PutBucketPolicy": S3Action("s3:PutBucketPolicy", "bucket"),
    "DeleteBucketPolicy": S3Action("s3:DeleteBucketPolicy", "bucket"),
    "GetBucketPolicyStatus": S3Action("s3:GetBucketPolicyStatus", "bucket"),
    "ListObjects": S3Action("s3:ListBucket", "bucket"),
    "ListObjectsV2": S3Action("s3:ListBucket", "bucket"),
    "ListMultipartUploads": S3Action("s3:ListBucketMultipartUploads", "bucket"),
    "ListObjectVersions": S3Action("s3:ListBucketVersions", "bucket"),
    # Authorized key by key inside the operation, as S3 reports per-key AccessDenied.
    "DeleteObjects": S3Action("s3:DeleteObject", "object"),
    "PutObject": S3Action("s3:PutObject", "object"),
    # A browser form upload: authorized as the PutObject it becomes (s3/post_object.py).
    "PostObject": S3Action("s3:PutObject", "object"),
    "GetObject": S3Action("s3:GetObject", "object"),
    "HeadObject": S3Action("s3:GetObject", "object"),
    "GetObjectAttributes": S3Action("s3:GetObjectAttributes", "object"),
    "DeleteObject": S3Action("s3:DeleteObject", "object"),
    # The destination; the source is checked separately with s3:GetObject.
    "CopyObject": S3Action("s3:PutObject", "object"),
    "CreateMultipartUpload": S3Action("s3:PutObject", "object"),
    "UploadPart": S3Action("s3:PutObject", "object"),
    # The destination; the source is checked separately with s3:GetObject(Version).
    "UploadPartCopy": S3Action("s3:PutObject", "object"),
    "CompleteMultipartUpload": S3Action("s3:PutObject", "object"),
    "AbortMultipartUpload": S3Action("s3:AbortMultipartUpload", "object"),
    "ListParts": S3Action("s3:ListMultipartUploadParts", "object"),
    "RestoreObject": S3Action("s3:RestoreObject", "object"),
    # Sub-resources. S3 has no separate Delete action for most configurations: removing one
    # needs its Put action (DeleteBucketTagging is s3:PutBucketTagging).
    "GetBucketTagging": S3Action("s3:GetBucketTagging", "bucket"),
    "PutBucketTagging": S3Action("s3:PutBucketTagging", "bucket"),
    "DeleteBucketTagging": S3Action("s3:PutBucketTagging", "bucket"),
    "GetObjectTagging": S3Action("s3:GetObjectTagging", "object"),
    "PutObjectTagging": S3Action("s3:PutObjectTagging", "object"),
    "DeleteObjectTagging": S3Action("s3:DeleteObjectTagging", "object"),
    "GetBucketVersioning": S3Action("s3:GetBucketVersioning", "bucket"),
    "PutBucketVersioning": S3Action("s3:PutBucketVersioning", "bucket"),
    "GetBucketCors": S3Action("s3:GetBucketCORS", "bucket"),
    "PutBucketCors": S3Action("s3:PutBucketCORS", "bucket"),
    "DeleteBucketCors": S3Action("s3:PutBucketCORS", "bucket"),
    "GetPublicAccessBlock": S3Action("s3:GetBucketPublicAccessBlock", "bucket"),
    "PutPublicAccessBlock": S3Action("s3:PutBucketPublicAccessBlock", "bucket"),
    "DeletePublicAccessBlock": S3Action("s3:PutBucketPublicAccessBlock", "bucket"),
    "GetBucketOwnershipControls": S3Action("s3:GetBucketOwnershipControls", "bucket"),
    "PutBucketOwnershipControls": S3Action("s3:PutBucketOwnershipControls", "bucket"),
    "DeleteBucketOwnershipControls": S3Action("s3:PutBucketOwnershipControls", "bucket"),
    "GetBucketAcl": S3Action("s3:GetBucketAcl", "bucket"),
    "PutBucketAcl": S3Action("s3:PutBucketAcl", "bucket"),
    "GetObjectAcl": S3Action("s3:GetObjectAcl", "object"),
    "PutObjectAcl": S3Action("s3:PutObjectAcl", "object"),
    "GetBucketEncryption": S3Action("s3:GetEncryptionConfiguration", "bucket"),
    "PutBucketEncryption": S3Action("s3:PutEncryptionConfiguration", "bucket"),
    "DeleteBucketEncryption": S3Action("s3:PutEncryptionConfiguration", "bucket"),
    "GetBucketLogging": S3Action("s3:GetBucketLogging", "bucket"),
    "PutBucketLogging": S3Action("s3:PutBucketLogging", "bucket"),
    "GetBucketAccelerateConfiguration": S3Action("s3:GetAccelerateConfiguration", "bucket"),
    "PutBucketAccelerateConfiguration": S3Action("s3:PutAccelerateConfiguration", "bucket"),
    "GetBucketRequestPayment": S3Action("s3:GetBucketRequestPayment", "bucket"),
    "PutBucketRequestPayment": S3Action("s3:PutBucketRequestPayment", "bucket"),
    "GetBucketNotificationConfiguration": S3Action("s3:GetBucketNotification", "bucket"),
    "PutBucketNotificationConfiguration": S3Action("s3:PutBucketNotification", "bucket"),
    "GetBucketWebsite": S3Action("s3:GetBucketWebsite", "bucket"),
    "PutBucketWebsite": S3Action("s3:PutBucketWebsite", "bucket"),
    "DeleteBucketWebsite": S3Action("s3:DeleteBucketWebsite", "bucket"),
    "GetBucketLifecycleConfiguration": S3Action("s3:GetLifecycleConfiguration", "bucket"),
    "PutBucketLifecycleConfiguration": S3Action("s3:PutLifecycleConfiguration", "bucket"),
    "DeleteBucketLifecycle": S3Action("s3:PutLifecycleConfiguration", "bucket"),
    "GetBucketReplication": S3Action("s3:GetReplicationConfiguration", "bucket"),
    "PutBucketReplication": S3Action("s3:PutReplicationConfiguration", "bucket"),
    "DeleteBucketReplication": S3Action("s3:PutReplicationConfiguration", "bucket"),
    "GetObjectLockConfiguration": S3Action("s3:GetBucketObjectLockConfiguration", "bucket"),
    "PutObjectLockConfiguration": S3Action("s3:PutBucketObjectLockConfiguration", "bucket"),
    "GetObjectRetention": S3Action("s3:GetObjectRetention", "object"),
    "PutObjectRetention": S3Action("s3:PutObjectRetention", "object"),
    "GetObjectLegalHold": S3Action("s3:GetObjectLegalHold", "object"),
    "PutObjectLegalHold": S3Action("s3:PutObjectLegalHold", "object"),
}

#: Actions authorized in addition to an operation's own: weakening GOVERNANCE retention
#: (PutObjectRetention, a version delete) with ``x-amz-bypass-governance-retention``.
EXTRA_ACTIONS = ("s3:BypassGovernanceRetention",)

#: The action an object operation is authorized with when it names a version (``versionId``
#: in the query, a DeleteObjects entry's VersionId, a copy source's ``?versionId=``): S3
#: evaluates these instead, so a policy denying s3:GetObjectVersion refuses GET ?versionId=
#: even where s3:GetObject is allowed.
VERSION_ACTIONS: dict[str, str] = {
    "GetObject": "s3:GetObjectVersion",
    "HeadObject": "s3:GetObjectVersion",
    "DeleteObject": "s3:DeleteObjectVersion",
    "DeleteObjects": "s3:DeleteObjectVersion",
    "GetObjectTagging": "s3:GetObjectVersionTagging",
    "PutObjectTagging": "s3:PutObjectVersionTagging",
    "DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
    "GetObjectAcl": "s3:GetObjectVersionAcl",
    "PutObjectAcl": "s3:PutObjectVersionAcl",
    "GetObjectAttributes": "s3:GetObjectVersionAttributes",
}

#: The bucket owner's root user may always read, replace and remove the bucket policy,
#: even when the policy denies it, so an account cannot lock itself out of its bucket.
POLICY_LOCKOUT_EXEMPT = frozenset({"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"})


#: What ``ListBuckets`` (``s3:ListAllMyBuckets``) is evaluated on. AWS's own examples grant
#: it with ``"Resource": "arn:aws:s3:::*"`` (the IAM guide, the seed's MFA demo) as well as
#: ``"*"``, while a bucket ARN does not grant it; older AWS denials named this resource
#: (``... s3:ListAllMyBuckets on resource: arn:aws:s3:::``). A bare ``*`` would match only
#: ``"Resource": "*"``.
SERVICE_ARN = arns.S3_PREFIX


def resource_arn(kind: ResourceKind, bucket: str | None, key: str | None) -> str:
    if kind == "service" or bucket is None:
        return SERVICE_ARN
    if kind == "bucket":
        return arns.bucket(bucket)
    return arns.s3_object(bucket, key or "")


#: ``s3:ObjectCreationOperation`` ("whether or not the operation creates an object") for
#: the operations authorized with ``s3:PutObject``. The reference gives no per-operation
#: list; an upload part creates no object by itself, the others do.
OBJECT_CREATION: dict[str, bool] = {
    "PutObject": True,
    "PostObject": True,
    "CopyObject": True,
    "CreateMultipartUpload": True,
    "CompleteMultipartUpload": True,
    "UploadPart": False,
    "UploadPartCopy": False,
}


@lru_cache(maxsize=1024)
def _header_keys(action: str) -> tuple[tuple[str, str], ...]:
    """(header, key) for the request-header keys the reference lists for ``action``:
    ``s3:x-amz-acl`` is the ``x-amz-acl`` header, ``s3:if-match`` the ``If-Match`` one.
    ``s3:x-amz-content-sha256`` is the signature's, set with the other signing keys."""
    out: list[tuple[str, str]] = []
    found = condition_keys.action(action)
    for key in sorted(found.keys if found is not None else ()):
        name = key[len("s3:") :]
        if key.startswith("s3:") and name.lower().startswith(("x-amz-", "if-")) and name != "x-amz-content-sha256":
            out.append((name.lower(), key))
    return tuple(out)


def request_keys(
    operation: str,
    action: str,
    req: HttpRequest,
    query: Mapping[str, str],
    signed: SignedRequest | None,
    now: datetime,
    *,
    location_constraint: str | None = None,
    signed_v2: SignedV2 | None = None,
    form: PostCredential | None = None,
    body: bytes = b"",
) -> dict[str, str | Sequence[str]]:
    """The S3-specific keys of one request to ``action`` (``aws:*`` keys are the engine's).

    Which keys an action carries is the Service Authorization Reference's word; the
    request supplies the values it has.
    """
    keys: dict[str, str | Sequence[str]] = {}
    for header, key in _header_keys(action):
        value = req.header(header)
        if value is not None:
            keys[key] = value
    # Two headers the operation reads in a normal form: their keys carry the value as read,
    # or a policy written on one spelling would miss another that means the same.
    if "s3:x-amz-copy-source" in keys:
        keys["s3:x-amz-copy-source"] = copy_source_path(str(keys["s3:x-amz-copy-source"]))
    if "s3:x-amz-metadata-directive" in keys:
        keys["s3:x-amz-metadata-directive"] = str(keys["s3:x-amz-metadata-directive"]).upper()
    if "versionId" in query and condition_keys.takes(action, "s3:versionid"):
        keys["s3:versionid"] = query["versionId"]
    if operation in ("ListObjects", "ListObjectsV2", "ListObjectVersions"):
        # S3 always supplies s3:prefix and s3:max-keys for listings (prefix "" when absent),
        # so policies written as StringEquals s3:prefix "" match the bucket root.
        keys["s3:prefix"] = query.get("prefix", "")
        if "delimiter" in query:
            keys["s3:delimiter"] = query["delimiter"]
        keys["s3:max-keys"] = query.get("max-keys", "1000")
        if operation == "ListObjectsV2":
            keys["s3:ListObjectsV2"] = "true"
    if condition_keys.takes(action, "s3:object-lock-mode") and operation in OBJECT_CREATION:
        keys.update(_lock_header_keys(req, now))
    if operation == "CreateBucket" and location_constraint is not None:
        keys["s3:LocationConstraint"] = location_constraint
    if operation in OBJECT_CREATION and condition_keys.takes(action, "s3:ObjectCreationOperation"):
        keys["s3:ObjectCreationOperation"] = "true" if OBJECT_CREATION[operation] else "false"
    copies_tags = operation == "CopyObject" and (req.header("x-amz-tagging-directive") or "COPY").upper() == "COPY"
    if condition_keys.takes(action, "s3:RequestObjectTagKeys") and not copies_tags:
        # A copy that keeps the source's tags ignores x-amz-tagging: its tags are not the
        # ones the request names, so they must not satisfy an allow-list on them.
        tags = requested_tags(operation, req.header("x-amz-tagging"), body)
        if tags is not None:
            for k, v in tags:
                keys[f"s3:RequestObjectTag/{k}"] = v
            keys["s3:RequestObjectTagKeys"] = [k for k, _ in tags]
    if signed is not None:
        keys["s3:signatureversion"] = "AWS4-HMAC-SHA256"
        keys["s3:authType"] = "REST-QUERY-STRING" if signed.presigned else "REST-HEADER"
        age = max(0, int((now - signed.request_time).total_seconds() * 1000))
        keys["s3:signatureAge"] = str(age)
        if signed.content_sha256 is not None:
            keys["s3:x-amz-content-sha256"] = signed.content_sha256
    elif signed_v2 is not None:
        # "AWS" is how S3 names Signature Version 2, so policies can refuse it.
        keys["s3:signatureversion"] = "AWS"
        keys["s3:authType"] = "REST-QUERY-STRING" if signed_v2.presigned else "REST-HEADER"
    elif form is not None:
        # A browser-based upload, its policy signed by either version: S3's authType "POST".
        keys["s3:signatureversion"] = "AWS4-HMAC-SHA256" if form.version == 4 else "AWS"
        keys["s3:authType"] = "POST"
        signed_at = form.signed_at
        if signed_at is not None:
            keys["s3:signatureAge"] = str(max(0, int((now - signed_at).total_seconds() * 1000)))
    return keys


def copy_source_path(raw: str) -> str:
    """``bucket/key`` of an ``x-amz-copy-source`` header as the copy reads it: decoded, no
    leading slash, no ``versionId`` (which ``s3:versionid`` and s3:GetObjectVersion govern).
    ``/b/k``, ``b%2Fk`` and ``%62/k`` all name ``b/k``, and all reach a condition on it."""
    return unquote(raw.strip().partition("?")[0]).lstrip("/")


def _lock_header_keys(req: HttpRequest, now: datetime) -> dict[str, str]:
    """s3:object-lock-* of a write's x-amz-object-lock-* headers (none if they do not parse:
    the operation refuses them after authorization)."""
    from credmint.s3 import object_lock

    try:
        stated = object_lock.requested_retention(
            req.header("x-amz-object-lock-mode"), req.header("x-amz-object-lock-retain-until-date"), now
        )
    except AwsError:  # an invalid header supplies no key; the write is refused after authorization
        stated = None
    hold = req.header("x-amz-object-lock-legal-hold")
    return object_lock.request_keys(stated, hold, now)


def stored_keys(
    action: str,
    bucket: StoredBucket,
    key: str | None,
    object_tags: Callable[[str, str], Sequence[tuple[str, str]]],
) -> dict[str, str]:
    """The keys that come from what the store holds: the bucket's owner and tags, and, for
    the object actions the reference lists ``s3:ExistingObjectTag/<key>`` for, the tags of
    the object (read only then, through ``object_tags``)."""
    keys: dict[str, str] = {"s3:ResourceAccount": bucket.account_id}
    for k, v in bucket.tags:
        keys[f"s3:BucketTag/{k}"] = v
        keys[f"aws:ResourceTag/{k}"] = v
    if key and condition_keys.takes(action, "s3:ExistingObjectTag/<key>"):
        for k, v in object_tags(bucket.name, key):
            keys[f"s3:ExistingObjectTag/{k}"] = v
    return keys
