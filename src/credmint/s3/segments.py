"""Object data encrypted at rest: the sealed-segment format (pure: bytes in, bytes out).

Theory of operation
-------------------
An object's blob is one or more *segments* laid end to end: one for a PUT or a copy, one
per part for a completed multipart upload (parts are sealed as they are uploaded, so
completing an upload concatenates files without decrypting them, and without the key,
which S3's CompleteMultipartUpload does not carry for SSE-C). The plaintext size of each
segment is kept in the object's metadata row, so any plaintext offset maps to a segment,
a chunk and a file offset by arithmetic.

One segment::

    magic "CMS1" (4) | salt (32) | chunk 0 | chunk 1 | ... | chunk n-1
    chunk i = AES-256-GCM(key, nonce_i, plaintext[i*CHUNK : (i+1)*CHUNK], aad=magic) (+16-byte tag)

* ``key = HKDF-SHA256(base key, salt, "credmint s3 segment v1")``: every segment has its
  own key, drawn from a fresh random salt, so nonces may simply count.
* ``nonce_i = i (11 bytes, big-endian) | last`` where ``last`` is 1 on the final chunk
  only (the STREAM construction): chunks cannot be reordered, dropped at the end, or
  spliced from another segment without failing authentication.
* every chunk holds ``CHUNK`` plaintext bytes but the last; an empty segment has one
  empty final chunk. Ciphertext size is ``36 + n + 16 * max(1, ceil(n / CHUNK))``.

The base key is, for SSE-S3, a key derived from the master key (``MasterKey.derive``);
for SSE-C, the customer's 256-bit key, which is never stored (``sse.py`` keeps only a
salted HMAC of it, to tell a wrong key from a right one before reading).

A range read decrypts only the chunks it overlaps: at most one chunk's worth of extra
work on each side.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"CMS1"
SALT_BYTES = 32
HEADER_BYTES = len(MAGIC) + SALT_BYTES
#: Plaintext bytes per chunk: the unit of decryption for a range read.
CHUNK = 64 * 1024
TAG_BYTES = 16
SEALED_CHUNK = CHUNK + TAG_BYTES
_INFO = b"credmint s3 segment v1"


class SegmentCorrupt(Exception):
    """A segment failed authentication: a wrong key, or bytes changed on disk."""


def chunk_count(size: int) -> int:
    return max(1, -(-size // CHUNK))


def sealed_size(size: int) -> int:
    """Bytes on disk of a segment holding ``size`` plaintext bytes."""
    return HEADER_BYTES + size + TAG_BYTES * chunk_count(size)


def _segment_key(base_key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO).derive(base_key)
    return AESGCM(derived)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class Sealer:
    """Encrypts one segment as its plaintext arrives; holds at most one chunk."""

    def __init__(self, base_key: bytes) -> None:
        salt = secrets.token_bytes(SALT_BYTES)
        self._aead = _segment_key(base_key, salt)
        self._index = 0
        self._buffer = bytearray()
        self.size = 0
        #: The segment's header: written first.
        self.header = MAGIC + salt

    def feed(self, data: bytes) -> bytes:
        """Ciphertext of the full chunks ``data`` completes (the rest waits)."""
        self.size += len(data)
        self._buffer += data
        if len(self._buffer) <= CHUNK:
            # A full chunk is kept until more arrives: it might be the last one.
            return b""
        out = bytearray()
        view = memoryview(self._buffer)
        pos = 0
        while len(self._buffer) - pos > CHUNK:
            out += self._aead.encrypt(_nonce(self._index, False), view[pos : pos + CHUNK], MAGIC)
            self._index += 1
            pos += CHUNK
        view.release()
        del self._buffer[:pos]
        return bytes(out)

    def finish(self) -> bytes:
        """The final chunk's ciphertext."""
        out = self._aead.encrypt(_nonce(self._index, True), bytes(self._buffer), MAGIC)
        self._buffer.clear()
        return out


class Opener:
    """Decrypts chunks of one segment, given its header and plaintext size."""

    def __init__(self, base_key: bytes, header: bytes, size: int) -> None:
        if len(header) != HEADER_BYTES or header[: len(MAGIC)] != MAGIC:
            raise SegmentCorrupt("not a sealed segment")
        self._aead = _segment_key(base_key, header[len(MAGIC) :])
        self.size = size
        self.chunks = chunk_count(size)

    def open(self, index: int, sealed: bytes) -> bytes:
        try:
            return self._aead.decrypt(_nonce(index, index == self.chunks - 1), sealed, MAGIC)
        except InvalidTag:
            raise SegmentCorrupt("segment chunk failed authentication") from None


def chunk_offset(index: int) -> int:
    """File offset of chunk ``index`` within its segment."""
    return HEADER_BYTES + index * SEALED_CHUNK


def sealed_chunk_size(size: int, index: int) -> int:
    """Bytes on disk of chunk ``index`` of a segment of ``size`` plaintext bytes."""
    last = chunk_count(size) - 1
    return (size - last * CHUNK if index == last else CHUNK) + TAG_BYTES


def plan(sizes: list[int], start: int, length: int) -> Iterator[tuple[int, int, int, int, int]]:
    """For the plaintext range ``[start, start + length)`` of segments of ``sizes``:
    ``(segment, segment file offset, first chunk, last chunk, skip)`` per segment touched,
    ``skip`` being the plaintext bytes to drop at the front of the first chunk."""
    end = start + length
    seg_start = 0
    file_offset = 0
    for i, size in enumerate(sizes):
        seg_end = seg_start + size
        if length > 0 and seg_end > start and seg_start < end:
            lo = max(start, seg_start) - seg_start
            hi = min(end, seg_end) - seg_start
            yield i, file_offset, lo // CHUNK, (hi - 1) // CHUNK, lo % CHUNK
        seg_start = seg_end
        file_offset += sealed_size(size)
        if seg_start >= end:
            break
