"""The request as the policy engine sees it.

A :class:`RequestContext` is frozen and built once per request; everything the
evaluator needs repeatedly (the lower-cased action, its service prefix, the
resource split into ARN fields) is derived in ``__post_init__`` so that each
statement check is a dictionary lookup or a precompiled matcher call.

:func:`global_condition_keys` derives the ``aws:*`` keys from a principal
description, following the per-credential-type table in aws-behavior.md §4.6.
It is pure: the clock value comes in as an argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from credmint import arns

from .matching import split_arn

PrincipalType = Literal[
    "Account",  # the root user of an account
    "User",
    "AssumedRole",
    "FederatedUser",
    "WebIdentityUser",  # the caller of AssumeRoleWithWebIdentity, named by its IdP
    "SAMLUser",  # the caller of AssumeRoleWithSAML, named by its SAML provider ARN
    "Role",  # a role ARN itself (policy simulation; AWS never signs requests as a role)
    "Service",  # an AWS service principal such as ``lambda.amazonaws.com``
    "Anonymous",
]


@dataclass(frozen=True, slots=True)
class PrincipalInfo:
    """Who is asking, in the terms Principal elements and ``aws:*`` keys use."""

    #: User/role/root ARN, assumed-role or federated-user *session* ARN, service name,
    #: IdP identifier for web identity / SAML callers, ``anonymous``.
    arn: str
    type: PrincipalType
    #: Account id; ``None`` for anonymous and service principals.
    account: str | None = None
    #: ``aws:userid``: ``AIDA…``, ``AROA…:session``, ``acct:name``, ``acct``.
    unique_id: str | None = None
    #: ``aws:username`` (IAM users only).
    username: str | None = None
    #: For a role session the role ARN (with its path); for a federated user the IAM
    #: user ARN that called GetFederationToken. Derived (without path) when not given.
    source_arn: str | None = None
    #: Canonical user id, for ``{"CanonicalUser": ...}`` principals.
    canonical_user: str | None = None
    #: Unique id of the role behind a role session or of the IAM user behind a federated
    #: session: stored resource policies name entities by unique id (bound at write time).
    source_id: str | None = None

    @classmethod
    def from_arn(
        cls,
        arn: str,
        *,
        unique_id: str | None = None,
        username: str | None = None,
        source_arn: str | None = None,
    ) -> PrincipalInfo:
        """Classify a principal string the way AWS prints it (ARN, service name, account id)."""
        fields = split_arn(arn)
        if fields is None:
            if arn.isdigit() and len(arn) == 12:
                return cls(arns.root(arn), "Account", arn, unique_id=unique_id or arn)
            if arn.endswith((".amazonaws.com", ".amazonaws.com.cn")):
                return cls(arn, "Service")
            if arn in ("*", "anonymous"):
                return cls("anonymous", "Anonymous", unique_id="anonymous")
            # An IdP identifier such as ``accounts.google.com`` (web identity federation).
            return cls(arn, "WebIdentityUser")
        service, account, resource = fields[2], fields[4], fields[5]
        kind, _, rest = resource.partition("/")
        ptype: PrincipalType = _ARN_TYPES.get((service, kind), "User")
        if service == "iam" and resource == "root":
            ptype = "Account"
            unique_id = unique_id or account
        if ptype == "User" and username is None:
            username = rest.rsplit("/", 1)[-1]
        return cls(arn, ptype, account or None, unique_id, username, source_arn)

    @property
    def principal_arn(self) -> str:
        """``aws:PrincipalArn``: the role ARN for role sessions (AWS, observed), else :attr:`arn`."""
        if self.type == "AssumedRole":
            return self.role_arn or self.arn
        return self.arn

    @property
    def role_arn(self) -> str | None:
        """The role behind a role session (or the role itself)."""
        if self.type == "Role":
            return self.arn
        if self.type != "AssumedRole":
            return None
        if self.source_arn:
            return self.source_arn
        fields = split_arn(self.arn)
        if fields is None:
            return None
        parts = fields[5].split("/")
        if len(parts) < 3:
            return None
        # The session ARN drops the role's path; without source_arn we can only rebuild a path-less ARN.
        return f"arn:{fields[1]}:iam::{fields[4]}:role/{parts[1]}"

    @property
    def federating_user_arn(self) -> str | None:
        """The IAM user behind a federated-user session."""
        if self.type != "FederatedUser":
            return None
        if self.source_arn:
            return self.source_arn
        fields = split_arn(self.arn)
        if fields is None:
            return None
        name = fields[5].partition("/")[2]
        return f"arn:{fields[1]}:iam::{fields[4]}:user/{name}"


_ARN_TYPES: dict[tuple[str, str], PrincipalType] = {
    ("iam", "user"): "User",
    ("iam", "role"): "Role",
    ("iam", "saml-provider"): "SAMLUser",
    ("iam", "oidc-provider"): "WebIdentityUser",
    ("sts", "assumed-role"): "AssumedRole",
    ("sts", "federated-user"): "FederatedUser",
}

KeyInput = Mapping[str, "str | bool | int | float | Iterable[str]"]


def normalize_keys(keys: KeyInput) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Lower-case key names and turn every value into a tuple; report which keys were lists."""
    out: dict[str, tuple[str, ...]] = {}
    multi: set[str] = set()
    for name, value in keys.items():
        low = name.lower()
        if isinstance(value, str):
            out[low] = (value,)
        elif isinstance(value, bool):
            out[low] = ("true" if value else "false",)
        elif isinstance(value, (int, float)):
            out[low] = (str(value),)
        else:
            out[low] = tuple(value)
            multi.add(low)
    return out, frozenset(multi)


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One request to decide. ``keys`` maps lower-cased condition key names to their values."""

    principal: PrincipalInfo
    #: ``service:Name`` as the client sent it (case kept for messages).
    action: str
    #: Resource ARN or ``*`` for actions that take no resource.
    resource: str = "*"
    #: Account owning the resource; ``None`` = the principal's own account (e.g. IAM resources).
    resource_account: str | None = None
    keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Keys given as lists (``aws:TagKeys``, ``saml:*[]``...), for callers that care.
    multi_valued: frozenset[str] = frozenset()
    #: Simulation only: ``resource`` is a pattern standing for a set of resources (an
    #: Allow applies if it may match one of them, a Deny only if it matches them all).
    #: Never set for real requests, where ``*`` in a resource name is a plain character.
    resource_is_pattern: bool = False
    #: With ``resource_is_pattern``: ask whether the policies allow the *whole* set (an Allow
    #: applies only if it matches every resource of it, a Deny if it may match one), as
    #: IAM's delegation permission check asks (``policy.coverage``).
    resource_cover: bool = False
    # Derived, for the hot path.
    action_lower: str = field(init=False, repr=False, compare=False)
    service: str = field(init=False, repr=False, compare=False)
    resource_fields: tuple[str, ...] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if any(k != k.lower() for k in self.keys):
            object.__setattr__(self, "keys", {k.lower(): v for k, v in self.keys.items()})
        low = self.action.lower()
        object.__setattr__(self, "action_lower", low)
        object.__setattr__(self, "service", low.partition(":")[0])
        object.__setattr__(self, "resource_fields", split_arn(self.resource))

    @classmethod
    def create(
        cls,
        principal: PrincipalInfo,
        action: str,
        resource: str = "*",
        *,
        resource_account: str | None = None,
        keys: KeyInput | None = None,
        resource_is_pattern: bool = False,
        resource_cover: bool = False,
    ) -> RequestContext:
        """Build from loosely typed keys (strings, booleans, numbers, lists of strings)."""
        norm, multi = normalize_keys(keys or {})
        return cls(principal, action, resource, resource_account, norm, multi, resource_is_pattern, resource_cover)

    @property
    def same_account(self) -> bool:
        if self.resource_account is None:
            return self.principal.account is not None
        return self.principal.account == self.resource_account


def _iso(t: datetime) -> str:
    if t.tzinfo is not UTC:
        t = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    # Formatted by hand: strftime costs several times more, on every authorization.
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


#: The AWS global condition keys (IAM User Guide, "AWS global condition context keys"),
#: each with its availability: when AWS puts it in a request context. The one place this
#: rule is written down; :func:`global_condition_keys` (principal and request keys),
#: ``access.context.build_context`` (``aws:ResourceAccount``, ``aws:ResourceTag``, ``aws:AssumedRoot``)
#: and ``orgs.organization_keys`` (the organization keys) follow it, and the keys no
#: credmint request can carry are named, with the reason, in ``condition_keys.UNSUPPLIED``.
GLOBAL_KEYS: Mapping[str, str] = {
    # Principal.
    "aws:PrincipalArn": "every signed request",
    "aws:PrincipalAccount": "every request (anonymous: 'anonymous')",
    "aws:PrincipalOrgID": "when the principal's account is in an organization",
    "aws:PrincipalOrgPaths": "when the principal's account is in an organization",
    "aws:PrincipalTag/${TagKey}": "when the principal (user, role, or session) has tags",
    "aws:PrincipalIsAWSService": "every signed request",
    "aws:PrincipalServiceName": "only when an AWS service principal makes the call",
    "aws:PrincipalServiceNamesList": "only when an AWS service principal makes the call",
    "aws:PrincipalType": "every request",
    "aws:userid": "every request",
    "aws:username": "IAM users only",
    # Role sessions.
    "aws:AssumedRoot": "sessions from sts:AssumeRoot",
    "aws:FederatedProvider": "sessions from AssumeRoleWithSAML / AssumeRoleWithWebIdentity",
    "aws:TokenIssueTime": "temporary credentials only",
    "aws:MultiFactorAuthAge": "when MFA was used to get the credentials",
    "aws:MultiFactorAuthPresent": "temporary credentials (and AssumeRole with MFA); absent for long-term keys",
    "aws:SourceIdentity": "when the session has a source identity",
    "aws:ChatbotSourceArn": "only for sessions AWS Chatbot makes",
    "aws:Ec2InstanceSourceVpc": "only for EC2 instance role credentials",
    "aws:Ec2InstanceSourcePrivateIPv4": "only for EC2 instance role credentials",
    # Network.
    "aws:SourceIp": "every request, except through a VPC endpoint",
    "aws:SourceVpc": "only through a VPC endpoint",
    "aws:SourceVpcArn": "only through a VPC endpoint",
    "aws:SourceVpce": "only through a VPC endpoint",
    "aws:VpcSourceIp": "only through a VPC endpoint",
    # Resource.
    "aws:ResourceAccount": "every request to a resource",
    "aws:ResourceOrgID": "when the resource's account is in an organization",
    "aws:ResourceOrgPaths": "when the resource's account is in an organization",
    "aws:ResourceTag/${TagKey}": "when the resource has tags",
    # Request.
    "aws:CalledVia": "only when an AWS service makes the call on the principal's behalf",
    "aws:CalledViaFirst": "only when an AWS service makes the call on the principal's behalf",
    "aws:CalledViaLast": "only when an AWS service makes the call on the principal's behalf",
    "aws:ViaAWSService": "every request (false unless a service calls on the principal's behalf)",
    "aws:CurrentTime": "every request",
    "aws:EpochTime": "every request",
    "aws:Referer": "when the request carries a Referer header",
    "aws:RequestedRegion": "every request",
    "aws:RequestTag/${TagKey}": "when the request passes tags",
    "aws:TagKeys": "when the request passes tags",
    "aws:SecureTransport": "every request",
    # In credmint: IssueWorkloadIdentityContext and the AssumeRole redeeming its context,
    # where the calling principal stands for the service (sts.contexts.source_of).
    "aws:SourceAccount": "only when a service calls on behalf of a resource",
    "aws:SourceArn": "only when a service calls on behalf of a resource, naming it",
    "aws:SourceOrgID": "only when a service calls on behalf of a resource in an organization",
    "aws:SourceOrgPaths": "only when a service calls on behalf of a resource in an organization",
    "aws:UserAgent": "when the request carries a User-Agent header",
    "aws:IsMcpServiceAction": "only for calls made through an AWS-managed MCP server",
}


def global_condition_keys(
    principal: PrincipalInfo,
    *,
    now: datetime,
    source_ip: str | None = None,
    secure_transport: bool | None = None,
    requested_region: str | None = None,
    user_agent: str | None = None,
    referer: str | None = None,
    mfa_present: bool | None = None,
    mfa_authenticated_at: datetime | None = None,
    token_issue_time: datetime | None = None,
    source_identity: str | None = None,
    principal_tags: Mapping[str, str] | None = None,
    federated_provider: str | None = None,
    extra: KeyInput | None = None,
) -> dict[str, tuple[str, ...]]:
    """The ``aws:*`` keys AWS puts on a request from this principal (lower-cased names).

    Presence follows :data:`GLOBAL_KEYS` (and aws-behavior.md §4.6): ``aws:username``
    only for IAM users; ``aws:Referer`` only with a Referer header;
    ``aws:MultiFactorAuthPresent`` only when the credential type carries it (the
    caller passes ``None`` for long-term keys, where AWS omits it);
    ``aws:MultiFactorAuthAge`` only with an MFA authentication time;
    ``aws:TokenIssueTime`` only for temporary credentials.
    """
    keys: dict[str, tuple[str, ...]] = {}
    if principal.type != "Anonymous":
        keys["aws:principalarn"] = (principal.principal_arn,)
        if principal.account is not None:
            keys["aws:principalaccount"] = (principal.account,)
    ptype = {"Role": "AssumedRole", "WebIdentityUser": "WebIdentityUser", "SAMLUser": "SAMLUser"}.get(
        principal.type, principal.type
    )
    keys["aws:principaltype"] = (ptype,)
    if principal.type != "Anonymous":
        keys["aws:principalisawsservice"] = ("true" if principal.type == "Service" else "false",)
    # credmint never makes a call on a principal's behalf.
    keys["aws:viaawsservice"] = ("false",)
    if principal.type == "Anonymous":
        keys["aws:userid"] = ("anonymous",)
        keys["aws:principalaccount"] = ("anonymous",)
    elif principal.unique_id is not None:
        keys["aws:userid"] = (principal.unique_id,)
    if principal.type == "User" and principal.username:
        keys["aws:username"] = (principal.username,)
    for tag, value in (principal_tags or {}).items():
        keys[f"aws:principaltag/{tag.lower()}"] = (value,)
    if mfa_present is not None:
        keys["aws:multifactorauthpresent"] = ("true" if mfa_present else "false",)
    if mfa_authenticated_at is not None:
        age = max(0, int((now - mfa_authenticated_at).total_seconds()))
        keys["aws:multifactorauthage"] = (str(age),)
    if token_issue_time is not None:
        keys["aws:tokenissuetime"] = (_iso(token_issue_time),)
    if source_identity is not None:
        keys["aws:sourceidentity"] = (source_identity,)
    if federated_provider is not None:
        keys["aws:federatedprovider"] = (federated_provider,)
    if source_ip is not None:
        keys["aws:sourceip"] = (source_ip,)
    if secure_transport is not None:
        keys["aws:securetransport"] = ("true" if secure_transport else "false",)
    if requested_region is not None:
        keys["aws:requestedregion"] = (requested_region,)
    if user_agent is not None:
        keys["aws:useragent"] = (user_agent,)
    if referer is not None:
        keys["aws:referer"] = (referer,)
    keys["aws:currenttime"] = (_iso(now),)
    keys["aws:epochtime"] = (str(int(now.timestamp())),)
    if extra:
        keys.update(normalize_keys(extra)[0])
    return keys
