"""Guardrails of an organization on the request path: the shapes the authorizer asks for.

For an account, the service control policies (SCPs) and resource control policies (RCPs)
that apply are one tuple of compiled policies per level of the organization tree (root,
each OU, the account), and every level must allow; ``None`` means the policy type does
not apply at all. The organization's own cache (:class:`credmint.orgs.ControlPolicies`,
owned by the node) answers these lookups; the authorizer receives them as callables, so
who may call depends on the organization's data without importing the service that
manages it.
"""

from __future__ import annotations

from collections.abc import Callable

from credmint.policy import CompiledPolicy

#: One tuple of compiled policies per level of the organization tree.
Levels = tuple[tuple[CompiledPolicy, ...], ...]

#: ``(principal account, resource account, action) -> (scps, rcps)``.
ControlPolicyLookup = Callable[[str | None, str | None, str], tuple[Levels | None, Levels | None]]

#: ``(principal account, resource account) -> aws:PrincipalOrgID/...`` keys (empty outside
#: any organization).
OrganizationKeyLookup = Callable[[str | None, str | None], dict[str, str | list[str]]]
