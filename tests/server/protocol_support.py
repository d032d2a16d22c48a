"""Driving the connection protocol in memory: a transport that keeps what is written."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from credmint.server.protocol import BoundedHttpToolsProtocol, use_limits
from credmint.settings import Settings


class MemoryTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed = False
        #: The write side was shut (the staged close began).
        self.eof_written = False
        self.reading = True

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5555), "sockname": ("127.0.0.1", 8080)}.get(name, default)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self.eof_written = True

    @property
    def ended(self) -> bool:
        """The connection was closed, or its close begun: nothing more will be written."""
        return self.closed or self.eof_written

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True


def connect(app: Any) -> BoundedHttpToolsProtocol:
    """A protocol serving ``app`` on a new in-memory connection (call within a running loop);
    ``protocol.transport`` is the :class:`MemoryTransport`."""
    use_limits(Settings.from_env({}))
    config = Config(app=app, lifespan="off")
    config.load()
    protocol = BoundedHttpToolsProtocol(config, ServerState(), {}, asyncio.get_running_loop())
    protocol.connection_made(MemoryTransport())
    return protocol
