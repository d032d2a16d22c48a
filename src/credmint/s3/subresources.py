"""Bucket and object sub-resources: tagging, versioning, CORS, ACLs and the configurations
infrastructure tools read on every refresh.

Stored for real (table ``bucket_configs``; object tags in the object's attributes): bucket
and object tagging, the versioning status, CORS, the public access block and ownership
controls. The rest answer what S3 answers for a bucket that never had the configuration
(a default, or the "not configured" error), and refuse to change it with NotImplemented.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any
from xml.etree.ElementTree import Element

from sqlalchemy import delete, insert, select, update

from credmint import errors
from credmint.s3 import acl, lifecycle, versions, xmlbody
from credmint.s3.buckets import xml_response
from credmint.s3.context import BucketRow, S3Context, S3Response, dumps
from credmint.s3.rows import addressed_object, addressed_version, version_headers
from credmint.s3.tags import MAX_BUCKET_TAGS, MAX_OBJECT_TAGS, tagging_document, validate_tags
from credmint.settings import PUBLIC_ACCESS_BLOCK_FLAGS
from credmint.store import schema

MAX_CORS_RULES = 100
_CORS_METHODS = frozenset({"GET", "PUT", "HEAD", "POST", "DELETE"})
DEFAULT_OWNERSHIP = "BucketOwnerEnforced"


# --- storage --------------------------------------------------------------------------------


_MISSING = object()


def _load(ctx: S3Context, bucket: str, name: str) -> Any:
    """The stored document (``None`` for a recorded deletion), or ``_MISSING`` if never set."""
    c = schema.bucket_configs
    with ctx.store.read() as conn:
        row = conn.execute(select(c.c.document).where(c.c.bucket == bucket, c.c.name == name)).first()
    return _MISSING if row is None else json.loads(row[0])


def _save(ctx: S3Context, bucket: str, name: str, document: Any) -> None:
    c = schema.bucket_configs
    b = schema.buckets
    text = dumps(document)
    with ctx.store.write() as conn:
        # Lock the bucket row so a concurrent DeleteBucket cannot leave an orphan row.
        if conn.execute(select(b.c.name).where(b.c.name == bucket).with_for_update()).first() is None:
            raise errors.s3_no_such_bucket(bucket)
        where = (c.c.bucket == bucket, c.c.name == name)
        if conn.execute(select(c.c.name).where(*where)).first() is None:
            conn.execute(insert(c).values(bucket=bucket, name=name, document=text))
        else:
            conn.execute(update(c).where(*where).values(document=text))


def save_config(ctx: S3Context, bucket: str, name: str, document: Any) -> None:
    """Store one configuration document of ``bucket`` (for the other S3 modules)."""
    _save(ctx, bucket, name, document)


def _remove(ctx: S3Context, bucket: str, name: str) -> None:
    c = schema.bucket_configs
    with ctx.store.write() as conn:
        conn.execute(delete(c).where(c.c.bucket == bucket, c.c.name == name))


def _no_content() -> S3Response:
    return S3Response(status=204)


def _root(ctx: S3Context, name: str) -> Element:
    root = xmlbody.parse(ctx.body)
    if xmlbody.local(root.tag) != name:
        raise errors.s3_malformed_xml()
    return root


# --- tags -----------------------------------------------------------------------------------


def _tagging_body(ctx: S3Context, limit: int) -> dict[str, str]:
    return validate_tags(tagging_document(ctx.body), limit)


def _tag_set(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def get_bucket_tagging(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    tags = _load(ctx, row.name, "tagging")
    if not isinstance(tags, dict):
        raise errors.s3_no_such_tag_set(row.name)
    return xml_response("GetBucketTagging", {"TagSet": _tag_set(tags)})


def put_bucket_tagging(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    _save(ctx, row.name, "tagging", _tagging_body(ctx, MAX_BUCKET_TAGS))
    return _no_content()


def delete_bucket_tagging(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    _remove(ctx, row.name, "tagging")
    return _no_content()


def _set_object_tags(ctx: S3Context, bucket: BucketRow, tags: dict[str, str]) -> dict[str, str]:
    with ctx.store.write() as conn:
        # Read and rewrite in one transaction so a concurrent overwrite is not resurrected.
        found = addressed_version(ctx, conn, bucket.name)
        attributes = dict(found.attributes)
        if tags:
            attributes["tags"] = tags
        else:
            attributes.pop("tags", None)
        versions.set_attributes(conn, bucket.name, found, dumps(attributes))
    return version_headers(bucket, found)


def get_object_tagging(ctx: S3Context) -> S3Response:
    bucket, version = addressed_object(ctx)
    # An object without tags answers an empty TagSet, not NoSuchTagSet.
    response = xml_response("GetObjectTagging", {"TagSet": _tag_set(version.attributes.get("tags") or {})})
    response.headers.update(version_headers(bucket, version))
    return response


def put_object_tagging(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    tags = _tagging_body(ctx, MAX_OBJECT_TAGS)
    return S3Response(headers=_set_object_tags(ctx, bucket, tags))


def delete_object_tagging(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    return S3Response(status=204, headers=_set_object_tags(ctx, bucket, {}))


# --- versioning -----------------------------------------------------------------------------


def get_bucket_versioning(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    status = _load(ctx, row.name, "versioning")
    # A bucket that was never versioned answers an empty VersioningConfiguration.
    return xml_response("GetBucketVersioning", {"Status": status} if isinstance(status, str) else {})


def put_bucket_versioning(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    root = _root(ctx, "VersioningConfiguration")
    status = xmlbody.child_text(root, "Status")
    mfa_delete = xmlbody.child_text(root, "MfaDelete")
    if status not in (None, "Enabled", "Suspended") or mfa_delete not in (None, "Enabled", "Disabled"):
        raise errors.s3_malformed_xml()
    if mfa_delete == "Enabled":
        # MFA Delete needs the root user's MFA on every version delete; credmint does not
        # check it, so claiming it would promise a protection that is not there.
        raise errors.s3_not_implemented("MFA Delete is not implemented.")
    if status == "Suspended" and _load(ctx, row.name, "objectLock") is not _MISSING:
        raise errors.s3_error(
            "InvalidBucketState",
            "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
            409,
        )
    if status is not None:
        # S3 accepts suspending a bucket that was never versioned; it then reports Suspended.
        # Once enabled, a bucket never returns to unversioned (only to Suspended).
        _save(ctx, row.name, "versioning", status)
    return S3Response()


# --- CORS -----------------------------------------------------------------------------------


def _texts(element: Element, name: str) -> list[str]:
    return [c.text or "" for c in xmlbody.children(element, name)]


def _cors_rule(rule: Element) -> dict[str, Any]:
    methods = _texts(rule, "AllowedMethod")
    origins = _texts(rule, "AllowedOrigin")
    if not methods or not origins:
        raise errors.s3_malformed_xml()
    for method in methods:
        if method not in _CORS_METHODS:
            raise errors.s3_invalid_request(
                f"Found unsupported HTTP method in CORS config. Unsupported method is {method}"
            )
    out: dict[str, Any] = {"AllowedMethods": methods, "AllowedOrigins": origins}
    rule_id = xmlbody.child_text(rule, "ID")
    if rule_id is not None:
        out["ID"] = rule_id
    headers = _texts(rule, "AllowedHeader")
    if headers:
        out["AllowedHeaders"] = headers
    expose = _texts(rule, "ExposeHeader")
    if expose:
        out["ExposeHeaders"] = expose
    max_age = xmlbody.child_text(rule, "MaxAgeSeconds")
    if max_age is not None:
        try:
            out["MaxAgeSeconds"] = int(max_age)
        except ValueError:
            raise errors.s3_malformed_xml() from None
    return out


def get_bucket_cors(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    rules = _load(ctx, row.name, "cors")
    if not isinstance(rules, list):
        raise errors.s3_no_such_cors_configuration(row.name)
    return xml_response("GetBucketCors", {"CORSRules": rules})


def put_bucket_cors(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    root = _root(ctx, "CORSConfiguration")
    rules = [_cors_rule(r) for r in xmlbody.children(root, "CORSRule")]
    if not rules or len(rules) > MAX_CORS_RULES:
        raise errors.s3_malformed_xml()
    _save(ctx, row.name, "cors", rules)
    return S3Response()


def delete_bucket_cors(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    _remove(ctx, row.name, "cors")
    return _no_content()


# --- public access block and ownership controls ---------------------------------------------


def get_public_access_block(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    doc = _load(ctx, row.name, "publicAccessBlock")
    if doc is _MISSING:
        # Never configured: the server's default (see settings.public_access_block_default).
        on = ctx.settings.public_access_block_flags
        doc = {name: name in on for name in PUBLIC_ACCESS_BLOCK_FLAGS} if on else None
    if not isinstance(doc, dict):
        raise errors.s3_no_such_public_access_block(row.name)
    return xml_response("GetPublicAccessBlock", {"PublicAccessBlockConfiguration": doc})


def _bool(text: str | None) -> bool:
    if text is None:
        return False  # an omitted setting is off, as in S3
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise errors.s3_malformed_xml()
    return value == "true"


def put_public_access_block(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    root = _root(ctx, "PublicAccessBlockConfiguration")
    doc = {name: _bool(xmlbody.child_text(root, name)) for name in PUBLIC_ACCESS_BLOCK_FLAGS}
    _save(ctx, row.name, "publicAccessBlock", doc)
    return S3Response()


def delete_public_access_block(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    # Recorded as null: the bucket no longer has the creation-time default either.
    _save(ctx, row.name, "publicAccessBlock", None)
    return _no_content()


def object_ownership(ctx: S3Context, bucket: str) -> str | None:
    doc = _load(ctx, bucket, "ownershipControls")
    if doc is _MISSING:
        return DEFAULT_OWNERSHIP
    return doc if isinstance(doc, str) else None


def get_bucket_ownership_controls(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    ownership = object_ownership(ctx, row.name)
    if ownership is None:
        raise errors.s3_ownership_controls_not_found(row.name)
    controls = {"Rules": [{"ObjectOwnership": ownership}]}
    return xml_response("GetBucketOwnershipControls", {"OwnershipControls": controls})


def put_bucket_ownership_controls(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    root = _root(ctx, "OwnershipControls")
    rules = xmlbody.children(root, "Rule")
    if len(rules) != 1:
        raise errors.s3_malformed_xml()
    ownership = xmlbody.child_text(rules[0], "ObjectOwnership")
    if ownership not in acl.OWNERSHIP:
        raise errors.s3_malformed_xml()
    if (
        ownership == "BucketOwnerEnforced"
        and row.acls_enabled
        and row.acl is not None
        and not acl.is_owner_only(row.acl)
    ):
        # S3 refuses to disable ACLs while the bucket ACL grants access to others.
        raise errors.s3_invalid_bucket_acl_with_object_ownership()
    _save(ctx, row.name, "ownershipControls", ownership)
    return S3Response()


def delete_bucket_ownership_controls(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    _save(ctx, row.name, "ownershipControls", None)
    return _no_content()


# --- read-only defaults ---------------------------------------------------------------------


def get_bucket_accelerate_configuration(ctx: S3Context) -> S3Response:
    ctx.bucket_or_404()
    return xml_response("GetBucketAccelerateConfiguration", {})


def get_bucket_request_payment(ctx: S3Context) -> S3Response:
    ctx.bucket_or_404()
    return xml_response("GetBucketRequestPayment", {"Payer": "BucketOwner"})


def get_bucket_notification_configuration(ctx: S3Context) -> S3Response:
    ctx.bucket_or_404()
    return xml_response("GetBucketNotificationConfiguration", {})


def get_bucket_website(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    raise errors.s3_no_such_website_configuration(row.name)


def get_bucket_lifecycle_configuration(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    rules = _load(ctx, row.name, "lifecycle")
    if not isinstance(rules, list):
        raise errors.s3_no_such_lifecycle_configuration(row.name)
    return xml_response("GetBucketLifecycleConfiguration", {"Rules": lifecycle.render(rules)})


def put_bucket_lifecycle_configuration(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    rules = lifecycle.parse_configuration(ctx.body, lambda: base64.b64encode(secrets.token_bytes(36)).decode())
    _save(ctx, row.name, "lifecycle", rules)
    return S3Response()


def delete_bucket_lifecycle(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    _remove(ctx, row.name, "lifecycle")
    return _no_content()


def get_bucket_replication(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    raise errors.s3_replication_configuration_not_found(row.name)


def nothing_to_delete(ctx: S3Context) -> S3Response:
    """Deleting a configuration credmint never holds (website, lifecycle, replication)
    leaves the bucket as it is: S3 answers 204."""
    ctx.bucket_or_404()
    return _no_content()


def not_implemented(ctx: S3Context) -> S3Response:
    """Setting a configuration credmint does not apply: authorized first, then refused."""
    ctx.bucket_or_404()
    raise errors.s3_not_implemented()
