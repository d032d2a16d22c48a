"""Authorization at request time: the caller's policies, loaded once and compiled, then the engine.

``PolicySource`` reads what the store holds about a principal's entity (a user
with its groups, or a role): inline and attached policies, permissions
boundary, tags. It caches the compiled result per entity and drops the entries a
change names (the entity, its groups, a managed policy it uses), so a changed policy
takes effect on the next request on this node, and on other nodes as soon as their
watcher sees the change (within the staleness bound, see ``store/db.py``).

``build_context`` turns a principal and a request into the engine's
``RequestContext``; ``decide`` runs the engine with AWS's root-user rule.
The denial message carries an encoded authorization message, sealed by the
server, that ``sts:DecodeAuthorizationMessage`` opens.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from credmint import errors, metrics
from credmint.httpreq import HttpRequest
from credmint.policy import (
    CompiledPolicy,
    Decision,
    PrincipalInfo,
    RequestContext,
    access_denied_message,
    compile_policy,
    evaluate,
    global_condition_keys,
    normalize_keys,
)
from credmint.principal import Principal
from credmint.sealing import MasterKey, UnsealError
from credmint.store import schema
from credmint.store.cache import TopicCache
from credmint.store.db import Store
from credmint.sts.tokens import IssuingCall, SessionClaims

#: Associated data binding encoded authorization messages to their purpose.
_MESSAGE_AAD = b"credmint/authorization-message/v1"


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

    def __init__(self, store: Store) -> None:
        self._store = store
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
        from credmint.iam.policies import default_document

        doc = default_document(conn, arn)
        return _compile(doc, arn) if doc is not None else None

    def _entity_policies(
        self, conn: Connection, entity_ids: Sequence[str], depends: set[str]
    ) -> list[CompiledPolicy]:
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
        return self._managed_policy(conn, arn)

    def _tags(self, conn: Connection, resource: str) -> tuple[tuple[str, str], ...]:
        t = schema.tags
        rows = conn.execute(select(t.c.key, t.c.value).where(t.c.resource == resource).order_by(t.c.position)).all()
        return tuple((k, v) for k, v in rows)

    def _load_user(self, conn: Connection, user_id: str, depends: set[str]) -> Identity:
        u, gm = schema.users, schema.group_members
        row = conn.execute(
            select(u.c.permissions_boundary_arn, u.c.account_id).where(u.c.user_id == user_id)
        ).first()
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


# --- the principal in the engine's terms --------------------------------------------------


def principal_info(p: Principal) -> PrincipalInfo:
    s = p.session
    if p.kind == "root":
        return PrincipalInfo(arn=p.arn, type="Account", account=p.account_id, unique_id=p.user_id)
    if p.kind == "user":
        return PrincipalInfo(arn=p.arn, type="User", account=p.account_id, unique_id=p.user_id, username=p.name)
    if p.kind == "assumed-role":
        source = s.role_arn if s is not None else None
        return PrincipalInfo(
            arn=p.arn,
            type="AssumedRole",
            account=p.account_id,
            unique_id=p.user_id,
            source_arn=source,
            source_id=p.entity_id,
        )
    source = s.assumed_by_arn if s is not None else None
    return PrincipalInfo(
        arn=p.arn,
        type="FederatedUser",
        account=p.account_id,
        unique_id=p.user_id,
        source_arn=source,
        source_id=p.entity_id,
    )


def _federation_keys(s: SessionClaims | None) -> dict[str, str | list[str]]:
    """The condition keys a SAML or web-identity session keeps for later requests.

    Federation facts whose names carry a ``:`` are condition keys (``saml:sub``,
    ``<provider>:aud``, ``aws:FederatedProvider``); ``amr`` values are JSON lists.
    """
    if s is None or not s.federation:
        return {}
    out: dict[str, str | list[str]] = {}
    for name, value in s.federation:
        if ":" not in name:
            continue
        if name.endswith(":amr") and value.startswith("["):
            try:
                out[name] = [str(v) for v in json.loads(value)]
                continue
            except ValueError:
                pass
        out[name] = value
    return out


def build_context(
    p: Principal,
    identity: Identity | None,
    request: HttpRequest,
    *,
    action: str,
    resource: str,
    resource_account: str | None,
    region: str,
    now: datetime,
    extra_keys: Mapping[str, str | Sequence[str]] | None,
) -> RequestContext:
    s = p.session
    tags: dict[str, str] = dict(identity.tags) if identity is not None and s is None else {}
    if s is not None:
        # A session's principal tags: the role's own tags, overridden by session tags.
        tags = dict(identity.tags) if identity is not None and p.kind == "assumed-role" else {}
        tags.update(dict(s.session_tags))
    mfa_present: bool | None = None
    mfa_at: datetime | None = None
    issue: datetime | None = None
    if s is not None:
        mfa_present = s.mfa_authenticated
        mfa_at = datetime.fromtimestamp(s.mfa_auth_time, UTC) if s.mfa_auth_time is not None else None
        issue = datetime.fromtimestamp(s.issued_at, UTC)
    info = principal_info(p)
    keys = global_condition_keys(
        info,
        now=now,
        source_ip=request.client_ip,
        secure_transport=request.secure,
        requested_region=region,
        user_agent=request.header("user-agent"),
        referer=request.header("referer"),
        mfa_present=mfa_present,
        mfa_authenticated_at=mfa_at,
        token_issue_time=issue,
        source_identity=s.source_identity if s is not None else None,
        principal_tags=tags,
    )
    account = resource_account or p.account_id
    keys["aws:resourceaccount"] = (account,)
    if s is not None and s.kind is IssuingCall.ASSUME_ROOT:
        keys["aws:assumedroot"] = ("true",)
    # The global keys come back normalized already; only the request's own keys need it.
    multi: frozenset[str] = frozenset()
    extra = {**_federation_keys(s), **dict(extra_keys or {})}
    if extra:
        normalized, multi = normalize_keys(extra)
        keys.update(normalized)
    return RequestContext(info, action, resource, account, keys, multi)


# --- encoded authorization messages ---------------------------------------------------------


def encode_message(master: MasterKey, decision: Decision, ctx: RequestContext) -> str:
    """The ``Encoded authorization failure message``: AWS's JSON, sealed by the server."""

    def items(values: Sequence[Any]) -> dict[str, Any]:
        return {"items": list(values)}

    matched = [
        {
            "statementId": m.sid or "",
            "effect": m.effect.upper(),
            "principals": items([]),
            "principalGroups": items([]),
            # AWS's documented example lists the statement's actions and resources.
            "actions": items([{"value": a} for a in m.actions]),
            "resources": items([{"value": r} for r in m.resources]),
            "conditions": items([]),
            "policyType": m.policy_type,
            "policyId": m.policy_id,
        }
        for m in decision.matched_statements
    ]
    body = {
        "allowed": decision.allowed,
        "explicitDeny": decision.explicit_deny,
        "matchedStatements": items(matched),
        "failures": items([]),
        "context": {
            "principal": {"id": ctx.principal.unique_id or "", "arn": ctx.principal.arn},
            # AWS's documented example names the action without its service prefix.
            "action": ctx.action.split(":", 1)[-1],
            "resource": ctx.resource,
            "conditions": items(
                [{"key": k, "values": items([{"value": v} for v in vs])} for k, vs in sorted(ctx.keys.items())]
            ),
        },
    }
    sealed = master.seal(json.dumps(body, separators=(",", ":")).encode(), _message_aad(ctx.principal.account))
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def _message_aad(account: str | None) -> bytes:
    """A message is bound to the account whose call was denied.

    It names the caller, its unique id, tags and source IP: only that account may
    read it (AWS: a caller decodes messages of its own account only). An anonymous
    caller has no account; its messages bind to the empty name, which no caller of
    DecodeAuthorizationMessage has, so no one can open them.
    """
    return _MESSAGE_AAD + b"/" + (account or "").encode()


def decode_message(master: MasterKey, encoded: str, account: str) -> str | None:
    """The JSON text inside an encoded message of ``account``, or ``None`` if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        return master.open(raw, _message_aad(account)).decode()
    except (ValueError, UnsealError):
        return None


#: Services whose AccessDenied text carries no ``Encoded authorization failure message``.
#: STS's DecodeAuthorizationMessage reference: "Only certain Amazon Web Services operations
#: return an encoded authorization message. The documentation for an individual operation
#: indicates whether that operation returns an encoded message" -- EC2's operations do
#: (UnauthorizedOperation, "You are not authorized to perform this operation. Encoded
#: authorization failure message: ..."), IAM's and S3's API references say no such thing,
#: and the IAM User Guide's access denied examples ("Troubleshoot access denied error
#: messages") end with "because no identity-based policy allows the <action> action", as
#: do IAM and S3 denials quoted from AWS in public issue trackers. So IAM and S3 answer the
#: plain text; the other services keep the message (their evidence was not reviewed here).
PLAIN_DENIAL_SERVICES = frozenset({"iam", "s3"})


def denial(
    master: MasterKey,
    decision: Decision,
    ctx: RequestContext,
    *,
    short: bool = False,
    encoded: bool = True,
) -> errors.AwsError:
    if short:
        # STS AssumeRole* denials use the form without "because ..." (observed).
        on = "" if ctx.resource == "*" else f" on resource: {ctx.resource}"
        text = f"User: {ctx.principal.arn} is not authorized to perform: {ctx.action}{on}"
    else:
        text = access_denied_message(
            ctx.principal.arn, ctx.action, ctx.resource, decision.denied_by, decision.explicit_deny
        )
    if not encoded:
        return errors.access_denied(text)
    return errors.access_denied(
        f"{text}. Encoded authorization failure message: {encode_message(master, decision, ctx)}"
    )


def decide(
    ctx: RequestContext,
    identity: Identity | None,
    *,
    resource_policy: CompiledPolicy | None,
    session: Sequence[CompiledPolicy] | None,
    scps: Sequence[Sequence[CompiledPolicy]] | None = None,
    rcps: Sequence[Sequence[CompiledPolicy]] | None = None,
    scopes: Sequence[CompiledPolicy] = (),
) -> Decision:
    return evaluate(
        ctx,
        identity.policies if identity is not None else (),
        resource=resource_policy,
        boundaries=(identity.boundary,) if identity is not None and identity.boundary is not None else (),
        session=session,
        scps=scps,
        rcps=rcps,
        scopes=scopes,
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


def anonymous_context(
    request: HttpRequest,
    action: str,
    resource: str,
    resource_account: str | None,
    now: datetime,
    extra_keys: Mapping[str, str | Sequence[str]] | None,
    *,
    region: str | None = None,
) -> RequestContext:
    anonymous = PrincipalInfo(arn="anonymous", type="Anonymous")
    extra: dict[str, str | Sequence[str]] = dict(extra_keys or {})
    if resource_account is not None:
        extra["aws:ResourceAccount"] = resource_account
    keys = global_condition_keys(
        anonymous,
        now=now,
        source_ip=request.client_ip,
        secure_transport=request.secure,
        requested_region=region,
        user_agent=request.header("user-agent"),
        referer=request.header("referer"),
        extra=extra,
    )
    return RequestContext.create(anonymous, action, resource, resource_account=resource_account, keys=keys)


def evaluate_anonymous(
    ctx: RequestContext,
    resource_policy: CompiledPolicy | None,
    rcps: Sequence[Sequence[CompiledPolicy]] | None = None,
) -> Decision:
    """An unsigned caller: only a resource policy that grants ``*`` lets it through."""
    return evaluate(ctx, (), resource=resource_policy, rcps=rcps)
