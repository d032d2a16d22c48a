"""Bytes that do not parse as HTTP (server/protocol.py): refused in S3's words, and never
in place of the answer to a complete request that came before them.

A client that announces a Content-Length shorter than the body it sends leaves the rest of
the body on the connection, where it reads as the start of a malformed request. The
complete request before it is served (its object is stored); its answer must reach the
client before the refusal, or the client would take a stored write for a failed one.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from tests.server.protocol_support import MemoryTransport, connect


async def _echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers each request with the body it received."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if message["type"] != "http.request" or not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})


def _serve(*pieces: bytes) -> tuple[list[int], bytes, bool]:
    """Feed ``pieces`` to one connection; (statuses answered in order, the last answer's
    body, whether the connection was closed)."""

    async def run() -> tuple[list[int], bytes, bool]:
        protocol = connect(_echo)
        transport = protocol.transport
        assert isinstance(transport, MemoryTransport)
        for piece in pieces:
            protocol.data_received(piece)
            for _ in range(5):
                await asyncio.sleep(0)
        written = transport.written
        statuses = [int(s) for s in re.findall(rb"HTTP/1\.1 (\d{3}) ", written)]
        last_body = written.rsplit(b"\r\n\r\n", 1)[-1]
        closed = transport.closed
        protocol.connection_lost(None)
        return statuses, last_body, closed

    return asyncio.run(run())


def test_a_request_that_does_not_parse_is_refused_in_s3s_words() -> None:
    statuses, body, closed = _serve(b"\x16\x03\x01 not http\r\n\r\n")
    assert statuses == [400] and closed
    assert b"<Code>BadRequest</Code>" in body
    assert b"An error occurred when parsing the HTTP request." in body


def test_a_body_longer_than_its_content_length_is_answered_before_the_refusal() -> None:
    statuses, body, closed = _serve(b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nbar")
    assert statuses == [200, 400] and closed
    assert b"<Code>BadRequest</Code>" in body


def test_pipelined_requests_are_all_answered_before_the_refusal() -> None:
    one = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na"
    statuses, _, closed = _serve(one + one + b"\x00junk\r\n\r\n")
    assert statuses == [200, 200, 400] and closed


def test_junk_in_the_middle_of_a_body_refuses_at_once() -> None:
    """A chunked body that breaks off into junk is not a complete request: nothing is
    answered for it but the refusal (the application sees the client gone)."""
    head = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    statuses, body, closed = _serve(head + b"3\r\nab", b"zz\r\n")
    assert statuses == [400] and closed
    assert b"<Code>BadRequest</Code>" in body


def test_a_well_formed_connection_is_left_open() -> None:
    one = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na"
    statuses, body, closed = _serve(one, one)
    assert statuses == [200, 200] and body == b"a" and not closed
