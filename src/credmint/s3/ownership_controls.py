"""A bucket's ObjectOwnership: Get/Put/DeleteBucketOwnershipControls. Whether its ACLs
apply follows from it (``acl.py``).
"""

from __future__ import annotations

from credmint.s3 import acl, xmlbody
from credmint.s3 import errors as s3_errors
from credmint.s3.bucket_configs import MISSING, configuration_root, load_config, no_content, save_config
from credmint.s3.buckets import xml_response
from credmint.s3.context import S3Context, S3Response

DEFAULT_OWNERSHIP = "BucketOwnerEnforced"


def object_ownership(ctx: S3Context, bucket: str) -> str | None:
    doc = load_config(ctx, bucket, "ownershipControls")
    if doc is MISSING:
        return DEFAULT_OWNERSHIP
    return doc if isinstance(doc, str) else None


def get_bucket_ownership_controls(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    ownership = object_ownership(ctx, row.name)
    if ownership is None:
        raise s3_errors.OwnershipControlsNotFound(row.name)
    controls = {"Rules": [{"ObjectOwnership": ownership}]}
    return xml_response("GetBucketOwnershipControls", {"OwnershipControls": controls})


def put_bucket_ownership_controls(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    root = configuration_root(ctx, "OwnershipControls")
    rules = xmlbody.children(root, "Rule")
    if len(rules) != 1:
        raise s3_errors.MalformedXML()
    ownership = xmlbody.child_text(rules[0], "ObjectOwnership")
    if ownership not in acl.OWNERSHIP:
        raise s3_errors.MalformedXML()
    if (
        ownership == "BucketOwnerEnforced"
        and row.acls_enabled
        and row.acl is not None
        and not acl.is_owner_only(row.acl)
    ):
        # S3 refuses to disable ACLs while the bucket ACL grants access to others.
        raise s3_errors.InvalidBucketAclWithObjectOwnership()
    save_config(ctx, row.name, "ownershipControls", ownership)
    return S3Response()


def delete_bucket_ownership_controls(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    save_config(ctx, row.name, "ownershipControls", None)
    return no_content()
