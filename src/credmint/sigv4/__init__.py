"""SigV4: parse a request's signature, check its time and scope, verify it, decode aws-chunked.

Pure: no I/O and no clock; ``now`` and the secret are passed in. The edge calls, in order::

    signed = parse_auth(req, dialect, now=now)        # None → anonymous / MissingAuthenticationToken
    check_scope(signed, service, dialect)             # step 10, before any key lookup
    secret = <look up signed.access_key_id / signed.security_token>
    verify_signature(req, signed, secret, dialect)
    if is_streaming(signed): body = decode_aws_chunked(req, signed, secret).data
"""

from credmint.sigv4.canonical import (
    EMPTY_SHA256,
    UNSIGNED_PAYLOAD,
    canonical_headers,
    canonical_query,
    canonical_request,
    canonical_uri,
    string_to_sign,
)
from credmint.sigv4.checks import (
    MAX_PRESIGNED_EXPIRES,
    MAX_SKEW,
    Dialect,
    check_request_time,
    check_scope,
    is_region_name,
)
from credmint.sigv4.checksums import RunningChecksum, check_checksum_value, compute_checksum, verify_checksum
from credmint.sigv4.keys import DEFAULT_KEY_CACHE, SigningKeyCache, sign_hex, sign_hex_keyed, signing_key
from credmint.sigv4.parse import parse_amz_date, parse_auth
from credmint.sigv4.signed import SignedRequest
from credmint.sigv4.streaming import ChunkedDecoder, DecodedBody, check_trailers, decode_aws_chunked
from credmint.sigv4.verify import (
    STREAMING_SIGNED,
    STREAMING_SIGNED_TRAILER,
    STREAMING_UNSIGNED_TRAILER,
    check_payload_hash,
    is_streaming,
    payload_hash,
    verify_signature,
)

__all__ = [
    "DEFAULT_KEY_CACHE",
    "EMPTY_SHA256",
    "MAX_PRESIGNED_EXPIRES",
    "MAX_SKEW",
    "STREAMING_SIGNED",
    "STREAMING_SIGNED_TRAILER",
    "STREAMING_UNSIGNED_TRAILER",
    "UNSIGNED_PAYLOAD",
    "ChunkedDecoder",
    "DecodedBody",
    "Dialect",
    "RunningChecksum",
    "SignedRequest",
    "SigningKeyCache",
    "canonical_headers",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "check_checksum_value",
    "check_payload_hash",
    "check_request_time",
    "check_scope",
    "check_trailers",
    "compute_checksum",
    "decode_aws_chunked",
    "is_region_name",
    "is_streaming",
    "parse_amz_date",
    "parse_auth",
    "payload_hash",
    "sign_hex",
    "sign_hex_keyed",
    "signing_key",
    "string_to_sign",
    "verify_checksum",
    "verify_signature",
]
