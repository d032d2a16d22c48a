"""The AWS CLI against IAM's workload identity operations that tests/iam/test_cli_newest.py
leaves out: outbound signers, deleting a provider's resource policy, the deletion status of a
provider, and the tags of providers and templates, each with its printed JSON and its refusals
(the CLI's exit code and the AWS error code it prints)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Server
from tests.iam.test_cli_newest import PATTERN, issue_policy, name, ok, refused
from tests.sts.helpers import aws_cli, make_user

pytestmark = pytest.mark.e2e


def new_provider(server: Server) -> str:
    created = ok(
        server,
        "create-workload-identity-provider",
        "--provider-name",
        name("p"),
        "--scheme",
        "SPIFFE",
        "--workload-identity-domain",
        f"{name('d')}.example.org",
    )
    arn: str = created["Arn"]
    return arn


def new_template(server: Server, provider: str) -> str:
    args = ("--name", name("t"), "--workload-identity-provider-arn", provider, "--path-pattern", PATTERN)
    arn: str = ok(server, "create-workload-identity-template", *args)["Arn"]
    return arn


def x509(server: Server, ca_id: str) -> str:
    """The --outbound-signer argument naming an X.509 CA of the server's account."""
    return json.dumps({"X509": {"CertificateAuthorityId": ca_id, "AccountId": server.account_id}})


def test_outbound_signers(server: Server) -> None:
    arn = new_provider(server)
    p = ("--workload-identity-provider-arn", arn)

    def x509s() -> dict[str, str]:
        # The CLI pages through the whole listing itself and prints no IsTruncated.
        listed = ok(server, "list-workload-identity-provider-outbound-signers", *p)
        return {
            s["Configuration"]["X509"]["CertificateAuthorityId"]: s["Status"]
            for s in listed["OutboundSigners"]
            if s["SignerType"] == "X509"
        }

    # A new provider signs with IAM's own JWT keys only.
    signers = ok(server, "list-workload-identity-provider-outbound-signers", *p)["OutboundSigners"]
    assert signers and {s["SignerType"] for s in signers} == {"JWT"}
    assert (
        ok(server, "create-workload-identity-provider-outbound-signer", *p, "--outbound-signer", x509(server, "ca-a"))
        == {}
    )
    assert x509s() == {"ca-a": "IN_TRANSITION"}
    # The EC_prime256v1 slot is taken.
    taken = aws_cli(
        server,
        "iam",
        "create-workload-identity-provider-outbound-signer",
        *p,
        "--outbound-signer",
        x509(server, "ca-b"),
    )
    refused(taken, "EntityAlreadyExists")
    # Rotating a slot whose signer has not started yet replaces the incoming CA.
    update = ("update-workload-identity-provider-outbound-signer", *p, "--signing-delay-in-hours", "2")
    assert ok(server, *update, "--outbound-signer", x509(server, "ca-b")) == {}
    assert x509s() == {"ca-b": "IN_TRANSITION"}
    # The EC_secp384r1 slot is empty: there is nothing to rotate.
    refused(
        aws_cli(server, "iam", *update, "--outbound-signer", x509(server, "ca-EC_secp384r1")),
        "NoSuchEntity",
    )
    # A signer about to sign must be disabled before it is deleted.
    delete = ("delete-workload-identity-provider-outbound-signer", *p, "--outbound-signer", x509(server, "ca-b"))
    refused(aws_cli(server, "iam", *delete), "InvalidInput")
    assert ok(server, "disable-workload-identity-provider-outbound-signer", *p, "--signer-type", "X509") == {}
    assert set(x509s().values()) <= {"VALIDATING", "INACTIVE"}
    assert ok(server, "enable-workload-identity-provider-outbound-signer", *p, "--signer-type", "X509") == {}
    assert x509s() == {"ca-b": "IN_TRANSITION"}
    ok(server, "disable-workload-identity-provider-outbound-signer", *p, "--signer-type", "X509")
    deleted = ok(server, *delete)
    assert deleted["WorkloadIdentityProviderArn"] == arn and deleted["Status"] == "SUCCEEDED"
    assert deleted["OutboundSigner"]["X509"]["CertificateAuthorityId"] == "ca-b"
    assert x509s() == {}
    refused(aws_cli(server, "iam", *delete), "NoSuchEntity")


#: The JWT signers are IAM's own: enabling, disabling or deleting them is refused.
JWT_REFUSALS = [
    ["disable-workload-identity-provider-outbound-signer", "--signer-type", "JWT"],
    ["enable-workload-identity-provider-outbound-signer", "--signer-type", "JWT"],
]


@pytest.mark.parametrize("args", JWT_REFUSALS, ids=[a[0] for a in JWT_REFUSALS])
def test_jwt_signers_are_iams(server: Server, args: list[str]) -> None:
    arn = new_provider(server)
    refused(aws_cli(server, "iam", args[0], "--workload-identity-provider-arn", arn, *args[1:]), "InvalidInput")


#: Signer operations on a provider that does not exist.
MISSING_PROVIDER = [
    ["list-workload-identity-provider-outbound-signers"],
    ["create-workload-identity-provider-outbound-signer", "--outbound-signer", "{ca}"],
    ["update-workload-identity-provider-outbound-signer", "--outbound-signer", "{ca}"],
    ["delete-workload-identity-provider-outbound-signer", "--outbound-signer", "{ca}"],
    ["disable-workload-identity-provider-outbound-signer", "--signer-type", "X509"],
    ["enable-workload-identity-provider-outbound-signer", "--signer-type", "X509"],
    ["delete-workload-identity-provider-resource-policy"],
]


@pytest.mark.parametrize("args", MISSING_PROVIDER, ids=[a[0] for a in MISSING_PROVIDER])
def test_missing_provider(server: Server, args: list[str]) -> None:
    gone = new_provider(server) + "-gone"
    filled = [a.replace("{ca}", x509(server, "ca-a")) for a in args[1:]]
    refused(aws_cli(server, "iam", args[0], "--workload-identity-provider-arn", gone, *filled), "NoSuchEntity")


def test_delete_resource_policy(server: Server) -> None:
    arn = new_provider(server)
    p = ("--workload-identity-provider-arn", arn)
    refused(aws_cli(server, "iam", "delete-workload-identity-provider-resource-policy", *p), "NoSuchEntity")
    ok(
        server,
        "put-workload-identity-provider-resource-policy",
        *p,
        "--policy-document",
        issue_policy(make_user(server).arn),
    )
    assert ok(server, "delete-workload-identity-provider-resource-policy", *p) == {}
    refused(aws_cli(server, "iam", "get-workload-identity-provider-resource-policy", *p), "NoSuchEntity")
    refused(aws_cli(server, "iam", "delete-workload-identity-provider-resource-policy", *p), "NoSuchEntity")


def test_deletion_status(server: Server) -> None:
    arn = new_provider(server)
    task = ok(server, "delete-workload-identity-provider", "--workload-identity-provider-arn", arn)["DeletionTaskId"]
    status = ok(server, "get-workload-identity-provider-deletion-status", "--deletion-task-id", task)
    assert status["WorkloadIdentityProviderArn"] == arn and status["Status"] == "SUCCEEDED"
    unknown = aws_cli(
        server, "iam", "get-workload-identity-provider-deletion-status", "--deletion-task-id", "AWPDNOTATASKATALL12"
    )
    refused(unknown, "NoSuchEntity")


@pytest.mark.parametrize("kind", ["provider", "template"])
def test_tags(server: Server, kind: str) -> None:
    provider = new_provider(server)
    arn = provider if kind == "provider" else new_template(server, provider)
    target = (f"--workload-identity-{kind}-arn", arn)
    assert ok(server, f"list-workload-identity-{kind}-tags", *target)["Tags"] == []
    assert ok(server, f"tag-workload-identity-{kind}", *target, "--tags", "Key=team,Value=pay", "Key=env,Value=p") == {}
    assert ok(server, f"untag-workload-identity-{kind}", *target, "--tag-keys", "team") == {}
    assert ok(server, f"list-workload-identity-{kind}-tags", *target)["Tags"] == [{"Key": "env", "Value": "p"}]
    # Keys that differ only in case are one key to IAM.
    twins = aws_cli(server, "iam", f"tag-workload-identity-{kind}", *target, "--tags", "Key=a,Value=1", "Key=A,Value=2")
    refused(twins, "InvalidInput")
    gone = (f"--workload-identity-{kind}-arn", arn + "-gone")
    refused(aws_cli(server, "iam", f"list-workload-identity-{kind}-tags", *gone), "NoSuchEntity")
    refused(aws_cli(server, "iam", f"tag-workload-identity-{kind}", *gone, "--tags", "Key=k,Value=v"), "NoSuchEntity")
    refused(aws_cli(server, "iam", f"untag-workload-identity-{kind}", *gone, "--tag-keys", "k"), "NoSuchEntity")
