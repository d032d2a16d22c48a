"""What every S3 operation receives: the decoded request, the caller, and the authorization step."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, select

from credmint import errors
from credmint.access.authorize import Authorizer
from credmint.access.principal import Principal
from credmint.errors import AwsError
from credmint.httpreq import BodyStream, HttpRequest
from credmint.s3 import acl, object_owner, public_access, sse
from credmint.s3 import errors as s3_errors
from credmint.s3.actions import ACTIONS, POLICY_LOCKOUT_EXEMPT, VERSION_ACTIONS, request_keys, resource_arn, stored_keys
from credmint.s3.blobs import BlobStore
from credmint.s3.post_policy import PostCredential
from credmint.sealing import MasterKey
from credmint.settings import Settings
from credmint.sigv2 import SignedV2
from credmint.sigv4 import SignedRequest
from credmint.store import schema
from credmint.store.db import Store

if TYPE_CHECKING:
    from credmint.s3.upload import Upload

#: Largest object key in bytes (UTF-8), as S3.
MAX_KEY_BYTES = 1024


@dataclass(frozen=True, slots=True)
class BucketRow:
    name: str
    account_id: str
    region: str
    policy: str | None
    created_at: datetime
    #: The bucket's tags, for ``s3:BucketTag/<k>`` and ``aws:ResourceTag/<k>``.
    tags: tuple[tuple[str, str], ...] = ()
    #: The versioning status: None (never enabled), "Enabled" or "Suspended".
    versioning: str | None = None
    #: Object ownership; ACLs take part in authorization unless it is BucketOwnerEnforced.
    ownership: str = "BucketOwnerEnforced"
    #: The bucket's stored ACL (``s3.acl``), None for the owner-only default.
    acl: dict[str, Any] | None = None

    @property
    def acls_enabled(self) -> bool:
        return self.ownership != "BucketOwnerEnforced"


@dataclass
class S3Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: Object data is streamed from disk; everything else is rendered whole.
    body: bytes | BodyStream = b""


@cache
def blob_store(data_dir: Path) -> BlobStore:
    return BlobStore(data_dir / "objects")


def sort_key(store: Store, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``column`` compared byte-wise: S3 lists keys in UTF-8 binary order.

    SQLite compares TEXT with memcmp already; PostgreSQL needs the "C" collation, as its
    database default is usually a linguistic one (en_US.UTF-8 sorts 'a' < 'B').
    """
    return column if store.is_sqlite else column.collate("C")


_MISSING = object()


class RequestVersion:
    """Stands for "the version the request names with ``versionId``" in object lookups."""


REQUEST_VERSION = RequestVersion()
#: The configurations every bucket load reads with the bucket row, in BucketRow's order.
_JOINED_CONFIGS = ("tagging", "versioning", "ownershipControls", "acl")


@dataclass
class S3Context:
    store: Store
    settings: Settings
    authorizer: Authorizer
    req: HttpRequest
    principal: Principal | None
    signed: SignedRequest | None
    request_id: str
    operation: str
    bucket: str | None
    key: str | None
    #: Query parameters, percent-decoded, first value wins; valueless ones map to "".
    query: dict[str, str]
    now: datetime
    body: bytes = b""
    #: aws-chunked trailing headers (lower-case names), e.g. ``x-amz-checksum-crc32``.
    trailers: dict[str, str] = field(default_factory=dict)
    #: The Signature Version 2 of a request signed that way (``signed`` is then None).
    signed_v2: SignedV2 | None = None
    #: The credential that signed a browser-based POST upload's policy (the request itself
    #: is then unsigned: ``signed`` and ``signed_v2`` are None).
    form: PostCredential | None = None
    #: The master key: object data keys derive from it (``sse.py``).
    master: MasterKey | None = None
    #: PutObject's and UploadPart's body: received, checked and sealed, not yet committed.
    upload: Upload | None = None

    @property
    def master_key(self) -> MasterKey:
        if self.master is None:
            raise ValueError("this S3 context has no master key")
        return self.master

    @property
    def blobs(self) -> BlobStore:
        return blob_store(Path(self.settings.data_dir).resolve())

    def header(self, name: str) -> str | None:
        return self.req.header(name)

    def customer_key(self, *, copy_source: bool = False) -> sse.CustomerKey | None:
        """The request's SSE-C key (or its copy source's), checked; refused on a plain HTTP
        connection unless the operator allows SSE-C there (``sse.customer_key``)."""
        secure = self.req.secure or self.settings.sse_c_allow_http
        return sse.customer_key(self.header, secure=secure, copy_source=copy_source)

    def checksum_header(self, name: str) -> str | None:
        """A checksum sent either as a header or as an aws-chunked trailer."""
        return self.trailers.get(name) or self.req.header(name)

    @property
    def region(self) -> str:
        """The region the request was sent to: the one a SigV4 request (or form) is signed
        for, which credmint takes as its endpoint's (a bucket is created there,
        ``buckets._bucket_region``), else this node's. It is ``aws:RequestedRegion``: a
        region-restricting SCP must see the region a bucket is created or read in."""
        if self.signed is not None:
            return self.signed.region
        if self.form is not None and self.form.region:
            return self.form.region
        return self.settings.region

    # --- reads ----------------------------------------------------------------------------

    def load_bucket(self, name: str) -> BucketRow | None:
        """The bucket and its tags, in one read (every S3 action may test the bucket's tags)."""
        return load_bucket_row(self.store, name)

    def object_tags(
        self, bucket: str, key: str, version: str | RequestVersion | None = REQUEST_VERSION
    ) -> tuple[tuple[str, str], ...]:
        """The stored tags of an object (none if there is no such object): of ``version``
        (by default the version the request names with ``versionId``; None: the current one)."""
        return _tag_pairs(self._object_attributes(bucket, key, version).get("tags"))

    def object_acl(
        self, bucket: BucketRow, key: str, version: str | RequestVersion | None = REQUEST_VERSION
    ) -> dict[str, Any] | None:
        """The stored ACL of the object (of ``version``, as :meth:`object_tags`), None if it has none."""
        attributes = self._object_attributes(bucket.name, key, version)
        found = attributes.get("acl")
        return found if isinstance(found, dict) else None

    def _version(self, key: str, version: str | RequestVersion | None) -> str | None:
        """The version an object lookup reads: ``version``, or by default the one the request
        names with ``versionId`` when ``key`` is the request's own (a copy source names its
        version in its own header, and is looked up with it)."""
        if isinstance(version, RequestVersion):
            return self.query.get("versionId") if key == self.key else None
        return version

    def _object_attributes(
        self, bucket: str, key: str, version: str | RequestVersion | None = REQUEST_VERSION
    ) -> dict[str, Any]:
        o, v = schema.objects, schema.object_versions
        version_id = self._version(key, version)
        with self.store.read() as conn:
            if version_id is None:
                found = conn.execute(select(o.c.attributes).where(o.c.bucket == bucket, o.c.key == key)).scalar()
            else:
                found = conn.execute(
                    select(o.c.attributes).where(o.c.bucket == bucket, o.c.key == key, o.c.version_id == version_id)
                ).scalar()
                if found is None:
                    found = conn.execute(
                        select(v.c.attributes).where(v.c.bucket == bucket, v.c.key == key, v.c.version_id == version_id)
                    ).scalar()
        if found is None:
            return {}
        try:
            attributes = json.loads(found)
        except ValueError:
            return {}
        return attributes if isinstance(attributes, dict) else {}

    def _foreign_object(
        self, operation: str, bucket: BucketRow, kind: str, key: str | None, version: str | RequestVersion | None
    ) -> tuple[str, list[dict[str, Any]]] | None:
        """(owner account, its ACL's statements) when ``operation`` acts on an existing
        object another account owns, which S3 decides in the object owner's context."""
        if kind != "object" or not key or operation not in object_owner.OBJECT_CONTEXT_OPERATIONS:
            return None
        attributes = self._object_attributes(bucket.name, key, version)
        owner = object_owner.foreign_owner(attributes, bucket.account_id)
        if owner is None:
            return None
        found = attributes.get("acl")
        if not isinstance(found, dict):
            return owner, []
        return owner, acl.statements(found, "object", bucket.name, key, ignore_public=self._ignores_public_acls(bucket))

    def _ignores_public_acls(self, bucket: BucketRow) -> bool:
        """Whether the bucket's public access block sets IgnorePublicAcls (its ACLs' public
        grants then allow nothing)."""
        return "IgnorePublicAcls" in public_access.block_settings(self.store, self.settings, bucket.name)

    def _with_acls(
        self, policy: str | None, bucket: BucketRow, kind: str, key: str | None, version: str | RequestVersion | None
    ) -> str | None:
        """The bucket policy with the statements the bucket's and the object's ACLs amount to
        (``s3.acl``), while the bucket's ACLs are enabled."""
        ignore_public = self._ignores_public_acls(bucket)
        extra: list[dict[str, Any]] = []
        if bucket.acl is not None:
            extra.extend(acl.statements(bucket.acl, "bucket", bucket.name, None, ignore_public=ignore_public))
        if kind == "object" and key:
            found = self.object_acl(bucket, key, version)
            if found is not None:
                extra.extend(acl.statements(found, "object", bucket.name, key, ignore_public=ignore_public))
        if not extra:
            return policy
        doc = json.loads(policy) if policy is not None else {"Version": "2012-10-17", "Statement": []}
        statements = doc.get("Statement")
        doc["Statement"] = [*([statements] if isinstance(statements, dict) else statements or []), *extra]
        return json.dumps(doc, separators=(",", ":"), sort_keys=True)

    def bucket_or_404(
        self, operation: str | None = None, key: str | None = None, *, grants: Sequence[dict[str, Any]] = ()
    ) -> BucketRow:
        """The request's bucket after authorizing ``operation`` on it (or its object ``key``).

        A missing bucket is authorized against the caller's own policies first, so a caller
        with no permission learns nothing (AccessDenied) and an allowed one sees NoSuchBucket.
        ``grants`` are Allow statements S3 gives by default beyond the bucket's policy and
        ACLs (the initiator of a multipart upload may abort it).
        """
        assert self.bucket is not None
        row = self.load_bucket(self.bucket)
        if row is None and self.principal is None:
            # S3 tells an anonymous caller that a bucket does not exist (NoSuchBucket): bucket
            # names are global and public (they are DNS names), so there is nothing to hide.
            raise s3_errors.NoSuchBucket(self.bucket)
        self.authorize(operation or self.operation, row, key if key is not None else self.key, grants=grants)
        if row is None:
            raise s3_errors.NoSuchBucket(self.bucket)
        return row

    # --- authorization --------------------------------------------------------------------

    def authorize(
        self,
        operation: str,
        bucket: BucketRow | None,
        key: str | None = None,
        *,
        action: str | None = None,
        bucket_name: str | None = None,
        extra_keys: Mapping[str, str | Sequence[str]] | None = None,
        grants: Sequence[dict[str, Any]] = (),
        version: str | RequestVersion | None = REQUEST_VERSION,
    ) -> None:
        """Allow ``operation`` on the bucket (or its object ``key``), or raise AccessDenied.

        The object's stored facts (its tags for ``s3:ExistingObjectTag``, its ACL and owner)
        are those of ``version``: by default the version the request names with
        ``versionId``; a copy source passes the version its header names (None: the current
        one), so a copy of an old version is decided on that version's tags."""
        spec = ACTIONS[operation]
        name = bucket.name if bucket is not None else (bucket_name or self.bucket)
        arn = resource_arn(spec.kind, name, key)
        if action is None and "versionId" in self.query and operation == self.operation:
            action = VERSION_ACTIONS.get(operation)
        act = action or spec.action
        p = self.principal
        bucket_policy = bucket.policy if bucket is not None else None
        if (
            p is not None
            and p.is_root
            and bucket is not None
            and bucket.account_id == p.account_id
            and operation in POLICY_LOCKOUT_EXEMPT
        ):
            # The bucket policy cannot lock its owner's root user out; the root user's session
            # policies (an AssumeRoot task policy) and SCPs still apply.
            bucket_policy = None
        if (
            bucket is not None
            and bucket_policy is not None
            and (p is None or p.account_id != bucket.account_id)
            and public_access.policy_is_public(bucket_policy)
            and "RestrictPublicBuckets" in public_access.block_settings(self.store, self.settings, bucket.name)
        ):
            # RestrictPublicBuckets: a public policy grants nothing outside the owner's account
            # (anonymous callers included); its denials still hold for everyone.
            bucket_policy = public_access.deny_statements_only(bucket_policy)
        resource_account = bucket.account_id if bucket is not None else None
        if bucket is not None and bucket.acls_enabled:
            foreign = self._foreign_object(operation, bucket, spec.kind, key, version)
            if foreign is not None:
                # Another account's object: decided in its owner's context (s3.object_owner).
                resource_account, acl_statements = foreign
                bucket_policy = object_owner.object_context_policy(bucket_policy, acl_statements)
            else:
                # Public ACL grants answer to IgnorePublicAcls, not RestrictPublicBuckets.
                bucket_policy = self._with_acls(bucket_policy, bucket, spec.kind, key, version)
        if bucket is not None and grants:
            bucket_policy = _with_statements(bucket_policy, grants)
        if p is None and (bucket is None or bucket_policy is None):
            # Anonymous requests get in only through a bucket policy (or ACL) that names "*".
            raise s3_errors.AccessDenied()
        keys = request_keys(
            operation,
            act,
            self.req,
            self.query,
            self.signed,
            self.now,
            signed_v2=self.signed_v2,
            form=self.form,
            body=self.body,
        )
        if bucket is not None:
            keys.update(stored_keys(act, bucket, key, partial(self.object_tags, version=version)))
        if extra_keys:
            keys.update(extra_keys)
        try:
            self.authorizer.authorize(
                "s3",
                operation,
                p,
                self.req,
                self.now,
                self.region,
                act,
                arn,
                resource_policy=bucket_policy,
                resource_account=resource_account,
                extra_keys=keys,
                container_account=bucket.account_id if bucket is not None else None,
            )
        except errors.AccessDenied:
            if p is None:
                raise s3_errors.AccessDenied() from None
            raise
        except AwsError as err:
            # S3 answers any refusal with AccessDenied; an anonymous caller learns no reason.
            raise (s3_errors.AccessDenied() if p is None else s3_errors.AccessDenied.refusal(err.message)) from None
        if bucket is not None and bucket.name == self.bucket:
            expected = self.header("x-amz-expected-bucket-owner")
            if expected is not None and expected.strip() != bucket.account_id:
                # S3: "If the account ID that you provide does not match the actual owner of
                # the bucket, the request fails with the HTTP status code 403 Forbidden".
                raise s3_errors.AccessDenied()

    def authorize_stated(self, action: str, bucket: BucketRow, *, with_write_grant: bool = False) -> None:
        """Allow what a write states beside its data, under the permission that sets it
        afterwards (``s3:PutObjectAcl`` for an ACL, ``s3:PutObjectTagging`` for tags,
        ``s3:PutObjectRetention`` and ``s3:PutObjectLegalHold`` for a lock), as the PutObject
        API reference asks: the request is evaluated as the write itself, with that action
        and the write's own condition keys (``s3:RequestObjectTag/*``, ``s3:object-lock-*``),
        on the object it creates.

        ``with_write_grant``: the ACL era's WRITE on the bucket also lets its grantee state
        ``action`` on what it writes, as in S3, where an anonymous form may set ``acl`` and
        ``tagging`` on its upload to a public-read-write bucket (Ceph's s3-tests, which pass
        on AWS); a policy's grant of s3:PutObject does not."""
        grants = self._write_grant_statements(bucket, action) if with_write_grant else ()
        self.authorize(self.operation, bucket, self.key, action=action, version=None, grants=grants)

    def _write_grant_statements(self, bucket: BucketRow, action: str) -> list[dict[str, Any]]:
        """The bucket ACL's WRITE grants (``s3:PutObject`` on its objects), restated for
        ``action``; none while the bucket's ACLs are disabled."""
        if not bucket.acls_enabled or bucket.acl is None:
            return []
        found = acl.statements(bucket.acl, "bucket", bucket.name, None, ignore_public=self._ignores_public_acls(bucket))
        return [{**st, "Action": [action]} for st in found if "s3:PutObject" in st["Action"]]


def load_bucket_row(store: Store, name: str) -> BucketRow | None:
    """The bucket and its tags, in one read (every S3 action may test the bucket's tags)."""
    b, c = schema.buckets, schema.bucket_configs
    configs = [c.alias(n) for n in _JOINED_CONFIGS]
    joined: Any = b
    for alias, config in zip(configs, _JOINED_CONFIGS, strict=True):
        joined = joined.outerjoin(alias, (alias.c.bucket == b.c.name) & (alias.c.name == config))
    with store.read() as conn:
        row = conn.execute(
            select(
                b.c.name,
                b.c.account_id,
                b.c.region,
                b.c.policy,
                b.c.created_at,
                *(alias.c.document for alias in configs),
            )
            .select_from(joined)
            .where(b.c.name == name)
        ).first()
    if row is None:
        return None
    tagging, versioning, ownership, stored_acl = (json.loads(d) if d is not None else _MISSING for d in row[5:])
    return BucketRow(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        tags=_tag_pairs(tagging),
        versioning=versioning if isinstance(versioning, str) else None,
        # Never configured: BucketOwnerEnforced (S3's default since April 2023); deleted
        # (JSON null): ObjectWriter, as S3 treats a bucket without ownership controls.
        ownership=(
            "BucketOwnerEnforced"
            if ownership is _MISSING
            else ownership
            if isinstance(ownership, str)
            else "ObjectWriter"
        ),
        acl=stored_acl if isinstance(stored_acl, dict) else None,
    )


def _with_statements(policy: str | None, statements: Sequence[dict[str, Any]]) -> str:
    """``policy`` (or none) with ``statements`` added."""
    doc = json.loads(policy) if policy is not None else {"Version": "2012-10-17", "Statement": []}
    found = doc.get("Statement")
    doc["Statement"] = [*([found] if isinstance(found, dict) else found or []), *statements]
    return json.dumps(doc, separators=(",", ":"), sort_keys=True)


def _tag_pairs(tags: Any) -> tuple[tuple[str, str], ...]:
    """Tags as stored: a JSON object of key to value (anything else holds none)."""
    if not isinstance(tags, dict):
        return ()
    return tuple((str(k), str(v)) for k, v in tags.items())


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def check_key(key: str) -> None:
    size = len(key.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        raise s3_errors.KeyTooLong(size)
