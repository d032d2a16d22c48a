"""Authorize one call: the caller's policies, the resource's, the session's and the
organization's guardrails, decided by the engine.

:class:`Authorizer` is built once per node (``server/node.py``) from the node's caches:
identity policies (:class:`~credmint.access.identity.PolicySource`), the organization's
control policies and keys (:mod:`credmint.access.guardrails`), and the master key that
seals a denial's encoded authorization message. Resource, trust and session policies
arrive as JSON text with the call and are compiled once and kept (bounded).

The order is AWS's: the context is built from the principal and the request, then the
engine (``policy/``) evaluates identity policies, boundary, session policies, scope-down
policies, SCPs, RCPs and the resource's policy together. An unsigned caller is AWS's
anonymous principal: only a resource policy granting ``*`` lets it through.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from credmint import errors
from credmint.access import actions, condition_keys
from credmint.access.context import anonymous_context, build_context, principal_info
from credmint.access.guardrails import ControlPolicyLookup, OrganizationKeyLookup
from credmint.access.identity import ALLOW_ALL, ALLOWS_NOTHING, Identity, PolicySource
from credmint.access.messages import PLAIN_DENIAL_SERVICES, denial
from credmint.access.principal import Principal, PrincipalKind
from credmint.access.root_sessions import task_session_policies
from credmint.access.tokens import IssuingCall
from credmint.httpreq import HttpRequest
from credmint.policy import (
    CompiledPolicy,
    Decision,
    RequestContext,
    compile_policy,
    coverage,
    evaluate,
    global_condition_keys,
)
from credmint.sealing import MasterKey
from credmint.store.last_accessed import ROOT_ENTITY, AccessRecorder

log = logging.getLogger("credmint.access")

#: Resource, trust and session policies kept compiled, at most (they come in unbounded variety).
MAX_COMPILED_RESOURCE_POLICIES = 4096


def decide(
    ctx: RequestContext,
    identity: Identity | None,
    *,
    resource_policy: CompiledPolicy | None,
    session: Sequence[CompiledPolicy] | None,
    scps: Sequence[Sequence[CompiledPolicy]] | None = None,
    rcps: Sequence[Sequence[CompiledPolicy]] | None = None,
    scopes: Sequence[CompiledPolicy] = (),
) -> Decision:
    return evaluate(
        ctx,
        identity.policies if identity is not None else (),
        resource=resource_policy,
        boundaries=(identity.boundary,) if identity is not None and identity.boundary is not None else (),
        session=session,
        scps=scps,
        rcps=rcps,
        scopes=scopes,
    )


def evaluate_anonymous(
    ctx: RequestContext,
    resource_policy: CompiledPolicy | None,
    rcps: Sequence[Sequence[CompiledPolicy]] | None = None,
) -> Decision:
    """An unsigned caller: only a resource policy that grants ``*`` lets it through."""
    return evaluate(ctx, (), resource=resource_policy, rcps=rcps)


class Authorizer:
    """Allow an action for a caller, or raise ``AccessDenied`` with an encoded message."""

    def __init__(
        self,
        master: MasterKey,
        policies: PolicySource,
        control_policies: ControlPolicyLookup,
        organization_keys: OrganizationKeyLookup,
        *,
        attempts: AccessRecorder | None = None,
    ) -> None:
        self._master = master
        #: Where each decision for a user, role or root user is noted (the access advisor).
        self._attempts = attempts
        self._policies = policies
        self._control_policies = control_policies
        self._organization_keys = organization_keys
        self._resource_policies: dict[tuple[str, str], CompiledPolicy] = {}

    def authorize(
        self,
        service: str,
        operation: str,
        principal: Principal | None,
        request: HttpRequest,
        now: datetime,
        region: str,
        action: str,
        resource: str = "*",
        *,
        resource_policy: str | None = None,
        resource_account: str | None = None,
        extra_keys: Mapping[str, str | Sequence[str]] | None = None,
        resource_policy_must_allow: bool = False,
        container_account: str | None = None,
        granted: CompiledPolicy | None = None,
    ) -> None:
        """Allow ``action`` on ``resource`` for ``principal``, or raise ``AccessDenied``.

        With ``resource_policy_must_allow`` the resource policy must also allow the
        request on its own (identity policies aside), as a workload identity template's
        attestation policy must (IssueWorkloadIdentityContext).

        ``resource_policy`` is the JSON text of the resource-based policy that takes
        part (a bucket policy; a role's trust policy for ``sts:AssumeRole*``), and
        ``resource_account`` the account owning the resource (default: the caller's).
        ``extra_keys`` are the request's service-specific condition keys
        (``sts:ExternalId``, ``s3:prefix``, ``aws:RequestTag/...``). An unsigned
        caller (``principal is None``) is evaluated as AWS's anonymous principal:
        only a resource policy granting ``*`` can let it through.

        ``container_account`` is the account of what holds the resource when another
        account owns the resource itself (the bucket of an object another account wrote):
        its RCPs apply too, so that a perimeter RCP on a bucket's account covers every
        object in the bucket, whoever wrote it.

        ``granted`` is a grant the account gives the caller beside its identity policies
        (the password policy's AllowUsersToChangePassword): it is evaluated as one of them,
        so the caller's permissions boundary, session and scope policies, the SCPs and every
        explicit Deny still hold.
        """
        if service in ("iam", "sts"):
            listed = actions.allowed_actions(service, operation)
            if listed is None or action not in listed:
                # A handler and the action table disagree: a bug, never a silent allow.
                log.error("%s %s authorized with unlisted action %s", service, operation, action)
                raise errors.InternalFailure()
        p = principal
        resource_account = resource_account or (p.account_id if p is not None else None)
        compiled_resource = self._resource_policy(resource_policy, action)
        principal_account = p.account_id if p is not None else None
        scps, rcps = self._control_policies(principal_account, resource_account, action)
        if container_account is not None and container_account != resource_account:
            _, held_by = self._control_policies(principal_account, container_account, action)
            if held_by:
                rcps = (*(rcps or ()), *held_by)
        org_keys = self._organization_keys(principal_account, resource_account)
        source_account = (extra_keys or {}).get("aws:SourceAccount")
        if isinstance(source_account, str):
            # A call made for a source account (workload identity: sts.contexts.source_of)
            # also carries that account's organization, as aws:SourceOrgID/SourceOrgPaths.
            for key, value in self._organization_keys(source_account, None).items():
                org_keys = {**org_keys, key.replace("aws:Principal", "aws:Source", 1): value}
        if org_keys:
            extra_keys = {**org_keys, **(extra_keys or {})}
        if p is None:
            ctx = anonymous_context(request, action, resource, resource_account, now, extra_keys, region=region)
            decision = evaluate_anonymous(ctx, compiled_resource, rcps=rcps)
            if not decision.allowed:
                raise denial(self._master, decision, ctx, encoded=service not in PLAIN_DENIAL_SERVICES)
            return
        identity = self._identity(p)
        if granted is not None and identity is not None:
            identity = replace(identity, policies=(*identity.policies, granted))
        ctx = build_context(
            p,
            identity,
            request,
            action=action,
            resource=resource,
            resource_account=resource_account,
            region=region,
            now=now,
            extra_keys=extra_keys,
        )
        decision = decide(
            ctx,
            identity,
            resource_policy=compiled_resource,
            session=self._session_policies(p),
            scps=scps,
            rcps=rcps,
            scopes=self._scope_policies(p),
        )
        if decision.allowed and resource_policy_must_allow:
            # The same request with no identity, session or scope policy: only the resource
            # policy can allow it (and any deny still applies).
            decision = decide(ctx, None, resource_policy=compiled_resource, session=None, scps=scps, rcps=rcps)
        if self._attempts is not None:
            self._record_attempt(self._attempts, p, action, region, now)
        if decision.allowed:
            return
        raise denial(
            self._master,
            decision,
            ctx,
            short=action.startswith("sts:AssumeRole"),
            encoded=service not in PLAIN_DENIAL_SERVICES,
        )

    def permission_check(self, p: Principal, policy_text: str, now: datetime) -> coverage.Verdict:
        """Whether ``p``'s own permissions cover what ``policy_text`` asks for (IAM's
        delegation permission check; the rules are :mod:`credmint.policy.coverage`'s).

        The permissions are those a delegated credential of ``p`` would carry besides the
        requested policy: the identity policies of the user, or of the role behind a role
        session (a delegated role session is a new session: the caller's own session policies
        do not follow it), the permissions boundary, and the organization's SCPs and RCPs.
        The root user and federated users cannot accept a delegation request
        (``iam.delegation``), so nothing they hold can be delegated: ``DENIED``.
        """
        if p.kind not in (PrincipalKind.USER, PrincipalKind.ASSUMED_ROLE) or p.entity_id is None:
            return "DENIED"
        identity = self._identity(p)
        if identity is None:
            return "DENIED"
        info = principal_info(p)
        # Facts of the principal only: the delegated credentials' requests bring their own
        # time, network and MFA facts, so a statement testing one of those is left undecided
        # (aws:userid too: a delegated session gets its own session name).
        keys: dict[str, str | list[str]] = {
            name: list(values) if len(values) > 1 else values[0]
            for name, values in global_condition_keys(info, now=now, principal_tags=dict(identity.tags)).items()
            if name not in ("aws:currenttime", "aws:epochtime", "aws:userid")
        }
        keys.update(self._organization_keys(p.account_id, None))
        policies = coverage.Policies(
            identity=identity.policies,
            boundaries=(identity.boundary,) if identity.boundary is not None else (),
            guardrails=lambda action: self._control_policies(p.account_id, p.account_id, action),
        )
        return coverage.check(info, keys, policy_text, policies, condition_keys.action_names)

    @staticmethod
    def _record_attempt(attempts: AccessRecorder, p: Principal, action: str, region: str, now: datetime) -> None:
        """Note the attempt for the access advisor, allowed or not (AWS counts both): a
        user's, a role's (any of its sessions, reported under the role's ARN) or the root
        user's; federated users have no IAM entity of their own and are not recorded."""
        if p.kind == PrincipalKind.ROOT:
            attempts.record(p.account_id, ROOT_ENTITY, p.arn, action, region, now)
        elif p.entity_id is not None:
            role_arn = p.session.role_arn if p.session is not None else None
            attempts.record(p.account_id, p.entity_id, role_arn or p.arn, action, region, now)

    # --- the pieces authorize() needs -----------------------------------------------------

    def _resource_policy(self, text: str | None, action: str) -> CompiledPolicy | None:
        if text is None:
            return None
        return self._compiled("trust" if action.lower().startswith("sts:assumerole") else "resource", text)

    def _compiled(self, kind: str, text: str) -> CompiledPolicy | None:
        """A resource, trust or session policy compiled once; None if it does not compile
        (it was validated on the way in, so it then grants nothing)."""
        found = self._resource_policies.get((kind, text))
        if found is None:
            try:
                found = compile_policy(text, policy_id=kind)
            except errors.AwsError:
                return None
            if len(self._resource_policies) > MAX_COMPILED_RESOURCE_POLICIES:
                # Bounded: bucket, trust and session policies come in unbounded variety.
                self._resource_policies.clear()
            self._resource_policies[(kind, text)] = found
        return found

    def _identity(self, p: Principal) -> Identity | None:
        """The identity policies that apply to the caller."""
        if p.kind == PrincipalKind.ROOT:
            return ALLOW_ALL
        if p.kind == PrincipalKind.FEDERATED_USER:
            s = p.session
            if s is None or (s.assumed_by_arn or "").endswith(":root"):
                # A federated user created by root: bounded by its session policies only.
                return ALLOW_ALL
        if p.entity_id is None:
            return None
        return self._policies.identity("role" if p.kind == PrincipalKind.ASSUMED_ROLE else "user", p.entity_id)

    def _scope_policies(self, p: Principal) -> tuple[CompiledPolicy, ...]:
        """GetScopedCredentials' scope-down policies. Each was validated when the session was
        minted; one that no longer compiles is kept as a policy that allows nothing, so a
        scope can only ever narrow."""
        s = p.session
        if s is None or not s.scope_policies:
            return ()
        return tuple(self._compiled("session", text) or ALLOWS_NOTHING for text in s.scope_policies)

    def _session_policies(self, p: Principal) -> tuple[CompiledPolicy, ...] | None:
        s = p.session
        if s is not None and s.kind is IssuingCall.ASSUME_ROOT:
            return task_session_policies(self._policies, s)
        if s is None or p.kind in (PrincipalKind.ROOT, PrincipalKind.USER):
            # GetSessionToken sessions carry no session policies.
            return None
        if p.kind == PrincipalKind.ASSUMED_ROLE and not s.session_policy and not s.policy_arns:
            return None
        policies: list[CompiledPolicy] = []
        if s.session_policy:
            compiled = self._compiled("session", s.session_policy)
            if compiled is not None:
                policies.append(compiled)
        for arn in s.policy_arns:
            managed = self._policies.managed(arn)
            if managed is not None:
                policies.append(managed)
        # A federated user without session policies gets an empty list: AWS denies everything
        # (and so does a session whose policies cannot be loaded).
        return tuple(policies)
