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

from credmint.server import protocol as protocol_module
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
        closed = transport.ended
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


def test_past_the_connection_limit_the_answer_is_an_error_document() -> None:
    """Over ``max_connections`` a request is answered ServiceUnavailable (503, which every
    SDK retries) in an error document, not uvicorn's plain text, and the connection closes."""

    async def run() -> tuple[bytes, bool]:
        protocol = connect(_echo)
        transport = protocol.transport
        assert isinstance(transport, MemoryTransport)
        protocol.limit_concurrency = 1  # this connection is the one allowed: the limit is reached
        protocol.data_received(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na")
        for _ in range(5):
            await asyncio.sleep(0)
        written, closed = transport.written, transport.ended
        protocol.connection_lost(None)
        return written, closed

    written, closed = asyncio.run(run())
    assert written.startswith(b"HTTP/1.1 503 ") and closed
    assert b"<Code>ServiceUnavailable</Code>" in written


def test_a_well_formed_connection_is_left_open() -> None:
    one = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na"
    statuses, body, closed = _serve(one, one)
    assert statuses == [200, 200] and body == b"a" and not closed


# --- a chunked body's framing and trailer fields --------------------------------------------
# Trailer fields come after the body, where the head's limits no longer ran: without their own
# bound, one connection could make the server hold gigabytes of them.

_CHUNKED = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"


def test_trailer_fields_are_dropped_and_the_body_answered() -> None:
    seen: list[list[tuple[bytes, bytes]]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await _echo(scope, receive, send)
        seen.append(list(scope["headers"]))

    async def run() -> bytes:
        protocol = connect(app)
        transport = protocol.transport
        assert isinstance(transport, MemoryTransport)
        protocol.data_received(_CHUNKED + b"3\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: 1\r\nx-other: 2\r\n\r\n")
        for _ in range(5):
            await asyncio.sleep(0)
        protocol.connection_lost(None)
        return transport.written

    written = asyncio.run(run())
    assert written.startswith(b"HTTP/1.1 200 ") and written.endswith(b"\r\n\r\nabcde")
    assert [name for name, _ in seen[0]] == [b"host", b"transfer-encoding"]


def test_header_fields_reach_the_application_lower_cased_and_trimmed() -> None:
    seen: list[list[tuple[bytes, bytes]]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(list(scope["headers"]))
        await _echo(scope, receive, send)

    async def run() -> None:
        protocol = connect(app)
        protocol.data_received(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Meta-A: v \t\r\nContent-Length: 1\r\n\r\na")
        for _ in range(5):
            await asyncio.sleep(0)
        protocol.connection_lost(None)

    asyncio.run(run())
    assert seen == [[(b"host", b"x"), (b"x-amz-meta-a", b"v"), (b"content-length", b"1")]]


def test_too_many_trailer_fields_are_refused() -> None:
    fields = b"".join(b"f%d: v\r\n" % i for i in range(101))
    statuses, body, closed = _serve(_CHUNKED + b"1\r\na\r\n0\r\n" + fields + b"\r\n")
    assert statuses == [400] and closed
    assert b"<Code>RequestHeaderSectionTooLarge</Code>" in body


def test_an_endless_trailer_field_is_cut_as_an_endless_header_field_is() -> None:
    piece = b"y" * 16 * 1024
    statuses, body, closed = _serve(_CHUNKED + b"1\r\na\r\n0\r\nx-endless: ", *[piece] * 5)
    assert statuses == [400] and closed
    assert b"<Code>RequestHeaderSectionTooLarge</Code>" in body


def test_a_chunk_extension_counts_as_framing() -> None:
    piece = b"e" * 16 * 1024
    statuses, body, closed = _serve(_CHUNKED + b"1;ext=", *[piece] * 5)
    assert statuses == [400] and closed
    assert b"<Code>RequestHeaderSectionTooLarge</Code>" in body


def test_many_small_chunks_are_framing_within_bounds() -> None:
    chunks = b"1\r\nz\r\n" * 20_000
    statuses, body, closed = _serve(_CHUNKED + chunks + b"0\r\n\r\n")
    assert statuses == [200] and body == b"z" * 20_000 and not closed


# --- the staged close -------------------------------------------------------------------------
# A close that may leave the client's bytes unread shuts the write side, then reads and drops
# what still comes, within bounds: closing at once makes the kernel answer the unread bytes
# with a reset, which a client still sending takes for a failed connection.


async def _unread_upload(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Refuses every request from its head, leaving the body unread (as an upload refused
    before its body is read is)."""
    headers = [(b"content-length", b"2"), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": b"no"})


class _Clock:
    """The protocol's loop as its timers see it: time moves only when a test says, and due
    timers run then (the rest of the loop is the real one)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.now = 0.0
        self._timers: list[tuple[float, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loop, name)

    def time(self) -> float:
        return self.now

    def call_later(self, delay: float, callback: Any) -> asyncio.TimerHandle:
        handle = asyncio.TimerHandle(self.now + delay, callback, (), self._loop)
        self._timers.append((self.now + delay, handle))
        return handle

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [(when, h) for when, h in self._timers if when <= self.now]
        self._timers = [(when, h) for when, h in self._timers if when > self.now]
        for _, handle in sorted(due, key=lambda item: item[0]):
            if not handle.cancelled():
                handle._run()


def _on_a_clock(app: Any) -> tuple[Any, MemoryTransport, _Clock]:
    """A connection to ``app`` whose staged-close timers run on a test clock (so none fires
    unless the test advances it)."""
    protocol = connect(app)
    clock = _Clock(protocol.loop)
    protocol.loop = clock  # type: ignore[assignment]  # a stand-in with the loop's timer methods
    transport = protocol.transport
    assert isinstance(transport, MemoryTransport)
    return protocol, transport, clock


async def _turns(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


def test_an_answer_that_leaves_a_body_unread_closes_in_stages() -> None:
    async def run() -> None:
        protocol, transport, _ = _on_a_clock(_unread_upload)
        protocol.data_received(b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"a" * 1000)
        await _turns()
        assert transport.written.startswith(b"HTTP/1.1 403 ")
        assert transport.eof_written and not transport.closed and transport.reading
        # The rest of the body, and anything after it, is dropped: nothing is answered.
        answered = transport.written
        protocol.data_received(b"a" * 99_000 + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await _turns()
        assert transport.written == answered and not transport.closed
        protocol.connection_lost(None)

    asyncio.run(run())


def test_a_refused_head_closes_in_stages_and_drops_at_most_linger_bytes() -> None:
    async def run() -> None:
        protocol, transport, _ = _on_a_clock(_echo)
        protocol.data_received(b"\x16\x03\x01 not http\r\n\r\n")
        assert b"<Code>BadRequest</Code>" in transport.written
        assert transport.eof_written and not transport.closed
        protocol.data_received(b"x" * protocol_module.LINGER_BYTES)
        assert not transport.closed
        protocol.data_received(b"x")
        assert transport.closed
        protocol.connection_lost(None)

    asyncio.run(run())


def _refused_on_a_clock() -> tuple[Any, MemoryTransport, _Clock]:
    protocol, transport, clock = _on_a_clock(_echo)
    protocol.data_received(b"\x00junk\r\n\r\n")
    assert transport.eof_written and not transport.closed
    return protocol, transport, clock


def test_a_quiet_client_is_closed_after_the_idle_wait() -> None:
    async def run() -> None:
        protocol, transport, clock = _refused_on_a_clock()
        clock.advance(protocol_module.LINGER_IDLE * 0.6)
        protocol.data_received(b"more")  # a byte restarts the idle wait
        clock.advance(protocol_module.LINGER_IDLE * 0.6)
        assert not transport.closed
        clock.advance(protocol_module.LINGER_IDLE * 0.6)
        assert transport.closed
        protocol.connection_lost(None)

    asyncio.run(run())


def test_a_client_that_keeps_sending_is_closed_after_the_total_wait() -> None:
    async def run() -> None:
        protocol, transport, clock = _refused_on_a_clock()
        step = protocol_module.LINGER_IDLE / 2
        while clock.now + step < protocol_module.LINGER_TOTAL:
            protocol.data_received(b"x")
            clock.advance(step)
            assert not transport.closed
        clock.advance(step)
        assert transport.closed
        protocol.connection_lost(None)

    asyncio.run(run())


def test_a_refusal_cutting_into_a_body_tells_its_application_the_client_is_gone() -> None:
    seen: list[str] = []

    async def reader(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            seen.append(message["type"])
            if message["type"] != "http.request" or not message.get("more_body"):
                return

    async def run() -> None:
        protocol, _, _ = _on_a_clock(reader)
        head = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        protocol.data_received(head + b"3\r\nab")
        await _turns()
        protocol.data_received(b"zz\r\n")  # junk where the chunk's end belongs
        await _turns()
        assert seen[-1] == "http.disconnect"
        protocol.connection_lost(None)

    asyncio.run(run())
