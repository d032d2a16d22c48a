"""IAM: inline policies of users, groups and roles (Put/Get/List/Delete<Kind>Policy)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select

from credmint.api import Call
from credmint.iam import documents
from credmint.iam import errors as iam_errors
from credmint.iam.common import (
    account_of,
    paginate,
)
from credmint.iam.policy_holders import KINDS, Kind, holder, register_per_holder
from credmint.store import schema

# --- inline policies ----------------------------------------------------------------------


def inline_rows(conn: Connection, entity_id: str) -> Sequence[Row[Any]]:
    """A user's, group's or role's inline policies, by name."""
    ip = schema.inline_policies
    return conn.execute(select(ip).where(ip.c.entity_id == entity_id).order_by(ip.c.name_key)).all()


def _put_inline(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    p = call.params
    name: str = p["PolicyName"]
    text: str = p["PolicyDocument"]
    ip = schema.inline_policies
    with call.store.write() as conn:
        ent = holder(call, conn, kind, f"iam:Put{k.label}Policy", p[f"{k.label}Name"])
        documents.validate_identity_policy(text)
        others = [r.document for r in inline_rows(conn, ent.entity_id) if r.name_key != name.lower()]
        documents.check_inline_quota(kind, ent.name, [*others, text])
        conn.execute(delete(ip).where(ip.c.entity_id == ent.entity_id, ip.c.name_key == name.lower()))
        conn.execute(
            insert(ip).values(
                entity_id=ent.entity_id,
                name_key=name.lower(),
                name=name,
                account_id=account_of(call),
                entity_type=kind,
                document=text,
            )
        )
    return None


def _get_inline(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    p = call.params
    name: str = p["PolicyName"]
    ip = schema.inline_policies
    with call.store.read() as conn:
        ent = holder(call, conn, kind, f"iam:Get{k.label}Policy", p[f"{k.label}Name"])
        row = conn.execute(select(ip).where(ip.c.entity_id == ent.entity_id, ip.c.name_key == name.lower())).first()
    if row is None:
        raise iam_errors.NoSuchEntity.inline_policy(kind, name)
    return {
        f"{k.label}Name": ent.name,
        "PolicyName": row.name,
        "PolicyDocument": row.document,
    }


def _list_inline(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    with call.store.read() as conn:
        ent = holder(call, conn, kind, f"iam:List{k.label}Policies", call.params[f"{k.label}Name"])
        names = [r.name for r in inline_rows(conn, ent.entity_id)]
    page, more = paginate(names, call.params)
    return {"PolicyNames": page, **more}


def _delete_inline(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    p = call.params
    name: str = p["PolicyName"]
    ip = schema.inline_policies
    with call.store.write() as conn:
        ent = holder(call, conn, kind, f"iam:Delete{k.label}Policy", p[f"{k.label}Name"])
        done = conn.execute(delete(ip).where(ip.c.entity_id == ent.entity_id, ip.c.name_key == name.lower()))
        if done.rowcount == 0:
            raise iam_errors.NoSuchEntity.inline_policy(kind, name)
    return None


for _kind, _k in KINDS.items():
    register_per_holder(f"Put{_k.label}Policy", _put_inline, _kind)
    register_per_holder(f"Get{_k.label}Policy", _get_inline, _kind)
    register_per_holder(f"List{_k.label}Policies", _list_inline, _kind)
    register_per_holder(f"Delete{_k.label}Policy", _delete_inline, _kind)
