"""Member accounts: CreateAccount and its status, DescribeAccount, ListAccounts, MoveAccount, and how
accounts leave (RemoveAccountFromOrganization, LeaveOrganization) or close (CloseAccount)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from credmint import arns, ids
from credmint.api import Call, operation
from credmint.orgs import data, handshakes, model
from credmint.orgs import errors as orgs_errors
from credmint.orgs.calls import (
    administrator,
    authorize,
    authorized,
    caller,
    entity_arn,
    management,
    membership,
    paginate,
)
from credmint.orgs.data import Org
from credmint.orgs.lookups import attach_defaults, require_member
from credmint.orgs.ops import OPERATIONS
from credmint.orgs.tags import put_tags
from credmint.orgs.views import account_view, accounts_query, request_view
from credmint.store import schema
from credmint.store.iam import create_organization_access_role
from credmint.store.tags import drop_all_tags


def _member_account(conn: Connection, org: Org, now: datetime, params: Mapping[str, Any]) -> str:
    """A new credmint account in ``org`` with the role the management account uses to enter it.

    As ``accounts.create_account`` does, but without root credentials: AWS creates member
    accounts without any, and centralized root access exists to keep it that way.
    """
    while True:
        account_id = ids.new_account_id()
        taken = conn.execute(
            select(schema.accounts.c.account_id).where(schema.accounts.c.account_id == account_id)
        ).first()
        if taken is None:
            break
    conn.execute(
        insert(schema.accounts).values(
            account_id=account_id,
            name=params["AccountName"],
            email=params["Email"],
            canonical_user_id=hashlib.sha256(account_id.encode() + secrets.token_bytes(16)).hexdigest(),
            organization_id=org.org_id,
            created_at=now,
        )
    )
    conn.execute(
        insert(schema.org_accounts).values(
            account_id=account_id, org_id=org.org_id, parent_id=org.root_id, joined_method="CREATED", joined_at=now
        )
    )
    attach_defaults(conn, org, account_id, data.enabled_policy_types(conn, org.org_id))
    role_name: str = params.get("RoleName") or model.DEFAULT_ROLE_NAME
    create_organization_access_role(conn, account_id, role_name, org.management_account_id, now)
    tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []]
    if tags:
        put_tags(conn, arns.org_account(org.management_account_id, org.org_id, account_id), tags)
    return account_id


@operation(OPERATIONS, "CreateAccount")
def create_account(call: Call) -> Mapping[str, Any]:
    params = call.params
    authorize(call, "CreateAccount")
    request_id = model.new_create_account_request_id()
    with call.store.write() as conn:
        org = management(call, conn)
        email: str = params["Email"]
        a = schema.accounts
        duplicate = conn.execute(select(a.c.account_id).where(func.lower(a.c.email) == email.lower())).first()
        account_id: str | None = None
        failure: str | None = None
        if duplicate is not None:
            # AWS accepts the request and reports the failure through DescribeCreateAccountStatus.
            failure = "EMAIL_ALREADY_EXISTS"
        else:
            account_id = _member_account(conn, org, call.now, params)
        conn.execute(
            insert(schema.org_create_account_requests).values(
                request_id=request_id,
                org_id=org.org_id,
                account_name=params["AccountName"],
                state="FAILED" if failure else "SUCCEEDED",
                account_id=account_id,
                failure_reason=failure,
                requested_at=call.now,
                completed_at=call.now,
            )
        )
    # The account is ready at once, but AWS always answers IN_PROGRESS and clients poll
    # DescribeCreateAccountStatus for the outcome.
    return {
        "CreateAccountStatus": {
            "Id": request_id,
            "AccountName": params["AccountName"],
            "State": "IN_PROGRESS",
            "RequestedTimestamp": call.now,
        }
    }


@operation(OPERATIONS, "DescribeCreateAccountStatus")
def describe_create_account_status(call: Call) -> Mapping[str, Any]:
    authorize(call, "DescribeCreateAccountStatus")
    r = schema.org_create_account_requests
    with call.store.read() as conn:
        org = administrator(call, conn)
        row = conn.execute(
            select(r).where(r.c.request_id == call.params["CreateAccountRequestId"], r.c.org_id == org.org_id)
        ).first()
        if row is None:
            raise orgs_errors.CreateAccountStatusNotFound()
        return {"CreateAccountStatus": request_view(row)}


@operation(OPERATIONS, "ListCreateAccountStatus")
def list_create_account_status(call: Call) -> Mapping[str, Any]:
    states: list[str] = call.params.get("States") or []
    authorize(call, "ListCreateAccountStatus")
    r = schema.org_create_account_requests
    with call.store.read() as conn:
        org = administrator(call, conn)
        query = select(r).where(r.c.org_id == org.org_id)
        if states:
            query = query.where(r.c.state.in_(states))
        rows = conn.execute(query.order_by(r.c.requested_at, r.c.request_id)).all()
        page, more = paginate(rows, call.params)
        return {"CreateAccountStatuses": [request_view(row) for row in page], **more}


@operation(OPERATIONS, "DescribeAccount")
def describe_account(call: Call) -> Mapping[str, Any]:
    account_id: str = call.params["AccountId"]
    with call.store.read() as conn:
        org = administrator(call, conn)
        authorize(call, "DescribeAccount", arns.org_account(org.management_account_id, org.org_id, account_id))
        row = conn.execute(accounts_query(org).where(schema.org_accounts.c.account_id == account_id)).first()
        if row is None:
            raise orgs_errors.AccountNotFound()
        return {"Account": account_view(conn, org, row)}


@operation(OPERATIONS, "ListAccounts")
def list_accounts(call: Call) -> Mapping[str, Any]:
    authorize(call, "ListAccounts")
    with call.store.read() as conn:
        org = administrator(call, conn)
        rows = conn.execute(
            accounts_query(org).order_by(schema.org_accounts.c.joined_at, schema.accounts.c.account_id)
        ).all()
        page, more = paginate(rows, call.params)
        return {"Accounts": [account_view(conn, org, row) for row in page], **more}


@operation(OPERATIONS, "MoveAccount")
def move_account(call: Call) -> Mapping[str, Any]:
    params = call.params
    account_id: str = params["AccountId"]
    source: str = params["SourceParentId"]
    destination: str = params["DestinationParentId"]
    # The account and both parents: a Deny on moving out of (or into) an OU holds.
    authorized(
        call,
        "MoveAccount",
        management,
        lambda org: (entity_arn(org, account_id), entity_arn(org, source), entity_arn(org, destination)),
    )
    with call.store.write() as conn:
        org = management(call, conn)
        if not data.is_parent(conn, org, source):
            raise orgs_errors.SourceParentNotFound()
        if not data.is_parent(conn, org, destination):
            raise orgs_errors.DestinationParentNotFound()
        oa = schema.org_accounts
        current = conn.execute(
            select(oa.c.parent_id).where(oa.c.account_id == account_id, oa.c.org_id == org.org_id)
        ).scalar_one_or_none()
        if current is None or current != source:
            # Unconfirmed: AWS's answer for an account that is not in the source parent.
            raise orgs_errors.AccountNotFound()
        if destination == current:
            raise orgs_errors.DuplicateAccount()
        conn.execute(update(oa).where(oa.c.account_id == account_id).values(parent_id=destination))
    return {}


# --- leaving and closing ----------------------------------------------------------------------


def _depart(conn: Connection, org: Org, account_id: str, now: datetime) -> None:
    """``account_id`` leaves ``org``: a standalone account again, with its policies detached,
    its organization tags dropped and its pending approvals canceled."""
    if data.delegated_services(conn, account_id):
        raise orgs_errors.ConstraintViolation.delegated_administrator_member()
    a = schema.org_policy_attachments
    conn.execute(delete(a).where(a.c.target_id == account_id, a.c.org_id == org.org_id))
    drop_all_tags(conn, arns.org_account(org.management_account_id, org.org_id, account_id))
    handshakes.drop_for_account(conn, org, account_id, now)
    conn.execute(delete(schema.org_accounts).where(schema.org_accounts.c.account_id == account_id))
    conn.execute(update(schema.accounts).where(schema.accounts.c.account_id == account_id).values(organization_id=None))


@operation(OPERATIONS, "RemoveAccountFromOrganization")
def remove_account_from_organization(call: Call) -> Mapping[str, Any]:
    account_id: str = call.params["AccountId"]
    authorized(call, "RemoveAccountFromOrganization", management, lambda org: entity_arn(org, account_id))
    with call.store.write() as conn:
        org = management(call, conn)
        if account_id == org.management_account_id:
            raise orgs_errors.MasterCannotLeaveOrganization()
        require_member(conn, org, account_id)
        _depart(conn, org, account_id, call.now)
    return {}


@operation(OPERATIONS, "LeaveOrganization")
def leave_organization(call: Call) -> Mapping[str, Any]:
    """A member account leaves on its own; its SCPs apply to this call (a guardrail can forbid leaving)."""
    account_id = caller(call).account_id
    authorize(call, "LeaveOrganization")
    with call.store.write() as conn:
        org = membership(call, conn)
        if account_id == org.management_account_id:
            raise orgs_errors.MasterCannotLeaveOrganization()
        _depart(conn, org, account_id, call.now)
    return {}


@operation(OPERATIONS, "CloseAccount")
def close_account(call: Call) -> Mapping[str, Any]:
    """Close a member account. AWS keeps it in the organization ``SUSPENDED`` (State ``CLOSED``);
    from then on its principals are refused every action (:mod:`credmint.orgs.control`)."""
    account_id: str = call.params["AccountId"]
    authorized(call, "CloseAccount", management, lambda org: entity_arn(org, account_id))
    oa = schema.org_accounts
    with call.store.write() as conn:
        org = management(call, conn)
        if account_id == org.management_account_id:
            raise orgs_errors.ConstraintViolation.close_management_account()
        require_member(conn, org, account_id)
        closed = conn.execute(select(oa.c.closed_at).where(oa.c.account_id == account_id)).scalar_one_or_none()
        if closed is not None:
            raise orgs_errors.AccountAlreadyClosed()
        _check_close_quota(conn, org, call.now)
        conn.execute(update(oa).where(oa.c.account_id == account_id).values(closed_at=call.now))
    return {}


def _check_close_quota(conn: Connection, org: Org, now: datetime) -> None:
    """AWS: "You can close only 10% of member accounts, between 10 and 1000, within a rolling
    30 day period" (CloseAccount API reference)."""
    oa = schema.org_accounts
    rows = conn.execute(
        select(oa.c.closed_at).where(oa.c.org_id == org.org_id, oa.c.account_id != org.management_account_id)
    ).all()
    quota = min(model.MAX_CLOSED_PER_30_DAYS, max(model.MIN_CLOSED_PER_30_DAYS, len(rows) // 10))
    recent = [
        r.closed_at
        for r in rows
        if r.closed_at is not None and now - _utc(r.closed_at) < timedelta(days=model.CLOSE_QUOTA_DAYS)
    ]
    if len(recent) >= quota:
        raise orgs_errors.ConstraintViolation.close_quota()


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive UTC times.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@operation(OPERATIONS, "CreateGovCloudAccount")
def create_gov_cloud_account(call: Call) -> Mapping[str, Any]:
    """credmint serves no AWS GovCloud (US) partition, so no management account here is
    enabled for it: the answer AWS gives such an account."""
    authorize(call, "CreateGovCloudAccount")
    with call.store.read() as conn:
        management(call, conn)
    raise orgs_errors.ConstraintViolation.govcloud_not_enabled()
