"""Reading a request body (server/bodies.py): limits, deadlines, and the one read that needs none.

A body the connection has already received whole is taken without registering a deadline
(the receive cannot wait); every receive that might wait stays under the deadline. These
tests pin both sides: the shortcut is taken only on the protocol's mark, and only for the
first receive.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from credmint import errors
from credmint.httpreq import HttpRequest
from credmint.server.bodies import BODY_RECEIVED, BodyBudget, BodyLimits, BodyReader, BodyRefused
from credmint.server.deadlines import ReadDeadlines, Watch
from tests.server.protocol_support import connect

Message = dict[str, Any]


class CountingDeadlines(ReadDeadlines):
    def __init__(self) -> None:
        super().__init__(sweep_seconds=0.01)
        self.watched = 0

    def watch(self, deadline: float) -> Watch:
        self.watched += 1
        return super().watch(deadline)


def _head(length: int) -> HttpRequest:
    headers = (("content-length", str(length)),)
    return HttpRequest("POST", "/", "", headers, header_index=dict(headers))


def _receiver(messages: list[Message]) -> Callable[[], Any]:
    """Hands out ``messages`` in order, then waits forever (a client that stopped sending)."""

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return receive


def _read(scope: dict[str, Any], messages: list[Message], deadlines: ReadDeadlines, length: int) -> bytes:
    reader = BodyReader(_receiver(messages), scope, _head(length), BodyLimits(BodyBudget(1 << 20), deadlines, 0.05, 1))

    async def run() -> bytes:
        try:
            return await reader.read(1 << 16)
        finally:
            reader.release()

    return asyncio.run(run())


def test_a_body_received_whole_is_read_without_a_deadline() -> None:
    deadlines = CountingDeadlines()
    body = _read({BODY_RECEIVED: True}, [{"type": "http.request", "body": b"abc"}], deadlines, 3)
    assert body == b"abc"
    assert deadlines.watched == 0


def test_without_the_mark_the_read_is_under_the_deadline() -> None:
    deadlines = CountingDeadlines()
    assert _read({}, [{"type": "http.request", "body": b"abc"}], deadlines, 3) == b"abc"
    assert deadlines.watched == 1
    # And a body that never comes is cut.
    with pytest.raises(BodyRefused) as refused:
        _read({}, [], CountingDeadlines(), 3)
    assert isinstance(refused.value.query_error, errors.RequestTimeout)


def test_only_the_first_receive_goes_unwatched() -> None:
    """The mark says the body is whole; if the server still says more is coming, the next
    receive may wait, and a client that then stops sending is cut like any other."""
    deadlines = CountingDeadlines()
    with pytest.raises(BodyRefused) as refused:
        _read({BODY_RECEIVED: True}, [{"type": "http.request", "body": b"a", "more_body": True}], deadlines, 3)
    assert isinstance(refused.value.query_error, errors.RequestTimeout)
    assert deadlines.watched == 1


@pytest.mark.parametrize("whole", [True, False], ids=["body-in-one-piece", "body-still-arriving"])
def test_the_protocol_marks_a_request_once_its_body_is_complete(whole: bool) -> None:
    seen: list[bool] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(bool(scope.get(BODY_RECEIVED)))

    async def run() -> list[bool]:
        protocol = connect(app)
        head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n"
        protocol.data_received(head + b"abc" if whole else head + b"a")
        await asyncio.sleep(0)  # the application's task runs
        await asyncio.sleep(0)
        protocol.connection_lost(None)
        return seen

    assert asyncio.run(run()) == [whole]


# --- the limits hold on both paths: received whole, and watched -----------------------------


def _chunked() -> HttpRequest:
    headers = (("transfer-encoding", "chunked"),)
    return HttpRequest("POST", "/", "", headers, header_index=dict(headers))


def _chunked_reader(body: bytes, budget: BodyBudget, *, received_whole: bool) -> BodyReader:
    """A reader of a chunked ``body``, received whole (the read needs no deadline) or not."""
    return BodyReader(
        _receiver([{"type": "http.request", "body": body}]),
        {BODY_RECEIVED: True} if received_whole else {},
        _chunked(),
        BodyLimits(budget, ReadDeadlines(sweep_seconds=0.01), 1.0, 1),
    )


def _refusal(reader: BodyReader, limit: int) -> BodyRefused:
    """What reading at most ``limit`` bytes raises; the reader is released after."""

    async def run() -> None:
        try:
            await reader.read(limit)
        finally:
            reader.release()

    with pytest.raises(BodyRefused) as refused:
        asyncio.run(run())
    return refused.value


@pytest.mark.parametrize("received_whole", [True, False])
def test_a_chunked_body_past_the_limit_is_refused(received_whole: bool) -> None:
    budget = BodyBudget(1 << 20)
    refused = _refusal(_chunked_reader(b"x" * 101, budget, received_whole=received_whole), 100)
    assert refused.query_error is None  # a bare 413, as AWS answers
    assert budget.used == 0


@pytest.mark.parametrize("received_whole", [True, False])
def test_a_body_past_the_memory_budget_is_refused_and_nothing_stays_reserved(received_whole: bool) -> None:
    budget = BodyBudget(10)
    budget.used = 5  # another request holds half of it
    refused = _refusal(_chunked_reader(b"x" * 8, budget, received_whole=received_whole), 100)
    assert refused.s3_error.code == "SlowDown"
    assert budget.used == 5


@pytest.mark.parametrize("received_whole", [True, False])
def test_a_read_body_is_released_from_the_budget(received_whole: bool) -> None:
    budget = BodyBudget(1 << 20)
    reader = _chunked_reader(b"abc", budget, received_whole=received_whole)

    async def run() -> tuple[bytes, int]:
        body = await reader.read(100, hash_body=True)
        held = budget.used
        reader.release()
        return body, held

    body, held = asyncio.run(run())
    assert body == b"abc" and held == 3 and budget.used == 0
    assert reader.complete and reader.sha256 == hashlib.sha256(b"abc").hexdigest()


# --- a body cut short --------------------------------------------------------------------------
# The client going away mid-body is not the body's end: what came is never used (a PutObject
# cut short would otherwise replace the object with its first part).

_CUT_SHORT = [
    # Part of the body, then the client is gone.
    [{"type": "http.request", "body": b"0123456789", "more_body": True}, {"type": "http.disconnect"}],
    # Gone before any of it.
    [{"type": "http.disconnect"}],
]


@pytest.mark.parametrize("received_whole", [True, False])
@pytest.mark.parametrize("messages", _CUT_SHORT)
def test_a_body_cut_short_is_refused_as_incomplete(received_whole: bool, messages: list[Message]) -> None:
    budget = BodyBudget(1 << 20)
    reader = BodyReader(
        _receiver(list(messages)),
        {BODY_RECEIVED: True} if received_whole else {},
        _head(1000),
        BodyLimits(budget, ReadDeadlines(sweep_seconds=0.01), 1.0, 1),
    )
    refused = _refusal(reader, 1 << 16)
    assert refused.s3_error.code == "IncompleteBody" and refused.s3_error.status == 400
    assert not reader.complete and budget.used == 0


@pytest.mark.parametrize("messages", _CUT_SHORT)
def test_a_streamed_body_cut_short_is_refused_as_incomplete(messages: list[Message]) -> None:
    reader = BodyReader(
        _receiver(list(messages)),
        {},
        _head(1000),
        BodyLimits(BodyBudget(1 << 20), ReadDeadlines(sweep_seconds=0.01), 1.0, 1),
    )
    consumed: list[bytes] = []

    async def consume(batch: list[bytes]) -> None:
        consumed.extend(batch)

    async def run() -> None:
        try:
            await reader.stream(1 << 16, 4, consume)
        finally:
            reader.release()

    with pytest.raises(BodyRefused) as refused:
        asyncio.run(run())
    assert refused.value.s3_error.code == "IncompleteBody" and not reader.complete
