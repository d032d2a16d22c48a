"""The node: everything one process owns, built once, as plain fields.

The composition root. :class:`Node` builds the per-process parts from the settings, the
store and the master key — the credential cache, identity policies, the organization's
guardrails, the authorizer, the token keyring, the role cache, usage recorders, the
audit recorder, issuance throttling, MFA limits and the JWKS cache — and wires them
together. Nothing else keeps per-node state: no module-global registry finds a cache by
its store or node.

The server authenticates with the node's caches (``open_session`` is the one read of a
temporary key: none, unless the keyring must be re-read) and hands each handler a
:class:`~credmint.api.Call` built by :meth:`Node.call`, carrying exactly the parts of the
node the handlers use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from credmint import orgs
from credmint.access.authorize import Authorizer
from credmint.access.credentials import CredentialCache
from credmint.access.identity import PolicySource
from credmint.access.keystore import KeyringHolder
from credmint.access.principal import Principal
from credmint.access.tokens import SessionClaims
from credmint.api import Call
from credmint.audit.recorder import AuditRecorder
from credmint.clock import Clock, SystemClock
from credmint.federation.jwks import JwksCache
from credmint.httpreq import HttpRequest
from credmint.mfa.attempts import AttemptLimits
from credmint.sealing import MasterKey
from credmint.settings import Settings
from credmint.store.db import Store
from credmint.store.iam import RoleCache
from credmint.store.last_accessed import AccessRecorder
from credmint.store.managed_policies import default_document
from credmint.store.usage import LastUsedRecorder, RoleUseRecorder
from credmint.sts.throttle import IssuanceThrottle


class Node:
    def __init__(self, settings: Settings, store: Store, master: MasterKey, clock: Clock | None = None) -> None:
        self.settings = settings
        self.store = store
        self.master = master
        self.clock: Clock = clock or SystemClock()
        #: The current time, timezone-aware UTC: the clock's own method (read several times
        #: per request, so without a call of this node's in between).
        self.now: Callable[[], datetime] = self.clock.now
        self.credentials = CredentialCache(store, master)
        self.policies = PolicySource(store, default_document)
        self.control_policies = orgs.ControlPolicies(store)
        #: Service last accessed data (the access advisor), batched like ``last_used``.
        self.last_accessed = AccessRecorder()
        self.authorizer = Authorizer(
            master,
            self.policies,
            self.control_policies.lookup,
            partial(orgs.organization_keys, self.control_policies),
            attempts=self.last_accessed,
        )
        self.keyring = KeyringHolder(store, master)
        self.roles = RoleCache(store)
        self.role_use = RoleUseRecorder(store)
        self.last_used = LastUsedRecorder()
        self.audit = AuditRecorder(settings, store, self.clock)
        self.throttle = IssuanceThrottle.from_settings(settings)
        #: Built here so that a bad setting stops the node at start, not each MFA call.
        self.mfa_limits = AttemptLimits(
            backoff_after=settings.mfa_backoff_after,
            backoff_base_seconds=settings.mfa_backoff_base_seconds,
            lockout_after=settings.mfa_lockout_after,
            lockout_seconds=settings.mfa_lockout_seconds,
        )
        #: OIDC providers' verification keys, fetched on their own bounded executor.
        self.jwks = JwksCache(allow_private_networks=settings.federation_allow_private_networks)
        #: The fields of every :class:`Call` that are this node's, in the order ``Call``
        #: declares them: one tuple unpacked per call instead of fifteen keywords.
        self._call_parts = (
            settings.region,
            store,
            master,
            settings,
            self.authorizer,
            self.credentials,
            self.keyring,
            self.roles,
            self.role_use,
            self.last_used,
            self.last_accessed,
            self.control_policies.lookup,
            self.jwks,
            self.mfa_limits,
        )

    def open_session(self, token: str, access_key_id: str) -> SessionClaims:
        """Open a session token sealed by any node (raises InvalidClientTokenId / ExpiredToken)."""
        return self.keyring.open(token, access_key_id, self.now())

    def session_open_reads(self, token: str) -> bool:
        """Whether :meth:`open_session` would read the store for ``token`` now."""
        return self.keyring.reads_for(token, self.now())

    def call(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        principal: Principal | None,
        request: HttpRequest,
        now: datetime,
        request_id: str,
    ) -> Call:
        """The :class:`Call` a handler gets: the request and the parts of this node it uses."""
        return Call(service, operation, params, principal, request, now, request_id, *self._call_parts)
