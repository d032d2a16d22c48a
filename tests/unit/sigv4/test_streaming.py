"""aws-chunked bodies: signed chunks (AWS's documented example), signed trailers, unsigned trailers."""

from __future__ import annotations

import hashlib
import hmac
import io

import pytest
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum, Sha1Checksum, Sha256Checksum

from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.sigv4 import (
    ChunkedDecoder,
    SignedRequest,
    compute_checksum,
    decode_aws_chunked,
    parse_auth,
    signing_key,
    verify_signature,
)
from credmint.sigv4.streaming import MAX_TRAILER_BYTES
from tests.unit.sigv4.sigv4_support import replace_header, with_

# The worked example of "Signature Calculations for the Authorization Header: Transferring Payload
# in Multiple Chunks" (Amazon S3 API Reference): 64 KiB + 1 KiB of "a".
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
CHUNK_SIGS = (
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
)
DATE = "20130524T000000Z"
SCOPE = "20130524/us-east-1/s3/aws4_request"
EMPTY = hashlib.sha256(b"").hexdigest()


def _request(body: bytes, mode: str, decoded: int, seed: str = SEED, **extra: str) -> HttpRequest:
    signed_headers = (
        "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
        "x-amz-decoded-content-length;x-amz-storage-class"
    )
    auth = (
        f"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/{SCOPE},"
        f"SignedHeaders={signed_headers},Signature={seed}"
    )
    headers = [
        ("host", "s3.amazonaws.com"),
        ("x-amz-date", DATE),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("authorization", auth),
        ("x-amz-content-sha256", mode),
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", str(decoded)),
        ("content-length", str(len(body))),
    ]
    headers.extend(extra.items())
    return HttpRequest("PUT", "/examplebucket/chunkObject.txt", "", tuple(headers), body)


def _doc_body() -> bytes:
    body = b""
    for size, sig in zip((65536, 1024, 0), CHUNK_SIGS):
        body += f"{size:x};chunk-signature={sig}\r\n".encode() + b"a" * size + b"\r\n"
    return body


def _signed(req: HttpRequest) -> SignedRequest:
    signed = parse_auth(req, "s3")
    assert signed is not None
    return signed


def _error(req: HttpRequest, secret: str | None = SECRET) -> AwsError:
    with pytest.raises(AwsError) as info:
        decode_aws_chunked(req, _signed(req), secret)
    return info.value


def test_documented_example() -> None:
    body = _doc_body()
    assert len(body) == 66824  # the example's Content-Length
    req = _request(body, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 66560)
    verify_signature(req, _signed(req), SECRET, "s3")
    assert decode_aws_chunked(req, _signed(req), SECRET).data == b"a" * 66560


@pytest.mark.parametrize("offset", [0, 100, 65536 + 90, 65536 + 120 + 500])
def test_documented_example_flipped_byte(offset: int) -> None:
    body = bytearray(_doc_body())
    body[offset + 90] ^= 0x01
    error = _error(_request(bytes(body), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 66560))
    assert error.code in ("SignatureDoesNotMatch", "IncompleteBody")


def test_documented_example_refusals() -> None:
    body = _doc_body()
    mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    assert _error(_request(body, mode, 66561)).code == "IncompleteBody"
    assert _error(_request(body[:-2], mode, 66560)).code == "IncompleteBody"
    assert _error(_request(body[:60000], mode, 66560)).code == "IncompleteBody"
    # Chunks are chained: the same chunks under another seed fail from the first.
    assert _error(_request(body, mode, 66560, seed="1" * 64)).code == "SignatureDoesNotMatch"
    assert _error(_request(body, mode, 66560), secret="other").code == "SignatureDoesNotMatch"
    req = _request(body, mode, 66560)
    assert _error(replace_header(req, "x-amz-decoded-content-length", "")).code == "MissingContentLength"


def _key() -> bytes:
    return signing_key(SECRET, "20130524", "us-east-1", "s3")


def _sign(text: str) -> str:
    return hmac.new(_key(), text.encode(), hashlib.sha256).hexdigest()


def _signed_body(sizes: list[int], trailer: tuple[str, str] | None, tamper_trailer: bool = False) -> bytes:
    """Chunks signed as AWS documents, optionally followed by a signed trailer."""
    previous = SEED
    out = b""
    data = b""
    for i, size in enumerate([*sizes, 0]):
        chunk = bytes((i + j) % 251 for j in range(size))
        data += chunk
        previous = _sign(
            "\n".join(
                ["AWS4-HMAC-SHA256-PAYLOAD", DATE, SCOPE, previous, EMPTY, hashlib.sha256(chunk).hexdigest()]
            )
        )
        out += f"{size:x};chunk-signature={previous}\r\n".encode() + chunk
        if size or trailer is None:
            out += b"\r\n"
    if trailer is not None:
        name, value = trailer[0], trailer[1] or compute_checksum(trailer[0], data)
        canonical = f"{name}:{value}\n"
        signature = _sign(
            "\n".join(
                [
                    "AWS4-HMAC-SHA256-TRAILER",
                    DATE,
                    SCOPE,
                    previous,
                    hashlib.sha256(canonical.encode()).hexdigest(),
                ]
            )
        )
        if tamper_trailer:
            signature = signature[::-1]
        out += f"{name}:{value}\r\nx-amz-trailer-signature:{signature}\r\n\r\n".encode()
    return out


def test_signed_chunks_minimum_size() -> None:
    mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    ok = _request(_signed_body([8192, 10], None), mode, 8202)
    assert len(decode_aws_chunked(ok, _signed(ok), SECRET).data) == 8202
    error = _error(_request(_signed_body([100, 8192], None), mode, 8292))
    assert error.code == "InvalidChunkSizeError"


@pytest.mark.parametrize("name", ["x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-sha256"])
def test_signed_trailer(name: str) -> None:
    mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
    req = _request(_signed_body([9000, 300], (name, "")), mode, 9300, **{"x-amz-trailer": name})
    decoded = decode_aws_chunked(req, _signed(req), SECRET)
    assert len(decoded.data) == 9300
    assert decoded.trailers[0][0] == name

    tampered = _request(_signed_body([9000, 300], (name, ""), tamper_trailer=True), mode, 9300)
    assert _error(tampered).code == "SignatureDoesNotMatch"
    wrong = compute_checksum(name, b"other")
    bad_sum = _request(_signed_body([9000, 300], (name, wrong)), mode, 9300, **{"x-amz-trailer": name})
    assert _error(bad_sum).code == "BadDigest"
    body = bytearray(req.body)
    body[200] ^= 1
    assert _error(with_(req, body=bytes(body))).code == "SignatureDoesNotMatch"


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("x-amz-checksum-crc32", Crc32Checksum),
        ("x-amz-checksum-sha1", Sha1Checksum),
        ("x-amz-checksum-sha256", Sha256Checksum),
    ],
)
@pytest.mark.parametrize("size", [0, 1, 5000, 70000])
def test_unsigned_trailer_from_botocore(name: str, cls: type, size: int) -> None:
    payload = bytes(i % 256 for i in range(size))
    wrapper = AwsChunkedWrapper(io.BytesIO(payload), checksum_cls=cls, checksum_name=name, chunk_size=16384)
    body = wrapper.read()
    req = _request(body, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", size, **{"x-amz-trailer": name})
    decoded = decode_aws_chunked(req, _signed(req), None)
    assert decoded.data == payload
    if size:
        flipped = bytearray(body)
        flipped[body.index(b"\r\n") + 2] ^= 0x40
        assert _error(with_(req, body=bytes(flipped)), None).code == "BadDigest"
    missing = body[: body.rindex(b"0\r\n")] + b"0\r\n\r\n"
    assert _error(with_(req, body=missing), None).code == "MalformedTrailerError"


def test_unsigned_trailer_crc64nvme_and_bad_value() -> None:
    payload = b"hello" * 1000
    name = "x-amz-checksum-crc64nvme"
    body = (
        f"{len(payload):x}\r\n".encode()
        + payload
        + f"\r\n0\r\n{name}:{compute_checksum(name, payload)}\r\n\r\n".encode()
    )
    req = _request(body, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", len(payload), **{"x-amz-trailer": name})
    assert decode_aws_chunked(req, _signed(req), None).data == payload
    bad = with_(req, body=body.replace(compute_checksum(name, payload).encode(), b"!!notbase64"))
    error = _error(bad, None)
    assert (error.code, error.message) == ("InvalidRequest", f"Value for {name} trailing header is invalid.")


# --- fed piece by piece -------------------------------------------------------------------


def _feed(req: HttpRequest, piece: int, secret: str | None = SECRET) -> tuple[bytes, tuple[tuple[str, str], ...]]:
    decoder = ChunkedDecoder(req, _signed(req), secret)
    out = b""
    for i in range(0, len(req.body), piece):
        out += b"".join(decoder.feed(req.body[i : i + piece]))
    return out, decoder.finish()


@pytest.mark.parametrize("piece", [1, 7, 8193, 1 << 20])
def test_decoder_fed_in_any_pieces_decodes_the_documented_example(piece: int) -> None:
    req = _request(_doc_body(), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 66560)
    assert _feed(req, piece) == (b"a" * 66560, ())


@pytest.mark.parametrize("piece", [1, 5, 4096])
def test_decoder_fed_in_pieces_reads_signed_trailers(piece: int) -> None:
    body = _signed_body([9000, 20], ("x-amz-checksum-crc32", ""))
    mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
    req = _request(body, mode, 9020, **{"x-amz-trailer": "x-amz-checksum-crc32"})
    data, trailers = _feed(req, piece)
    assert len(data) == 9020
    assert trailers == (("x-amz-checksum-crc32", compute_checksum("x-amz-checksum-crc32", data)),)
    tampered = _request(
        _signed_body([9000, 20], ("x-amz-checksum-crc32", ""), tamper_trailer=True),
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        9020,
    )
    with pytest.raises(AwsError) as info:
        _feed(tampered, piece)
    assert info.value.code == "SignatureDoesNotMatch"


def test_decoder_memory_is_bounded_by_a_header_line_and_the_trailers() -> None:
    mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    # A chunk header that never ends: refused once past the longest legitimate line.
    endless = _request(b"1" * 10_000, mode, 10)
    decoder = ChunkedDecoder(endless, _signed(endless), SECRET)
    with pytest.raises(AwsError) as info:
        decoder.feed(endless.body)
    assert info.value.code == "IncompleteBody"
    # Trailers that never end: refused past MAX_TRAILER_BYTES.
    trailer_mode = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    body = b"0\r\n" + b"x-amz-meta-a:" + b"b" * (MAX_TRAILER_BYTES + 10)
    endless_trailer = _request(body, trailer_mode, 0)
    decoder = ChunkedDecoder(endless_trailer, _signed(endless_trailer), None)
    with pytest.raises(AwsError) as info:
        decoder.feed(body)
    assert info.value.code == "MalformedTrailerError"
    # Bytes after the final chunk of a body without trailers.
    extra = _request(_doc_body() + b"junk", mode, 66560)
    with pytest.raises(AwsError) as info:
        _feed(extra, 1 << 20)
    assert info.value.code == "IncompleteBody"


def test_decoder_refuses_more_data_than_declared_as_it_arrives() -> None:
    req = _request(_doc_body(), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 100)
    decoder = ChunkedDecoder(req, _signed(req), SECRET)
    with pytest.raises(AwsError) as info:
        decoder.feed(req.body[:200])
    assert info.value.code == "IncompleteBody"
