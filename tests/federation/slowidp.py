"""An HTTPS server on 127.0.0.1 that answers too slowly: it completes the TLS handshake,
then trickles a response head a byte at a time, or says nothing until released."""

from __future__ import annotations

import socket
import ssl
import tempfile
import threading
from pathlib import Path

from tests.federation.oidcidp import _self_signed

#: What a test waits at most for a call that must end by a (shorter) deadline or at once.
BOUND = 20.0


class SlowTls:
    """A TLS server that completes the handshake, then sends an HTTP response head one byte
    per ``interval`` seconds (``interval=None``: nothing at all until released)."""

    def __init__(self, interval: float | None) -> None:
        cert_pem, key_pem, self.thumbprint = _self_signed()
        self._dir = tempfile.TemporaryDirectory()
        d = Path(self._dir.name)
        (d / "c.pem").write_bytes(cert_pem)
        (d / "k.pem").write_bytes(key_pem)
        self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ctx.load_cert_chain(d / "c.pem", d / "k.pem")
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{self._sock.getsockname()[1]}"
        self.interval = interval
        self.connections = 0
        self.release = threading.Event()
        self._closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        try:
            with self._ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(65536)
                if self.interval is None:
                    self.release.wait(BOUND * 3)
                    return
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
                    if self.release.wait(self.interval):
                        return
                    tls.sendall(bytes([byte]))
        except OSError:
            pass

    def close(self) -> None:
        self._closed = True
        self.release.set()
        self._sock.close()
