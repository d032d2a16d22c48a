"""Long-term access keys at the edge: access key id -> secret and principal.

The one read of the request path for a long-term key: an in-memory cache whose entries
the store's change signal drops when it names them (the key, its user, its account).
Temporary keys never come here: their sealed session token names the principal.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from credmint import arns, metrics
from credmint.access.principal import Principal, PrincipalKind
from credmint.ids import AccessKeyId
from credmint.sealing import MasterKey
from credmint.store import schema
from credmint.store.cache import TopicCache
from credmint.store.db import Store


@dataclass(frozen=True, slots=True)
class KeyEntry:
    secret: str
    principal: Principal
    active: bool


class CredentialCache:
    """Access key id -> secret and principal, for long-term keys.

    Each entry depends on its key, its user and its account, so a change to another
    user's tags or policies leaves it in place (:mod:`credmint.store.cache`)."""

    def __init__(self, store: Store, master: MasterKey) -> None:
        self._store = store
        self._master = master
        self._cache: TopicCache[str, KeyEntry | None] = TopicCache(store)

    def clear(self) -> None:
        self._cache.clear()

    def cached(self, access_key_id: str) -> KeyEntry | bool | None:
        """The entry, ``None`` if known not to exist, ``False`` if not cached (or not
        trusted now)."""
        hit, entry = self._cache.peek(access_key_id)
        if hit:
            metrics.CREDENTIAL_CACHE_HIT.inc()
        return entry if hit else False

    def load(self, access_key_id: str) -> KeyEntry | None:
        """Read one key from the store (blocking; one read for concurrent misses)."""
        return self._cache.get(access_key_id, lambda: self._read(access_key_id))

    def _read(self, access_key_id: str) -> tuple[KeyEntry | None, frozenset[str]]:
        metrics.CREDENTIAL_CACHE_MISS.inc()
        k = schema.access_keys
        u = schema.users
        with self._store.read() as conn:
            row = conn.execute(
                select(k.c.account_id, k.c.user_id, k.c.secret_sealed, k.c.status, u.c.name, u.c.arn)
                .select_from(k.outerjoin(u, u.c.user_id == k.c.user_id))
                .where(k.c.access_key_id == access_key_id)
            ).first()
        topics = {f"key:{access_key_id}"}
        if row is None:
            return None, frozenset(topics)
        account_id, user_id, sealed, status, user_name, arn = row
        topics.add(f"account:{account_id}")
        secret = self._master.open(sealed, access_key_id.encode()).decode()
        if user_id is None:
            principal = Principal(
                kind=PrincipalKind.ROOT,
                account_id=account_id,
                arn=arns.root(account_id),
                user_id=account_id,
                name="",
                access_key_id=AccessKeyId(access_key_id),
            )
        else:
            topics.add(f"entity:{user_id}")
            principal = Principal(
                kind=PrincipalKind.USER,
                account_id=account_id,
                arn=arn,
                user_id=user_id,
                name=user_name,
                access_key_id=AccessKeyId(access_key_id),
                entity_id=user_id,
            )
        return KeyEntry(secret, principal, status == "Active"), frozenset(topics)
