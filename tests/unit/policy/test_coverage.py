"""credmint.policy.coverage: the asks of a requested policy, action expansion, and the
engine's resource-cover mode (an Allow must match the whole set, a Deny any part)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from credmint.policy import PrincipalInfo, RequestContext, compile_policy, evaluate
from credmint.policy.coverage import MAX_PAIRS, Ask, Policies, asks_of, check, expand

USER = PrincipalInfo.from_arn("arn:aws:iam::111122223333:user/alice")


def doc(*statements: Any) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def known(service: str) -> tuple[str, ...] | None:
    return {"iam": ("ListUsers", "ListRoles", "GetUser")}.get(service)


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        (doc({"Effect": "Allow", "Action": ["a:X", "a:Y"], "Resource": ["r1", "r2"]}), 4),
        (doc({"Effect": "Deny", "Action": "a:X", "Resource": "*"}), 0),
        # Hostile shapes of a stored document: non-dict statements and non-string entries
        # ask for nothing rather than failing.
        (json.dumps({"Statement": ["x", 1, None]}), 0),
        (json.dumps({"Statement": {"Effect": "Allow", "Action": [1, None, "a:X"], "Resource": [{}]}}), 0),
        (json.dumps([1, 2]), 0),
        (json.dumps({"Statement": {"Effect": "Allow", "Action": "a:X", "Resource": "*", "Condition": {"x": {}}}}), 1),
    ],
)
def test_asks_of(text: str, asks: int) -> None:
    found = asks_of(text)
    assert found is not None and len(found) == asks


@pytest.mark.parametrize("element", ["NotAction", "NotResource"])
def test_an_open_ended_ask_has_no_asks(element: str) -> None:
    other = "Resource" if element == "NotAction" else "Action"
    assert asks_of(doc({"Effect": "Allow", element: "a:X", other: "*"})) is None


@pytest.mark.parametrize(
    ("action", "expanded"),
    [
        ("iam:ListUsers", ["iam:ListUsers"]),
        ("iam:List*", ["iam:ListUsers", "iam:ListRoles"]),
        ("IAM:list?sers", ["iam:ListUsers"]),
        ("iam:Nothing*", []),
        ("ec2:Describe*", None),
        ("*", None),
        ("i*:ListUsers", None),
    ],
)
def test_expand(action: str, expanded: list[str] | None) -> None:
    assert expand(action, known) == expanded


def _policies(*statements: Any) -> Policies:
    return Policies(identity=[compile_policy(doc(*statements))], boundaries=(), guardrails=lambda _a: (None, None))


def test_too_many_pairs_is_unsure() -> None:
    resources = [f"arn:aws:s3:::b/{i}" for i in range(MAX_PAIRS + 1)]
    asked = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": resources})
    granted = _policies({"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert check(USER, {}, asked, granted, known) == "UNSURE"


@pytest.mark.parametrize(
    ("statements", "resource", "some", "all_"),
    [
        # An Allow on part of the set may serve one resource, not all of them.
        (
            [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/x/*"}],
            "arn:aws:s3:::b/*",
            True,
            False,
        ),
        ([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*"}], "arn:aws:s3:::b/*", True, True),
        # A Deny on part of the set spoils the whole, but not "some resource".
        (
            [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret/*"},
            ],
            "arn:aws:s3:::b/*",
            True,
            False,
        ),
        # NotResource: an Allow excluding part of the set does not cover it.
        (
            [{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/secret/*"}],
            "arn:aws:s3:::b/*",
            True,
            False,
        ),
    ],
)
def test_resource_cover_mode(statements: list[dict[str, Any]], resource: str, some: bool, all_: bool) -> None:
    policy = compile_policy(doc(*statements))
    for cover, expected in ((False, some), (True, all_)):
        ctx = RequestContext.create(USER, "s3:GetObject", resource, resource_is_pattern=True, resource_cover=cover)
        assert evaluate(ctx, [policy]).allowed is expected


def test_an_ask_is_a_value_object() -> None:
    assert Ask("a:X", "*", False) == Ask("a:X", "*", False)
