"""Who is calling: the typed principal a verified request becomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from credmint.sts.tokens import SessionClaims

PrincipalKind = Literal["root", "user", "assumed-role", "federated-user"]


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    account_id: str
    #: The caller's ARN as GetCallerIdentity reports it.
    arn: str
    #: GetCallerIdentity's ``UserId`` (account id, AIDA..., AROA...:session, acct:name).
    user_id: str
    #: User name, role name or federated user name; empty for root.
    name: str
    access_key_id: str
    #: The IAM entity behind the caller (a user's or role's unique id); None for root
    #: and federated users.
    entity_id: str | None = None
    #: Present for temporary credentials.
    session: SessionClaims | None = None

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    @property
    def is_temporary(self) -> bool:
        return self.session is not None


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def user_arn(account_id: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:user{path}{name}"
