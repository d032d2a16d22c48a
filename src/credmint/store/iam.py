"""IAM's lookups that the request path keeps in memory (no handler, no registration).

:class:`RoleCache` finds roles by account and name for the ``sts:AssumeRole*`` hot path,
with the trust policy, limits and tags assuming needs; the node owns one, emptied by the
store's change signal like the other caches.

:func:`create_organization_access_role` is the one write another service makes to IAM's
tables: the role Organizations creates in each new member account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from credmint import arns, ids
from credmint.ids import AccountId, UniqueId
from credmint.store import schema
from credmint.store.cache import TopicCache
from credmint.store.db import Store


@dataclass(frozen=True, slots=True)
class CachedRole:
    """What assuming a role needs of it: its trust policy, limits and tags."""

    role_id: UniqueId
    account_id: AccountId
    name: str
    path: str
    arn: str
    trust_policy: str
    max_session_duration: int
    #: The role's tags, for ``aws:ResourceTag/<k>`` / ``iam:ResourceTag/<k>`` in trust policies.
    tags: tuple[tuple[str, str], ...] = ()

    def resource_tag_keys(self) -> dict[str, str]:
        """The role's tags as the resource-tag keys of an ``sts:AssumeRole*`` request."""
        keys: dict[str, str] = {}
        for k, v in self.tags:
            keys[f"aws:ResourceTag/{k}"] = v
            keys[f"iam:ResourceTag/{k}"] = v
        return keys


class RoleCache:
    """Roles by (account, lower-cased name), for AssumeRole's hot path.

    Emptied by the store's change signal like the credential cache, so a trust policy,
    a maximum session duration or a deleted role takes effect on the next request here
    and within the change signal's delay on other nodes."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._rows: TopicCache[tuple[str, str], CachedRole | None] = TopicCache(store)

    def clear(self) -> None:
        self._rows.clear()

    def get(self, account_id: str, name: str) -> CachedRole | None:
        key = (account_id, name.lower())
        return self._rows.get(key, lambda: self._read(*key))

    def _read(self, account_id: str, name_key: str) -> tuple[CachedRole | None, frozenset[str]]:
        r, t = schema.roles, schema.tags
        with self._store.read() as conn:
            found = conn.execute(
                select(
                    r.c.role_id,
                    r.c.account_id,
                    r.c.name,
                    r.c.path,
                    r.c.arn,
                    r.c.trust_policy,
                    r.c.max_session_duration,
                ).where(r.c.account_id == account_id, r.c.name_key == name_key)
            ).first()
            row = None
            if found is not None:
                tags = conn.execute(
                    select(t.c.key, t.c.value).where(t.c.resource == found.role_id).order_by(t.c.position)
                ).all()
                row = CachedRole(*found, tags=tuple((k, v) for k, v in tags))
        # A role created under this name changes its account (the roles rule says so); its
        # tags are keyed by its id, so a tag change names the role's entity.
        topics = {f"account:{account_id}"}
        if row is not None:
            topics.add(f"entity:{row.role_id}")
        return row, frozenset(topics)


_ADMIN_INLINE_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


def create_organization_access_role(
    conn: Connection, account_id: str, role_name: str, management_account_id: str, now: datetime
) -> None:
    """The role Organizations creates in a new member account (CreateAccount's ``RoleName``):
    trusted by the management account, with an inline policy named AdministratorAccess that
    allows everything, as AWS creates it. Organizations writes IAM's tables only through here."""
    role_id = ids.new_unique_id("AROA")
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": arns.root(management_account_id)},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
        separators=(",", ":"),
    )
    conn.execute(
        insert(schema.roles).values(
            role_id=role_id,
            account_id=account_id,
            name=role_name,
            name_key=role_name.lower(),
            path="/",
            arn=arns.role(account_id, "/", role_name),
            trust_policy=trust,
            max_session_duration=3600,
            created_at=now,
        )
    )
    conn.execute(
        insert(schema.inline_policies).values(
            entity_id=role_id,
            name_key="administratoraccess",
            name="AdministratorAccess",
            account_id=account_id,
            entity_type="role",
            document=_ADMIN_INLINE_POLICY,
        )
    )
