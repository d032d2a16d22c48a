"""The organization itself: CreateOrganization, DescribeOrganization, ListRoots."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, update

from credmint import errors
from credmint.api import Call, operation
from credmint.orgs import data, model
from credmint.orgs.calls import administrator, authorize, caller, membership, paginate, unique
from credmint.orgs.data import Org
from credmint.orgs.ops import OPERATIONS
from credmint.orgs.views import organization_view, root_view
from credmint.store import schema


def _already_in_organization() -> errors.AwsError:
    return errors.org_error("AlreadyInOrganizationException", "The AWS account is already a member of an organization.")


@operation(OPERATIONS, "CreateOrganization")
def create_organization(call: Call) -> Mapping[str, Any]:
    p = caller(call)
    feature_set: str = call.params.get("FeatureSet") or model.FEATURE_ALL
    authorize(call, "CreateOrganization")
    with call.runtime.store.write() as conn:
        if data.org_of_account(conn, p.account_id) is not None:
            raise _already_in_organization()
        org = Org(model.new_org_id(), p.account_id, feature_set, model.new_root_id(), call.now)
        with unique(_already_in_organization):
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
    with call.runtime.store.read() as conn:
        org = membership(call, conn)
        return {"Organization": organization_view(conn, org)}


@operation(OPERATIONS, "ListRoots")
def list_roots(call: Call) -> Mapping[str, Any]:
    authorize(call, "ListRoots")
    with call.runtime.store.read() as conn:
        org = administrator(call, conn)
        page, more = paginate([root_view(conn, org)], call.params)
        return {"Roots": list(page), **more}
