"""IAM's policy simulator: SimulateCustomPolicy, SimulatePrincipalPolicy, GetContextKeysFor*Policy.

The same engine that authorizes every request decides here; the context comes
only from the caller's ``ContextEntries`` (as in AWS's simulator), so a policy
can be tested offline, and the keys a policy needs but the entries lack are
reported as ``MissingContextValues``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from credmint import arns, errors
from credmint.access.guardrails import Levels
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize, paginate
from credmint.iam.ops import OPERATIONS
from credmint.policy import CompiledPolicy, PrincipalInfo, RequestContext, compile_policy, evaluate
from credmint.store import schema
from credmint.store.managed_policies import default_document


@dataclass(frozen=True)
class _Source:
    """One policy that takes part, with the id and type the simulator reports for it."""

    policy_id: str
    policy_type: str
    text: str
    compiled: CompiledPolicy


def _compile(text: str, policy_id: str, policy_type: str, kind: str | None = None) -> _Source:
    try:
        compiled = compile_policy(text, policy_id=policy_id)
    except errors.MalformedPolicyDocument as err:
        raise iam_errors.InvalidInput.invalid_policy(policy_id, err.message) from None
    return _Source(policy_id, policy_type, text, compiled)


def _inputs(params: Mapping[str, Any], name: str, policy_type: str) -> list[_Source]:
    return [_compile(text, f"{name}.{i}", policy_type) for i, text in enumerate(params.get(name) or [], 1)]


# --- statement positions (AWS reports where each matched statement is in the text) -------------


def _statement_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the statements of a policy document, in order."""
    decoder = json.JSONDecoder()
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    if not isinstance(doc, dict) or "Statement" not in doc:
        return []
    # Find the value of the top-level "Statement" key by walking the object's members.
    i = text.index("{") + 1
    while True:
        i = _skip_ws(text, i)
        if i >= len(text) or text[i] == "}":
            return []
        key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        i = _skip_ws(text, i)
        i = _skip_ws(text, i + 1)  # the colon
        value, end = decoder.raw_decode(text, i)
        if key == "Statement":
            if isinstance(value, dict):
                return [(i, end)]
            spans: list[tuple[int, int]] = []
            j = i + 1
            for _ in value:
                j = _skip_ws(text, j)
                _, stop = decoder.raw_decode(text, j)
                spans.append((j, stop))
                j = _skip_ws(text, stop) + 1  # the comma
            return spans
        i = _skip_ws(text, end)
        if i < len(text) and text[i] == ",":
            i += 1


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _position(text: str, offset: int) -> dict[str, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return {"Line": line, "Column": column}


# --- context entries -------------------------------------------------------------------------


def _context(entries: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for entry in entries:
        name = entry.get("ContextKeyName")
        if not name:
            continue
        keys.setdefault(name, []).extend(str(v) for v in entry.get("ContextKeyValues") or [])
    return keys


def _caller(arn: str | None, account_id: str) -> PrincipalInfo:
    if not arn:
        # AWS simulates custom policies as if attached to an IAM user of the account.
        arn = arns.user(account_id, "/", "SimulatedUser")
    try:
        return PrincipalInfo.from_arn(arn)
    except ValueError:
        raise iam_errors.InvalidInput.caller_arn(arn) from None


def _simulate(
    call: Call,
    identity: list[_Source],
    boundaries: list[_Source],
    caller: PrincipalInfo,
    *,
    org_account: str | None = None,
) -> Mapping[str, Any]:
    """``org_account``: the account whose SCPs take part (SimulatePrincipalPolicy only)."""
    p = call.params
    account_id = account_of(call)
    resource_policy = None
    sources: dict[str, _Source] = {s.policy_id: s for s in [*identity, *boundaries]}
    if p.get("ResourcePolicy"):
        resource_policy = _compile(p["ResourcePolicy"], "ResourcePolicy", "resource")
        sources["ResourcePolicy"] = resource_policy
    keys = _context(p.get("ContextEntries") or [])
    resource_owner = p.get("ResourceOwner")
    owner_account = resource_owner.split(":")[4] if resource_owner and resource_owner.count(":") >= 5 else None
    results: list[dict[str, Any]] = []
    for action in p["ActionNames"]:
        scps: Levels | None = None
        if org_account is not None:
            # The request path applies these SCPs, so the simulator must too, or it would
            # answer "allowed" for what the real request refuses.
            scps = call.control_policies(org_account, None, action)[0]
        for resource in p.get("ResourceArns") or ["*"]:
            ctx = RequestContext.create(
                caller, action, resource, resource_account=owner_account or account_id, keys=keys
            )
            decision = evaluate(
                ctx,
                [s.compiled for s in identity],
                resource=resource_policy.compiled if resource_policy else None,
                boundaries=[s.compiled for s in boundaries],
                scps=scps,
                collect_missing=True,
            )
            matched = []
            for m in decision.matched_statements:
                if m.policy_type == "scp":
                    # SourcePolicyType has no value for SCPs; their effect is reported
                    # in OrganizationsDecisionDetail instead.
                    continue
                src = sources.get(m.policy_id)
                entry: dict[str, Any] = {
                    "SourcePolicyId": m.policy_id,
                    "SourcePolicyType": src.policy_type if src else "none",
                }
                if src is not None:
                    spans = _statement_spans(src.text)
                    if m.index < len(spans):
                        start, end = spans[m.index]
                        entry["StartPosition"] = _position(src.text, start)
                        entry["EndPosition"] = _position(src.text, end)
                matched.append(entry)
            if decision.allowed:
                verdict = "allowed"
            elif decision.explicit_deny:
                verdict = "explicitDeny"
            else:
                verdict = "implicitDeny"
            result: dict[str, Any] = {
                "EvalActionName": action,
                "EvalResourceName": resource,
                "EvalDecision": verdict,
                "MatchedStatements": matched,
                "MissingContextValues": list(decision.missing_context_values),
            }
            if boundaries:
                result["PermissionsBoundaryDecisionDetail"] = {
                    "AllowedByPermissionsBoundary": decision.denied_by != "boundary"
                }
            if scps is not None:
                result["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": decision.denied_by != "scp"}
            results.append(result)
    page, more = paginate(results, p)
    return {"EvaluationResults": page, **more}


@operation(OPERATIONS, "SimulateCustomPolicy")
def simulate_custom_policy(call: Call) -> Mapping[str, Any]:
    authorize(call, "iam:SimulateCustomPolicy", "*")
    p = call.params
    identity = _inputs(p, "PolicyInputList", "IAM Policy")
    boundaries = _inputs(p, "PermissionsBoundaryPolicyInputList", "IAM Policy")
    return _simulate(call, identity, boundaries, _caller(p.get("CallerArn"), account_of(call)))


# --- a principal's own policies ----------------------------------------------------------------


def _entity_sources(conn: Connection, entity_id: str, entity_type: str) -> list[_Source]:
    ip, pa = schema.inline_policies, schema.policy_attachments
    out: list[_Source] = []
    for name, document in conn.execute(
        select(ip.c.name, ip.c.document).where(ip.c.entity_id == entity_id).order_by(ip.c.name_key)
    ).all():
        out.append(_compile(document, name, entity_type))
    for (arn,) in conn.execute(select(pa.c.policy_arn).where(pa.c.entity_id == entity_id).order_by(pa.c.policy_arn)):
        doc = default_document(conn, arn)
        if doc is not None:
            kind = "aws-managed" if arn.startswith("arn:aws:iam::aws:") else "user-managed"
            out.append(_compile(doc, arn, kind))
    return out


def _principal_policies(conn: Connection, account_id: str, arn: str) -> tuple[list[_Source], list[_Source], str]:
    """Identity policies, boundary and the entity kind of the user, group or role named by ``arn``."""
    u, g, r, gm = schema.users, schema.groups, schema.roles, schema.group_members
    not_found = iam_errors.NoSuchEntity.principal(arn)  # unconfirmed wording
    for table, id_col, kind in ((u, u.c.user_id, "user"), (g, g.c.group_id, "group"), (r, r.c.role_id, "role")):
        row = conn.execute(select(table).where(table.c.arn == arn, table.c.account_id == account_id)).first()
        if row is None:
            continue
        entity_id = getattr(row, id_col.name)
        sources = _entity_sources(conn, entity_id, kind)
        if kind == "user":
            for (group_id,) in conn.execute(select(gm.c.group_id).where(gm.c.user_id == entity_id)).all():
                sources.extend(_entity_sources(conn, group_id, "group"))
        boundaries: list[_Source] = []
        boundary_arn = getattr(row, "permissions_boundary_arn", None)
        if boundary_arn:
            doc = default_document(conn, boundary_arn)
            if doc is not None:
                boundaries.append(_compile(doc, boundary_arn, "permissions boundary"))
        return sources, boundaries, kind
    raise not_found


@operation(OPERATIONS, "SimulatePrincipalPolicy")
def simulate_principal_policy(call: Call) -> Mapping[str, Any]:
    p = call.params
    arn: str = p["PolicySourceArn"]
    authorize(call, "iam:SimulatePrincipalPolicy", arn)
    account_id = account_of(call)
    with call.store.read() as conn:
        identity, boundaries, kind = _principal_policies(conn, account_id, arn)
    identity.extend(_inputs(p, "PolicyInputList", "IAM Policy"))
    if p.get("PermissionsBoundaryPolicyInputList"):
        boundaries = _inputs(p, "PermissionsBoundaryPolicyInputList", "IAM Policy")
    caller_arn = p.get("CallerArn") or (arn if kind != "group" else None)
    return _simulate(call, identity, boundaries, _caller(caller_arn, account_id), org_account=account_id)


# --- context keys ------------------------------------------------------------------------------


def _context_keys(sources: Sequence[_Source]) -> list[str]:
    seen: dict[str, str] = {}
    for src in sources:
        for st in src.compiled.statements:
            for key in st.condition_keys:
                seen.setdefault(key.lower(), key)
    return sorted(seen.values(), key=str.lower)


@operation(OPERATIONS, "GetContextKeysForCustomPolicy")
def get_context_keys_for_custom_policy(call: Call) -> Mapping[str, Any]:
    authorize(call, "iam:GetContextKeysForCustomPolicy", "*")
    return {"ContextKeyNames": _context_keys(_inputs(call.params, "PolicyInputList", "IAM Policy"))}


@operation(OPERATIONS, "GetContextKeysForPrincipalPolicy")
def get_context_keys_for_principal_policy(call: Call) -> Mapping[str, Any]:
    p = call.params
    arn: str = p["PolicySourceArn"]
    authorize(call, "iam:GetContextKeysForPrincipalPolicy", arn)
    with call.store.read() as conn:
        identity, boundaries, _ = _principal_policies(conn, account_of(call), arn)
    identity.extend(_inputs(p, "PolicyInputList", "IAM Policy"))
    return {"ContextKeyNames": _context_keys([*identity, *boundaries])}
