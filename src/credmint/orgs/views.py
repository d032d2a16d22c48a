"""Organizations' response shapes: the organization, roots, OUs, accounts, policies and create-account requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from credmint import arns
from credmint.orgs import data, model
from credmint.orgs.data import Org
from credmint.store import schema


def organization_view(conn: Connection, org: Org) -> dict[str, Any]:
    mgmt = org.management_account_id
    out: dict[str, Any] = {
        "Id": org.org_id,
        "Arn": arns.organization(mgmt, org.org_id),
        "FeatureSet": org.feature_set,
        "MasterAccountArn": arns.org_account(mgmt, org.org_id, mgmt),
        "MasterAccountId": mgmt,
        # Deprecated by AWS but still sent: SCPs are available to organizations with all features.
        "AvailablePolicyTypes": [{"Type": model.SCP, "Status": "ENABLED"}] if org.all_features else [],
    }
    email = conn.execute(
        select(schema.accounts.c.email).where(schema.accounts.c.account_id == mgmt)
    ).scalar_one_or_none()
    out["MasterAccountEmail"] = email_of(mgmt, email)
    return out


def email_of(account_id: str, stored: str | None) -> str:
    """The account's email address, which Organizations always reports.

    Member accounts carry the address given to CreateAccount. Accounts made with
    ``credmint account create`` (typically the management account) have none, yet every
    AWS account has a root email; they get a stable per-account address in the reserved
    ``.invalid`` domain (RFC 2606), which can never reach anyone.
    """
    return stored or f"{account_id}@credmint.invalid"


def root_view(conn: Connection, org: Org) -> dict[str, Any]:
    types = sorted(data.enabled_policy_types(conn, org.org_id))
    return {
        "Id": org.root_id,
        "Arn": arns.org_root(org.management_account_id, org.org_id, org.root_id),
        "Name": "Root",
        "PolicyTypes": [{"Type": t, "Status": "ENABLED"} for t in types],
    }


def ou_view(conn: Connection, org: Org, row: Any) -> dict[str, Any]:
    return {
        "Id": row.ou_id,
        "Arn": arns.org_unit(org.management_account_id, org.org_id, row.ou_id),
        "Name": row.name,
        "Path": data.path_of(org, data.ancestors(conn, org, row.ou_id)),
    }


def account_view(conn: Connection, org: Org, row: Any) -> dict[str, Any]:
    return {
        "Id": row.account_id,
        "Arn": arns.org_account(org.management_account_id, org.org_id, row.account_id),
        "Name": row.name,
        # A closed account stays in the organization SUSPENDED (State CLOSED) until AWS
        # removes it after 90 days; credmint keeps it until it is removed.
        "Status": "SUSPENDED" if row.closed_at is not None else "ACTIVE",
        "State": "CLOSED" if row.closed_at is not None else "ACTIVE",
        "Paths": [data.path_of(org, [*data.ancestors(conn, org, row.parent_id), row.account_id])],
        "JoinedMethod": row.joined_method,
        "JoinedTimestamp": row.joined_at,
        "Email": email_of(row.account_id, row.email),
    }


def accounts_query(org: Org) -> Any:
    a, oa = schema.accounts, schema.org_accounts
    return (
        select(a.c.account_id, a.c.name, a.c.email, oa.c.parent_id, oa.c.joined_method, oa.c.joined_at, oa.c.closed_at)
        .select_from(oa.join(a, a.c.account_id == oa.c.account_id))
        .where(oa.c.org_id == org.org_id)
    )


def policy_summary(org: Org | None, row: Any) -> dict[str, Any]:
    if isinstance(row, model.AwsManagedPolicy):
        return {
            "Id": row.policy_id,
            "Arn": row.arn,
            "Name": row.name,
            "Description": row.description,
            "Type": row.policy_type,
            "AwsManaged": True,
        }
    assert org is not None
    return {
        "Id": row.policy_id,
        "Arn": arns.org_policy(org.management_account_id, org.org_id, row.policy_type, row.policy_id),
        "Name": row.name,
        "Description": row.description,
        "Type": row.policy_type,
        "AwsManaged": False,
    }


def request_view(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Id": row.request_id,
        "AccountName": row.account_name,
        "State": row.state,
        "RequestedTimestamp": row.requested_at,
    }
    if row.completed_at is not None:
        out["CompletedTimestamp"] = row.completed_at
    if row.account_id:
        out["AccountId"] = row.account_id
    if row.failure_reason:
        out["FailureReason"] = row.failure_reason
    return out


def policy_arn_of(org: Org, found: Any) -> str:
    if isinstance(found, model.AwsManagedPolicy):
        return found.arn
    return arns.org_policy(org.management_account_id, org.org_id, found.policy_type, found.policy_id)


def policy_view(org: Org, found: Any) -> dict[str, Any]:
    return {"PolicySummary": policy_summary(org, found), "Content": found.content}
