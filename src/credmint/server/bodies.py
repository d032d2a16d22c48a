"""Reading a request's body: within a size limit, the process's memory budget and a deadline.

Every protocol's path reads its body through a :class:`BodyReader`; a body that is not
read (too large, too slow, no memory for it) raises :class:`BodyRefused`, which carries
the answer in each protocol's words.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any, NamedTuple

from credmint import errors
from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.s3 import errors as s3_errors
from credmint.server.deadlines import ReadDeadlines, Watch
from credmint.sigv4 import errors as sigv4_errors

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]

#: A scope key the connection protocol sets once the request's whole body is received
#: (``server/protocol.py``): from then on ``receive`` returns without waiting, so a read
#: needs no deadline. Other servers (tests' in-process transport) never set it, and their
#: reads are always watched.
BODY_RECEIVED = "credmint.body_received"
#: The SHA-256 of no bytes, in hex.
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class BodyRefused(Exception):
    """A body not read (or not read to its end): too large, too slow, or no memory for it."""

    def __init__(self, s3_error: AwsError, query_error: AwsError | None) -> None:
        super().__init__(s3_error.code)
        self.s3_error = s3_error
        #: None: a bare 413, as AWS answers an oversized Query body.
        self.query_error = query_error


def cut_short() -> BodyRefused:
    """The client went away before its body's end: what came of it is never used (a PutObject
    cut short must not replace an object with its first part). S3's IncompleteBody; nobody
    reads the answer, but the request is recorded with it."""
    err = sigv4_errors.IncompleteBody()
    return BodyRefused(err, err)


def too_large() -> BodyRefused:
    err = s3_errors.EntityTooLarge.body()
    return BodyRefused(err, None)


class BodyBudget:
    """Request-body bytes held in memory by this process, across requests, bounded.

    One event loop per process touches it, so a counter is enough; :class:`BodyReader`
    reserves and releases its bytes on it (``BodyReader._reserve`` and ``release``, the
    only writers). A request that does not fit is refused at once (503) rather than
    queued: a queue would let slow bodies hold everyone else's requests."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0


class BodyLimits(NamedTuple):
    """What every body read of a process is bounded by (see :class:`BodyReader`)."""

    budget: BodyBudget
    deadlines: ReadDeadlines
    #: Seconds a body may take, plus one per ``min_rate`` bytes received.
    timeout: float
    min_rate: int


class BodyReader:
    """Reads one request's body within a size limit, the memory budget and a deadline.

    The deadline grows with what has arrived: ``timeout`` seconds plus one second per
    ``min_rate`` bytes received, so a client sending a byte every few seconds is cut after
    about ``timeout`` seconds while a large upload at a normal rate is not. A declared
    ``Content-Length`` past the limit is refused before a byte of the body is read."""

    def __init__(self, receive: Receive, scope: Mapping[str, Any], head: HttpRequest, limits: BodyLimits) -> None:
        self._receive = receive
        self._scope = scope
        self._head = head
        self._budget, self._deadlines, self._timeout, self._min_rate = limits
        self._reserved = 0
        #: Whether the whole body was received (or the client went away).
        self.complete = False
        self.sha256 = ""

    def _reserve(self, total: int) -> None:
        more = total - self._reserved
        if more > 0:
            budget = self._budget
            if budget.used + more > budget.capacity:
                raise BodyRefused(s3_errors.SlowDown(), errors.ServiceUnavailable())
            budget.used += more
            self._reserved = total

    def release(self) -> None:
        if self._reserved:
            self._budget.used -= self._reserved
            self._reserved = 0

    async def read(self, limit: int, *, hash_body: bool = False) -> bytes:
        head = self._head
        declared = head.header("content-length")
        if declared is not None and declared.isdigit():
            size = int(declared)
            if size > limit:
                raise too_large()
        elif head.header("transfer-encoding") is None:
            self.complete = True  # neither header: no body (RFC 9112 §6.3)
            self.sha256 = EMPTY_SHA256 if hash_body else ""
            return b""
        else:
            size = 0
        first: Message | None = None
        if self._scope.get(BODY_RECEIVED, False):
            # Received whole: one receive that cannot wait hands all of it over, so it is
            # taken without a deadline. Any receive that might wait is watched.
            first = await self._receive()
            if first["type"] == "http.disconnect":
                raise cut_short()
            if not first.get("more_body", False):
                # All of it in one message.
                self.complete = True
                chunk: bytes = first.get("body", b"")
                if chunk:
                    if len(chunk) > limit:
                        raise too_large()
                    self._reserve(len(chunk))
                if hash_body:
                    self.sha256 = hashlib.sha256(chunk).hexdigest()
                return chunk
        self._reserve(size)
        return await self._read_watched(limit, hash_body, first)

    async def _read_watched(self, limit: int, hash_body: bool, first: Message | None) -> bytes:
        """The body, a message at a time, each receive that might wait under the deadline;
        ``first`` is a message already received."""
        hasher = hashlib.sha256() if hash_body else None
        chunks: list[bytes] = []
        size = 0
        start = 0.0
        watch: Watch | None = None
        try:
            while True:
                if first is not None:
                    message, first = first, None
                else:
                    if watch is None:
                        start = asyncio.get_running_loop().time()
                        watch = self._deadlines.watch(start + self._timeout + size / self._min_rate)
                    message = await self._receive()
                if message["type"] == "http.disconnect":
                    raise cut_short()
                chunk = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if size > limit:
                        raise too_large()
                    self._reserve(size)
                    chunks.append(chunk)
                    if hasher is not None:
                        hasher.update(chunk)
                if not message.get("more_body", False):
                    self.complete = True
                    break
                if watch is not None:
                    watch.deadline = start + self._timeout + size / self._min_rate
        except asyncio.CancelledError:
            if watch is None or not watch.fired:
                raise
            # Our deadline's cancellation, not the server's: taken back, answered as a timeout.
            watch.task.uncancel()
            raise BodyRefused(errors.RequestTimeout(), errors.RequestTimeout()) from None
        finally:
            if watch is not None:
                self._deadlines.done(watch)
        if hasher is not None:
            self.sha256 = hasher.hexdigest()
        return b"".join(chunks) if len(chunks) != 1 else chunks[0]

    def check_declared(self, limit: int) -> int | None:
        """The declared Content-Length, refused (EntityTooLarge) past ``limit``."""
        declared = self._head.header("content-length")
        if declared is None or not declared.isdigit():
            return None
        if int(declared) > limit:
            raise too_large()
        return int(declared)

    async def stream(self, limit: int, batch: int, consume: Callable[[list[bytes]], Awaitable[None]]) -> None:
        """The body handed to ``consume`` in batches of about ``batch`` bytes, within
        ``limit`` and the deadline: memory held is one batch (reserved from the budget),
        plus what uvicorn buffers before it stops reading the socket (its flow control)."""
        declared = self.check_declared(limit)
        if declared is None and self._head.header("transfer-encoding") is None:
            self.complete = True  # neither header: no body (RFC 9112 §6.3)
            return
        self._reserve(batch)
        pending: list[bytes] = []
        held = 0
        size = 0
        loop = asyncio.get_running_loop()
        start = loop.time()
        watch = self._deadlines.watch(start + self._timeout)
        try:
            while True:
                message = await self._receive()
                if message["type"] == "http.disconnect":
                    raise cut_short()
                chunk = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if size > limit:
                        raise too_large()
                    pending.append(chunk)
                    held += len(chunk)
                    if held >= batch:
                        # The batch's processing is the server's time, not the client's: it
                        # runs outside the deadline (a cancellation must never land in it, or
                        # the worker thread would go on with a spool being discarded), and
                        # the deadline moves on by what it took.
                        self._deadlines.done(watch)
                        began = loop.time()
                        await consume(pending)
                        start += loop.time() - began
                        pending, held = [], 0
                        watch = self._deadlines.watch(start + self._timeout + size / self._min_rate)
                if not message.get("more_body", False):
                    self.complete = True
                    break
                watch.deadline = start + self._timeout + size / self._min_rate
        except asyncio.CancelledError:
            if not watch.fired:
                raise
            watch.task.uncancel()
            raise BodyRefused(errors.RequestTimeout(), errors.RequestTimeout()) from None
        finally:
            self._deadlines.done(watch)
        if pending:
            await consume(pending)
