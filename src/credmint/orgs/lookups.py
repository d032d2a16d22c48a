"""Finding an organization's accounts, targets and policies for an operation, with AWS's not-found answers,
and attaching the full-access policies AWS gives every new root, OU and account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from credmint.orgs import data, model
from credmint.orgs import errors as orgs_errors
from credmint.orgs.data import Org
from credmint.store import schema


def require_member(conn: Connection, org: Org, account_id: str) -> None:
    """AccountNotFoundException unless ``account_id`` belongs to ``org``."""
    member = data.org_of_account(conn, account_id)
    if member is None or member.org_id != org.org_id:
        raise orgs_errors.AccountNotFound()


def find_policy(conn: Connection, org: Org, policy_id: str) -> Any:
    managed = model.AWS_MANAGED.get(policy_id)
    if managed is not None:
        return managed
    p = schema.org_policies
    row = conn.execute(select(p).where(p.c.policy_id == policy_id, p.c.org_id == org.org_id)).first()
    if row is None:
        raise orgs_errors.PolicyNotFound()
    return row


def attach_defaults(conn: Connection, org: Org, target_id: str, types: set[str]) -> None:
    """AWS attaches the full-access policy of each enabled type to every new root, OU and account."""
    for t in sorted(types):
        if t in model.FULL_ACCESS_BY_TYPE:
            conn.execute(
                insert(schema.org_policy_attachments).values(
                    policy_id=model.FULL_ACCESS_BY_TYPE[t].policy_id,
                    target_id=target_id,
                    org_id=org.org_id,
                    policy_type=t,
                )
            )
