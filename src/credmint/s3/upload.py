"""An object upload's body on its way to disk: decoded, hashed, checked and sealed as it
arrives, in memory bounded by what one :meth:`UploadSpool.feed` passes (the server's
batch) plus one encryption chunk.

The server builds an :class:`UploadSpool` for PutObject and UploadPart once the request
is authenticated and authorized from its head, feeds it the body in batches on a worker
thread, and calls :meth:`UploadSpool.finish`, which checks everything a body can fail
(the signed payload hash, aws-chunked chunk and trailer signatures, Content-MD5, header
and trailing checksums, the declared length) and returns an :class:`Upload`. Only an
operation that then commits the upload makes it visible; every other path discards the
temporary file, so a refused body leaves nothing behind and the previous object intact.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from credmint.httpreq import HttpRequest
from credmint.s3 import errors as s3_errors
from credmint.s3 import sse
from credmint.s3.blobs import BlobStore, BlobWriter
from credmint.sealing import MasterKey
from credmint.sigv4 import (
    ChunkedDecoder,
    RunningChecksum,
    SignedRequest,
    check_checksum_value,
    check_payload_hash,
    check_trailers,
    is_streaming,
)
from credmint.sigv4 import errors as sigv4_errors
from credmint.sigv4.checksums import ALGORITHMS
from credmint.sigv4.verify import is_hex_sha256

#: S3's largest single PUT (and largest part): 5 GiB.
MAX_UPLOAD_SIZE = 5 * 1024**3
#: Raw bytes an aws-chunked body of the largest size may take: the chunk framing (at
#: least 8 KiB per signed chunk, ~90 bytes of header each) stays well inside this margin,
#: and what the framing decodes to is held to the declared length separately.
MAX_CHUNKED_RAW = MAX_UPLOAD_SIZE + MAX_UPLOAD_SIZE // 8

_CHECKSUM_BY_LABEL = {label: name for name, (label, _, _) in ALGORITHMS.items()}


@dataclass
class Upload:
    """A received, checked body, sealed in a temporary file until committed."""

    writer: BlobWriter
    size: int
    #: The ETag's hex: the data's MD5, keyed under SSE-C (``sse.etag_hex``).
    etag_hex: str
    #: Trailing headers of an aws-chunked body (lower-case names), e.g. a checksum.
    trailers: dict[str, str]
    #: Checksums computed over the data: header name -> base64 value.
    checksums: dict[str, str]
    customer: sse.CustomerKey | None
    #: What is stored of the SSE-C key (None for SSE-S3).
    key_check: dict[str, str] | None
    committed: bool = field(default=False)

    def commit(self) -> str:
        """Make the blob durable and visible; returns its name."""
        name = self.writer.commit()
        self.committed = True
        return name

    def discard(self) -> None:
        if not self.committed:
            self.writer.discard()

    def checksum(self, name: str) -> str:
        """The data's checksum ``name`` (header name), computed while it arrived."""
        return self.checksums[name]


def check_declared_size(req: HttpRequest, signed: SignedRequest | None) -> None:
    """EntityTooLarge for an aws-chunked body declaring more than S3's 5 GiB, from the head."""
    if signed is None or not is_streaming(signed):
        return
    declared = (req.header("x-amz-decoded-content-length") or "").strip()
    if declared.isdigit() and int(declared) > MAX_UPLOAD_SIZE:
        raise s3_errors.EntityTooLarge.upload(int(declared), MAX_UPLOAD_SIZE)


class UploadSpool:
    def __init__(
        self,
        req: HttpRequest,
        signed: SignedRequest | None,
        secret: str | None,
        blobs: BlobStore,
        master: MasterKey,
        *,
        allow_sse_c_over_http: bool,
    ) -> None:
        """Everything the head decides, checked before a byte of the body is read: the
        SSE headers, the aws-chunked declared length, the checksum names."""
        self._req = req
        self._signed = signed
        customer = sse.customer_key(req.header, secure=req.secure or allow_sse_c_over_http)
        sse.refuse_other_encryption(req.header, customer)
        self.customer = customer
        self._key_check = sse.key_check(master, customer) if customer is not None else None
        self._decoder: ChunkedDecoder | None = None
        if signed is not None and is_streaming(signed):
            self._decoder = ChunkedDecoder(req, signed, secret)
            if self._decoder.decoded_length > MAX_UPLOAD_SIZE:
                raise s3_errors.EntityTooLarge.upload(self._decoder.decoded_length, MAX_UPLOAD_SIZE)
        check_sha256 = signed is not None and self._decoder is None and is_hex_sha256(signed.content_sha256 or "")
        self._sha256 = hashlib.sha256() if check_sha256 else None
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._running = {name: RunningChecksum(name) for name in self._checksum_names()}
        self._writer = blobs.writer()
        self._writer.begin(customer.key if customer is not None else sse.sse_s3_key(master))
        self.size = 0

    def _checksum_names(self) -> list[str]:
        """The checksums to compute as data arrives: those named by a header, by the
        declared trailers, or by the SDK's algorithm header."""
        header = self._req.header
        names = [name for name in ALGORITHMS if header(name) is not None]
        declared = header("x-amz-trailer") or ""
        names += [n.strip().lower() for n in declared.split(",") if n.strip().lower() in ALGORITHMS]
        algorithm = header("x-amz-sdk-checksum-algorithm") or header("x-amz-checksum-algorithm")
        if algorithm is not None and algorithm.strip().upper() in _CHECKSUM_BY_LABEL:
            names.append(_CHECKSUM_BY_LABEL[algorithm.strip().upper()])
        return list(dict.fromkeys(names))

    def feed(self, pieces: list[bytes]) -> None:
        """Take the next pieces of the body as sent (worker thread)."""
        for raw in pieces:
            if self._sha256 is not None:
                self._sha256.update(raw)
            data = self._decoder.feed(raw) if self._decoder is not None else [raw]
            for piece in data:
                self.size += len(piece)
                if self.size > MAX_UPLOAD_SIZE:
                    raise s3_errors.EntityTooLarge.upload(self.size, MAX_UPLOAD_SIZE)
                self._md5.update(piece)
                for running in self._running.values():
                    running.update(piece)
                self._writer.write(piece)

    def finish(self) -> Upload:
        """Check the whole body (worker thread); S3's error on the first failure."""
        trailers: tuple[tuple[str, str], ...] = ()
        if self._decoder is not None:
            trailers = self._decoder.finish()
            if self._decoder.has_trailer:
                for name, _ in trailers:
                    if name in ALGORITHMS and name not in self._running:
                        # A trailing checksum the head did not announce in x-amz-trailer: its
                        # algorithm was not computed while the data passed.
                        raise sigv4_errors.MalformedTrailer()
                check_trailers(self._req, trailers, lambda name: self._running[name].value())
        if self._sha256 is not None and self._signed is not None:
            check_payload_hash(self._signed, self._sha256.hexdigest())
        md5 = self._md5.digest()
        self._check_content_md5(md5)
        sent_trailers = dict(trailers)
        checksums = {name: running.value() for name, running in self._running.items()}
        for name in ALGORITHMS:
            value = self._req.header(name)
            if value is not None and name not in sent_trailers:
                check_checksum_value(name, value, checksums[name])
        self._writer.end()
        return Upload(
            writer=self._writer,
            size=self.size,
            etag_hex=sse.etag_hex(md5, self.customer),
            trailers=sent_trailers,
            checksums=checksums,
            customer=self.customer,
            key_check=self._key_check,
        )

    def _check_content_md5(self, actual: bytes) -> None:
        md5 = self._req.header("content-md5")
        if md5 is None:
            return
        try:
            claimed = base64.b64decode(md5.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise s3_errors.InvalidDigest() from None
        if len(claimed) != 16:
            raise s3_errors.InvalidDigest()
        if actual != claimed:
            raise s3_errors.BadDigest.content_md5(md5.strip(), base64.b64encode(actual).decode())

    def discard(self) -> None:
        self._writer.discard()


def buffered_upload(
    req: HttpRequest, body: bytes, blobs: BlobStore, master: MasterKey, *, allow_sse_c_over_http: bool
) -> Upload:
    """An :class:`Upload` of a body already in memory and already decoded (a request that
    reached the operation without the server's streaming path)."""
    spool = UploadSpool(req, None, None, blobs, master, allow_sse_c_over_http=allow_sse_c_over_http)
    try:
        spool.feed([body] if body else [])
        return spool.finish()
    except BaseException:
        spool.discard()
        raise
