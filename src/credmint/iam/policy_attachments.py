"""IAM: managed policies attached to users, groups and roles (Attach/Detach<Kind>Policy,
ListAttached<Kind>Policies, ListEntitiesForPolicy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select

from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import (
    account_of,
    paginate,
)
from credmint.iam.managed_policies import (
    authorized_policy,
    check_arn_syntax,
)
from credmint.iam.ops import OPERATIONS
from credmint.iam.policy_holders import KINDS, Kind, holder, register_per_holder
from credmint.store import schema
from credmint.store.managed_policies import (
    find_policy,
)

#: Managed policies attached to one user, group or role (AWS default quota, §7.5).
MAX_ATTACHED = 10

# --- attachments --------------------------------------------------------------------------


def _attach(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    arn: str = call.params["PolicyArn"]
    check_arn_syntax(arn)
    pa = schema.policy_attachments
    with call.store.write() as conn:
        ent = holder(call, conn, kind, f"iam:Attach{k.label}Policy", call.params[f"{k.label}Name"])
        if find_policy(conn, account_of(call), arn) is None:
            raise iam_errors.NoSuchEntity.policy_not_attachable(arn)
        existing = {r.policy_arn for r in conn.execute(select(pa.c.policy_arn).where(pa.c.entity_id == ent.entity_id))}
        if arn in existing:
            return None  # attaching twice is not an error in IAM
        if len(existing) >= MAX_ATTACHED:
            raise iam_errors.LimitExceeded.quota(f"PoliciesPer{k.label}", MAX_ATTACHED)
        conn.execute(
            insert(pa).values(policy_arn=arn, entity_id=ent.entity_id, entity_type=kind, account_id=account_of(call))
        )
    return None


def _detach(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    arn: str = call.params["PolicyArn"]
    check_arn_syntax(arn)
    pa = schema.policy_attachments
    with call.store.write() as conn:
        ent = holder(call, conn, kind, f"iam:Detach{k.label}Policy", call.params[f"{k.label}Name"])
        done = conn.execute(delete(pa).where(pa.c.policy_arn == arn, pa.c.entity_id == ent.entity_id))
        if done.rowcount == 0:
            raise iam_errors.NoSuchEntity.policy(arn)
    return None


def attached_policy_arns(conn: Connection, entity_id: str) -> list[str]:
    """ARNs of the managed policies attached to a user, group or role (for evaluation)."""
    pa = schema.policy_attachments
    return [r.policy_arn for r in conn.execute(select(pa.c.policy_arn).where(pa.c.entity_id == entity_id))]


def _list_attached(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    prefix: str = call.params.get("PathPrefix") or "/"
    with call.store.read() as conn:
        ent = holder(call, conn, kind, f"iam:ListAttached{k.label}Policies", call.params[f"{k.label}Name"])
        found = [find_policy(conn, account_of(call), arn) for arn in attached_policy_arns(conn, ent.entity_id)]
    policies = sorted((p for p in found if p is not None and p.path.startswith(prefix)), key=lambda p: p.name.lower())
    page, more = paginate(policies, call.params)
    return {"AttachedPolicies": [{"PolicyName": p.name, "PolicyArn": p.arn} for p in page], **more}


@operation(OPERATIONS, "ListEntitiesForPolicy")
def list_entities_for_policy(call: Call) -> Mapping[str, Any] | None:
    prm = call.params
    arn: str = prm["PolicyArn"]
    account_id = account_of(call)
    entity_filter: str | None = prm.get("EntityFilter")
    usage: str | None = prm.get("PolicyUsageFilter")
    prefix: str = prm.get("PathPrefix") or "/"
    pa = schema.policy_attachments
    with call.store.read() as conn:
        p = authorized_policy(call, conn, "iam:ListEntitiesForPolicy", arn)
        if (entity_filter == "LocalManagedPolicy" and p.is_aws) or (
            entity_filter == "AWSManagedPolicy" and not p.is_aws
        ):
            return {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": [], "IsTruncated": False}
        kinds: list[Kind] = ["group", "user", "role"]
        if entity_filter in ("User", "Group", "Role"):
            kinds = [entity_filter.lower()]  # type: ignore[list-item]
        entities: list[tuple[Kind, Row[Any]]] = []
        for kind in kinds:
            k = KINDS[kind]
            t = k.table
            id_col = t.c[k.id_column]
            queries = []
            if usage in (None, "PermissionsPolicy"):
                attached = select(pa.c.entity_id).where(pa.c.policy_arn == arn, pa.c.entity_type == kind)
                queries.append(select(t).where(t.c.account_id == account_id, id_col.in_(attached)))
            if usage in (None, "PermissionsBoundary") and kind != "group":
                queries.append(select(t).where(t.c.account_id == account_id, t.c.permissions_boundary_arn == arn))
            seen: set[str] = set()
            for q in queries:
                for row in conn.execute(q.order_by(t.c.name_key)):
                    rid = getattr(row, k.id_column)
                    if rid not in seen and row.path.startswith(prefix):
                        seen.add(rid)
                        entities.append((kind, row))
    page, more = paginate(entities, prm)
    out: dict[str, Any] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
    for kind, row in page:
        label = KINDS[kind].label
        out[f"Policy{label}s"].append({f"{label}Name": row.name, f"{label}Id": getattr(row, KINDS[kind].id_column)})
    return {**out, **more}


for _kind, _k in KINDS.items():
    register_per_holder(f"Attach{_k.label}Policy", _attach, _kind)
    register_per_holder(f"Detach{_k.label}Policy", _detach, _kind)
    register_per_holder(f"ListAttached{_k.label}Policies", _list_attached, _kind)
