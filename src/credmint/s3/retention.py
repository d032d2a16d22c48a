"""Object Lock operations: the bucket's ObjectLockConfiguration, object retention and legal
hold, and the checks writes and deletes make against them (rules in ``s3.object_lock``)."""

from __future__ import annotations

from typing import Any

from credmint.errors import AwsError
from credmint.s3 import errors as s3_errors
from credmint.s3 import object_lock, versions, xmlbody
from credmint.s3.bucket_configs import save_config
from credmint.s3.buckets import xml_response
from credmint.s3.context import BucketRow, S3Context, S3Response, dumps
from credmint.s3.protection import CONFIG_NAME, allow_bypass, bucket_configuration, refuse_protected
from credmint.s3.rows import addressed_version, version_headers

# --- bucket configuration -----------------------------------------------------------------


def _configuration_body(ctx: S3Context) -> dict[str, Any]:
    root = xmlbody.parse(ctx.body)
    if xmlbody.local(root.tag) != "ObjectLockConfiguration":
        raise s3_errors.MalformedXML()
    parsed: dict[str, Any] = {"ObjectLockEnabled": xmlbody.child_text(root, "ObjectLockEnabled")}
    rules = xmlbody.children(root, "Rule")
    if len(rules) > 1:
        raise s3_errors.MalformedXML()
    if rules:
        defaults = xmlbody.children(rules[0], "DefaultRetention")
        if len(defaults) != 1:
            raise s3_errors.MalformedXML()
        parsed["Rule"] = {name: xmlbody.child_text(defaults[0], name) for name in ("Mode", "Days", "Years")}
    return object_lock.parse_configuration(parsed)


def put_object_lock_configuration(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    config = _configuration_body(ctx)
    if bucket.versioning != versions.ENABLED:
        raise s3_errors.InvalidBucketState.object_lock_needs_versioning()
    save_config(ctx, bucket.name, CONFIG_NAME, config)
    return S3Response()


def get_object_lock_configuration(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    config = bucket_configuration(ctx, bucket.name)
    if config is None:
        raise s3_errors.ObjectLockConfigurationNotFound(bucket.name)
    return xml_response("GetObjectLockConfiguration", {"ObjectLockConfiguration": config})


# --- retention and legal hold -------------------------------------------------------------


def _retention_body(ctx: S3Context) -> object_lock.Retention | None:
    root = xmlbody.parse(ctx.body)
    if xmlbody.local(root.tag) != "Retention":
        raise s3_errors.MalformedXML()
    mode = xmlbody.child_text(root, "Mode")
    until = xmlbody.child_text(root, "RetainUntilDate")
    if mode is None and until is None:
        return None  # an empty Retention removes it (GOVERNANCE with the bypass only)
    if mode not in object_lock.MODES or until is None:
        raise s3_errors.MalformedXML()
    return object_lock.Retention(mode, object_lock.parse_date(until, "RetainUntilDate"))


def _missing_configuration() -> AwsError:
    return s3_errors.InvalidRequest.bucket_without_object_lock()


def _authorized_bucket(ctx: S3Context, keys: dict[str, str]) -> BucketRow:
    assert ctx.bucket is not None
    bucket = ctx.load_bucket(ctx.bucket)
    ctx.authorize(ctx.operation, bucket, ctx.key, extra_keys=keys)
    if bucket is None:
        raise s3_errors.NoSuchBucket(ctx.bucket)
    return bucket


def put_object_retention(ctx: S3Context) -> S3Response:
    assert ctx.key is not None
    new = _retention_body(ctx)
    if new is not None and new.until <= ctx.now:
        raise s3_errors.InvalidArgument.retain_until_past(new.until.isoformat())
    bucket = _authorized_bucket(ctx, object_lock.request_keys(new, None, ctx.now))
    if bucket_configuration(ctx, bucket.name) is None:
        raise _missing_configuration()
    with ctx.store.read() as conn:
        current = object_lock.stored_retention(addressed_version(ctx, conn, bucket.name).attributes)
    needs = object_lock.change_needs(current, new, ctx.now)
    bypass = needs == "bypass" and allow_bypass(ctx, bucket, ctx.key)
    with ctx.store.write() as conn:
        version = addressed_version(ctx, conn, bucket.name)
        # Checked again in the transaction: a concurrent change may have extended it.
        needs = object_lock.change_needs(object_lock.stored_retention(version.attributes), new, ctx.now)
        if needs == "denied" or (needs == "bypass" and not bypass):
            raise refuse_protected()
        attributes = dict(version.attributes)
        if new is None:
            attributes.pop("retention", None)
        else:
            attributes["retention"] = new.stored()
        versions.set_attributes(conn, bucket.name, version, dumps(attributes))
    return S3Response(headers=version_headers(bucket, version))


def get_object_retention(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    if bucket_configuration(ctx, bucket.name) is None:
        raise _missing_configuration()
    with ctx.store.read() as conn:
        retention = object_lock.stored_retention(addressed_version(ctx, conn, bucket.name).attributes)
    if retention is None:
        raise s3_errors.NoSuchObjectLockConfiguration()
    return xml_response(
        "GetObjectRetention", {"Retention": {"Mode": retention.mode, "RetainUntilDate": retention.until}}
    )


def put_object_legal_hold(ctx: S3Context) -> S3Response:
    root = xmlbody.parse(ctx.body)
    status = xmlbody.child_text(root, "Status")
    if xmlbody.local(root.tag) != "LegalHold" or status not in object_lock.LEGAL_HOLD:
        raise s3_errors.MalformedXML()
    bucket = _authorized_bucket(ctx, object_lock.request_keys(None, status, ctx.now))
    if bucket_configuration(ctx, bucket.name) is None:
        raise _missing_configuration()
    with ctx.store.write() as conn:
        version = addressed_version(ctx, conn, bucket.name)
        attributes = {**version.attributes, "legal_hold": status}
        versions.set_attributes(conn, bucket.name, version, dumps(attributes))
    return S3Response(headers=version_headers(bucket, version))


def get_object_legal_hold(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    if bucket_configuration(ctx, bucket.name) is None:
        raise _missing_configuration()
    with ctx.store.read() as conn:
        attributes = addressed_version(ctx, conn, bucket.name).attributes
    if "legal_hold" not in attributes:
        raise s3_errors.NoSuchObjectLockConfiguration()
    return xml_response("GetObjectLegalHold", {"LegalHold": {"Status": attributes["legal_hold"]}})
