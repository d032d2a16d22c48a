"""IAM: users, their tags and permissions boundaries.

Also the user lookups the other part-A modules (groups, keys, MFA) share: who "the
caller's user" is when ``UserName`` is omitted, and a user's row by name.

Tags of a user are stored under its unique id (``AIDA...``), not its ARN, so renaming
a user or moving it to another path (``UpdateUser``) keeps them without rewriting rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from credmint import arns, errors, ids
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import (
    account_of,
    authorize,
    boundary_view,
    caller,
    check_boundary,
    put_tags,
    register_tag_operations,
    tags_param,
)
from credmint.iam.entities import USER
from credmint.iam.ops import OPERATIONS
from credmint.store import schema
from credmint.store.tags import drop_all_tags, get_tags

u = schema.users

#: "Users per account" quota (§7.5).
MAX_USERS = 5000


# --- shared lookups -----------------------------------------------------------------------


def target_user(call: Call, conn: Connection, action: str) -> Row[Any] | None:
    """The user an operation with an optional ``UserName`` acts on, authorized.

    ``None`` means the account's root user (the caller is root and named no user). A
    caller that is neither an IAM user nor root (a role session, a federated user) must
    name the user, as in AWS.
    """
    name = call.params.get("UserName")
    if name:
        return USER.authorized(call, conn, action, name)
    p = caller(call)
    if p.kind == "user" and p.entity_id is not None:
        row = conn.execute(select(u).where(u.c.user_id == p.entity_id)).first()
        authorize(call, action, p.arn)
        if row is None:  # deleted while its key was still cached
            raise USER.not_found(p.name)
        return row
    if p.is_root:
        authorize(call, action, arns.root(p.account_id))
        return None
    raise iam_errors.ValidationError.user_name_required()


def user_view(conn: Connection, row: Row[Any], *, full: bool) -> dict[str, Any]:
    """The ``User`` structure. ``full`` adds what only GetUser/CreateUser return
    (tags, permissions boundary, password last used); ListUsers leaves them out."""
    out: dict[str, Any] = {
        "Path": row.path,
        "UserName": row.name,
        "UserId": row.user_id,
        "Arn": row.arn,
        "CreateDate": row.created_at,
    }
    if row.password_last_used is not None:
        out["PasswordLastUsed"] = row.password_last_used
    if full:
        if row.permissions_boundary_arn:
            out["PermissionsBoundary"] = boundary_view(row.permissions_boundary_arn)
        tags = get_tags(conn, row.user_id)
        if tags:
            out["Tags"] = tags
    return out


@contextlib.contextmanager
def write_unique(call: Call, clash: errors.AwsError) -> Iterator[Connection]:
    """A write transaction in which a unique-index violation answers ``clash``: the name
    checks run first, but another node may create the same name between that check and
    this insert, and the database's unique index is what settles it."""
    try:
        with call.store.write() as conn:
            yield conn
    except IntegrityError:
        raise clash from None


# --- operations ---------------------------------------------------------------------------


@operation(OPERATIONS, "CreateUser")
def create_user(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    account_id = account_of(call)
    name: str = p["UserName"]
    path: str = p.get("Path") or "/"
    arn = arns.user(account_id, path, name)
    authorize(call, "iam:CreateUser", arn)
    boundary: str | None = p.get("PermissionsBoundary")
    tags = tags_param(p)
    exists = iam_errors.EntityAlreadyExists.user(name)
    with write_unique(call, exists) as conn:
        if USER.find(conn, account_id, name) is not None:
            raise exists
        count = conn.execute(select(func.count()).select_from(u).where(u.c.account_id == account_id)).scalar_one()
        if count >= MAX_USERS:
            raise iam_errors.LimitExceeded.quota("UsersPerAccount", MAX_USERS)
        if boundary:
            check_boundary(conn, account_id, boundary)
        user_id = ids.new_unique_id("AIDA")
        conn.execute(
            insert(u).values(
                user_id=user_id,
                account_id=account_id,
                name=name,
                name_key=name.lower(),
                path=path,
                arn=arn,
                permissions_boundary_arn=boundary or None,
                created_at=call.now,
            )
        )
        if tags:
            put_tags(conn, user_id, tags)
        row = conn.execute(select(u).where(u.c.user_id == user_id)).one()
        return {"User": user_view(conn, row, full=True)}


@operation(OPERATIONS, "GetUser")
def get_user(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        row = target_user(call, conn, "iam:GetUser")
        if row is not None:
            return {"User": user_view(conn, row, full=True)}
        # The root user: AWS answers with the account id as UserId and the root ARN, and
        # no UserName or Path (the root user has neither).
        account_id = account_of(call)
        acc = conn.execute(
            select(schema.accounts.c.created_at).where(schema.accounts.c.account_id == account_id)
        ).first()
        out: dict[str, Any] = {"UserId": account_id, "Arn": arns.root(account_id)}
        if acc is not None:
            out["CreateDate"] = acc.created_at
        return {"User": out}


@operation(OPERATIONS, "ListUsers")
def list_users(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        page, more = USER.page_under_path(call, conn, "iam:ListUsers")
        return {"Users": [user_view(conn, r, full=False) for r in page], **more}


@operation(OPERATIONS, "UpdateUser")
def update_user(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    account_id = account_of(call)
    exists = iam_errors.EntityAlreadyExists.user(str(p.get("NewUserName")))
    with write_unique(call, exists) as conn:
        row = USER.authorized(call, conn, "iam:UpdateUser", p["UserName"])
        new_name: str = p.get("NewUserName") or row.name
        new_path: str = p.get("NewPath") or row.path
        new_arn = arns.user(account_id, new_path, new_name)
        # "The requester must have appropriate permissions on both the source object and the
        # target object" (UpdateUser): a path-scoped grant must not move a user out of its path.
        authorize(call, "iam:UpdateUser", new_arn)
        if new_name.lower() != row.name_key and USER.find(conn, account_id, new_name) is not None:
            raise exists
        conn.execute(
            update(u)
            .where(u.c.user_id == row.user_id)
            .values(name=new_name, name_key=new_name.lower(), path=new_path, arn=new_arn)
        )
    return None


@operation(OPERATIONS, "DeleteUser")
def delete_user(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        row = USER.authorized(call, conn, "iam:DeleteUser", call.params["UserName"])
        uid = row.user_id
        # AWS refuses while anything still hangs off the user, one reason at a time. The
        # order AWS checks in is not documented; this one is the order the texts are most
        # often reported in (managed policies, inline policies, keys, groups, MFA, password).
        pa, ip, ak = schema.policy_attachments, schema.inline_policies, schema.access_keys
        conflict = iam_errors.DeleteConflict
        checks = [
            (select(pa.c.entity_id).where(pa.c.entity_id == uid), conflict.must_detach_policies),
            (select(ip.c.entity_id).where(ip.c.entity_id == uid), conflict.must_delete_inline_policies),
            (select(ak.c.access_key_id).where(ak.c.user_id == uid), conflict.must_delete_access_keys),
            (
                select(schema.group_members.c.user_id).where(schema.group_members.c.user_id == uid),
                conflict.must_remove_users_from_group,
            ),
            (
                select(schema.mfa_devices.c.serial_number).where(schema.mfa_devices.c.user_id == uid),
                conflict.must_delete_mfa_device,
            ),
            (
                select(schema.login_profiles.c.user_id).where(schema.login_profiles.c.user_id == uid),
                conflict.must_delete_login_profile,
            ),
            (
                select(schema.ssh_public_keys.c.key_id).where(schema.ssh_public_keys.c.user_id == uid),
                conflict.must_delete_ssh_public_keys,
            ),
            (
                select(schema.signing_certificates.c.certificate_id).where(
                    schema.signing_certificates.c.user_id == uid
                ),
                conflict.must_delete_signing_certificates,
            ),
            (
                select(schema.service_credentials.c.credential_id).where(schema.service_credentials.c.user_id == uid),
                conflict.must_delete_service_credentials,
            ),
        ]
        for query, refusal in checks:
            if conn.execute(query.limit(1)).first() is not None:
                raise refusal()
        drop_all_tags(conn, uid)
        conn.execute(delete(u).where(u.c.user_id == uid))
    return None


def _tagged_user(call: Call, conn: Connection, action: str) -> str:
    return str(USER.authorized(call, conn, action, call.params["UserName"]).user_id)


register_tag_operations("User", _tagged_user)


@operation(OPERATIONS, "PutUserPermissionsBoundary")
def put_user_permissions_boundary(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    arn: str = call.params["PermissionsBoundary"]
    with call.store.write() as conn:
        row = USER.authorized(call, conn, "iam:PutUserPermissionsBoundary", call.params["UserName"])
        check_boundary(conn, account_id, arn)
        conn.execute(update(u).where(u.c.user_id == row.user_id).values(permissions_boundary_arn=arn))
    return None


@operation(OPERATIONS, "DeleteUserPermissionsBoundary")
def delete_user_permissions_boundary(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        row = USER.authorized(call, conn, "iam:DeleteUserPermissionsBoundary", call.params["UserName"])
        # Removing a boundary the user does not have is not an error in AWS (unconfirmed;
        # the API reference lists only NoSuchEntity for a missing user).
        conn.execute(update(u).where(u.c.user_id == row.user_id).values(permissions_boundary_arn=None))
    return None
