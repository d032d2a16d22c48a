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


# --- one write per response (ResponseTransport) ---------------------------------------------


def _writes(app: Any, *pieces: bytes) -> tuple[list[bytes], bool]:
    """Feed ``pieces`` to one connection serving ``app``: (each write, whether closed)."""

    async def run() -> tuple[list[bytes], bool]:
        protocol = connect(app)
        transport = protocol.transport
        assert isinstance(transport, MemoryTransport)
        for piece in pieces:
            protocol.data_received(piece)
            for _ in range(5):
                await asyncio.sleep(0)
        writes, closed = list(transport.writes), transport.closed
        protocol.connection_lost(None)
        return writes, closed

    return asyncio.run(run())


ONE = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na"


def test_a_response_head_and_body_go_out_in_one_write() -> None:
    writes, closed = _writes(_echo, ONE, ONE)
    assert len(writes) == 2 and not closed
    for write in writes:
        assert write.startswith(b"HTTP/1.1 200 ") and write.endswith(b"\r\n\r\na")


def test_a_head_request_is_answered_without_a_body_write() -> None:
    writes, closed = _writes(_echo, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert len(writes) == 1 and writes[0].startswith(b"HTTP/1.1 200 ") and not closed


def test_an_interim_continue_is_not_held() -> None:
    """The client waits for ``100 Continue`` before it sends the body: held, the request
    would stall until its deadline."""
    head = b"PUT /b/k HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"

    async def run() -> list[bytes]:
        protocol = connect(_echo)
        transport = protocol.transport
        assert isinstance(transport, MemoryTransport)
        protocol.data_received(head)
        for _ in range(5):
            await asyncio.sleep(0)
        before_body = list(transport.writes)
        protocol.data_received(b"abc")
        for _ in range(5):
            await asyncio.sleep(0)
        protocol.connection_lost(None)
        assert before_body == [b"HTTP/1.1 100 Continue\r\n\r\n"]
        return transport.writes

    writes = asyncio.run(run())
    assert len(writes) == 2 and writes[1].startswith(b"HTTP/1.1 200 ") and writes[1].endswith(b"abc")


async def _streamed(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"6")]})
    await send({"type": "http.response.body", "body": b"abc", "more_body": True})
    await send({"type": "http.response.body", "body": b"def"})


def test_a_streamed_body_sends_its_head_with_the_first_piece() -> None:
    writes, _ = _writes(_streamed, ONE)
    assert len(writes) == 2
    assert writes[0].startswith(b"HTTP/1.1 200 ") and writes[0].endswith(b"\r\n\r\nabc")
    assert writes[1] == b"def"


async def _fails_after_the_head(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"6")]})
    raise RuntimeError("broke between head and body")


def test_a_head_held_when_the_application_fails_goes_out_before_the_close() -> None:
    """As without holding: the client gets the head, then the connection closes short."""
    writes, closed = _writes(_fails_after_the_head, ONE)
    assert closed and len(writes) == 1 and writes[0].startswith(b"HTTP/1.1 200 ")


def test_serving_a_request_leaves_no_reference_cycle() -> None:
    """The held head's transport must not point back at the request cycle: a cycle per
    request is garbage only the collector frees, and it wakes every few hundred requests."""
    import gc

    from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

    from credmint.server.protocol import ResponseTransport

    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        writes, _ = _writes(_echo, ONE, ONE)
        gc.collect()
        kept = [o for o in gc.garbage if isinstance(o, (ResponseTransport, RequestResponseCycle))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert len(writes) == 2
    assert kept == []
