"""Verifying a parsed SigV4 signature against the secret the edge looked up."""

from __future__ import annotations

import hashlib
import hmac

from credmint.httpreq import HttpRequest
from credmint.sigv4 import errors as sigv4_errors
from credmint.sigv4.canonical import UNSIGNED_PAYLOAD, canonical_request, string_to_sign
from credmint.sigv4.checks import Dialect
from credmint.sigv4.keys import DEFAULT_KEY_CACHE, SigningKeyCache, sign_hex_keyed
from credmint.sigv4.signed import SignedRequest

STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"

#: Literal x-amz-content-sha256 values S3 accepts besides a hex digest. The ECDSA (SigV4a)
#: modes are listed so the value is accepted; the signature itself then fails to verify.
S3_PAYLOAD_LITERALS = frozenset(
    {
        UNSIGNED_PAYLOAD,
        STREAMING_UNSIGNED_TRAILER,
        STREAMING_SIGNED,
        STREAMING_SIGNED_TRAILER,
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
    }
)
_HEX = frozenset("0123456789abcdefABCDEF")


def is_hex_sha256(value: str) -> bool:
    return len(value) == 64 and _HEX.issuperset(value)


def is_streaming(signed: SignedRequest) -> bool:
    """Whether the body is aws-chunked and must go through :func:`decode_aws_chunked`."""
    value = signed.content_sha256
    return value is not None and not signed.presigned and value.startswith("STREAMING-")


def payload_hash(req: HttpRequest, signed: SignedRequest, dialect: Dialect) -> str:
    """The last line of the canonical request."""
    if dialect != "s3":
        return hashlib.sha256(req.body).hexdigest()
    value = signed.content_sha256
    if signed.presigned:
        return value if value is not None else UNSIGNED_PAYLOAD
    if value is None:
        raise sigv4_errors.InvalidRequest.missing_content_sha256()
    if value not in S3_PAYLOAD_LITERALS and not is_hex_sha256(value):
        raise sigv4_errors.InvalidArgument.payload_hash(value)
    return value


def _check_s3_headers_signed(req: HttpRequest, signed: SignedRequest) -> None:
    # S3 refuses x-amz-* headers a signature does not cover: they would change the
    # request's meaning (ACLs, tokens, copy sources) without the signer's consent.
    names = set(signed.signed_headers)
    unsigned = [name for name, _ in req.headers if name.startswith("x-amz-") and name not in names]
    if unsigned:
        raise sigv4_errors.AccessDenied.headers_not_signed(", ".join(dict.fromkeys(unsigned)))


def verify_signature(
    req: HttpRequest,
    signed: SignedRequest,
    secret: str,
    dialect: Dialect,
    *,
    keys: SigningKeyCache | None = None,
    body_read: bool = True,
) -> None:
    """Raise unless ``signed.signature`` is the request's signature under ``secret``.

    For S3 with a hex ``x-amz-content-sha256`` the body is checked against it afterwards
    (a bad signature wins over a bad body hash) — unless ``body_read`` is false: an S3
    signature covers the *named* payload hash, so it can be verified from the head alone,
    before the body is read, and the body checked with :func:`check_payload_hash` once read.
    Streaming bodies are checked later by :func:`decode_aws_chunked`.
    """
    if "host" not in signed.signed_headers:
        raise sigv4_errors.SignatureDoesNotMatch.host_not_signed()
    s3 = dialect == "s3"
    if s3:
        _check_s3_headers_signed(req, signed)
    payload = payload_hash(req, signed, dialect) if s3 else hashlib.sha256(req.body).hexdigest()
    creq = canonical_request(req, signed, normalize_path=not s3, payload_hash=payload)
    sts = string_to_sign(signed, creq)
    keyed = (keys or DEFAULT_KEY_CACHE).keyed(secret, signed.scope_date, signed.region, signed.service)
    expected = sign_hex_keyed(keyed, sts)
    if not hmac.compare_digest(expected.encode("ascii"), signed.signature.encode("utf-8", "replace")):
        if s3:
            raise sigv4_errors.SignatureDoesNotMatch.s3(signed.access_key_id, sts, signed.signature, creq)
        raise sigv4_errors.SignatureDoesNotMatch.query()
    if s3 and body_read:
        check_payload_hash(signed, hashlib.sha256(req.body).hexdigest())


def check_payload_hash(signed: SignedRequest, computed: str) -> None:
    """Raise unless the body's SHA-256 (``computed``, hex) is the one an S3 signature names."""
    payload = signed.content_sha256
    if payload is None or not is_hex_sha256(payload):
        return
    if computed != payload.lower():
        raise sigv4_errors.XAmzContentSHA256Mismatch(payload, computed)
