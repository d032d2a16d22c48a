"""S3 access control lists: how a request states one, how it is stored, and what it grants.

Theory of operation. An ACL is an owner and a list of grants, each a grantee (a canonical
user, i.e. an account, or one of S3's predefined groups) and a permission. A request states
an ACL in exactly one of three ways: a canned ACL (``x-amz-acl``), grant headers
(``x-amz-grant-read: id="...", uri="..."``) or an ``AccessControlPolicy`` XML body. The
parsed ACL is stored as JSON (a bucket's in ``bucket_configs`` under ``acl``, an object's in
its attributes) with each canonical user resolved to its account id, so evaluating it needs
no lookup.

ACLs take part in authorization only while the bucket's object ownership is not
``BucketOwnerEnforced`` (S3: "ACLs are disabled and no longer affect permissions"). Each grant
then acts as one Allow statement of the resource-based policy, evaluated with the bucket
policy by the policy engine, as S3 evaluates ACLs in its "resource" step: a grant to an
account is a grant to that account's root (its users still need identity permissions), a
grant to AllUsers names ``*`` (anonymous callers included), AuthenticatedUsers names ``*``
for signed callers only. Which actions each permission allows is S3's table, "Mapping of
ACL permissions and access policy permissions" (:data:`BUCKET_PERMISSIONS`,
:data:`OBJECT_PERMISSIONS`). Grants to the LogDelivery group are kept and shown, and match
no caller of this server.

Pure: no I/O; canonical ids are resolved through a function the caller passes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from xml.etree.ElementTree import Element

from credmint import arns, errors
from credmint.s3 import xmlbody

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY})
PUBLIC_GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS})

#: The ObjectOwnership settings of a bucket.
OWNERSHIP = frozenset({"BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"})

PERMISSIONS = ("FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP")

#: x-amz-grant-* header -> permission.
GRANT_HEADERS = {
    "x-amz-grant-full-control": "FULL_CONTROL",
    "x-amz-grant-write": "WRITE",
    "x-amz-grant-write-acp": "WRITE_ACP",
    "x-amz-grant-read": "READ",
    "x-amz-grant-read-acp": "READ_ACP",
}

#: What a permission in a bucket's ACL allows: (actions, on the bucket or on its objects).
BUCKET_PERMISSIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "READ": (("s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"), "bucket"),
    "WRITE": (("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"), "objects"),
    "READ_ACP": (("s3:GetBucketAcl",), "bucket"),
    "WRITE_ACP": (("s3:PutBucketAcl",), "bucket"),
}
#: What a permission in an object's ACL allows on that object.
OBJECT_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "READ": (
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetObjectAttributes",
        "s3:GetObjectVersionAttributes",
    ),
    "READ_ACP": ("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    "WRITE_ACP": ("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
    # WRITE is not a permission objects have (S3 refuses it in an object ACL? it accepts and
    # ignores it); it allows nothing here.
    "WRITE": (),
}

#: Canned ACLs: name -> grants beyond the owner's FULL_CONTROL, as (grantee, permission);
#: the grantee "bucket-owner" is the bucket's owner (object ACLs only).
CANNED: dict[str, tuple[tuple[str, str], ...]] = {
    "private": (),
    "public-read": ((ALL_USERS, "READ"),),
    "public-read-write": ((ALL_USERS, "READ"), (ALL_USERS, "WRITE")),
    "authenticated-read": ((AUTHENTICATED_USERS, "READ"),),
    # The grant to Amazon EC2 names an AWS-owned account no caller here has: owner only.
    "aws-exec-read": (),
    "bucket-owner-read": (("bucket-owner", "READ"),),
    "bucket-owner-full-control": (("bucket-owner", "FULL_CONTROL"),),
    "log-delivery-write": ((LOG_DELIVERY, "WRITE"), (LOG_DELIVERY, "READ_ACP")),
}

_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"?([^",]*)"?\s*', re.IGNORECASE)
MAX_GRANTS = 100

#: Canonical user id -> account id, or None when no account has it.
Resolve = Callable[[str], str | None]


def owner(canonical_id: str, account_id: str) -> dict[str, str]:
    return {"id": canonical_id, "account": account_id}


def _user(canonical_id: str, account_id: str, permission: str) -> dict[str, Any]:
    return {"grantee": {"type": "CanonicalUser", "id": canonical_id, "account": account_id}, "permission": permission}


def _group(uri: str, permission: str) -> dict[str, Any]:
    return {"grantee": {"type": "Group", "uri": uri}, "permission": permission}


def default(owner_id: str, owner_account: str) -> dict[str, Any]:
    """The ACL every bucket and object starts with: the owner has FULL_CONTROL."""
    return {"owner": owner(owner_id, owner_account), "grants": [_user(owner_id, owner_account, "FULL_CONTROL")]}


def from_canned(name: str, owner_id: str, owner_account: str, bucket_owner: tuple[str, str]) -> dict[str, Any]:
    if name not in CANNED:
        raise errors.s3_invalid_argument("Invalid canned ACL", "x-amz-acl", name[:256])
    acl = default(owner_id, owner_account)
    for grantee, permission in CANNED[name]:
        if grantee == "bucket-owner":
            if bucket_owner[1] != owner_account:
                acl["grants"].append(_user(bucket_owner[0], bucket_owner[1], permission))
        else:
            acl["grants"].append(_group(grantee, permission))
    return acl


def _grantee(kind: str, value: str, permission: str, resolve: Resolve) -> dict[str, Any]:
    if kind == "uri":
        if value not in GROUPS:
            raise errors.s3_invalid_argument("Invalid group uri", "uri", value[:256])
        return _group(value, permission)
    if kind == "id":
        account = resolve(value)
        if account is None:
            raise errors.s3_invalid_argument("Invalid id", "CanonicalUser/ID", value[:256])
        return _user(value, account, permission)
    # S3 resolves e-mail grantees only in a few old regions; there are no e-mail addresses here.
    raise errors.s3_error(
        "UnresolvableGrantByEmailAddress",
        "The e-mail address you provided does not match any account on record.",
        400,
        ("EmailAddress", value[:256]),
    )


def from_grant_headers(
    headers: Sequence[tuple[str, str]], owner_id: str, owner_account: str, resolve: Resolve
) -> dict[str, Any]:
    """The ACL of ``x-amz-grant-*`` headers: exactly the grants they list (the owner keeps
    only what they give it, as in S3)."""
    grants: list[dict[str, Any]] = []
    for name, value in headers:
        permission = GRANT_HEADERS[name.lower()]
        for item in value.split(","):
            if not item.strip():
                continue
            m = _GRANTEE.fullmatch(item)
            if m is None:
                raise errors.s3_invalid_argument("Invalid grant header", name, value[:256])
            grants.append(_grantee(m.group(1).lower(), m.group(2).strip(), permission, resolve))
            if len(grants) > MAX_GRANTS:
                raise errors.s3_malformed_acl()
    return {"owner": owner(owner_id, owner_account), "grants": grants}


def from_xml(body: bytes, owner_id: str, owner_account: str, resolve: Resolve) -> dict[str, Any]:
    """The ACL of an ``AccessControlPolicy`` document. Its Owner must be the current owner."""
    try:
        root = xmlbody.parse(body)
    except errors.AwsError:
        raise errors.s3_malformed_acl() from None
    if xmlbody.local(root.tag) != "AccessControlPolicy":
        raise errors.s3_malformed_acl()
    owners = xmlbody.children(root, "Owner")
    if len(owners) != 1 or xmlbody.child_text(owners[0], "ID") is None:
        raise errors.s3_malformed_acl()
    if (xmlbody.child_text(owners[0], "ID") or "").strip() != owner_id:
        # An ACL cannot hand the resource to another owner.
        raise errors.s3_access_denied()
    lists = xmlbody.children(root, "AccessControlList")
    if len(lists) != 1:
        raise errors.s3_malformed_acl()
    elements = xmlbody.children(lists[0], "Grant")
    if len(elements) > MAX_GRANTS:
        raise errors.s3_malformed_acl()
    grants = [_xml_grant(el, resolve) for el in elements]
    return {"owner": owner(owner_id, owner_account), "grants": grants}


def xml_grant(
    element: Element, resolve: Resolve, malformed: Callable[[], errors.AwsError] = errors.s3_malformed_acl
) -> dict[str, Any]:
    """One ``Grant`` element (of an ACL, or of a logging configuration's TargetGrants, whose
    malformed grant is ``MalformedXML``)."""
    return _xml_grant(element, resolve, malformed)


def _xml_grant(
    element: Element, resolve: Resolve, malformed: Callable[[], errors.AwsError] = errors.s3_malformed_acl
) -> dict[str, Any]:
    grantees = xmlbody.children(element, "Grantee")
    permission = (xmlbody.child_text(element, "Permission") or "").strip()
    if len(grantees) != 1 or permission not in PERMISSIONS:
        raise malformed()
    grantee = grantees[0]
    kind = grantee.get(_XSI_TYPE)
    if kind == "CanonicalUser":
        return _grantee("id", (xmlbody.child_text(grantee, "ID") or "").strip(), permission, resolve)
    if kind == "Group":
        return _grantee("uri", (xmlbody.child_text(grantee, "URI") or "").strip(), permission, resolve)
    if kind == "AmazonCustomerByEmail":
        return _grantee("email", (xmlbody.child_text(grantee, "EmailAddress") or "").strip(), permission, resolve)
    raise malformed()


def is_owner_only(acl: Mapping[str, Any]) -> bool:
    """Whether the ACL grants FULL_CONTROL to its owner and nothing else (what a bucket with
    ACLs disabled has, so S3 accepts setting it there; an empty ACL is not that)."""
    account = acl["owner"]["account"]
    return bool(acl["grants"]) and all(
        g["grantee"].get("type") == "CanonicalUser" and g["grantee"].get("account") == account
        and g["permission"] == "FULL_CONTROL"
        for g in acl["grants"]
    )  # fmt: skip


def is_public(acl: Mapping[str, Any]) -> bool:
    """Whether the ACL grants anything to AllUsers or AuthenticatedUsers (Block Public Access)."""
    return any(g["grantee"].get("uri") in PUBLIC_GROUPS for g in acl.get("grants", ()))


def statements(
    acl: Mapping[str, Any], table: str, bucket: str, key: str | None, *, ignore_public: bool
) -> list[dict[str, Any]]:
    """The Allow statements an ACL amounts to: ``table`` "bucket" for a bucket's ACL (READ on
    the bucket, WRITE on its objects), "object" for the ACL of object ``key``."""
    out: list[dict[str, Any]] = []
    for grant in acl.get("grants", ()):
        grantee = grant["grantee"]
        permission = grant["permission"]
        uri = grantee.get("uri")
        if uri is not None and (uri not in PUBLIC_GROUPS or (ignore_public and uri in PUBLIC_GROUPS)):
            continue
        allowed: list[tuple[str, str]] = []
        names = PERMISSIONS[1:] if permission == "FULL_CONTROL" else (permission,)
        for name in names:
            if table == "bucket":
                actions, on = BUCKET_PERMISSIONS[name]
                arn = arns.bucket(bucket) if on == "bucket" else arns.s3_object(bucket, "*")
                allowed.extend((a, arn) for a in actions)
            else:
                allowed.extend((a, arns.s3_object(bucket, key or "")) for a in OBJECT_PERMISSIONS[name])
        if not allowed:
            continue
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Action": sorted({a for a, _ in allowed}),
            "Resource": sorted({r for _, r in allowed}),
        }
        if uri == ALL_USERS:
            statement["Principal"] = "*"
        elif uri == AUTHENTICATED_USERS:
            # Any signed caller of any account; an anonymous request has no principal ARN.
            statement["Principal"] = {"AWS": "*"}
            statement["Condition"] = {"Null": {"aws:PrincipalArn": "false"}}
        else:
            statement["Principal"] = {"AWS": arns.root(grantee["account"])}
        out.append(statement)
    return out


def render(acl: Mapping[str, Any], display: Callable[[str], dict[str, str]]) -> dict[str, Any]:
    """The GetBucketAcl / GetObjectAcl result of a stored ACL; ``display(account)`` is the
    account's ``{"ID", "DisplayName"}``."""
    grants = []
    for grant in acl.get("grants", ()):
        grantee = grant["grantee"]
        if grantee.get("type") == "Group":
            shown: dict[str, str] = {"Type": "Group", "URI": grantee["uri"]}
        else:
            shown = {"Type": "CanonicalUser", **display(grantee["account"])}
        grants.append({"Grantee": shown, "Permission": grant["permission"]})
    return {"Owner": display(acl["owner"]["account"]), "Grants": grants}
