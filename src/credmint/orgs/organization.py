"""The organization itself: CreateOrganization, DescribeOrganization, ListRoots, DeleteOrganization."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select, update

from credmint import arns
from credmint.api import Call, operation
from credmint.orgs import data, model
from credmint.orgs import errors as orgs_errors
from credmint.orgs.calls import administrator, authorize, caller, management, membership, paginate, unique
from credmint.orgs.data import Org
from credmint.orgs.ops import OPERATIONS
from credmint.orgs.views import organization_view, root_view
from credmint.store import schema
from credmint.store.tags import drop_all_tags


@operation(OPERATIONS, "CreateOrganization")
def create_organization(call: Call) -> Mapping[str, Any]:
    p = caller(call)
    feature_set: str = call.params.get("FeatureSet") or model.FEATURE_ALL
    authorize(call, "CreateOrganization")
    with call.store.write() as conn:
        if data.org_of_account(conn, p.account_id) is not None:
            raise orgs_errors.AlreadyInOrganization()
        org = Org(model.new_org_id(), p.account_id, feature_set, model.new_root_id(), call.now)
        with unique(orgs_errors.AlreadyInOrganization):
            conn.execute(
                insert(schema.organizations).values(
                    org_id=org.org_id,
                    management_account_id=org.management_account_id,
                    feature_set=org.feature_set,
                    root_id=org.root_id,
                    created_at=call.now,
                )
            )
        conn.execute(
            insert(schema.org_accounts).values(
                account_id=p.account_id,
                org_id=org.org_id,
                parent_id=org.root_id,
                # The account that creates an organization is listed as having joined by invitation.
                joined_method="INVITED",
                joined_at=call.now,
            )
        )
        conn.execute(
            update(schema.accounts)
            .where(schema.accounts.c.account_id == p.account_id)
            .values(organization_id=org.org_id)
        )
        return {"Organization": organization_view(conn, org)}


@operation(OPERATIONS, "DescribeOrganization")
def describe_organization(call: Call) -> Mapping[str, Any]:
    authorize(call, "DescribeOrganization")
    with call.store.read() as conn:
        org = membership(call, conn)
        return {"Organization": organization_view(conn, org)}


@operation(OPERATIONS, "ListRoots")
def list_roots(call: Call) -> Mapping[str, Any]:
    authorize(call, "ListRoots")
    with call.store.read() as conn:
        org = administrator(call, conn)
        page, more = paginate([root_view(conn, org)], call.params)
        return {"Roots": list(page), **more}


@operation(OPERATIONS, "DeleteOrganization")
def delete_organization(call: Call) -> Mapping[str, Any]:
    """Delete an organization that has no member accounts left (AWS's rule); its OUs,
    policies, handshakes, delegation policy and settings go with it."""
    authorize(call, "DeleteOrganization")
    with call.store.write() as conn:
        org = management(call, conn)
        oa = schema.org_accounts
        members = conn.execute(
            select(oa.c.account_id).where(oa.c.org_id == org.org_id, oa.c.account_id != org.management_account_id)
        ).first()
        if members is not None:
            raise orgs_errors.OrganizationNotEmpty()
        mgmt = org.management_account_id
        u, p = schema.org_units, schema.org_policies
        tagged = [arns.org_root(mgmt, org.org_id, org.root_id), arns.org_account(mgmt, org.org_id, mgmt)]
        tagged += [
            arns.org_unit(mgmt, org.org_id, o)
            for (o,) in conn.execute(select(u.c.ou_id).where(u.c.org_id == org.org_id))
        ]
        tagged += [
            arns.org_policy(mgmt, org.org_id, t, i)
            for (i, t) in conn.execute(select(p.c.policy_id, p.c.policy_type).where(p.c.org_id == org.org_id))
        ]
        for arn in tagged:
            drop_all_tags(conn, arn)
        for table in (
            schema.org_handshakes,
            schema.org_resource_policies,
            schema.org_delegated_admins,
            schema.org_service_access,
            schema.org_features,
            schema.org_policy_attachments,
            schema.org_policies,
            schema.org_units,
            schema.org_create_account_requests,
            schema.org_policy_types,
            schema.org_accounts,
        ):
            conn.execute(delete(table).where(table.c.org_id == org.org_id))
        conn.execute(
            update(schema.accounts).where(schema.accounts.c.organization_id == org.org_id).values(organization_id=None)
        )
        conn.execute(delete(schema.organizations).where(schema.organizations.c.org_id == org.org_id))
    return {}
