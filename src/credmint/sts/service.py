"""STS operations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from credmint import arns, errors, ids
from credmint.access.principal import Principal
from credmint.access.tokens import IssuingCall, PrincipalKind
from credmint.api import Call, Operation, operation
from credmint.store.iam import CachedRole
from credmint.sts import contexts, sessions
from credmint.sts import errors as sts_errors

OPERATIONS: dict[str, Operation] = {}


def _caller(call: Call) -> Any:
    if call.principal is None:  # unsigned calls never reach these handlers
        raise errors.MissingAuthenticationToken()
    return call.principal


@operation(OPERATIONS, "GetCallerIdentity", blocking=False)
def get_caller_identity(call: Call) -> Mapping[str, Any]:
    # No permission is needed and an explicit deny does not apply (AWS documents this).
    p = _caller(call)
    return {"UserId": p.user_id, "Account": p.account_id, "Arn": p.arn}


@operation(OPERATIONS, "GetAccessKeyInfo")
def get_access_key_info(call: Call) -> Mapping[str, Any]:
    sessions.refuse_limited_session(_caller(call), "sts:GetAccessKeyInfo", "*")
    call.authorize("sts:GetAccessKeyInfo", "*")
    key_id: str = call.params["AccessKeyId"]
    # A long-term key this server holds answers from the store, whatever its state: its id
    # need not encode the account (a root key fixed by CREDMINT_ROOT_ACCESS_KEY_ID). Other
    # ids are decoded, like AWS, from the id alone.
    cache = call.credentials
    entry = cache.cached(key_id)
    if entry is False:
        entry = cache.load(key_id)
    if entry is not None and not isinstance(entry, bool):
        return {"Account": entry.principal.account_id}
    account = ids.account_from_access_key_id(key_id)
    if account is None:
        raise sts_errors.ValidationError.invalid(key_id)
    return {"Account": account}


# --- issuing temporary credentials ----------------------------------------------------------

#: Sessions of the root user last at most an hour (GetSessionToken, GetFederationToken).
ROOT_MAX_SECONDS = 3600
DEFAULT_USER_SESSION_SECONDS = 43_200
DEFAULT_ROLE_SESSION_SECONDS = 3600
CHAINED_MAX_SECONDS = 3600


def _long_term_duration(call: Call, p: Principal) -> int:
    requested: int | None = call.params.get("DurationSeconds")
    if p.is_root:
        # Longer requests by the root user are silently capped to an hour (AWS documents this).
        return min(requested or ROOT_MAX_SECONDS, ROOT_MAX_SECONDS)
    return requested or DEFAULT_USER_SESSION_SECONDS


def _principal_kind(p: Principal) -> PrincipalKind:
    return PrincipalKind.ROOT if p.is_root else PrincipalKind.USER


def _mfa_given(params: Mapping[str, Any]) -> bool:
    """Issuing a session reads only caches (user, role, policies, token keys), except when an
    MFA code must be consumed: that is one conditional write, done on a worker thread.
    A cache miss on the event loop sends the call to a worker thread (``WouldBlock``)."""
    return "TokenCode" in params or "SerialNumber" in params


@operation(OPERATIONS, "GetSessionToken", blocking=_mfa_given)
def get_session_token(call: Call) -> Mapping[str, Any]:
    # No permission is needed and none can refuse it (AWS documents this).
    p = sessions.caller(call)
    sessions.refuse_session_caller(p, "GetSessionToken")
    duration = _long_term_duration(call, p)
    mfa = sessions.verify_mfa(call, p)
    minted = sessions.mint(
        call,
        p.account_id,
        duration,
        kind=IssuingCall.GET_SESSION_TOKEN,
        principal_kind=_principal_kind(p),
        principal_arn=p.arn,
        principal_id=p.user_id,
        mfa_authenticated=mfa,
        mfa_auth_time=sessions.epoch(call.now) if mfa else None,
        federation=sessions.entity_fact(p.entity_id if p.kind == "user" else None),
    )
    return {"Credentials": minted.credentials()}


@operation(OPERATIONS, "GetFederationToken", blocking=_mfa_given)
def get_federation_token(call: Call) -> Mapping[str, Any]:
    p = sessions.caller(call)
    sessions.refuse_session_caller(p, "GetFederationToken")
    name: str = call.params["Name"]
    federated_arn = arns.federated_user(p.account_id, name)
    tags = sessions.session_tags(call)
    policies = sessions.session_policies(call, p.account_id)
    packed = sessions.check_packed_size(policies, tags)
    call.authorize("sts:GetFederationToken", federated_arn)
    if tags:
        call.authorize("sts:TagSession", federated_arn, extra_keys=sessions.tag_keys(tags))
    minted = sessions.mint(
        call,
        p.account_id,
        _long_term_duration(call, p),
        kind=IssuingCall.GET_FEDERATION_TOKEN,
        principal_kind=PrincipalKind.FEDERATED_USER,
        principal_arn=federated_arn,
        principal_id=f"{p.account_id}:{name}",
        # Whose identity policies bound the session: the IAM user's, or the root user's.
        assumed_by_arn=p.arn,
        session_name=name,
        session_policy=policies.policy,
        policy_arns=policies.arns,
        session_tags=tags,
        federation=sessions.entity_fact(p.entity_id if p.kind == "user" else None),
    )
    out: dict[str, Any] = {
        "Credentials": minted.credentials(),
        "FederatedUser": {"FederatedUserId": f"{p.account_id}:{name}", "Arn": federated_arn},
    }
    if policies.given or tags:
        out["PackedPolicySize"] = packed
    return out


def _authorize_sts(
    call: Call,
    p: Principal,
    action: str,
    role: CachedRole,
    keys: Mapping[str, str | Sequence[str]],
) -> None:
    """Authorize ``action`` on the role with its trust policy, answering AWS's short STS
    text whichever policy refused (the caller learns nothing about which one)."""
    try:
        call.authorize(
            action,
            role.arn,
            resource_policy=role.trust_policy,
            resource_account=role.account_id,
            extra_keys={**role.resource_tag_keys(), **keys},
        )
    except errors.AccessDenied:
        raise sts_errors.AccessDenied.not_authorized(p.arn, action, role.arn) from None


@operation(OPERATIONS, "AssumeRole", blocking=_mfa_given)
def assume_role(call: Call) -> Mapping[str, Any]:
    p = sessions.caller(call)
    if p.is_root:
        raise sts_errors.AccessDenied.root_assumes_role()
    params = call.params
    role_arn: str = params["RoleArn"]
    session_name: str = params["RoleSessionName"]
    ref = sessions.parse_role_arn(role_arn)
    caller_session = p.session

    # Session tags: the new ones, and the transitive ones the calling session hands on.
    tags = sessions.session_tags(call)
    new_keys = {k.lower() for k, _ in tags}
    transitive: list[str] = list(params.get("TransitiveTagKeys") or [])
    if any(k.lower() not in new_keys for k in transitive):
        raise sts_errors.InvalidParameterValue.transitive_tag_not_requested()
    inherited: list[tuple[str, str]] = []
    inherited_keys: list[str] = []
    if caller_session is not None:
        carried = {k.lower() for k in caller_session.transitive_tag_keys}
        inherited = [(k, v) for k, v in caller_session.session_tags if k.lower() in carried]
        inherited_keys = list(caller_session.transitive_tag_keys)
        if new_keys & carried:
            raise sts_errors.InvalidParameterValue.transitive_tag_conflict()
    all_tags = tags + inherited
    policies = sessions.session_policies(call, ref.account_id)
    packed = sessions.check_packed_size(policies, all_tags)

    sessions.refuse_limited_session(p, "sts:AssumeRole", role_arn)

    # MFA in this call, else what GetSessionToken credentials carry.
    mfa_now = sessions.verify_mfa(call, p)
    mfa, mfa_at = (True, sessions.epoch(call.now)) if mfa_now else sessions.carried_mfa(p)

    role = sessions.find_role(call, ref)
    if role is None:
        # The same answer as a refusing trust policy: nobody learns which roles exist.
        raise sts_errors.AccessDenied.not_authorized(p.arn, "sts:AssumeRole", role_arn)

    requested_source: str | None = params.get("SourceIdentity")
    inherited_source = caller_session.source_identity if caller_session is not None else None
    if inherited_source is not None and requested_source is not None and requested_source != inherited_source:
        # A session's source identity is immutable along the chain (checked before trust).
        raise sts_errors.ValidationError.source_identity_already_set()
    source = requested_source or inherited_source

    keys: dict[str, str | Sequence[str]] = {"sts:RoleSessionName": session_name}
    if params.get("ExternalId") is not None:
        keys["sts:ExternalId"] = params["ExternalId"]
    if source is not None:
        keys["sts:SourceIdentity"] = source
    if mfa:
        keys["aws:MultiFactorAuthPresent"] = "true"
        keys["aws:MultiFactorAuthAge"] = str(max(0, sessions.epoch(call.now) - (mfa_at or 0)))
    elif caller_session is not None:
        keys["aws:MultiFactorAuthPresent"] = "false"
    if all_tags:
        keys.update(sessions.tag_keys(all_tags, transitive))

    facts: tuple[tuple[str, str], ...] = ()
    context_end: int | None = None
    if params.get("ProvidedContexts"):
        facts, context_end, source_keys = contexts.redeem(call, p, role, params["ProvidedContexts"])
        keys.update(source_keys)

    _authorize_sts(call, p, "sts:AssumeRole", role, keys)
    if all_tags:
        _authorize_sts(call, p, "sts:TagSession", role, keys)
    if source is not None:
        _authorize_sts(call, p, "sts:SetSourceIdentity", role, keys)

    chained = caller_session is not None and caller_session.kind in sessions.ROLE_SESSION_KINDS
    requested: int | None = params.get("DurationSeconds")
    duration = requested or DEFAULT_ROLE_SESSION_SECONDS
    if duration > role.max_session_duration:
        raise sts_errors.ValidationError.duration_exceeds_role_max()
    if chained and duration > CHAINED_MAX_SECONDS:
        raise sts_errors.ValidationError.duration_exceeds_chaining_limit()
    if context_end is not None:
        # A workload identity context bounds the session (its SessionDurationSeconds).
        duration = min(duration, context_end - sessions.epoch(call.now))

    return sessions.role_session(
        call,
        role,
        session_name,
        duration,
        kind=IssuingCall.ASSUME_ROLE,
        assumed_by_arn=p.arn,
        policies=policies,
        tags=all_tags,
        transitive_tag_keys=_dedupe([*inherited_keys, *transitive]),
        source_identity=source,
        packed=packed,
        role_chained=chained,
        facts=facts,
    )


def _dedupe(keys: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for k in keys:
        if k.lower() not in seen:
            seen.add(k.lower())
            out.append(k)
    return out
