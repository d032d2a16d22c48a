"""SPIFFE formats: SPIFFE IDs, workload path patterns, X.509-SVIDs, JWT-SVID claims and
SPIFFE trust bundles. Pure: no store, no clock (times are arguments).

Theory of operation
-------------------
A workload identity provider owns a *trust domain* (``WorkloadIdentityDomain``). A
template renders a workload's path from attested values: the pattern is slash-separated
segments, each a literal or one whole placeholder ``{aws:WorkloadAttestation/aws/...}``
(:class:`PathPattern`); each attested value fills exactly one segment, so a value can
never add, remove or climb segments (a value with ``/``, ``.``/``..`` or a character
outside the SPIFFE path alphabet is refused, not escaped). The SPIFFE ID is
``spiffe://<trust domain>/<prefix>/<rendered path>`` (SPIFFE ID spec: lowercase trust
domain, path segments of ``[A-Za-z0-9._-]``, no empty, ``.`` or ``..`` segment, at most
2048 bytes).

An X.509-SVID (SPIFFE X.509-SVID spec §4, §5) is issued for a public key taken from a
PKCS #10 request whose own signature verifies (:func:`public_key_of_csr`); what else the
request asks for is ignored. The certificate has an empty subject, exactly one URI SAN
(the SPIFFE ID; critical, because the subject is empty, RFC 5280 §4.2.1.6),
``basicConstraints`` CA=false, ``keyUsage`` digitalSignature (plus keyEncipherment for
RSA keys, which the spec allows), both TLS extended key usages, and the issuing CA's key
identifier. The signature hash follows the CA's key algorithm (:data:`KEY_ALGORITHMS`),
as IAM documents for its X.509 signers.

A trust bundle (SPIFFE Trust Domain and Bundle spec §4) is a JWK Set with
``spiffe_refresh_hint``; an ``x509-svid`` key carries the CA certificate in ``x5c``, a
``jwt-svid`` key its ``kid``.

Signer windows (:func:`signer_status`) are computed from times, never stored, as the IAM
model says: before ``start`` a signer is ``IN_TRANSITION`` (published, not signing);
from ``start`` until ``end`` (exclusive) ``ACTIVE``; then ``VALIDATING`` until
``discovery_end`` (published, not signing); then ``INACTIVE``.
"""

from __future__ import annotations

import base64
import enum
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: The SPIFFE ID spec's bound on a SPIFFE ID, in bytes.
MAX_SPIFFE_ID_BYTES = 2048
#: The STS model's bound on IssueWorkloadIdentityContext's Subject.
MAX_SUBJECT_CHARS = 256
#: Placeholders must name an attested value: a key that resolves to the caller's own
#: identity (``aws:username``...) would let the caller, not the workload, choose the name.
ATTESTATION_KEY_PREFIX = "aws:WorkloadAttestation/aws/"
#: IAM's documented bound on the certificate's clock-skew allowance.
NOT_BEFORE_SKEW = timedelta(minutes=5)

_SEGMENT = re.compile(r"\A[A-Za-z0-9._-]+\Z")
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9:/._-]+)\}")
_LITERAL = re.compile(r"[A-Za-z0-9._-]+")
_TRUST_DOMAIN = re.compile(r"\A[a-z0-9._-]+\Z")
_ATTESTED_NAME = re.compile(r"\A[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*\Z")


class SpiffeFormatError(ValueError):
    """A value that cannot be part of a SPIFFE ID, or a pattern that is not well formed."""


class MalformedCsrError(ValueError):
    """A certificate signing request that is blank, unparsable, badly signed or of an
    unsupported key."""


# --- SPIFFE IDs and path patterns ----------------------------------------------------------


def is_segment(value: str) -> bool:
    return bool(_SEGMENT.match(value)) and value not in (".", "..")


def _attested_name(name: str) -> bool:
    """``k8s/Namespace``: segments of the SPIFFE path alphabet, none ``.`` or ``..``."""
    return bool(_ATTESTED_NAME.match(name)) and all(is_segment(s) for s in name.split("/"))


def spiffe_id(trust_domain: str, path: str) -> str:
    """``spiffe://<trust domain>/<path>``, checked against the SPIFFE ID spec."""
    if not _TRUST_DOMAIN.match(trust_domain):
        raise SpiffeFormatError("the trust domain is not a valid SPIFFE trust domain")
    if not path or not all(is_segment(s) for s in path.split("/")):
        raise SpiffeFormatError("the path is not a valid SPIFFE ID path")
    out = f"spiffe://{trust_domain}/{path}"
    if len(out.encode()) > MAX_SPIFFE_ID_BYTES:
        raise SpiffeFormatError("the SPIFFE ID is longer than 2048 bytes")
    return out


@dataclass(frozen=True, slots=True)
class PathPattern:
    """A parsed template pattern: each segment is ``("literal", text)`` or
    ``("key", condition key)``."""

    segments: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, text: str) -> PathPattern:
        """Parse a pattern. Placeholders may contain slashes, so the pattern is read one
        segment at a time: a whole placeholder or a literal, then ``/`` or the end."""
        segments: list[tuple[str, str]] = []
        pos = 0
        while True:
            m = _PLACEHOLDER.match(text, pos)
            if m is not None:
                key = m.group(1)
                name = key[len(ATTESTATION_KEY_PREFIX) :]
                if not key.startswith(ATTESTATION_KEY_PREFIX) or not _attested_name(name):
                    raise SpiffeFormatError(f"{{{key}}} does not name an attested value")
                segments.append(("key", key))
                pos = m.end()
            else:
                m = _LITERAL.match(text, pos)
                if m is None or not is_segment(m.group(0)):
                    raise SpiffeFormatError("the pattern has an empty or invalid segment")
                segments.append(("literal", m.group(0)))
                pos = m.end()
            if pos == len(text):
                break
            if text[pos] != "/":
                raise SpiffeFormatError("a placeholder must be a whole segment")
            pos += 1
        if not any(kind == "key" for kind, _ in segments):
            raise SpiffeFormatError("the pattern has no placeholder")
        return cls(tuple(segments))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(v for k, v in self.segments if k == "key")

    def render(self, attested: Mapping[str, str]) -> str:
        """The path for ``attested`` (condition key -> value). A missing key or a value
        that is not one SPIFFE path segment is :class:`SpiffeFormatError`."""
        out: list[str] = []
        for kind, value in self.segments:
            if kind == "literal":
                out.append(value)
                continue
            got = attested.get(value)
            if got is None:
                raise SpiffeFormatError(f"the attestation document has no value for {{{value}}}")
            if not is_segment(got):
                raise SpiffeFormatError(f"the value for {{{value}}} is not a valid SPIFFE ID path segment")
            out.append(got)
        return "/".join(out)


def attested_values(document: str, max_keys: int = 50) -> dict[str, str]:
    """The attestation document (a JSON object of name -> non-empty printable string) as
    condition keys ``aws:WorkloadAttestation/aws/<name>`` -> value."""
    try:
        parsed = json.loads(document)
    except (ValueError, RecursionError):
        raise SpiffeFormatError("the attestation document is not valid JSON") from None
    if not isinstance(parsed, dict) or not parsed:
        raise SpiffeFormatError("the attestation document must be a JSON object with at least one key")
    if len(parsed) > max_keys:
        raise SpiffeFormatError(f"the attestation document has more than {max_keys} keys")
    out: dict[str, str] = {}
    for name, value in parsed.items():
        if not _attested_name(name):
            raise SpiffeFormatError(f"the attestation document key {name!r} is not a valid name")
        if not isinstance(value, str) or not value or not value.isprintable():
            raise SpiffeFormatError(f"the value of {name!r} must be a non-empty string of printable characters")
        out[ATTESTATION_KEY_PREFIX + name] = value
    return out


# --- keys and certificates -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyAlgorithm:
    name: str
    hash: type[hashes.SHA256] | type[hashes.SHA384] | type[hashes.SHA512]
    curve: type[ec.EllipticCurve] | None = None
    rsa_bits: int = 0

    def generate(self) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
        if self.curve is not None:
            return ec.generate_private_key(self.curve())
        return rsa.generate_private_key(public_exponent=65537, key_size=self.rsa_bits)


#: The CA key algorithms IAM accepts for an X.509 signer, and the signature hash IAM
#: documents for each (CreateWorkloadIdentityProviderOutboundSigner).
KEY_ALGORITHMS: Mapping[str, KeyAlgorithm] = {
    a.name: a
    for a in (
        KeyAlgorithm("EC_prime256v1", hashes.SHA256, curve=ec.SECP256R1),
        KeyAlgorithm("EC_secp384r1", hashes.SHA384, curve=ec.SECP384R1),
        KeyAlgorithm("EC_secp521r1", hashes.SHA512, curve=ec.SECP521R1),
        KeyAlgorithm("RSA_2048", hashes.SHA256, rsa_bits=2048),
        KeyAlgorithm("RSA_3072", hashes.SHA384, rsa_bits=3072),
        KeyAlgorithm("RSA_4096", hashes.SHA384, rsa_bits=4096),
    )
}

#: Subject keys a CSR may carry: the key types the signers' CAs are, the same table.
_CSR_CURVES = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)
_CSR_RSA_BITS = (2048, 3072, 4096)

SubjectKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def private_key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(pem: bytes) -> PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        raise ValueError("not an EC or RSA key")
    return key


def new_ca(
    algorithm: KeyAlgorithm, common_name: str, trust_domain: str | None, now: datetime, days: int
) -> tuple[PrivateKey, x509.Certificate]:
    """A self-signed root CA for an X.509 signer."""
    key = algorithm.generate()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "credmint"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(_serial())
        .not_valid_before(now - NOT_BEFORE_SKEW)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    )
    if trust_domain is not None:
        # SPIFFE X.509-SVID spec §4.1: a signing certificate MAY carry the trust domain's ID.
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(f"spiffe://{trust_domain}")]), critical=False
        )
    return key, builder.sign(key, algorithm.hash())


def _serial() -> int:
    # 159 random bits: positive and at most 20 octets (RFC 5280 §4.1.2.2).
    return secrets.randbits(159) | (1 << 158)


def public_key_of_csr(pem: str) -> SubjectKey:
    """The public key of a PEM PKCS #10 request whose signature verifies, if it is a key
    type and size the signers support."""
    if not pem.strip():
        raise MalformedCsrError("The certificate signing request is blank.")
    try:
        csr = x509.load_pem_x509_csr(pem.encode("latin-1"))
        valid = csr.is_signature_valid
        key = csr.public_key()
    except (ValueError, TypeError, UnsupportedAlgorithm, InvalidSignature, UnicodeEncodeError):
        raise MalformedCsrError(
            "The certificate signing request is not a valid PEM-encoded PKCS #10 request."
        ) from None
    if not valid:
        raise MalformedCsrError("The signature of the certificate signing request does not verify.")
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, _CSR_CURVES):
        return key
    if isinstance(key, rsa.RSAPublicKey) and key.key_size in _CSR_RSA_BITS:
        return key
    raise MalformedCsrError("The key type or key size of the certificate signing request is not supported.")


def issue_x509_svid(
    *,
    ca_key: PrivateKey,
    ca_cert: x509.Certificate,
    algorithm: KeyAlgorithm,
    subject_key: SubjectKey,
    spiffe: str,
    now: datetime,
    lifetime: timedelta,
) -> x509.Certificate:
    """An X.509-SVID for ``subject_key``, valid from ``now - 5 min`` (IAM's documented
    allowance for skewed clocks) for ``lifetime``, never past the CA's own expiry."""
    not_after = min(now + lifetime, ca_cert.not_valid_after_utc)
    rsa_key = isinstance(subject_key, rsa.RSAPublicKey)
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(ca_cert.subject)
        .public_key(subject_key)
        .serial_number(_serial())
        .not_valid_before(now - NOT_BEFORE_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(spiffe)]), critical=True)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=rsa_key,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
    )
    return builder.sign(ca_key, algorithm.hash())


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


# --- trust bundles and JWT-SVIDs -----------------------------------------------------------


class BundleUse(enum.StrEnum):
    X509_SVID = "x509-svid"
    JWT_SVID = "jwt-svid"


def _b64url_uint(n: int, length: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(length, "big")).rstrip(b"=").decode("ascii")


_CURVE_NAMES: Mapping[str, tuple[str, int]] = {
    "secp256r1": ("P-256", 32),
    "secp384r1": ("P-384", 48),
    "secp521r1": ("P-521", 66),
}


def public_jwk(key: SubjectKey) -> dict[str, str]:
    """The RFC 7517 public members of an EC or RSA key."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        crv, size = _CURVE_NAMES[key.curve.name]
        nums = key.public_numbers()
        return {"kty": "EC", "crv": crv, "x": _b64url_uint(nums.x, size), "y": _b64url_uint(nums.y, size)}
    rnums = key.public_numbers()
    return {
        "kty": "RSA",
        "n": _b64url_uint(rnums.n, (rnums.n.bit_length() + 7) // 8),
        "e": _b64url_uint(rnums.e, (rnums.e.bit_length() + 7) // 8),
    }


def x509_bundle_key(ca_cert: x509.Certificate) -> dict[str, Any]:
    key = ca_cert.public_key()
    if not isinstance(key, (ec.EllipticCurvePublicKey, rsa.RSAPublicKey)):
        raise ValueError("unsupported CA key")
    return {
        **public_jwk(key),
        "use": BundleUse.X509_SVID.value,
        "x5c": [base64.b64encode(ca_cert.public_bytes(serialization.Encoding.DER)).decode("ascii")],
    }


def jwt_bundle_key(public: Mapping[str, Any], kid: str) -> dict[str, Any]:
    return {
        **{k: v for k, v in public.items() if k in ("kty", "crv", "x", "y", "n", "e")},
        "kid": kid,
        "use": BundleUse.JWT_SVID.value,
    }


def bundle_document(refresh_hint: int, keys: Sequence[Mapping[str, Any]]) -> str:
    """A SPIFFE bundle: a JWK Set with ``spiffe_refresh_hint``. ``spiffe_sequence`` is
    optional and left out: derived from signer times it could move backwards when a
    signer is deleted, and the spec asks it only ever to grow."""
    return json.dumps({"keys": list(keys), "spiffe_refresh_hint": refresh_hint}, separators=(",", ":"))


def jwt_svid_claims(*, subject: str, audience: str, issuer: str, now: datetime, duration: int) -> dict[str, Any]:
    """The claims of a JWT-SVID: exactly ``sub``, ``aud``, ``iss``, ``iat``, ``exp`` and
    ``jti``, as the STS model documents."""
    iat = int(now.timestamp())
    return {
        "sub": subject,
        "aud": [audience],
        "iss": issuer,
        "iat": iat,
        "exp": iat + duration,
        "jti": secrets.token_hex(16),
    }


# --- signer windows ------------------------------------------------------------------------


class SignerStatus(enum.StrEnum):
    IN_TRANSITION = "IN_TRANSITION"
    ACTIVE = "ACTIVE"
    VALIDATING = "VALIDATING"
    INACTIVE = "INACTIVE"


#: Status -> (signs, published).
SIGNER_STATUS_RULES: Mapping[SignerStatus, tuple[bool, bool]] = {
    SignerStatus.IN_TRANSITION: (False, True),
    SignerStatus.ACTIVE: (True, True),
    SignerStatus.VALIDATING: (False, True),
    SignerStatus.INACTIVE: (False, False),
}


def signer_status(start: datetime, end: datetime | None, discovery_end: datetime | None, now: datetime) -> SignerStatus:
    """The status a signer's times give at ``now`` (start inside the window, end outside)."""
    if end is not None and now >= end:
        # Stopped (a signer disabled before its start never signed, and is this too).
        if discovery_end is None or now < discovery_end:
            return SignerStatus.VALIDATING
        return SignerStatus.INACTIVE
    return SignerStatus.ACTIVE if now >= start else SignerStatus.IN_TRANSITION


def signs(status: SignerStatus) -> bool:
    return SIGNER_STATUS_RULES[status][0]


def published(status: SignerStatus) -> bool:
    return SIGNER_STATUS_RULES[status][1]
