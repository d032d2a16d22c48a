"""Limits that hold before a caller is authenticated, against the real server with raw
sockets: the request head's size, field count and arrival time, the body's arrival time,
the memory bodies may take, open connections, and uploads refused before their body is read."""

from __future__ import annotations

import contextlib
import http.client
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import Server, start_server

pytestmark = pytest.mark.e2e

LIMITS = {
    "CREDMINT_HEADER_TIMEOUT": "1",
    "CREDMINT_BODY_TIMEOUT": "1",
    "CREDMINT_MIN_BODY_RATE": "65536",
    "CREDMINT_MAX_BUFFERED_BODY_BYTES": str(4 * 1024**2),
    "CREDMINT_MAX_CONNECTIONS": "40",
}
#: What a test waits at most for an answer; the limits above are a second or two.
PATIENCE = 15.0


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("limited"), extra_env=LIMITS)
    yield srv
    srv.stop()


def _connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=PATIENCE)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    out = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        out += chunk
    return out


def _response(sock: socket.socket) -> bytes:
    """One whole response (head and ``Content-Length`` body) from a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def _send_quietly(sock: socket.socket, data: bytes) -> None:
    # The server may close before it has read it all.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(data)


@pytest.mark.parametrize(
    "head",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
        b"GET /" + b"p" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(150)) + b"\r\n",
    ],
    ids=["one-huge-field", "huge-target", "too-many-fields"],
)
def test_oversized_head_is_400_and_closed(limited: Server, head: bytes) -> None:
    with _connect(limited) as sock:
        _send_quietly(sock, head)
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"<Code>RequestHeaderSectionTooLarge</Code>" in answer


def test_head_at_the_limit_is_served(limited: Server) -> None:
    with _connect(limited) as sock:
        sock.sendall(b"GET /_credmint/health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 30_000 + b"\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")


def test_endless_head_is_cut_without_being_held(limited: Server) -> None:
    """A head that never ends is refused once past the limit, not buffered."""
    with _connect(limited) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ")
        sent = 0
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            while sent < 64 * 1024**2:
                sock.sendall(b"a" * 65536)
                sent += 65536
        assert sent < 8 * 1024**2


def test_slow_head_is_cut(limited: Server) -> None:
    with _connect(limited) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        answer = b""
        while time.monotonic() - started < PATIENCE:
            try:
                sock.sendall(b"X")  # one byte of a header name at a time
            except (BrokenPipeError, ConnectionResetError):
                break
            sock.settimeout(0.3)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                # The answer came in an earlier read; the byte sent after it found the
                # connection closed with input unread, which the kernel answers with a reset.
                break
            if not chunk:
                break
            answer += chunk
        assert b"<Code>RequestTimeout</Code>" in answer
        assert time.monotonic() - started < PATIENCE


def test_idle_connection_without_a_byte_is_cut(limited: Server) -> None:
    with _connect(limited) as sock:
        assert b"<Code>RequestTimeout</Code>" in _answer(sock)


def test_slow_body_is_cut(limited: Server) -> None:
    head = (
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
    )
    with _connect(limited) as sock:
        sock.sendall(head)
        started = time.monotonic()
        answer = b""
        sock.settimeout(0.3)
        while time.monotonic() - started < PATIENCE:
            try:
                sock.sendall(b"A")
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"<Code>RequestTimeout</Code>" in answer


def _signed_put_head(server: Server, path: str, signed_body: bytes, *, secret: str) -> bytes:
    """The head of a PUT whose signature covers ``signed_body`` (by its SHA-256)."""
    req = AWSRequest(method="PUT", url=server.url + path, data=signed_body)
    S3SigV4Auth(Credentials(server.access_key_id, secret), "s3", "us-east-1").add_auth(req)
    lines = [f"PUT {path} HTTP/1.1", f"Host: {server.url.removeprefix('http://')}"]
    lines += [f"{k}: {v}" for k, v in req.headers.items() if k.lower() not in ("host", "content-length")]
    lines.append(f"Content-Length: {len(signed_body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.fixture(scope="module")
def bucket(limited: Server) -> str:
    s3 = limited.client("s3")
    s3.create_bucket(Bucket="preauth-limits")
    return "preauth-limits"


@pytest.mark.parametrize("kind", ["unsigned", "wrong-secret", "unknown-key"])
def test_large_upload_is_refused_before_its_body_is_read(limited: Server, bucket: str, kind: str) -> None:
    length = 50 * 1024**2
    if kind == "unsigned":
        head = f"PUT /{bucket}/big HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode()
        expected = b"<Code>EntityTooLarge</Code>"
    else:
        server = limited
        if kind == "unknown-key":
            server = Server(limited.url, limited.data_dir, "", "AKIAIOSFODNN7EXAMPLE", "", limited.process)
        head = _signed_put_head(server, f"/{bucket}/big", bytes(length), secret="wrong" * 8)
        expected = b"<Code>SignatureDoesNotMatch</Code>" if kind == "wrong-secret" else b"<Code>InvalidAccessKeyId"
    with _connect(limited) as sock:
        sock.sendall(head)  # the head alone: the answer must come without the body
        answer = _answer(sock)
    assert expected in answer
    assert b"connection: close" in answer.lower()


@pytest.mark.parametrize("kind", ["unsigned", "wrong-secret", "no-such-bucket"])
def test_a_client_that_sends_its_whole_upload_reads_the_refusal(limited: Server, bucket: str, kind: str) -> None:
    """A client that does not wait for ``100 Continue`` sends its body after the refusal
    was sent: the server reads and drops it and closes after, so the client's send
    completes and it reads the refusal (a close with the body unread is answered by the
    kernel with a reset, which fails the send)."""
    body = bytes(20 * 1024**2)
    if kind == "unsigned":
        connection = http.client.HTTPConnection(limited.url.removeprefix("http://"), timeout=PATIENCE)
        connection.request("PUT", f"/{bucket}/whole", body=body)
        answer = connection.getresponse()
        assert answer.status == 400
        assert b"<Code>EntityTooLarge</Code>" in answer.read()
        connection.close()
        return
    path = f"/{bucket}/whole" if kind == "wrong-secret" else "/no-such-bucket-here/whole"
    secret = "wrong" * 8 if kind == "wrong-secret" else limited.secret_access_key
    expected = b"<Code>SignatureDoesNotMatch</Code>" if kind == "wrong-secret" else b"<Code>NoSuchBucket</Code>"
    with _connect(limited) as sock:
        sock.sendall(_signed_put_head(limited, path, body, secret=secret) + body)
        assert expected in _answer(sock)


def test_a_client_that_goes_on_sending_after_a_refusal_is_cut(limited: Server, bucket: str) -> None:
    """What the server drops after a refusal is bounded (64 MiB after an unread body)."""
    head = f"PUT /{bucket}/endless HTTP/1.1\r\nHost: x\r\nContent-Length: {2**40}\r\n\r\n".encode()
    sent = 0
    with _connect(limited) as sock:
        sock.sendall(head)
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            while sent < 2**30:
                sock.sendall(bytes(1024**2))
                sent += 1024**2
    assert sent < 128 * 1024**2


def test_signed_upload_with_a_wrong_body_hash_is_refused(limited: Server, bucket: str) -> None:
    body = b"x" * 100_000
    head = _signed_put_head(limited, f"/{bucket}/k", b"y" * len(body), secret=limited.secret_access_key)
    with _connect(limited) as sock:
        sock.sendall(head + body)
        answer = _response(sock)
    assert b"<Code>XAmzContentSHA256Mismatch</Code>" in answer


def test_signed_upload_streams_in_and_is_stored(limited: Server, bucket: str) -> None:
    body = b"z" * (3 * 1024**2)
    head = _signed_put_head(limited, f"/{bucket}/k3", body, secret=limited.secret_access_key)
    with _connect(limited) as sock:
        sock.sendall(head + body)
        answer = _response(sock)
        assert answer.startswith(b"HTTP/1.1 200 "), answer
    got = limited.client("s3").get_object(Bucket=bucket, Key="k3")["Body"].read()
    assert got == body


def test_body_past_the_memory_budget_is_503(limited: Server, bucket: str) -> None:
    # A body read into memory (a configuration document, not object data) reserves its
    # declared length: 5 MiB is past the 4 MiB budget of this server.
    length = 5 * 1024**2
    head = _signed_put_head(limited, f"/{bucket}?tagging", bytes(length), secret=limited.secret_access_key)
    with _connect(limited) as sock:
        sock.sendall(head)
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 503 ")
    assert b"<Code>SlowDown</Code>" in answer


def test_streamed_uploads_each_take_one_batch_of_the_budget(limited: Server, bucket: str) -> None:
    # Object data is streamed to disk; each upload in flight holds one 1 MiB batch of the
    # budget, whatever its size: four fill this server's 4 MiB, the fifth is refused.
    length = 3 * 1024**2
    body = bytes(length)
    held = []
    try:
        for i in range(4):
            sock = _connect(limited)
            sock.sendall(_signed_put_head(limited, f"/{bucket}/held{i}", body, secret=limited.secret_access_key))
            sock.sendall(body[:65536])  # started, not finished: the batch stays reserved
            held.append(sock)
        time.sleep(0.5)
        with _connect(limited) as sock:
            sock.sendall(_signed_put_head(limited, f"/{bucket}/fifth", body, secret=limited.secret_access_key))
            answer = _answer(sock)
    finally:
        for sock in held:
            sock.close()
    assert answer.startswith(b"HTTP/1.1 503 "), answer[:200]
    assert b"<Code>SlowDown</Code>" in answer


def test_connections_past_the_limit_get_503(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "d", extra_env={"CREDMINT_MAX_CONNECTIONS": "5"})
    try:
        held = [_connect(srv) for _ in range(6)]
        with _connect(srv) as sock:
            sock.sendall(b"GET /_credmint/health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(65536).startswith(b"HTTP/1.1 503 ")
        for s in held:
            s.close()
    finally:
        srv.stop()


def test_idle_time_between_requests_is_not_charged_to_the_next_head(limited: Server) -> None:
    """The head deadline runs while a head is being sent, not while a kept-alive
    connection waits between requests (uvicorn's keep-alive timeout, 5 s, covers that)."""
    request = b"GET /_credmint/health HTTP/1.1\r\nHost: x\r\n\r\n"
    with _connect(limited) as sock:
        sock.sendall(request)
        assert _response(sock).startswith(b"HTTP/1.1 200 ")
        time.sleep(2.5)  # past this server's 1 s head deadline, within keep-alive
        sock.sendall(request)
        assert _response(sock).startswith(b"HTTP/1.1 200 ")


def test_upload_is_authorized_before_its_body_is_read(limited: Server) -> None:
    # Correctly signed, but to a bucket that does not exist: the answer comes from the head
    # alone (the body is never sent), and the connection is closed with the body unread.
    length = 50 * 1024**2
    head = _signed_put_head(limited, "/no-such-bucket-here/big", bytes(length), secret=limited.secret_access_key)
    with _connect(limited) as sock:
        sock.sendall(head)
        answer = _answer(sock)
    assert b"<Code>NoSuchBucket</Code>" in answer
    assert b"connection: close" in answer.lower()
