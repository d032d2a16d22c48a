"""The HTTP/1.1 connection protocol: uvicorn's httptools protocol with the request head bounded.

uvicorn bounds neither the size of a request head nor the time a client may take to send
it (``timeout_keep_alive`` only closes connections idle *between* requests), and llhttp
accepts header fields of any length, so a client could pin memory with one endless header
or hold a connection open forever by sending a byte every few seconds. This protocol adds,
before anything reaches the application:

============================  ========================================================
limit                          on breach
============================  ========================================================
head bytes (request line and   400 ``RequestHeaderSectionTooLarge`` and close; counted
header fields) >               as bytes are received, so at most one read past the
``max_header_bytes``           limit is ever held
header fields >                400 ``RequestHeaderSectionTooLarge`` and close
``max_header_count``
head not complete within       400 ``RequestTimeout`` and close; the clock starts when
``header_timeout`` seconds     the connection opens or the request's first byte arrives
============================  ========================================================

Bodies are the application's: uvicorn stops reading a connection once 64 KiB of body wait
unread, and the application reads them under its own deadline and memory budget
(``server/app.py``). The limits come from the ``CREDMINT_*`` environment once per process
(uvicorn builds this class in each worker process).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from credmint import errors
from credmint.errors import AwsError
from credmint.server.bodies import BODY_RECEIVED
from credmint.settings import Settings
from credmint.wire.s3 import render_s3_error

#: AWS's answers (S3's wording; STS and IAM close such connections with the same status).
TOO_LARGE = errors.RequestHeaderSectionTooLarge()
#: The scope extension holding a TLS connection's ``version`` and ``cipher`` (OpenSSL's
#: names). Not the ASGI "tls" extension, which gives both as IANA numbers.
TLS_EXTENSION = "credmint.tls"
TIMEOUT = errors.RequestTimeout()
UNPARSABLE = errors.UnparsableRequest()


class _Refused(Exception):
    """Raised from a parser callback to stop parsing a head that broke a limit."""


class _Limits:
    def __init__(self, settings: Settings) -> None:
        self.max_bytes = settings.max_header_bytes
        self.max_count = settings.max_header_count
        self.timeout = settings.header_timeout


_limits: _Limits | None = None


def _process_limits() -> _Limits:
    global _limits
    if _limits is None:
        _limits = _Limits(Settings.from_env())
    return _limits


def use_limits(settings: Settings) -> None:
    """Set the limits of this process explicitly (embedding, tests)."""
    global _limits
    _limits = _Limits(settings)


def error_response(err: AwsError) -> bytes:
    """A whole HTTP response for ``err`` that closes the connection."""
    request_id = str(uuid.uuid4())
    body = render_s3_error(err, request_id, request_id)
    head = [
        STATUS_LINE[err.status],
        b"content-type: application/xml\r\n",
        b"x-amz-request-id: " + request_id.encode() + b"\r\n",
        b"content-length: " + str(len(body)).encode() + b"\r\n",
        b"connection: close\r\n\r\n",
    ]
    return b"".join(head) + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` with the head's size, field count and arrival time bounded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = _process_limits()
        self._in_head = True
        self._head_bytes = 0
        self._refusal: AwsError | None = None
        #: Bytes after a complete request did not parse: refused once it is answered.
        self._unparsable_tail = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_started = 0.0
        #: A head has begun (or the connection opened) and is not complete: the deadline runs.
        self._head_open = False

    # --- the head deadline ------------------------------------------------------------------
    # One timer per connection, not one per request: it is armed when a head begins and no
    # timer is pending, and when it fires it either cuts a head that is late, re-arms for
    # the time a younger head has left, or lapses (no head in progress).

    def _arm_head_timer(self) -> None:
        self._head_open = True
        self._head_started = self.loop.time()
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self._limits.timeout, self._head_timer_fired)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timer_fired(self) -> None:
        self._head_timer = None
        if not self._head_open or self.transport.is_closing():
            return
        left = self._head_started + self._limits.timeout - self.loop.time()
        if left > 0:
            self._head_timer = self.loop.call_later(left, self._head_timer_fired)
        else:
            self._refuse(TIMEOUT)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()
        # The negotiated protocol and cipher, for the audit trail's tlsDetails: uvicorn does
        # not pass them to the application, so each request's scope carries them under
        # TLS_EXTENSION (read once per connection; they do not change on it).
        self._tls: dict[object, object] | None = None
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            cipher = ssl_object.cipher()
            self._tls = {"version": ssl_object.version() or "", "cipher": cipher[0] if cipher else ""}

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    # --- the head's size ----------------------------------------------------------------------

    def _refuse(self, err: AwsError) -> None:
        self._disarm_head_timer()
        self.transport.write(error_response(err))
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        if self._in_head:
            self._head_bytes += len(data)
        # A callback's _Refused reaches uvicorn as a parser error (see send_400_response).
        super().data_received(data)
        if self._refusal is not None:
            self._refuse(self._refusal)
        elif self._in_head and self._head_bytes > self._limits.max_bytes:
            self._refuse(TOO_LARGE)

    def send_400_response(self, msg: str) -> None:
        # Answer with the refusal's reason instead, once data_received is back.
        if self._refusal is not None:
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete and not cycle.more_body:
            # The bytes that do not parse follow a complete request, which is being served
            # (a Content-Length shorter than the body sent, or junk after a request): that
            # request is answered first, and the refusal then closes the connection
            # (on_response_complete). Refusing at once would tell the client its request
            # failed while the application goes on to carry it out.
            self._unparsable_tail = True
            self.transport.pause_reading()
            return
        self._refuse(UNPARSABLE)

    def on_response_complete(self) -> None:
        refuse = self._unparsable_tail and not self.pipeline
        super().on_response_complete()
        if refuse and not self.transport.is_closing():
            self._refuse(UNPARSABLE)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._tls is not None:
            self.scope["extensions"] = {TLS_EXTENSION: dict(self._tls)}
        self._in_head = True
        self._arm_head_timer()

    # Header fields are counted once the head is complete, not one callback each: the
    # head's byte limit already bounds what the fields of an incomplete head can hold.

    def on_headers_complete(self) -> None:
        if len(self.headers) > self._limits.max_count:
            self._refusal = TOO_LARGE
            raise _Refused
        # The bytes received bound the head from above; only past the limit is the head's
        # exact size needed (the count may include the start of the body).
        if self._head_bytes > self._limits.max_bytes:
            size = len(self.url) + 16 + sum(len(n) + len(v) + 4 for n, v in self.headers)
            if size > self._limits.max_bytes:
                self._refusal = TOO_LARGE
                raise _Refused
        self._in_head = False
        self._head_open = False  # the pending timer, if any, lapses when it fires
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # The whole body is in uvicorn's buffer: the application's next receive cannot
        # wait, so its read needs no deadline (server/bodies.py).
        self.scope[BODY_RECEIVED] = True  # type: ignore[literal-required]  # a key of ours, not ASGI's
        # The next bytes on this connection start the next head.
        self._in_head = True
        self._head_bytes = 0
