"""credmint.arns: every builder against the ARN AWS documents for that resource, and the
parser against well-formed and hostile input."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from credmint import arns

A = "123456789012"

# (builder, arguments, the ARN AWS shows for it: IAM User Guide "IAM identifiers", the
# Service Authorization Reference's resource types for IAM, STS, S3 and Organizations).
BUILT: list[tuple[Callable[..., str], tuple[str, ...], str]] = [
    (arns.root, (A,), f"arn:aws:iam::{A}:root"),
    (arns.user, (A, "/", "alice"), f"arn:aws:iam::{A}:user/alice"),
    (
        arns.user,
        (A, "/division_abc/subdivision_xyz/", "Bob"),
        f"arn:aws:iam::{A}:user/division_abc/subdivision_xyz/Bob",
    ),
    (arns.user, (A, "/", ""), f"arn:aws:iam::{A}:user/"),
    (arns.group, (A, "/", "Developers"), f"arn:aws:iam::{A}:group/Developers"),
    (arns.role, (A, "/application/", "S3Access"), f"arn:aws:iam::{A}:role/application/S3Access"),
    (arns.policy, (A, "/", "UsersManageOwnCredentials"), f"arn:aws:iam::{A}:policy/UsersManageOwnCredentials"),
    (arns.instance_profile, (A, "/", "Webserver"), f"arn:aws:iam::{A}:instance-profile/Webserver"),
    (arns.server_certificate, (A, "/", "ProdCert"), f"arn:aws:iam::{A}:server-certificate/ProdCert"),
    (arns.virtual_mfa_device, (A, "/", "JaneMFA"), f"arn:aws:iam::{A}:mfa/JaneMFA"),
    (arns.aws_managed_policy, ("/", "SecurityAudit"), "arn:aws:iam::aws:policy/SecurityAudit"),
    (
        arns.aws_managed_policy,
        ("/root-task/", "S3UnlockBucketPolicy"),
        "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy",
    ),
    (arns.saml_provider, (A, "ADFS"), f"arn:aws:iam::{A}:saml-provider/ADFS"),
    (
        arns.oidc_provider,
        (A, "https://token.actions.githubusercontent.com"),
        f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com",
    ),
    (arns.oidc_provider, (A, "HTTPS://idp.example.com/path"), f"arn:aws:iam::{A}:oidc-provider/idp.example.com/path"),
    (arns.oidc_provider, (A, "idp.example.com"), f"arn:aws:iam::{A}:oidc-provider/idp.example.com"),
    (arns.delegation_request, (A, "r-1"), f"arn:aws:iam::{A}:delegation-request/r-1"),
    (arns.workload_identity_provider, (A, "k8s"), f"arn:aws:iam::{A}:workload-identity-provider/k8s"),
    (arns.workload_identity_template, (A, "t"), f"arn:aws:iam::{A}:workload-identity-template/t"),
    (arns.access_report, (A, "o-a/r-b"), f"arn:aws:iam::{A}:access-report/o-a/r-b"),
    (arns.assumed_role, (A, "Accounting-Role", "Mary"), f"arn:aws:sts::{A}:assumed-role/Accounting-Role/Mary"),
    (arns.federated_user, (A, "Bob"), f"arn:aws:sts::{A}:federated-user/Bob"),
    (arns.bucket, ("amzn-s3-demo-bucket",), "arn:aws:s3:::amzn-s3-demo-bucket"),
    (arns.s3_object, ("b", "photos/2024/a.jpg"), "arn:aws:s3:::b/photos/2024/a.jpg"),
    (arns.s3_object, ("b", ""), "arn:aws:s3:::b/"),
    (arns.organization, (A, "o-exampleorgid"), f"arn:aws:organizations::{A}:organization/o-exampleorgid"),
    (arns.org_root, (A, "o-a", "r-b"), f"arn:aws:organizations::{A}:root/o-a/r-b"),
    (arns.org_unit, (A, "o-a", "ou-b-c"), f"arn:aws:organizations::{A}:ou/o-a/ou-b-c"),
    (arns.org_account, (A, "o-a", "111111111111"), f"arn:aws:organizations::{A}:account/o-a/111111111111"),
    (
        arns.org_policy,
        (A, "o-a", "SERVICE_CONTROL_POLICY", "p-1"),
        f"arn:aws:organizations::{A}:policy/o-a/service_control_policy/p-1",
    ),
    (
        arns.org_aws_policy,
        ("SERVICE_CONTROL_POLICY", "p-FullAWSAccess"),
        "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
    ),
    (arns.handshake, (A, "o-a", "INVITE", "h-1"), f"arn:aws:organizations::{A}:handshake/o-a/invite/h-1"),
    (arns.org_resource_policy, (A, "o-a", "rp-1"), f"arn:aws:organizations::{A}:resourcepolicy/o-a/rp-1"),
]


@pytest.mark.parametrize(("builder", "args", "expected"), BUILT)
def test_builders_give_aws_arns(builder: Callable[..., str], args: tuple[str, ...], expected: str) -> None:
    built = builder(*args)
    assert built == expected
    parsed = arns.parse(built)
    assert parsed is not None and str(parsed) == built


PARSED: list[tuple[str, tuple[str, str, str, str, str], str, str]] = [
    (f"arn:aws:iam::{A}:user/division/alice", ("aws", "iam", "", A, "user/division/alice"), "user", "division/alice"),
    (f"arn:aws:sts::{A}:assumed-role/R/s@x", ("aws", "sts", "", A, "assumed-role/R/s@x"), "assumed-role", "R/s@x"),
    ("arn:aws:s3:::bucket/a:b/c", ("aws", "s3", "", "", "bucket/a:b/c"), "bucket", "a:b/c"),
    (f"arn:aws:iam::{A}:root", ("aws", "iam", "", A, "root"), "root", ""),
    (
        "arn:aws-cn:lambda:cn-north-1:1:function:f:1",
        ("aws-cn", "lambda", "cn-north-1", "1", "function:f:1"),
        "function",
        "f:1",
    ),
]


@pytest.mark.parametrize(("text", "fields", "kind", "rest"), PARSED)
def test_parse(text: str, fields: tuple[str, str, str, str, str], kind: str, rest: str) -> None:
    parsed = arns.parse(text)
    assert parsed is not None
    assert (parsed.partition, parsed.service, parsed.region, parsed.account_id, parsed.resource) == fields
    assert (parsed.resource_type, parsed.resource_id) == (kind, rest)
    assert str(parsed) == text


HOSTILE = [
    "",
    "arn",
    "arn:",
    "arn:aws",
    "arn:aws:iam",
    "arn:aws:iam::",
    f"arn:aws:iam::{A}",
    f"arn:aws:iam::{A}:",  # no resource
    f"ARN:aws:iam::{A}:root",  # the prefix is case-sensitive
    f" arn:aws:iam::{A}:root",
    f"urn:aws:iam::{A}:root",
    f"arn::iam::{A}:root",  # no partition
    f"arn:aws:::{A}:root",  # no service
    "\x00arn:aws:iam::1:root",
    ":" * 5,
    "arn:" + ":" * 4,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_parse_refuses_what_is_no_arn(text: str) -> None:
    assert arns.parse(text) is None
    assert arns.account_of(text) is None


@pytest.mark.parametrize("value", [None, 12, b"arn:aws:iam::1:root", ["arn:aws:iam::1:root"]])
def test_parse_refuses_non_strings(value: object) -> None:
    assert arns.parse(value) is None  # type: ignore[arg-type]


def test_parse_keeps_huge_and_odd_resources_whole() -> None:
    resource = "user/" + "a" * 100_000 + ":::/\u2603"
    parsed = arns.parse(f"arn:aws:iam::{A}:{resource}")
    assert parsed is not None and parsed.resource == resource and parsed.resource_type == "user"


def test_account_of() -> None:
    assert arns.account_of(f"arn:aws:iam::{A}:user/x") == A
    assert arns.account_of("arn:aws:s3:::bucket") is None
    assert arns.account_of(arns.aws_managed_policy("/", "ReadOnlyAccess")) == "aws"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", True),
        ("arn:aws:iam::aws:policy/root-task/X", True),
        (f"arn:aws:iam::{A}:policy/ReadOnlyAccess", False),
        ("arn:aws:iam::aws:role/x", False),
        ("", False),
    ],
)
def test_is_aws_managed_policy(value: str, expected: bool) -> None:
    assert arns.is_aws_managed_policy(value) is expected
