"""STS federation: AssumeRoleWithSAML and AssumeRoleWithWebIdentity (unsigned: the
assertion or token is the credential), and GetWebIdentityToken (outbound).

The callers of the two Assume calls are not IAM principals: they are named by their
identity provider. The role's trust policy is therefore evaluated here, directly, with a
principal of type ``SAMLUser`` / ``WebIdentityUser`` whose ARN is the provider's ARN (what
``{"Federated": ...}`` matches) and the provider's condition keys; there are no identity
policies to consult, so only the trust policy can allow (AWS's rule for these callers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from credmint import errors
from credmint.access import condition_keys
from credmint.access.tokens import IssuingCall
from credmint.api import Call, operation
from credmint.federation import errors as federation_errors
from credmint.federation import oidc, saml
from credmint.identity_providers import web_identity_issuer
from credmint.identity_providers.trusted import oidc_provider, saml_provider
from credmint.policy import PrincipalInfo, RequestContext, compile_policy, evaluate, global_condition_keys
from credmint.store.iam import CachedRole
from credmint.sts import errors as sts_errors
from credmint.sts import sessions, workload_identity
from credmint.sts.service import DEFAULT_ROLE_SESSION_SECONDS, OPERATIONS

_SAML_PROVIDER_ARN = re.compile(r"\Aarn:aws:iam::(\d{12}):saml-provider/([\w+=,.@-]{1,128})\Z")

# --- trust policy --------------------------------------------------------------------------


def _trust_allows(
    call: Call,
    principal: PrincipalInfo,
    action: str,
    role: CachedRole,
    keys: Mapping[str, str | Sequence[str]],
    federated_provider: str,
) -> bool:
    try:
        trust = compile_policy(role.trust_policy, policy_id=role.arn)
    except errors.AwsError:
        return False  # a stored trust policy the engine cannot read allows nothing
    context_keys = global_condition_keys(
        principal,
        now=call.now,
        source_ip=call.request.client_ip,
        secure_transport=call.request.secure,
        requested_region=call.region,
        user_agent=call.request.header("user-agent"),
        referer=call.request.header("referer"),
        federated_provider=federated_provider,
        extra={"aws:ResourceAccount": role.account_id, **role.resource_tag_keys(), **keys},
    )
    ctx = RequestContext(principal, action, role.arn, role.account_id, context_keys)
    # The role's account's RCPs apply to a federated caller as to any other: a Deny there on
    # sts:AssumeRoleWith* holds (the caller is no IAM principal, so no SCP applies).
    _, rcps = call.control_policies(None, role.account_id, action)
    return evaluate(ctx, (), resource=trust, rcps=rcps).allowed


def _authorize(
    call: Call,
    principal: PrincipalInfo,
    action: str,
    role: CachedRole | None,
    keys: Mapping[str, str | Sequence[str]],
    provider: str,
    *,
    tags: bool,
    source_identity: bool,
) -> None:
    denied = sts_errors.AccessDenied.federation_not_authorized(action)
    if role is None or not _trust_allows(call, principal, action, role, keys, provider):
        raise denied
    if tags and not _trust_allows(call, principal, "sts:TagSession", role, keys, provider):
        raise denied
    if source_identity and not _trust_allows(call, principal, "sts:SetSourceIdentity", role, keys, provider):
        raise denied


def _duration(call: Call, role: Any, fallback: int | None) -> int:
    requested: int | None = call.params.get("DurationSeconds")
    duration = requested or fallback or DEFAULT_ROLE_SESSION_SECONDS
    if duration > role.max_session_duration:
        raise sts_errors.ValidationError.duration_exceeds_role_max()
    return duration


# --- AssumeRoleWithSAML ----------------------------------------------------------------------


@operation(OPERATIONS, "AssumeRoleWithSAML", unsigned=True)
def assume_role_with_saml(call: Call) -> Mapping[str, Any]:
    params = call.params
    role_arn: str = params["RoleArn"]
    provider_arn: str = params["PrincipalArn"]
    ref = sessions.parse_role_arn(role_arn)
    m = _SAML_PROVIDER_ARN.match(provider_arn)
    if m is None:
        raise sts_errors.ValidationError.invalid(provider_arn)
    provider_account, provider_name = m.group(1), m.group(2)
    found = saml_provider(call.store, provider_arn) if provider_account == ref.account_id else None
    if found is None:
        raise federation_errors.InvalidIdentityToken.no_saml_provider()
    _, entity_id, certificates = found

    assertion = saml.verify_response(
        params["SAMLAssertion"],
        idp_entity_id=entity_id,
        certificates=certificates,
        now=call.now,
        recipients=saml.aws_recipients(call.region),
        audiences=saml.aws_audiences(call.region),
    )
    wanted = saml.session_request(assertion, role_arn, provider_arn)
    tags = list(wanted.principal_tags)
    policies = sessions.session_policies(call, ref.account_id)
    packed = sessions.check_packed_size(policies, tags)

    keys: dict[str, str | Sequence[str]] = dict(saml.condition_keys(assertion, ref.account_id, provider_name))
    keys["sts:RoleSessionName"] = wanted.role_session_name
    if wanted.source_identity is not None:
        keys["sts:SourceIdentity"] = wanted.source_identity
    if tags:
        keys.update(sessions.tag_keys(tags, wanted.transitive_tag_keys))
    principal = PrincipalInfo(provider_arn, "SAMLUser", ref.account_id, unique_id=provider_arn)
    role = sessions.find_role(call, ref)
    _authorize(
        call,
        principal,
        "sts:AssumeRoleWithSAML",
        role,
        keys,
        provider_arn,
        tags=bool(tags),
        source_identity=wanted.source_identity is not None,
    )

    duration = _duration(call, role, wanted.session_duration)
    if assertion.session_not_on_or_after is not None:
        # The IdP's session end caps the credentials (AWS documents "whichever is shorter").
        left = int((assertion.session_not_on_or_after - call.now).total_seconds())
        duration = max(1, min(duration, left))

    qualifier = saml.name_qualifier(assertion.issuer, ref.account_id, provider_name)
    facts = {
        "aws:FederatedProvider": provider_arn,
        # The saml:* keys that stay available to requests made with the session (§4.7).
        "saml:namequalifier": qualifier,
        "saml:sub": assertion.subject,
        "saml:sub_type": assertion.subject_type,
    }
    out = sessions.role_session(
        call,
        role,
        wanted.role_session_name,
        duration,
        kind=IssuingCall.ASSUME_ROLE_WITH_SAML,
        assumed_by_arn=provider_arn,
        policies=policies,
        tags=tags,
        transitive_tag_keys=wanted.transitive_tag_keys,
        source_identity=wanted.source_identity,
        packed=packed,
        facts=tuple(facts.items()),
    )
    out.update(
        Subject=assertion.subject,
        SubjectType=assertion.subject_type,
        Issuer=assertion.issuer,
        Audience=assertion.recipient,
        NameQualifier=qualifier,
    )
    return out


# --- AssumeRoleWithWebIdentity ---------------------------------------------------------------


def _verify_web_identity(call: Call, account_id: str) -> tuple[oidc.WebIdentity, Any]:
    token: str = call.params["WebIdentityToken"]
    provider_id: str | None = call.params.get("ProviderId")
    peeked = oidc.peek(token)
    if provider_id is not None:
        # OAuth 2.0 providers (www.amazon.com, graph.facebook.com) validate opaque tokens at
        # their own endpoints, which a self-hosted server cannot reach on their terms. A
        # ProviderId is accepted only when an IAM OIDC provider is registered for exactly
        # that host, and the token is then a JWT of that provider (unconfirmed wording).
        provider = oidc_provider(call.store, f"https://{provider_id}", account_id)
        if provider is None:
            raise federation_errors.InvalidIdentityToken.no_oidc_provider(provider_id)
    else:
        provider = (
            oidc_provider(call.store, peeked.issuer, account_id) if peeked.issuer.startswith("https://") else None
        )
        if provider is None:
            raise federation_errors.InvalidIdentityToken.no_oidc_provider(peeked.issuer)
    # The provider's account (the role's) pays for its fetches: one account's providers
    # cannot hold every fetcher.
    keys = call.jwks.keys(provider.url, provider.thumbprints, peeked.kid, account=account_id)
    identity = oidc.verify(token, issuer=provider.url, client_ids=provider.client_ids, keys=keys, now=call.now)
    return identity, provider


@operation(OPERATIONS, "AssumeRoleWithWebIdentity", unsigned=True)
def assume_role_with_web_identity(call: Call) -> Mapping[str, Any]:
    params = call.params
    ref = sessions.parse_role_arn(params["RoleArn"])
    session_name: str = params["RoleSessionName"]
    identity, provider = _verify_web_identity(call, ref.account_id)
    extra = oidc.session_claims(identity)
    tags = list(extra.principal_tags)
    policies = sessions.session_policies(call, ref.account_id)
    packed = sessions.check_packed_size(policies, tags)

    claims = condition_keys.provider_claims(oidc.provider_key(provider.url).rstrip("/"))
    keys: dict[str, str | Sequence[str]] = dict(oidc.condition_keys(identity, provider.url, claims))
    keys["sts:RoleSessionName"] = session_name
    if extra.source_identity is not None:
        keys["sts:SourceIdentity"] = extra.source_identity
    if tags:
        keys.update(sessions.tag_keys(tags, extra.transitive_tag_keys))
    principal = PrincipalInfo(provider.arn, "WebIdentityUser", ref.account_id, unique_id=provider.arn)
    role = sessions.find_role(call, ref)
    _authorize(
        call,
        principal,
        "sts:AssumeRoleWithWebIdentity",
        role,
        keys,
        provider.arn,
        tags=bool(tags),
        source_identity=extra.source_identity is not None,
    )
    duration = _duration(call, role, None)

    prefix = oidc.provider_key(provider.url)
    facts: dict[str, str] = {
        "aws:FederatedProvider": provider.arn,
        f"{prefix}:aud": identity.audience,
        f"{prefix}:sub": identity.subject,
    }
    amr = oidc.condition_keys(identity, provider.url).get(f"{prefix}:amr")
    if amr is not None:
        facts[f"{prefix}:amr"] = json.dumps(amr)  # a list, JSON-encoded (facts are strings)
    out = sessions.role_session(
        call,
        role,
        session_name,
        duration,
        kind=IssuingCall.ASSUME_ROLE_WITH_WEB_IDENTITY,
        assumed_by_arn=provider.arn,
        policies=policies,
        tags=tags,
        transitive_tag_keys=extra.transitive_tag_keys,
        source_identity=extra.source_identity,
        packed=packed,
        facts=tuple(facts.items()),
    )
    out.update(
        SubjectFromWebIdentityToken=identity.subject,
        # "For OpenID Connect ID tokens, this contains the value of the iss field."
        Provider=identity.issuer,
        Audience=identity.audience,
    )
    return out


# --- GetWebIdentityToken -----------------------------------------------------------------------


@operation(OPERATIONS, "GetWebIdentityToken")
def get_web_identity_token(call: Call) -> Mapping[str, Any]:
    p = sessions.caller(call)
    sessions.refuse_limited_session(p, "sts:GetWebIdentityToken", "*")
    params = call.params
    if params.get("TokenType") == "JWT_SVID":
        return workload_identity.jwt_svid(call, p)
    if "TokenType" in params and ("SubjectMode" in params or "Scope" in params):
        raise sts_errors.ValidationError.token_type_with_subject_mode()
    audience: list[str] = list(params["Audience"])
    algorithm: str = params["SigningAlgorithm"]
    duration: int = params.get("DurationSeconds") or 300
    tags = sessions.session_tags(call)
    if algorithm not in web_identity_issuer.ALGORITHMS:
        raise sts_errors.ValidationError.signing_algorithm(algorithm)
    keys: dict[str, str | Sequence[str]] = {
        "sts:IdentityTokenAudience": audience,
        "sts:DurationSeconds": str(duration),
        "sts:SigningAlgorithm": algorithm,
    }
    if tags:
        keys.update(sessions.tag_keys(tags))
    call.authorize("sts:GetWebIdentityToken", "*", extra_keys=keys)
    if tags:
        # Tags become signed claims a relying party may trust: putting them there is its own
        # action (Service Authorization Reference), as sts:TagSession is for AssumeRole.
        call.authorize("sts:TagGetWebIdentityToken", "*", extra_keys=keys)
    state = web_identity_issuer.load(call.store, p.account_id)
    if state is None or not state.enabled:
        raise sts_errors.OutboundWebIdentityFederationDisabled()
    if p.session is not None and call.now + timedelta(seconds=duration) > datetime.fromtimestamp(
        p.session.expires_at, call.now.tzinfo
    ):
        raise sts_errors.SessionDurationEscalation()
    extra: dict[str, Any] = {
        "https://sts.amazonaws.com/": {
            "aws_account": p.account_id,
            "source_region": call.region,
            # "For a role session, this is the ARN of the role" (GetWebIdentityToken).
            "principal_id": (p.session.role_arn if p.session is not None else None) or p.arn,
            **({"request_tags": dict(tags)} if tags else {}),
        }
    }
    try:
        token, expires = web_identity_issuer.mint_token(
            state,
            call.master,
            subject=p.arn,
            audience=audience,
            algorithm=algorithm,
            now=call.now,
            duration=duration,
            extra=extra,
        )
    except web_identity_issuer.PayloadTooLarge:
        raise sts_errors.JWTPayloadSizeExceeded() from None
    return {"WebIdentityToken": token, "Expiration": expires}
