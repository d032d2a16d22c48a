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
from collections.abc import Callable
from dataclasses import dataclass

from credmint.httpreq import HttpRequest
from credmint.sigv4 import errors as sigv4_errors
from credmint.sigv4.canonical import EMPTY_SHA256
from credmint.sigv4.checksums import ALGORITHMS, check_checksum_value, compute_checksum
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

    ``secret`` may be None only for ``STREAMING-UNSIGNED-PAYLOAD-TRAILER``. The whole body
    at once: :class:`ChunkedDecoder` is the same decoding fed piece by piece.
    """
    decoder = ChunkedDecoder(req, signed, secret, keys=keys)
    data = b"".join(decoder.feed(req.body))
    trailers = decoder.finish()
    if decoder.has_trailer:
        check_trailers(req, trailers, lambda name: compute_checksum(name, data))
    return DecodedBody(data, trailers)


#: Longest chunk header line (``hex;chunk-signature=<64 hex>``) with room for spaces.
_MAX_CHUNK_LINE = 256
#: Most bytes of trailing headers kept (a few checksums and the trailer signature).
MAX_TRAILER_BYTES = 16 * 1024

_LINE, _DATA, _DATA_END, _TRAILERS, _FINAL_CRLF, _DONE = range(6)


class ChunkedDecoder:
    """An aws-chunked body decoded as it arrives, in memory bounded by one header line and
    the trailers (never a whole chunk: chunk data is passed on as it comes and hashed on the
    way for its signature).

    Pure: bytes in, bytes out. Data is handed out *before* its chunk's signature is
    checked (the signature follows the data), so the caller must hold everything it
    received as provisional until :meth:`finish` returns: every error, from :meth:`feed`
    or :meth:`finish`, means the whole body is refused.
    """

    def __init__(
        self, req: HttpRequest, signed: SignedRequest, secret: str | None, *, keys: SigningKeyCache | None = None
    ) -> None:
        mode = signed.content_sha256
        if mode not in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER):
            raise ValueError(f"not an aws-chunked payload mode: {mode!r}")
        self.is_signed = mode != STREAMING_UNSIGNED_TRAILER
        self.has_trailer = mode != STREAMING_SIGNED
        declared = req.header("x-amz-decoded-content-length")
        if declared is None or not declared.strip().isdigit():
            raise sigv4_errors.MissingContentLength()
        #: The object's size, as the request declares it (checked against what arrives).
        self.decoded_length = int(declared)
        self._key = b""
        if self.is_signed:
            if secret is None:
                raise ValueError("a signed aws-chunked body needs the secret")
            self._key = (keys or DEFAULT_KEY_CACHE).get(secret, signed.scope_date, signed.region, signed.service)
        self._signed = signed
        self._prefix = f"AWS4-HMAC-SHA256-PAYLOAD\n{signed.amz_date}\n{signed.scope}\n"
        self._previous = signed.signature
        self._state = _LINE
        self._pending = b""  # an incomplete header line, CRLF or trailer section
        self._remaining = 0  # data bytes left in the current chunk
        self._size = 0
        self._extension = b""
        self._chunk_hash = hashlib.sha256()
        self._small_chunk: tuple[int, int] | None = None
        self._number = 0
        self.total = 0

    def feed(self, data: bytes) -> list[bytes]:
        """The decoded data in ``data`` (possibly none); raises S3's error on malformed input."""
        out: list[bytes] = []
        view = memoryview(data)
        pos, end = 0, len(data)
        while pos < end:
            state = self._state
            if state == _DATA:
                take = min(self._remaining, end - pos)
                piece = bytes(view[pos : pos + take])
                pos += take
                self._remaining -= take
                self.total += take
                if self.total > self.decoded_length:
                    raise sigv4_errors.IncompleteBody()
                if self.is_signed:
                    self._chunk_hash.update(piece)
                out.append(piece)
                if not self._remaining:
                    self._state = _DATA_END
            elif state == _LINE:
                if self._pending.endswith(b"\r") and data[pos : pos + 1] == b"\n":
                    # The line's CRLF was split between two pieces.
                    line = self._pending[:-1]
                    self._pending = b""
                    pos += 1
                    self._start_chunk(line)
                    continue
                found = data.find(b"\r\n", pos)
                if found < 0:
                    self._pending += data[pos:]
                    if len(self._pending) > _MAX_CHUNK_LINE:
                        raise sigv4_errors.IncompleteBody()
                    return out
                line = self._pending + data[pos:found]
                self._pending = b""
                pos = found + 2
                self._start_chunk(line)
            elif state == _DATA_END:
                need = 2 - len(self._pending)
                self._pending += data[pos : pos + need]
                pos += need
                if len(self._pending) == 2:
                    if self._pending != b"\r\n":
                        raise sigv4_errors.IncompleteBody()
                    self._pending = b""
                    self._end_chunk()
            else:  # trailers, the final CRLF, or bytes after the end
                if state == _DONE:
                    raise sigv4_errors.IncompleteBody()
                self._pending += data[pos:]
                if len(self._pending) > MAX_TRAILER_BYTES:
                    raise sigv4_errors.MalformedTrailer() if state == _TRAILERS else sigv4_errors.IncompleteBody()
                return out
        return out

    def _start_chunk(self, line: bytes) -> None:
        if len(line) > _MAX_CHUNK_LINE:
            raise sigv4_errors.IncompleteBody()
        self._number += 1
        size_field, _, extension = line.partition(b";")
        size_field = size_field.strip()
        if not size_field or not _HEX_DIGITS.issuperset(size_field) or len(size_field) > 16:
            raise sigv4_errors.IncompleteBody()
        self._size = int(size_field, 16)
        self._extension = extension
        self._chunk_hash = hashlib.sha256()
        if self._size:
            self._remaining = self._size
            self._state = _DATA
        else:
            self._end_chunk()

    def _end_chunk(self) -> None:
        size = self._size
        if self.is_signed:
            extension = self._extension
            if not extension.startswith(_CHUNK_SIGNATURE):
                raise sigv4_errors.SignatureDoesNotMatch.s3_chunk()
            provided = extension[len(_CHUNK_SIGNATURE) :].strip()
            expected = sign_hex(
                self._key, self._prefix + self._previous + f"\n{EMPTY_SHA256}\n" + self._chunk_hash.hexdigest()
            )
            if not hmac.compare_digest(expected.encode("ascii"), provided):
                raise sigv4_errors.SignatureDoesNotMatch.s3_chunk()
            self._previous = expected
            if size:
                if self._small_chunk is not None:
                    raise sigv4_errors.InvalidChunkSize(*self._small_chunk)
                if size < MIN_SIGNED_CHUNK:
                    self._small_chunk = (self._number, size)
        if size:
            self._state = _LINE
        else:
            self._state = _TRAILERS if self.has_trailer else _FINAL_CRLF

    def finish(self) -> tuple[tuple[str, str], ...]:
        """Check the end of the body (the final chunk, the trailers and their signature, the
        declared length); returns the trailing headers but the trailer signature."""
        if self._state == _FINAL_CRLF:
            if self._pending != b"\r\n":
                raise sigv4_errors.IncompleteBody()
        elif self._state != _TRAILERS:
            raise sigv4_errors.IncompleteBody()
        self._state = _DONE
        trailers: list[tuple[str, str]] = []
        trailer_signature = _read_trailers(self._pending, 0, trailers) if self.has_trailer else None
        if self.total != self.decoded_length:
            raise sigv4_errors.IncompleteBody()
        if self.is_signed and self.has_trailer:
            if trailer_signature is None:
                raise sigv4_errors.SignatureDoesNotMatch.s3_chunk()
            signed = self._signed
            canonical = "".join(f"{name}:{value}\n" for name, value in trailers)
            expected = sign_hex(
                self._key,
                f"AWS4-HMAC-SHA256-TRAILER\n{signed.amz_date}\n{signed.scope}\n{self._previous}\n"
                + hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            )
            if not hmac.compare_digest(expected.encode("ascii"), trailer_signature.encode("utf-8", "replace")):
                raise sigv4_errors.SignatureDoesNotMatch.s3_chunk()
        elif trailer_signature is not None:
            raise sigv4_errors.MalformedTrailer()
        return tuple(trailers)


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
                raise sigv4_errors.MalformedTrailer()
            break
        name, colon, value = line.partition(b":")
        if not colon:
            raise sigv4_errors.MalformedTrailer()
        try:
            text_name = name.decode("ascii").strip().lower()
            text_value = value.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise sigv4_errors.MalformedTrailer() from None
        if text_name == _TRAILER_SIGNATURE:
            signature = text_value
        else:
            trailers.append((text_name, text_value))
    return signature


def check_trailers(
    req: HttpRequest, trailers: tuple[tuple[str, str], ...], checksum_of: Callable[[str], str]
) -> None:
    """The trailers are the ones ``x-amz-trailer`` declared, and each trailing checksum is
    the data's (``checksum_of(header name)`` gives the data's base64 value)."""
    declared_header = req.header("x-amz-trailer")
    sent = dict(trailers)
    if declared_header is not None:
        declared = {name.strip().lower() for name in declared_header.split(",") if name.strip()}
        if declared != set(sent):
            raise sigv4_errors.MalformedTrailer()
    for name, value in trailers:
        if name.startswith("x-amz-checksum-"):
            if name not in ALGORITHMS:
                raise sigv4_errors.MalformedTrailer()
            check_checksum_value(name, value, checksum_of(name), trailing=True)
