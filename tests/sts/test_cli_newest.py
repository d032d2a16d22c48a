"""The AWS CLI against the newest STS operations on a real ``credmint serve``:
IssueWorkloadIdentityContext, GetCertificate, GetTrustBundles, GetWebIdentityToken with
TokenType JWT_SVID and GetScopedCredentials, each with its success path (the JSON the CLI
prints) and its refusals (the CLI's exit code and the AWS error code it prints).

GetCertificate succeeds only once the X.509 signer's SigningDelayInHours has passed; the CLI
signs its requests with the machine's clock, so the test moves the signer's stored times back
through the server's store instead of moving the server's clock.

The CLI knows these operations through ``AWS_DATA_PATH`` (set by ``tests.sts.helpers.aws_cli``):
its vendored botocore predates them.
"""

from __future__ import annotations

import base64
import json
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.verification import PolicyBuilder, Store
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from credmint.identity_providers import workload_identity_issuer as issuer
from credmint.sealing import MasterKey
from credmint.store import schema
from credmint.store.db import Store as CredmintStore
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


def new_csr(key: ec.EllipticCurvePrivateKey | None = None) -> str:
    key = key or ec.generate_private_key(ec.SECP256R1())
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
    """A provider with its JWT signers (no X.509 signer: :func:`test_get_certificate` adds
    its own), a template, an orchestrator and a workload role."""
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


def signer_delay_passed(store: CredmintStore, provider_arn: str, delay: timedelta) -> None:
    """Move the provider's X.509 signers' stored times back by ``delay`` (plus a minute), as
    if created that long ago: a new signer signs only after its SigningDelayInHours, and
    the CLI signs its requests with the machine's clock, so the server's clock cannot be
    moved instead. Through :meth:`Store.write`, which tells the server's caches."""
    st = schema.workload_identity_signers
    shift = delay + timedelta(minutes=1)
    with store.write() as conn:
        provider = issuer.provider_by_arn(conn, provider_arn)
        assert provider is not None
        x509_signers = [s for s in issuer.signers_of(conn, provider.provider_id) if s.signer_type == "X509"]
        assert len(x509_signers) == 1
        for s in x509_signers:
            conn.execute(
                st.update()
                .where(st.c.signer_id == s.signer_id)
                .values(start_at=s.start_at - shift, created_at=s.created_at - shift)
            )


def test_get_certificate(server: Server, workload: Workload, server_store: tuple[CredmintStore, MasterKey]) -> None:
    iam = server.client("iam")
    iam.create_workload_identity_provider_outbound_signer(
        WorkloadIdentityProviderArn=workload.provider,
        OutboundSigner={
            "X509": {"CertificateAuthorityId": f"ca-{uuid.uuid4().hex[:8]}", "AccountId": server.account_id}
        },
        SigningDelayInHours=1,
    )
    session = workload_session(server, workload)
    key = ec.generate_private_key(ec.SECP256R1())
    get_certificate = ("get-certificate", "--certificate-signing-request", new_csr(key))
    # Within the signing delay the signer is published, not signing.
    refused(aws_cli(server, "sts", *get_certificate, creds=session), "RegionalSignerUnavailableException")

    signer_delay_passed(server_store[0], workload.provider, timedelta(hours=1))
    out = ok(server, *get_certificate, "--max-duration-seconds", "3600", creds=session)
    spiffe_id = f"spiffe://{workload.domain}/ns/payments/sa/checkout"
    assert out["Subject"] == spiffe_id
    chain = x509.load_pem_x509_certificates(out["Certificate"].encode())
    leaf = chain[0]
    # The certificate is for the CSR's key, with the session's SPIFFE ID as its one URI SAN.
    assert leaf.public_key() == key.public_key()
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.UniformResourceIdentifier) == [spiffe_id]

    bundles = ok(server, "get-trust-bundles", "--provider-arn", workload.provider, creds=session)["TrustBundles"]
    bundle = json.loads(bundles[0]["Bundle"])
    roots = [
        x509.load_der_x509_certificate(base64.b64decode(k["x5c"][0])) for k in bundle["keys"] if k["use"] == "x509-svid"
    ]
    assert len(roots) == 1
    # cryptography's path validation, as a TLS server verifies a client: the leaf chains to
    # the bundle's CA, and the SPIFFE ID is what it verified.
    verifier = PolicyBuilder().store(Store(roots)).time(datetime.now(UTC)).build_client_verifier()
    verified = verifier.verify(leaf, chain[1:])
    assert verified.subjects is not None
    assert [n.value for n in verified.subjects if isinstance(n, x509.UniformResourceIdentifier)] == [spiffe_id]


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
