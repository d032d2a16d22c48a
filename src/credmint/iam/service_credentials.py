"""IAM: service-specific credentials — a user name and password for one service.

IAM issues them for CodeCommit (Git over HTTPS), Amazon Keyspaces and, as long-term API
keys with an optional age limit, Amazon Bedrock; at most two per user and service. The
password (or API key secret) is shown once, by Create and Reset, and kept only as a salted
scrypt hash (:func:`credmint.iam.passwords.hash_password`): whoever reads the database
learns no credential. credmint serves none of those services, so nothing here checks a
password; the credentials exist so that tools managing them see what AWS gives.

Formats follow AWS's published examples: ``<user>-at-<account>`` user names, 44-character
passwords, ``ACCA`` ids. The Bedrock alias and secret formats are not documented in full
and are credmint's own shape (``BedrockAPIKey-...``, ``ABSK`` secrets).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, insert, select, update

from credmint import arns, ids
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize, caller, paginate, settable_status
from credmint.iam.entities import USER
from credmint.iam.ops import OPERATIONS
from credmint.iam.passwords import hash_password
from credmint.iam.users import target_user
from credmint.store import schema

#: Services IAM issues service-specific credentials for; ``True`` marks the long-term API
#: key kind (alias and secret, CredentialAgeDays allowed).
SERVICES = {
    "codecommit.amazonaws.com": False,
    "cassandra.amazonaws.com": False,
    "bedrock.amazonaws.com": True,
}
MAX_PER_USER_AND_SERVICE = 2

sc = schema.service_credentials
u = schema.users


def _service(name: str) -> bool:
    if name not in SERVICES:
        # Unconfirmed wording.
        raise iam_errors.NotSupportedService(name)
    return SERVICES[name]


def _password() -> str:
    return base64.b64encode(secrets.token_bytes(33)).decode("ascii")  # 44 characters


def _secret(api_key: bool) -> str:
    return "ABSK" + base64.b64encode(secrets.token_bytes(96)).decode("ascii") if api_key else _password()


def _view(row: Row[Any], user_name: str, *, secret: str | None = None) -> dict[str, Any]:
    api_key = SERVICES.get(row.service_name, False)
    out: dict[str, Any] = {
        "UserName": user_name,
        "Status": row.status,
        "CreateDate": row.created_at,
        "ServiceSpecificCredentialId": row.credential_id,
        "ServiceName": row.service_name,
    }
    out["ServiceCredentialAlias" if api_key else "ServiceUserName"] = row.service_user_name
    if row.expires_at is not None:
        out["ExpirationDate"] = row.expires_at
    if secret is not None:
        out["ServiceCredentialSecret" if api_key else "ServicePassword"] = secret
    return out


def _user_required(user: Row[Any] | None) -> Row[Any]:
    if user is None:
        # The root user has no service-specific credentials (wording unconfirmed).
        raise iam_errors.ValidationError.user_name_required()
    return user


def _row(conn: Connection, user: Row[Any], credential_id: str) -> Row[Any]:
    row = conn.execute(select(sc).where(sc.c.credential_id == credential_id, sc.c.user_id == user.user_id)).first()
    if row is None:
        raise iam_errors.NoSuchEntity.service_credential(credential_id, user.name)
    return row


def _authorized_credential(call: Call, conn: Connection, action: str) -> tuple[Row[Any], Row[Any]]:
    """The user and credential a Reset/Update/Delete acts on, authorized on the user with
    ``iam:ServiceSpecificCredentialServiceName`` read from the stored credential (so a
    policy can confine a caller to one service's credentials). Authorization comes before
    any existence answer, as for every IAM call."""
    account_id = account_of(call)
    credential_id: str = call.params["ServiceSpecificCredentialId"]
    name: str | None = call.params.get("UserName")
    p = caller(call)
    if name:
        user = USER.find(conn, account_id, name)
        arn = USER.arn_for(account_id, user, name)
    elif p.kind == "user" and p.entity_id is not None:
        user = conn.execute(select(u).where(u.c.user_id == p.entity_id)).first()
        arn, name = p.arn, p.name
    else:
        raise iam_errors.ValidationError.user_name_required()
    found = (
        None
        if user is None
        else conn.execute(select(sc).where(sc.c.credential_id == credential_id, sc.c.user_id == user.user_id)).first()
    )
    stored = {"iam:ServiceSpecificCredentialServiceName": found.service_name} if found is not None else {}
    authorize(call, action, arn, stored=stored)
    if user is None:
        raise USER.not_found(name)
    return user, _row(conn, user, credential_id)


@operation(OPERATIONS, "CreateServiceSpecificCredential")
def create_service_specific_credential(call: Call) -> Mapping[str, Any] | None:
    service: str = call.params["ServiceName"]
    age_days: int | None = call.params.get("CredentialAgeDays")
    api_key = _service(service)
    if age_days is not None and not api_key:
        raise iam_errors.InvalidInput.credential_age_days(service)
    account_id = account_of(call)
    # scrypt costs tens of milliseconds: hashed before the write transaction, not in it.
    secret = _secret(api_key)
    secret_hash = hash_password(secret)
    with call.store.write() as conn:
        user = _user_required(target_user(call, conn, "iam:CreateServiceSpecificCredential"))
        held = conn.execute(
            select(sc.c.credential_id).where(sc.c.user_id == user.user_id, sc.c.service_name == service)
        ).all()
        if len(held) >= MAX_PER_USER_AND_SERVICE:
            raise iam_errors.LimitExceeded.quota(
                "ServiceSpecificCredentialsPerUserPerService", MAX_PER_USER_AND_SERVICE
            )
        credential_id = ids.new_unique_id("ACCA")
        prefix = f"BedrockAPIKey-{secrets.token_hex(2)}" if api_key else user.name
        login = f"{prefix}-at-{account_id}"
        conn.execute(
            insert(sc).values(
                credential_id=credential_id,
                account_id=account_id,
                user_id=user.user_id,
                service_name=service,
                service_user_name=login,
                secret_hash=secret_hash,
                status="Active",
                created_at=call.now,
                expires_at=None if age_days is None else call.now + timedelta(days=age_days),
            )
        )
        row = _row(conn, user, credential_id)
    return {"ServiceSpecificCredential": _view(row, user.name, secret=secret)}


@operation(OPERATIONS, "ListServiceSpecificCredentials")
def list_service_specific_credentials(call: Call) -> Mapping[str, Any] | None:
    service: str | None = call.params.get("ServiceName")
    if service is not None:
        _service(service)
    account_id = account_of(call)
    with call.store.read() as conn:
        cond = sc.c.account_id == account_id
        if call.params.get("AllUsers"):
            # Every user's credentials: authorized on all the account's users.
            authorize(call, "iam:ListServiceSpecificCredentials", arns.user(account_id, "/", "*"))
        else:
            user = target_user(call, conn, "iam:ListServiceSpecificCredentials")
            if user is None:  # the root user has none
                return {"ServiceSpecificCredentials": [], "IsTruncated": False}
            cond = and_(cond, sc.c.user_id == user.user_id)
        if service is not None:
            cond = and_(cond, sc.c.service_name == service)
        rows = conn.execute(
            select(sc, u.c.name.label("user_name"))
            .select_from(sc.join(u, u.c.user_id == sc.c.user_id))
            .where(cond)
            .order_by(sc.c.created_at, sc.c.credential_id)
        ).all()
    page, more = paginate(rows, call.params)
    return {"ServiceSpecificCredentials": [_view(r, r.user_name) for r in page], **more}


@operation(OPERATIONS, "ResetServiceSpecificCredential")
def reset_service_specific_credential(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        user, row = _authorized_credential(call, conn, "iam:ResetServiceSpecificCredential")
    # Hashed between the read and the write: scrypt must not hold the write transaction.
    secret = _secret(SERVICES.get(row.service_name, False))
    secret_hash = hash_password(secret)
    with call.store.write() as conn:
        done = conn.execute(
            update(sc)
            .where(sc.c.credential_id == row.credential_id, sc.c.user_id == user.user_id)
            .values(secret_hash=secret_hash)
        )
        if done.rowcount == 0:  # deleted in between
            raise iam_errors.NoSuchEntity.service_credential(row.credential_id, user.name)
    return {"ServiceSpecificCredential": _view(row, user.name, secret=secret)}


@operation(OPERATIONS, "UpdateServiceSpecificCredential")
def update_service_specific_credential(call: Call) -> Mapping[str, Any] | None:
    status = settable_status(call.params["Status"])
    with call.store.write() as conn:
        _user, row = _authorized_credential(call, conn, "iam:UpdateServiceSpecificCredential")
        conn.execute(update(sc).where(sc.c.credential_id == row.credential_id).values(status=status))
    return None


@operation(OPERATIONS, "DeleteServiceSpecificCredential")
def delete_service_specific_credential(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        _user, row = _authorized_credential(call, conn, "iam:DeleteServiceSpecificCredential")
        conn.execute(delete(sc).where(sc.c.credential_id == row.credential_id))
    return None
