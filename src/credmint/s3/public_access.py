"""S3 Block Public Access: what counts as public, and the settings that block it.

A bucket's four settings come from its own PublicAccessBlock configuration (stored in
``bucket_configs`` under ``publicAccessBlock``), or, for a bucket that never had one,
from the server's ``public_access_block_default`` (all four on, as AWS does for
buckets created since April 2023). DeletePublicAccessBlock records "none": the bucket
then allows public access as buckets did before.

What they do here:

* **BlockPublicPolicy**: PutBucketPolicy of a public policy fails with AccessDenied.
* **RestrictPublicBuckets**: while the stored bucket policy is public, it grants
  nothing to callers outside the bucket owner's account (anonymous callers
  included); its Deny statements still apply to everyone.
* **BlockPublicAcls**: a request carrying a public ACL (canned ``public-read``,
  ``public-read-write``, ``authenticated-read``, or a grant to the AllUsers or
  AuthenticatedUsers group) fails with AccessDenied.
* **IgnorePublicAcls**: credmint stores no ACL grants (buckets are
  BucketOwnerEnforced; any other ACL is refused or, for an ObjectWriter bucket's
  PutObject, not kept), so no ACL ever grants public access: it holds by
  construction.

"Public" follows the S3 User Guide ("The meaning of public"): a policy is public
unless every Allow statement whose principal is a wildcard (``*``, ``{"AWS": "*"}``,
or any NotPrincipal) is constrained by a condition that fixes one of the keys in
:data:`FIXING_KEYS` to values without wildcards or policy variables, and, for
``aws:SourceIp``, to CIDR blocks no broader than /8 (IPv4, RFC 1918 ranges
excepted) or /32 (IPv6). Conditions that pass when the key is absent (``...IfExists``,
``ForAllValues:``, negated operators, ``Null``) constrain nothing. AWS also exempts
statements that grant no "bad actions"; credmint does not (the safer reading: such
a statement is still counted as public).
"""

from __future__ import annotations

import ipaddress
import json
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from credmint import errors
from credmint.s3 import xmlbody
from credmint.settings import PUBLIC_ACCESS_BLOCK_FLAGS, Settings
from credmint.store import schema
from credmint.store.db import Store

#: Condition keys that make a wildcard-principal statement non-public when fixed.
FIXING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceIp",
        "aws:SourceArn",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOwner",
        "aws:SourceAccount",
        "aws:PrincipalOrgID",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:userid",
        "s3:DataAccessPointAccount",
        "s3:DataAccessPointArn",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    )
)

#: Operators that require the key to be present and equal to one of the values.
_FIXING_OPERATORS = frozenset(
    op.lower()
    for op in (
        "StringEquals",
        "StringEqualsIgnoreCase",
        "StringLike",
        "ArnEquals",
        "ArnLike",
        "IpAddress",
        "ForAnyValue:StringEquals",
        "ForAnyValue:StringEqualsIgnoreCase",
        "ForAnyValue:StringLike",
        "ForAnyValue:ArnEquals",
        "ForAnyValue:ArnLike",
    )
)

#: Private IPv4 ranges (RFC 1918): a CIDR within one is never public, however broad.
_PRIVATE_V4 = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))

#: Canned ACLs that grant to AllUsers or AuthenticatedUsers.
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
#: The groups whose grants make an ACL public.
_PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


# --- the settings of a bucket ----------------------------------------------------------------


def block_settings(store: Store, settings: Settings, bucket: str) -> frozenset[str]:
    """The Block Public Access flags in force for ``bucket`` (the names of those on)."""
    c = schema.bucket_configs
    with store.read() as conn:
        row = conn.execute(select(c.c.document).where(c.c.bucket == bucket, c.c.name == "publicAccessBlock")).first()
    if row is None:
        return settings.public_access_block_flags
    doc = json.loads(row[0])
    if not isinstance(doc, dict):
        return frozenset()  # deleted by the owner
    return frozenset(name for name in PUBLIC_ACCESS_BLOCK_FLAGS if doc.get(name) is True)


# --- policies ----------------------------------------------------------------------------------


def _strings(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wildcard_principal(st: dict[str, Any]) -> bool:
    if "NotPrincipal" in st:
        return True  # everyone but a few: as public as "*"
    principal = st.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, dict):
        if "Federated" in principal:
            # Every user of an identity provider (S3's guide names {"Federated":
            # "graph.facebook.com"} among public principals): no fixed set of callers.
            return True
        return any(v == "*" for values in principal.values() for v in _strings(values))
    return False


def _fixed(value: Any) -> bool:
    return isinstance(value, str) and not any(c in value for c in "*?") and "${" not in value


def _private_cidr(value: str) -> bool:
    try:
        net = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return False
    if isinstance(net, ipaddress.IPv4Network):
        return net.prefixlen >= 8 or any(net.subnet_of(p) for p in _PRIVATE_V4)
    return net.prefixlen >= 32


def _fixing_condition(operator: str, key: str, values: Any) -> bool:
    op, key = operator.lower(), key.lower()
    if op not in _FIXING_OPERATORS or key not in FIXING_KEYS:
        return False
    items = _strings(values)
    if not items or not all(_fixed(v) for v in items):
        return False
    if key == "aws:sourceip":
        return op == "ipaddress" and all(_private_cidr(v) for v in items)
    return op != "ipaddress"


def _statement_is_public(st: Any) -> bool:
    if not isinstance(st, dict) or st.get("Effect") != "Allow" or not _wildcard_principal(st):
        return False
    conditions = st.get("Condition")
    if isinstance(conditions, dict):
        for operator, block in conditions.items():
            if isinstance(block, dict) and any(_fixing_condition(operator, k, v) for k, v in block.items()):
                return False
    return True


@lru_cache(maxsize=1024)
def policy_is_public(text: str) -> bool:
    """Whether a (valid) bucket policy grants public access, in S3's sense."""
    try:
        doc = json.loads(text)
    except ValueError:
        return True
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    return any(_statement_is_public(st) for st in _strings(statements))


@lru_cache(maxsize=1024)
def deny_statements_only(text: str) -> str:
    """The policy with its Allow statements removed: what a restricted public policy still does."""
    doc = json.loads(text)
    statements = _strings(doc.get("Statement"))
    doc["Statement"] = [st for st in statements if isinstance(st, dict) and st.get("Effect") == "Deny"]
    return json.dumps(doc, separators=(",", ":"))


# --- ACLs ---------------------------------------------------------------------------------------


def acl_is_public(canned: str | None, grants: list[str], body: bytes) -> bool:
    """Whether a request's ACL (canned, ``x-amz-grant-*`` header values, or XML body) is public."""
    if canned is not None and canned.strip().lower() in PUBLIC_CANNED_ACLS:
        return True
    # A header names a group as uri="..."; compared without case, spacing cannot hide it.
    if any(group.lower() in value.lower() for value in grants for group in _PUBLIC_GROUPS):
        return True
    if not body.strip():
        return False
    try:
        root = xmlbody.parse(body)
    except errors.AwsError:
        return False  # not an ACL at all: refused as malformed by the operation itself
    return any(
        xmlbody.local(el.tag) == "URI" and (el.text or "").strip() in _PUBLIC_GROUPS for el in root.iter()
    )
