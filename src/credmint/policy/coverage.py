"""Whether a principal's permissions cover what a policy asks for: IAM's delegation
permission check (GetDelegationRequest with ``DelegationPermissionCheck``).

The IAM API reference calls the result approximate and gives three answers: ``ALLOWED``
("sufficient permissions [to] cover all the requested permissions"), ``DENIED`` ("does not
have sufficient permissions to cover all") and ``UNSURE`` ("not possible to determine [...]
most likely for cases when the caller has permissions with conditions"). This module
decides, purely, with the same engine that authorizes requests:

* **The asks.** Every ``Allow`` statement of the requested policy asks for each of its
  actions on each of its resources; its ``Deny`` statements only narrow the ask and ask for
  nothing. A statement with ``NotAction`` or ``NotResource`` asks for an open-ended set no
  finite check covers: ``UNSURE``.
* **Actions.** An action with wildcards is expanded to the actions the Service Authorization
  Reference lists for its service (``known_actions``); for a service credmint carries no list
  of, a wildcard cannot be expanded: ``UNSURE``.
* **Resources.** A resource with wildcards stands for a set: it is covered only when the
  principal's ``Allow`` statements cover the whole set and no ``Deny`` may reach part of it
  (``RequestContext.resource_cover``).
* **Conditions.** The context holds only what stays true of the principal (its ARN, account,
  tags, organization); request facts (time, network, MFA, region) are absent. When a
  statement that takes part tests a key the context lacks, the answer depends on the
  request the delegated credentials will make: ``UNSURE``. When an ask carries conditions
  of its own and is not covered without them, they may confine it to what the principal
  has: ``UNSURE`` rather than ``DENIED``.
* **Other accounts.** An ask for a resource of another account also needs that resource's
  own policy, which is not read here: ``UNSURE`` unless the principal's side refuses it.

The verdict: ``DENIED`` as soon as one ask is certainly not covered, ``ALLOWED`` when every
ask is, ``UNSURE`` otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .context import PrincipalInfo, RequestContext
from .document import CompiledPolicy
from .evaluate import evaluate
from .matching import Glob, glob_tokens, split_arn

Verdict = Literal["ALLOWED", "DENIED", "UNSURE"]
#: One tuple of policies per organization level (``None``: outside an organization).
Levels = Sequence[Sequence[CompiledPolicy]] | None

#: At most this many (action, resource) pairs are decided; a policy asking for more is UNSURE
#: (a bound on the work one request can cause).
MAX_PAIRS = 5000


@dataclass(frozen=True, slots=True)
class Ask:
    """One action (possibly a glob) on one resource (possibly a glob) an Allow asks for."""

    action: str
    resource: str
    #: The asking statement has conditions of its own.
    conditional: bool


def asks_of(policy_text: str) -> list[Ask] | None:
    """The asks of a (validated) policy; ``None`` when one is open-ended."""
    doc = json.loads(policy_text)
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    out: list[Ask] = []
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        if "NotAction" in st or "NotResource" in st:
            return None
        conditional = bool(st.get("Condition"))
        for action in _strings(st.get("Action")):
            for resource in _strings(st.get("Resource")):
                out.append(Ask(action, resource, conditional))
    return out


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str)]


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def expand(action: str, known_actions: Callable[[str], Sequence[str] | None]) -> list[str] | None:
    """A concrete action as is; a glob as the known actions of its service it matches (``None``
    when the service's actions are not known)."""
    if not _wild(action):
        return [action]
    service, _, name = action.partition(":")
    if _wild(service):
        return None
    listed = known_actions(service.lower())
    if listed is None:
        return None
    glob = Glob(glob_tokens((name.lower(),)))
    return [f"{service.lower()}:{a}" for a in listed if glob(a.lower())]


@dataclass(frozen=True, slots=True)
class Policies:
    """The principal's side: identity policies, boundary, and the organization's SCPs and RCPs
    for an action (one tuple of policies per level, ``None`` outside an organization)."""

    identity: Sequence[CompiledPolicy]
    boundaries: Sequence[CompiledPolicy]
    #: action -> (SCPs, RCPs).
    guardrails: Callable[[str], tuple[Levels, Levels]]


def _decide_one(
    principal: PrincipalInfo, keys: Mapping[str, str | Sequence[str]], ask: Ask, action: str, policies: Policies
) -> Verdict:
    fields = split_arn(ask.resource)
    resource_account = fields[4] if fields is not None and fields[4] and not _wild(fields[4]) else None
    other_account = resource_account is not None and resource_account != principal.account
    pattern = _wild(ask.resource)
    ctx = RequestContext.create(
        principal,
        action,
        ask.resource,
        resource_account=None if other_account else (resource_account or principal.account),
        keys={**keys, "aws:ResourceAccount": resource_account or principal.account or ""},
        resource_is_pattern=pattern,
        resource_cover=pattern,
    )
    scps, rcps = policies.guardrails(action)
    decision = evaluate(
        ctx,
        policies.identity,
        boundaries=policies.boundaries,
        scps=scps,
        rcps=rcps,
        collect_missing=True,
    )
    if decision.missing_context_values:
        return "UNSURE"
    if decision.allowed:
        # Another account's resource also needs its own policy to allow.
        return "UNSURE" if other_account else "ALLOWED"
    return "UNSURE" if ask.conditional and not decision.explicit_deny else "DENIED"


def check(
    principal: PrincipalInfo,
    keys: Mapping[str, str | Sequence[str]],
    policy_text: str,
    policies: Policies,
    known_actions: Callable[[str], Sequence[str] | None],
) -> Verdict:
    """Whether ``policies`` (the principal's) cover every ask of ``policy_text``."""
    asks = asks_of(policy_text)
    if asks is None:
        return "UNSURE"
    verdict: Verdict = "ALLOWED"
    pairs = 0
    for ask in asks:
        actions = expand(ask.action, known_actions)
        if actions is None:
            verdict = "UNSURE"
            continue
        for action in actions:
            pairs += 1
            if pairs > MAX_PAIRS:
                return "UNSURE"
            one = _decide_one(principal, keys, ask, action, policies)
            if one == "DENIED":
                return "DENIED"
            if one == "UNSURE":
                verdict = "UNSURE"
    return verdict


__all__ = ["MAX_PAIRS", "Ask", "Policies", "Verdict", "asks_of", "check", "expand"]
