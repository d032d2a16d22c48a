"""A bucket's versioning status: Get/PutBucketVersioning. What a status means for the
versions of each key is ``versions.py``.
"""

from __future__ import annotations

from credmint.s3 import errors as s3_errors
from credmint.s3 import xmlbody
from credmint.s3.bucket_configs import MISSING, configuration_root, load_config, save_config
from credmint.s3.buckets import xml_response
from credmint.s3.context import S3Context, S3Response


def get_bucket_versioning(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    status = load_config(ctx, row.name, "versioning")
    # A bucket that was never versioned answers an empty VersioningConfiguration.
    return xml_response("GetBucketVersioning", {"Status": status} if isinstance(status, str) else {})


def put_bucket_versioning(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    root = configuration_root(ctx, "VersioningConfiguration")
    status = xmlbody.child_text(root, "Status")
    mfa_delete = xmlbody.child_text(root, "MfaDelete")
    if status not in (None, "Enabled", "Suspended") or mfa_delete not in (None, "Enabled", "Disabled"):
        raise s3_errors.MalformedXML()
    if mfa_delete == "Enabled":
        # MFA Delete needs the root user's MFA on every version delete; credmint does not
        # check it, so claiming it would promise a protection that is not there.
        raise s3_errors.Unimplemented.mfa_delete()
    if status == "Suspended" and load_config(ctx, row.name, "objectLock") is not MISSING:
        raise s3_errors.InvalidBucketState.versioning_locked()
    if status is not None:
        # S3 accepts suspending a bucket that was never versioned; it then reports Suspended.
        # Once enabled, a bucket never returns to unversioned (only to Suspended).
        save_config(ctx, row.name, "versioning", status)
    return S3Response()
