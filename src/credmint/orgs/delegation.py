"""Trusted access for AWS services and delegated administrators."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, insert, select

from credmint.api import Call, operation
from credmint.orgs import data
from credmint.orgs import errors as orgs_errors
from credmint.orgs.calls import (
    administrator,
    authorize,
    authorized,
    entity_arn,
    management,
    paginate,
    require_all_features,
)
from credmint.orgs.lookups import require_member
from credmint.orgs.ops import OPERATIONS
from credmint.orgs.views import account_view, accounts_query
from credmint.store import schema


@operation(OPERATIONS, "EnableAWSServiceAccess")
def enable_aws_service_access(call: Call) -> Mapping[str, Any]:
    service: str = call.params["ServicePrincipal"]
    authorize(call, "EnableAWSServiceAccess")
    s = schema.org_service_access
    with call.store.write() as conn:
        org = management(call, conn)
        require_all_features(org)
        if service not in data.service_access(conn, org.org_id):
            conn.execute(insert(s).values(org_id=org.org_id, service_principal=service, enabled_at=call.now))
    return {}


@operation(OPERATIONS, "RegisterDelegatedAdministrator")
def register_delegated_administrator(call: Call) -> Mapping[str, Any]:
    account_id: str = call.params["AccountId"]
    service: str = call.params["ServicePrincipal"]
    authorized(call, "RegisterDelegatedAdministrator", management, lambda org: entity_arn(org, account_id))
    d = schema.org_delegated_admins
    with call.store.write() as conn:
        org = management(call, conn)
        require_member(conn, org, account_id)
        if account_id == org.management_account_id:
            raise orgs_errors.ConstraintViolation.register_management_account()
        if service not in data.service_access(conn, org.org_id):
            raise orgs_errors.ConstraintViolation.service_access_not_enabled()
        if service in data.delegated_services(conn, account_id):
            raise orgs_errors.AccountAlreadyRegistered()
        conn.execute(
            insert(d).values(account_id=account_id, service_principal=service, org_id=org.org_id, delegated_at=call.now)
        )
    return {}


@operation(OPERATIONS, "DeregisterDelegatedAdministrator")
def deregister_delegated_administrator(call: Call) -> Mapping[str, Any]:
    account_id: str = call.params["AccountId"]
    service: str = call.params["ServicePrincipal"]
    authorized(call, "DeregisterDelegatedAdministrator", management, lambda org: entity_arn(org, account_id))
    d = schema.org_delegated_admins
    with call.store.write() as conn:
        org = management(call, conn)
        require_member(conn, org, account_id)
        if service not in data.delegated_services(conn, account_id):
            raise orgs_errors.AccountNotRegistered.for_service()
        # Read access to the organization ends with the account's last delegation: the
        # administrator checks read the store on every request.
        conn.execute(delete(d).where(d.c.account_id == account_id, d.c.service_principal == service))
    return {}


@operation(OPERATIONS, "ListDelegatedAdministrators")
def list_delegated_administrators(call: Call) -> Mapping[str, Any]:
    service: str | None = call.params.get("ServicePrincipal")
    authorize(call, "ListDelegatedAdministrators")
    d = schema.org_delegated_admins
    with call.store.read() as conn:
        org = administrator(call, conn)
        query = select(d.c.account_id, func.min(d.c.delegated_at).label("since")).where(d.c.org_id == org.org_id)
        if service:
            query = query.where(d.c.service_principal == service)
        delegated = conn.execute(query.group_by(d.c.account_id)).all()
        since = {row.account_id: row.since for row in delegated}
        rows = conn.execute(accounts_query(org).where(schema.org_accounts.c.account_id.in_(list(since)))).all()
        rows = sorted(rows, key=lambda row: (since[row.account_id], row.account_id))
        page, more = paginate(rows, call.params)
        admins = []
        for row in page:
            view = account_view(conn, org, row)
            del view["Paths"]  # not a member of DelegatedAdministrator
            admins.append({**view, "DelegationEnabledDate": since[row.account_id]})
        return {"DelegatedAdministrators": admins, **more}


@operation(OPERATIONS, "ListAWSServiceAccessForOrganization")
def list_aws_service_access_for_organization(call: Call) -> Mapping[str, Any]:
    authorize(call, "ListAWSServiceAccessForOrganization")
    s = schema.org_service_access
    with call.store.read() as conn:
        org = administrator(call, conn)
        rows = conn.execute(select(s).where(s.c.org_id == org.org_id).order_by(s.c.service_principal)).all()
        page, more = paginate(rows, call.params)
        return {
            "EnabledServicePrincipals": [
                {"ServicePrincipal": row.service_principal, "DateEnabled": row.enabled_at} for row in page
            ],
            **more,
        }


@operation(OPERATIONS, "DisableAWSServiceAccess")
def disable_aws_service_access(call: Call) -> Mapping[str, Any]:
    service: str = call.params["ServicePrincipal"]
    authorize(call, "DisableAWSServiceAccess")
    s = schema.org_service_access
    with call.store.write() as conn:
        org = management(call, conn)
        # Like EnableAWSServiceAccess, repeating the call changes nothing and is no error.
        # Delegated administrators of the service stay registered, and so do the IAM root
        # access features already enabled (AssumeRoot keeps honouring them); IAM's
        # Enable/Disable/ListOrganizations* operations refuse until trusted access is back.
        # What AWS does with either is unconfirmed.
        conn.execute(delete(s).where(s.c.org_id == org.org_id, s.c.service_principal == service))
    return {}


@operation(OPERATIONS, "ListDelegatedServicesForAccount")
def list_delegated_services_for_account(call: Call) -> Mapping[str, Any]:
    account_id: str = call.params["AccountId"]
    authorize(call, "ListDelegatedServicesForAccount")
    d = schema.org_delegated_admins
    with call.store.read() as conn:
        org = administrator(call, conn)
        require_member(conn, org, account_id)
        rows = conn.execute(
            select(d.c.service_principal, d.c.delegated_at)
            .where(d.c.org_id == org.org_id, d.c.account_id == account_id)
            .order_by(d.c.delegated_at, d.c.service_principal)
        ).all()
    if not rows:
        raise orgs_errors.AccountNotRegistered.anywhere()
    page, more = paginate(rows, call.params)
    return {
        "DelegatedServices": [
            {"ServicePrincipal": r.service_principal, "DelegationEnabledDate": r.delegated_at} for r in page
        ],
        **more,
    }
