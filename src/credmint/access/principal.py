"""Who is calling: the typed principal a verified request becomes.

A long-term key names a root user or an IAM user (:mod:`credmint.access.credentials`);
a temporary key's sealed session token names any kind, and :func:`session_principal`
turns its claims into the same :class:`Principal` without a read. The kinds are one
enumeration, :class:`PrincipalKind`, shared with the token's claims.
"""

from __future__ import annotations

from dataclasses import dataclass

from credmint.access.tokens import IssuingCall, PrincipalKind, SessionClaims
from credmint.ids import AccessKeyId, AccountId, UniqueId

__all__ = ["Principal", "PrincipalKind", "refuses_iam", "session_principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    account_id: AccountId
    #: The caller's ARN as GetCallerIdentity reports it.
    arn: str
    #: GetCallerIdentity's ``UserId`` (account id, AIDA..., AROA...:session, acct:name).
    user_id: str
    #: User name, role name or federated user name; empty for root.
    name: str
    access_key_id: AccessKeyId
    #: The IAM entity behind the caller (a user's or role's unique id); None for root
    #: and federated users.
    entity_id: UniqueId | None = None
    #: Present for temporary credentials.
    session: SessionClaims | None = None

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    @property
    def is_temporary(self) -> bool:
        return self.session is not None


def session_principal(claims: SessionClaims) -> Principal:
    """The principal a sealed session token names, without any read."""
    kind = claims.principal_kind
    entity_id: UniqueId | None
    if kind is PrincipalKind.ASSUMED_ROLE:
        entity_id = UniqueId(claims.principal_id.split(":", 1)[0])
    elif kind is PrincipalKind.USER:
        entity_id = UniqueId(claims.principal_id)
    elif kind is PrincipalKind.FEDERATED_USER:
        fed = claims.federation_map.get("entity_id")
        entity_id = UniqueId(fed) if fed is not None else None
    else:
        entity_id = None
    name = claims.session_name or ""
    if kind is PrincipalKind.USER:
        name = claims.principal_arn.rsplit("/", 1)[-1]
    elif kind is PrincipalKind.FEDERATED_USER:
        name = claims.principal_arn.split(":federated-user/", 1)[-1]
    return Principal(
        kind=kind,
        account_id=claims.account_id,
        arn=claims.principal_arn,
        user_id=claims.principal_id,
        name=name,
        access_key_id=claims.access_key_id,
        entity_id=entity_id,
        session=claims,
    )


def refuses_iam(claims: SessionClaims) -> bool:
    """Whether IAM refuses every call made with this session's credentials, before any
    policy is read: AWS refuses those of GetFederationToken, and those of GetSessionToken
    obtained without MFA (the former's error unconfirmed; the edge answers
    InvalidClientTokenId for both)."""
    return claims.kind is IssuingCall.GET_FEDERATION_TOKEN or (
        claims.kind is IssuingCall.GET_SESSION_TOKEN and not claims.mfa_authenticated
    )
