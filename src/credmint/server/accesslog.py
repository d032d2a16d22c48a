"""The access log: one line per request on the ``credmint.access`` logger, plain or JSON.

While a request is served, an :class:`Exchange` (in a context variable, so the layers that
learn each fact need not pass it along) collects what the head alone does not say: the
service and operation, the access key id named by the signature, the verified principal,
and the error code of a failure. When the answer is sent, the server makes one line from
it (:func:`emit`) and counts it in the metrics; the lines made during one turn of the event
loop reach the logging machinery together at the end of that turn.

A line never carries a secret. The body is never logged; the path is logged with the
values of the query parameters in ``redaction.SECRET_QUERY_PARAMETERS`` replaced by ``<redacted>``
(presigned URLs carry their signature and session token in the query string, and Query API
calls sent as GET carry all their parameters there). Every other field is either the
server's own (status, duration, request id) or public (access key ids and ARNs are not
secrets in AWS either). Fields the caller controls (path, user agent) are escaped in the
plain format and bounded in length, so a line cannot be forged or made huge.

================  ===========================================================
format            line
================  ===========================================================
``plain``         ``2026-01-01T00:00:00.123Z 10.0.0.1 "POST /" 200 1.234ms
                  <request-id> <principal-arn|-> <access-key-id|-> sts
                  AssumeRole "<user-agent>"``
``json``          one JSON object with the same fields, named as in :data:`FIELDS`
================  ===========================================================
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
import time
from contextvars import ContextVar

from credmint.redaction import is_secret_query_parameter
from credmint.settings import Settings

ACCESS_LOGGER = "credmint.access"
log = logging.getLogger(ACCESS_LOGGER)

REDACTED = "<redacted>"

#: Longest path (with query) and user agent written, in characters; longer ones are cut
#: and marked, so a line stays bounded whatever the request.
MAX_PATH = 2048
MAX_USER_AGENT = 512

#: JSON field names, in line order.
FIELDS = (
    "time",
    "source",
    "method",
    "path",
    "status",
    "duration_ms",
    "request_id",
    "principal_arn",
    "access_key_id",
    "service",
    "operation",
    "user_agent",
)


class Exchange:
    """What is learnt about one request while it is served (see the module docstring).

    The facts not learnt yet are the class's defaults: a request sets only what it learns,
    and making one costs a single assignment."""

    #: A registered operation name (never the request's raw Action): it labels metrics.
    operation = "-"
    access_key_id: str | None = None
    principal_arn: str | None = None
    error_code: str | None = None
    #: The S3 bucket and key addressed (S3 server access logs are kept per bucket).
    bucket: str | None = None
    key: str | None = None
    #: How an S3 request was signed: "SigV2" / "SigV4", in a header ("AuthHeader") or
    #: the query string ("QueryString"); None when unsigned.
    signature_version: str | None = None
    auth_type: str | None = None

    def __init__(self, service: str) -> None:
        self.service = service


_current: ContextVar[Exchange] = ContextVar("credmint_exchange")


def begin(service: str) -> Exchange:
    """A new exchange, current for the rest of this request's task."""
    exchange = Exchange(service)
    _current.set(exchange)
    return exchange


def current() -> Exchange:
    """This request's exchange (a detached one outside a request, e.g. in tests)."""
    try:
        return _current.get()
    except LookupError:
        return Exchange("")


def redact_query(query_string: str) -> str:
    """``query_string`` with the values of ``redaction.SECRET_QUERY_PARAMETERS`` replaced. Operates on the
    raw text, never failing on malformed escapes (they are kept as sent)."""
    if not query_string:
        return ""
    parts = query_string.split("&")
    for i, part in enumerate(parts):
        name, eq, _ = part.partition("=")
        if eq and is_secret_query_parameter(name):
            parts[i] = f"{name}={REDACTED}"
    return "&".join(parts)


def logged_path(path: str, query_string: str) -> str:
    target = path + ("?" + redact_query(query_string) if query_string else "")
    return _bounded(target, MAX_PATH)


def emit(
    exchange: Exchange,
    *,
    method: str,
    path: str,
    query_string: str,
    status: int,
    seconds: float,
    request_id: str,
    source: str,
    user_agent: str | None,
) -> None:
    """Write the access-log line of a request (when the logger is enabled)."""
    if not log.isEnabledFor(logging.INFO):
        return
    fields = {
        "source": source,
        "method": method,
        "path": logged_path(path, query_string) if query_string or len(path) > MAX_PATH else path,
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "request_id": request_id,
        "principal_arn": exchange.principal_arn,
        "access_key_id": exchange.access_key_id,
        "service": exchange.service or None,
        "operation": exchange.operation if exchange.operation != "-" else None,
        "user_agent": _bounded(user_agent, MAX_USER_AGENT) if user_agent is not None else None,
    }
    _hand_over_later(_records.make(fields))


class _Turn(threading.local):
    """The records made during this event loop's current turn (one list per thread, so
    per event loop)."""

    records: list[logging.LogRecord] | None = None


_turn = _Turn()


def _hand_over_later(record: logging.LogRecord) -> None:
    """Give ``record`` to the logging machinery at the end of this event loop's turn,
    together with the others made in it (at once outside an event loop).

    The machinery (the logger, its handlers, the formatter, the stream) costs several
    times more per line when it runs between two requests, its code and data gone cold,
    than when lines follow one another; under load a turn serves many requests, and the
    lines keep their order and their own time. A line is written a turn later than its
    response, never lost while the loop runs."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        log.handle(record)
        return
    records = _turn.records
    if records is None:
        records = _turn.records = []
        loop.call_soon(_hand_over)
    records.append(record)


def _hand_over() -> None:
    records = _turn.records
    _turn.records = None
    for record in records or ():
        log.handle(record)


class _RecordTemplate:
    """Access-log records made from a per-process template.

    ``Logger.info`` finds its caller by walking the stack and ``LogRecord()`` looks up the
    thread and process names: together most of the cost of a line, and the same for every
    access line (written by the event-loop thread of this process, from :func:`emit`). A
    record here is a copy of one made once per process, with its own time and fields: an
    ordinary ``LogRecord`` to every handler and filter.
    """

    def __init__(self) -> None:
        self._pid: int | None = None
        self._base: dict[str, object] = {}
        self._created = self._relative = 0.0

    def make(self, fields: dict[str, object]) -> logging.LogRecord:
        if self._pid is None:
            base = logging.LogRecord(ACCESS_LOGGER, logging.INFO, __file__, 0, "access", None, None)
            self._base = dict(vars(base))
            self._created, self._relative = base.created, base.relativeCreated
            self._pid = os.getpid()
        record = logging.LogRecord.__new__(logging.LogRecord)
        record.__dict__.update(self._base)
        now = time.time_ns()
        record.created = now / 1e9
        record.msecs = (now % 1_000_000_000) // 1_000_000
        record.relativeCreated = self._relative + (record.created - self._created) * 1000
        record.access = fields
        return record

    def reset(self) -> None:
        """Forget the template (a forked child makes its own, with its process id)."""
        self._pid = None


_records = _RecordTemplate()
os.register_at_fork(after_in_child=_records.reset)


class AccessFormatter(logging.Formatter):
    """Formats the records of :func:`emit` as ``plain`` or ``json`` lines."""

    def __init__(self, style: str) -> None:
        super().__init__()
        self._json = style == "json"
        self._second = -1
        self._stamp = ""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "access", None)
        if not isinstance(fields, dict):
            return super().format(record)
        when = self._time(record)
        if self._json:
            return json.dumps({"time": when, **fields})  # the default encoder: made once, the fastest
        return (
            f'{when} {fields["source"]} "{fields["method"]} {_escape(fields["path"])}" {fields["status"]} '
            f"{fields['duration_ms']}ms {fields['request_id']} {fields['principal_arn'] or '-'} "
            f"{fields['access_key_id'] or '-'} {fields['service'] or '-'} {fields['operation'] or '-'} "
            f'"{_escape(fields["user_agent"] or "")}"'
        )

    def _time(self, record: logging.LogRecord) -> str:
        """ISO 8601 UTC with milliseconds; the seconds part formatted once per second."""
        second = int(record.created)
        if second != self._second:
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._stamp}.{int(record.msecs):03d}Z"


def configure(settings: Settings) -> None:
    """Send ``credmint.access`` lines to stderr in the configured format (once per process)."""
    log.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(AccessFormatter(settings.log_format))
    log.addHandler(handler)
    log.setLevel(logging.INFO if settings.access_log else logging.WARNING)
    log.propagate = False


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "...(truncated)"


def _escape(text: str) -> str:
    """Printable ASCII only, quotes and backslashes escaped: a caller cannot end the field or
    the line, nor send terminal escapes to whoever reads the log."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return text
    return text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
