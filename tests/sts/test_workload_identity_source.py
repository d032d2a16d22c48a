"""``aws:SourceAccount`` and ``aws:SourceArn`` of IssueWorkloadIdentityContext and of the
AssumeRole that redeems its context, end to end with boto3.

The model: the calling service names "the account and the resource that it acts for, which
AWS STS makes available as the aws:SourceAccount and aws:SourceArn condition keys", and "a
context can be redeemed only by the service that requested it, with the same source account
and source ARN". A service names them in the ``x-amz-source-account`` and
``x-amz-source-arn`` headers; here a boto3 client adds them before it signs (or after, to
show an unsigned one is refused).
"""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError

from credmint.access.principal import Principal
from credmint.api import Call
from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.sts.contexts import source_of
from credmint.testing.accounts import Account, User

pytestmark = pytest.mark.e2e

NS = "aws:WorkloadAttestation/aws/k8s/Namespace"
ATTESTED = json.dumps({"k8s/Namespace": "payments"})


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def sts_naming(user: User, headers: dict[str, str], *, signed: bool = True) -> Any:
    """An STS client of ``user`` that sends ``headers`` with every request, inside the
    signature (``before-sign``) or added after it (``before-send``)."""
    client = user.client("sts", region_name="us-east-1")

    def add(request: Any, **_: Any) -> None:
        for name, value in headers.items():
            request.headers[name] = value

    client.meta.events.register("before-sign.sts" if signed else "before-send.sts", add)
    return client


def code_of(fn: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    return str(exc.value.response["Error"]["Code"])


def setup(account: Account, cluster: str, trust_condition: dict[str, Any] | None = None) -> tuple[User, str, str]:
    """An orchestrator, a template whose attestation policy admits it only for ``cluster``,
    and a role it may assume (``trust_condition`` added to the trust policy)."""
    iam = account.client("iam")
    provider = iam.create_workload_identity_provider(
        ProviderName=f"p-{uuid.uuid4().hex[:8]}", Scheme="SPIFFE", WorkloadIdentityDomain=f"{uuid.uuid4().hex}.org"
    )["Arn"]
    orchestrator = account.create_user(
        policies=[
            json.loads(
                doc(
                    {
                        "Effect": "Allow",
                        "Action": ["sts:IssueWorkloadIdentityContext", "sts:AssumeRole"],
                        "Resource": "*",
                    }
                )
            )
        ]
    )
    trust: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": orchestrator.arn}, "Action": "sts:AssumeRole"}
    if trust_condition:
        trust["Condition"] = trust_condition
    role = account.create_role(trust_policy=json.loads(doc(trust)))
    template = iam.create_workload_identity_template(
        Name=f"t-{uuid.uuid4().hex[:8]}",
        WorkloadIdentityProviderArn=provider,
        PathPattern="ns/{" + NS + "}",
        AttestationPolicy=doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": orchestrator.arn},
                "Action": "sts:IssueWorkloadIdentityContext",
                "Resource": "*",
                "Condition": {
                    "ArnEquals": {"aws:SourceArn": cluster},
                    "StringEquals": {"aws:SourceAccount": account.account_id},
                },
            }
        ),
    )["Arn"]
    return orchestrator, template, role


def cluster_arn(account: Account, name: str) -> str:
    return f"arn:aws:eks:us-east-1:{account.account_id}:cluster/{name}"


def test_the_attestation_policy_sees_the_source(credmint_account: Account) -> None:
    prod = cluster_arn(credmint_account, "prod")
    orchestrator, template, _role = setup(credmint_account, prod)
    issue = {"WorkloadIdentityTemplateArn": template, "AttestationDocument": ATTESTED}
    # No source named: the policy's aws:SourceArn condition cannot match.
    assert code_of(orchestrator.client("sts").issue_workload_identity_context, **issue) == "AccessDenied"
    named = sts_naming(orchestrator, {"x-amz-source-arn": prod, "x-amz-source-account": credmint_account.account_id})
    assert named.issue_workload_identity_context(**issue)["Subject"].endswith("/ns/payments")
    # The account alone is taken as the caller's own.
    assert sts_naming(orchestrator, {"x-amz-source-arn": prod}).issue_workload_identity_context(**issue)
    other = sts_naming(orchestrator, {"x-amz-source-arn": cluster_arn(credmint_account, "staging")})
    assert code_of(other.issue_workload_identity_context, **issue) == "AccessDenied"


@pytest.mark.parametrize(
    ("headers", "signed", "code"),
    [
        ({"x-amz-source-account": "111122223333"}, True, "AccessDenied"),
        ({"x-amz-source-arn": "arn:aws:eks:us-east-1:111122223333:cluster/prod"}, True, "AccessDenied"),
        ({"x-amz-source-arn": "not-an-arn"}, True, "InvalidParameterValue"),
        ({"x-amz-source-arn": "arn:aws:eks:us-east-1:" + "1" * 12 + ":" + "x" * 3000}, True, "InvalidParameterValue"),
        ({"x-amz-source-arn": "arn:aws:eks:us-east-1:{account}:cluster/prod"}, False, "InvalidParameterValue"),
        ({"x-amz-source-account": "{account}"}, False, "InvalidParameterValue"),
    ],
    ids=["other-account", "other-accounts-arn", "not-an-arn", "too-long", "unsigned-arn", "unsigned-account"],
)
def test_a_source_the_caller_cannot_stand_for_is_refused(
    credmint_account: Account, headers: dict[str, str], signed: bool, code: str
) -> None:
    prod = cluster_arn(credmint_account, "prod")
    orchestrator, template, _role = setup(credmint_account, prod)
    filled = {k: v.replace("{account}", credmint_account.account_id) for k, v in headers.items()}
    client = sts_naming(orchestrator, filled, signed=signed)
    got = code_of(
        client.issue_workload_identity_context, WorkloadIdentityTemplateArn=template, AttestationDocument=ATTESTED
    )
    assert got == code


def test_a_context_is_redeemed_only_with_its_source(credmint_account: Account) -> None:
    prod = cluster_arn(credmint_account, "prod")
    # The trust policy, too, sees the source of the redeeming AssumeRole.
    orchestrator, template, role = setup(credmint_account, prod, {"ArnEquals": {"aws:SourceArn": prod}})
    named = sts_naming(orchestrator, {"x-amz-source-arn": prod})
    ctx = named.issue_workload_identity_context(
        WorkloadIdentityTemplateArn=template, AttestationDocument=ATTESTED, TargetRoleArn=role
    )["ProvidedContext"]
    assume = {"RoleArn": role, "RoleSessionName": "wl", "ProvidedContexts": [ctx]}
    assert code_of(orchestrator.client("sts").assume_role, **assume) == "InvalidContextAssertion"
    staging = sts_naming(orchestrator, {"x-amz-source-arn": cluster_arn(credmint_account, "staging")})
    assert code_of(staging.assume_role, **assume) == "InvalidContextAssertion"
    out = named.assume_role(**assume)
    assert out["AssumedRoleUser"]["Arn"].endswith("/wl")


def test_a_repeated_source_header_is_refused() -> None:
    """Repeated headers read as one comma-joined value, never as one source. (botocore sends
    only one header of a name, so this is decided on the request as the server reads it.)"""
    auth = (
        "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEEXAMPLE12/20260101/us-east-1/sts/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-source-arn, Signature=" + "0" * 64
    )
    arn = "arn:aws:eks:us-east-1:111122223333:cluster/prod"
    headers = (
        ("host", "sts.example"),
        ("x-amz-date", "20260101T000000Z"),
        ("authorization", auth),
        ("x-amz-source-arn", arn),
        ("x-amz-source-arn", arn.replace("prod", "other")),
    )
    call = cast(Call, SimpleNamespace(request=HttpRequest("POST", "/", "", headers)))
    caller = cast(Principal, SimpleNamespace(account_id="111122223333", arn="arn:aws:iam::111122223333:user/u"))
    with pytest.raises(AwsError) as exc:
        source_of(call, caller)
    assert exc.value.code == "InvalidParameterValue"
    # Sent once, the same header names the source.
    once = cast(Call, SimpleNamespace(request=HttpRequest("POST", "/", "", headers[:4])))
    assert source_of(once, caller).keys() == {"aws:SourceAccount": "111122223333", "aws:SourceArn": arn}
