"""The request context the engine decides on: the principal in the engine's terms, the
global condition keys for it, and the request's own keys.

``build_context`` turns a signed caller and a request into the engine's
``RequestContext``; ``anonymous_context`` does the same for an unsigned one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from credmint.access.identity import Identity
from credmint.access.principal import Principal
from credmint.access.tokens import IssuingCall, SessionClaims
from credmint.httpreq import HttpRequest
from credmint.policy import PrincipalInfo, RequestContext, global_condition_keys, normalize_keys


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
    # The principal's tags: the user's or role's own; a session's are those of the user or
    # role behind it (a GetSessionToken or GetFederationToken session's are its IAM user's),
    # overridden by the session's tags. Left out, a Deny on aws:PrincipalTag would not reach
    # the user's temporary credentials.
    tags: dict[str, str] = dict(identity.tags) if identity is not None else {}
    if s is not None:
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
