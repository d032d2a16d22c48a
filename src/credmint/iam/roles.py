"""IAM: roles, their trust policies, tags and permissions boundaries.

Inline and attached policies of roles are in :mod:`credmint.iam.inline_policies` and
:mod:`credmint.iam.policy_attachments`; DeleteRole here refuses while any remain, as IAM
does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from credmint import arns, bound_principals, ids
from credmint.api import Call, operation
from credmint.iam import documents
from credmint.iam import errors as iam_errors
from credmint.iam.common import (
    account_of,
    authorize,
    boundary_view,
    check_boundary,
    put_tags,
    register_tag_operations,
    tags_param,
)
from credmint.iam.entities import ROLE
from credmint.iam.ops import OPERATIONS
from credmint.store import schema
from credmint.store.tags import drop_all_tags, get_tags

DEFAULT_MAX_SESSION_DURATION = 3600

#: The path of every service-linked role (``/aws-service-role/<service principal>/``).
SERVICE_ROLE_PATH = "/aws-service-role/"


def refuse_service_linked(row: Row[Any]) -> None:
    """AWS lets only the linked service change a service-linked role's trust, policies or
    boundary, or delete it other than by DeleteServiceLinkedRole."""
    if str(row.path).startswith(SERVICE_ROLE_PATH):
        raise iam_errors.UnmodifiableEntity(row.name)


def role_view(conn: Connection, row: Row[Any], *, full: bool) -> dict[str, Any]:
    """The ``Role`` structure. ``full`` (GetRole, UpdateRoleDescription) adds what
    ListRoles leaves out: tags, permissions boundary and RoleLastUsed."""
    out: dict[str, Any] = {
        "Path": row.path,
        "RoleName": row.name,
        "RoleId": row.role_id,
        "Arn": row.arn,
        "CreateDate": row.created_at,
        "AssumeRolePolicyDocument": bound_principals.render(conn, row.trust_policy),
        "MaxSessionDuration": row.max_session_duration,
    }
    if row.description is not None:
        out["Description"] = row.description
    if full:
        if row.permissions_boundary_arn:
            out["PermissionsBoundary"] = boundary_view(row.permissions_boundary_arn)
        tags = get_tags(conn, row.role_id)
        if tags:
            out["Tags"] = tags
        last: dict[str, Any] = {}
        if row.last_used_at is not None:
            last["LastUsedDate"] = row.last_used_at
            if row.last_used_region:
                last["Region"] = row.last_used_region
        out["RoleLastUsed"] = last
        src = schema.role_template_sources
        source = conn.execute(select(src).where(src.c.role_id == row.role_id)).first()
        if source is not None:
            out["SourceRoleTemplate"] = {
                "TemplateArn": source.template_arn,
                "TemplateMinorVersion": source.minor_version,
            }
    return out


def validate_trust(conn: Connection, text: str) -> str:
    """Check a trust policy; the text to store, its user and role principals bound to their ids."""
    documents.validate_trust_policy(text)
    bound = bound_principals.bind(conn, text, iam_errors.MalformedPolicyDocument.invalid_principal)
    documents.check_trust_quota(text)
    return bound


# --- operations ---------------------------------------------------------------------------


@operation(OPERATIONS, "CreateRole")
def create_role(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    account_id = account_of(call)
    name: str = p["RoleName"]
    path: str = p.get("Path") or "/"
    arn = arns.role(account_id, path, name)
    authorize(call, "iam:CreateRole", arn)
    trust: str = p["AssumeRolePolicyDocument"]
    tags = tags_param(p)
    boundary: str | None = p.get("PermissionsBoundary")
    r = schema.roles
    with call.store.write() as conn:
        if ROLE.find(conn, account_id, name) is not None:
            raise iam_errors.EntityAlreadyExists.role(name)
        stored_trust = validate_trust(conn, trust)
        if boundary:
            check_boundary(conn, account_id, boundary)
        role_id = ids.new_unique_id("AROA")
        conn.execute(
            insert(r).values(
                role_id=role_id,
                account_id=account_id,
                name=name,
                name_key=name.lower(),
                path=path,
                arn=arn,
                trust_policy=stored_trust,
                description=p.get("Description"),
                max_session_duration=p.get("MaxSessionDuration") or DEFAULT_MAX_SESSION_DURATION,
                permissions_boundary_arn=boundary or None,
                created_at=call.now,
            )
        )
        if tags:
            put_tags(conn, role_id, tags)
        row = conn.execute(select(r).where(r.c.role_id == role_id)).one()
        out = role_view(conn, row, full=False)
    # CreateRole answers without MaxSessionDuration unless it was given (observed shape);
    # tags and the boundary appear when set.
    if "MaxSessionDuration" not in p:
        del out["MaxSessionDuration"]
    if boundary:
        out["PermissionsBoundary"] = boundary_view(boundary)
    if tags:
        out["Tags"] = tags
    return {"Role": out}


@operation(OPERATIONS, "GetRole")
def get_role(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        row = ROLE.authorized(call, conn, "iam:GetRole", call.params["RoleName"])
        return {"Role": role_view(conn, row, full=True)}


@operation(OPERATIONS, "ListRoles")
def list_roles(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        page, more = ROLE.page_under_path(call, conn, "iam:ListRoles")
        return {"Roles": [role_view(conn, row, full=False) for row in page], **more}


@operation(OPERATIONS, "UpdateRole")
def update_role(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    values: dict[str, Any] = {}
    if "Description" in p:
        values["description"] = p["Description"]
    if p.get("MaxSessionDuration") is not None:
        values["max_session_duration"] = p["MaxSessionDuration"]
    with call.store.write() as conn:
        row = ROLE.authorized(call, conn, "iam:UpdateRole", p["RoleName"])
        if values:
            conn.execute(update(schema.roles).where(schema.roles.c.role_id == row.role_id).values(**values))
    return {}


@operation(OPERATIONS, "UpdateRoleDescription")
def update_role_description(call: Call) -> Mapping[str, Any] | None:
    r = schema.roles
    with call.store.write() as conn:
        row = ROLE.authorized(call, conn, "iam:UpdateRoleDescription", call.params["RoleName"])
        conn.execute(update(r).where(r.c.role_id == row.role_id).values(description=call.params["Description"]))
        row = conn.execute(select(r).where(r.c.role_id == row.role_id)).one()
        return {"Role": role_view(conn, row, full=True)}


@operation(OPERATIONS, "UpdateAssumeRolePolicy")
def update_assume_role_policy(call: Call) -> Mapping[str, Any] | None:
    text: str = call.params["PolicyDocument"]
    r = schema.roles
    with call.store.write() as conn:
        row = ROLE.authorized(call, conn, "iam:UpdateAssumeRolePolicy", call.params["RoleName"])
        refuse_service_linked(row)
        stored = validate_trust(conn, text)
        conn.execute(update(r).where(r.c.role_id == row.role_id).values(trust_policy=stored))
    return None


@operation(OPERATIONS, "DeleteRole")
def delete_role(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        row = ROLE.authorized(call, conn, "iam:DeleteRole", call.params["RoleName"])
        refuse_service_linked(row)
        rid = row.role_id
        pa, ip = schema.policy_attachments, schema.inline_policies
        # Managed attachments are reported before inline policies (the order AWS and
        # its emulators report them in; unconfirmed which wins when both remain).
        checks = (
            (pa, pa.c.entity_id, iam_errors.DeleteConflict.must_detach_policies),
            (ip, ip.c.entity_id, iam_errors.DeleteConflict.must_delete_inline_policies),
        )
        for table, column, refusal in checks:
            count = conn.execute(select(func.count()).select_from(table).where(column == rid)).scalar_one()
            if count:
                raise refusal()
        held = conn.execute(
            select(schema.instance_profile_roles.c.role_id)
            .where(schema.instance_profile_roles.c.role_id == rid)
            .limit(1)
        ).first()
        if held is not None:
            raise iam_errors.DeleteConflict.must_remove_roles_from_instance_profile()
        drop_all_tags(conn, rid)
        conn.execute(delete(schema.role_template_sources).where(schema.role_template_sources.c.role_id == rid))
        conn.execute(delete(schema.roles).where(schema.roles.c.role_id == rid))
    return None


def _tagged_role(call: Call, conn: Connection, action: str) -> str:
    return str(ROLE.authorized(call, conn, action, call.params["RoleName"]).role_id)


register_tag_operations("Role", _tagged_role)


@operation(OPERATIONS, "PutRolePermissionsBoundary")
def put_role_permissions_boundary(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["PermissionsBoundary"]
    r = schema.roles
    with call.store.write() as conn:
        row = ROLE.authorized(call, conn, "iam:PutRolePermissionsBoundary", call.params["RoleName"])
        refuse_service_linked(row)
        check_boundary(conn, row.account_id, arn)
        conn.execute(update(r).where(r.c.role_id == row.role_id).values(permissions_boundary_arn=arn))
    return None


@operation(OPERATIONS, "DeleteRolePermissionsBoundary")
def delete_role_permissions_boundary(call: Call) -> Mapping[str, Any] | None:
    r = schema.roles
    with call.store.write() as conn:
        row = ROLE.authorized(call, conn, "iam:DeleteRolePermissionsBoundary", call.params["RoleName"])
        refuse_service_linked(row)
        # Removing a boundary the role does not have is not an error (unconfirmed; AWS
        # documents no error for it and the call is idempotent in practice).
        conn.execute(update(r).where(r.c.role_id == row.role_id).values(permissions_boundary_arn=None))
    return None
