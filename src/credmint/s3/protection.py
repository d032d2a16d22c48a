"""What Object Lock forbids when a version is written or removed: the bucket's lock
configuration, the lock state a new version takes, and the check before a version is
deleted for good (rules in ``s3.object_lock``; the lock operations are ``s3.retention``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from credmint.errors import AwsError
from credmint.s3 import errors as s3_errors
from credmint.s3 import object_lock
from credmint.s3.context import BucketRow, S3Context
from credmint.sigv4.checksums import ALGORITHMS
from credmint.store import schema

#: The action that lets a request weaken GOVERNANCE retention (with the bypass header).
BYPASS_ACTION = "s3:BypassGovernanceRetention"
CONFIG_NAME = "objectLock"


def configuration(conn: Connection, bucket: str) -> dict[str, Any] | None:
    c = schema.bucket_configs
    doc = conn.execute(select(c.c.document).where(c.c.bucket == bucket, c.c.name == CONFIG_NAME)).scalar()
    found = json.loads(doc) if doc is not None else None
    return found if isinstance(found, dict) else None


def bucket_configuration(ctx: S3Context, bucket: str) -> dict[str, Any] | None:
    with ctx.store.read() as conn:
        return configuration(conn, bucket)


def _missing_configuration() -> AwsError:
    return s3_errors.InvalidRequest.bucket_without_object_lock()


def _bypass_requested(ctx: S3Context) -> bool:
    return (ctx.header("x-amz-bypass-governance-retention") or "").strip().lower() == "true"


def allow_bypass(ctx: S3Context, bucket: BucketRow, key: str) -> bool:
    """Whether the request may weaken GOVERNANCE retention: it asks to (the bypass header) and
    is allowed s3:BypassGovernanceRetention on the object."""
    if not _bypass_requested(ctx):
        return False
    try:
        ctx.authorize(ctx.operation, bucket, key, action=BYPASS_ACTION)
    except AwsError:
        return False
    return True


def refuse_protected() -> AwsError:
    return s3_errors.AccessDenied.object_locked()


def check_removal(attributes: dict[str, Any], now: datetime, bypass: bool) -> None:
    """Raise unless a version with ``attributes`` may be deleted for good."""
    needs = object_lock.removal_needs(attributes, now)
    if needs == "denied" or (needs == "bypass" and not bypass):
        raise refuse_protected()


# --- writes -------------------------------------------------------------------------------


def write_lock(ctx: S3Context, bucket: BucketRow) -> dict[str, Any]:
    """The lock state a new version takes (attributes ``retention``, ``legal_hold``): stated in
    the request's headers, else the bucket's default retention.

    Stating a retention on a write needs ``s3:PutObjectRetention``, and a legal hold
    ``s3:PutObjectLegalHold``, with the ``s3:object-lock-*`` keys of what is stated, as if
    set afterwards: S3 enforces a bucket's default retention by denying users the
    permission to configure retention ("S3 rejects any request to put an object that
    includes a retention mode and setting"), and a retention-limit policy on
    PutObjectRetention would otherwise be stepped around by stating the lock on the write."""
    mode = ctx.header("x-amz-object-lock-mode")
    until = ctx.header("x-amz-object-lock-retain-until-date")
    hold = ctx.header("x-amz-object-lock-legal-hold")
    config = bucket_configuration(ctx, bucket.name)
    if config is None:
        if mode is not None or until is not None or hold is not None:
            raise _missing_configuration()
        return {}
    out: dict[str, Any] = {}
    requested = object_lock.requested_retention(mode, until, ctx.now)
    if hold is not None and hold not in object_lock.LEGAL_HOLD:
        raise s3_errors.InvalidArgument.legal_hold(hold[:16])
    if requested is not None:
        ctx.authorize_stated("s3:PutObjectRetention", bucket)
    if hold is not None:
        ctx.authorize_stated("s3:PutObjectLegalHold", bucket)
    retention = requested or object_lock.default_retention(config, ctx.now)
    if retention is not None:
        out["retention"] = retention.stored()
    if hold is not None:
        out["legal_hold"] = hold
    return out


#: The prefix of the body digests S3 accepts in place of Content-MD5.
_CHECKSUM_PREFIX = "x-amz-checksum-"


def require_integrity_header(ctx: S3Context, attributes: dict[str, Any], what: str) -> None:
    """S3 refuses to store a version under Object Lock (retention or a legal hold, stated or
    from the bucket's default retention) unless the request carries a digest of its body:
    Content-MD5, an ``x-amz-checksum-*`` header, or an aws-chunked trailer announced in
    ``x-amz-trailer``. Checked from the head, before the body is read. ``what`` is "Object"
    for PutObject and "Part" for UploadPart, as S3 words the message."""
    if "retention" not in attributes and "legal_hold" not in attributes:
        return
    if ctx.header("content-md5") is not None:
        return
    if any(ctx.header(name) is not None for name in ALGORITHMS):
        return
    trailer = (ctx.header("x-amz-trailer") or "").strip().lower()
    if trailer.startswith(_CHECKSUM_PREFIX):
        return
    raise s3_errors.InvalidRequest.object_lock_needs_checksum(what)
