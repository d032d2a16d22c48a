"""Object bodies streamed to disk and back, against the real server: large presigned
uploads with ``curl -T`` in bounded memory, 80 MiB through the AWS CLI (``aws s3 cp`` and a
single ``put-object``), signed aws-chunked bodies sent piece by piece,
refused bodies leaving nothing behind, and S3's 5 GiB limit."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import Server, start_server
from tests.s3.helpers import aws_cli, make_bucket

pytestmark = pytest.mark.e2e

MiB = 1024**2
EMPTY = hashlib.sha256(b"").hexdigest()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own, so that its peak RSS is this module's doing."""
    srv = start_server(tmp_path_factory.mktemp("upload-rss"))
    yield srv
    srv.stop()


@pytest.fixture
def s3(server: Server) -> Any:
    return server.client("s3")


@pytest.fixture
def bucket(s3: Any) -> Iterator[str]:
    yield from make_bucket(s3)


def _peak_rss_kib(pid: int) -> int:
    """The process's peak resident set (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _big_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    block = os.urandom(MiB)
    with path.open("wb") as f:
        for _ in range(size // MiB):
            f.write(block)
            digest.update(block)
    return digest.hexdigest()


def _blob_dirs(server: Server) -> list[Path]:
    root = server.data_dir / "objects"
    return [p for p in root.rglob("*") if p.is_file()]


def test_100_mib_presigned_put_and_get_with_curl_in_bounded_memory(fresh: Server, tmp_path: Path) -> None:
    """The 64 MiB in-memory cap is gone: a 100 MiB single PUT through a presigned URL (as a
    browser or ``curl -T`` sends it) is stored, and read back, while the server's peak RSS
    grows by far less than the object (the body passes through a 1 MiB batch)."""
    size = 100 * MiB
    src = tmp_path / "big.bin"
    digest = _big_file(src, size)
    server = fresh
    s3v4 = server.client("s3", config={"signature_version": "s3v4"})
    bucket = next(make_bucket(s3v4))
    before = _peak_rss_kib(server.process.pid)
    put_url = s3v4.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "big"}, ExpiresIn=600)
    out = subprocess.run(
        ["curl", "-sS", "-f", "-T", str(src), put_url], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr + out.stdout
    head = s3v4.head_object(Bucket=bucket, Key="big")
    assert head["ContentLength"] == size
    get_url = s3v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "big"}, ExpiresIn=600)
    back = tmp_path / "back.bin"
    out = subprocess.run(
        ["curl", "-sS", "-f", "-o", str(back), get_url], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
    assert hashlib.sha256(back.read_bytes()).hexdigest() == digest
    growth_mib = (_peak_rss_kib(server.process.pid) - before) / 1024
    assert growth_mib < 40, f"peak RSS grew by {growth_mib:.1f} MiB for a 100 MiB upload and download"


def test_upload_part_streams_too(fresh: Server, tmp_path: Path) -> None:
    size = 70 * MiB  # past the old 64 MiB in-memory cap
    src = tmp_path / "part.bin"
    digest = _big_file(src, size)
    server = fresh
    s3 = server.client("s3")
    bucket = next(make_bucket(s3))
    s3v4 = server.client("s3", config={"signature_version": "s3v4"})
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    before = _peak_rss_kib(server.process.pid)
    url = s3v4.generate_presigned_url(
        "upload_part",
        Params={"Bucket": bucket, "Key": "mp", "UploadId": up["UploadId"], "PartNumber": 1},
        ExpiresIn=600,
    )
    out = subprocess.run(["curl", "-sS", "-f", "-D", "-", "-T", str(src), url], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    etag = next(line.split(":", 1)[1].strip() for line in out.stdout.splitlines() if line.lower().startswith("etag"))
    s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=up["UploadId"], MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}
    )
    body = s3.get_object(Bucket=bucket, Key="mp")["Body"]
    h = hashlib.sha256()
    for piece in iter(lambda: body.read(MiB), b""):
        h.update(piece)
    assert h.hexdigest() == digest
    assert (_peak_rss_kib(server.process.pid) - before) / 1024 < 40


def _stamped_sparse_file(path: Path, size: int) -> str:
    """A sparse file of ``size`` bytes with random bytes at the start of every MiB, so that
    no two parts are alike (a part stored out of order shows) at little disk cost; its
    SHA-256."""
    with path.open("wb") as f:
        f.truncate(size)
        for offset in range(0, size, MiB):
            f.seek(offset)
            f.write(os.urandom(64))
    return _sha256_of(path)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for piece in iter(lambda: f.read(MiB), b""):
            digest.update(piece)
    return digest.hexdigest()


def _md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for piece in iter(lambda: f.read(MiB), b""):
            digest.update(piece)
    return digest.hexdigest()


@pytest.fixture
def eighty_mib(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """An 80 MiB file (past the old 64 MiB cap) and its SHA-256, removed after the test."""
    src = tmp_path / "big.bin"
    digest = _stamped_sparse_file(src, 80 * MiB)
    yield src, digest
    for path in tmp_path.iterdir():
        path.unlink()


def test_aws_s3_cp_of_80_mib_up_and_down(server: Server, bucket: str, eighty_mib: tuple[Path, str]) -> None:
    """``aws s3 cp`` sends it as a multipart upload of 8 MiB parts and reads it back."""
    src, digest = eighty_mib
    r = aws_cli(server, "s3", "cp", str(src), f"s3://{bucket}/big.bin")
    assert r.returncode == 0, r.stderr
    r = aws_cli(server, "s3api", "head-object", "--bucket", bucket, "--key", "big.bin")
    head = json.loads(r.stdout)
    assert (head["ContentLength"], head["ETag"][-4:]) == (80 * MiB, '-10"')
    back = src.with_name("back.bin")
    r = aws_cli(server, "s3", "cp", f"s3://{bucket}/big.bin", str(back))
    assert r.returncode == 0, r.stderr
    assert _sha256_of(back) == digest


def test_aws_s3api_single_put_of_80_mib(server: Server, bucket: str, eighty_mib: tuple[Path, str]) -> None:
    """``aws s3api put-object --body`` sends it as one PUT: stored whole (a plain MD5 ETag)."""
    src, digest = eighty_mib
    r = aws_cli(server, "s3api", "put-object", "--bucket", bucket, "--key", "single.bin", "--body", str(src))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ETag"] == f'"{_md5_of(src)}"'
    back = src.with_name("back.bin")
    r = aws_cli(server, "s3api", "get-object", "--bucket", bucket, "--key", "single.bin", str(back))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ContentLength"] == 80 * MiB
    assert _sha256_of(back) == digest


def _signed_head(server: Server, path: str, payload_hash: str, extra: dict[str, str]) -> dict[str, str]:
    """Headers of a PUT signed by botocore with the given x-amz-content-sha256."""

    class _Auth(S3SigV4Auth):  # type: ignore[misc]  # botocore is untyped
        def payload(self, request: Any) -> str:
            return payload_hash

    req = AWSRequest(method="PUT", url=server.url + path, headers=extra)
    _Auth(Credentials(server.access_key_id, server.secret_access_key), "s3", "us-east-1").add_auth(req)
    return dict(req.headers.items())


def _chunk_signature(server: Server, headers: dict[str, str], previous: str, data: bytes) -> str:
    amz_date = headers["X-Amz-Date"]
    scope = f"{amz_date[:8]}/us-east-1/s3/aws4_request"
    key = ("AWS4" + server.secret_access_key).encode()
    for part in (amz_date[:8], "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    text = "\n".join(
        ["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, EMPTY, hashlib.sha256(data).hexdigest()]
    )
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _put_chunked(server: Server, path: str, chunks: list[bytes], *, tamper: int | None = None) -> tuple[int, bytes]:
    """A STREAMING-AWS4-HMAC-SHA256-PAYLOAD PUT, sent chunk by chunk over one connection."""
    decoded = sum(len(c) for c in chunks)
    headers = _signed_head(
        server,
        path,
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(decoded)},
    )
    previous = headers["Authorization"].rsplit("Signature=", 1)[1]
    framed = []
    for i, data in enumerate([*chunks, b""]):
        previous = _chunk_signature(server, headers, previous, data)
        if tamper == i:
            data = bytes([data[0] ^ 1]) + data[1:]
        framed.append(f"{len(data):x};chunk-signature={previous}\r\n".encode() + data + b"\r\n")
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.putrequest("PUT", path, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.putheader("Content-Length", str(sum(len(f) for f in framed)))
    conn.endheaders()
    try:
        for piece in framed:
            conn.send(piece)
    except (BrokenPipeError, ConnectionResetError):
        pass  # answered before the end (a refusal); the answer is read below
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_signed_aws_chunked_upload_streams_in(server: Server, s3: Any, bucket: str) -> None:
    chunks = [os.urandom(64 * 1024) for _ in range(40)] + [os.urandom(1000)]
    status, body = _put_chunked(server, f"/{bucket}/chunked", chunks)
    assert status == 200, body
    assert s3.get_object(Bucket=bucket, Key="chunked")["Body"].read() == b"".join(chunks)


def test_refused_bodies_leave_nothing_and_the_previous_object_intact(
    server: Server, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"previous")
    files = set(_blob_dirs(server))
    # A chunk changed in flight: its signature fails midway through the body.
    chunks = [os.urandom(64 * 1024) for _ in range(40)]
    status, body = _put_chunked(server, f"/{bucket}/k", chunks, tamper=30)
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body
    # A body whose SHA-256 is not the signed one: found only at its end.
    data = os.urandom(3 * MiB)
    headers = _signed_head(server, f"/{bucket}/k", hashlib.sha256(b"other").hexdigest(), {})
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.request("PUT", f"/{bucket}/k", body=data, headers=headers)
    response = conn.getresponse()
    assert response.status == 400 and b"<Code>XAmzContentSHA256Mismatch</Code>" in response.read()
    conn.close()
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"previous"
    # No new blob, no temporary file left.
    assert set(_blob_dirs(server)) == files


def test_past_5_gib_is_entity_too_large_before_the_body(server: Server, bucket: str) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    too_big = 5 * 1024**3 + 1
    for extra, length in (
        ({}, too_big),
        ({"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(too_big)}, 1000),
    ):
        payload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" if extra else "UNSIGNED-PAYLOAD"
        headers = _signed_head(server, f"/{bucket}/huge", payload, extra)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.putrequest("PUT", f"/{bucket}/huge", skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(length))
        conn.endheaders()  # the head alone: the answer comes without the body
        response = conn.getresponse()
        assert response.status == 400
        assert b"<Code>EntityTooLarge</Code>" in response.read()
        conn.close()


# --- the spool on its own -----------------------------------------------------------------


def _spool(tmp_path: Path, headers: dict[str, str]) -> Any:
    from credmint.httpreq import HttpRequest
    from credmint.s3.blobs import BlobStore
    from credmint.s3.upload import UploadSpool
    from credmint.sealing import MasterKey

    req = HttpRequest("PUT", "/b/k", "", tuple((k.lower(), v) for k, v in headers.items()))
    store = BlobStore(tmp_path / "objects")
    return store, UploadSpool(req, None, None, store, MasterKey.generate(), allow_sse_c_over_http=False)


def test_spool_refuses_past_the_limit_as_data_arrives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from credmint.errors import AwsError
    from credmint.s3 import upload

    monkeypatch.setattr(upload, "MAX_UPLOAD_SIZE", 10)
    store, spool = _spool(tmp_path, {})
    spool.feed([b"12345"])
    with pytest.raises(AwsError) as info:
        spool.feed([b"123456"])
    assert info.value.code == "EntityTooLarge"
    spool.discard()
    assert list(store.tmp.iterdir()) == []


def test_spool_checks_content_md5_and_header_checksums(tmp_path: Path) -> None:
    import base64

    from credmint.errors import AwsError

    body = b"hello world"
    good = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
    _, spool = _spool(tmp_path, {"Content-MD5": good, "x-amz-checksum-sha256": base64.b64encode(
        hashlib.sha256(body).digest()).decode()})  # fmt: skip
    spool.feed([body[:5], body[5:]])
    done = spool.finish()
    assert done.etag_hex == hashlib.md5(body, usedforsecurity=False).hexdigest() and done.size == len(body)
    done.discard()
    for headers, code in (
        ({"Content-MD5": base64.b64encode(b"x" * 16).decode()}, "BadDigest"),
        ({"x-amz-checksum-crc32": "AAAAAA=="}, "BadDigest"),
        ({"Content-MD5": "not base64"}, "InvalidDigest"),
    ):
        store, spool = _spool(tmp_path, headers)
        spool.feed([body])
        with pytest.raises(AwsError) as info:
            spool.finish()
        assert info.value.code == code
        spool.discard()
        assert list(store.tmp.iterdir()) == []


@pytest.mark.parametrize("sent", [10, 3 * MiB // 2])
def test_a_put_cut_short_leaves_the_stored_object_as_it_was(server: Server, s3: Any, bucket: str, sent: int) -> None:
    """A client that goes away before its declared Content-Length (a crash, a reset on the
    way) stores nothing: S3 answers IncompleteBody and keeps the object it had."""
    s3.put_object(Bucket=bucket, Key="kept", Body=b"the original")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "kept"}, ExpiresIn=300)
    target = url.split("://", 1)[1].split("/", 1)[1]
    host, port = server.url.split("://", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("PUT", "/" + target, skip_accept_encoding=True)
    conn.putheader("Content-Length", str(3 * MiB))
    conn.endheaders()
    conn.send(b"x" * sent)
    conn.close()
    # The server notices the client gone, refuses the body, and keeps the original.
    for _ in range(50):
        got = s3.get_object(Bucket=bucket, Key="kept")["Body"].read()
        assert got == b"the original"
    assert s3.head_object(Bucket=bucket, Key="kept")["ContentLength"] == len(b"the original")
