"""Everything a running node holds: settings, store, keys, caches.

Built once per process by the server. The credential lookup here is the one
read at the edge of the request path: a long-term key comes from an in-memory
cache whose entries the store's change signal drops when it names them; a temporary key is opened from
its sealed session token without any read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import select

from credmint import actions, authz, errors, metrics, orgs
from credmint.api import Call
from credmint.audit.recorder import AuditRecorder
from credmint.clock import Clock, SystemClock
from credmint.federation.jwks import JwksCache
from credmint.iam.lastaccessed import ROOT_ENTITY, AccessRecorder
from credmint.iam.lastused import LastUsedRecorder
from credmint.mfa.attempts import AttemptLimits
from credmint.policy import CompiledPolicy, compile_policy
from credmint.principal import Principal, PrincipalKind, root_arn
from credmint.sealing import MasterKey
from credmint.settings import Settings
from credmint.store import schema
from credmint.store.cache import TopicCache
from credmint.store.db import Store
from credmint.sts.keystore import holder_for
from credmint.sts.throttle import IssuanceThrottle
from credmint.sts.tokens import IssuingCall, SessionClaims

log = logging.getLogger("credmint.runtime")

#: Stands in for a stored policy that no longer compiles where it may only narrow.
_ALLOWS_NOTHING = compile_policy('{"Version":"2012-10-17","Statement":[]}', policy_id="session")


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
                kind="root",
                account_id=account_id,
                arn=root_arn(account_id),
                user_id=account_id,
                name="",
                access_key_id=access_key_id,
            )
        else:
            topics.add(f"entity:{user_id}")
            principal = Principal(
                kind="user",
                account_id=account_id,
                arn=arn,
                user_id=user_id,
                name=user_name,
                access_key_id=access_key_id,
                entity_id=user_id,
            )
        return KeyEntry(secret, principal, status == "Active"), frozenset(topics)


def session_principal(claims: SessionClaims) -> Principal:
    """The principal a sealed session token names, without any read."""
    kind = claims.principal_kind.value
    entity_id: str | None
    if kind == "assumed-role":
        entity_id = claims.principal_id.split(":", 1)[0]
    elif kind == "user":
        entity_id = claims.principal_id
    elif kind == "federated-user":
        entity_id = claims.federation_map.get("entity_id")
    else:
        entity_id = None
    name = claims.session_name or ""
    if kind == "user":
        name = claims.principal_arn.rsplit("/", 1)[-1]
    elif kind == "federated-user":
        name = claims.principal_arn.split(":federated-user/", 1)[-1]
    return Principal(
        kind=cast(PrincipalKind, kind),
        account_id=claims.account_id,
        arn=claims.principal_arn,
        user_id=claims.principal_id,
        name=name,
        access_key_id=claims.access_key_id,
        entity_id=entity_id,
        session=claims,
    )


class Runtime:
    def __init__(self, settings: Settings, store: Store, master: MasterKey, clock: Clock | None = None) -> None:
        self.settings = settings
        self.store = store
        self.master = master
        self.clock: Clock = clock or SystemClock()
        self.credentials = CredentialCache(store, master)
        self.policies = authz.PolicySource(store)
        self.last_used = LastUsedRecorder()
        #: Service last accessed data (the access advisor), batched like ``last_used``.
        self.last_accessed = AccessRecorder()
        self.audit = AuditRecorder(settings, store, self.clock)
        self.throttle = IssuanceThrottle.from_settings(settings)
        #: Built here so that a bad setting stops the node at start, not each MFA call.
        self.mfa_limits = AttemptLimits(
            backoff_after=settings.mfa_backoff_after,
            backoff_base_seconds=settings.mfa_backoff_base_seconds,
            lockout_after=settings.mfa_lockout_after,
            lockout_seconds=settings.mfa_lockout_seconds,
        )
        #: OIDC providers' verification keys, fetched on their own bounded executor.
        self.jwks = JwksCache(allow_private_networks=settings.federation_allow_private_networks)
        self._resource_policies: dict[tuple[str, str], CompiledPolicy] = {}

    def now(self) -> datetime:
        return self.clock.now()

    def open_session(self, token: str, access_key_id: str) -> SessionClaims:
        """Open a session token sealed by any node (raises InvalidClientTokenId / ExpiredToken)."""
        return holder_for(self).open(token, access_key_id, self.now())

    def session_open_reads(self, token: str) -> bool:
        """Whether :meth:`open_session` would read the store for ``token`` now."""
        return holder_for(self).reads_for(token, self.now())

    def authorize(
        self,
        call: Call,
        action: str,
        resource: str = "*",
        *,
        resource_policy: str | None = None,
        resource_account: str | None = None,
        extra_keys: Mapping[str, str | Sequence[str]] | None = None,
    ) -> None:
        """Allow ``action`` on ``resource`` for the caller, or raise ``AccessDenied``.

        ``resource_policy`` is the JSON text of the resource-based policy that takes
        part (a bucket policy; a role's trust policy for ``sts:AssumeRole*``), and
        ``resource_account`` the account owning the resource (default: the caller's).
        ``extra_keys`` are the request's service-specific condition keys
        (``sts:ExternalId``, ``s3:prefix``, ``aws:RequestTag/...``). An unsigned
        caller (``call.principal is None``) is evaluated as AWS's anonymous principal:
        only a resource policy granting ``*`` can let it through.
        """
        if call.service in ("iam", "sts"):
            listed = actions.allowed_actions(call.service, call.operation)
            if listed is None or action not in listed:
                # A handler and credmint.actions disagree: a bug, never a silent allow.
                log.error("%s %s authorized with unlisted action %s", call.service, call.operation, action)
                raise errors.internal_failure()
        p = call.principal
        resource_account = resource_account or (p.account_id if p is not None else None)
        compiled_resource = self._resource_policy(resource_policy, action)
        principal_account = p.account_id if p is not None else None
        scps, rcps = orgs.control_policies(self.store, principal_account, resource_account, action)
        org_keys = orgs.organization_keys(self.store, principal_account, resource_account)
        if org_keys:
            extra_keys = {**org_keys, **(extra_keys or {})}
        if p is None:
            ctx = authz.anonymous_context(
                call.request, action, resource, resource_account, call.now, extra_keys, region=call.region
            )
            decision = authz.evaluate_anonymous(ctx, compiled_resource, rcps=rcps)
            if not decision.allowed:
                raise authz.denial(
                    self.master, decision, ctx, encoded=call.service not in authz.PLAIN_DENIAL_SERVICES
                )
            return
        identity = self._identity(p)
        ctx = authz.build_context(
            p,
            identity,
            call.request,
            action=action,
            resource=resource,
            resource_account=resource_account,
            region=call.region,
            now=call.now,
            extra_keys=extra_keys,
        )
        decision = authz.decide(
            ctx,
            identity,
            resource_policy=compiled_resource,
            session=self._session_policies(p),
            scps=scps,
            rcps=rcps,
            scopes=self._scope_policies(p),
        )
        self._record_attempt(p, action, call.region, call.now)
        if decision.allowed:
            return
        raise authz.denial(
            self.master,
            decision,
            ctx,
            short=action.startswith("sts:AssumeRole"),
            encoded=call.service not in authz.PLAIN_DENIAL_SERVICES,
        )

    def _record_attempt(self, p: Principal, action: str, region: str, now: datetime) -> None:
        """Note the attempt for the access advisor: a user's or role's (any of its sessions,
        reported under the role's ARN) or the root user's; federated users have no IAM
        entity of their own and are not recorded."""
        if p.is_root:
            self.last_accessed.record(p.account_id, ROOT_ENTITY, p.arn, action, region, now)
        elif p.entity_id is not None:
            role_arn = p.session.role_arn if p.session is not None else None
            self.last_accessed.record(p.account_id, p.entity_id, role_arn or p.arn, action, region, now)

    # --- the pieces authorize() needs -----------------------------------------------------

    def _resource_policy(self, text: str | None, action: str) -> CompiledPolicy | None:
        if text is None:
            return None
        return self._compiled("trust" if action.lower().startswith("sts:assumerole") else "resource", text)

    def _compiled(self, kind: str, text: str) -> CompiledPolicy | None:
        """A resource, trust or session policy compiled once; None if it does not compile
        (it was validated on the way in, so it then grants nothing)."""
        found = self._resource_policies.get((kind, text))
        if found is None:
            try:
                found = compile_policy(text, policy_id=kind)
            except errors.AwsError:
                return None
            if len(self._resource_policies) > 4096:
                # Bounded: bucket, trust and session policies come in unbounded variety.
                self._resource_policies.clear()
            self._resource_policies[(kind, text)] = found
        return found

    def _identity(self, p: Principal) -> authz.Identity | None:
        """The identity policies that apply to the caller."""
        if p.kind == "root":
            return authz.ALLOW_ALL
        if p.kind == "federated-user":
            s = p.session
            if s is None or (s.assumed_by_arn or "").endswith(":root"):
                # A federated user created by root: bounded by its session policies only.
                return authz.ALLOW_ALL
        if p.entity_id is None:
            return None
        return self.policies.identity("role" if p.kind == "assumed-role" else "user", p.entity_id)

    def _scope_policies(self, p: Principal) -> tuple[CompiledPolicy, ...]:
        """GetScopedCredentials' scope-down policies. Each was validated when the session was
        minted; one that no longer compiles is kept as a policy that allows nothing, so a
        scope can only ever narrow."""
        s = p.session
        if s is None or not s.scope_policies:
            return ()
        return tuple(self._compiled("session", text) or _ALLOWS_NOTHING for text in s.scope_policies)

    def _session_policies(self, p: Principal) -> tuple[CompiledPolicy, ...] | None:
        s = p.session
        if s is not None and s.kind is IssuingCall.ASSUME_ROOT:
            from credmint.sts.assume_root import task_session_policies

            return task_session_policies(self.policies, s)
        if s is None or p.kind in ("root", "user"):
            # GetSessionToken sessions carry no session policies.
            return None
        if p.kind == "assumed-role" and not s.session_policy and not s.policy_arns:
            return None
        policies: list[CompiledPolicy] = []
        if s.session_policy:
            compiled = self._compiled("session", s.session_policy)
            if compiled is not None:
                policies.append(compiled)
        for arn in s.policy_arns:
            managed = self.policies.managed(arn)
            if managed is not None:
                policies.append(managed)
        # A federated user without session policies gets an empty list: AWS denies everything
        # (and so does a session whose policies cannot be loaded).
        return tuple(policies)
