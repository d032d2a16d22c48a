"""An Allow with NotResource whose variable cannot be resolved grants nothing (the safe reading)."""

from __future__ import annotations

from credmint.policy import PrincipalInfo, RequestContext, compile_policy, evaluate

USER = PrincipalInfo.from_arn("arn:aws:iam::111122223333:user/alice", unique_id="AIDAEXAMPLE", username="alice")


NOT_TEAM = "arn:aws:s3:::b/${aws:PrincipalTag/team}/*"


def _decide(effect: str, keys: dict[str, str]) -> bool:
    statements = [{"Effect": effect, "Action": "s3:GetObject", "NotResource": NOT_TEAM}]
    if effect == "Deny":
        statements.insert(0, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    policy = compile_policy({"Version": "2012-10-17", "Statement": statements})
    ctx = RequestContext.create(USER, "s3:GetObject", "arn:aws:s3:::b/other/key", keys=keys)
    return evaluate(ctx, [policy]).allowed


def test_allow_notresource_with_unresolved_variable_grants_nothing() -> None:
    assert _decide("Allow", {}) is False
    assert _decide("Allow", {"aws:PrincipalTag/team": "red"}) is True  # resolved: other/ is outside red/


def test_deny_notresource_with_unresolved_variable_still_denies() -> None:
    assert _decide("Deny", {}) is False
    assert _decide("Deny", {"aws:PrincipalTag/team": "other"}) is True
