"""Reading an organization's shape from the store: who belongs where, what is attached, what is on.

Shared by the Organizations operations, the SCP/RCP lookup on the request path, IAM's
centralized root access operations and STS AssumeRoot. Every function takes an open
connection, so callers choose the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from credmint.orgs import model
from credmint.store import schema


@dataclass(frozen=True, slots=True)
class Org:
    org_id: str
    management_account_id: str
    feature_set: str
    root_id: str
    created_at: datetime

    @property
    def all_features(self) -> bool:
        return self.feature_set == model.FEATURE_ALL


def _org(row: Any) -> Org:
    return Org(row.org_id, row.management_account_id, row.feature_set, row.root_id, row.created_at)


def org_of_account(conn: Connection, account_id: str) -> Org | None:
    """The organization ``account_id`` belongs to (as management account or member)."""
    o, oa = schema.organizations, schema.org_accounts
    row = conn.execute(
        select(o).select_from(o.join(oa, oa.c.org_id == o.c.org_id)).where(oa.c.account_id == account_id)
    ).first()
    return _org(row) if row is not None else None


def any_organization(conn: Connection) -> bool:
    return conn.execute(select(schema.organizations.c.org_id).limit(1)).first() is not None


def enabled_policy_types(conn: Connection, org_id: str) -> set[str]:
    t = schema.org_policy_types
    return {r for (r,) in conn.execute(select(t.c.policy_type).where(t.c.org_id == org_id)).all()}


def features(conn: Connection, org_id: str) -> set[str]:
    f = schema.org_features
    return {r for (r,) in conn.execute(select(f.c.feature).where(f.c.org_id == org_id)).all()}


def service_access(conn: Connection, org_id: str) -> set[str]:
    s = schema.org_service_access
    return {r for (r,) in conn.execute(select(s.c.service_principal).where(s.c.org_id == org_id)).all()}


def delegated_services(conn: Connection, account_id: str) -> set[str]:
    d = schema.org_delegated_admins
    return {r for (r,) in conn.execute(select(d.c.service_principal).where(d.c.account_id == account_id)).all()}


def account_parent(conn: Connection, account_id: str) -> str | None:
    oa = schema.org_accounts
    return conn.execute(select(oa.c.parent_id).where(oa.c.account_id == account_id)).scalar_one_or_none()


def ou_row(conn: Connection, org_id: str, ou_id: str) -> Any:
    u = schema.org_units
    return conn.execute(select(u).where(u.c.ou_id == ou_id, u.c.org_id == org_id)).first()


def is_parent(conn: Connection, org: Org, parent_id: str) -> bool:
    """A root or OU of ``org``."""
    if parent_id == org.root_id:
        return True
    return parent_id.startswith("ou-") and ou_row(conn, org.org_id, parent_id) is not None


def is_target(conn: Connection, org: Org, target_id: str) -> bool:
    """A root, OU or account of ``org`` (what policies attach to)."""
    if is_parent(conn, org, target_id):
        return True
    oa = schema.org_accounts
    found = conn.execute(select(oa.c.account_id).where(oa.c.account_id == target_id, oa.c.org_id == org.org_id)).first()
    return found is not None


def ancestors(conn: Connection, org: Org, parent_id: str) -> list[str]:
    """The chain root → ... → ``parent_id`` (inclusive)."""
    chain = [parent_id]
    current = parent_id
    # OU trees are at most five levels deep; the bound also stops a corrupted cycle.
    for _ in range(model.MAX_OU_DEPTH + 1):
        if current == org.root_id:
            break
        row = ou_row(conn, org.org_id, current)
        if row is None:
            break
        current = row.parent_id
        chain.append(current)
    chain.reverse()
    return chain


def path_of(org: Org, chain: Sequence[str]) -> str:
    """The ``Path`` AWS reports: ``o-.../r-.../ou-.../`` (entity ids, each followed by ``/``)."""
    return org.org_id + "/" + "".join(f"{p}/" for p in chain)


def attached(conn: Connection, target_ids: Sequence[str]) -> list[tuple[str, str, str]]:
    """(target id, policy id, policy type) of every attachment to ``target_ids``."""
    a = schema.org_policy_attachments
    rows = conn.execute(
        select(a.c.target_id, a.c.policy_id, a.c.policy_type).where(a.c.target_id.in_(list(target_ids)))
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def policy_content(conn: Connection, policy_ids: Sequence[str]) -> dict[str, str]:
    """Policy id -> JSON text, for AWS managed and customer policies."""
    out = {pid: model.AWS_MANAGED[pid].content for pid in policy_ids if pid in model.AWS_MANAGED}
    rest = [pid for pid in policy_ids if pid not in out]
    if rest:
        p = schema.org_policies
        for pid, content in conn.execute(select(p.c.policy_id, p.c.content).where(p.c.policy_id.in_(rest))).all():
            out[pid] = content
    return out


@dataclass(frozen=True, slots=True)
class RootAccess:
    """What an account may do with centralized root access."""

    org: Org | None
    management: bool
    delegated_admin: bool
    enabled: frozenset[str]

    @property
    def administers(self) -> bool:
        return self.management or self.delegated_admin


def root_access(conn: Connection, account_id: str) -> RootAccess:
    org = org_of_account(conn, account_id)
    if org is None:
        return RootAccess(None, False, False, frozenset())
    management = org.management_account_id == account_id
    delegated = model.IAM_SERVICE_PRINCIPAL in delegated_services(conn, account_id)
    return RootAccess(org, management, delegated, frozenset(features(conn, org.org_id)))


def resource_policy(conn: Connection, org_id: str) -> Any:
    """The organization's resource-based delegation policy row, or ``None``."""
    r = schema.org_resource_policies
    return conn.execute(select(r).where(r.c.org_id == org_id)).first()


def account_closed(conn: Connection, account_id: str) -> bool:
    """Whether ``account_id`` was closed with CloseAccount (it stays in its organization)."""
    oa = schema.org_accounts
    closed = conn.execute(select(oa.c.closed_at).where(oa.c.account_id == account_id)).scalar_one_or_none()
    return closed is not None
