"""IAM: long-term access keys of users and of the root user.

Secrets are stored sealed under the master key, bound to the key id, and shown once (in
CreateAccessKey's answer). Every change goes through ``Store.write()``, whose commit
empties the credential cache, so a deactivated or deleted key is refused by the very
next request on this node (and on others within the change watcher's interval).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row, insert, select

from credmint import arns, ids
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize, paginate
from credmint.iam.ops import OPERATIONS
from credmint.iam.user_credentials import CredentialType
from credmint.iam.users import target_user
from credmint.store import schema

k = schema.access_keys

#: Access keys per user (and per root user), §7.5.
MAX_KEYS_PER_USER = 2


ACCESS_KEYS = CredentialType(
    k, "access_key_id", "AccessKeyId", "created_at", iam_errors.NoSuchEntity.access_key, "AccessKey"
)


def _metadata(row: Row[Any], user: Row[Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AccessKeyId": row.access_key_id,
        "Status": row.status,
        "CreateDate": row.created_at,
    }
    # The root user has no user name; its keys are listed without one (AWS's exact
    # behaviour for root keys is unconfirmed).
    if user is not None:
        out["UserName"] = user.name
    return out


@operation(OPERATIONS, "CreateAccessKey")
def create_access_key(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    with call.store.write() as conn:
        user = target_user(call, conn, "iam:CreateAccessKey")
        if ACCESS_KEYS.count(conn, account_id, user) >= MAX_KEYS_PER_USER:
            raise iam_errors.LimitExceeded.quota("AccessKeysPerUser", MAX_KEYS_PER_USER)
        while True:
            key_id = ids.new_access_key_id(account_id, temporary=False)
            # 39 random bits: a clash is practically impossible but cheap to rule out.
            if conn.execute(select(k.c.access_key_id).where(k.c.access_key_id == key_id)).first() is None:
                break
        secret = ids.new_secret_access_key()
        conn.execute(
            insert(k).values(
                access_key_id=key_id,
                account_id=account_id,
                user_id=None if user is None else user.user_id,
                secret_sealed=call.master.seal(secret.encode(), key_id.encode()),
                status="Active",
                created_at=call.now,
            )
        )
    out: dict[str, Any] = {
        "AccessKeyId": key_id,
        "Status": "Active",
        "SecretAccessKey": secret,
        "CreateDate": call.now,
    }
    if user is not None:
        out["UserName"] = user.name
    return {"AccessKey": out}


@operation(OPERATIONS, "ListAccessKeys")
def list_access_keys(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    with call.store.read() as conn:
        user = target_user(call, conn, "iam:ListAccessKeys")
        rows = ACCESS_KEYS.listed(conn, account_id, user)
    page, more = paginate(rows, call.params)
    return {"AccessKeyMetadata": [_metadata(r, user) for r in page], **more}


ACCESS_KEYS.register_update_and_delete()


@operation(OPERATIONS, "GetAccessKeyLastUsed")
def get_access_key_last_used(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    key_id: str = call.params["AccessKeyId"]
    # Uses are recorded in memory on the request path; write them first so a key used a
    # moment ago (this node) reports it.
    call.last_used.flush(call.store)
    u = schema.users
    with call.store.read() as conn:
        row = conn.execute(
            select(k, u.c.name.label("user_name"), u.c.arn.label("user_arn"))
            .select_from(k.outerjoin(u, u.c.user_id == k.c.user_id))
            .where(k.c.access_key_id == key_id, k.c.account_id == account_id)
        ).first()
    # The resource is the key's owner; an unknown key is checked against the account's
    # root ARN so the answer to a denied caller does not reveal whether the key exists.
    owner_arn = row.user_arn if row is not None and row.user_arn else arns.root(account_id)
    authorize(call, "iam:GetAccessKeyLastUsed", owner_arn)
    if row is None:
        raise ACCESS_KEYS.not_found(key_id)
    last: dict[str, Any]
    if row.last_used_at is None:
        # AWS's answer for a key never used: N/A for service and region, no date.
        last = {"ServiceName": "N/A", "Region": "N/A"}
    else:
        last = {
            "LastUsedDate": row.last_used_at,
            "ServiceName": row.last_used_service or "N/A",
            "Region": row.last_used_region or "N/A",
        }
    out: dict[str, Any] = {"AccessKeyLastUsed": last}
    if row.user_name is not None:
        out["UserName"] = row.user_name
    return out
