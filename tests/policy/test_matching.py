"""Unit tests for wildcard, ARN, variable and pattern-overlap matching."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from credmint.policy import PrincipalInfo, global_condition_keys, parse_date
from credmint.policy.matching import (
    ArnPattern,
    Literal,
    Variable,
    glob_matcher,
    glob_tokens,
    parse_template,
    tokens_cover,
    tokens_overlap,
)


@pytest.mark.parametrize(
    ("pattern", "value", "ok"),
    [
        ("*", "", True),
        ("abc", "abc", True),
        ("abc", "abcd", False),
        ("ab*", "abxyz", True),
        ("ab*", "a", False),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("*b*", "xbx", True),
        ("a.c", "abc", False),
        ("a*c*e", "abcde", True),
        ("x\ny*", "x\nyz", True),
    ],
)
def test_glob(pattern: str, value: str, ok: bool) -> None:
    assert glob_matcher(pattern)(value) is ok


def test_template_parsing() -> None:
    t = parse_template("a/${aws:UserName}/${*}/${aws:PrincipalTag/t, 'd x'}/${bad key}", True)
    assert t.parts == (
        "a/",
        Variable("aws:username", None),
        "/",
        Literal("*"),
        "/",
        Variable("aws:principaltag/t", "d x"),
        "/${bad key}",
    )
    assert parse_template("${aws:username}", False).parts == ("${aws:username}",)


def test_arn_pattern_with_variable_containing_colon_in_key() -> None:
    p = ArnPattern("arn:aws:s3:::b/${aws:username}/*", True)
    value = "arn:aws:s3:::b/alice/x"
    assert p.matches(value, {"aws:username": ("alice",)})
    assert not p.matches(value, {"aws:username": ("bob",)})
    assert not p.matches(value, {})
    # Wildcards in the first five fields never span a colon; the resource field's do.
    assert not ArnPattern("arn:aws:sqs:*:queue", True).matches("arn:aws:sqs:us-east-1:1:queue", {})
    assert ArnPattern("arn:aws:sqs:*:*:q*", True).matches("arn:aws:sqs:us-east-1:1:q:x", {})
    assert not ArnPattern("arn:aws:sqs:*:*:q*", True).matches("arn:aws:sqs:us:east:1:q", {})
    assert not ArnPattern("arn:aws:s3:::b/*", True).matches("*", {})


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("*/AWSLogs/*", "example-bucket/*", True),
        ("other/*", "example/*", False),
        ("a?c", "a*", True),
        ("abc", "abd", False),
        ("*.iso", "b/*", True),
        ("", "*", True),
        ("a", "", False),
    ],
)
def test_tokens_overlap(a: str, b: str, overlap: bool) -> None:
    assert tokens_overlap(glob_tokens((a,)), glob_tokens((b,))) is overlap


@pytest.mark.parametrize(
    ("outer", "inner", "cover"),
    [
        ("*", "anything*", True),
        ("b/*", "b/private/*", True),
        ("b/private/*", "b/*", False),
        ("b/?", "b/x", True),
        ("b/?", "b/*", False),
        ("abc", "abc", True),
        ("*/AWSLogs/*", "example-bucket/*", False),
    ],
)
def test_tokens_cover(outer: str, inner: str, cover: bool) -> None:
    assert tokens_cover(glob_tokens((outer,)), glob_tokens((inner,))) is cover


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("2024-05-01T12:00:00Z", 1714564800.0),
        ("2024-05-01T12:00:00.500Z", 1714564800.5),
        ("2024-05-01", 1714521600.0),
        ("1714564800", 1714564800.0),
        ("2024-05-01T14:00:00+02:00", 1714564800.0),
        ("nope", None),
        ("", None),
    ],
)
def test_parse_date(text: str, epoch: float | None) -> None:
    assert parse_date(text) == epoch


def test_global_keys_per_credential_type() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    user = PrincipalInfo.from_arn("arn:aws:iam::111122223333:user/path/alice", unique_id="AIDAEXAMPLE")
    keys = global_condition_keys(
        user, now=now, source_ip="192.0.2.1", secure_transport=True, principal_tags={"Team": "ops"}
    )
    assert keys["aws:username"] == ("alice",)
    assert keys["aws:principaltype"] == ("User",)
    assert keys["aws:principaltag/team"] == ("ops",)
    assert "aws:multifactorauthpresent" not in keys  # long-term keys: absent (§4.6)
    assert keys["aws:currenttime"] == ("2024-05-01T12:00:00Z",)
    assert keys["aws:epochtime"] == ("1714564800",)

    session = PrincipalInfo.from_arn(
        "arn:aws:sts::111122223333:assumed-role/dev/s1",
        unique_id="AROAEXAMPLE:s1",
        source_arn="arn:aws:iam::111122223333:role/team/dev",
    )
    keys = global_condition_keys(
        session,
        now=now,
        mfa_present=True,
        mfa_authenticated_at=datetime(2024, 5, 1, 11, 0, tzinfo=UTC),
        token_issue_time=datetime(2024, 5, 1, 11, 0, tzinfo=UTC),
    )
    assert keys["aws:principalarn"] == ("arn:aws:iam::111122223333:role/team/dev",)
    assert keys["aws:principaltype"] == ("AssumedRole",)
    assert "aws:username" not in keys
    assert keys["aws:multifactorauthage"] == ("3600",)
    assert keys["aws:tokenissuetime"] == ("2024-05-01T11:00:00Z",)

    anon = PrincipalInfo.from_arn("anonymous")
    keys = global_condition_keys(anon, now=now)
    assert keys["aws:userid"] == ("anonymous",)
    assert "aws:principalarn" not in keys


def test_principal_from_arn() -> None:
    assert PrincipalInfo.from_arn("123456789012").type == "Account"
    assert PrincipalInfo.from_arn("arn:aws:iam::123456789012:root").type == "Account"
    assert PrincipalInfo.from_arn("lambda.amazonaws.com").type == "Service"
    s = PrincipalInfo.from_arn("arn:aws:sts::123456789012:assumed-role/r/s")
    assert s.type == "AssumedRole" and s.role_arn == "arn:aws:iam::123456789012:role/r"
    f = PrincipalInfo.from_arn("arn:aws:sts::123456789012:federated-user/bob")
    assert f.federating_user_arn == "arn:aws:iam::123456789012:user/bob"
