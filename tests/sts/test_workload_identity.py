"""Workload identity end to end: a provider with an X.509 signer, a template, a context
redeemed by AssumeRole, and SVIDs that independent code accepts.

The certificates and tokens credmint issues are checked with code that shares nothing
with credmint's issuing side: ``cryptography.x509.verification`` (path validation, as a
TLS client verifier), a real mTLS handshake through the ``ssl`` module (OpenSSL), joserfc
for the JWT-SVID, and py-spiffe (``spiffe``) as a second opinion on both.

The dev server's clock runs ahead of the machine's once a test moves it (a new X.509
signer signs only after its SigningDelayInHours), so time checks use the server's time:
the cryptography verifier is given it, and the OpenSSL handshake is told not to check
validity periods (``X509_V_FLAG_NO_CHECK_TIME``), which the path validation already did.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from joserfc import jwt as jose_jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from spiffe import JwtBundle, SpiffeId, TrustDomain, X509Bundle, X509Svid
from spiffe.svid.jwt_svid import JwtSvid

from credmint.testing.accounts import Account, Principal, User

pytestmark = pytest.mark.e2e

NS_KEY = "aws:WorkloadAttestation/aws/k8s/Namespace"
SA_KEY = "aws:WorkloadAttestation/aws/k8s/ServiceAccount"
PATTERN = "ns/{" + NS_KEY + "}/sa/{" + SA_KEY + "}"
ATTESTED = json.dumps({"k8s/Namespace": "payments", "k8s/ServiceAccount": "checkout"})
X509_NO_CHECK_TIME = 0x200000


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def code_of(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


@dataclass
class Setup:
    account: Account
    domain: str
    provider_arn: str
    template_arn: str
    role_arn: str
    orchestrator: User
    ca_id: str


def setup(account: Account, *, x509_signer: bool = True) -> Setup:
    iam = account.client("iam")
    domain = f"{uuid.uuid4().hex[:12]}.example.org"
    provider = iam.create_workload_identity_provider(
        ProviderName=f"payments-{uuid.uuid4().hex[:6]}", Scheme="SPIFFE", WorkloadIdentityDomain=domain
    )
    ca_id = f"ca-{uuid.uuid4().hex[:8]}"
    if x509_signer:
        iam.create_workload_identity_provider_outbound_signer(
            WorkloadIdentityProviderArn=provider["Arn"],
            OutboundSigner={"X509": {"CertificateAuthorityId": ca_id, "AccountId": account.account_id}},
            SigningDelayInHours=1,
        )
    orchestrator = account.create_user(
        policies=[
            doc({"Effect": "Allow", "Action": ["sts:IssueWorkloadIdentityContext", "sts:AssumeRole"], "Resource": "*"})
        ]
    )
    role_arn = account.create_role(
        trust_policy=doc({"Effect": "Allow", "Principal": {"AWS": orchestrator.arn}, "Action": "sts:AssumeRole"}),
        policies=[
            doc(
                {
                    "Effect": "Allow",
                    "Action": ["sts:GetCertificate", "sts:GetWebIdentityToken", "sts:GetTrustBundles"],
                    "Resource": "*",
                }
            )
        ],
    )
    policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": orchestrator.arn},
            "Action": "sts:IssueWorkloadIdentityContext",
            "Resource": "*",
            "Condition": {"StringEquals": {NS_KEY: "payments"}},
        }
    )
    template = iam.create_workload_identity_template(
        Name=f"checkout-{uuid.uuid4().hex[:6]}",
        WorkloadIdentityProviderArn=provider["Arn"],
        PathPattern=PATTERN,
        AttestationPolicy=json.dumps(policy),
    )
    return Setup(account, domain, provider["Arn"], template["Arn"], role_arn, orchestrator, ca_id)


def workload_session(s: Setup, attested: str = ATTESTED, **assume: Any) -> tuple[Principal, dict[str, Any]]:
    ctx = s.orchestrator.client("sts").issue_workload_identity_context(
        WorkloadIdentityTemplateArn=s.template_arn, AttestationDocument=attested, TargetRoleArn=s.role_arn
    )
    session = s.orchestrator.assume_role(s.role_arn, "checkout", ProvidedContexts=[ctx["ProvidedContext"]], **assume)
    return session, ctx


def new_csr(key: ec.EllipticCurvePrivateKey | None = None) -> tuple[ec.EllipticCurvePrivateKey, str]:
    key = key or ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "ignored")]))
        .sign(key, hashes.SHA256())
    )
    return key, csr.public_bytes(serialization.Encoding.PEM).decode()


def bundle_of(s: Setup, caller: Principal | None = None) -> dict[str, Any]:
    out = (caller or s.account).client("sts").get_trust_bundles(ProviderArn=s.provider_arn)
    assert [b["TrustDomain"] for b in out["TrustBundles"]] == [s.domain]
    parsed: dict[str, Any] = json.loads(out["TrustBundles"][0]["Bundle"])
    return parsed


def x509_roots(bundle: dict[str, Any]) -> list[x509.Certificate]:
    return [
        x509.load_der_x509_certificate(base64.b64decode(k["x5c"][0])) for k in bundle["keys"] if k["use"] == "x509-svid"
    ]


def jwt_keys(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [k for k in bundle["keys"] if k["use"] == "jwt-svid"]


def kid_of(token: str) -> str:
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    return str(header["kid"])


def jose_keys(keys: list[dict[str, Any]]) -> KeySet:
    """A joserfc key set of bundle keys. joserfc accepts only RFC 7517's ``use`` values
    (``sig``, ``enc``), so the SPIFFE ``use`` member is dropped, as a relying party whose
    JOSE library does not know SPIFFE bundles does."""
    return KeySet.import_key_set({"keys": [{k: v for k, v in key.items() if k != "use"} for key in keys]})


def path_validate(leaf: x509.Certificate, roots: list[x509.Certificate], at: datetime) -> str:
    """cryptography's path validation as a TLS client verifier; the verified SPIFFE ID."""
    verifier = PolicyBuilder().store(Store(roots)).time(at).build_client_verifier()
    verified = verifier.verify(leaf, [])
    assert verified.subjects is not None
    uris = [n.value for n in verified.subjects if isinstance(n, x509.UniformResourceIdentifier)]
    assert len(uris) == 1
    return str(uris[0])


# --- the mTLS server -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_identity(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed server certificate for the mTLS server (its own trust, not SPIFFE)."""
    d = tmp_path_factory.mktemp("mtls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "localhost")])
    now = datetime.now().astimezone()
    from datetime import timedelta

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=400))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (d / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return d / "cert.pem", d / "key.pem"


def mtls_handshake(
    identity: tuple[Path, Path],
    roots: list[x509.Certificate],
    client_cert: str,
    client_key: ec.EllipticCurvePrivateKey,
    tmp: Path,
) -> str | None:
    """A TLS server requiring a client certificate that chains to ``roots``; returns the
    URI SAN the server saw, or None when it refused the handshake."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(str(identity[0]), str(identity[1]))
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    server_ctx.verify_flags = server_ctx.verify_flags | X509_NO_CHECK_TIME
    if roots:
        server_ctx.load_verify_locations(
            cadata="".join(r.public_bytes(serialization.Encoding.PEM).decode() for r in roots)
        )
    (tmp / "client.pem").write_text(client_cert)
    (tmp / "client.key").write_bytes(
        client_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_ctx.load_verify_locations(str(identity[0]))
    client_ctx.load_cert_chain(str(tmp / "client.pem"), str(tmp / "client.key"))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    seen: dict[str, Any] = {}

    def serve() -> None:
        conn, _ = listener.accept()
        try:
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                peer = tls.getpeercert() or {}
                sans: Any = peer.get("subjectAltName", ())
                seen["uri"] = [v for k, v in sans if k == "URI"]
                tls.sendall(b"ok")
        except (ssl.SSLError, OSError) as exc:
            seen["error"] = exc

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            client_ctx.wrap_socket(raw, server_hostname="localhost") as tls,
        ):
            tls.recv(2)
    except (ssl.SSLError, OSError):
        pass
    t.join(10)
    listener.close()
    if "error" in seen or "uri" not in seen:
        return None
    uris: list[str] = seen["uri"]
    return uris[0] if len(uris) == 1 else None


# --- tests ---------------------------------------------------------------------------------


@pytest.fixture
def ready(credmint_account: Account) -> Iterator[Setup]:
    s = setup(credmint_account)
    credmint_account.advance(3600 + 60)  # past SigningDelayInHours: the X.509 signer signs
    yield s


def test_context_renders_the_identity_and_assume_role_carries_it(ready: Setup) -> None:
    session, ctx = workload_session(ready)
    expected = f"spiffe://{ready.domain}/ns/payments/sa/checkout"
    assert ctx["Subject"] == expected
    assert ctx["ProvidedContext"]["ProviderArn"] == ready.provider_arn
    assert ctx["Audience"] == ready.orchestrator.client("sts").get_caller_identity()["Arn"]
    ident = session.client("sts").get_caller_identity()
    assert ident["Arn"].endswith(":assumed-role/" + ready.role_arn.rsplit("/", 1)[1] + "/checkout")


def test_x509_svid_verifies_independently(ready: Setup, server_identity: tuple[Path, Path], tmp_path: Path) -> None:
    session, ctx = workload_session(ready)
    key, csr = new_csr()
    out = session.client("sts").get_certificate(CertificateSigningRequest=csr, MaxDurationSeconds=3600)
    leaf = x509.load_pem_x509_certificate(out["Certificate"].encode())
    now = ready.account.endpoint.now()
    # The certificate is for the CSR's key, with the session's identity (not the CSR's).
    assert leaf.public_key().public_numbers() == key.public_key().public_numbers()  # type: ignore[union-attr]
    assert leaf.subject == x509.Name([])
    assert out["Subject"] == ctx["Subject"]
    assert (out["NotAfter"] - out["NotBefore"]).total_seconds() == 3600 + 300
    # SPIFFE X.509-SVID: leaf, digitalSignature, no CA/keyCertSign/cRLSign, one URI SAN.
    bc = leaf.extensions.get_extension_for_class(x509.BasicConstraints)
    ku = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert bc.critical and not bc.value.ca
    assert ku.digital_signature and not ku.key_cert_sign and not ku.crl_sign
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}

    bundle = bundle_of(ready, session)
    assert bundle["spiffe_refresh_hint"] > 0
    roots = x509_roots(bundle)
    assert len(roots) == 1 and len(jwt_keys(bundle)) == 2
    assert path_validate(leaf, roots, now) == ctx["Subject"]

    # A real mTLS handshake: OpenSSL, the bundle's CA as the only client CA.
    assert mtls_handshake(server_identity, roots, out["Certificate"], key, tmp_path) == ctx["Subject"]

    # py-spiffe, a second opinion: parses the SVID, its SPIFFE ID, and the bundle.
    svid = X509Svid.parse(
        out["Certificate"].encode(),
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    assert svid.spiffe_id == SpiffeId(ctx["Subject"])
    pem_roots = "".join(r.public_bytes(serialization.Encoding.PEM).decode() for r in roots).encode()
    spiffe_bundle = X509Bundle.parse(TrustDomain(ready.domain), pem_roots)
    assert leaf.issuer in {a.subject for a in spiffe_bundle.x509_authorities}

    # Another CA's root does not validate it, by either verifier.
    other = setup(ready.account)
    ready.account.advance(3600 + 60)
    other_roots = x509_roots(bundle_of(other))
    with pytest.raises(VerificationError):
        path_validate(leaf, other_roots, ready.account.endpoint.now())
    assert mtls_handshake(server_identity, other_roots, out["Certificate"], key, tmp_path) is None


def test_jwt_svid_verifies_independently(ready: Setup) -> None:
    session, ctx = workload_session(ready)
    for alg in ("ES384", "RS256"):
        out = session.client("sts").get_web_identity_token(
            Audience=["payments-api"], SigningAlgorithm=alg, TokenType="JWT_SVID", DurationSeconds=600
        )
        token = out["WebIdentityToken"]
        keys = jose_keys(jwt_keys(bundle_of(ready, session)))
        decoded = jose_jwt.decode(token, keys, algorithms=[alg])
        claims = decoded.claims
        assert set(claims) == {"sub", "aud", "iss", "iat", "exp", "jti"}
        assert claims["sub"] == ctx["Subject"]
        assert claims["aud"] == ["payments-api"]
        assert claims["exp"] - claims["iat"] == 600
        assert decoded.header["kid"] in {k["kid"] for k in jwt_keys(bundle_of(ready))}
        # py-spiffe: the JWT-SVID against a JWT bundle of the jwt-svid keys.
        jb = JwtBundle.parse(TrustDomain(ready.domain), json.dumps({"keys": jwt_keys(bundle_of(ready))}).encode())
        svid = JwtSvid.parse_and_validate(token, jb, {"payments-api"})
        assert str(svid.spiffe_id) == ctx["Subject"]
        assert jb.get_jwt_authority(decoded.header["kid"]) is not None


def test_issuer_publishes_oidc_discovery_and_the_bundle(ready: Setup) -> None:
    import httpx

    session, _ = workload_session(ready)
    token = session.client("sts").get_web_identity_token(
        Audience=["a"], SigningAlgorithm="ES384", TokenType="JWT_SVID"
    )["WebIdentityToken"]
    iss = jose_jwt.decode(token, jose_keys(jwt_keys(bundle_of(ready))), algorithms=["ES384"]).claims["iss"]
    disc = httpx.get(iss + "/.well-known/openid-configuration").json()
    assert disc["issuer"] == iss
    jwks = httpx.get(disc["jwks_uri"]).json()
    jose_jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["ES384"])
    published = httpx.get(iss + "/bundle").json()
    assert published["keys"] == bundle_of(ready)["keys"]


def test_disabled_signer_stops_issuing_and_deleted_signer_is_refused(
    ready: Setup, server_identity: tuple[Path, Path], tmp_path: Path
) -> None:
    session, ctx = workload_session(ready)
    key, csr = new_csr()
    cert = session.client("sts").get_certificate(CertificateSigningRequest=csr)["Certificate"]
    iam = ready.account.client("iam")
    iam.disable_workload_identity_provider_outbound_signer(
        WorkloadIdentityProviderArn=ready.provider_arn, SignerType="X509"
    )
    with pytest.raises(ClientError) as exc:
        session.client("sts").get_certificate(CertificateSigningRequest=new_csr()[1])
    assert code_of(exc) == "RegionalSignerUnavailableException"
    # Disabled, the CA stays published (VALIDATING): what it issued keeps verifying.
    roots = x509_roots(bundle_of(ready))
    leaf = x509.load_pem_x509_certificate(cert.encode())
    assert path_validate(leaf, roots, ready.account.endpoint.now()) == ctx["Subject"]
    signers = iam.list_workload_identity_provider_outbound_signers(WorkloadIdentityProviderArn=ready.provider_arn)
    assert [s["Status"] for s in signers["OutboundSigners"] if s["SignerType"] == "X509"] == ["VALIDATING"]
    # Deleted, it is gone from the refreshed bundle, and every verifier refuses the SVID.
    iam.delete_workload_identity_provider_outbound_signer(
        WorkloadIdentityProviderArn=ready.provider_arn,
        OutboundSigner={"X509": {"CertificateAuthorityId": ready.ca_id, "AccountId": ready.account.account_id}},
    )
    refreshed = x509_roots(bundle_of(ready))
    assert refreshed == []
    with pytest.raises((VerificationError, ValueError)):
        path_validate(leaf, refreshed, ready.account.endpoint.now())
    assert mtls_handshake(server_identity, refreshed, cert, key, tmp_path) is None
    with pytest.raises(ClientError) as exc:
        session.client("sts").get_certificate(CertificateSigningRequest=new_csr()[1])
    assert code_of(exc) == "SignerNotConfiguredException"


def test_rotated_jwt_key_is_published_first_and_refused_once_retired(ready: Setup) -> None:
    ready.account.advance(31 * 86400)  # past the JWT keys' rotation period
    session, _ = workload_session(ready)
    sts = session.client("sts")
    old_token = sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="ES384", TokenType="JWT_SVID")[
        "WebIdentityToken"
    ]
    old_kid = kid_of(old_token)
    published = {k["kid"] for k in jwt_keys(bundle_of(ready))}
    # The rotation published the successor before it signs: both ES384 keys are in the bundle.
    assert old_kid in published and len(published) == 4
    ready.account.advance(3600 + 60)
    session, _ = workload_session(ready)
    new_token = session.client("sts").get_web_identity_token(
        Audience=["a"], SigningAlgorithm="ES384", TokenType="JWT_SVID"
    )["WebIdentityToken"]
    new_kid = kid_of(new_token)
    assert new_kid != old_kid
    # The old key is still published for the longest token lifetime after it stopped.
    keys = jose_keys(jwt_keys(bundle_of(ready)))
    jose_jwt.decode(old_token, keys, algorithms=["ES384"])
    ready.account.advance(3600 + 60)
    refreshed = jwt_keys(bundle_of(ready))
    assert old_kid not in {k["kid"] for k in refreshed}
    with pytest.raises((JoseError, ValueError)):
        jose_jwt.decode(old_token, jose_keys(refreshed), algorithms=["ES384"])
    jb = JwtBundle.parse(TrustDomain(ready.domain), json.dumps({"keys": refreshed}).encode())
    assert jb.get_jwt_authority(old_kid) is None


# --- refusals ------------------------------------------------------------------------------


def issue(s: Setup, caller: Principal | None = None, **params: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"WorkloadIdentityTemplateArn": s.template_arn, "AttestationDocument": ATTESTED}
    args.update(params)
    out: dict[str, Any] = (caller or s.orchestrator).client("sts").issue_workload_identity_context(**args)
    return out


def refused(fn: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    return code_of(exc)


def test_attestation_policy_decides(ready: Setup) -> None:
    sts = ready.orchestrator.client("sts")
    # Without TargetRoleArn: the identity only, no assertion to redeem.
    out = issue(ready)
    assert "ContextAssertion" not in out["ProvidedContext"] and "Expiration" not in out
    other_ns = json.dumps({"k8s/Namespace": "billing", "k8s/ServiceAccount": "checkout"})
    assert (
        refused(
            sts.issue_workload_identity_context,
            WorkloadIdentityTemplateArn=ready.template_arn,
            AttestationDocument=other_ns,
        )
        == "AccessDenied"
    )
    # A caller the attestation policy does not name is refused even with the identity permission.
    stranger = ready.account.create_user(
        policies=[doc({"Effect": "Allow", "Action": "sts:IssueWorkloadIdentityContext", "Resource": "*"})]
    )
    assert (
        refused(
            stranger.client("sts").issue_workload_identity_context,
            WorkloadIdentityTemplateArn=ready.template_arn,
            AttestationDocument=ATTESTED,
        )
        == "AccessDenied"
    )
    # Without an attestation policy the template admits nothing.
    iam = ready.account.client("iam")
    iam.delete_workload_identity_template_attestation_policy(WorkloadIdentityTemplateArn=ready.template_arn)
    assert (
        refused(
            sts.issue_workload_identity_context,
            WorkloadIdentityTemplateArn=ready.template_arn,
            AttestationDocument=ATTESTED,
        )
        == "AccessDenied"
    )


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("not json", "InvalidAttestationDocument"),
        ("{}", "InvalidAttestationDocument"),
        ('{"k8s/Namespace": 7}', "InvalidAttestationDocument"),
        # Admitted by the policy, but a value the pattern cannot place in one segment.
        (
            json.dumps({"k8s/Namespace": "payments", "k8s/ServiceAccount": "../x"}),
            "InvalidWorkloadIdentityConfiguration",
        ),
        (json.dumps({"k8s/Namespace": "payments"}), "InvalidWorkloadIdentityConfiguration"),
    ],
)
def test_bad_attestation_documents(ready: Setup, document: str, code: str) -> None:
    sts = ready.orchestrator.client("sts")
    assert (
        refused(
            sts.issue_workload_identity_context,
            WorkloadIdentityTemplateArn=ready.template_arn,
            AttestationDocument=document,
        )
        == code
    )


def test_context_is_bound_to_role_caller_and_time(ready: Setup) -> None:
    ctx = issue(ready, TargetRoleArn=ready.role_arn)["ProvidedContext"]
    sts = ready.orchestrator.client("sts")
    other_role = ready.account.create_role(
        trust_policy=doc({"Effect": "Allow", "Principal": {"AWS": ready.orchestrator.arn}, "Action": "sts:AssumeRole"})
    )
    assert refused(sts.assume_role, RoleArn=other_role, RoleSessionName="xx", ProvidedContexts=[ctx]) == (
        "InvalidContextAssertion"
    )
    forged = dict(ctx, ContextAssertion=ctx["ContextAssertion"][:-8] + "AAAAAAA=")
    assert refused(sts.assume_role, RoleArn=ready.role_arn, RoleSessionName="xx", ProvidedContexts=[forged]) == (
        "InvalidContextAssertion"
    )
    wrong_provider = dict(ctx, ProviderArn="arn:aws:iam::aws:contextProvider/IdentityCenter")
    assert (
        refused(sts.assume_role, RoleArn=ready.role_arn, RoleSessionName="xx", ProvidedContexts=[wrong_provider])
        == "InvalidContextAssertion"
    )
    # Another caller, allowed by the trust policy too, cannot redeem it.
    other = ready.account.create_user(policies=[doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})])
    ready.account.client("iam").update_assume_role_policy(
        RoleName=ready.role_arn.rsplit("/", 1)[1],
        PolicyDocument=json.dumps(
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": [ready.orchestrator.arn, other.arn]},
                    "Action": "sts:AssumeRole",
                }
            )
        ),
    )
    assert (
        refused(other.client("sts").assume_role, RoleArn=ready.role_arn, RoleSessionName="xx", ProvidedContexts=[ctx])
        == "InvalidContextAssertion"
    )
    ready.orchestrator.assume_role(ready.role_arn, "ok", ProvidedContexts=[ctx])  # the right caller, in time
    ready.account.advance(61)  # past the default 60-second DurationSeconds
    assert refused(sts.assume_role, RoleArn=ready.role_arn, RoleSessionName="xx", ProvidedContexts=[ctx]) == (
        "InvalidContextAssertion"
    )


def test_session_duration_bounds_the_role_session(ready: Setup) -> None:
    out = issue(ready, TargetRoleArn=ready.role_arn, SessionDurationSeconds=900, DurationSeconds=300)
    assert (out["SessionExpiration"] - out["Expiration"]).total_seconds() == 600
    r = ready.orchestrator.client("sts").assume_role(
        RoleArn=ready.role_arn, RoleSessionName="ss", ProvidedContexts=[out["ProvidedContext"]], DurationSeconds=3600
    )
    assert r["Credentials"]["Expiration"] <= out["SessionExpiration"]


def test_svids_only_for_workload_role_sessions(ready: Setup) -> None:
    _, csr = new_csr()
    # A role session without a workload identity.
    plain = ready.orchestrator.assume_role(ready.role_arn, "plain")
    assert refused(plain.client("sts").get_certificate, CertificateSigningRequest=csr) == "AccessDenied"
    assert (
        refused(
            plain.client("sts").get_web_identity_token, Audience=["a"], SigningAlgorithm="ES384", TokenType="JWT_SVID"
        )
        == "AccessDenied"
    )
    # Long-term user credentials, and a GetFederationToken session.
    user = ready.account.create_user(policies=[doc({"Effect": "Allow", "Action": "sts:*", "Resource": "*"})])
    assert refused(user.client("sts").get_certificate, CertificateSigningRequest=csr) == "AccessDenied"
    fed = user.client("sts").get_federation_token(
        Name="fed", Policy=json.dumps(doc({"Effect": "Allow", "Action": "sts:*", "Resource": "*"}))
    )["Credentials"]
    from credmint.testing.accounts import Credentials

    fed_principal = Principal(
        ready.account.endpoint, Credentials(fed["AccessKeyId"], fed["SecretAccessKey"], fed["SessionToken"])
    )
    assert refused(fed_principal.client("sts").get_certificate, CertificateSigningRequest=csr) == "AccessDenied"
    assert refused(fed_principal.client("sts").get_trust_bundles, ProviderArn=ready.provider_arn) == "AccessDenied"


def test_certificate_and_token_request_errors(ready: Setup) -> None:
    session, _ = workload_session(ready)
    sts = session.client("sts")
    assert refused(sts.get_certificate, CertificateSigningRequest="not a csr") == (
        "MalformedCertificateSigningRequestException"
    )
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    weak_csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([]))
        .sign(weak, hashes.SHA256())
        .public_bytes(serialization.Encoding.PEM)
        .decode()
    )
    assert refused(sts.get_certificate, CertificateSigningRequest=weak_csr) == (
        "MalformedCertificateSigningRequestException"
    )
    for extra in ({"Tags": [{"Key": "k", "Value": "v"}]}, {"SubjectMode": "AWSIdentity"}, {"Audience": ["a", "b"]}):
        args = {"Audience": ["a"], "SigningAlgorithm": "ES384", "TokenType": "JWT_SVID", **extra}
        assert refused(sts.get_web_identity_token, **args) == "ValidationError"
    # A token may not outlive the calling session (3600 s role session, already partly used).
    ready.account.advance(3000)
    assert (
        refused(
            sts.get_web_identity_token,
            Audience=["a"],
            SigningAlgorithm="ES384",
            TokenType="JWT_SVID",
            DurationSeconds=3600,
        )
        == "SessionDurationEscalationException"
    )


def test_trust_bundles_only_for_the_owner(ready: Setup, credmint_server: Any) -> None:
    stranger = credmint_server.new_account()
    assert refused(stranger.client("sts").get_trust_bundles, ProviderArn=ready.provider_arn) == (
        "ResourceNotFoundException"
    )
    unknown = ready.provider_arn.rsplit("/", 1)[0] + "/nope"
    assert refused(ready.account.client("sts").get_trust_bundles, ProviderArn=unknown) == "ResourceNotFoundException"


def test_deleted_template_ends_issuance(ready: Setup) -> None:
    session, _ = workload_session(ready)
    ready.account.client("iam").delete_workload_identity_template(WorkloadIdentityTemplateArn=ready.template_arn)
    assert refused(session.client("sts").get_certificate, CertificateSigningRequest=new_csr()[1]) == "AccessDenied"


def test_context_redeemed_with_the_aws_cli_on_credmint_serve(server: Any) -> None:
    """On a real ``credmint serve`` (system clock): the installed AWS CLI redeems a context
    with ``assume-role --provided-contexts`` (the workload identity operations through the
    CLI are in tests/sts/test_cli_newest.py)."""
    from tests.sts.helpers import Creds, aws_cli, make_role, make_user

    iam = server.client("iam")
    domain = f"{uuid.uuid4().hex[:12]}.example.org"
    provider = iam.create_workload_identity_provider(
        ProviderName=f"cli-{uuid.uuid4().hex[:6]}", Scheme="SPIFFE", WorkloadIdentityDomain=domain
    )
    orchestrator = make_user(
        server,
        policy=json.dumps(
            doc({"Effect": "Allow", "Action": ["sts:IssueWorkloadIdentityContext", "sts:AssumeRole"], "Resource": "*"})
        ),
    )
    role = make_role(
        server,
        json.dumps(doc({"Effect": "Allow", "Principal": {"AWS": orchestrator.arn}, "Action": "sts:AssumeRole"})),
        policy=json.dumps(
            doc({"Effect": "Allow", "Action": ["sts:GetWebIdentityToken", "sts:GetTrustBundles"], "Resource": "*"})
        ),
    )
    attestation = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": orchestrator.arn},
            "Action": "sts:IssueWorkloadIdentityContext",
            "Resource": "*",
        }
    )
    template = iam.create_workload_identity_template(
        Name=f"cli-{uuid.uuid4().hex[:6]}",
        WorkloadIdentityProviderArn=provider["Arn"],
        PathPattern=PATTERN,
        AttestationPolicy=json.dumps(attestation),
    )
    sts = server.client("sts", **orchestrator.creds.kwargs())
    ctx = sts.issue_workload_identity_context(
        WorkloadIdentityTemplateArn=template["Arn"], AttestationDocument=ATTESTED, TargetRoleArn=role["Arn"]
    )
    out = aws_cli(
        server,
        "sts",
        "assume-role",
        "--role-arn",
        role["Arn"],
        "--role-session-name",
        "cli",
        "--provided-contexts",
        json.dumps([ctx["ProvidedContext"]]),
        creds=orchestrator.creds,
    )
    assert out.returncode == 0, out.stderr
    session = Creds.of(json.loads(out.stdout))
    workload = server.client("sts", **session.kwargs())
    token = workload.get_web_identity_token(Audience=["aud"], SigningAlgorithm="RS256", TokenType="JWT_SVID")
    bundle = json.loads(workload.get_trust_bundles(ProviderArn=provider["Arn"])["TrustBundles"][0]["Bundle"])
    claims = jose_jwt.decode(token["WebIdentityToken"], jose_keys(jwt_keys(bundle)), algorithms=["RS256"]).claims
    assert claims["sub"] == f"spiffe://{domain}/ns/payments/sa/checkout"
    jb = JwtBundle.parse(TrustDomain(domain), json.dumps({"keys": jwt_keys(bundle)}).encode())
    assert str(JwtSvid.parse_and_validate(token["WebIdentityToken"], jb, {"aud"}).spiffe_id) == claims["sub"]
    # A forged context is refused through the CLI as well.
    forged = dict(ctx["ProvidedContext"], ContextAssertion="AAAA" + ctx["ProvidedContext"]["ContextAssertion"][4:])
    bad = aws_cli(
        server,
        "sts",
        "assume-role",
        "--role-arn",
        role["Arn"],
        "--role-session-name",
        "cli",
        "--provided-contexts",
        json.dumps([forged]),
        creds=orchestrator.creds,
    )
    assert bad.returncode != 0 and "InvalidContextAssertion" in bad.stderr
