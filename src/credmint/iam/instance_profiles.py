"""IAM: EC2 instance profiles, the role each holds, and their tags.

An instance profile holds at most one role (a quota AWS cannot raise). DeleteRole in
:mod:`credmint.iam.roles` refuses while the role is still in a profile, and
DeleteInstanceProfile refuses while the profile still holds its role.

Tags of an instance profile are stored under its ARN: profiles cannot be renamed or
moved, so the ARN never changes under them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from credmint import arns, bound_principals, ids
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import (
    account_of,
    authorize,
    paginate,
    put_tags,
    register_tag_operations,
    tags_param,
)
from credmint.iam.entities import INSTANCE_PROFILE, ROLE
from credmint.iam.ops import OPERATIONS
from credmint.store import schema
from credmint.store.tags import drop_all_tags, get_tags

ip = schema.instance_profiles
ipr = schema.instance_profile_roles

#: "Instance profiles per account" quota (AWS default, adjustable there).
MAX_INSTANCE_PROFILES = 1000
#: "Roles per instance profile": one, and AWS does not raise it.
MAX_ROLES_PER_PROFILE = 1


def _role_in_profile_view(conn: Connection, row: Row[Any]) -> dict[str, Any]:
    """A role as an instance profile lists it: the ListRoles members without
    RoleLastUsed, tags, boundary or session duration (the members AWS's documented
    GetInstanceProfile example shows)."""
    return {
        "Path": row.path,
        "RoleName": row.name,
        "RoleId": row.role_id,
        "Arn": row.arn,
        "CreateDate": row.created_at,
        "AssumeRolePolicyDocument": bound_principals.render(conn, row.trust_policy),
    }


def profiles_of_role(conn: Connection, role_id: str) -> list[Row[Any]]:
    """The instance profiles holding a role, by name."""
    return list(
        conn.execute(
            select(ip)
            .join(ipr, ipr.c.instance_profile_id == ip.c.instance_profile_id)
            .where(ipr.c.role_id == role_id)
            .order_by(ip.c.name_key)
        ).all()
    )


def profile_view(conn: Connection, row: Row[Any], *, with_tags: bool) -> dict[str, Any]:
    r = schema.roles
    roles = conn.execute(
        select(r)
        .join(ipr, ipr.c.role_id == r.c.role_id)
        .where(ipr.c.instance_profile_id == row.instance_profile_id)
        .order_by(r.c.name_key)
    ).all()
    out: dict[str, Any] = {
        "Path": row.path,
        "InstanceProfileName": row.name,
        "InstanceProfileId": row.instance_profile_id,
        "Arn": row.arn,
        "CreateDate": row.created_at,
        "Roles": [_role_in_profile_view(conn, role) for role in roles],
    }
    if with_tags:
        tags = get_tags(conn, row.arn)
        if tags:
            out["Tags"] = tags
    return out


def profiles_holding(conn: Connection, role_id: str) -> int:
    """How many instance profiles hold the role (DeleteRole refuses while any do)."""
    return int(conn.execute(select(func.count()).select_from(ipr).where(ipr.c.role_id == role_id)).scalar_one())


# --- operations ---------------------------------------------------------------------------


@operation(OPERATIONS, "CreateInstanceProfile")
def create_instance_profile(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    account_id = account_of(call)
    name: str = p["InstanceProfileName"]
    path: str = p.get("Path") or "/"
    arn = arns.instance_profile(account_id, path, name)
    authorize(call, "iam:CreateInstanceProfile", arn)
    tags = tags_param(p)
    exists = iam_errors.EntityAlreadyExists.instance_profile(name)
    try:
        with call.store.write() as conn:
            if INSTANCE_PROFILE.find(conn, account_id, name) is not None:
                raise exists
            count = conn.execute(select(func.count()).select_from(ip).where(ip.c.account_id == account_id)).scalar_one()
            if count >= MAX_INSTANCE_PROFILES:
                raise iam_errors.LimitExceeded.instance_profiles(MAX_INSTANCE_PROFILES)
            profile_id = ids.new_unique_id("AIPA")
            conn.execute(
                insert(ip).values(
                    instance_profile_id=profile_id,
                    account_id=account_id,
                    name=name,
                    name_key=name.lower(),
                    path=path,
                    arn=arn,
                    created_at=call.now,
                )
            )
            if tags:
                put_tags(conn, arn, tags)
            row = conn.execute(select(ip).where(ip.c.instance_profile_id == profile_id)).one()
            return {"InstanceProfile": profile_view(conn, row, with_tags=True)}
    except IntegrityError:
        # Another node created the same name between the check and the insert.
        raise exists from None


@operation(OPERATIONS, "GetInstanceProfile")
def get_instance_profile(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        row = INSTANCE_PROFILE.authorized(call, conn, "iam:GetInstanceProfile", call.params["InstanceProfileName"])
        return {"InstanceProfile": profile_view(conn, row, with_tags=True)}


@operation(OPERATIONS, "DeleteInstanceProfile")
def delete_instance_profile(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        row = INSTANCE_PROFILE.authorized(call, conn, "iam:DeleteInstanceProfile", call.params["InstanceProfileName"])
        held = conn.execute(
            select(ipr.c.role_id).where(ipr.c.instance_profile_id == row.instance_profile_id).limit(1)
        ).first()
        if held is not None:
            raise iam_errors.DeleteConflict.must_remove_roles_from_instance_profile()
        drop_all_tags(conn, row.arn)
        conn.execute(delete(ip).where(ip.c.instance_profile_id == row.instance_profile_id))
    return None


@operation(OPERATIONS, "ListInstanceProfiles")
def list_instance_profiles(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        page, more = INSTANCE_PROFILE.page_under_path(call, conn, "iam:ListInstanceProfiles")
        # Like ListRoles, the list leaves tags out (GetInstanceProfile has them).
        return {"InstanceProfiles": [profile_view(conn, row, with_tags=False) for row in page], **more}


@operation(OPERATIONS, "AddRoleToInstanceProfile")
def add_role_to_instance_profile(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    with call.store.write() as conn:
        profile = INSTANCE_PROFILE.authorized(call, conn, "iam:AddRoleToInstanceProfile", p["InstanceProfileName"])
        # Whoever puts a role in a profile hands it to every instance launched with the
        # profile, so AWS also requires iam:PassRole on the role.
        role = ROLE.authorized(call, conn, "iam:PassRole", p["RoleName"])
        held = conn.execute(
            select(func.count()).select_from(ipr).where(ipr.c.instance_profile_id == profile.instance_profile_id)
        ).scalar_one()
        # The same role again is refused with the quota error too: AWS answers
        # LimitExceeded, not EntityAlreadyExists, for a profile that already holds it.
        if held >= MAX_ROLES_PER_PROFILE:
            raise iam_errors.LimitExceeded.quota("InstanceSessionsPerInstanceProfile", MAX_ROLES_PER_PROFILE)
        conn.execute(insert(ipr).values(instance_profile_id=profile.instance_profile_id, role_id=role.role_id))
    return None


@operation(OPERATIONS, "RemoveRoleFromInstanceProfile")
def remove_role_from_instance_profile(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    with call.store.write() as conn:
        profile = INSTANCE_PROFILE.authorized(call, conn, "iam:RemoveRoleFromInstanceProfile", p["InstanceProfileName"])
        name: str = p["RoleName"]
        r = schema.roles
        role = conn.execute(
            select(r.c.role_id).where(r.c.account_id == profile.account_id, r.c.name_key == name.lower())
        ).first()
        done = None
        if role is not None:
            done = conn.execute(
                delete(ipr).where(
                    ipr.c.instance_profile_id == profile.instance_profile_id, ipr.c.role_id == role.role_id
                )
            )
        if done is None or done.rowcount == 0:
            # A role that exists but is not in the profile answers like a missing role
            # (unconfirmed wording; NoSuchEntity is the modelled error).
            raise iam_errors.NoSuchEntity.role(name)
    return None


@operation(OPERATIONS, "ListInstanceProfilesForRole")
def list_instance_profiles_for_role(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        role = ROLE.authorized(call, conn, "iam:ListInstanceProfilesForRole", call.params["RoleName"])
        page, more = paginate(profiles_of_role(conn, role.role_id), call.params)
        return {"InstanceProfiles": [profile_view(conn, row, with_tags=False) for row in page], **more}


def _tagged_profile(call: Call, conn: Connection, action: str) -> str:
    return str(INSTANCE_PROFILE.authorized(call, conn, action, call.params["InstanceProfileName"]).arn)


register_tag_operations("InstanceProfile", _tagged_profile)
