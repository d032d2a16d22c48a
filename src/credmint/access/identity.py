"""The caller's identity policies, loaded once and compiled.

``PolicySource`` reads what the store holds about a principal's entity (a user
with its groups, or a role): inline and attached policies, permissions
boundary, tags. It caches the compiled result per entity and drops the entries a
change names (the entity, its groups, a managed policy it uses), so a changed policy
takes effect on the next request on this node, and on other nodes as soon as their
watcher sees the change (within the staleness bound, see ``store/db.py``).

A managed policy's default document is read through the ``default_document`` lookup
the node passes in (AWS managed policies are IAM's data, customer managed ones the
store's), so this module needs neither IAM's handlers nor their catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from credmint import errors, metrics
from credmint.policy import CompiledPolicy, compile_policy
from credmint.store import schema
from credmint.store.cache import TopicCache
from credmint.store.db import Store

#: Reads the default version's document of a managed policy (None if there is none).
DefaultDocument = Callable[[Connection, str], str | None]


@dataclass(frozen=True, slots=True)
class Identity:
    """What the store says about the IAM entity behind a principal."""

    exists: bool
    policies: tuple[CompiledPolicy, ...] = ()
    boundary: CompiledPolicy | None = None
    tags: tuple[tuple[str, str], ...] = ()
    #: Role sessions issued before this instant are refused ("revoke active sessions").
    revoke_before: datetime | None = None


_MISSING = Identity(exists=False)
#: A policy that allows nothing: it stands in for a stored policy that can only narrow (a
#: boundary, a scope-down policy) once that policy cannot be read or no longer compiles,
#: so that losing it never widens what a principal may do.
ALLOWS_NOTHING = compile_policy('{"Version":"2012-10-17","Statement":[]}', policy_id="allows-nothing")


def _compile(document: str, policy_id: str) -> CompiledPolicy | None:
    try:
        return compile_policy(document, policy_id=policy_id)
    except errors.AwsError:
        # Stored documents were validated on the way in; one that no longer
        # compiles grants nothing rather than failing every request.
        return None


class PolicySource:
    """Entity id -> compiled identity; managed policy ARN -> compiled default version.

    A user's identity depends on the user, its groups and the managed policies attached
    to any of them (boundary included); a change to anything else leaves it cached."""

    def __init__(self, store: Store, default_document: DefaultDocument) -> None:
        self._store = store
        self._default_document = default_document
        self._identities: TopicCache[str, Identity] = TopicCache(store)
        self._managed: TopicCache[str, CompiledPolicy | None] = TopicCache(store)

    def clear(self) -> None:
        self._identities.clear()
        self._managed.clear()

    def cached_identity(self, entity_id: str) -> Identity | None:
        hit, found = self._identities.peek(entity_id)
        if hit:
            metrics.POLICY_CACHE_HIT.inc()
        return found if hit else None

    def identity(self, kind: str, entity_id: str) -> Identity:
        """The compiled identity of a user (``kind="user"``) or role (``"role"``); blocking on a miss."""
        hit, found = self._identities.peek(entity_id)
        if hit and found is not None:
            metrics.POLICY_CACHE_HIT.inc()
            return found
        return self._identities.get(entity_id, lambda: self._read_identity(kind, entity_id))

    def managed(self, arn: str) -> CompiledPolicy | None:
        hit, found = self._managed.peek(arn)
        if hit:
            metrics.POLICY_CACHE_HIT.inc()
            return found
        return self._managed.get(arn, lambda: self._read_managed(arn))

    def _read_identity(self, kind: str, entity_id: str) -> tuple[Identity, frozenset[str]]:
        metrics.POLICY_CACHE_MISS.inc()
        depends: set[str] = {f"entity:{entity_id}"}
        with self._store.read() as conn:
            if kind == "user":
                ident = self._load_user(conn, entity_id, depends)
            else:
                ident = self._load_role(conn, entity_id, depends)
        return ident, frozenset(depends)

    def _read_managed(self, arn: str) -> tuple[CompiledPolicy | None, frozenset[str]]:
        metrics.POLICY_CACHE_MISS.inc()
        with self._store.read() as conn:
            return self._managed_policy(conn, arn), frozenset({f"policy:{arn}"})

    # --- loading --------------------------------------------------------------------------

    def _managed_policy(self, conn: Connection, arn: str) -> CompiledPolicy | None:
        doc = self._default_document(conn, arn)
        return _compile(doc, arn) if doc is not None else None

    def _entity_policies(self, conn: Connection, entity_ids: Sequence[str], depends: set[str]) -> list[CompiledPolicy]:
        ip, pa = schema.inline_policies, schema.policy_attachments
        out: list[CompiledPolicy] = []
        for name, document, entity in conn.execute(
            select(ip.c.name, ip.c.document, ip.c.entity_id).where(ip.c.entity_id.in_(entity_ids))
        ).all():
            compiled = _compile(document, f"{entity}:{name}")
            if compiled is not None:
                out.append(compiled)
        for (arn,) in conn.execute(select(pa.c.policy_arn).where(pa.c.entity_id.in_(entity_ids))).all():
            depends.add(f"policy:{arn}")
            compiled = self._managed_policy(conn, arn)
            if compiled is not None:
                out.append(compiled)
        return out

    def _boundary(self, conn: Connection, arn: str | None, depends: set[str]) -> CompiledPolicy | None:
        if not arn:
            return None
        depends.add(f"policy:{arn}")
        # IAM refuses to delete a policy that is a boundary; should one still be missing (or
        # no longer compile), the entity keeps a boundary, one that allows nothing.
        return self._managed_policy(conn, arn) or ALLOWS_NOTHING

    def _tags(self, conn: Connection, resource: str) -> tuple[tuple[str, str], ...]:
        t = schema.tags
        rows = conn.execute(select(t.c.key, t.c.value).where(t.c.resource == resource).order_by(t.c.position)).all()
        return tuple((k, v) for k, v in rows)

    def _load_user(self, conn: Connection, user_id: str, depends: set[str]) -> Identity:
        u, gm = schema.users, schema.group_members
        row = conn.execute(select(u.c.permissions_boundary_arn, u.c.account_id).where(u.c.user_id == user_id)).first()
        if row is None:
            return _MISSING
        depends.add(f"account:{row[1]}")
        groups = [g for (g,) in conn.execute(select(gm.c.group_id).where(gm.c.user_id == user_id)).all()]
        depends.update(f"entity:{g}" for g in groups)
        boundary = self._boundary(conn, row[0], depends)
        return Identity(
            exists=True,
            policies=tuple(self._entity_policies(conn, [user_id, *groups], depends)),
            boundary=boundary,
            tags=self._tags(conn, user_id),
        )

    def _load_role(self, conn: Connection, role_id: str, depends: set[str]) -> Identity:
        r = schema.roles
        row = conn.execute(
            select(r.c.permissions_boundary_arn, r.c.revoke_before, r.c.account_id).where(r.c.role_id == role_id)
        ).first()
        if row is None:
            return _MISSING
        depends.add(f"account:{row[2]}")
        boundary = self._boundary(conn, row[0], depends)
        return Identity(
            exists=True,
            policies=tuple(self._entity_policies(conn, [role_id], depends)),
            boundary=boundary,
            tags=self._tags(conn, role_id),
            revoke_before=row[1].replace(tzinfo=UTC) if row[1] is not None and row[1].tzinfo is None else row[1],
        )


#: The root user's identity: allowed everything its account may do. Explicit denies,
#: session policies and (across accounts) the resource's policy still apply.
ALLOW_ALL = Identity(
    exists=True,
    policies=(
        compile_policy(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
            policy_id="root",
        ),
    ),
)
