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
open connections or requests   503 ``ServiceUnavailable`` and close (uvicorn's answer
>= ``max_connections``         would be plain text)
head not complete within       400 ``RequestTimeout`` and close; the clock starts when
``header_timeout`` seconds     the connection opens or the request's first byte arrives
a chunked body's framing       400 ``RequestHeaderSectionTooLarge`` and close: its trailer
(chunk lines, extensions,      fields are a second head, held by llhttp and uvicorn as
trailer fields) > the head's   they come, and are bounded as the head is; a chunk's size
limits                         line may take ``FRAMING_PER_CHUNK`` bytes on top
============================  ========================================================

Trailer fields are never given to the application (no credmint operation reads one; the
trailing checksums of ``aws-chunked`` uploads travel inside the body).

Bodies are the application's: uvicorn stops reading a connection once 64 KiB of body wait
unread, and the application reads them under its own deadline and memory budget
(``server/app.py``). The limits come from the ``CREDMINT_*`` environment once per process
(uvicorn builds this class in each worker process).

Every close that may leave the client's bytes unread is made in stages (RFC 9112 §9.6):
the answer is sent and the write side shut (the client reads it, then end of stream),
and what the client still sends is read and dropped until it closes too. Closing at once
would leave those bytes unread, and a kernel answers a close with unread input, or input
that reaches a closed socket, with a reset: a client still sending its upload (one that
does not wait for ``100 Continue``) fails with a connection reset instead of reading the
refusal that was sent to it. The wait is bounded, so it holds nothing an attacker could
use:

============================  ========================================================
the staged close ends          when
============================  ========================================================
the client closes              its end of stream arrives
the client goes quiet          no byte for ``LINGER_IDLE`` seconds
it has lasted long enough      ``LINGER_TOTAL`` seconds after the answer
the client sends too much      ``LINGER_BYTES`` dropped after a refused head (a client
                               sending an endless head is cut soon after its refusal),
                               ``LINGER_BODY_BYTES`` after an answer that left a body
                               unread (an upload refused from its head)
============================  ========================================================

Dropped bytes are never buffered, the connection still counts against
``max_connections``, and a TLS connection (whose write side cannot be shut alone) waits
the same way before its close.
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
#: Past ``max_connections`` (uvicorn's ``limit_concurrency``): the code every SDK retries
#: with backoff, in an error document (uvicorn's own answer is plain text, which SDKs
#: report as a response that does not parse).
BUSY = errors.ServiceUnavailable()

#: The staged close's bounds (see the module's docstring).
LINGER_IDLE = 1.0
LINGER_TOTAL = 5.0
LINGER_BYTES = 1024**2
LINGER_BODY_BYTES = 64 * 1024**2
#: Bytes a chunked body's framing may take per chunk, beyond the head's limit: a size line
#: of up to 16 hex digits and its two line ends (a chunk extension has no use here).
FRAMING_PER_CHUNK = 24


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


class _CycleTransport:
    """The transport as a request's cycle sees it: uvicorn's cycle closes the connection
    after an answer it sends with ``connection: close`` (the application's, when it leaves a
    body unread) or after an application error; those closes are made in stages."""

    __slots__ = ("_protocol", "is_closing", "write")

    def __init__(self, protocol: BoundedHttpToolsProtocol, transport: asyncio.Transport) -> None:
        self.write = transport.write
        self.is_closing = transport.is_closing
        self._protocol = protocol

    def close(self) -> None:
        self._protocol.close_in_stages(LINGER_BODY_BYTES)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` with the head's size, field count and arrival time bounded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = _process_limits()
        self._in_head = True
        self._head_bytes = 0
        # A message's bytes after its head, the body bytes among them, its chunks and its
        # trailer fields: what is neither body nor chunk size lines is bounded like a head.
        self._after_head = 0
        self._body_bytes = 0
        self._chunks = 0
        self._trailer_fields = 0
        self._refusal: AwsError | None = None
        #: Bytes after a complete request did not parse: refused once it is answered.
        self._unparsable_tail = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_started = 0.0
        #: A head has begun (or the connection opened) and is not complete: the deadline runs.
        self._head_open = False
        # The staged close: bytes the client may still send before the connection is
        # closed (None: not closing), when the close began, and when a byte last came.
        self._linger_left: int | None = None
        self._linger_started = 0.0
        self._linger_last = 0.0
        self._linger_timer: asyncio.TimerHandle | None = None

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
        self._cycle_transport = _CycleTransport(self, transport)
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
        if self._linger_timer is not None:
            self._linger_timer.cancel()
            self._linger_timer = None
        super().connection_lost(exc)

    # --- the staged close ---------------------------------------------------------------------

    def close_in_stages(self, max_bytes: int) -> None:
        """Close after what was written, reading and dropping at most ``max_bytes`` more
        from the client meanwhile (the module's docstring has the bounds)."""
        transport = self.transport
        if transport.is_closing() or self._linger_left is not None:
            return
        self._disarm_head_timer()
        self._unset_keepalive_if_required()
        self._linger_left = max_bytes
        self._linger_started = self._linger_last = self.loop.time()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # A request whose answer was not sent is over (a refusal cut into its body):
            # its application sees the client gone now, as it would on a close.
            cycle.disconnected = True
            cycle.message_event.set()
        if transport.can_write_eof():
            transport.write_eof()
        # uvicorn pauses reading while a body waits unread; the rest is now to be dropped.
        transport.resume_reading()
        self._linger_timer = self.loop.call_later(LINGER_IDLE, self._linger_timer_fired)

    def _linger_timer_fired(self) -> None:
        self._linger_timer = None
        if self.transport.is_closing():
            return
        now = self.loop.time()
        ends = min(self._linger_last + LINGER_IDLE, self._linger_started + LINGER_TOTAL)
        if now >= ends:
            self.transport.close()
        else:
            self._linger_timer = self.loop.call_later(ends - now, self._linger_timer_fired)

    def _drop(self, data: bytes) -> None:
        assert self._linger_left is not None
        self._linger_left -= len(data)
        self._linger_last = self.loop.time()
        if self._linger_left < 0:
            self.transport.close()

    # --- the head's size ----------------------------------------------------------------------

    def _refuse(self, err: AwsError) -> None:
        self.transport.write(error_response(err))
        self.close_in_stages(LINGER_BYTES)

    def data_received(self, data: bytes) -> None:
        if self._linger_left is not None:
            self._drop(data)
            return
        if self.transport.is_closing():
            return
        in_body = not self._in_head
        if in_body:
            self._after_head += len(data)
        else:
            self._head_bytes += len(data)
        # A callback's _Refused reaches uvicorn as a parser error (see send_400_response).
        super().data_received(data)
        if self._refusal is not None:
            self._refuse(self._refusal)
        elif (self._in_head and self._head_bytes > self._limits.max_bytes) or (
            in_body and not self._in_head and self._framing_too_large()
        ):
            self._refuse(TOO_LARGE)

    def _framing_too_large(self) -> bool:
        """Whether the message's bytes that are not body (chunk lines, trailer fields) have
        grown past what a head may hold: an endless trailer field is cut as an endless
        header field is."""
        framing = self._after_head - self._body_bytes
        return framing > self._limits.max_bytes + FRAMING_PER_CHUNK * self._chunks

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        super().on_body(body)

    def on_chunk_header(self) -> None:
        self._chunks += 1

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._in_head:
            # uvicorn's on_header, written out: it runs for every header field of every
            # request, and a call to it from here would double its cost.
            name = name.lower()
            value = value.rstrip(b" \t")  # RFC 9110 §5.5: no trailing whitespace (llhttp keeps it)
            if name == b"expect" and value.lower() == b"100-continue":
                self.expect_100_continue = True
            self.headers.append((name, value))
            return
        # A trailer field: counted against the head's field limit, and dropped.
        self._trailer_fields += 1
        if self._trailer_fields > self._limits.max_count:
            self._refusal = TOO_LARGE
            raise _Refused

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
        if self._linger_left is not None:
            # The answer closed the connection: nothing more is read or answered on it
            # (uvicorn's own check for this is the transport closing, which is now later).
            self.server_state.total_requests += 1
            return
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
        limit = self.limit_concurrency
        if limit is not None and (len(self.connections) >= limit or len(self.tasks) >= limit):
            # uvicorn would answer in plain text (and log a warning per request).
            self._refusal = BUSY
            raise _Refused
        self._in_head = False
        self._after_head = self._body_bytes = self._chunks = self._trailer_fields = 0
        self._head_open = False  # the pending timer, if any, lapses when it fires
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.transport = self._cycle_transport  # type: ignore[assignment]

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # The whole body is in uvicorn's buffer: the application's next receive cannot
        # wait, so its read needs no deadline (server/bodies.py).
        self.scope[BODY_RECEIVED] = True  # type: ignore[literal-required]  # a key of ours, not ASGI's
        # The next bytes on this connection start the next head.
        self._in_head = True
        self._head_bytes = 0
