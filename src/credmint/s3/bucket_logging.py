"""Server access logging's configuration: PutBucketLogging and GetBucketLogging.

A bucket's ``BucketLoggingStatus`` names a target bucket and prefix (and optionally grants
on the log objects and their key format); it is stored as the ``logging`` row of
``bucket_configs``. The records themselves are gathered and delivered by
``s3.log_delivery``.

What PutBucketLogging checks, as S3 documents it (S3 User Guide, "Enabling Amazon S3
server access logging"; API Reference, PutBucketLogging):

* only the bucket's owner (its account) may set or remove it, whatever the bucket policy
  grants other accounts ("To set the logging status of a bucket, you must be the bucket
  owner");
* the target bucket exists (``InvalidTargetBucketForLogging``), is owned by the same
  account (``InvalidTargetBucketForLogging``) and is in the same region
  (``CrossLocationLoggingProhibited``), and has no Object Lock default retention;
* the logging service may write there: the target bucket's policy allows the service
  principal ``logging.s3.amazonaws.com`` ``s3:PutObject`` on the target prefix, with
  ``aws:SourceArn`` the source bucket's ARN and ``aws:SourceAccount`` its owner's account
  (the conditions S3's documented policy uses); or, while the target's ACLs are enabled,
  its ACL grants the Log Delivery group WRITE (the older way S3 still honours). Refused
  with ``AccessDenied``. The same check is made again when logs are delivered;
* target grants are refused when the target bucket's ACLs are disabled
  (``AccessControlListNotSupported``: "Target grants not allowed for bucket owner
  enforced buckets").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element

from credmint import arns, errors
from credmint.errors import AwsError
from credmint.policy.context import PrincipalInfo, RequestContext
from credmint.policy.document import compile_policy
from credmint.policy.evaluate import evaluate
from credmint.s3 import acl, xmlbody
from credmint.s3.acl_request import account_owner, resolve_canonical
from credmint.s3.buckets import xml_response
from credmint.s3.context import BucketRow, S3Context, S3Response
from credmint.s3.subresources import _MISSING, _load, _remove, _save

#: The name of the configuration row (``bucket_configs.name``).
CONFIG = "logging"
#: The service principal S3 delivers server access logs as.
LOGGING_SERVICE = "logging.s3.amazonaws.com"
#: Log objects are named ``TargetPrefix`` + at most this many bytes (the partitioned
#: format: account id, region, bucket name, date and a unique string); the prefix may
#: take what an object key has left.
_MAX_GENERATED = 12 + 1 + 32 + 1 + 63 + 1 + 11 + 37
MAX_TARGET_PREFIX = 1024 - _MAX_GENERATED
#: S3's permissions on log objects (``BucketLogsPermission``).
LOG_PERMISSIONS = frozenset({"FULL_CONTROL", "READ", "WRITE"})
DATE_SOURCES = frozenset({"EventTime", "DeliveryTime"})
MAX_TARGET_GRANTS = 100


def get_bucket_logging(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    stored = _load(ctx, row.name, CONFIG)
    if not isinstance(stored, dict):
        return xml_response("GetBucketLogging", {})
    return xml_response("GetBucketLogging", {"LoggingEnabled": render(ctx, stored)})


def put_bucket_logging(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    p = ctx.principal
    if p is None or p.account_id != row.account_id:
        # The bucket policy may name s3:PutBucketLogging for anyone; S3 still keeps the
        # logging status to the bucket's owner.
        raise errors.s3_access_denied()
    config = parse(ctx, ctx.body)
    if config is None:
        _remove(ctx, row.name, CONFIG)
        return S3Response()
    target = ctx.load_bucket(config["TargetBucket"])
    check_target(ctx, row, target, config)
    _save(ctx, row.name, CONFIG, config)
    return S3Response()


# --- the document ---------------------------------------------------------------------------


def parse(ctx: S3Context, body: bytes) -> dict[str, Any] | None:
    """The stored form of a ``BucketLoggingStatus`` (None: logging off)."""
    root = xmlbody.parse(body)
    if xmlbody.local(root.tag) != "BucketLoggingStatus":
        raise errors.s3_malformed_xml()
    enabled = xmlbody.children(root, "LoggingEnabled")
    if not enabled:
        return None
    if len(enabled) != 1:
        raise errors.s3_malformed_xml()
    element = enabled[0]
    target = xmlbody.child_text(element, "TargetBucket")
    prefix = xmlbody.child_text(element, "TargetPrefix")
    if not target or prefix is None:
        raise errors.s3_malformed_xml()
    target = target.strip()
    if len(prefix.encode("utf-8")) > MAX_TARGET_PREFIX:
        raise errors.s3_invalid_argument(
            f"The target prefix must not be longer than {MAX_TARGET_PREFIX} bytes", "TargetPrefix", prefix[:256]
        )
    config: dict[str, Any] = {"TargetBucket": target, "TargetPrefix": prefix}
    grants = xmlbody.children(element, "TargetGrants")
    if grants:
        config["TargetGrants"] = _grants(ctx, grants)
    formats = xmlbody.children(element, "TargetObjectKeyFormat")
    if len(formats) > 1:
        raise errors.s3_malformed_xml()
    if formats:
        config["TargetObjectKeyFormat"] = _key_format(formats[0])
    return config


def _grants(ctx: S3Context, lists: list[Element]) -> list[dict[str, Any]]:
    if len(lists) != 1:
        raise errors.s3_malformed_xml()
    elements = xmlbody.children(lists[0], "Grant")
    if len(elements) > MAX_TARGET_GRANTS:
        raise errors.s3_malformed_xml()
    out = []
    for element in elements:
        permission = (xmlbody.child_text(element, "Permission") or "").strip()
        if permission not in LOG_PERMISSIONS:
            raise errors.s3_malformed_xml()
        out.append(acl.xml_grant(element, resolve_canonical(ctx), errors.s3_malformed_xml))
    return out


def _key_format(element: Element) -> dict[str, Any]:
    simple = xmlbody.children(element, "SimplePrefix")
    partitioned = xmlbody.children(element, "PartitionedPrefix")
    if len(simple) + len(partitioned) != 1:
        raise errors.s3_malformed_xml()
    if simple:
        return {"SimplePrefix": {}}
    source = xmlbody.child_text(partitioned[0], "PartitionDateSource")
    if source is None:
        return {"PartitionedPrefix": {}}
    if source.strip() not in DATE_SOURCES:
        raise errors.s3_malformed_xml()
    return {"PartitionedPrefix": {"PartitionDateSource": source.strip()}}


def render(ctx: S3Context, config: Mapping[str, Any]) -> dict[str, Any]:
    """``LoggingEnabled`` of GetBucketLogging from the stored configuration."""
    out: dict[str, Any] = {"TargetBucket": config["TargetBucket"], "TargetPrefix": config["TargetPrefix"]}
    grants = config.get("TargetGrants")
    if grants:
        # Rendered as an ACL's grants are (the owner shown there is not part of the result).
        owner = {"account": ""}
        shown = acl.render({"owner": owner, "grants": grants}, lambda a: account_owner(ctx, a) if a else {})
        out["TargetGrants"] = shown["Grants"]
    key_format = config.get("TargetObjectKeyFormat")
    if isinstance(key_format, dict):
        out["TargetObjectKeyFormat"] = key_format
    return out


# --- the target bucket ----------------------------------------------------------------------


def check_target(ctx: S3Context, source: BucketRow, target: BucketRow | None, config: Mapping[str, Any]) -> None:
    """Refuse a target bucket S3 would refuse (see the module docstring)."""
    name = str(config["TargetBucket"])
    if target is None:
        raise _invalid_target("The target bucket for logging does not exist", name)
    if target.account_id != source.account_id:
        raise _invalid_target("The owner for the bucket to be logged and the target bucket must be the same.", name)
    if target.region != source.region:
        raise errors.s3_error(
            "CrossLocationLoggingProhibited",
            "Cross S3 location logging not allowed. ",
            403,
            ("TargetBucketLocation", target.region),
        )
    lock = _load(ctx, target.name, "objectLock")
    if lock is not _MISSING and isinstance(lock, dict) and isinstance(lock.get("Rule"), dict):
        raise _invalid_target("The target bucket for logging must not have a default Object Lock retention.", name)
    if config.get("TargetGrants") and not target.acls_enabled:
        raise errors.s3_error(
            "AccessControlListNotSupported", "Target grants not allowed for bucket owner enforced buckets", 400
        )
    if not delivery_allowed(target, source.name, source.account_id, str(config["TargetPrefix"])):
        raise errors.s3_access_denied(
            f"The policy of the target bucket does not allow {LOGGING_SERVICE} s3:PutObject on the target prefix"
        )


def _invalid_target(message: str, bucket: str) -> AwsError:
    return errors.s3_error("InvalidTargetBucketForLogging", message, 400, ("TargetBucket", bucket))


def delivery_allowed(target: BucketRow, source_bucket: str, source_account: str, prefix: str) -> bool:
    """Whether the logging service may write log objects under ``prefix`` in ``target`` for
    ``source_bucket``: the target's policy allows it, or (ACLs enabled) its ACL grants the
    Log Delivery group WRITE."""
    if target.acls_enabled and target.acl is not None and _log_delivery_may_write(target.acl):
        return True
    if target.policy is None:
        return False
    try:
        policy = compile_policy(target.policy, policy_id="resource")
    except AwsError:
        return False
    ctx = RequestContext.create(
        PrincipalInfo(LOGGING_SERVICE, "Service"),
        "s3:PutObject",
        arns.s3_object(target.name, prefix),
        resource_account=target.account_id,
        keys={"aws:SourceArn": arns.bucket(source_bucket), "aws:SourceAccount": source_account},
    )
    return evaluate(ctx, resource=policy).allowed


def _log_delivery_may_write(stored: Mapping[str, Any]) -> bool:
    return any(
        g["grantee"].get("uri") == acl.LOG_DELIVERY and g["permission"] in ("WRITE", "FULL_CONTROL")
        for g in stored.get("grants", ())
    )


def stored_config(document: str) -> dict[str, Any] | None:
    """A stored ``logging`` document, read (None if it is not a configuration)."""
    try:
        found = json.loads(document)
    except ValueError:
        return None
    return found if isinstance(found, dict) and "TargetBucket" in found else None
