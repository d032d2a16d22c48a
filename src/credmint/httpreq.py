"""The one plain value that describes an HTTP request to the pure cores.

The server builds it from the ASGI scope and the body it read; ``wire`` and
``sigv4`` take it and never see ASGI.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    #: The path exactly as sent, still percent-encoded (``raw_path`` in ASGI).
    raw_path: str
    #: The query string exactly as sent, without the ``?``.
    query_string: str
    #: Header names lower-cased, values as sent; repeated headers stay repeated, in order.
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    #: The client's address, for ``aws:SourceIp``.
    client_ip: str = "127.0.0.1"
    #: Whether the connection was TLS, for ``aws:SecureTransport``.
    secure: bool = False
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def header(self, name: str) -> str | None:
        """The value of a header (repeated ones joined with ``,``), or ``None``."""
        if not self._index and self.headers:
            index: dict[str, str] = {}
            for k, v in self.headers:
                index[k] = f"{index[k]},{v}" if k in index else v
            self._index.update(index)
        return self._index.get(name.lower())
