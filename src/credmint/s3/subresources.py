"""Bucket and object sub-resources: tagging, versioning, CORS, ACLs and the configurations
infrastructure tools read on every refresh.

Stored for real (table ``bucket_configs``; object tags in the object's attributes): bucket
and object tagging, the versioning status, CORS, the public access block and ownership
controls. The rest answer what S3 answers for a bucket that never had the configuration
(a default, or the "not configured" error), and refuse to change it with NotImplemented.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element

from sqlalchemy import delete, insert, select, update

from credmint import errors
from credmint.s3 import public_access, xmlbody
from credmint.s3.buckets import xml_response
from credmint.s3.context import BucketRow, S3Context, S3Response, dumps
from credmint.s3.operations import _owner, load_object
from credmint.s3.tags import MAX_BUCKET_TAGS, MAX_OBJECT_TAGS, tagging_document, validate_tags
from credmint.settings import PUBLIC_ACCESS_BLOCK_FLAGS
from credmint.store import schema

MAX_CORS_RULES = 100
_CORS_METHODS = frozenset({"GET", "PUT", "HEAD", "POST", "DELETE"})
_OWNERSHIP = frozenset({"BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"})
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


def _object_or_404(ctx: S3Context) -> tuple[BucketRow, dict[str, Any]]:
    assert ctx.key is not None
    bucket = ctx.bucket_or_404()
    with ctx.store.read() as conn:
        obj = load_object(conn, bucket.name, ctx.key)
    if obj is None:
        raise errors.s3_no_such_key(ctx.key)
    return bucket, obj.attributes


def _set_object_tags(ctx: S3Context, bucket: str, tags: dict[str, str]) -> None:
    assert ctx.key is not None
    o = schema.objects
    with ctx.store.write() as conn:
        # Read and rewrite in one transaction so a concurrent overwrite is not resurrected.
        obj = load_object(conn, bucket, ctx.key)
        if obj is None:
            raise errors.s3_no_such_key(ctx.key)
        attributes = dict(obj.attributes)
        if tags:
            attributes["tags"] = tags
        else:
            attributes.pop("tags", None)
        conn.execute(update(o).where(o.c.bucket == bucket, o.c.key == ctx.key).values(attributes=dumps(attributes)))


def get_object_tagging(ctx: S3Context) -> S3Response:
    _bucket, attributes = _object_or_404(ctx)
    # An object without tags answers an empty TagSet, not NoSuchTagSet.
    return xml_response("GetObjectTagging", {"TagSet": _tag_set(attributes.get("tags") or {})})


def put_object_tagging(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    tags = _tagging_body(ctx, MAX_OBJECT_TAGS)
    _set_object_tags(ctx, bucket.name, tags)
    return S3Response()


def delete_object_tagging(ctx: S3Context) -> S3Response:
    bucket = ctx.bucket_or_404()
    _set_object_tags(ctx, bucket.name, {})
    return _no_content()


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
    if status == "Enabled":
        # credmint keeps a single version of each key; claiming versioning would lose data
        # that a client believes is kept.
        raise errors.s3_not_implemented("Bucket versioning is not implemented: credmint keeps one version per key.")
    if mfa_delete == "Enabled":
        raise errors.s3_not_implemented("MFA Delete is not implemented.")
    if status == "Suspended":
        # S3 accepts suspending a bucket that was never versioned; it then reports Suspended.
        _save(ctx, row.name, "versioning", "Suspended")
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
    if ownership not in _OWNERSHIP:
        raise errors.s3_malformed_xml()
    _save(ctx, row.name, "ownershipControls", ownership)
    return S3Response()


def delete_bucket_ownership_controls(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    _save(ctx, row.name, "ownershipControls", None)
    return _no_content()


# --- ACLs: read the owner's FULL_CONTROL grant; setting ACLs is refused ---------------------


def _acl(ctx: S3Context, account_id: str) -> dict[str, Any]:
    owner = _owner(ctx, account_id)
    grantee = {"Type": "CanonicalUser", **owner}
    return {"Owner": owner, "Grants": [{"Grantee": grantee, "Permission": "FULL_CONTROL"}]}


def get_bucket_acl(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    return xml_response("GetBucketAcl", _acl(ctx, row.account_id))


def get_object_acl(ctx: S3Context) -> S3Response:
    bucket, _attributes = _object_or_404(ctx)
    # Under BucketOwnerEnforced the bucket owner owns every object.
    return xml_response("GetObjectAcl", _acl(ctx, bucket.account_id))


_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def _owner_only_acl(body: bytes, owner_id: str) -> bool:
    """Whether an AccessControlPolicy body grants nothing but FULL_CONTROL to the bucket owner.

    That is the XML form of the ACL a BucketOwnerEnforced bucket already has, and S3 accepts
    it (clients such as s3cmd copy an object's ACL by reading it and putting it back)."""
    try:
        root = xmlbody.parse(body)
    except errors.AwsError:
        return False
    if xmlbody.local(root.tag) != "AccessControlPolicy":
        return False
    for owner in xmlbody.children(root, "Owner"):
        if xmlbody.child_text(owner, "ID") != owner_id:
            return False
    lists = xmlbody.children(root, "AccessControlList")
    if len(lists) != 1:
        return False
    grants = xmlbody.children(lists[0], "Grant")
    if not grants:
        return False
    for grant in grants:
        grantees = xmlbody.children(grant, "Grantee")
        if len(grantees) != 1 or xmlbody.child_text(grant, "Permission") != "FULL_CONTROL":
            return False
        grantee = grantees[0]
        if grantee.get(_XSI_TYPE, "CanonicalUser") != "CanonicalUser":
            return False
        if xmlbody.child_text(grantee, "ID") != owner_id:
            return False
    return True


def _block_public_acl(ctx: S3Context, body: bytes, bucket: str) -> None:
    """BlockPublicAcls: a request carrying a public ACL fails with AccessDenied."""
    grants = [value for name, value in ctx.req.headers if name.lower().startswith("x-amz-grant-")]
    if not public_access.acl_is_public(ctx.header("x-amz-acl"), grants, body):
        return
    if "BlockPublicAcls" in public_access.block_settings(ctx.store, ctx.settings, bucket):
        raise errors.s3_access_denied()


def _refuse_acl(ctx: S3Context, allowed: tuple[str, ...], account_id: str, bucket: str) -> None:
    """Accept only an ACL that changes nothing: an allowed canned ACL, or an XML body granting
    the bucket owner FULL_CONTROL and nothing else. Any other ACL is refused, as S3 does for a
    bucket whose ACLs are disabled (BucketOwnerEnforced)."""
    canned = ctx.header("x-amz-acl")
    grants = [name for name, _ in ctx.req.headers if name.lower().startswith("x-amz-grant-")]
    body = ctx.body.strip()
    if object_ownership(ctx, bucket) != "BucketOwnerEnforced":
        # A bucket whose ACLs are enabled meets BlockPublicAcls first (S3: AccessDenied);
        # credmint keeps no ACLs either way, so whatever passes is refused below.
        _block_public_acl(ctx, body, bucket)
    if grants:
        raise errors.s3_acl_not_supported()
    if canned is not None:
        if canned in allowed and not body:
            return
        raise errors.s3_acl_not_supported()
    if body and _owner_only_acl(body, _owner(ctx, account_id)["ID"]):
        return
    raise errors.s3_acl_not_supported()


#: Canned ACLs that grant nothing beyond what a BucketOwnerEnforced bucket already gives.
_OWNER_ONLY_CANNED = ("private", "bucket-owner-full-control")


def refuse_write_acl(ctx: S3Context, bucket: str) -> None:
    """PutObject, CopyObject and CreateMultipartUpload on a bucket whose ACLs are disabled
    (BucketOwnerEnforced) take no ACL or the bucket owner's full control; any other canned
    ACL or x-amz-grant-* header fails with AccessControlListNotSupported, as in S3."""
    if object_ownership(ctx, bucket) != "BucketOwnerEnforced":
        # ACLs enabled: a public one meets BlockPublicAcls; any other is accepted and not
        # kept (credmint stores no ACL grants, so nothing is ever public through one).
        _block_public_acl(ctx, b"", bucket)
        return
    canned = ctx.header("x-amz-acl")
    grants = any(name.lower().startswith("x-amz-grant-") for name, _ in ctx.req.headers)
    if grants or (canned is not None and canned not in _OWNER_ONLY_CANNED):
        raise errors.s3_acl_not_supported()


def put_bucket_acl(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    _refuse_acl(ctx, ("private",), row.account_id, row.name)
    return S3Response()


def put_object_acl(ctx: S3Context) -> S3Response:
    bucket, _attributes = _object_or_404(ctx)
    _refuse_acl(ctx, _OWNER_ONLY_CANNED, bucket.account_id, bucket.name)
    return S3Response()


# --- read-only defaults ---------------------------------------------------------------------


def get_bucket_encryption(ctx: S3Context) -> S3Response:
    ctx.bucket_or_404()
    # Every bucket has had SSE-S3 default encryption since January 2023.
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
    return xml_response("GetBucketEncryption", {"ServerSideEncryptionConfiguration": {"Rules": [rule]}})


def get_bucket_logging(ctx: S3Context) -> S3Response:
    ctx.bucket_or_404()
    return xml_response("GetBucketLogging", {})


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
    raise errors.s3_no_such_lifecycle_configuration(row.name)


def get_bucket_replication(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    raise errors.s3_replication_configuration_not_found(row.name)


def get_object_lock_configuration(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    raise errors.s3_object_lock_configuration_not_found(row.name)


def nothing_to_delete(ctx: S3Context) -> S3Response:
    """Deleting a configuration credmint never holds (website, lifecycle, replication, a
    non-default encryption) leaves the bucket as it is: S3 answers 204."""
    ctx.bucket_or_404()
    return _no_content()


def not_implemented(ctx: S3Context) -> S3Response:
    """Setting a configuration credmint does not apply: authorized first, then refused."""
    ctx.bucket_or_404()
    raise errors.s3_not_implemented()
