"""Table-driven cases written from the AWS IAM documentation (tests/vectors/policy/*.json).

Each file is a list of cases: ``principal`` (an ARN string, or an object with
``arn`` and optional ``type``/``source_arn``), ``action``, ``resource``,
optional ``resource_account``, ``context`` (extra condition keys; the global
``aws:*`` keys for the principal are added at a fixed time), the policies by
type (``identity``, ``resource_policy``, ``boundaries``, ``session``, ``scps``,
``rcps``, ``scopes`` — GetScopedCredentials' scope-down policies) and ``expected``: ``Allowed``, ``ImplicitlyDenied``,
``ExplicitlyDenied`` or ``invalid`` (the policy must not compile). Optional
checks: ``denied_by``, ``missing`` (missing context values), ``matched``,
``root_may_override``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from credmint.errors import AwsError
from credmint.policy import (
    PrincipalInfo,
    RequestContext,
    compile_policy,
    evaluate,
    global_condition_keys,
)
from tests.vector_data import IN_REPO

CASES = IN_REPO / "policy"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _params() -> list[Any]:
    out = []
    for path in sorted(CASES.glob("*.json")):
        for case in json.loads(path.read_text()):
            out.append(pytest.param(case, id=f"{path.stem}::{case['name']}"))
    return out


def _principal(raw: str | dict[str, Any]) -> PrincipalInfo:
    if isinstance(raw, str):
        return PrincipalInfo.from_arn(raw)
    if "type" in raw:
        return PrincipalInfo(raw["arn"], raw["type"], raw.get("account"))
    return PrincipalInfo.from_arn(raw["arn"], source_arn=raw.get("source_arn"))


@pytest.mark.parametrize("case", _params())
def test_case(case: dict[str, Any]) -> None:
    principal = _principal(case["principal"])
    keys: dict[str, Any] = dict(global_condition_keys(principal, now=NOW))
    keys.pop("aws:currenttime")
    keys.pop("aws:epochtime")
    keys.update(case.get("context") or {})
    ctx = RequestContext.create(
        principal,
        case["action"],
        case["resource"],
        resource_account=case.get("resource_account"),
        keys=keys,
    )
    try:
        identity = [
            compile_policy(p, kind="identity", policy_id=str(i))
            for i, p in enumerate(case.get("identity", []))
        ]
        resource = (
            compile_policy(case["resource_policy"], kind="trust" if "sts:" in case["action"] else "resource")
            if "resource_policy" in case
            else None
        )
        boundaries = [compile_policy(p, kind="boundary") for p in case.get("boundaries", [])]
        session = [compile_policy(p, kind="session") for p in case["session"]] if "session" in case else None
        scps = (
            [[compile_policy(p, kind="scp") for p in level] for level in case["scps"]]
            if "scps" in case
            else None
        )
        rcps = [[compile_policy(p) for p in level] for level in case["rcps"]] if "rcps" in case else None
        scopes = [compile_policy(p, kind="session") for p in case.get("scopes", [])]
    except AwsError as exc:
        assert case["expected"] == "invalid", exc
        assert exc.code == "MalformedPolicyDocument"
        return
    assert case["expected"] != "invalid", "policy compiled but should have been rejected"

    decision = evaluate(
        ctx,
        identity,
        resource=resource,
        boundaries=boundaries,
        session=session,
        scps=scps,
        rcps=rcps,
        scopes=scopes,
        collect_missing=True,
    )
    got = (
        "Allowed"
        if decision.allowed
        else "ExplicitlyDenied"
        if decision.explicit_deny
        else "ImplicitlyDenied"
    )
    assert got == case["expected"], decision
    if "denied_by" in case:
        assert decision.denied_by == case["denied_by"], decision
    if "missing" in case:
        assert list(decision.missing_context_values) == case["missing"], decision
    if "matched" in case:
        assert [
            [m.policy_type, m.policy_id, m.index, m.sid, m.effect] for m in decision.matched_statements
        ] == case["matched"]
    if "root_may_override" in case:
        assert decision.root_may_override == case["root_may_override"], decision
