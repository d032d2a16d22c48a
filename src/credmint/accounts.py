"""Accounts and their root users: bootstrap on first start, ``credmint account ...``."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from credmint import ids
from credmint.sealing import MasterKey
from credmint.store import schema
from credmint.store.db import Store

BOOTSTRAP_MARK = "bootstrapped"


class AccountError(Exception):
    """A command-line mistake (duplicate or malformed account id)."""


@dataclass(frozen=True)
class RootCredentials:
    account_id: str
    access_key_id: str
    secret_access_key: str


def create_account(
    store: Store,
    master: MasterKey,
    now: datetime,
    *,
    account_id: str | None = None,
    name: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
) -> RootCredentials:
    """Create an account and one access key for its root user, in one transaction."""
    with store.write() as conn:
        return _create_account(
            conn,
            master,
            now,
            account_id=account_id,
            name=name,
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
        )


def _create_account(
    conn: Connection,
    master: MasterKey,
    now: datetime,
    *,
    account_id: str | None,
    name: str | None,
    access_key_id: str | None,
    secret_access_key: str | None,
) -> RootCredentials:
    account_id = account_id or ids.new_account_id()
    if not (len(account_id) == 12 and account_id.isdigit()):
        raise AccountError(f"account id must be 12 digits, got {account_id!r}")
    access_key_id = access_key_id or ids.new_access_key_id(account_id, temporary=False)
    secret_access_key = secret_access_key or ids.new_secret_access_key()
    if conn.execute(select(schema.accounts.c.account_id).where(schema.accounts.c.account_id == account_id)).first():
        raise AccountError(f"account {account_id} already exists")
    if conn.execute(
        select(schema.access_keys.c.access_key_id).where(schema.access_keys.c.access_key_id == access_key_id)
    ).first():
        raise AccountError(f"access key {access_key_id} already exists")
    conn.execute(
        insert(schema.accounts).values(
            account_id=account_id,
            name=name or f"account-{account_id}",
            canonical_user_id=hashlib.sha256(account_id.encode() + secrets.token_bytes(16)).hexdigest(),
            created_at=now,
        )
    )
    conn.execute(
        insert(schema.access_keys).values(
            access_key_id=access_key_id,
            account_id=account_id,
            user_id=None,
            secret_sealed=master.seal(secret_access_key.encode(), access_key_id.encode()),
            status="Active",
            created_at=now,
        )
    )
    return RootCredentials(account_id, access_key_id, secret_access_key)


def is_bootstrapped(store: Store) -> bool:
    with store.read() as conn:
        return conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == BOOTSTRAP_MARK)).first() is not None


def bootstrap(
    store: Store,
    master: MasterKey,
    now: datetime,
    *,
    account_id: str | None,
    access_key_id: str | None,
    secret_access_key: str | None,
) -> RootCredentials | None:
    """Create the default account once; ``None`` when the store was already bootstrapped."""
    with store.write() as conn:
        if conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == BOOTSTRAP_MARK)).first():
            return None
        creds = _create_account(
            conn,
            master,
            now,
            account_id=account_id,
            name="default",
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
        )
        conn.execute(insert(schema.meta).values(key=BOOTSTRAP_MARK, value=creds.account_id))
        conn.execute(insert(schema.meta).values(key="default_account", value=creds.account_id))
    return creds


def list_accounts(store: Store) -> list[tuple[str, str, datetime]]:
    with store.read() as conn:
        rows = conn.execute(
            select(schema.accounts.c.account_id, schema.accounts.c.name, schema.accounts.c.created_at).order_by(
                schema.accounts.c.created_at
            )
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]
