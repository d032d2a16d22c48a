"""Reading a request body (server/bodies.py): limits, deadlines, and the one read that needs none.

A body the connection has already received whole is taken without registering a deadline
(the receive cannot wait); every receive that might wait stays under the deadline. These
tests pin both sides: the shortcut is taken only on the protocol's mark, and only for the
first receive.
"""

from __future__ import annotations

import asyncio
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
