"""STS: workload identity — IssueWorkloadIdentityContext, the context's redemption by
AssumeRole (``ProvidedContexts``), GetCertificate (X.509-SVIDs), GetTrustBundles, and
GetWebIdentityToken with ``TokenType=JWT_SVID``.

The flow. The service that runs a workload (in credmint: any principal whose identity
policy allows ``sts:IssueWorkloadIdentityContext`` *and* whom the template's attestation
policy allows, each attested value a condition key ``aws:WorkloadAttestation/aws/<name>``)
asks for a context for a template and a role. credmint renders the workload's identifier
from the template (``federation.spiffe.PathPattern``) and seals a *context assertion*:
template, provider, identifier, the role's unique id, the caller's unique id and two
expiries, AES-256-GCM under the master key. The caller passes it to AssumeRole in
``ProvidedContexts``; AssumeRole opens it, checks it is for this role, this caller and
not expired, and mints a role session whose claims carry the workload identity
(``federation`` facts ``workload_identity``, ``workload_identity_provider``,
``workload_identity_template``), ending no later than the context's session expiry. That
session may then ask for an X.509-SVID or a JWT-SVID of its identity, signed by the
provider's signers, while the provider and the template still exist.

The assertion is not single-use: AWS documents it as redeemable until its expiration
(at most five minutes), by the same caller, for the same role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from sqlalchemy import Connection, select

from credmint.access.principal import Principal
from credmint.access.tokens import IssuingCall
from credmint.api import Call, operation
from credmint.federation import spiffe
from credmint.identity_providers import workload_identity_issuer as issuer
from credmint.orgs import data as orgs_data
from credmint.store import schema
from credmint.sts import contexts, sessions
from credmint.sts import errors as sts_errors
from credmint.sts.contexts import FACT_PROVIDER, FACT_SUBJECT, FACT_TEMPLATE
from credmint.sts.service import OPERATIONS

#: IssueWorkloadIdentityContext's DurationSeconds default (the model).
DEFAULT_CONTEXT_SECONDS = 60
#: GetCertificate's MaxDurationSeconds default (the model: 12 hours).
DEFAULT_CERTIFICATE_SECONDS = 43_200


# --- IssueWorkloadIdentityContext ----------------------------------------------------------


def _template_for(call: Call, p: Principal, arn: str) -> issuer.Template:
    """The template, if the caller's account may use it; AccessDenied otherwise (the model:
    a template that does not exist is refused as AccessDenied)."""
    with call.store.read() as conn:
        template = issuer.template_by_arn(conn, arn)
        if template is not None and template.scope == "ORGANIZATION":
            org = orgs_data.org_of_account(conn, p.account_id)
            if org is None or f":{org.org_id}:" not in template.arn:
                template = None
        elif template is not None and template.owner_account_id != p.account_id:
            template = None
    if template is None:
        raise sts_errors.AccessDenied.not_authorized(p.arn, "sts:IssueWorkloadIdentityContext", arn)
    return template


def render_subject(provider: issuer.Provider, template: issuer.Template, attested: Mapping[str, str]) -> str:
    try:
        path = spiffe.PathPattern.parse(template.path_pattern).render(attested)
        if template.path_prefix:
            path = f"{template.path_prefix}/{path}"
        subject = spiffe.spiffe_id(provider.domain or "", path) if provider.scheme == "SPIFFE" else path
    except spiffe.SpiffeFormatError as exc:
        raise sts_errors.InvalidWorkloadIdentityConfiguration.unrenderable(str(exc)) from None
    if len(subject) > spiffe.MAX_SUBJECT_CHARS:
        raise sts_errors.InvalidWorkloadIdentityConfiguration.identifier_too_long(spiffe.MAX_SUBJECT_CHARS)
    return subject


@operation(OPERATIONS, "IssueWorkloadIdentityContext")
def issue_workload_identity_context(call: Call) -> Mapping[str, Any]:
    p = sessions.caller(call)
    params = call.params
    template_arn: str | None = params.get("WorkloadIdentityTemplateArn")
    if template_arn is None:
        raise sts_errors.ValidationError.template_arn_missing()
    sessions.refuse_limited_session(p, "sts:IssueWorkloadIdentityContext", template_arn)
    try:
        attested = spiffe.attested_values(params["AttestationDocument"])
    except spiffe.SpiffeFormatError as exc:
        raise sts_errors.InvalidAttestationDocument(str(exc)) from None
    template = _template_for(call, p, template_arn)
    if template.attestation_policy is None:
        # A template without an attestation policy admits nothing (the IAM model).
        raise sts_errors.AccessDenied.not_authorized(p.arn, "sts:IssueWorkloadIdentityContext", template_arn)
    source = contexts.source_of(call, p)
    keys: dict[str, str | Sequence[str]] = {**attested, **source.keys()}
    call.authorize(
        "sts:IssueWorkloadIdentityContext",
        template_arn,
        resource_policy=template.attestation_policy,
        # The source account's: an account template is its own, and an organization's
        # template acts for the member that uses it (the role is the member's own).
        resource_account=p.account_id,
        extra_keys=keys,
        resource_policy_must_allow=True,
    )
    with call.store.read() as conn:
        provider = issuer.provider_by_id(conn, template.provider_id)
    if provider is None:
        raise sts_errors.InvalidWorkloadIdentityConfiguration.provider_gone()
    subject = render_subject(provider, template, attested)
    out: dict[str, Any] = {"ProvidedContext": {"ProviderArn": provider.arn}, "Subject": subject}
    role_arn: str | None = params.get("TargetRoleArn")
    if role_arn is None:
        return out
    ref = sessions.parse_role_arn(role_arn)
    role_account = p.account_id if template.scope == "ORGANIZATION" else template.owner_account_id
    role = sessions.find_role(call, ref) if ref.account_id == role_account else None
    if role is None:
        raise sts_errors.AccessDenied.not_authorized(p.arn, "sts:IssueWorkloadIdentityContext", role_arn)
    now = sessions.epoch(call.now)
    expires = now + (params.get("DurationSeconds") or DEFAULT_CONTEXT_SECONDS)
    session_seconds: int | None = params.get("SessionDurationSeconds")
    claims = {
        "t": template.template_id,
        "p": provider.provider_id,
        "s": subject,
        "r": role.role_id,
        "c": p.user_id,
        "e": expires,
        **({"se": now + session_seconds} if session_seconds else {}),
        # The source ARN it was issued for: AssumeRole must name the same one.
        **({"sa": source.arn} if source.arn is not None else {}),
    }
    out["ProvidedContext"]["ContextAssertion"] = contexts.seal_context(call, claims)
    out["Audience"] = p.arn
    out["Expiration"] = datetime.fromtimestamp(expires, UTC)
    if session_seconds:
        out["SessionExpiration"] = datetime.fromtimestamp(now + session_seconds, UTC)
    return out


def _workload(call: Call, p: Principal, action: str) -> tuple[str, issuer.Provider, list[issuer.Signer]]:
    """The SPIFFE ID of the calling session, its provider and the provider's signers; the
    refusals the model lists for a session that has no usable workload identity."""
    s = p.session
    facts = dict(s.federation) if s is not None else {}
    subject = facts.get(FACT_SUBJECT)
    if s is None or s.kind is not IssuingCall.ASSUME_ROLE or subject is None:
        raise sts_errors.AccessDenied.no_workload_identity(action)
    t = schema.workload_identity_templates
    with call.store.read() as conn:
        provider = issuer.provider_by_id(conn, facts.get(FACT_PROVIDER, ""))
        template = conn.execute(select(t.c.template_id).where(t.c.template_id == facts.get(FACT_TEMPLATE, ""))).first()
        signers = issuer.signers_of(conn, provider.provider_id) if provider is not None else []
    if provider is None or template is None:
        raise sts_errors.AccessDenied.workload_identity_gone()
    if provider.scheme != "SPIFFE":
        raise sts_errors.AccessDenied.workload_identity_not_spiffe()
    return subject, provider, signers


def _refuse_non_role(p: Principal, action: str) -> None:
    # GetFederationToken and GetSessionToken sessions first, with the text other STS
    # refusals use; then anything that is not a role session.
    sessions.refuse_limited_session(p, action, "*")


@operation(OPERATIONS, "GetCertificate")
def get_certificate(call: Call) -> Mapping[str, Any]:
    p = sessions.caller(call)
    _refuse_non_role(p, "sts:GetCertificate")
    call.authorize("sts:GetCertificate", "*")
    subject, _provider, signers = _workload(call, p, "GetCertificate")
    try:
        key = spiffe.public_key_of_csr(call.params["CertificateSigningRequest"])
    except spiffe.MalformedCsrError as exc:
        raise sts_errors.MalformedCertificateSigningRequest(str(exc)) from None
    if not any(s.signer_type == "X509" for s in signers):
        raise sts_errors.SignerNotConfigured("X.509")
    signer = issuer.signing(signers, "X509", call.now)
    if signer is None:
        raise sts_errors.RegionalSignerUnavailable("X.509")
    ca = signer.certificate()
    if ca.not_valid_after_utc <= call.now:
        raise sts_errors.RegionalSignerUnavailable("X.509")
    lifetime = timedelta(seconds=call.params.get("MaxDurationSeconds") or DEFAULT_CERTIFICATE_SECONDS)
    cert = spiffe.issue_x509_svid(
        ca_key=signer.private_key(call.master),
        ca_cert=ca,
        algorithm=spiffe.KEY_ALGORITHMS[signer.algorithm],
        subject_key=key,
        spiffe=subject,
        now=call.now,
        lifetime=lifetime,
    )
    return {
        "Certificate": spiffe.pem(cert),
        "CertificateChain": spiffe.pem(ca),
        "NotBefore": cert.not_valid_before_utc,
        "NotAfter": cert.not_valid_after_utc,
        "Subject": subject,
    }


@operation(OPERATIONS, "GetTrustBundles")
def get_trust_bundles(call: Call) -> Mapping[str, Any]:
    p = sessions.caller(call)
    arn: str = call.params["ProviderArn"]
    sessions.refuse_limited_session(p, "sts:GetTrustBundles", "*")
    call.authorize("sts:GetTrustBundles", "*")
    with call.store.read() as conn:
        provider = issuer.provider_by_arn(conn, arn)
        visible = provider is not None and (
            provider.owner_account_id == p.account_id
            if provider.scope == "ACCOUNT"
            else _in_org(conn, p.account_id, provider.org_id)
        )
        signers = issuer.signers_of(conn, provider.provider_id) if provider is not None and visible else []
    if provider is None or not visible:
        raise sts_errors.ResourceNotFound.provider(arn)
    bundles = []
    if provider.domain is not None:
        bundles.append({"TrustDomain": provider.domain, "Bundle": issuer.bundle(provider, signers, call.now)})
    return {"TrustBundles": bundles}


def _in_org(conn: Connection, account_id: str, org_id: str | None) -> bool:
    org = orgs_data.org_of_account(conn, account_id)
    return org is not None and org.org_id == org_id


# --- GetWebIdentityToken with TokenType=JWT_SVID -------------------------------------------


def jwt_svid(call: Call, p: Principal) -> Mapping[str, Any]:
    """GetWebIdentityToken's JWT_SVID branch (its handler calls this once it sees the
    token type; the checks common to both types are its own)."""
    params = call.params
    audience: list[str] = list(params["Audience"])
    algorithm: str = params["SigningAlgorithm"]
    duration: int = params.get("DurationSeconds") or 300
    if "SubjectMode" in params or "Scope" in params:
        raise sts_errors.ValidationError.token_type_with_subject_mode()
    if params.get("Tags"):
        raise sts_errors.ValidationError.jwt_svid_tags()
    if len(audience) != 1:
        raise sts_errors.ValidationError.jwt_svid_audience()
    if algorithm not in issuer.JWT_ALGORITHMS:
        raise sts_errors.ValidationError.signing_algorithm(algorithm)
    keys: dict[str, str | Sequence[str]] = {
        "sts:IdentityTokenAudience": audience,
        "sts:DurationSeconds": str(duration),
        "sts:SigningAlgorithm": algorithm,
        "sts:TokenType": "JWT_SVID",
    }
    call.authorize("sts:GetWebIdentityToken", "*", extra_keys=keys)
    subject, provider, signers = _workload(call, p, "GetWebIdentityToken with TokenType JWT_SVID")
    s = p.session
    assert s is not None
    if sessions.epoch(call.now) + duration > s.expires_at:
        raise sts_errors.SessionDurationEscalation()
    if issuer.rotate_jwt_keys(call.store, call.master, provider.provider_id, call.now):
        with call.store.read() as conn:
            signers = issuer.signers_of(conn, provider.provider_id)
    if not any(x.signer_type == "JWT" and x.algorithm == algorithm for x in signers):
        raise sts_errors.SignerNotConfigured("JWT")
    signer = issuer.signing(signers, "JWT", call.now, algorithm)
    if signer is None:
        raise sts_errors.RegionalSignerUnavailable("JWT")
    claims = spiffe.jwt_svid_claims(
        subject=subject, audience=audience[0], issuer=provider.issuer, now=call.now, duration=duration
    )
    pem = spiffe.private_key_pem(signer.private_key(call.master))
    parameters = {"kid": signer.signer_id, "alg": algorithm, "use": "sig"}
    key = (
        RSAKey.import_key(pem, parameters=parameters)  # type: ignore[arg-type]
        if algorithm == "RS256"
        else ECKey.import_key(pem, parameters=parameters)  # type: ignore[arg-type]
    )
    token = jwt.encode({"alg": algorithm, "kid": signer.signer_id, "typ": "JWT"}, claims, key, algorithms=[algorithm])
    return {"WebIdentityToken": token, "Expiration": datetime.fromtimestamp(claims["exp"], UTC)}
