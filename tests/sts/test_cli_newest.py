"""The AWS CLI against the newest STS operations on a real ``credmint serve``:
IssueWorkloadIdentityContext, GetCertificate, GetTrustBundles, GetWebIdentityToken with
TokenType JWT_SVID and GetScopedCredentials, each with its success path (the JSON the CLI
prints) and its refusals (the CLI's exit code and the AWS error code it prints).

The CLI knows these operations through ``AWS_DATA_PATH`` (set by ``tests.sts.helpers.aws_cli``):
its vendored botocore predates them.
"""

from __future__ import annotations

import base64
import json
import subprocess
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from tests.conftest import Server
from tests.sts.helpers import Creds, allow, aws_cli, doc, make_role, make_user, sts_as, trust

pytestmark = pytest.mark.e2e

#: The exit codes the AWS CLI gives a service error: v2 exits 254, v1 (this one) 255.
SERVICE_ERROR = frozenset({254, 255})
NS_KEY = "aws:WorkloadAttestation/aws/k8s/Namespace"
SA_KEY = "aws:WorkloadAttestation/aws/k8s/ServiceAccount"
PATTERN = "ns/{" + NS_KEY + "}/sa/{" + SA_KEY + "}"
ATTESTED = json.dumps({"k8s/Namespace": "payments", "k8s/ServiceAccount": "checkout"})


def ok(server: Server, *args: str, creds: Creds | None = None) -> dict[str, Any]:
    out = aws_cli(server, "sts", *args, creds=creds)
    assert out.returncode == 0, out.stderr
    parsed: dict[str, Any] = json.loads(out.stdout)
    return parsed


def refused(out: subprocess.CompletedProcess[str], code: str) -> None:
    assert out.returncode in SERVICE_ERROR, (out.returncode, out.stderr)
    assert f"({code})" in out.stderr, out.stderr


def new_csr() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([])).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class Workload:
    domain: str
    provider: str
    template: str
    role: str
    orchestrator: Creds


@pytest.fixture
def workload(server: Server) -> Workload:
    """A provider with its JWT signers (no X.509 signer: on the system clock it would not sign
    before its SigningDelayInHours), a template, an orchestrator and a workload role."""
    iam = server.client("iam")
    domain = f"{uuid.uuid4().hex[:12]}.example.org"
    provider = iam.create_workload_identity_provider(
        ProviderName=f"cli-{uuid.uuid4().hex[:6]}", Scheme="SPIFFE", WorkloadIdentityDomain=domain
    )
    orchestrator = make_user(server, policy=doc(allow(["sts:IssueWorkloadIdentityContext", "sts:AssumeRole"])))
    role = make_role(
        server,
        doc(trust(orchestrator.arn)),
        policy=doc(allow(["sts:GetWebIdentityToken", "sts:GetTrustBundles", "sts:GetCertificate"])),
    )
    attestation = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": orchestrator.arn},
                "Action": "sts:IssueWorkloadIdentityContext",
                "Resource": "*",
                "Condition": {"StringEquals": {NS_KEY: "payments"}},
            }
        ],
    }
    template = iam.create_workload_identity_template(
        Name=f"cli-{uuid.uuid4().hex[:6]}",
        WorkloadIdentityProviderArn=provider["Arn"],
        PathPattern=PATTERN,
        AttestationPolicy=json.dumps(attestation),
    )
    return Workload(domain, provider["Arn"], template["Arn"], role["Arn"], orchestrator.creds)


def issue(server: Server, w: Workload, attested: str = ATTESTED) -> subprocess.CompletedProcess[str]:
    return aws_cli(
        server,
        "sts",
        "issue-workload-identity-context",
        "--workload-identity-template-arn",
        w.template,
        "--attestation-document",
        attested,
        "--target-role-arn",
        w.role,
        creds=w.orchestrator,
    )


def workload_session(server: Server, w: Workload) -> Creds:
    out = issue(server, w)
    assert out.returncode == 0, out.stderr
    ctx = json.loads(out.stdout)
    session = sts_as(server, w.orchestrator).assume_role(
        RoleArn=w.role, RoleSessionName="checkout", ProvidedContexts=[ctx["ProvidedContext"]]
    )
    return Creds.of(session)


def test_issue_context_token_and_bundle(server: Server, workload: Workload) -> None:
    out = issue(server, workload)
    assert out.returncode == 0, out.stderr
    ctx = json.loads(out.stdout)
    spiffe_id = f"spiffe://{workload.domain}/ns/payments/sa/checkout"
    assert ctx["Subject"] == spiffe_id and ctx["ProvidedContext"]["ProviderArn"] == workload.provider

    session = workload_session(server, workload)
    bundles = ok(server, "get-trust-bundles", "--provider-arn", workload.provider, creds=session)["TrustBundles"]
    assert [b["TrustDomain"] for b in bundles] == [workload.domain]
    bundle = json.loads(bundles[0]["Bundle"])
    assert "spiffe_refresh_hint" in bundle
    jwt_keys = [{k: v for k, v in key.items() if k != "use"} for key in bundle["keys"] if key["use"] == "jwt-svid"]

    token = ok(
        server,
        "get-web-identity-token",
        "--audience",
        "payments-api",
        "--signing-algorithm",
        "ES384",
        "--token-type",
        "JWT_SVID",
        creds=session,
    )
    header = json.loads(base64.urlsafe_b64decode(token["WebIdentityToken"].split(".")[0] + "=="))
    assert header["alg"] == "ES384"
    claims = jose_jwt.decode(
        token["WebIdentityToken"], KeySet.import_key_set({"keys": jwt_keys}), algorithms=["ES384"]
    ).claims
    assert claims["sub"] == spiffe_id and claims["aud"] in ("payments-api", ["payments-api"])


def test_issue_context_refusals(server: Server, workload: Workload) -> None:
    # The attestation policy does not admit another namespace.
    other = json.dumps({"k8s/Namespace": "billing", "k8s/ServiceAccount": "checkout"})
    refused(issue(server, workload, other), "AccessDenied")
    refused(issue(server, workload, "{not json"), "InvalidAttestationDocument")


def test_certificate_token_and_bundle_refusals(server: Server, workload: Workload) -> None:
    session = workload_session(server, workload)
    refused(
        aws_cli(server, "sts", "get-certificate", "--certificate-signing-request", "not a csr", creds=session),
        "MalformedCertificateSigningRequestException",
    )
    # Without the workload's role session there is no SPIFFE identity to certify.
    refused(
        aws_cli(
            server, "sts", "get-certificate", "--certificate-signing-request", new_csr(), creds=workload.orchestrator
        ),
        "AccessDenied",
    )
    two_audiences = aws_cli(
        server,
        "sts",
        "get-web-identity-token",
        "--audience",
        "a",
        "b",
        "--signing-algorithm",
        "ES384",
        "--token-type",
        "JWT_SVID",
        creds=session,
    )
    refused(two_audiences, "ValidationError")
    unknown = workload.provider.rsplit("/", 1)[0] + "/nope"
    refused(aws_cli(server, "sts", "get-trust-bundles", "--provider-arn", unknown), "ResourceNotFoundException")


def test_scoped_credentials(server: Server) -> None:
    actions = ["sts:AssumeRole"]
    caller = make_user(server, policy=doc(allow(actions)))
    role = make_role(
        server, doc(trust(caller.arn, actions)), policy=doc(allow(["iam:ListUsers", "sts:GetScopedCredentials"]))
    )
    assumed = sts_as(server, caller.creds).assume_role(RoleArn=role["Arn"], RoleSessionName="agent")
    session = Creds.of(assumed)
    out = ok(
        server,
        "get-scoped-credentials",
        "--policy",
        doc(allow("iam:ListUsers")),
        "--scoped-session-description",
        "read-only agent",
        creds=session,
    )
    scoped = Creds.of(out)
    assert scoped.access_key_id != session.access_key_id
    assert ok(server, "get-caller-identity", creds=scoped)["Arn"] == assumed["AssumedRoleUser"]["Arn"]
    # Long-term credentials cannot be scoped.
    refused(
        aws_cli(server, "sts", "get-scoped-credentials", "--policy", doc(allow("iam:ListUsers")), creds=caller.creds),
        "InvalidSubjectCredentials",
    )
