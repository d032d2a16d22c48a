"""The ACL a request states (canned, grant headers, or an AccessControlPolicy body), parsed
by ``s3.acl`` with the owner's and grantees' canonical ids looked up in the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from credmint.s3 import acl
from credmint.s3 import errors as s3_errors
from credmint.s3.context import S3Context
from credmint.store import schema


def account_owner(ctx: S3Context, account_id: str) -> dict[str, str]:
    """``{"ID": canonical id, "DisplayName": name}`` of an account."""
    a = schema.accounts
    with ctx.store.read() as conn:
        row = conn.execute(select(a.c.canonical_user_id, a.c.name).where(a.c.account_id == account_id)).first()
    return {"ID": row[0], "DisplayName": row[1]} if row else {"ID": account_id}


def resolve_canonical(ctx: S3Context) -> acl.Resolve:
    def resolve(canonical_id: str) -> str | None:
        a = schema.accounts
        with ctx.store.read() as conn:
            found = conn.execute(select(a.c.account_id).where(a.c.canonical_user_id == canonical_id)).scalar()
        return None if found is None else str(found)

    return resolve


def grant_headers(ctx: S3Context) -> list[tuple[str, str]]:
    return [(name, value) for name, value in ctx.req.headers if name.lower() in acl.GRANT_HEADERS]


def requested_acl(
    ctx: S3Context, owner_account: str, bucket_account: str, *, body_allowed: bool
) -> dict[str, Any] | None:
    """The ACL a request states (canned, grant headers, or an AccessControlPolicy body when
    ``body_allowed``), owned by ``owner_account``; None if it states none."""
    canned = ctx.header("x-amz-acl")
    grants = grant_headers(ctx)
    body = ctx.body.strip() if body_allowed else b""
    if canned is not None and grants:
        raise s3_errors.InvalidRequest.canned_and_grants()
    if body and (canned is not None or grants):
        raise s3_errors.UnexpectedContent()
    owner_id = account_owner(ctx, owner_account)["ID"]
    if canned is not None:
        return acl.from_canned(
            canned.strip(), owner_id, owner_account, (account_owner(ctx, bucket_account)["ID"], bucket_account)
        )
    if grants:
        return acl.from_grant_headers(grants, owner_id, owner_account, resolve_canonical(ctx))
    if body:
        return acl.from_xml(body, owner_id, owner_account, resolve_canonical(ctx))
    return None
