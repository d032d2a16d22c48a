"""credmint.policy.context: who is asking (principals classified from their ARN), the global
``aws:*`` keys per credential type, and the request context's key normalisation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from credmint.policy import PrincipalInfo, RequestContext, global_condition_keys, normalize_keys


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


@pytest.mark.parametrize(
    ("text", "kind", "account"),
    [
        ("arn:aws:iam::123456789012:user/a/b/carol", "User", "123456789012"),
        ("arn:aws:iam::123456789012:role/r", "Role", "123456789012"),
        ("arn:aws:iam::123456789012:saml-provider/idp", "SAMLUser", "123456789012"),
        ("arn:aws:iam::123456789012:oidc-provider/example.com", "WebIdentityUser", "123456789012"),
        ("*", "Anonymous", None),
        ("accounts.google.com", "WebIdentityUser", None),
        ("ec2.amazonaws.com.cn", "Service", None),
        # Not quite an account id nor an ARN: an IdP-like name, never an account.
        ("12345678901", "WebIdentityUser", None),
        ("arn:aws:iam::", "WebIdentityUser", None),
        ("", "WebIdentityUser", None),
    ],
)
def test_principal_kinds(text: str, kind: str, account: str | None) -> None:
    info = PrincipalInfo.from_arn(text)
    assert (info.type, info.account) == (kind, account)


def test_usernames_and_unique_ids() -> None:
    user = PrincipalInfo.from_arn("arn:aws:iam::123456789012:user/a/b/carol")
    assert user.username == "carol" and user.principal_arn == user.arn
    root = PrincipalInfo.from_arn("arn:aws:iam::123456789012:root")
    assert root.unique_id == "123456789012" and root.username is None
    assert PrincipalInfo.from_arn("123456789012").arn == "arn:aws:iam::123456789012:root"


def test_role_behind_a_session() -> None:
    session = PrincipalInfo.from_arn(
        "arn:aws:sts::123456789012:assumed-role/r/s", source_arn="arn:aws:iam::123456789012:role/path/r"
    )
    assert session.role_arn == session.principal_arn == "arn:aws:iam::123456789012:role/path/r"
    role = PrincipalInfo.from_arn("arn:aws:iam::123456789012:role/r")
    assert role.role_arn == role.arn
    assert PrincipalInfo.from_arn("arn:aws:iam::123456789012:user/u").role_arn is None
    # A malformed session ARN names no role rather than a wrong one.
    assert PrincipalInfo.from_arn("arn:aws:sts::123456789012:assumed-role/r").role_arn is None
    assert PrincipalInfo.from_arn("arn:aws:sts::123456789012:assumed-role/r").principal_arn.endswith("assumed-role/r")
    assert PrincipalInfo.from_arn("arn:aws:iam::123456789012:role/r").federating_user_arn is None


def test_keys_are_normalised() -> None:
    keys, multi = normalize_keys(
        {"aws:SourceIp": "192.0.2.1", "aws:SecureTransport": True, "s3:max-keys": 10, "aws:TagKeys": ["a", "b"]}
    )
    assert keys == {
        "aws:sourceip": ("192.0.2.1",),
        "aws:securetransport": ("true",),
        "s3:max-keys": ("10",),
        "aws:tagkeys": ("a", "b"),
    }
    assert multi == {"aws:tagkeys"}


def test_request_context() -> None:
    alice = PrincipalInfo.from_arn("arn:aws:iam::111122223333:user/alice")
    ctx = RequestContext(alice, "S3:GetObject", "arn:aws:s3:::b/k", keys={"AWS:SourceIp": ("192.0.2.1",)})
    assert ctx.keys == {"aws:sourceip": ("192.0.2.1",)}  # lower-cased even when built directly
    assert (ctx.action_lower, ctx.service) == ("s3:getobject", "s3")
    assert ctx.resource_fields is not None and ctx.resource_fields[2] == "s3"
    assert RequestContext.create(alice, "iam:ListUsers").resource_fields is None  # "*"
    assert ctx.same_account
    assert not RequestContext.create(alice, "s3:GetObject", resource_account="444455556666").same_account
    anonymous = PrincipalInfo.from_arn("anonymous")
    assert not RequestContext.create(anonymous, "s3:GetObject").same_account
