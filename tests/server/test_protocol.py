"""Bytes that do not parse as HTTP (server/protocol.py): refused in S3's words, and never
in place of the answer to a complete request that came before them.

A client that announces a Content-Length shorter than the body it sends leaves the rest of
the body on the connection, where it reads as the start of a malformed request. The
complete request before it is served (its object is stored); its answer must reach the
client before the refusal, or the client would take a stored write for a failed one.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import pytest

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


# --- one write per response (ResponseCycle) -------------------------------------------------


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


def test_a_head_request_is_answered_in_one_write() -> None:
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


def test_a_streamed_body_is_sent_as_uvicorn_sends_it() -> None:
    writes, closed = _writes(_streamed, ONE)
    assert not closed and writes[0].startswith(b"HTTP/1.1 200 ") and writes[1:] == [b"abc", b"def"]


async def _fails_after_the_head(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"6")]})
    raise RuntimeError("broke between head and body")


async def _stops_after_the_head(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"6")]})


@pytest.mark.parametrize("app", [_fails_after_the_head, _stops_after_the_head])
def test_an_application_stopping_after_its_head_gets_the_head_then_a_close(app: Any) -> None:
    """As uvicorn answers it: the head, then the connection closed short of the length it
    names (how a stored object that fails its check midway is cut off)."""
    writes, closed = _writes(app, ONE)
    assert closed and writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\n"]


def test_serving_a_request_leaves_no_reference_cycle() -> None:
    """A cycle per request is garbage only the collector frees, and it would wake every
    few hundred requests."""
    import gc

    from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        writes, _ = _writes(_echo, ONE, ONE)
        gc.collect()
        kept = [o for o in gc.garbage if isinstance(o, RequestResponseCycle)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert len(writes) == 2
    assert kept == []


# The fast path against uvicorn's own send: the same bytes, the same connection state.
RESPONSES = [
    pytest.param("POST", True, 200, [(b"content-type", b"text/xml"), (b"content-length", b"3")], b"abc", id="plain"),
    pytest.param("POST", True, 404, [(b"Content-Length", b"0"), (b"X-Amz-Id", b"v")], b"", id="names-lowered"),
    pytest.param("POST", False, 200, [(b"content-length", b"2")], b"ok", id="client-asked-close"),
    pytest.param("HEAD", True, 200, [(b"content-length", b"10")], b"", id="head-keeps-length"),
    pytest.param("GET", True, 200, [(b"content-length", b"2"), (b"connection", b"close")], b"ok", id="app-closes"),
    pytest.param("GET", True, 200, [(b"transfer-encoding", b"chunked")], b"ok", id="chunked"),
    pytest.param("GET", True, 200, [], b"ok", id="no-length"),
    pytest.param("GET", True, 200, [(b"content-length", b"5")], b"ok", id="short-body"),
    pytest.param("GET", True, 200, [(b"content-length", b"2"), (b"x-v", b"a\tb")], b"ok", id="tab-in-value"),
    pytest.param("GET", True, 200, [(b"content-length", b"2"), (b"x-v", b"a\r\nb")], b"ok", id="crlf-in-value"),
    pytest.param("GET", True, 200, [(b"content-length", b"2"), (b"x-v", b"a\x00")], b"ok", id="nul-in-value"),
    pytest.param("GET", True, 200, [(b"content-length", b"2"), (b"x v", b"a")], b"ok", id="space-in-name"),
    pytest.param("GET", True, 200, [(b"content-length", b"2"), (b"x:", b"a")], b"ok", id="colon-in-name"),
]


@pytest.mark.parametrize(("method", "keep_alive", "status", "headers", "body"), RESPONSES)
def test_a_whole_response_is_written_as_uvicorn_writes_it(
    method: str, keep_alive: bool, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    from uvicorn.protocols.http.flow_control import FlowControl
    from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

    from credmint.server.protocol import ResponseCycle

    async def answer(kind: type[RequestResponseCycle]) -> tuple[bytes, bool, str | None, bool]:
        transport = MemoryTransport()
        completed = []
        cycle = kind(
            scope={"method": method, "type": "http"},  # type: ignore[typeddict-item]
            transport=transport,
            flow=FlowControl(transport),
            logger=logging.getLogger("test"),
            access_logger=logging.getLogger("test.access"),
            access_log=False,
            default_headers=[(b"server", b"uvicorn"), (b"date", b"Mon, 07 Dec 2026 07:00:00 GMT")],
            message_event=asyncio.Event(),
            expect_100_continue=False,
            keep_alive=keep_alive,
            on_response=lambda: completed.append(True),
        )
        failure = None
        try:
            await cycle.send({"type": "http.response.start", "status": status, "headers": headers})
            await cycle.send({"type": "http.response.body", "body": body})
        except RuntimeError as err:
            failure = str(err)
        return transport.written, transport.closed, failure, bool(completed)

    assert asyncio.run(answer(ResponseCycle)) == asyncio.run(answer(RequestResponseCycle))
