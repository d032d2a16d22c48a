"""Decoding ``aws-chunked`` S3 bodies and verifying their chunk signatures and trailers.

Body layouts (x-amz-content-sha256 decides which):

* ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD``: ``hex(len);chunk-signature=<sig>\\r\\n<data>\\r\\n`` ...
  ``0;chunk-signature=<sig>\\r\\n\\r\\n``; each signature chains from the previous one,
  the first from the Authorization header's (the seed).
* ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER``: the same, then after the final chunk the
  trailing headers ``name:value\\r\\n`` and ``x-amz-trailer-signature:<sig>\\r\\n\\r\\n``.
  The trailer signs ``AWS4-HMAC-SHA256-TRAILER\\n<date>\\n<scope>\\n<final chunk sig>\\n
  hex(sha256("name:value\\n"...))`` (as aws-c-auth, the Go and Java SDKs produce it).
* ``STREAMING-UNSIGNED-PAYLOAD-TRAILER``: ``hex(len)\\r\\n<data>\\r\\n`` ... ``0\\r\\n`` then the
  trailers and ``\\r\\n``; only the trailing checksum protects the data.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from credmint import errors
from credmint.httpreq import HttpRequest
from credmint.sigv4.canonical import EMPTY_SHA256
from credmint.sigv4.checksums import ALGORITHMS, verify_checksum
from credmint.sigv4.keys import DEFAULT_KEY_CACHE, SigningKeyCache, sign_hex
from credmint.sigv4.signed import SignedRequest
from credmint.sigv4.verify import STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER

#: S3's smallest chunk in signed streaming uploads, except the last one.
MIN_SIGNED_CHUNK = 8192
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
_CHUNK_SIGNATURE = b"chunk-signature="
_TRAILER_SIGNATURE = "x-amz-trailer-signature"


@dataclass(frozen=True, slots=True)
class DecodedBody:
    data: bytes
    #: Trailing headers other than the trailer signature, lower-cased names, in order.
    trailers: tuple[tuple[str, str], ...] = ()


def decode_aws_chunked(
    req: HttpRequest,
    signed: SignedRequest,
    secret: str | None,
    *,
    keys: SigningKeyCache | None = None,
) -> DecodedBody:
    """The decoded body of a request whose signature :func:`verify_signature` accepted.

    ``secret`` may be None only for ``STREAMING-UNSIGNED-PAYLOAD-TRAILER``.
    """
    mode = signed.content_sha256
    if mode not in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER):
        raise ValueError(f"not an aws-chunked payload mode: {mode!r}")
    is_signed = mode != STREAMING_UNSIGNED_TRAILER
    has_trailer = mode != STREAMING_SIGNED

    declared = req.header("x-amz-decoded-content-length")
    if declared is None or not declared.strip().isdigit():
        raise errors.s3_missing_decoded_content_length()
    decoded_length = int(declared)

    key = b""
    if is_signed:
        if secret is None:
            raise ValueError("a signed aws-chunked body needs the secret")
        key = (keys or DEFAULT_KEY_CACHE).get(secret, signed.scope_date, signed.region, signed.service)
    prefix = f"AWS4-HMAC-SHA256-PAYLOAD\n{signed.amz_date}\n{signed.scope}\n"
    suffix = f"\n{EMPTY_SHA256}\n"

    body = req.body
    end_of_body = len(body)
    pos = 0
    previous = signed.signature
    pieces: list[bytes] = []
    total = 0
    small_chunk: tuple[int, int] | None = None
    number = 0
    while True:
        number += 1
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            raise errors.s3_incomplete_body()
        size_field, _, extension = body[pos:eol].partition(b";")
        size_field = size_field.strip()
        if not size_field or not _HEX_DIGITS.issuperset(size_field) or len(size_field) > 16:
            raise errors.s3_incomplete_body()
        size = int(size_field, 16)
        pos = eol + 2
        if size:
            end = pos + size
            if end + 2 > end_of_body or body[end : end + 2] != b"\r\n":
                raise errors.s3_incomplete_body()
            data = body[pos:end]
            pos = end + 2
        else:
            data = b""
        if is_signed:
            if not extension.startswith(_CHUNK_SIGNATURE):
                raise errors.s3_chunk_signature_does_not_match()
            provided = extension[len(_CHUNK_SIGNATURE) :].strip()
            expected = sign_hex(key, prefix + previous + suffix + hashlib.sha256(data).hexdigest())
            if not hmac.compare_digest(expected.encode("ascii"), provided):
                raise errors.s3_chunk_signature_does_not_match()
            previous = expected
            if size:
                if small_chunk is not None:
                    raise errors.s3_invalid_chunk_size(*small_chunk)
                if size < MIN_SIGNED_CHUNK:
                    small_chunk = (number, size)
        if not size:
            break
        pieces.append(data)
        total += size
        if total > decoded_length:
            raise errors.s3_incomplete_body()

    trailers: list[tuple[str, str]] = []
    if has_trailer:
        trailer_signature = _read_trailers(body, pos, trailers)
    else:
        if body[pos:] != b"\r\n":
            raise errors.s3_incomplete_body()
        trailer_signature = None
    if total != decoded_length:
        raise errors.s3_incomplete_body()

    if is_signed and has_trailer:
        if trailer_signature is None:
            raise errors.s3_chunk_signature_does_not_match()
        canonical = "".join(f"{name}:{value}\n" for name, value in trailers)
        expected = sign_hex(
            key,
            f"AWS4-HMAC-SHA256-TRAILER\n{signed.amz_date}\n{signed.scope}\n{previous}\n"
            + hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        )
        if not hmac.compare_digest(expected.encode("ascii"), trailer_signature.encode("utf-8", "replace")):
            raise errors.s3_chunk_signature_does_not_match()
    elif trailer_signature is not None:
        raise errors.s3_malformed_trailer()

    data = b"".join(pieces)
    if has_trailer:
        _check_trailers(req, trailers, data)
    return DecodedBody(data, tuple(trailers))


def _read_trailers(body: bytes, pos: int, trailers: list[tuple[str, str]]) -> str | None:
    """Collect ``name:value`` lines up to the empty line; returns the trailer signature."""
    signature = None
    end_of_body = len(body)
    while pos < end_of_body:
        eol = body.find(b"\n", pos)
        if eol < 0:
            eol = end_of_body
        # SDKs disagree on CRLF vs LF after trailers; both are accepted.
        line = body[pos:eol].rstrip(b"\r")
        pos = eol + 1
        if not line:
            if pos < end_of_body:
                raise errors.s3_malformed_trailer()
            break
        name, colon, value = line.partition(b":")
        if not colon:
            raise errors.s3_malformed_trailer()
        try:
            text_name = name.decode("ascii").strip().lower()
            text_value = value.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise errors.s3_malformed_trailer() from None
        if text_name == _TRAILER_SIGNATURE:
            signature = text_value
        else:
            trailers.append((text_name, text_value))
    return signature


def _check_trailers(req: HttpRequest, trailers: list[tuple[str, str]], data: bytes) -> None:
    declared_header = req.header("x-amz-trailer")
    sent = dict(trailers)
    if declared_header is not None:
        declared = {name.strip().lower() for name in declared_header.split(",") if name.strip()}
        if declared != set(sent):
            raise errors.s3_malformed_trailer()
    for name, value in trailers:
        if name.startswith("x-amz-checksum-"):
            if name not in ALGORITHMS:
                raise errors.s3_malformed_trailer()
            verify_checksum(name, value, data, trailing=True)
