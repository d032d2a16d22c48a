"""IAM: workload identity providers, their outbound signers and resource policies, and
workload identity templates with their attestation policies.

A provider is the issuer and trust boundary of the identities minted under it; with the
SPIFFE scheme it owns a trust domain. Its JWT signers are credmint's own keys, one per
algorithm, made with the provider and rotated by credmint; its X.509 signers are CAs the
operator attaches by name (``identity_providers/workload_identity_issuer.py`` says how credmint stands in
for AWS Private CA). X.509 signer changes follow the model's rules: a new signer waits
``SigningDelayInHours`` (published, not signing) so relying parties learn its CA first;
a stopped one stays published for 12 hours so what it issued keeps verifying.

Scopes. An ACCOUNT provider or template belongs to the creating account. An ORGANIZATION
one belongs to the caller's organization (its ARN carries the organization id); only the
management account may create, change or delete it (the model also admits a delegated
administrator; credmint has no delegation for this service yet, so it refuses them, the
safer side), and every member account may read it.

A provider's resource policy takes part in the decisions the IAM API reference names for
it: binding a template to the provider (``iam:AssociateWorkloadIdentityTemplate``, checked
by CreateWorkloadIdentityTemplate) and unbinding it (``iam:DisassociateWorkloadIdentityTemplate``,
checked by DeleteWorkloadIdentityTemplate); see :func:`_authorize_binding`. The references
give it no part in the STS operations: IssueWorkloadIdentityContext is decided by the
template's attestation policy, GetTrustBundles "doesn't support resource-level permissions"
and reaches any account of the provider's scope, and GetCertificate and JWT-SVIDs act on the
calling session's own identity. Its principals are bound to entities (``bound_principals``).

A trust domain is claimed by at most one provider on this server: two providers signing
for one domain would let either mint the other's identities (AWS's rule is undocumented;
refusing is the safe side).

Templates come in the model's two modes: direct authoring (``PathPattern``, optionally
``PathPrefix`` and ``AttestationPolicy``) and template definition mode, where a
credmint-owned definition (:data:`DEFINITIONS`) renders name, provider, pattern and
attestation policy from ``ReplacementValues``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from credmint import arns, bound_principals
from credmint.api import Call, operation
from credmint.federation import spiffe
from credmint.iam import errors as iam_errors
from credmint.iam.common import (
    account_of,
    authorize,
    paginate,
    put_tags,
    register_tag_operations,
    tags_param,
)
from credmint.iam.ops import OPERATIONS
from credmint.iam.rootaccess import organization_level_resources_enabled
from credmint.identity_providers import workload_identity_issuer as issuer
from credmint.identity_providers.workload_identity_issuer import Provider, Signer, Template, template_by_arn
from credmint.orgs import data as orgs_data
from credmint.policy import validate_policy
from credmint.store import schema
from credmint.store.tags import drop_all_tags, get_tags

#: Providers per collection (an account's, or an organization's); AWS's quota is
#: unpublished.
MAX_PROVIDERS = 100
#: Templates per provider (unpublished quota).
MAX_TEMPLATES = 1000
#: X.509 signer entries per provider (the model's list bound).
MAX_X509_SIGNERS = 10
#: DeleteWorkloadIdentityProvider's DeletionTaskId expires after this long.
DELETION_TASK_TTL = timedelta(hours=24)
#: Longest attestation or resource policy kept (the model's length bound is 131072; IAM's
#: own quota binds sooner, LimitExceeded past it).
MAX_POLICY_CHARS = 10_240

# --- helpers -------------------------------------------------------------------------------


def _org_of(conn: Connection, account_id: str) -> orgs_data.Org | None:
    return orgs_data.org_of_account(conn, account_id)


def _owner_segment(call: Call, conn: Connection, scope: str) -> tuple[str, str | None]:
    """The ARN's account segment for a new resource of ``scope`` and its organization id;
    refuses an ORGANIZATION scope outside an organization or outside its management account."""
    account_id = account_of(call)
    if scope == "ACCOUNT":
        return account_id, None
    org = _org_of(conn, account_id)
    if org is None:
        raise iam_errors.InvalidInput.not_in_organization()
    if org.management_account_id != account_id:
        raise iam_errors.AccessDenied.organization_scope_management_only()
    if not organization_level_resources_enabled(conn, org):
        # IAM API reference, EnableOrganizationLevelResources: an organization "cannot create
        # organization-level resources until the management account enables the capability".
        # The error and its text are unconfirmed; refusing is the safe side.
        raise iam_errors.InvalidInput.organization_level_resources_disabled()
    return org.org_id, org.org_id


def _visible(conn: Connection, account_id: str, owner_account: str, scope: str, org_id: str | None) -> bool:
    if scope == "ACCOUNT":
        return owner_account == account_id
    org = _org_of(conn, account_id)
    return org is not None and org.org_id == org_id


def _find_provider(call: Call, conn: Connection, action: str, arn: str, *, write: bool = False) -> Provider:
    authorize(call, action, arn)
    found = issuer.provider_by_arn(conn, arn)
    account_id = account_of(call)
    if found is None or not _visible(conn, account_id, found.owner_account_id, found.scope, found.org_id):
        raise iam_errors.NoSuchEntity.workload_identity_provider(arn)
    if write and found.scope == "ORGANIZATION":
        org = _org_of(conn, account_id)
        if org is None or org.management_account_id != account_id:
            raise iam_errors.AccessDenied.organization_provider_management_only()
    return found


def template_visible(conn: Connection, account_id: str, template: Template) -> bool:
    org_id = template.arn.split(":")[4] if template.scope == "ORGANIZATION" else None
    return _visible(conn, account_id, template.owner_account_id, template.scope, org_id)


def _find_template(call: Call, conn: Connection, action: str, arn: str, *, write: bool = False) -> Template:
    authorize(call, action, arn)
    found = template_by_arn(conn, arn)
    account_id = account_of(call)
    if found is None or not template_visible(conn, account_id, found):
        raise iam_errors.NoSuchEntity.workload_identity_template(arn)
    if write and found.scope == "ORGANIZATION":
        org = _org_of(conn, account_id)
        if org is None or org.management_account_id != account_id:
            raise iam_errors.AccessDenied.organization_template_management_only()
    return found


def _authorize_binding(call: Call, provider: Provider, action: str) -> None:
    """``iam:AssociateWorkloadIdentityTemplate`` (a template is bound to ``provider``) or
    ``iam:DisassociateWorkloadIdentityTemplate`` (one is deleted), decided with the
    provider's resource policy.

    The IAM API reference (PutWorkloadIdentityProviderResourcePolicy): "A member account
    binding to an organization-scoped provider needs a matching Allow here [...] in
    addition to its own identity policy", and DeleteWorkloadIdentityTemplate "requires
    iam:DisassociateWorkloadIdentityTemplate permission on the provider". So the provider's
    owner is the resource account: a caller of the account that created the provider (for
    an organization's provider, its management account) is in the same account, where its
    identity policy or the resource policy may allow; a member account is another account,
    where both must. An explicit Deny in either refuses, in both cases.
    """
    authorize(
        call,
        action,
        provider.arn,
        resource_policy=provider.resource_policy,
        resource_account=provider.owner_account_id,
    )


def _base_url(call: Call) -> str:
    host = call.request.header("host") or f"{call.settings.host}:{call.settings.port}"
    return f"{'https' if call.request.secure else 'http'}://{host}"


def _check_policy(text: str) -> None:
    if len(text) > MAX_POLICY_CHARS:
        raise iam_errors.LimitExceeded.quota("PolicySize", MAX_POLICY_CHARS)
    validate_policy(text, "resource")


# --- providers -----------------------------------------------------------------------------


def _x509_detail(s: Signer, now: datetime) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Configuration": {"CertificateAuthorityId": s.ca_id, "AccountId": s.ca_account_id},
        "Status": s.status(now).value,
        "StartSigningTime": s.start_at,
    }
    if s.end_at is not None:
        out["EndSigningTime"] = s.end_at
    if s.discovery_end_at is not None:
        out["DiscoveryExpirationTime"] = s.discovery_end_at
    return out


def _outbound(provider: Provider, signers: Sequence[Signer], now: datetime, *, retired: bool) -> dict[str, Any]:
    x509s = [s for s in signers if s.signer_type == "X509" and (retired or spiffe.published(s.status(now)))]
    jwts = [s for s in signers if s.signer_type == "JWT" and spiffe.signs(s.status(now))]
    return {
        "X509": [_x509_detail(s, now) for s in x509s[:10]],
        "Jwt": [
            {
                "SigningAlgorithm": s.algorithm,
                "Configuration": {"KeyAlgorithm": s.key_algorithm},
                "StartSigningTime": s.start_at,
            }
            for s in jwts[:10]
        ],
        "OidcIssuerUri": provider.issuer,
        "BundleEndpointUrl": provider.bundle_endpoint,
    }


def _provider_out(
    provider: Provider, signers: Sequence[Signer], tags: list[dict[str, str]], now: datetime
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Arn": provider.arn,
        "ResourceScope": provider.scope,
        "ProviderName": provider.name,
        "ProviderId": provider.provider_id,
        "Scheme": provider.scheme,
        "CreateDate": provider.created_at,
    }
    if provider.description is not None:
        out["Description"] = provider.description
    if provider.domain is not None:
        out["WorkloadIdentityDomain"] = provider.domain
    if signers:
        out["OutboundSigners"] = _outbound(provider, signers, now, retired=False)
    if tags:
        out["Tags"] = tags
    return out


@operation(OPERATIONS, "CreateWorkloadIdentityProvider")
def create_provider(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    name: str = p["ProviderName"]
    scheme: str = p["Scheme"]
    domain: str | None = p.get("WorkloadIdentityDomain")
    scope: str = p.get("ResourceScope") or "ACCOUNT"
    if scheme == "SPIFFE" and domain is None:
        raise iam_errors.InvalidInput.spiffe_domain_required()
    if scheme == "NONE" and domain is not None:
        raise iam_errors.InvalidInput.domain_without_scheme()
    tags = tags_param(p)
    if len({t["Key"] for t in tags}) != len({t["Key"].lower() for t in tags}):
        raise iam_errors.InvalidInput.tag_keys_differ_in_case()
    t = schema.workload_identity_providers
    signer_table = schema.workload_identity_signers
    with call.store.write() as conn:
        segment, org_id = _owner_segment(call, conn, scope)
        arn = arns.workload_identity_provider(segment, name)
        authorize(call, "iam:CreateWorkloadIdentityProvider", arn)
        if conn.execute(select(t.c.provider_id).where(t.c.arn == arn)).first() is not None:
            raise iam_errors.EntityAlreadyExists.workload_identity_provider(name)
        if domain is not None and conn.execute(select(t.c.provider_id).where(t.c.domain == domain)).first():
            raise iam_errors.EntityAlreadyExists.workload_identity_domain(domain)
        in_collection = (t.c.org_id == org_id) if org_id else and_(t.c.owner_account_id == segment, t.c.scope == scope)
        count = conn.execute(select(func.count()).select_from(t).where(in_collection)).scalar_one()
        if count >= MAX_PROVIDERS:
            raise iam_errors.LimitExceeded.quota("WorkloadIdentityProviders", MAX_PROVIDERS)
        provider_id = issuer.new_id("AWPA" if scope == "ACCOUNT" else "AWPO")
        row = {
            "provider_id": provider_id,
            "arn": arn,
            "owner_account_id": account_of(call),
            "scope": scope,
            "org_id": org_id,
            "name": name,
            "description": p.get("Description"),
            "scheme": scheme,
            "domain": domain,
            "resource_policy": None,
            "issuer": issuer.issuer_url(_base_url(call), provider_id),
            "created_at": call.now,
        }
        conn.execute(insert(t).values(**row))
        for alg in issuer.JWT_ALGORITHMS:
            conn.execute(
                insert(signer_table).values(**issuer.new_jwt_signer(call.master, provider_id, alg, call.now, call.now))
            )
        if tags:
            put_tags(conn, arn, tags)
        provider = issuer.provider_by_id(conn, provider_id)
        signers = issuer.signers_of(conn, provider_id)
    assert provider is not None
    out = _provider_out(provider, signers, tags, call.now)
    out["OutboundSigners"] = _outbound(provider, signers, call.now, retired=False)
    return out


@operation(OPERATIONS, "GetWorkloadIdentityProvider")
def get_provider(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        provider = _find_provider(
            call, conn, "iam:GetWorkloadIdentityProvider", call.params["WorkloadIdentityProviderArn"]
        )
        signers = issuer.signers_of(conn, provider.provider_id)
        tags = get_tags(conn, provider.arn)
    return _provider_out(provider, signers, tags, call.now)


@operation(OPERATIONS, "ListWorkloadIdentityProviders")
def list_providers(call: Call) -> Mapping[str, Any] | None:
    authorize(call, "iam:ListWorkloadIdentityProviders", "*")
    scope: str = call.params.get("ResourceScope") or "ACCOUNT"
    t = schema.workload_identity_providers
    account_id = account_of(call)
    with call.store.read() as conn:
        if scope == "ACCOUNT":
            where = and_(t.c.owner_account_id == account_id, t.c.scope == "ACCOUNT")
        else:
            org = _org_of(conn, account_id)
            where = t.c.org_id == (org.org_id if org is not None else "-")
        rows = conn.execute(select(t).where(where).order_by(t.c.name)).all()
    page, more = paginate([issuer.Provider.of(r) for r in rows], call.params)
    items = []
    for prov in page:
        item: dict[str, Any] = {
            "Arn": prov.arn,
            "ProviderName": prov.name,
            "ProviderId": prov.provider_id,
            "ResourceScope": prov.scope,
            "Scheme": prov.scheme,
            "CreateDate": prov.created_at,
        }
        if prov.description is not None:
            item["Description"] = prov.description
        if prov.domain is not None:
            item["WorkloadIdentityDomain"] = prov.domain
        items.append(item)
    return {"WorkloadIdentityProviders": items, **more}


@operation(OPERATIONS, "DeleteWorkloadIdentityProvider")
def delete_provider(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["WorkloadIdentityProviderArn"]
    st, tt = schema.workload_identity_signers, schema.workload_identity_templates
    task_id = issuer.new_id("AWPD") + issuer.new_id("")
    with call.store.write() as conn:
        provider = _find_provider(call, conn, "iam:DeleteWorkloadIdentityProvider", arn, write=True)
        if conn.execute(select(tt.c.template_id).where(tt.c.provider_id == provider.provider_id).limit(1)).first():
            raise iam_errors.DeleteConflict.provider_has_templates()
        if conn.execute(
            select(st.c.signer_id).where(st.c.provider_id == provider.provider_id, st.c.signer_type == "X509").limit(1)
        ).first():
            raise iam_errors.DeleteConflict.provider_has_x509_signers()
        conn.execute(delete(st).where(st.c.provider_id == provider.provider_id))
        drop_all_tags(conn, provider.arn)
        conn.execute(
            delete(schema.workload_identity_providers).where(
                schema.workload_identity_providers.c.provider_id == provider.provider_id
            )
        )
        d = schema.workload_identity_deletions
        conn.execute(delete(d).where(d.c.expires_at < call.now))
        conn.execute(
            insert(d).values(
                task_id=task_id,
                account_id=account_of(call),
                provider_arn=provider.arn,
                status="SUCCEEDED",
                expires_at=call.now + DELETION_TASK_TTL,
            )
        )
    return {"DeletionTaskId": task_id}


@operation(OPERATIONS, "GetWorkloadIdentityProviderDeletionStatus")
def get_deletion_status(call: Call) -> Mapping[str, Any] | None:
    task_id: str = call.params["DeletionTaskId"]
    d = schema.workload_identity_deletions
    with call.store.read() as conn:
        row = conn.execute(select(d).where(d.c.task_id == task_id, d.c.account_id == account_of(call))).first()
    if row is not None:
        authorize(call, "iam:GetWorkloadIdentityProviderDeletionStatus", row.provider_arn)
    if row is None or issuer._utc(row.expires_at) <= call.now:
        raise iam_errors.NoSuchEntity.workload_identity_deletion_task(task_id)  # wording unconfirmed
    return {"WorkloadIdentityProviderArn": row.provider_arn, "Status": row.status}


# --- X.509 outbound signers ----------------------------------------------------------------


def _signer_type(call: Call) -> None:
    if call.params["SignerType"] != "X509":
        raise iam_errors.InvalidInput.signer_type_not_x509()


def _ca(call: Call) -> tuple[str, str]:
    ca = (call.params.get("OutboundSigner") or {}).get("X509")
    if not ca:
        raise iam_errors.InvalidInput.outbound_signer_not_x509()
    return ca["CertificateAuthorityId"], ca["AccountId"]


def _delay(call: Call, default: int) -> timedelta:
    return timedelta(hours=call.params.get("SigningDelayInHours") or default)


@operation(OPERATIONS, "CreateWorkloadIdentityProviderOutboundSigner")
def create_signer(call: Call) -> Mapping[str, Any] | None:
    ca_id, ca_account = _ca(call)
    algorithm = issuer.ca_key_algorithm(ca_id).name
    st = schema.workload_identity_signers
    with call.store.write() as conn:
        provider = _find_provider(
            call,
            conn,
            "iam:CreateWorkloadIdentityProviderOutboundSigner",
            call.params["WorkloadIdentityProviderArn"],
            write=True,
        )
        x509s = [s for s in issuer.signers_of(conn, provider.provider_id) if s.signer_type == "X509"]
        if any(s.algorithm == algorithm for s in x509s):
            raise iam_errors.EntityAlreadyExists.signer_slot(algorithm)
        if len(x509s) >= MAX_X509_SIGNERS:
            raise iam_errors.LimitExceeded.quota("X509OutboundSigners", MAX_X509_SIGNERS)
        row = issuer.new_x509_signer(call.master, provider, ca_id, ca_account, call.now + _delay(call, 1), call.now)
        conn.execute(insert(st).values(**row))
    return None


@operation(OPERATIONS, "UpdateWorkloadIdentityProviderOutboundSigner")
def update_signer(call: Call) -> Mapping[str, Any] | None:
    """Rotate a slot to another CA (published now, signing after the delay, and the current
    signer stops then and stays published 12 hours more); naming the incoming CA again
    re-times the rotation; naming the current one cancels it."""
    ca_id, ca_account = _ca(call)
    algorithm = issuer.ca_key_algorithm(ca_id).name
    st = schema.workload_identity_signers
    now = call.now
    with call.store.write() as conn:
        provider = _find_provider(
            call,
            conn,
            "iam:UpdateWorkloadIdentityProviderOutboundSigner",
            call.params["WorkloadIdentityProviderArn"],
            write=True,
        )
        slot = [
            s
            for s in issuer.signers_of(conn, provider.provider_id)
            if s.signer_type == "X509"
            and s.algorithm == algorithm
            and s.status(now) is not spiffe.SignerStatus.INACTIVE
        ]
        current = [s for s in slot if s.status(now) is spiffe.SignerStatus.ACTIVE]
        incoming = [s for s in slot if s.status(now) is spiffe.SignerStatus.IN_TRANSITION]
        if not slot:
            raise iam_errors.NoSuchEntity.x509_signer_to_rotate(algorithm)
        start = now + _delay(call, 24)
        named = [s for s in slot if (s.ca_id, s.ca_account_id) == (ca_id, ca_account)]
        if named and named[0] in incoming:
            # Re-time the rotation in progress.
            conn.execute(update(st).where(st.c.signer_id == named[0].signer_id).values(start_at=start))
            for s in current:
                conn.execute(
                    update(st)
                    .where(st.c.signer_id == s.signer_id)
                    .values(end_at=start, discovery_end_at=start + issuer.X509_KEEP_PUBLISHED)
                )
            return None
        if named and named[0] in current:
            # Cancel the rotation: the current signer keeps signing, the incoming one goes.
            for s in incoming:
                conn.execute(delete(st).where(st.c.signer_id == s.signer_id))
            conn.execute(
                update(st).where(st.c.signer_id == named[0].signer_id).values(end_at=None, discovery_end_at=None)
            )
            return None
        if len(issuer.signers_of(conn, provider.provider_id)) - 2 >= MAX_X509_SIGNERS:
            raise iam_errors.LimitExceeded.quota("X509OutboundSigners", MAX_X509_SIGNERS)
        for s in incoming:
            conn.execute(delete(st).where(st.c.signer_id == s.signer_id))
        conn.execute(insert(st).values(**issuer.new_x509_signer(call.master, provider, ca_id, ca_account, start, now)))
        for s in current:
            conn.execute(
                update(st)
                .where(st.c.signer_id == s.signer_id)
                .values(end_at=start, discovery_end_at=start + issuer.X509_KEEP_PUBLISHED)
            )
    return None


@operation(OPERATIONS, "DisableWorkloadIdentityProviderOutboundSigner")
def disable_signers(call: Call) -> Mapping[str, Any] | None:
    _signer_type(call)
    st = schema.workload_identity_signers
    now = call.now
    with call.store.write() as conn:
        provider = _find_provider(
            call,
            conn,
            "iam:DisableWorkloadIdentityProviderOutboundSigner",
            call.params["WorkloadIdentityProviderArn"],
            write=True,
        )
        for s in issuer.signers_of(conn, provider.provider_id):
            if s.signer_type == "X509" and s.status(now) in (
                spiffe.SignerStatus.ACTIVE,
                spiffe.SignerStatus.IN_TRANSITION,
            ):
                conn.execute(
                    update(st)
                    .where(st.c.signer_id == s.signer_id)
                    .values(end_at=now, discovery_end_at=now + issuer.X509_KEEP_PUBLISHED)
                )
    return None


@operation(OPERATIONS, "EnableWorkloadIdentityProviderOutboundSigner")
def enable_signers(call: Call) -> Mapping[str, Any] | None:
    _signer_type(call)
    st = schema.workload_identity_signers
    now = call.now
    start = now + _delay(call, 1)
    with call.store.write() as conn:
        provider = _find_provider(
            call,
            conn,
            "iam:EnableWorkloadIdentityProviderOutboundSigner",
            call.params["WorkloadIdentityProviderArn"],
            write=True,
        )
        x509s = [s for s in issuer.signers_of(conn, provider.provider_id) if s.signer_type == "X509"]
        if any(s.status(now) in (spiffe.SignerStatus.ACTIVE, spiffe.SignerStatus.IN_TRANSITION) for s in x509s):
            return None  # something signs or will: nothing was stopped
        # In each slot, the entry that stopped most recently resumes.
        latest: dict[str, tuple[datetime, Signer]] = {}
        for s in x509s:
            if s.end_at is not None and (s.algorithm not in latest or s.end_at > latest[s.algorithm][0]):
                latest[s.algorithm] = (s.end_at, s)
        for _, s in latest.values():
            conn.execute(
                update(st)
                .where(st.c.signer_id == s.signer_id)
                .values(start_at=start, end_at=None, discovery_end_at=None)
            )
    return None


@operation(OPERATIONS, "DeleteWorkloadIdentityProviderOutboundSigner")
def delete_signer(call: Call) -> Mapping[str, Any] | None:
    ca_id, ca_account = _ca(call)
    arn: str = call.params["WorkloadIdentityProviderArn"]
    st = schema.workload_identity_signers
    with call.store.write() as conn:
        provider = _find_provider(call, conn, "iam:DeleteWorkloadIdentityProviderOutboundSigner", arn, write=True)
        entries = [
            s
            for s in issuer.signers_of(conn, provider.provider_id)
            if s.signer_type == "X509" and (s.ca_id, s.ca_account_id) == (ca_id, ca_account)
        ]
        if any(s.status(call.now) in (spiffe.SignerStatus.ACTIVE, spiffe.SignerStatus.IN_TRANSITION) for s in entries):
            # The model: "IAM rejects an ACTIVE or an IN_TRANSITION entry with
            # InvalidInputException, so disable the signer first" (deleting a signing CA
            # would make what it issued unverifiable at once).
            raise iam_errors.InvalidInput.x509_signer_in_use(ca_id)
        removed = conn.execute(
            delete(st).where(
                st.c.provider_id == provider.provider_id,
                st.c.signer_type == "X509",
                st.c.ca_id == ca_id,
                st.c.ca_account_id == ca_account,
            )
        ).rowcount
    if not removed:
        raise iam_errors.NoSuchEntity.x509_signer(ca_id)
    return {
        "WorkloadIdentityProviderArn": arn,
        "OutboundSigner": {"X509": {"CertificateAuthorityId": ca_id, "AccountId": ca_account}},
        "Status": "SUCCEEDED",
    }


@operation(OPERATIONS, "ListWorkloadIdentityProviderOutboundSigners")
def list_signers(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        provider = _find_provider(
            call, conn, "iam:ListWorkloadIdentityProviderOutboundSigners", call.params["WorkloadIdentityProviderArn"]
        )
        signers = issuer.signers_of(conn, provider.provider_id)
    entries: list[dict[str, Any]] = []
    for s in signers:
        if s.signer_type == "X509":
            d = _x509_detail(s, call.now)
            entries.append({"SignerType": "X509", "Configuration": {"X509": d.pop("Configuration")}, **d})
        else:
            entries.append(
                {
                    "SignerType": "JWT",
                    "Configuration": {"Jwt": {"KeyAlgorithm": s.key_algorithm}},
                    "SigningAlgorithm": s.algorithm,
                    "StartSigningTime": s.start_at,
                }
            )
    page, more = paginate(entries, call.params)
    return {"OutboundSigners": page, **more}


# --- provider resource policy --------------------------------------------------------------


@operation(OPERATIONS, "PutWorkloadIdentityProviderResourcePolicy")
def put_resource_policy(call: Call) -> Mapping[str, Any] | None:
    text: str = call.params["PolicyDocument"]
    _check_policy(text)
    t = schema.workload_identity_providers
    with call.store.write() as conn:
        provider = _find_provider(
            call,
            conn,
            "iam:PutWorkloadIdentityProviderResourcePolicy",
            call.params["WorkloadIdentityProviderArn"],
            write=True,
        )
        stored = bound_principals.bind(conn, text, iam_errors.MalformedPolicyDocument.invalid_principal)
        conn.execute(update(t).where(t.c.provider_id == provider.provider_id).values(resource_policy=stored))
    return None


@operation(OPERATIONS, "GetWorkloadIdentityProviderResourcePolicy")
def get_resource_policy(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["WorkloadIdentityProviderArn"]
    with call.store.read() as conn:
        provider = _find_provider(call, conn, "iam:GetWorkloadIdentityProviderResourcePolicy", arn)
        if provider.resource_policy is None:
            raise iam_errors.NoSuchEntity.provider_resource_policy(arn)
        text = bound_principals.render(conn, provider.resource_policy)
    return {"Arn": provider.arn, "PolicyDocument": text}


@operation(OPERATIONS, "DeleteWorkloadIdentityProviderResourcePolicy")
def delete_resource_policy(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["WorkloadIdentityProviderArn"]
    t = schema.workload_identity_providers
    with call.store.write() as conn:
        provider = _find_provider(call, conn, "iam:DeleteWorkloadIdentityProviderResourcePolicy", arn, write=True)
        if provider.resource_policy is None:
            raise iam_errors.NoSuchEntity.provider_resource_policy(arn)
        conn.execute(update(t).where(t.c.provider_id == provider.provider_id).values(resource_policy=None))
    return None


def _provider_tag_target(call: Call, conn: Connection, action: str) -> str:
    return _find_provider(
        call,
        conn,
        action,
        call.params["WorkloadIdentityProviderArn"],
        write=action.startswith(("iam:Tag", "iam:Untag")),
    ).arn


register_tag_operations("WorkloadIdentityProvider", _provider_tag_target)


# --- templates -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Definition:
    """A credmint-owned template definition: the values it leaves open, and how it renders
    the template from them."""

    #: ReplacementValues names -> (required, single value).
    values: Mapping[str, tuple[bool, bool]]
    path_pattern: str
    #: The attestation policy; ``{Callers}`` and each ``{<name>}`` are replaced by the JSON
    #: list of that replacement value.
    policy: str


def _k8s_policy() -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "{Callers}"},
                    "Action": "sts:IssueWorkloadIdentityContext",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:WorkloadAttestation/aws/k8s/Cluster": "{Clusters}"}},
                }
            ],
        }
    )


#: Template definitions credmint offers (AWS's are service-owned; credmint runs no
#: services, so it offers its own under ``arn:aws:iam::aws:workload-identity-template-definition/``).
DEFINITIONS: Mapping[str, Definition] = {
    "arn:aws:iam::aws:workload-identity-template-definition/KubernetesServiceAccount": Definition(
        values={
            "TemplateName": (True, True),
            "ProviderArn": (True, True),
            "Callers": (True, False),
            "Clusters": (True, False),
        },
        path_pattern=(
            "k8s/{aws:WorkloadAttestation/aws/k8s/Cluster}/ns/{aws:WorkloadAttestation/aws/k8s/Namespace}"
            "/sa/{aws:WorkloadAttestation/aws/k8s/ServiceAccount}"
        ),
        policy=_k8s_policy(),
    ),
}


def _render_definition(call: Call) -> tuple[str, str, str, str]:
    """(name, provider ARN, path pattern, attestation policy) from TemplateDefinition."""
    p = call.params
    forbidden = [
        k
        for k in (
            "Name",
            "Description",
            "WorkloadIdentityProviderArn",
            "PathPrefix",
            "PathPattern",
            "AttestationPolicy",
        )
        if k in p
    ]
    if forbidden:
        raise iam_errors.InvalidInput.not_in_definition_mode(forbidden[0])
    spec = p["TemplateDefinition"]
    definition = DEFINITIONS.get(spec["TemplateDefinitionArn"])
    if definition is None:
        raise iam_errors.NoSuchEntity.template_definition(spec["TemplateDefinitionArn"])
    given: dict[str, list[str]] = {k: list(v["Values"]) for k, v in (spec.get("ReplacementValues") or {}).items()}
    for name in given:
        if name not in definition.values:
            raise iam_errors.InvalidInput.no_open_value(name)
    for name, (required, single) in definition.values.items():
        vals = given.get(name)
        if required and not vals:
            raise iam_errors.InvalidInput.replacement_value_missing(name)
        if single and vals is not None and len(vals) != 1:
            raise iam_errors.InvalidInput.replacement_value_not_single(name)
    policy = definition.policy
    for name in definition.values:
        policy = policy.replace(json.dumps("{" + name + "}"), json.dumps(given.get(name, [])))
    return given["TemplateName"][0], given["ProviderArn"][0], definition.path_pattern, policy


def _check_pattern(pattern: str, prefix: str | None) -> None:
    try:
        spiffe.PathPattern.parse(pattern)
        if prefix is not None and not all(spiffe.is_segment(s) for s in prefix.split("/")):
            raise spiffe.SpiffeFormatError("PathPrefix has an invalid segment")
    except spiffe.SpiffeFormatError as exc:
        raise iam_errors.InvalidInput.path_pattern(str(exc)) from None


#: Condition keys of attested values start with this (lower-cased).
_ATTESTATION_PREFIX_LOWER = "aws:workloadattestation/"


def _attestation_keys(text: str) -> list[str]:
    """The ``aws:WorkloadAttestation/...`` condition keys the policy's statements test, as
    written (the policy has been validated: a JSON object of statements)."""
    doc = json.loads(text)
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    found: list[str] = []
    for st in statements if isinstance(statements, list) else [statements]:
        conditions = st.get("Condition") if isinstance(st, dict) else None
        if not isinstance(conditions, dict):
            continue
        for block in conditions.values():
            if isinstance(block, dict):
                found.extend(k for k in block if k.lower().startswith(_ATTESTATION_PREFIX_LOWER))
    return found


def _check_fits(policy: str, pattern: str) -> None:
    """PutWorkloadIdentityTemplateAttestationPolicy: "The policy's conditions must fit the
    template's stored PathPattern. A policy that does not returns InvalidInputException."

    The reference does not spell the rule out further. credmint reads it as: every attested
    value a condition tests (a key ``aws:WorkloadAttestation/...``) is one the pattern renders
    (one of its placeholders; condition keys compare without regard to case, as IAM's do).
    A condition on an attested value the template never puts in the identity would decide
    who may mint identities on a fact the identity does not show; refusing it is the
    stricter reading. Conditions on other keys (``aws:PrincipalArn``, ``aws:SourceAccount``)
    are the policy's own business and always fit. CreateWorkloadIdentityTemplate applies the
    same check ("equivalent to one supplied later by PutWorkloadIdentityTemplateAttestationPolicy").
    """
    rendered = {k.lower() for k in spiffe.PathPattern.parse(pattern).keys}
    for key in _attestation_keys(policy):
        if key.lower() not in rendered:
            raise iam_errors.InvalidInput.condition_key_not_placeholder(key)


def _template_out(t: Template, provider_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Name": t.name,
        "TemplateId": t.template_id,
        "ResourceScope": t.scope,
        "Arn": t.arn,
        "WorkloadIdentityProviderArn": provider_arn,
        "PathPattern": t.path_pattern,
        "CreateDate": t.created_at,
    }
    if t.description is not None:
        out["Description"] = t.description
    if t.path_prefix is not None:
        out["PathPrefix"] = t.path_prefix
    if tags:
        out["Tags"] = tags
    return out


@operation(OPERATIONS, "CreateWorkloadIdentityTemplate")
def create_template(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    scope: str = p.get("ResourceScope") or "ACCOUNT"
    if "TemplateDefinition" in p:
        name, provider_arn, pattern, policy_text = _render_definition(call)
        prefix, description = None, None
        policy: str | None = policy_text
    else:
        missing = [k for k in ("Name", "WorkloadIdentityProviderArn", "PathPattern") if k not in p]
        if missing:
            raise iam_errors.InvalidInput.required_in_direct_mode(missing[0])
        name, provider_arn, pattern = p["Name"], p["WorkloadIdentityProviderArn"], p["PathPattern"]
        prefix, description, policy = p.get("PathPrefix"), p.get("Description"), p.get("AttestationPolicy")
    _check_pattern(pattern, prefix)
    if policy is not None:
        _check_policy(policy)
        _check_fits(policy, pattern)
    tags = tags_param(p)
    tt = schema.workload_identity_templates
    with call.store.write() as conn:
        segment, _org_id = _owner_segment(call, conn, scope)
        arn = arns.workload_identity_template(segment, name)
        authorize(call, "iam:CreateWorkloadIdentityTemplate", arn)
        provider = issuer.provider_by_arn(conn, provider_arn)
        if provider is None or not _visible(
            conn, account_of(call), provider.owner_account_id, provider.scope, provider.org_id
        ):
            raise iam_errors.NoSuchEntity.workload_identity_provider(provider_arn)
        if scope == "ORGANIZATION" and provider.scope != "ORGANIZATION":
            raise iam_errors.InvalidInput.organization_template_provider()
        _authorize_binding(call, provider, "iam:AssociateWorkloadIdentityTemplate")
        if conn.execute(select(tt.c.template_id).where(tt.c.arn == arn)).first() is not None:
            raise iam_errors.EntityAlreadyExists.workload_identity_template(name)
        count = conn.execute(
            select(func.count()).select_from(tt).where(tt.c.provider_id == provider.provider_id)
        ).scalar_one()
        if count >= MAX_TEMPLATES:
            raise iam_errors.LimitExceeded.quota("WorkloadIdentityTemplates", MAX_TEMPLATES)
        stored_policy = (
            bound_principals.bind(conn, policy, iam_errors.MalformedPolicyDocument.invalid_principal)
            if policy is not None
            else None
        )
        template_id = issuer.new_id("AWTA" if scope == "ACCOUNT" else "AWTO")
        conn.execute(
            insert(tt).values(
                template_id=template_id,
                arn=arn,
                owner_account_id=account_of(call),
                scope=scope,
                name=name,
                description=description,
                provider_id=provider.provider_id,
                path_prefix=prefix,
                path_pattern=pattern,
                attestation_policy=stored_policy,
                created_at=call.now,
            )
        )
        if tags:
            put_tags(conn, arn, tags)
        template = template_by_arn(conn, arn)
    assert template is not None
    out = _template_out(template, provider.arn, tags)
    if policy is not None:
        out["AttestationPolicy"] = policy
    return out


@operation(OPERATIONS, "GetWorkloadIdentityTemplate")
def get_template(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        t = _find_template(call, conn, "iam:GetWorkloadIdentityTemplate", call.params["WorkloadIdentityTemplateArn"])
        provider = issuer.provider_by_id(conn, t.provider_id)
        tags = get_tags(conn, t.arn)
    assert provider is not None
    return _template_out(t, provider.arn, tags)


def _admits_service(policy: str | None, principal: str) -> bool:
    """ListWorkloadIdentityTemplates' filter: an Allow statement naming the principal."""
    if policy is None:
        return False
    try:
        doc = json.loads(policy)
    except ValueError:
        return False
    statements = doc.get("Statement")
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        named = st.get("Principal")
        values: list[Any] = []
        if isinstance(named, dict):
            for v in named.values():
                values.extend(v if isinstance(v, list) else [v])
        elif named == "*":
            values.append("*")
        if principal in values or "*" in values:
            return True
    return False


_FILTER = re.compile(r'\A\s*service_principal\s*=\s*"([^"]{1,200})"\s*\Z')


@operation(OPERATIONS, "ListWorkloadIdentityTemplates")
def list_templates(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["WorkloadIdentityProviderArn"]
    flt: str | None = call.params.get("Filter")
    wanted: str | None = None
    if flt is not None:
        m = _FILTER.match(flt)
        if m is None:
            raise iam_errors.InvalidInput.service_principal_filter()
        wanted = m.group(1)
    tt = schema.workload_identity_templates
    with call.store.read() as conn:
        authorize(call, "iam:ListWorkloadIdentityTemplates", arn)
        provider = issuer.provider_by_arn(conn, arn)
        account_id = account_of(call)
        if provider is None or not _visible(
            conn, account_id, provider.owner_account_id, provider.scope, provider.org_id
        ):
            raise iam_errors.NoSuchEntity.workload_identity_provider(arn)
        query = select(tt).where(tt.c.provider_id == provider.provider_id)
        if call.params.get("ResourceScope"):
            query = query.where(tt.c.scope == call.params["ResourceScope"])
        rows = [Template.of(r) for r in conn.execute(query.order_by(tt.c.name)).all()]
        rows = [t for t in rows if template_visible(conn, account_id, t)]
    if wanted is not None:
        rows = [t for t in rows if _admits_service(t.attestation_policy, wanted)]
    page, more = paginate(rows, call.params)
    items = []
    for t in page:
        item = _template_out(t, provider.arn, [])
        item.pop("TemplateId")
        items.append(item)
    return {"WorkloadIdentityTemplates": items, **more}


@operation(OPERATIONS, "DeleteWorkloadIdentityTemplate")
def delete_template(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["WorkloadIdentityTemplateArn"]
    tt = schema.workload_identity_templates
    with call.store.write() as conn:
        t = _find_template(call, conn, "iam:DeleteWorkloadIdentityTemplate", arn, write=True)
        provider = issuer.provider_by_id(conn, t.provider_id)
        if provider is not None:
            _authorize_binding(call, provider, "iam:DisassociateWorkloadIdentityTemplate")
        conn.execute(delete(tt).where(tt.c.template_id == t.template_id))
        drop_all_tags(conn, t.arn)
    return {"WorkloadIdentityTemplateArn": arn, "Status": "SUCCEEDED"}


@operation(OPERATIONS, "PutWorkloadIdentityTemplateAttestationPolicy")
def put_attestation_policy(call: Call) -> Mapping[str, Any] | None:
    text: str = call.params["AttestationPolicy"]
    _check_policy(text)
    tt = schema.workload_identity_templates
    with call.store.write() as conn:
        t = _find_template(
            call,
            conn,
            "iam:PutWorkloadIdentityTemplateAttestationPolicy",
            call.params["WorkloadIdentityTemplateArn"],
            write=True,
        )
        _check_fits(text, t.path_pattern)
        stored = bound_principals.bind(conn, text, iam_errors.MalformedPolicyDocument.invalid_principal)
        conn.execute(update(tt).where(tt.c.template_id == t.template_id).values(attestation_policy=stored))
    return None


@operation(OPERATIONS, "GetWorkloadIdentityTemplateAttestationPolicy")
def get_attestation_policy(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["WorkloadIdentityTemplateArn"]
    with call.store.read() as conn:
        t = _find_template(call, conn, "iam:GetWorkloadIdentityTemplateAttestationPolicy", arn)
        if t.attestation_policy is None:
            raise iam_errors.NoSuchEntity.attestation_policy(arn)
        text = bound_principals.render(conn, t.attestation_policy)
    return {"WorkloadIdentityTemplateArn": arn, "AttestationPolicy": text}


@operation(OPERATIONS, "DeleteWorkloadIdentityTemplateAttestationPolicy")
def delete_attestation_policy(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["WorkloadIdentityTemplateArn"]
    tt = schema.workload_identity_templates
    with call.store.write() as conn:
        t = _find_template(call, conn, "iam:DeleteWorkloadIdentityTemplateAttestationPolicy", arn, write=True)
        if t.attestation_policy is None:
            raise iam_errors.NoSuchEntity.attestation_policy(arn)
        conn.execute(update(tt).where(tt.c.template_id == t.template_id).values(attestation_policy=None))
    return None


def _template_tag_target(call: Call, conn: Connection, action: str) -> str:
    return _find_template(
        call,
        conn,
        action,
        call.params["WorkloadIdentityTemplateArn"],
        write=action.startswith(("iam:Tag", "iam:Untag")),
    ).arn


register_tag_operations("WorkloadIdentityTemplate", _template_tag_target)
