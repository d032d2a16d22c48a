"""credmint.federation.spiffe: SPIFFE IDs, path patterns, attestation documents, CSRs,
X.509-SVIDs and signer windows, from data (hostile inputs included)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.verification import PolicyBuilder, Store

from credmint.federation import spiffe
from credmint.federation.spiffe import SignerStatus

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NS = "aws:WorkloadAttestation/aws/k8s/Namespace"
SA = "aws:WorkloadAttestation/aws/k8s/ServiceAccount"


# --- patterns ------------------------------------------------------------------------------


def test_pattern_renders_one_segment_per_placeholder() -> None:
    p = spiffe.PathPattern.parse(f"ns/{{{NS}}}/sa/{{{SA}}}")
    assert p.keys == (NS, SA)
    assert p.render({NS: "payments", SA: "checkout"}) == "ns/payments/sa/checkout"


@pytest.mark.parametrize(
    "pattern",
    [
        "no/placeholder",
        "{aws:username}/x",  # the caller's identity, not an attested value
        "{aws:PrincipalTag/team}",
        f"x{{{NS}}}",  # a placeholder mixed with a literal
        f"{{{NS}}}x",
        f"/{{{NS}}}",  # empty segments
        f"{{{NS}}}/",
        f"{{{NS}}}//a",
        f"../{{{NS}}}",  # climbing
        f"./{{{NS}}}",
        f"a b/{{{NS}}}",
        f"{{{NS}",
        "{}",
        f"{{aws:WorkloadAttestation/aws/}}/{{{NS}}}",
        f"{{aws:WorkloadAttestation/aws/a//b}}/{{{NS}}}",
    ],
)
def test_malformed_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(spiffe.SpiffeFormatError):
        spiffe.PathPattern.parse(pattern)


@pytest.mark.parametrize("value", ["", ".", "..", "a/b", "../x", "a b", "é", "a%2Fb", "a\x00", "x" * 3000])
def test_values_that_are_not_one_segment_are_refused(value: str) -> None:
    p = spiffe.PathPattern.parse(f"ns/{{{NS}}}")
    with pytest.raises(spiffe.SpiffeFormatError):
        spiffe.spiffe_id("example.org", p.render({NS: value}))


def test_a_missing_attested_value_is_refused() -> None:
    with pytest.raises(spiffe.SpiffeFormatError):
        spiffe.PathPattern.parse(f"ns/{{{NS}}}").render({})


def test_pattern_parsing_is_linear_on_long_input() -> None:
    # No backtracking: a long pattern of many segments parses (or fails) at once.
    long = "/".join(["a"] * 8000) + f"/{{{NS}}}"
    assert len(spiffe.PathPattern.parse(long).segments) == 8001
    with pytest.raises(spiffe.SpiffeFormatError):
        spiffe.PathPattern.parse("{" * 16000)


def test_spiffe_id_bounds() -> None:
    assert spiffe.spiffe_id("example.org", "a/b") == "spiffe://example.org/a/b"
    for domain in ("Example.org", "", "a:1", "a/b"):
        with pytest.raises(spiffe.SpiffeFormatError):
            spiffe.spiffe_id(domain, "a")
    with pytest.raises(spiffe.SpiffeFormatError):
        spiffe.spiffe_id("example.org", "/".join(["abcdefgh"] * 300))


# --- attestation documents -----------------------------------------------------------------


def test_attested_values_become_condition_keys() -> None:
    doc = json.dumps({"k8s/Namespace": "payments"})
    assert spiffe.attested_values(doc) == {NS: "payments"}


@pytest.mark.parametrize(
    "doc",
    [
        "",
        "not json",
        "[]",
        "{}",
        '{"a": 1}',
        '{"a": ""}',
        '{"a": "x\\n"}',
        '{"a/../b": "x"}',
        '{"": "x"}',
        '{"a": {"b": "c"}}',
        "[" * 5000 + "]" * 5000,
        json.dumps({f"k{i}": "v" for i in range(51)}),
    ],
)
def test_hostile_attestation_documents_are_refused(doc: str) -> None:
    with pytest.raises(spiffe.SpiffeFormatError):
        spiffe.attested_values(doc)


# --- CSRs ----------------------------------------------------------------------------------


SHA256 = hashes.SHA256()


def csr_pem(key: object, algorithm: hashes.HashAlgorithm | None = SHA256) -> str:
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "x")])
    )
    return builder.sign(key, algorithm).public_bytes(serialization.Encoding.PEM).decode()  # type: ignore[arg-type]


def test_csr_key_is_taken() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    got = spiffe.public_key_of_csr(csr_pem(key))
    assert got.public_numbers() == key.public_key().public_numbers()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
        "garbage",
        "-----BEGIN CERTIFICATE REQUEST-----\n" + "A" * 30000 + "\n-----END CERTIFICATE REQUEST-----\n",
        "ÿ" * 100,
    ],
)
def test_unparsable_csrs_are_malformed(text: str) -> None:
    with pytest.raises(spiffe.MalformedCsrError):
        spiffe.public_key_of_csr(text)


def test_a_csr_whose_signature_does_not_verify_is_malformed() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    der = bytearray(x509.load_pem_x509_csr(csr_pem(key).encode()).public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0xFF  # inside the signature
    tampered = x509.load_der_x509_csr(bytes(der)).public_bytes(serialization.Encoding.PEM).decode()
    with pytest.raises(spiffe.MalformedCsrError, match="signature"):
        spiffe.public_key_of_csr(tampered)


@pytest.mark.parametrize(
    "key",
    [
        rsa.generate_private_key(public_exponent=65537, key_size=1024),
        ec.generate_private_key(ec.SECP256K1()),
    ],
    ids=["rsa-1024", "secp256k1"],
)
def test_unsupported_keys_are_malformed(key: object) -> None:
    with pytest.raises(spiffe.MalformedCsrError, match="key"):
        spiffe.public_key_of_csr(csr_pem(key))


def test_ed25519_csr_is_malformed() -> None:
    with pytest.raises(spiffe.MalformedCsrError):
        spiffe.public_key_of_csr(csr_pem(ed25519.Ed25519PrivateKey.generate(), None))


# --- X.509-SVIDs ---------------------------------------------------------------------------


#: RSA_3072 and RSA_4096 share RSA_2048's code path (only the key size and hash differ) and
#: take seconds to generate, so they are left out here.
@pytest.mark.parametrize("algorithm", ["EC_prime256v1", "EC_secp384r1", "EC_secp521r1", "RSA_2048"])
def test_svids_of_every_ca_algorithm_pass_path_validation(algorithm: str) -> None:
    alg = spiffe.KEY_ALGORITHMS[algorithm]
    ca_key, ca = spiffe.new_ca(alg, "test CA", "example.org", NOW, 30)
    subject = ec.generate_private_key(ec.SECP256R1())
    cert = spiffe.issue_x509_svid(
        ca_key=ca_key,
        ca_cert=ca,
        algorithm=alg,
        subject_key=subject.public_key(),
        spiffe="spiffe://example.org/a",
        now=NOW,
        lifetime=timedelta(hours=1),
    )
    verifier = PolicyBuilder().store(Store([ca])).time(NOW).build_client_verifier()
    verified = verifier.verify(cert, [])
    assert verified.subjects == [x509.UniformResourceIdentifier("spiffe://example.org/a")]
    assert cert.not_valid_before_utc == NOW - timedelta(minutes=5)
    assert cert.not_valid_after_utc == NOW + timedelta(hours=1)
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).critical  # empty subject
    assert isinstance(cert.signature_hash_algorithm, alg.hash)


def test_svid_never_outlives_its_ca() -> None:
    alg = spiffe.KEY_ALGORITHMS["EC_prime256v1"]
    ca_key, ca = spiffe.new_ca(alg, "short CA", None, NOW, 1)
    cert = spiffe.issue_x509_svid(
        ca_key=ca_key,
        ca_cert=ca,
        algorithm=alg,
        subject_key=ec.generate_private_key(ec.SECP256R1()).public_key(),
        spiffe="spiffe://example.org/a",
        now=NOW + timedelta(hours=20),
        lifetime=timedelta(hours=12),
    )
    assert cert.not_valid_after_utc == ca.not_valid_after_utc


def test_bundle_keys() -> None:
    alg = spiffe.KEY_ALGORITHMS["EC_prime256v1"]
    _, ca = spiffe.new_ca(alg, "CA", None, NOW, 1)
    key = spiffe.x509_bundle_key(ca)
    assert key["use"] == "x509-svid" and key["kty"] == "EC" and key["crv"] == "P-256" and len(key["x5c"]) == 1
    doc = json.loads(spiffe.bundle_document(300, [key]))
    assert doc == {"keys": [key], "spiffe_refresh_hint": 300}


# --- signer windows ------------------------------------------------------------------------

H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("start", "end", "discovery", "now", "status"),
    [
        (NOW + H, None, None, NOW, SignerStatus.IN_TRANSITION),
        (NOW, None, None, NOW, SignerStatus.ACTIVE),  # the start is inside the window
        (NOW - H, NOW, NOW + H, NOW, SignerStatus.VALIDATING),  # the end is outside it
        (NOW - H, NOW + H, NOW + 2 * H, NOW, SignerStatus.ACTIVE),
        (NOW - 2 * H, NOW - H, NOW, NOW, SignerStatus.INACTIVE),
        (NOW + H, NOW, NOW + H, NOW, SignerStatus.VALIDATING),  # stopped before it ever signed
        (NOW + H, NOW - H, NOW, NOW, SignerStatus.INACTIVE),
    ],
)
def test_signer_status_from_times(
    start: datetime, end: datetime | None, discovery: datetime | None, now: datetime, status: SignerStatus
) -> None:
    assert spiffe.signer_status(start, end, discovery, now) is status


def test_only_active_signs_and_only_inactive_is_unpublished() -> None:
    assert [s for s in SignerStatus if spiffe.signs(s)] == [SignerStatus.ACTIVE]
    assert [s for s in SignerStatus if not spiffe.published(s)] == [SignerStatus.INACTIVE]
