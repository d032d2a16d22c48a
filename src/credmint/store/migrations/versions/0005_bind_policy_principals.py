"""bind user and role principals of stored resource policies to unique ids

Trust policies and bucket policies stored before principals were bound name IAM
users and roles by ARN, so a user or role deleted and recreated under the same
name would still match them. This rewrites each such ARN of an existing entity in
an account this server hosts to the entity's unique id, as credmint now does when
a policy is written (see ``credmint.bound_principals``, which this migration
mirrors on purpose: a migration must keep doing what it did when it was written).
ARNs that name no entity stay as written. Downgrading shows the ids of existing
entities as their ARNs again.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ENTITY_ARN = re.compile(r"\Aarn:aws:iam::(\d{12}):(user|role)/.+\Z", re.DOTALL)
_ENTITY_ID = re.compile(r"\AA(IDA|ROA)[A-Z2-7]{17}\Z")


def _rewrite(text: str, change: Callable[[str], str | None]) -> str | None:
    """The policy with every AWS principal string passed through ``change``; None if unchanged."""
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    changed = False
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict):
            continue
        for element in ("Principal", "NotPrincipal"):
            principal = st.get(element)
            if not isinstance(principal, dict) or "AWS" not in principal:
                continue
            values: Any = principal["AWS"]
            items = values if isinstance(values, list) else [values]
            out = []
            for v in items:
                new = change(v) if isinstance(v, str) else None
                changed = changed or (new is not None and new != v)
                out.append(new if new is not None else v)
            principal["AWS"] = out if isinstance(values, list) else out[0]
    return json.dumps(doc, separators=(",", ":")) if changed else None


def _apply(change: Callable[[sa.Connection], Callable[[str], str | None]]) -> None:
    conn = op.get_bind()
    to_text = change(conn)
    for role_id, text in conn.execute(sa.text("SELECT role_id, trust_policy FROM roles")).all():
        new = _rewrite(text, to_text)
        if new is not None:
            conn.execute(sa.text("UPDATE roles SET trust_policy = :p WHERE role_id = :i"), {"p": new, "i": role_id})
    for name, text in conn.execute(sa.text("SELECT name, policy FROM buckets WHERE policy IS NOT NULL")).all():
        new = _rewrite(text, to_text)
        if new is not None:
            conn.execute(sa.text("UPDATE buckets SET policy = :p WHERE name = :n"), {"p": new, "n": name})


def _to_id(conn: sa.Connection) -> Callable[[str], str | None]:
    def unique_id(value: str) -> str | None:
        m = _ENTITY_ARN.match(value)
        if m is None:
            return None
        hosted = conn.execute(sa.text("SELECT 1 FROM accounts WHERE account_id = :a"), {"a": m.group(1)}).first()
        if hosted is None:
            return None
        query = (
            "SELECT user_id FROM users WHERE arn = :arn"
            if m.group(2) == "user"
            else ("SELECT role_id FROM roles WHERE arn = :arn")
        )
        row = conn.execute(sa.text(query), {"arn": value}).first()
        return None if row is None else str(row[0])

    return unique_id


def _to_arn(conn: sa.Connection) -> Callable[[str], str | None]:
    def arn(value: str) -> str | None:
        if _ENTITY_ID.match(value) is None:
            return None
        query = (
            "SELECT arn FROM users WHERE user_id = :i"
            if value.startswith("AIDA")
            else ("SELECT arn FROM roles WHERE role_id = :i")
        )
        row = conn.execute(sa.text(query), {"i": value}).first()
        return None if row is None else str(row[0])

    return arn


def upgrade() -> None:
    _apply(_to_id)


def downgrade() -> None:
    _apply(_to_arn)
