"""Conformance against cloud-copilot/iam-simulate's core-engine cases (Strict mode).

The case files are AGPL data kept in the shared test-data tree; they are read
from there at test time and never copied into this repository. Harness rules
follow that tree's SOURCE.md: an allow-all RCP is prepended at every RCP level,
``aws:PrincipalArn``/``aws:PrincipalAccount`` come from ``request.principal``,
and the resource account from ``request.resource.accountId``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from credmint.policy import PrincipalInfo, RequestContext, compile_policy, evaluate
from tests.vector_data import SHARED, missing, require

CASES_DIR = SHARED / "vectors/iam-policy/cloud-copilot-iam-simulate/core_engine/coreEngineTests"

#: Cases where AWS's documentation and iam-simulate disagree; we follow AWS.
SKIP: dict[str, str] = {
    "sessionPolicies.json::Implicit deny in session policy denies even if session ARN in resource policy": (
        "AWS documents that a resource-based policy naming the role *session* ARN is not limited by "
        "the session policy (IAM User Guide, 'Session policies'; aws-behavior.md §4.2); iam-simulate "
        "applies the session policy's implicit deny anyway"
    ),
}

RCP_FULL_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}

#: iam-simulate's blockedBy names → our denied_by.
BLOCKED_BY = {"pb": "boundary", "vpce": "endpoint"}


def _load() -> list[Any]:
    if not CASES_DIR.is_dir():
        return [missing(CASES_DIR)]
    params = []
    for path in sorted(CASES_DIR.rglob("*.json")):
        rel = path.relative_to(CASES_DIR).as_posix()
        for case in json.loads(path.read_text()):
            case_id = f"{rel}::{case['name']}"
            marks = []
            if (case.get("simulation") or {}).get("mode") == "Discovery":
                marks.append(
                    pytest.mark.skip(reason="Discovery mode is an iam-simulate feature (ignores conditions)")
                )
            elif case_id in SKIP:
                marks.append(pytest.mark.skip(reason=SKIP[case_id]))
            params.append(pytest.param(case, id=case_id, marks=marks))
    return params


def _principal(raw: Any) -> PrincipalInfo:
    if isinstance(raw, dict):
        assert raw.get("type") == "Anonymous", raw
        return PrincipalInfo.from_arn("anonymous")
    return PrincipalInfo.from_arn(raw)


def run_case(case: dict[str, Any]) -> tuple[str, Any]:
    req = case["request"]
    principal = _principal(req["principal"])
    keys: dict[str, Any] = dict(req.get("context") or {})
    lower = {k.lower() for k in keys}
    # Harness rule: iam-simulate derives these from request.principal.
    if principal.type != "Anonymous":
        if "aws:principalarn" not in lower:
            keys["aws:PrincipalArn"] = principal.principal_arn
        if principal.account and "aws:principalaccount" not in lower:
            keys["aws:PrincipalAccount"] = principal.account
    ctx = RequestContext.create(
        principal,
        req["action"],
        req["resource"]["resource"],
        resource_account=req["resource"].get("accountId"),
        keys=keys,
        # Harness rule: a request resource holding wildcards stands for a set of resources,
        # except for wildcard-only actions, whose resource is the literal "*".
        resource_is_pattern=not req.get("wildcardOnlyAction")
        and any(ch in req["resource"]["resource"] for ch in "*?"),
    )

    def comp(doc: Any, pid: str) -> Any:
        return compile_policy(doc, policy_id=pid)

    identity = [comp(p, str(i)) for i, p in enumerate(case["identityPolicies"])]
    scps = [
        [comp(p, str(i)) for i, p in enumerate(level["policies"])]
        for level in case.get("serviceControlPolicies") or []
    ]
    rcps = [
        [comp(RCP_FULL_ACCESS, "RCPFullAccess")] + [comp(p, str(i)) for i, p in enumerate(level["policies"])]
        for level in case.get("resourceControlPolicies") or []
    ]
    # Note: a few cases spell the key "resourcePolicies"; the upstream harness does not read it, nor do we.
    resource = comp(case["resourcePolicy"], "ResourcePolicy") if case.get("resourcePolicy") else None
    boundaries = [comp(p, str(i)) for i, p in enumerate(case.get("permissionBoundaries") or [])]
    session = [comp(case["sessionPolicy"], "session")] if case.get("sessionPolicy") else None
    endpoint = (
        [comp(p, str(i)) for i, p in enumerate(case["endpointPolicies"])]
        if case.get("endpointPolicies")
        else None
    )
    decision = evaluate(
        ctx,
        identity,
        resource=resource,
        boundaries=boundaries,
        session=session,
        scps=scps or None,
        rcps=rcps or None,
        endpoint=endpoint,
    )
    if decision.allowed:
        got = "Allowed"
    elif decision.explicit_deny:
        got = "ExplicitlyDenied"
    else:
        got = "ImplicitlyDenied"
    return got, decision


@pytest.mark.parametrize("case", _load())
def test_iam_simulate_case(case: dict[str, Any] | None) -> None:
    if case is None:
        require(CASES_DIR)
    assert case is not None
    got, decision = run_case(case)
    expected = case["expected"]
    assert got == expected["response"], decision
    blocked = expected.get("blockedBy")
    if blocked and not decision.allowed:
        assert decision.denied_by in {BLOCKED_BY.get(b, b) for b in blocked}, (decision.denied_by, blocked)
