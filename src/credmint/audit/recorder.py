"""The node's audit recorder: called once per request, with the request's facts.

The server creates a :class:`RequestFacts` when a request for a service arrives, makes
it the request's :data:`current_facts` (a context variable: each request runs in its
own task, so each sees its own), lets the request path fill it in, and calls
:meth:`AuditRecorder.record` once the response is known and before it is sent.

``record`` builds the CloudTrail record, writes its JSON line to the sink (so a received
response implies a written record, see ``sink``), and queues its row for the database.
A daemon thread inserts the queue in one transaction every ``audit_flush_ms`` (the
LookupEvents view lags by at most that, plus the insert), and deletes records past the
retention period once an hour. The queue is bounded (:data:`MAX_PENDING`): if the
database cannot keep up, rows beyond it are counted and dropped from the LookupEvents
view only (the sink still has every record), so a slow database never grows memory.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from contextvars import ContextVar
from datetime import datetime
from typing import Any

import orjson

from credmint.audit import query
from credmint.audit.record import (
    RequestFacts,
    Summary,
    build_record,
    is_data_event,
    new_event_id,
    shared_account,
    shared_copy,
)
from credmint.audit.sink import FileSink, Sink, StdoutSink
from credmint.clock import Clock
from credmint.jsontext import compact_encoder
from credmint.settings import Settings
from credmint.store.db import RateLimitedLog, Store, unavailable

log = logging.getLogger("credmint.audit")

#: The facts of the request being served (None outside a recorded request).
current_facts: ContextVar[RequestFacts | None] = ContextVar("credmint_audit_facts", default=None)

#: The encoder for the records orjson refuses (see :func:`record_json`). Records are trees
#: of dicts, lists and strings built fresh by ``build_record``: they cannot hold a cycle,
#: so the encoder does not look for one.
_encode_json = compact_encoder()


def record_json(record: dict[str, Any]) -> bytes:
    """A record's compact JSON text, UTF-8.

    orjson writes it: the record is encoded once per recorded request, and the json
    module's encoder took about a tenth of an issuing call's time under load (orjson a
    tenth of that). orjson refuses what cannot be UTF-8, a lone surrogate from a request
    whose bytes were not UTF-8, and integers past 64 bits, where the json module escapes
    or writes them: such a record takes the json module's text (ASCII, non-ASCII escaped),
    so no request's content can make its record fail."""
    try:
        return orjson.dumps(record)
    except orjson.JSONEncodeError:
        return _encode_json(record).encode()


#: Rows waiting for the database, at most.
MAX_PENDING = 50_000
#: How often stored records past the retention period are deleted.
PRUNE_SECONDS = 3600.0


class AuditRecorder:
    def __init__(self, settings: Settings, store: Store, clock: Clock) -> None:
        self.enabled = settings.audit_sink != "off"
        self.data_events = settings.audit_data_events
        self.region = settings.region
        self._store = store
        self._clock = clock
        self._flush_seconds = max(settings.audit_flush_ms, 10) / 1000
        self._retention_ms = settings.audit_retention_days * 86_400_000
        self._sink: Sink | None = None
        if settings.audit_sink == "file":
            self._sink = FileSink(settings.data_dir / "audit", settings.audit_max_bytes, settings.audit_rotate_seconds)
        elif settings.audit_sink == "stdout":
            self._sink = StdoutSink()
        self._pending: list[query.Row] = []
        self._lock = threading.Lock()
        self._outage_log = RateLimitedLog(log, 5.0)
        self._refusal_log = RateLimitedLog(log, 5.0)
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Rows the database view lost to a full queue (the sink has them).
        self.dropped = 0
        #: The records of the event loop's current turn and their waiters (see :meth:`written`).
        self._turn: list[tuple[RequestFacts, asyncio.Future[None]]] | None = None

    def begin(self, facts: RequestFacts) -> None:
        """Make ``facts`` the current request's (called by the server as a request arrives)."""
        if self.enabled:
            current_facts.set(facts)

    def record(self, facts: RequestFacts) -> None:
        """Write the record of one finished request (once per request)."""
        if not self._records(facts):
            return
        now = self._clock.now()
        self._write(self._line(facts, now), now)

    async def written(self, facts: RequestFacts) -> None:
        """:meth:`record`, on the event loop: returns once the record is written.

        The records of one turn of the event loop are built and written together at its
        end, one write for all of them, and each caller then goes on to send its answer,
        so a received answer still implies a written record. Built one after another, the
        records cost a fraction of what each costs built between two requests, its code
        and data gone cold; the price is one more turn before the answer. A record that
        cannot be built fails its own request, as :meth:`record` does."""
        if not self._records(facts):
            return
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        turn = self._turn
        if turn is None:
            turn = self._turn = []
            loop.call_soon(self._write_turn)
        turn.append((facts, waiter))
        await waiter

    def _write_turn(self) -> None:
        turn, self._turn = self._turn or [], None
        now = self._clock.now()
        lines = []
        for facts, waiter in turn:
            try:
                lines.append(self._line(facts, now))
            except Exception as err:  # that request fails (answered 500), the others go on
                if not waiter.done():
                    waiter.set_exception(err)
        if lines:
            self._write(b"".join(lines), now)
        for _, waiter in turn:
            if not waiter.done():
                waiter.set_result(None)

    def _records(self, facts: RequestFacts) -> bool:
        """Whether ``facts`` gets a record."""
        if not self.enabled or (facts.operation is None and facts.access_key_id is None):
            return False  # not a call (a redirect, a health probe)
        return self.data_events or not is_data_event(facts)

    def _line(self, facts: RequestFacts, now: datetime) -> bytes:
        """The record's JSON line for the sink; its row is queued for the database."""
        event_id = new_event_id(random.getrandbits(128))  # unique, not secret
        rec, summary = build_record(facts, event_id=event_id, now=now, region=self.region)
        other = shared_account(facts, summary.account_id)
        if other is None:
            return self._stored(rec, summary)
        rec["sharedEventID"] = new_event_id(random.getrandbits(128))
        copy, copied = shared_copy(rec, summary, account=other, event_id=new_event_id(random.getrandbits(128)))
        return self._stored(rec, summary) + self._stored(copy, copied)

    def _stored(self, rec: dict[str, Any], summary: Summary) -> bytes:
        """A record's JSON line; its row is queued for the database."""
        data = record_json(rec)
        if summary.account_id is not None:
            # A call no account can be told from (an unknown key, a token that does not
            # open, an anonymous caller) is in the file for the operator, but not stored,
            # so that unsigned traffic cannot grow the database.
            row = query.row_of(summary, data.decode())
            with self._lock:
                if len(self._pending) < MAX_PENDING:
                    self._pending.append(row)
                else:
                    self.dropped += 1
        return data + b"\n"

    def _write(self, lines: bytes, now: datetime) -> None:
        if self._sink is not None:
            try:
                self._sink.write(lines, now)
            except OSError:
                # The call itself succeeded or failed on its own terms; a full disk must not
                # turn it into a 500. The operator sees the failure in the log.
                log.exception("writing an audit record failed")

    # --- the database side -----------------------------------------------------------------

    def start(self) -> None:
        """Start the flushing thread (once, when the server starts)."""
        if self.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="credmint-audit", daemon=True)
            self._thread.start()

    def flush(self) -> None:
        """Insert the queued rows now."""
        with self._flush_lock:
            with self._lock:
                batch, self._pending = self._pending, []
            try:
                query.insert_rows(self._store, batch)
            except Exception as err:
                outage = unavailable(err)
                if outage is None:
                    self._refusal_log.warning(
                        "storing %d audit records failed (%s: %s); storing them one by one",
                        len(batch),
                        type(err).__name__,
                        err,
                    )
                    # A row the database refuses would fail its batch, and every batch
                    # after it: the rows go one by one, and those refused are dropped (the
                    # sink has them) once another row shows the database takes rows.
                    batch = self._insert_one_by_one(batch)
                    if not batch:
                        return
                else:  # the database is away: one line now and then, no traceback per batch
                    self._outage_log.warning("storing audit records waits for the database: %s", outage)
                with self._lock:
                    # Put them back in front, within the bound.
                    room = MAX_PENDING - len(self._pending)
                    self.dropped += max(0, len(batch) - room)
                    self._pending[:0] = batch[: max(room, 0)]

    def _insert_one_by_one(self, batch: list[query.Row]) -> list[query.Row]:
        """Insert ``batch`` a row at a time; the rows to try again (all of them when none
        was stored, or from where the database went away)."""
        refused: list[query.Row] = []
        stored = 0
        rest: list[query.Row] = []
        for i, row in enumerate(batch):
            try:
                query.insert_rows(self._store, [row])
            except Exception as err:
                if unavailable(err) is not None:
                    rest = batch[i:]
                    break
                refused.append(row)
            else:
                stored += 1
        if stored == 0:
            return refused + rest
        if refused:
            log.error("the database refused %d audit records; they are left out of LookupEvents", len(refused))
            with self._lock:
                self.dropped += len(refused)
        return rest

    def prune(self) -> int:
        cutoff = int(self._clock.now().timestamp() * 1000) - self._retention_ms
        return query.prune(self._store, cutoff)

    def _run(self) -> None:
        next_prune = time.monotonic()
        while not self._stop.wait(self._flush_seconds):
            self.flush()
            if time.monotonic() >= next_prune:
                next_prune = time.monotonic() + PRUNE_SECONDS
                try:
                    self.prune()
                except Exception as err:
                    outage = unavailable(err)
                    if outage is None:
                        log.exception("deleting old audit records failed")
                    else:
                        self._outage_log.warning("deleting old audit records waits for the database: %s", outage)

    def close(self) -> None:
        """Stop the thread, store what is queued, close the sink (on server shutdown)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.flush()
        if self._sink is not None:
            self._sink.close()
