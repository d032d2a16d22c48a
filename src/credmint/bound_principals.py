"""Principals in stored resource policies, bound to the entities they name.

A resource policy (a role's trust policy, a bucket policy) that names an IAM user
or role by ARN means *that* user or role, not whoever holds the name later. AWS
resolves the ARN to the entity's unique id (``AIDA...``, ``AROA...``) when it
stores the policy, evaluates against the caller's unique id, and shows the ARN
again on read while the entity exists, or the bare unique id once it was deleted.
A user deleted and recreated under the same name gets a new id, so it matches
nothing the old one was granted.

credmint does the same in two steps around the store:

* :func:`bind` (at write time) turns every ``{"AWS": <user or role ARN>}`` of an
  account this server hosts into the entity's unique id, and refuses an ARN that
  names no existing entity (the caller picks the error: IAM's
  MalformedPolicyDocument or S3's MalformedPolicy). The stored text is what the
  engine evaluates; :class:`~credmint.policy.document.PrincipalSpec` matches unique
  ids against the caller's (and, for sessions, against the role or user behind).
* :func:`render` (at read time) shows each bound unique id as the current ARN of
  its entity, or leaves the bare id when the entity is gone.

Account principals (``arn:aws:iam::123456789012:root``, a bare account id), ``*``,
service, federated and canonical-user principals, and session ARNs are not
entities and stay as written. A user or role ARN in an account this server does not
host cannot be resolved; it is stored as written (it can only match a caller of
that account, and there is none here).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, select

from credmint import errors
from credmint.store import schema

#: Principals resolved when a policy is stored: IAM users and roles by ARN (path included).
_ENTITY_ARN = re.compile(r"\Aarn:aws:iam::(\d{12}):(user|role)/.+\Z", re.DOTALL)
#: Unique ids of users and roles, as :mod:`credmint.ids` makes them.
_ENTITY_ID = re.compile(r"\AA(IDA|ROA)[A-Z2-7]{17}\Z")
#: A cheap pre-check before parsing a stored document on read.
_MAY_HOLD_ID = re.compile(r"\"A(?:IDA|ROA)[A-Z2-7]{17}\"")

_ELEMENTS = ("Principal", "NotPrincipal")


def _aws_slots(doc: Any) -> Iterator[tuple[dict[str, Any], list[str] | None]]:
    """Each ``{"AWS": ...}`` mapping of the document, with its values as a list (or None for a string)."""
    if not isinstance(doc, dict):
        return
    statements = doc.get("Statement")
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict):
            continue
        for element in _ELEMENTS:
            principal = st.get(element)
            if isinstance(principal, dict) and "AWS" in principal:
                values = principal["AWS"]
                yield principal, values if isinstance(values, list) else None


def _rewrite(doc: Any, change: Callable[[str], str | None]) -> bool:
    """Apply ``change`` to every AWS principal string (``None``: keep); whether any changed."""
    changed = False
    for principal, values in _aws_slots(doc):
        items = values if values is not None else [principal["AWS"]]
        out: list[Any] = []
        for v in items:
            new = change(v) if isinstance(v, str) else None
            if new is not None and new != v:
                changed = True
                out.append(new)
            else:
                out.append(v)
        principal["AWS"] = out if values is not None else out[0]
    return changed


def _hosted(conn: Connection, account_id: str) -> bool:
    a = schema.accounts
    return conn.execute(select(a.c.account_id).where(a.c.account_id == account_id)).first() is not None


def bind(conn: Connection, text: str, invalid: Callable[[str], errors.AwsError]) -> str:
    """The policy text to store: user and role ARNs replaced by the entities' unique ids.

    ``text`` has been validated already. ``invalid(arn)`` is the error for an ARN of
    a hosted account that names no user or role. The text comes back unchanged when
    nothing was bound.
    """
    doc = json.loads(text)

    def unique_id(value: str) -> str | None:
        m = _ENTITY_ARN.match(value)
        if m is None or not _hosted(conn, m.group(1)):
            return None
        if m.group(2) == "user":
            u = schema.users
            row = conn.execute(select(u.c.user_id).where(u.c.arn == value)).first()
        else:
            r = schema.roles
            row = conn.execute(select(r.c.role_id).where(r.c.arn == value)).first()
        if row is None:
            raise invalid(value)
        return str(row[0])

    if not _rewrite(doc, unique_id):
        return text
    return json.dumps(doc, separators=(",", ":"))


def render(conn: Connection, text: str) -> str:
    """A stored policy as it is shown: bound ids as their entities' ARNs while they exist."""
    if _MAY_HOLD_ID.search(text) is None:
        return text
    doc = json.loads(text)

    def arn(value: str) -> str | None:
        if _ENTITY_ID.match(value) is None:
            return None
        if value.startswith("AIDA"):
            u = schema.users
            row = conn.execute(select(u.c.arn).where(u.c.user_id == value)).first()
        else:
            r = schema.roles
            row = conn.execute(select(r.c.arn).where(r.c.role_id == value)).first()
        return None if row is None else str(row[0])

    if not _rewrite(doc, arn):
        return text
    return json.dumps(doc, separators=(",", ":"))
