"""The ASGI app's request path (server/app.py): when answers go out."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

from tests.server.conftest import InProcess

#: An unsigned call: answered with an error, after the same path as any other.
BODY = b"Action=GetCallerIdentity&Version=2011-06-15"


def test_answers_go_out_after_every_request_of_the_turn_is_worked_out(node: InProcess) -> None:
    """Requests started in one turn of the event loop are all worked out before any of
    their answers is sent (the work then runs back to back, on warm caches)."""
    events: list[str] = []

    async def one(name: str) -> None:
        scope: dict[str, Any] = {
            "type": "http",
            "method": "POST",
            "path": "/",
            "raw_path": b"/",
            "query_string": b"",
            "headers": [
                (b"host", b"127.0.0.1:8400"),
                (b"content-type", b"application/x-www-form-urlencoded"),
                (b"content-length", b"%d" % len(BODY)),
            ],
            "client": ("127.0.0.1", 5555),
            "scheme": "http",
        }

        async def receive() -> dict[str, Any]:
            events.append(f"work {name}")
            return {"type": "http.request", "body": BODY, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                events.append(f"answer {name}")

        await node.app(scope, receive, send)

    async def turn() -> None:
        await asyncio.gather(one("a"), one("b"), one("c"))

    asyncio.run(turn())
    answers = [i for i, e in enumerate(events) if e.startswith("answer")]
    work = [i for i, e in enumerate(events) if e.startswith("work")]
    assert len(answers) == 3 and len(work) == 3
    assert max(work, default=-1) < min(answers), events
