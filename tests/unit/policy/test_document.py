"""credmint.policy.document: MalformedPolicyDocument messages, policy size, the compiled
policy's index by service, and Principal elements bound to unique ids."""

from __future__ import annotations

import json
from typing import Any

import pytest

from credmint.errors import AwsError
from credmint.policy import (
    VALIDATION,
    PrincipalInfo,
    compile_policy,
    policy_size,
    validate_policy,
)
from credmint.policy.document import PrincipalSpec

OK = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def doc(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    d: dict[str, Any] = {"Statement": list(statements)}
    if version:
        d["Version"] = version
    return d


def message(policy: Any, kind: Any, **kw: Any) -> str:
    with pytest.raises(AwsError) as info:
        validate_policy(policy, kind, **kw)
    assert info.value.code == "MalformedPolicyDocument"
    assert info.value.status == 400
    return str(info.value.message)


@pytest.mark.parametrize(
    ("policy", "kind", "expected"),
    [
        ("{not json", "identity", "Syntax errors in policy."),
        (
            '{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}',
            "identity",
            "Syntax errors in policy.",
        ),
        ("[]", "identity", "Syntax errors in policy."),
        (doc(), "identity", "Syntax errors in policy."),
        ({"Version": "2012-10-17", "Statment": [OK]}, "identity", "Syntax errors in policy."),
        (doc({**OK, "Effect": "allow"}), "identity", "The policy failed legacy parsing"),
        (doc({**OK, "Extra": 1}), "identity", "Syntax errors in policy."),
        (doc(OK, version="2012-10-18"), "identity", "The policy failed legacy parsing"),
        (doc({**OK, "Principal": "*"}), "identity", "Policy document should not specify a principal."),
        (
            doc({**OK, "NotPrincipal": {"AWS": "123456789012"}}),
            "boundary",
            "Policy document should not specify a principal.",
        ),
        (doc({**OK, "Principal": "*"}), "session", "Policy document should not specify a principal."),
        (doc({**OK, "Principal": "*"}), "scp", "Policy document should not specify a principal."),
        (doc({"Effect": "Allow", "Resource": "*"}), "identity", "Policy statement must contain actions."),
        (doc({"Effect": "Allow", "Action": "s3:*"}), "identity", "Policy statement must contain resources."),
        (doc({"Action": "s3:*", "Resource": "*"}), "identity", "Syntax errors in policy."),
        (doc(OK), "resource", "Missing required field Principal"),
        (
            doc({"Effect": "Allow", "Principal": "*", "Resource": "*"}),
            "resource",
            "Missing required field Action",
        ),
        (
            doc({"Effect": "Allow", "Principal": "*", "Action": "s3:*"}),
            "resource",
            "Missing required field Resource",
        ),
        (doc({"Effect": "Allow", "Action": "sts:AssumeRole"}), "trust", "Missing required field Principal"),
        (
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "123456789012"},
                    "Action": "sts:AssumeRole",
                    "Resource": "*",
                }
            ),
            "trust",
            "Has prohibited field Resource",
        ),
        (
            doc({"Effect": "Allow", "NotPrincipal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}),
            "trust",
            "Has prohibited field NotPrincipal",
        ),
        (
            doc({"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "s3:GetObject"}),
            "trust",
            "AssumeRole policy may only specify STS AssumeRole actions.",
        ),
        (
            doc({"Effect": "Allow", "Action": "GetObject", "Resource": "*"}),
            "identity",
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        ),
        (
            doc({**OK, "Condition": {"StringEqualz": {"aws:SourceIp": "x"}}}),
            "identity",
            "Syntax errors in policy.",
        ),
        (
            doc({**OK, "Condition": {"NullIfExists": {"aws:x": "true"}}}),
            "identity",
            "Syntax errors in policy.",
        ),
        (
            doc({**OK, "Condition": {"IpAddress": {"aws:SourceIp": "300.1.1.1"}}}),
            "identity",
            "Syntax errors in policy.",
        ),
        (
            doc({**OK, "Condition": {"DateEquals": {"aws:CurrentTime": "soon"}}}),
            "identity",
            "The policy failed legacy parsing",
        ),
        (doc({**OK, "Sid": "a b"}), "identity", VALIDATION["sid_alnum"]),
        (
            doc({**OK, "Sid": "A"}, {**OK, "Sid": "A"}),
            "identity",
            "Statement IDs (SID) in a single policy must be unique.",
        ),
        (doc({**OK, "Resource": "bucket"}), "identity", 'Resource bucket must be in ARN format or "*".'),
        (
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:user/*"},
                    "Action": "s3:*",
                    "Resource": "*",
                }
            ),
            "resource",
            'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/*"',
        ),
        (
            doc(
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": "arn:aws:iam::s3tenant1:root"},
                    "Action": "s3:ListBucket",
                    "Resource": "*",
                }
            ),
            "resource",
            'Invalid principal in policy: "AWS":"arn:aws:iam::s3tenant1:root"',
        ),
    ],
)
def test_validation_messages(policy: Any, kind: Any, expected: str) -> None:
    assert message(policy, kind) == expected


def test_managed_policies_need_current_version() -> None:
    assert message(doc(OK, version="2008-10-17"), "identity", managed=True) == (
        "Policy document must be version 2012-10-17 or greater."
    )
    validate_policy(doc(OK, version="2008-10-17"), "identity")


@pytest.mark.parametrize(
    ("policy", "kind"),
    [
        (doc(OK), "identity"),
        (doc({**OK, "Sid": "Read1"}), "boundary"),
        ({"Version": "2012-10-17", "Statement": OK}, "session"),
        (
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
            "trust",
        ),
        (
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": "accounts.google.com"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                }
            ),
            "trust",
        ),
        (
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": ["123456789012", "AIDAEXAMPLEEXAMPLE12"]},
                    "Action": "sts:*",
                }
            ),
            "trust",
        ),
        (
            doc(
                {
                    "Sid": "Public Read",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::b/*",
                }
            ),
            "resource",
        ),
        (doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}), "rcp"),
        (
            doc({**OK, "Condition": {"ForAllValues:StringLikeIfExists": {"aws:TagKeys": ["a*", True, 3]}}}),
            "identity",
        ),
    ],
)
def test_valid_policies(policy: Any, kind: Any) -> None:
    validate_policy(json.dumps(policy), kind)


def test_policy_size_ignores_whitespace() -> None:
    text = json.dumps(doc(OK), indent=4)
    assert policy_size(text) == len("".join(text.split()))
    assert policy_size(' { "a" : 1 }\n\t') == len('{"a":1}')


def test_compiled_policy_indexes_by_service() -> None:
    p = compile_policy(
        doc(
            {"Effect": "Allow", "Action": ["s3:GetObject", "iam:GetUser"], "Resource": "*"},
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "NotAction": "ec2:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
        )
    )
    assert [s.index for s in p.for_service("s3")] == [0, 1, 2]
    assert [s.index for s in p.for_service("ec2")] == [1, 2, 3]
    assert [s.index for s in p.for_service("sqs")] == [1, 2]


@pytest.mark.parametrize(
    ("info", "level"),
    [
        (PrincipalInfo.from_arn("arn:aws:iam::111122223333:user/alice", unique_id="AIDAAAAAAAAAAAAAAAAAA"), 3),
        (PrincipalInfo.from_arn("arn:aws:iam::111122223333:user/alice", unique_id="AIDACCCCCCCCCCCCCCCCC"), 0),
        (
            PrincipalInfo(
                "arn:aws:sts::111122223333:federated-user/f",
                "FederatedUser",
                "111122223333",
                unique_id="111122223333:f",
                source_arn="arn:aws:iam::111122223333:user/alice",
                source_id="AIDAAAAAAAAAAAAAAAAAA",
            ),
            2,
        ),
        (
            PrincipalInfo(
                "arn:aws:sts::111122223333:federated-user/f",
                "FederatedUser",
                "111122223333",
                unique_id="111122223333:f",
                source_arn="arn:aws:iam::111122223333:user/alice",
                source_id="AIDACCCCCCCCCCCCCCCCC",
            ),
            0,
        ),
        (
            PrincipalInfo(
                "arn:aws:sts::111122223333:assumed-role/deploy/s",
                "AssumedRole",
                "111122223333",
                unique_id="AROABBBBBBBBBBBBBBBBB:s",
                source_arn="arn:aws:iam::111122223333:role/deploy",
                source_id="AROABBBBBBBBBBBBBBBBB",
            ),
            2,
        ),
    ],
)
def test_bound_principals_match_by_unique_id(info: PrincipalInfo, level: int) -> None:
    # Stored resource policies name users and roles by unique id (bound at write time):
    # the same name with another id is another entity.
    spec = PrincipalSpec({"AWS": ["AIDAAAAAAAAAAAAAAAAAA", "AROABBBBBBBBBBBBBBBBB"]}, strict=True)
    assert spec.level(info) == level
