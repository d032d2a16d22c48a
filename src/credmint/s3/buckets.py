"""Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, bucket policies."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from credmint import arns, bound_principals
from credmint.errors import AwsError
from credmint.policy import names_within, validate_policy
from credmint.s3 import acl, public_access, versions, xmlbody
from credmint.s3 import errors as s3_errors
from credmint.s3.acl_request import grant_headers, requested_acl
from credmint.s3.context import S3Context, S3Response, dumps, sort_key
from credmint.s3.tags import MAX_BUCKET_TAGS, validate_tags
from credmint.sigv4 import is_region_name
from credmint.store import schema
from credmint.wire import s3 as ws3

_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_LIKE = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
#: S3's legacy alias for eu-west-1.
_LEGACY_LOCATIONS = {"EU": "eu-west-1"}


def valid_bucket_name(name: str) -> bool:
    """S3's general purpose bucket naming rules."""
    return (
        _BUCKET_RE.fullmatch(name) is not None
        and ".." not in name
        and ".-" not in name
        and "-." not in name
        and _IP_LIKE.fullmatch(name) is None
        and not name.startswith(_RESERVED_PREFIXES)
        and not name.endswith(_RESERVED_SUFFIXES)
    )


def list_buckets(ctx: S3Context) -> S3Response:
    ctx.authorize("ListBuckets", None)
    p = ctx.principal
    assert p is not None  # anonymous callers were refused by authorize
    q = ctx.query
    prefix = q.get("prefix", "")
    region_filter = q.get("bucket-region")
    max_buckets = _int_param(q, "max-buckets", 10000, 1, 10000)
    after = ""
    if "continuation-token" in q:
        after = _decode_token(q["continuation-token"], "continuation-token")
    b = schema.buckets
    a = schema.accounts
    name_col = sort_key(ctx.store, b.c.name)
    stmt = select(b.c.name, b.c.created_at, b.c.region).where(b.c.account_id == p.account_id)
    if prefix:
        stmt = stmt.where(b.c.name.startswith(prefix, autoescape=True))
    if region_filter:
        stmt = stmt.where(b.c.region == region_filter)
    if after:
        stmt = stmt.where(name_col > after)
    stmt = stmt.order_by(name_col).limit(max_buckets + 1)
    with ctx.store.read() as conn:
        rows = conn.execute(stmt).all()
        owner = conn.execute(select(a.c.canonical_user_id, a.c.name).where(a.c.account_id == p.account_id)).first()
    truncated = len(rows) > max_buckets
    rows = rows[:max_buckets]
    result: dict[str, Any] = {
        "Buckets": [
            {
                "Name": name,
                "CreationDate": created,
                "BucketRegion": region,
                "BucketArn": arns.bucket(name),
            }
            for name, created, region in rows
        ],
        "Owner": {"ID": owner[0], "DisplayName": owner[1]} if owner else {"ID": p.account_id},
    }
    if prefix:
        result["Prefix"] = prefix
    if truncated and "max-buckets" in q:
        result["ContinuationToken"] = _encode_token(rows[-1][0])
    return xml_response("ListBuckets", result)


def _asks_object_lock(ctx: S3Context) -> bool:
    """Whether a CreateBucket asks for Object Lock (``x-amz-bucket-object-lock-enabled: true``)."""
    return (ctx.header("x-amz-bucket-object-lock-enabled") or "").strip().lower() == "true"


def _stated_settings(ctx: S3Context) -> list[str]:
    """The operations whose permission a CreateBucket needs for what it sets besides the
    bucket (CreateBucket's API reference): an ACL other than ``private``, s3:PutBucketAcl;
    Object Lock, s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning; an
    ``x-amz-object-ownership``, s3:PutBucketOwnershipControls."""
    wanted: list[str] = []
    canned = ctx.header("x-amz-acl")
    if (canned is not None and canned.strip().lower() != "private") or grant_headers(ctx):
        wanted.append("PutBucketAcl")
    if _asks_object_lock(ctx):
        wanted += ["PutObjectLockConfiguration", "PutBucketVersioning"]
    if ctx.header("x-amz-object-ownership") is not None:
        wanted.append("PutBucketOwnershipControls")
    return wanted


def create_bucket(ctx: S3Context) -> S3Response:
    assert ctx.bucket is not None
    name = ctx.bucket
    constraint, tags = create_configuration(ctx.body)
    region = _bucket_region(ctx, constraint)
    if not valid_bucket_name(name):
        raise s3_errors.InvalidBucketName(name)
    keys: dict[str, str | list[str]] = {"s3:LocationConstraint": constraint} if constraint else {}
    if tags:
        keys.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
        keys["aws:TagKeys"] = list(tags)
    ctx.authorize("CreateBucket", None, extra_keys=keys)
    for operation in _stated_settings(ctx):
        ctx.authorize(operation, None)
    p = ctx.principal
    assert p is not None
    existing = ctx.load_bucket(name)
    if existing is not None:
        return _conflict(ctx, existing.account_id, existing.region)
    ownership = ctx.header("x-amz-object-ownership")
    if ownership is not None and ownership not in acl.OWNERSHIP:
        raise s3_errors.InvalidArgument.object_ownership(ownership)
    if ownership is None and ctx.settings.s3_object_ownership_default != "BucketOwnerEnforced":
        # The server creates buckets with ACLs enabled unless told otherwise (a setting).
        ownership = ctx.settings.s3_object_ownership_default
    stated = requested_acl(ctx, p.account_id, p.account_id, body_allowed=False)
    if stated is not None and not acl.is_owner_only(stated):
        if ownership in (None, "BucketOwnerEnforced"):
            # A new bucket is BucketOwnerEnforced unless the request says otherwise, and S3
            # refuses an ACL that grants anything beyond the owner on such a bucket.
            raise s3_errors.InvalidBucketAclWithObjectOwnership()
        if acl.is_public(stated) and "BlockPublicAcls" in ctx.settings.public_access_block_flags:
            # The bucket starts with the server's default public access block.
            raise s3_errors.AccessDenied()
    try:
        with ctx.store.write() as conn:
            conn.execute(
                insert(schema.buckets).values(
                    name=name, account_id=p.account_id, region=region, policy=None, created_at=ctx.now
                )
            )
            configs: dict[str, Any] = {}
            if tags:
                configs["tagging"] = tags
            if ownership is not None:
                configs["ownershipControls"] = ownership
            if stated is not None and ownership not in (None, "BucketOwnerEnforced"):
                configs["acl"] = stated
            if _asks_object_lock(ctx):
                # Object Lock needs versioning, and a bucket created with it is versioned for good.
                configs["versioning"] = "Enabled"
                configs["objectLock"] = {"ObjectLockEnabled": "Enabled"}
            for config, document in configs.items():
                conn.execute(insert(schema.bucket_configs).values(bucket=name, name=config, document=dumps(document)))
    except IntegrityError:
        # Another request created it between the read and the write.
        existing = ctx.load_bucket(name)
        if existing is None:
            raise
        return _conflict(ctx, existing.account_id, existing.region)
    return _created(name)


def _conflict(ctx: S3Context, owner: str, region: str) -> S3Response:
    """The answer to creating a bucket that exists: an error, or S3's legacy 200 in us-east-1."""
    assert ctx.bucket is not None and ctx.principal is not None
    if owner != ctx.principal.account_id:
        raise s3_errors.BucketAlreadyExists(ctx.bucket)
    if region == "us-east-1":
        # Documented legacy behaviour: re-creating a bucket you own in us-east-1 answers 200.
        return _created(ctx.bucket)
    raise s3_errors.BucketAlreadyOwnedByYou(ctx.bucket)


def _created(name: str) -> S3Response:
    return S3Response(headers={"Location": f"/{name}", "x-amz-bucket-arn": arns.bucket(name)})


def create_configuration(body: bytes) -> tuple[str | None, dict[str, str]]:
    """The ``LocationConstraint`` and ``Tags`` of a ``CreateBucketConfiguration`` body."""
    if not body.strip():
        return None, {}
    root = xmlbody.parse(body)
    if xmlbody.local(root.tag) != "CreateBucketConfiguration":
        raise s3_errors.MalformedXML()
    value = xmlbody.child_text(root, "LocationConstraint")
    pairs: list[tuple[str, str]] = []
    for tags in xmlbody.children(root, "Tags"):
        for tag in xmlbody.children(tags, "Tag"):
            key, text = xmlbody.child_text(tag, "Key"), xmlbody.child_text(tag, "Value")
            if key is None or text is None:
                raise s3_errors.MalformedXML()
            pairs.append((key, text))
    return (value if value else None), validate_tags(pairs, MAX_BUCKET_TAGS)


def _bucket_region(ctx: S3Context, constraint: str | None) -> str:
    """The bucket's region: S3 semantics with this node's region as the endpoint's."""
    endpoint = ctx.region
    if constraint is None:
        if endpoint != "us-east-1":
            raise s3_errors.IllegalLocationConstraint(None)
        return "us-east-1"
    region = _LEGACY_LOCATIONS.get(constraint, constraint)
    if constraint == "us-east-1" or not is_region_name(region):
        # us-east-1 is expressed by omitting the constraint; naming it is refused.
        raise s3_errors.InvalidLocationConstraint(constraint)
    if endpoint != "us-east-1" and region != endpoint:
        # Only the global (us-east-1) endpoint may create buckets in other regions.
        raise s3_errors.IllegalLocationConstraint(constraint)
    return region


def head_bucket(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    return S3Response(
        headers={
            "x-amz-bucket-region": row.region,
            "x-amz-bucket-arn": arns.bucket(row.name),
        }
    )


def delete_bucket(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    o = schema.objects
    u = schema.multipart_uploads
    mp = schema.multipart_parts
    with ctx.store.write() as conn:
        if conn.execute(select(o.c.key).where(o.c.bucket == row.name).limit(1)).first() is not None:
            raise s3_errors.BucketNotEmpty(row.name)
        if versions.has_versions(conn, row.name):
            # Older versions and delete markers keep a bucket alive, as in S3.
            raise s3_errors.BucketNotEmpty(row.name)
        uploads = select(u.c.upload_id).where(u.c.bucket == row.name)
        # In-progress multipart uploads do not keep a bucket alive; their parts go with it.
        part_blobs = [r[0] for r in conn.execute(select(mp.c.blob).where(mp.c.upload_id.in_(uploads)))]
        conn.execute(delete(mp).where(mp.c.upload_id.in_(uploads)))
        conn.execute(delete(u).where(u.c.bucket == row.name))
        conn.execute(delete(schema.bucket_configs).where(schema.bucket_configs.c.bucket == row.name))
        conn.execute(delete(schema.buckets).where(schema.buckets.c.name == row.name))
    ctx.blobs.delete(part_blobs)
    return S3Response(status=204)


def get_bucket_location(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    # us-east-1 is reported as an empty LocationConstraint.
    return xml_response("GetBucketLocation", {"LocationConstraint": "" if row.region == "us-east-1" else row.region})


def get_bucket_policy(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    if row.policy is None:
        raise s3_errors.NoSuchBucketPolicy(row.name)
    with ctx.store.read() as conn:
        text = bound_principals.render(conn, row.policy)
    return S3Response(headers={"Content-Type": "application/json"}, body=text.encode())


def put_bucket_policy(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    text = _policy_text(ctx.body)
    _validate_bucket_policy(text, row.name)
    if public_access.policy_is_public(text) and "BlockPublicPolicy" in public_access.block_settings(
        ctx.store, ctx.settings, row.name
    ):
        caller = ctx.principal.arn if ctx.principal is not None else "anonymous"
        raise s3_errors.AccessDenied.public_policy_blocked(caller, row.name)
    with ctx.store.write() as conn:
        stored = bound_principals.bind(conn, text, _invalid_principal)
        conn.execute(update(schema.buckets).where(schema.buckets.c.name == row.name).values(policy=stored))
    return S3Response(status=204)


def get_bucket_policy_status(ctx: S3Context) -> S3Response:
    """Whether the bucket policy is public, by the test Block Public Access enforces."""
    row = ctx.bucket_or_404()
    if row.policy is None:
        raise s3_errors.NoSuchBucketPolicy(row.name)
    status = {"IsPublic": public_access.policy_is_public(row.policy)}
    return xml_response("GetBucketPolicyStatus", {"PolicyStatus": status})


def delete_bucket_policy(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    with ctx.store.write() as conn:
        conn.execute(update(schema.buckets).where(schema.buckets.c.name == row.name).values(policy=None))
    return S3Response(status=204)


def _policy_text(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise s3_errors.MalformedPolicy.not_json() from None
    if not text.lstrip().startswith("{"):
        raise s3_errors.MalformedPolicy.not_json()
    if len(body) > 20 * 1024:
        raise s3_errors.MalformedPolicy.too_large()
    return text


def _invalid_principal(_value: str) -> AwsError:
    return s3_errors.MalformedPolicy.invalid_principal()


def _validate_bucket_policy(text: str, bucket: str) -> None:
    try:
        validate_policy(text, "resource")
    except AwsError as err:
        raise s3_errors.MalformedPolicy.grammar(err.message) from None
    doc = json.loads(text)
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    arn = arns.bucket(bucket)
    for stmt in statements or []:
        for field in ("Action", "NotAction"):
            actions = stmt.get(field)
            for value in [actions] if isinstance(actions, str) else actions or []:
                # A bucket policy grants S3 actions only (iam:*, sts:* ... are refused). Names
                # within s3: are not checked against a list: one missing from ours would
                # refuse a policy AWS takes.
                if value != "*" and not value.lower().startswith("s3:"):
                    raise s3_errors.MalformedPolicy.invalid_action()
        for field in ("Resource", "NotResource"):
            values = stmt.get(field)
            if values is None:
                continue
            for value in [values] if isinstance(values, str) else values:
                # A bucket policy may only speak of its own bucket and the objects in it: any
                # pattern that can name the bucket or a key in it (a prefix, one object) is
                # fine, one that can only name other buckets is refused.
                if not names_within(value, arn):
                    raise s3_errors.MalformedPolicy.invalid_resource()


# --- helpers ----------------------------------------------------------------------------


def xml_response(operation: str, result: dict[str, Any], status: int = 200) -> S3Response:
    headers = ws3.s3_result_headers(operation, result)
    body = ws3.render_s3_result(operation, result)
    if body:
        headers["Content-Type"] = "application/xml"
    return S3Response(status=status, headers=headers, body=body)


def _int_param(q: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = q.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise s3_errors.InvalidArgument.not_an_integer(name, raw) from None
    if value < low:
        raise s3_errors.InvalidArgument.integer_range(name, raw, low, high)
    return min(value, high)


def _encode_token(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode("utf-8")).decode("ascii")


def _decode_token(token: str, name: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeError):
        raise s3_errors.InvalidArgument.continuation_token(name, token) from None
