"""IAM: groups and their members (group policies are in ``policies``/``managed``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from credmint import arns, ids
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize, paginate
from credmint.iam.entities import GROUP, USER
from credmint.iam.ops import OPERATIONS
from credmint.iam.users import user_view, write_unique
from credmint.store import schema

g = schema.groups
gm = schema.group_members

#: Quotas (§7.5 and the IAM quotas page): groups per account, groups per user.
MAX_GROUPS = 300
MAX_GROUPS_PER_USER = 10


def group_view(row: Row[Any]) -> dict[str, Any]:
    return {
        "Path": row.path,
        "GroupName": row.name,
        "GroupId": row.group_id,
        "Arn": row.arn,
        "CreateDate": row.created_at,
    }


@operation(OPERATIONS, "CreateGroup")
def create_group(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    name: str = call.params["GroupName"]
    path: str = call.params.get("Path") or "/"
    arn = arns.group(account_id, path, name)
    authorize(call, "iam:CreateGroup", arn)
    exists = iam_errors.EntityAlreadyExists.group(name)
    with write_unique(call, exists) as conn:
        if GROUP.find(conn, account_id, name) is not None:
            raise exists
        count = conn.execute(select(func.count()).select_from(g).where(g.c.account_id == account_id)).scalar_one()
        if count >= MAX_GROUPS:
            raise iam_errors.LimitExceeded.quota("GroupsPerAccount", MAX_GROUPS)
        group_id = ids.new_unique_id("AGPA")
        conn.execute(
            insert(g).values(
                group_id=group_id,
                account_id=account_id,
                name=name,
                name_key=name.lower(),
                path=path,
                arn=arn,
                created_at=call.now,
            )
        )
        row = conn.execute(select(g).where(g.c.group_id == group_id)).one()
    return {"Group": group_view(row)}


@operation(OPERATIONS, "GetGroup")
def get_group(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        row = GROUP.authorized(call, conn, "iam:GetGroup", call.params["GroupName"])
        u = schema.users
        members = conn.execute(
            select(u)
            .select_from(u.join(gm, gm.c.user_id == u.c.user_id))
            .where(gm.c.group_id == row.group_id)
            .order_by(u.c.name_key)
        ).all()
        page, more = paginate(members, call.params)
        return {"Group": group_view(row), "Users": [user_view(conn, m, full=False) for m in page], **more}


@operation(OPERATIONS, "ListGroups")
def list_groups(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        page, more = GROUP.page_under_path(call, conn, "iam:ListGroups")
    return {"Groups": [group_view(r) for r in page], **more}


@operation(OPERATIONS, "UpdateGroup")
def update_group(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    exists = iam_errors.EntityAlreadyExists.group(str(call.params.get("NewGroupName")))
    with write_unique(call, exists) as conn:
        row = GROUP.authorized(call, conn, "iam:UpdateGroup", call.params["GroupName"])
        new_name: str = call.params.get("NewGroupName") or row.name
        new_path: str = call.params.get("NewPath") or row.path
        new_arn = arns.group(account_id, new_path, new_name)
        # Permission on the group under its old and its new name and path (UpdateGroup).
        authorize(call, "iam:UpdateGroup", new_arn)
        if new_name.lower() != row.name_key and GROUP.find(conn, account_id, new_name) is not None:
            raise exists
        conn.execute(
            update(g)
            .where(g.c.group_id == row.group_id)
            .values(name=new_name, name_key=new_name.lower(), path=new_path, arn=new_arn)
        )
    return None


@operation(OPERATIONS, "DeleteGroup")
def delete_group(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        row = GROUP.authorized(call, conn, "iam:DeleteGroup", call.params["GroupName"])
        gid = row.group_id
        pa, ip = schema.policy_attachments, schema.inline_policies
        conflict = iam_errors.DeleteConflict
        checks = [
            (select(gm.c.group_id).where(gm.c.group_id == gid), conflict.must_remove_users_from_group),
            (select(pa.c.entity_id).where(pa.c.entity_id == gid), conflict.must_detach_policies),
            (select(ip.c.entity_id).where(ip.c.entity_id == gid), conflict.must_delete_inline_policies),
        ]
        for query, refusal in checks:
            if conn.execute(query.limit(1)).first() is not None:
                raise refusal()
        conn.execute(delete(g).where(g.c.group_id == gid))
    return None


@operation(OPERATIONS, "AddUserToGroup")
def add_user_to_group(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    name: str = call.params["GroupName"]
    with call.store.write() as conn:
        group = GROUP.find(conn, account_id, name)
        authorize(
            call, "iam:AddUserToGroup", str(group.arn) if group is not None else arns.group(account_id, "/", name)
        )
        # With both missing, AWS names the user (moto's tests, recorded from AWS).
        user = _user(call, conn, call.params["UserName"])
        if group is None:
            raise GROUP.not_found(name)
        if conn.execute(select(gm).where(gm.c.group_id == group.group_id, gm.c.user_id == user.user_id)).first():
            return None  # already a member: AWS answers 200 and changes nothing
        count = conn.execute(select(func.count()).select_from(gm).where(gm.c.user_id == user.user_id)).scalar_one()
        if count >= MAX_GROUPS_PER_USER:
            raise iam_errors.LimitExceeded.quota("GroupsPerUser", MAX_GROUPS_PER_USER)
        conn.execute(insert(gm).values(group_id=group.group_id, user_id=user.user_id))
    return None


@operation(OPERATIONS, "RemoveUserFromGroup")
def remove_user_from_group(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        group = GROUP.authorized(call, conn, "iam:RemoveUserFromGroup", call.params["GroupName"])
        user = _user(call, conn, call.params["UserName"])
        done = conn.execute(delete(gm).where(gm.c.group_id == group.group_id, gm.c.user_id == user.user_id))
        if done.rowcount == 0:
            # A user that is not in the group (wording unconfirmed).
            raise iam_errors.NoSuchEntity.user(user.name)
    return None


@operation(OPERATIONS, "ListGroupsForUser")
def list_groups_for_user(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        user = USER.authorized(call, conn, "iam:ListGroupsForUser", call.params["UserName"])
        rows = conn.execute(
            select(g)
            .select_from(g.join(gm, gm.c.group_id == g.c.group_id))
            .where(gm.c.user_id == user.user_id)
            .order_by(g.c.name_key)
        ).all()
    page, more = paginate(rows, call.params)
    return {"Groups": [group_view(r) for r in page], **more}


def _user(call: Call, conn: Connection, name: str) -> Row[Any]:
    """The member named in a membership change; the group's authorization covers it (the
    Service Authorization Reference lists only the group as the resource)."""
    u = schema.users
    row = conn.execute(select(u).where(u.c.account_id == account_of(call), u.c.name_key == name.lower())).first()
    if row is None:
        raise iam_errors.NoSuchEntity.user(name)
    return row
