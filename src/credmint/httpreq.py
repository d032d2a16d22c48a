"""The one plain value that describes an HTTP request to the pure cores.

The server builds it from the ASGI scope and the body it read; ``wire`` and
``sigv4`` take it and never see ASGI.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple, Protocol


class BodyStream(Protocol):
    """A response body sent in pieces (an object streamed from disk): ``read`` returns the
    next piece, b"" at the end; it blocks (file I/O), so the server calls it on a worker
    thread. ``close`` is called however the response ends."""

    length: int

    def read(self) -> bytes: ...

    def close(self) -> None: ...


class HttpRequest(NamedTuple):
    """Immutable; a named tuple because the server builds one or two per request and
    one builds in a third of the time a frozen dataclass takes."""

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
    #: ``headers`` as a lookup (repeated names joined with ``,``), built by whoever built
    #: ``headers``; None when the builder did not, and :meth:`header` then scans.
    header_index: dict[str, str] | None = None

    def header(self, name: str) -> str | None:
        """The value of a header (repeated ones joined with ``,``), or ``None``."""
        index = self.header_index
        if index is None:
            index = index_headers(self.headers)
        value = index.get(name)  # callers mostly pass the lower-case name already
        return value if value is not None or name.islower() else index.get(name.lower())


def decode_headers(raw: Sequence[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    """ASGI's header pairs (bytes) as text pairs, every byte read as Latin-1 (HTTP's and
    ASGI's convention; :func:`header_text` reads a value again as the client's text)."""
    return tuple([(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw])


def index_headers(headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Name → value, repeated names joined with ``,`` in order (RFC 9110 §5.3)."""
    index = dict(headers)
    if len(index) != len(headers):
        index = {}
        for k, v in headers:
            index[k] = f"{index[k]},{v}" if k in index else v
    return index


#: What a request's text can carry that no database's text holds: a NUL (PostgreSQL's text
#: refuses it) and a lone surrogate (no UTF-8 holds one: :func:`header_text`'s escaped bytes,
#: a JSON body's ``\\udc80``).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_storable(text: str) -> bool:
    """Whether ``text`` holds nothing of :data:`UNSTORABLE`."""
    if text.isascii() and "\x00" not in text:
        return True
    return UNSTORABLE.search(text) is None


#: What a request's decimal number past 18 digits stands for: past every limit a request
#: is checked against (a week of seconds, an object's size), and never converted (Python
#: refuses to read integers of more than 4,300 digits).
BEYOND_ANY_LIMIT = 10**18


def digits_value(digits: str) -> int:
    """The value of a run of decimal digits from a request, :data:`BEYOND_ANY_LIMIT` past 18."""
    return int(digits) if len(digits) <= 18 else BEYOND_ANY_LIMIT


def header_text(value: str) -> str:
    """A header value as the text the client sent.

    Header values reach credmint as their wire bytes read as Latin-1 (HTTP's and ASGI's
    convention), while clients write text: botocore puts UTF-8 on the wire (user metadata
    such as ``Hello World\\xe9``), and signs that same UTF-8. So the bytes are read again as
    UTF-8; bytes that are not UTF-8 (a client that sent Latin-1) are kept as they came by
    ``surrogateescape``, which an ``encode("utf-8", "surrogateescape")`` turns back into
    the bytes received. ASCII, the usual case, is returned as it is.
    """
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # not from the wire (a value built in process): as given
        return value
