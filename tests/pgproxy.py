"""A TCP proxy on loopback in front of PostgreSQL that can misbehave on demand.

Each connection through it can be passed, *stalled* (bytes held, nothing forwarded, the
sockets stay open: a frozen database or network) or *black-holed* (bytes silently
dropped in both directions, no FIN, no RST: a dead path the kernel cannot see), or cut
(closed). The proxy reads what clients send, so a test can pick the connection that ran
``LISTEN`` (the change channel) and harm that one alone.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

PASS, STALL, BLACKHOLE = "pass", "stall", "blackhole"


class ProxiedConnection:
    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.mode = PASS
        self.listens = False
        self.closed = False
        self.cond = threading.Condition()

    def set_mode(self, mode: str) -> None:
        with self.cond:
            self.mode = mode
            self.cond.notify_all()

    def cut(self) -> None:
        self.closed = True
        for s in (self.client, self.upstream):
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


class PgProxy:
    def __init__(self, upstream: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.connections: list[ProxiedConnection] = []
        #: The mode new connections start in.
        self.default_mode = PASS
        self._lock = threading.Lock()
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database_url: str) -> str:
        """``database_url`` (on 127.0.0.1:5432) rewritten to go through the proxy."""
        return database_url.replace("127.0.0.1:5432", f"127.0.0.1:{self.port}").replace(
            "localhost:5432", f"127.0.0.1:{self.port}"
        )

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            conn = ProxiedConnection(client, upstream)
            conn.mode = self.default_mode
            with self._lock:
                self.connections.append(conn)
            threading.Thread(target=self._pump, args=(conn, client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(conn, upstream, client, False), daemon=True).start()

    def _pump(self, conn: ProxiedConnection, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_client and b"LISTEN " in data.upper():
                    conn.listens = True
                with conn.cond:
                    while conn.mode == STALL and not conn.closed:
                        conn.cond.wait(0.1)
                    mode = conn.mode
                if mode == BLACKHOLE:
                    continue
                dst.sendall(data)
        except OSError:
            pass
        if not conn.closed and conn.mode == PASS:
            # An orderly close passes through; a black-holed or stalled one never does.
            with suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def select(self, which: Callable[[ProxiedConnection], bool]) -> list[ProxiedConnection]:
        with self._lock:
            return [c for c in self.connections if not c.closed and which(c)]

    def set_mode(self, mode: str, which: Callable[[ProxiedConnection], bool] = lambda c: True) -> int:
        chosen = self.select(which)
        for c in chosen:
            c.set_mode(mode)
        return len(chosen)

    @contextmanager
    def all(self, mode: str) -> Iterator[None]:
        """Every connection, open and new, in ``mode`` for the duration."""
        self.default_mode = mode
        self.set_mode(mode)
        try:
            yield
        finally:
            self.default_mode = PASS
            self.set_mode(PASS)

    def close(self) -> None:
        self._stopped = True
        self.listener.close()
        for c in self.select(lambda c: True):
            c.set_mode(PASS)
            c.cut()
