"""credmint.policy.messages: the AccessDenied texts, for each kind of policy that denied and
each form of resource, and the MalformedPolicyDocument table's placeholders."""

from __future__ import annotations

import re
from typing import Any

import pytest

from credmint.policy import (
    VALIDATION,
    PrincipalInfo,
    RequestContext,
    access_denied_message,
    compile_policy,
    evaluate,
)

USER = "arn:aws:iam::111122223333:user/alice"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize(
    ("denied_by", "explicit", "resource", "tail"),
    [
        (
            "identity",
            False,
            "arn:aws:s3:::b/k",
            " on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action",
        ),
        (
            "identity",
            True,
            "arn:aws:s3:::b/k",
            " on resource: arn:aws:s3:::b/k with an explicit deny in an identity-based policy",
        ),
        (
            "resource",
            True,
            "arn:aws:s3:::b/k",
            " on resource: arn:aws:s3:::b/k with an explicit deny in a resource-based policy",
        ),
        (
            "resource",
            False,
            "arn:aws:s3:::b/k",
            " on resource: arn:aws:s3:::b/k because no resource-based policy allows the s3:GetObject action",
        ),
        (
            "boundary",
            False,
            "arn:aws:s3:::b/k",
            " on resource: arn:aws:s3:::b/k because no permissions boundary allows the s3:GetObject action",
        ),
        (
            "boundary",
            True,
            "arn:aws:s3:::b/k",
            " on resource: arn:aws:s3:::b/k with an explicit deny in a permissions boundary",
        ),
        (
            "session",
            False,
            "arn:aws:s3:::b/k",
            " on resource: arn:aws:s3:::b/k because no session policy allows the s3:GetObject action",
        ),
        (
            "scp",
            True,
            "arn:aws:s3:::b/k",
            " on resource: arn:aws:s3:::b/k with an explicit deny in a service control policy",
        ),
        ("scp", False, "*", " because no service control policy allows the s3:GetObject action"),
        ("identity", False, "*", " because no identity-based policy allows the s3:GetObject action"),
    ],
)
def test_access_denied_messages(denied_by: str, explicit: bool, resource: str, tail: str) -> None:
    text = access_denied_message(USER, "s3:GetObject", resource, denied_by, explicit)
    assert text == f"User: {USER} is not authorized to perform: s3:GetObject{tail}"


def test_message_from_a_decision() -> None:
    principal = PrincipalInfo.from_arn(USER)
    ctx = RequestContext.create(principal, "iam:ListUsers")
    d = evaluate(ctx, [compile_policy(doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*"}))])
    text = access_denied_message(principal.arn, ctx.action, ctx.resource, d.denied_by, d.explicit_deny)
    assert text == (
        f"User: {USER} is not authorized to perform: iam:ListUsers"
        " with an explicit deny in an identity-based policy"
    )


@pytest.mark.parametrize(
    ("denied_by", "phrase"),
    [
        ("rcp", "a resource control policy"),
        ("endpoint", "a VPC endpoint policy"),
        ("session", "a session policy"),
        # A denial the table does not know is reported as the identity policy's.
        (None, "an identity-based policy"),
        ("something-new", "an identity-based policy"),
    ],
)
def test_explicit_deny_phrases(denied_by: str | None, phrase: str) -> None:
    text = access_denied_message(USER, "s3:GetObject", "*", denied_by, True)
    assert text.endswith(f" with an explicit deny in {phrase}")


@pytest.mark.parametrize("resource", ["*", "", "arn:aws:s3:::"])
def test_no_resource_named_for_whole_service_actions(resource: str) -> None:
    text = access_denied_message(USER, "s3:ListAllMyBuckets", resource, "identity", False)
    assert "on resource" not in text


def test_the_principal_and_action_are_quoted_as_given() -> None:
    session = "arn:aws:sts::111122223333:assumed-role/r/s"
    text = access_denied_message(session, "iam:listUsers", "*", "identity", False)
    assert text == (
        f"User: {session} is not authorized to perform: iam:listUsers"
        " because no identity-based policy allows the iam:listUsers action"
    )


def test_validation_placeholders() -> None:
    fields = {key: set(re.findall(r"{(\w+)}", text)) for key, text in VALIDATION.items()}
    assert {k: v for k, v in fields.items() if v} == {
        "prohibited_field": {"field"},
        "condition_type": {"operator"},
        "principal_invalid": {"kind", "value"},
        "resource_arn": {"resource"},
    }
    assert VALIDATION["resource_arn"].format(resource="x") == 'Resource x must be in ARN format or "*".'
