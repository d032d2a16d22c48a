"""The decision: AWS's policy evaluation logic, as documented (aws-behavior.md §7.1).

Order of reasoning:

1. Every applicable policy is matched once (action → resource → principal →
   conditions), collecting Allow and Deny hits per policy type.
2. An explicit Deny anywhere wins.
3. RCPs (resource's organization) and SCPs (principal's organization) must
   allow at *every* level of the org tree; a VPC endpoint policy, when present,
   must allow too.
4. Same account: an Allow in the resource-based policy suffices, or an Allow in
   the identity-based policies; a permissions boundary or session policy that
   does not allow then denies — unless the resource policy names the caller's
   own identity (user, role *session*, federated *session*), which AWS does not
   limit by those implicit denies.
5. Cross account: both the resource-based policy and the identity-based
   policies must allow, and boundary/session policies always limit.

Service rules AWS documents for specific services are applied here too:
``sts:GetCallerIdentity`` needs no permission; role trust policies and KMS key
policies must allow the caller themselves (an identity policy only counts when
the trust/key policy allows the account).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .context import RequestContext
from .document import ACCOUNT_MATCH, EXACT_MATCH, NO_MATCH, SOURCE_MATCH, CompiledPolicy
from .matching import ArnPattern, KeyValues, arn_pattern_fields, fields_cover, fields_overlap, pattern_fields

DeniedBy = Literal["identity", "resource", "boundary", "session", "scp", "rcp", "endpoint"]
PolicyType = Literal["identity", "resource", "boundary", "session", "scp", "rcp", "endpoint"]


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that applied to the request (for DecodeAuthorizationMessage and the simulator)."""

    policy_type: PolicyType
    policy_id: str
    index: int
    sid: str | None
    effect: Literal["Allow", "Deny"]
    #: The statement's Action/NotAction and Resource/NotResource entries as written.
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    explicit_deny: bool
    #: Which kind of policy caused the denial (chooses the AccessDenied wording).
    denied_by: DeniedBy | None
    matched_statements: tuple[MatchedStatement, ...]
    #: Condition keys referenced by otherwise-applicable statements but absent from the request.
    missing_context_values: tuple[str, ...]
    #: The caller is the root user of the resource's account and nothing but its own
    #: (non-existent) identity policies stood in the way: AWS lets root do everything in
    #: its account except what SCPs/RCPs or explicit denies forbid. The caller decides.
    root_may_override: bool = False


class _Hits:
    """Allow/Deny hits of one group of policies."""

    __slots__ = ("allow", "allow_account", "allow_level", "deny")

    def __init__(self) -> None:
        self.allow = False
        self.deny = False
        #: Strongest principal match among Allow statements (resource policies only).
        self.allow_level = NO_MATCH
        #: Some Allow names the caller's account (delegation to its IAM policies).
        self.allow_account = False


def _scan(
    policies: Sequence[CompiledPolicy],
    ptype: PolicyType,
    ctx: RequestContext,
    matched: list[MatchedStatement],
    missing: list[str] | None,
    *,
    principal_check: bool = False,
    boundary_present: bool = False,
) -> _Hits:
    hits = _Hits()
    action = ctx.action_lower
    resource = ctx.resource
    keys = ctx.keys
    principal = ctx.principal
    service = ctx.service
    pattern_mode = ctx.resource_is_pattern
    for policy in policies:
        for st in policy.for_service(service):
            if st.action(action) == st.not_action:
                continue
            test = st.resource_test
            if test is not None:
                if pattern_mode:
                    assert st.resources is not None
                    # Covering the whole set (resource_cover) asks the opposite of simulating
                    # one of its resources: an Allow must match all of it, a Deny any part.
                    applies_as_allow = st.allow != ctx.resource_cover
                    if not _pattern_applies(st.resources, st.not_resource, applies_as_allow, resource, keys):
                        continue
                elif test(resource, keys) == st.not_resource:
                    continue
            level = EXACT_MATCH
            if principal_check:
                spec = st.principal
                if spec is None:
                    # A resource policy statement without Principal applies to no one.
                    continue
                level = spec.level(principal)
                if st.not_principal:
                    if not st.allow:
                        # A Deny applies unless the element names every identity the caller
                        # acts as (its session, role and account); AWS denies an IAM
                        # principal with a permissions boundary whatever NotPrincipal lists.
                        exempt = not boundary_present and spec.names_every_identity(principal)
                        level = NO_MATCH if exempt else EXACT_MATCH
                    else:
                        # An Allow (which AWS advises against) leaves out whoever the element
                        # names in any way: it grants no more than it must.
                        level = EXACT_MATCH if level == NO_MATCH else NO_MATCH
                if level == NO_MATCH:
                    continue
            ok = True
            for c in st.conditions:
                if not c.evaluate(keys, missing):
                    ok = False
                    if missing is None:
                        break
            if not ok:
                continue
            matched.append(
                MatchedStatement(
                    ptype,
                    policy.policy_id,
                    st.index,
                    st.sid,
                    "Allow" if st.allow else "Deny",
                    st.action_texts,
                    st.resource_texts,
                )
            )
            if st.allow:
                hits.allow = True
                if level > hits.allow_level:
                    hits.allow_level = level
                if level == ACCOUNT_MATCH:
                    hits.allow_account = True
            else:
                hits.deny = True
    return hits


def _pattern_applies(
    patterns: tuple[ArnPattern, ...], not_resource: bool, allow: bool, request: str, keys: KeyValues
) -> bool:
    """Resource check when the request names a resource pattern (simulation).

    Allow statements apply when they may match some resource of the set; Deny
    statements only when they match all of them (see matching.tokens_cover).
    """
    req = pattern_fields(request)
    overlap = False
    cover = False
    for p in patterns:
        pf = arn_pattern_fields(p, keys)
        if pf is None:
            continue
        overlap = overlap or fields_overlap(pf, req)
        cover = cover or fields_cover(pf, req)
    if allow:
        return not cover if not_resource else overlap
    return not overlap if not_resource else cover


def _levels_allow(
    levels: Sequence[Sequence[CompiledPolicy]],
    ptype: PolicyType,
    ctx: RequestContext,
    matched: list[MatchedStatement],
    missing: list[str] | None,
) -> tuple[bool, bool]:
    """(explicit deny at any level, every level allows)."""
    deny = False
    allow_all = True
    for level in levels:
        h = _scan(level, ptype, ctx, matched, missing)
        deny = deny or h.deny
        allow_all = allow_all and h.allow
    return deny, allow_all


#: IAM refuses to modify AWS managed policies and AWS-reserved roles, whatever the policies say.
_AWS_MANAGED_POLICY_ACTIONS = frozenset(
    {
        "iam:createpolicy",
        "iam:createpolicyversion",
        "iam:deletepolicy",
        "iam:deletepolicyversion",
        "iam:setdefaultpolicyversion",
        "iam:tagpolicy",
        "iam:untagpolicy",
    }
)
_AWS_RESERVED_ROLE_ACTIONS = frozenset(
    {
        "iam:attachrolepolicy",
        "iam:createrole",
        "iam:createservicelinkedrole",
        "iam:deleterole",
        "iam:deleterolepermissionsboundary",
        "iam:deleterolepolicy",
        "iam:deleteservicelinkedrole",
        "iam:detachrolepolicy",
        "iam:passrole",
        "iam:putrolepermissionsboundary",
        "iam:putrolepolicy",
        "iam:tagrole",
        "iam:untagrole",
        "iam:updateassumerolepolicy",
        "iam:updaterole",
        "iam:updateroledescription",
    }
)


#: KMS refuses to create, delete or repoint aliases in the reserved ``alias/aws/`` namespace.
_KMS_ALIAS_ACTIONS = frozenset({"kms:createalias", "kms:deletealias", "kms:updatealias"})


def _aws_protected(ctx: RequestContext) -> bool:
    fields = ctx.resource_fields
    if fields is None:
        return False
    if fields[2] == "kms":
        return ctx.action_lower in _KMS_ALIAS_ACTIONS and fields[5].startswith("alias/aws/")
    if fields[2] != "iam":
        return False
    resource = fields[5].lower()
    if ctx.action_lower in _AWS_MANAGED_POLICY_ACTIONS:
        return fields[4] == "aws" and resource.startswith("policy/")
    if ctx.action_lower in _AWS_RESERVED_ROLE_ACTIONS:
        return resource.startswith("role/aws-reserved/")
    return False


def evaluate(
    ctx: RequestContext,
    identity: Sequence[CompiledPolicy] = (),
    *,
    resource: CompiledPolicy | None = None,
    boundaries: Sequence[CompiledPolicy] = (),
    session: Sequence[CompiledPolicy] | None = None,
    scps: Sequence[Sequence[CompiledPolicy]] | None = None,
    rcps: Sequence[Sequence[CompiledPolicy]] | None = None,
    endpoint: Sequence[CompiledPolicy] | None = None,
    scopes: Sequence[CompiledPolicy] = (),
    collect_missing: bool = False,
) -> Decision:
    """Decide one request.

    ``identity``: the principal's identity-based policies (user + groups, or the
    role's). ``resource``: the resource-based policy (bucket policy, role trust
    policy, key policy). ``boundaries``: the principal's permissions boundary
    (empty = none). ``session``: session policies of a role/federated session
    (``None`` = none were passed). ``scps``/``rcps``: one list of policies per
    organization level, root first (``None`` = not in an organization; a level
    must include the default ``FullAWSAccess``/``RCPFullAWSAccess`` if attached).
    ``endpoint``: the VPC endpoint policy. ``scopes``: the scope-down policies of a
    GetScopedCredentials session, each of which must allow on its own; unlike session
    policies, no resource policy lifts them (the scoped credentials "can never have more
    permissions than the calling session" — AWS does not say whether a resource policy
    naming the session exempts them, so the narrower reading is taken).
    ``collect_missing``: evaluate every condition (no short-circuit) to report all
    absent keys.
    """
    if ctx.action_lower == "sts:getcalleridentity":
        # AWS: no permission is needed, and an explicit deny cannot block it.
        return Decision(True, False, None, (), ())

    matched: list[MatchedStatement] = []
    missing: list[str] | None = [] if collect_missing else None
    principal = ctx.principal
    ptype = principal.type
    # SCPs limit principals of member accounts; they never apply to anonymous
    # callers or AWS service principals, which belong to no customer account.
    scp_applies = scps is not None and ptype not in ("Anonymous", "Service")

    ident = _scan(identity, "identity", ctx, matched, missing)
    res = (
        _scan(
            (resource,),
            "resource",
            ctx,
            matched,
            missing,
            principal_check=True,
            boundary_present=bool(boundaries),
        )
        if resource is not None
        else None
    )
    bnd = _scan(boundaries, "boundary", ctx, matched, missing) if boundaries else None
    ses = _scan(session, "session", ctx, matched, missing) if session is not None else None
    ept = _scan(endpoint, "endpoint", ctx, matched, missing) if endpoint is not None else None
    scp_deny, scp_allow = (
        _levels_allow(scps, "scp", ctx, matched, missing) if scp_applies and scps else (False, True)
    )
    rcp_deny, rcp_allow = _levels_allow(rcps, "rcp", ctx, matched, missing) if rcps else (False, True)
    scope_deny, scope_allow = (
        _levels_allow([(p,) for p in scopes], "session", ctx, matched, missing) if scopes else (False, True)
    )

    missing_t = tuple(dict.fromkeys(missing)) if missing else ()
    matched_t = tuple(matched)

    def deny(by: DeniedBy, explicit: bool, root_ok: bool = False) -> Decision:
        return Decision(False, explicit, by, matched_t, missing_t, root_ok)

    # 2. Explicit deny anywhere wins (reported in AWS's order of evaluation).
    for by, flag in (
        ("rcp", rcp_deny),
        ("scp", scp_deny),
        ("endpoint", ept is not None and ept.deny),
        ("resource", res is not None and res.deny),
        ("identity", ident.deny),
        ("boundary", bnd is not None and bnd.deny),
        ("session", (ses is not None and ses.deny) or scope_deny),
    ):
        if flag:
            return deny(by, True)  # type: ignore[arg-type]

    # 3. Organization guardrails and the endpoint policy.
    if not rcp_allow:
        return deny("rcp", False)
    if not scp_allow:
        return deny("scp", False)
    if ept is not None and not ept.allow:
        return deny("endpoint", False)

    res_level = res.allow_level if res is not None else NO_MATCH
    root_own = ptype == "Account" and ctx.same_account

    if _aws_protected(ctx):
        return deny("identity", False)

    # Callers without identity policies: only a resource policy can let them in.
    if ptype in ("Anonymous", "Service", "WebIdentityUser", "SAMLUser"):
        if res_level >= EXACT_MATCH:
            return Decision(True, False, None, matched_t, missing_t)
        return deny("resource", False)

    service = ctx.service
    if ctx.same_account:
        fields = ctx.resource_fields
        if (service == "sts" and resource is not None) or (
            service == "kms" and fields is not None and fields[5].startswith("key/")
        ):
            # Role trust policies and KMS key policies must allow the account before IAM
            # policies count (AWS: "they must explicitly allow the principal"); a key
            # always has a key policy, so a key without one passed here allows nothing.
            identity_counts = res is not None and res.allow_account
        else:
            identity_counts = True
        if not (res_level >= SOURCE_MATCH or (identity_counts and ident.allow)):
            return deny("identity", False, root_own)
        exempt = res_level >= EXACT_MATCH
    else:
        # Cross account: the resource side and the identity side must both allow.
        if res_level == NO_MATCH:
            return deny("resource", False)
        if not ident.allow:
            return deny("identity", False, root_own)
        exempt = False

    if bnd is not None and not bnd.allow and not exempt:
        return deny("boundary", False)
    if ses is not None and not ses.allow and not exempt:
        return deny("session", False)
    if ses is None and ptype == "FederatedUser" and not exempt:
        # AWS: a GetFederationToken session without session policies has no permissions.
        return deny("session", False)
    if not scope_allow:
        return deny("session", False)
    return Decision(True, False, None, matched_t, missing_t)


__all__ = ["Decision", "DeniedBy", "MatchedStatement", "evaluate"]
