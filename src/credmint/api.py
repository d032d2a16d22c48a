"""What an operation handler receives and how handlers are registered.

A handler gets a :class:`Call`: the request (operation, decoded parameters, principal,
time, region, request id) and exactly the parts of the node it uses: the store, the
master key, the settings, an ``authorize`` bound to this call, and the few per-node
caches some operations read. It never gets the node itself (``server/node.py`` builds
the call).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credmint.access.authorize import Authorizer
from credmint.access.credentials import CredentialCache
from credmint.access.guardrails import ControlPolicyLookup
from credmint.access.keystore import KeyringHolder
from credmint.access.principal import Principal
from credmint.federation.jwks import JwksCache
from credmint.httpreq import HttpRequest
from credmint.mfa.attempts import AttemptLimits
from credmint.policy import CompiledPolicy
from credmint.sealing import MasterKey
from credmint.settings import Settings
from credmint.store.db import Store
from credmint.store.iam import RoleCache
from credmint.store.last_accessed import AccessRecorder
from credmint.store.usage import LastUsedRecorder, RoleUseRecorder


@dataclass(slots=True)
class Call:
    """One authenticated call of one operation."""

    service: str
    operation: str
    params: dict[str, Any]
    principal: Principal | None
    request: HttpRequest
    now: datetime
    request_id: str
    region: str
    store: Store
    master: MasterKey
    settings: Settings
    authorizer: Authorizer
    #: Long-term keys (GetAccessKeyInfo reads it).
    credentials: CredentialCache
    #: The token keyring (issuance seals with its active key).
    keyring: KeyringHolder
    #: Roles by name (the AssumeRole* hot path).
    roles: RoleCache
    #: Roles' last-use stamps.
    role_use: RoleUseRecorder
    #: Access keys' last-use stamps (flushed before they are reported).
    last_used: LastUsedRecorder
    #: Service last accessed data (flushed before a report is generated).
    last_accessed: AccessRecorder
    #: The organization's SCPs and RCPs (SimulatePrincipalPolicy applies SCPs).
    control_policies: ControlPolicyLookup
    #: OIDC providers' verification keys.
    jwks: JwksCache
    #: Backoff and lockout of wrong MFA codes.
    mfa_limits: AttemptLimits

    def authorize(
        self,
        action: str,
        resource: str = "*",
        *,
        resource_policy: str | None = None,
        resource_account: str | None = None,
        extra_keys: Mapping[str, str | Sequence[str]] | None = None,
        resource_policy_must_allow: bool = False,
        granted: CompiledPolicy | None = None,
    ) -> None:
        """Allow ``action`` on ``resource`` for this call's caller, or raise ``AccessDenied``
        (:meth:`credmint.access.authorize.Authorizer.authorize`)."""
        self.authorizer.authorize(
            self.service,
            self.operation,
            self.principal,
            self.request,
            self.now,
            self.region,
            action,
            resource,
            resource_policy=resource_policy,
            resource_account=resource_account,
            extra_keys=extra_keys,
            resource_policy_must_allow=resource_policy_must_allow,
            granted=granted,
        )


Handler = Callable[[Call], Mapping[str, Any] | None]


#: Decides from a call's parameters whether it will do store or network I/O.
BlockingPredicate = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Operation:
    fn: Handler
    #: Touches the store (or the network): run it on a worker thread, not the event loop.
    #: A predicate decides per call, for operations whose usual path reads only caches.
    blocking: bool | BlockingPredicate = True
    #: Callable without a SigV4 signature (the token in the call is the credential).
    unsigned: bool = False

    def blocks(self, params: Mapping[str, Any]) -> bool:
        return self.blocking(params) if callable(self.blocking) else self.blocking


def operation(
    table: dict[str, Operation],
    name: str,
    *,
    blocking: bool | BlockingPredicate = True,
    unsigned: bool = False,
) -> Callable[[Handler], Handler]:
    """Register a handler under its AWS operation name."""

    def register(fn: Handler) -> Handler:
        table[name] = Operation(fn, blocking=blocking, unsigned=unsigned)
        return fn

    return register
