"""Organizational units and the tree: create, describe, update, delete, and the parent/child listings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from credmint import arns
from credmint.api import Call, operation
from credmint.orgs import data, model
from credmint.orgs import errors as orgs_errors
from credmint.orgs.calls import administrator, authorize, authorized, entity_arn, management, paginate, unique
from credmint.orgs.data import Org
from credmint.orgs.lookups import attach_defaults
from credmint.orgs.ops import OPERATIONS
from credmint.orgs.tags import put_tags
from credmint.orgs.views import account_view, accounts_query, ou_view
from credmint.store import schema
from credmint.store.tags import drop_all_tags


@operation(OPERATIONS, "CreateOrganizationalUnit")
def create_organizational_unit(call: Call) -> Mapping[str, Any]:
    params = call.params
    parent: str = params["ParentId"]
    name: str = params["Name"]
    authorized(call, "CreateOrganizationalUnit", management, lambda org: entity_arn(org, parent))
    u = schema.org_units
    with call.store.write() as conn:
        org = management(call, conn)
        if not data.is_parent(conn, org, parent):
            raise orgs_errors.ParentNotFound()
        if len(data.ancestors(conn, org, parent)) > model.MAX_OU_DEPTH:
            raise orgs_errors.ConstraintViolation.ou_depth()
        if conn.execute(select(u.c.ou_id).where(u.c.parent_id == parent, u.c.name == name)).first() is not None:
            raise orgs_errors.DuplicateOrganizationalUnit()
        ou_id = model.new_ou_id(org.root_id)
        with unique(orgs_errors.DuplicateOrganizationalUnit):
            conn.execute(
                insert(u).values(ou_id=ou_id, org_id=org.org_id, parent_id=parent, name=name, created_at=call.now)
            )
        attach_defaults(conn, org, ou_id, data.enabled_policy_types(conn, org.org_id))
        tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []]
        if tags:
            put_tags(conn, arns.org_unit(org.management_account_id, org.org_id, ou_id), tags)
        row = conn.execute(select(u).where(u.c.ou_id == ou_id)).one()
        return {"OrganizationalUnit": ou_view(conn, org, row)}


@operation(OPERATIONS, "ListOrganizationalUnitsForParent")
def list_organizational_units_for_parent(call: Call) -> Mapping[str, Any]:
    parent: str = call.params["ParentId"]
    authorize(call, "ListOrganizationalUnitsForParent")
    with call.store.read() as conn:
        org = administrator(call, conn)
        if not data.is_parent(conn, org, parent):
            raise orgs_errors.ParentNotFound()
        page, more = paginate(_ous_in(conn, org, parent), call.params)
        return {"OrganizationalUnits": [ou_view(conn, org, row) for row in page], **more}


def _ou_of(conn: Connection, org: Org, ou_id: str) -> Any:
    row = data.ou_row(conn, org.org_id, ou_id)
    if row is None:
        raise orgs_errors.OrganizationalUnitNotFound()
    return row


def _accounts_in(conn: Connection, org: Org, parent: str) -> list[Any]:
    """The accounts directly in ``parent`` (not those of its OUs), in the order they joined."""
    oa = schema.org_accounts
    return list(
        conn.execute(
            accounts_query(org).where(oa.c.parent_id == parent).order_by(oa.c.joined_at, oa.c.account_id)
        ).all()
    )


def _ous_in(conn: Connection, org: Org, parent: str) -> list[Any]:
    u = schema.org_units
    return list(
        conn.execute(select(u).where(u.c.parent_id == parent, u.c.org_id == org.org_id).order_by(u.c.name)).all()
    )


@operation(OPERATIONS, "ListChildren")
def list_children(call: Call) -> Mapping[str, Any]:
    parent: str = call.params["ParentId"]
    child_type: str = call.params["ChildType"]
    with call.store.read() as conn:
        org = administrator(call, conn)
        authorize(call, "ListChildren", entity_arn(org, parent))
        if not data.is_parent(conn, org, parent):
            raise orgs_errors.ParentNotFound()
        if child_type == "ACCOUNT":
            children = [row.account_id for row in _accounts_in(conn, org, parent)]
        else:
            children = [row.ou_id for row in _ous_in(conn, org, parent)]
        page, more = paginate(children, call.params)
        return {"Children": [{"Id": i, "Type": child_type} for i in page], **more}


@operation(OPERATIONS, "ListParents")
def list_parents(call: Call) -> Mapping[str, Any]:
    child: str = call.params["ChildId"]
    with call.store.read() as conn:
        org = administrator(call, conn)
        authorize(call, "ListParents", entity_arn(org, child))
        parent: str | None = None
        if child.startswith("ou-"):
            row = data.ou_row(conn, org.org_id, child)
            parent = row.parent_id if row is not None else None
        else:
            member = data.org_of_account(conn, child)
            if member is not None and member.org_id == org.org_id:
                parent = data.account_parent(conn, child)
        if parent is None:
            raise orgs_errors.ChildNotFound()
        # An account or OU has exactly one parent, so the list never needs a second page.
        page, more = paginate([parent], call.params)
        return {
            "Parents": [{"Id": p, "Type": "ROOT" if p == org.root_id else "ORGANIZATIONAL_UNIT"} for p in page],
            **more,
        }


@operation(OPERATIONS, "ListAccountsForParent")
def list_accounts_for_parent(call: Call) -> Mapping[str, Any]:
    parent: str = call.params["ParentId"]
    with call.store.read() as conn:
        org = administrator(call, conn)
        authorize(call, "ListAccountsForParent", entity_arn(org, parent))
        if not data.is_parent(conn, org, parent):
            raise orgs_errors.ParentNotFound()
        page, more = paginate(_accounts_in(conn, org, parent), call.params)
        return {"Accounts": [account_view(conn, org, row) for row in page], **more}


@operation(OPERATIONS, "DescribeOrganizationalUnit")
def describe_organizational_unit(call: Call) -> Mapping[str, Any]:
    ou_id: str = call.params["OrganizationalUnitId"]
    with call.store.read() as conn:
        org = administrator(call, conn)
        authorize(call, "DescribeOrganizationalUnit", entity_arn(org, ou_id))
        return {"OrganizationalUnit": ou_view(conn, org, _ou_of(conn, org, ou_id))}


@operation(OPERATIONS, "UpdateOrganizationalUnit")
def update_organizational_unit(call: Call) -> Mapping[str, Any]:
    ou_id: str = call.params["OrganizationalUnitId"]
    name: str | None = call.params.get("Name")
    authorized(call, "UpdateOrganizationalUnit", management, lambda org: entity_arn(org, ou_id))
    u = schema.org_units
    with call.store.write() as conn:
        org = management(call, conn)
        row = _ou_of(conn, org, ou_id)
        if name is not None and name != row.name:
            clash = conn.execute(
                select(u.c.ou_id).where(u.c.parent_id == row.parent_id, u.c.name == name, u.c.ou_id != ou_id)
            ).first()
            if clash is not None:
                raise orgs_errors.DuplicateOrganizationalUnit()
            with unique(orgs_errors.DuplicateOrganizationalUnit):
                conn.execute(update(u).where(u.c.ou_id == ou_id).values(name=name))
            row = _ou_of(conn, org, ou_id)
        return {"OrganizationalUnit": ou_view(conn, org, row)}


@operation(OPERATIONS, "DeleteOrganizationalUnit")
def delete_organizational_unit(call: Call) -> Mapping[str, Any]:
    ou_id: str = call.params["OrganizationalUnitId"]
    authorized(call, "DeleteOrganizationalUnit", management, lambda org: entity_arn(org, ou_id))
    with call.store.write() as conn:
        org = management(call, conn)
        _ou_of(conn, org, ou_id)
        if _ous_in(conn, org, ou_id) or _accounts_in(conn, org, ou_id):
            raise orgs_errors.OrganizationalUnitNotEmpty()
        a = schema.org_policy_attachments
        conn.execute(delete(a).where(a.c.target_id == ou_id))
        drop_all_tags(conn, entity_arn(org, ou_id))
        conn.execute(delete(schema.org_units).where(schema.org_units.c.ou_id == ou_id))
    return {}
