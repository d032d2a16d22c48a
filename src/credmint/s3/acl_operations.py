"""The ACL operations (Get/PutBucketAcl, Get/PutObjectAcl) and the owner and ACL a write
stores, with S3's refusals of an ACL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from credmint.s3 import acl, public_access, versions
from credmint.s3 import errors as s3_errors
from credmint.s3.acl_request import account_owner, grant_headers, requested_acl
from credmint.s3.bucket_configs import save_config
from credmint.s3.buckets import xml_response
from credmint.s3.context import BucketRow, S3Context, S3Response, dumps
from credmint.s3.rows import addressed_object, addressed_version, version_headers

# --- ACLs -----------------------------------------------------------------------------------
#
# Stored and evaluated (``s3.acl``) while the bucket's object ownership is ObjectWriter or
# BucketOwnerPreferred; under BucketOwnerEnforced (every new bucket) ACLs are disabled and
# only the owner-only ACL is accepted, as in S3.


def _display(ctx: S3Context) -> Callable[[str], dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}

    def display(account_id: str) -> dict[str, str]:
        if account_id not in seen:
            seen[account_id] = account_owner(ctx, account_id)
        return seen[account_id]

    return display


def _stated_acl(ctx: S3Context, bucket: BucketRow, owner_account: str, *, body_allowed: bool) -> dict[str, Any] | None:
    """``requested_acl`` on ``bucket``: with its ACLs disabled, an ACL naming a grantee that
    cannot be resolved is refused as any non-owner ACL is (AccessControlListNotSupported)."""
    try:
        return requested_acl(ctx, owner_account, bucket.account_id, body_allowed=body_allowed)
    except (s3_errors.InvalidArgument, s3_errors.UnresolvableGrantByEmailAddress):
        if not bucket.acls_enabled:
            raise s3_errors.AccessControlListNotSupported() from None
        raise


def _check_settable(ctx: S3Context, bucket: BucketRow, stated: dict[str, Any]) -> None:
    """S3's refusals of an ACL: any but the owner-only one while ACLs are disabled, a public
    one under BlockPublicAcls."""
    if not bucket.acls_enabled:
        if not acl.is_owner_only(stated):
            raise s3_errors.AccessControlListNotSupported()
        return
    if acl.is_public(stated) and "BlockPublicAcls" in public_access.block_settings(
        ctx.store, ctx.settings, bucket.name
    ):
        raise s3_errors.AccessDenied()


def get_bucket_acl(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    stored = row.acl if row.acls_enabled and row.acl is not None else None
    if stored is None:
        stored = acl.default(account_owner(ctx, row.account_id)["ID"], row.account_id)
    return xml_response("GetBucketAcl", acl.render(stored, _display(ctx)))


def put_bucket_acl(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    stated = _stated_acl(ctx, row, row.account_id, body_allowed=True)
    if stated is None:
        raise s3_errors.MalformedACL()
    _check_settable(ctx, row, stated)
    if row.acls_enabled:
        save_config(ctx, row.name, "acl", stated)
    return S3Response()


def _object_owner(version: versions.Version, bucket: BucketRow) -> str:
    found = version.attributes.get("owner")
    return found if isinstance(found, str) else bucket.account_id


def get_object_acl(ctx: S3Context) -> S3Response:
    bucket, version = addressed_object(ctx)
    stored = version.attributes.get("acl") if bucket.acls_enabled else None
    if not isinstance(stored, dict):
        # Under BucketOwnerEnforced the bucket owner owns every object.
        owner_account = _object_owner(version, bucket) if bucket.acls_enabled else bucket.account_id
        stored = acl.default(account_owner(ctx, owner_account)["ID"], owner_account)
    response = xml_response("GetObjectAcl", acl.render(stored, _display(ctx)))
    response.headers.update(version_headers(bucket, version))
    return response


def put_object_acl(ctx: S3Context) -> S3Response:
    bucket, version = addressed_object(ctx)
    owner_account = _object_owner(version, bucket) if bucket.acls_enabled else bucket.account_id
    stated = _stated_acl(ctx, bucket, owner_account, body_allowed=True)
    if stated is None:
        raise s3_errors.MalformedACL()
    _check_settable(ctx, bucket, stated)
    if not bucket.acls_enabled:
        return S3Response(headers=version_headers(bucket, version))
    with ctx.store.write() as conn:
        # Re-read in the transaction so a concurrent overwrite's attributes are not lost.
        current = addressed_version(ctx, conn, bucket.name)
        attributes = {**current.attributes, "acl": stated}
        versions.set_attributes(conn, bucket.name, current, dumps(attributes))
    return S3Response(headers=version_headers(bucket, version))


def write_acl(ctx: S3Context, bucket: BucketRow) -> dict[str, Any]:
    """What PutObject, CopyObject and CreateMultipartUpload store of the object's ownership:
    ``{"owner": account, "acl": ...}`` while the bucket's ACLs are enabled, nothing otherwise.

    Under BucketOwnerEnforced a request may state no ACL or one granting only the bucket
    owner (``private``, ``bucket-owner-full-control``); any other fails with
    AccessControlListNotSupported, as in S3. With ACLs enabled the writer's account owns the
    object (ObjectWriter), or the bucket owner does when the writer grants it full control
    (BucketOwnerPreferred with ``bucket-owner-full-control``).
    """
    p = ctx.principal
    canned = ctx.header("x-amz-acl")
    if not bucket.acls_enabled:
        if grant_headers(ctx) or (canned is not None and canned not in _OWNER_ONLY_CANNED):
            raise s3_errors.AccessControlListNotSupported()
        return {}
    # An anonymous writer (a bucket open to AllUsers WRITE) owns nothing here: its objects
    # belong to the bucket owner, who can then always manage them (the safer choice).
    writer = p.account_id if p is not None else bucket.account_id
    owner_account = writer
    if bucket.ownership == "BucketOwnerPreferred" and canned == "bucket-owner-full-control":
        owner_account = bucket.account_id
    stated = requested_acl(ctx, owner_account, bucket.account_id, body_allowed=False)
    if stated is None:
        stated = acl.default(account_owner(ctx, owner_account)["ID"], owner_account)
    _check_settable(ctx, bucket, stated)
    return {"owner": owner_account, "acl": stated}


#: Canned ACLs that grant nothing beyond what a BucketOwnerEnforced bucket already gives.
_OWNER_ONLY_CANNED = ("private", "bucket-owner-full-control")
