"""The store: one SQLAlchemy engine, its transaction boundary, its change signal, and the
bounds that keep a misbehaving database from freezing or fooling a node.

SQLite (WAL, ``synchronous=FULL``) is the embedded default; PostgreSQL serves several
nodes. Write transactions on SQLite start with ``BEGIN IMMEDIATE`` so two processes
never deadlock upgrading read locks.

**Change signal.** Every write transaction records what its statements touched
(:mod:`credmint.store.changes` turns tables and ids into topics) and tells the caches
on this node at commit. On PostgreSQL the same topics go to the other nodes as the
payload of a ``NOTIFY`` sent inside the transaction (so it is delivered if and only if
the write committed); a write whose tables no cache reads (S3 objects) sends nothing.
On SQLite a signalled write also bumps a counter row in ``meta`` (``change_counter``);
the watcher of every process on the file polls ``PRAGMA data_version`` (free) and, when
it moves, reads the counter. A counter that moved by another process's write carries no
payload: that process drops everything. Commits that signal nothing (audit rows, usage
stamps, MFA attempt counts) move ``data_version`` but not the counter, so they drop
nothing, and a process's own writes reach its caches at commit, topic by topic, as on
PostgreSQL.

**Staleness bound.** A ``LISTEN`` connection can die without a FIN or RST; a node that
keeps trusting its caches then enforces revoked keys and removed policies forever. So
the watcher proves its channel live: a heartbeat thread ``NOTIFY``\\ s the channel with
this node's nonce and the monotonic instant it sent it, and the watcher, on reading it
back, knows every change committed before that instant has reached it. A cached fact is
trusted only while the last confirmed instant is within ``staleness_bound`` seconds
(:meth:`Store.caches_trusted`); past it, caches are bypassed (every lookup reads the
store), the watcher drops the connection, reconnects, and empties every cache (changes
may have been missed). TCP keepalives and ``tcp_user_timeout`` let the kernel end dead
connections too.

**Timeouts.** Every PostgreSQL connection has ``connect_timeout``, and its sessions
``statement_timeout``, ``lock_timeout`` and ``idle_in_transaction_session_timeout``; the
pool hands out a connection within ``pool_timeout`` or fails. Failures to reach the
database surface as :class:`StoreUnavailable`, which the server answers with the
protocol's ``ServiceUnavailable``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import secrets
import select
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import dml, visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter
from sqlalchemy.sql.operators import eq, in_op
from sqlalchemy.sql.schema import Column, Table

from credmint import metrics

# The URL is the settings' to name; kept importable from here, where stores are opened.
from credmint.settings import sqlite_url as sqlite_url
from credmint.store import changes as ch
from credmint.store.changes import Changes

log = logging.getLogger("credmint.store")

NOTIFY_CHANNEL = "credmint_changes"

#: Defaults of the ``db_timeout_seconds`` and ``cache_staleness_bound_seconds`` settings.
DEFAULT_TIMEOUT = 5.0
DEFAULT_STALENESS_BOUND = 5.0

#: ``conn.info`` key under which a write transaction collects its topics.
_TOPICS = "credmint_topics"


class StoreUnavailable(Exception):
    """The database could not be reached, or did not answer within its timeouts."""


class WouldBlock(Exception):
    """A store access was attempted where blocking is not allowed (the event loop)."""


#: Set while code runs on the event loop: any store access then raises WouldBlock, and
#: the server runs the whole operation again on a worker thread. Worker threads never
#: inherit it (``run_in_executor`` does not copy the context).
_ON_EVENT_LOOP: ContextVar[bool] = ContextVar("credmint_on_event_loop", default=False)


class non_blocking:
    """Within this block, a store access raises :class:`WouldBlock` instead of blocking.

    A class rather than a ``contextlib.contextmanager`` generator: it is entered once per
    request on the event loop, and the generator machinery cost several times the work.
    """

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _ON_EVENT_LOOP.set(True)

    def __exit__(self, *exc: object) -> None:
        _ON_EVENT_LOOP.reset(self._token)


def check_may_block() -> None:
    """Raise :class:`WouldBlock` if the caller must not block (see :func:`non_blocking`)."""
    if _ON_EVENT_LOOP.get():
        raise WouldBlock


#: What a lost, refused or timed-out database looks like through SQLAlchemy.
_OUTAGE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def unavailable(err: BaseException) -> StoreUnavailable | None:
    """``err`` as a :class:`StoreUnavailable` if it says the database could not be
    reached or did not answer in time (also for code using the engine directly)."""
    if isinstance(err, StoreUnavailable):
        return err
    if isinstance(err, _OUTAGE):
        return StoreUnavailable(_first_line(err))
    return None


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for both."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def postgres_connect_args(timeout: float, staleness_bound: float) -> dict[str, Any]:
    """libpq options: bounded connect, TCP keepalives, and per-session timeouts."""
    ms = max(1, int(timeout * 1000))
    return {
        "connect_timeout": max(1, math.ceil(timeout)),
        "keepalives": 1,
        "keepalives_idle": max(1, int(staleness_bound)),
        "keepalives_interval": 1,
        "keepalives_count": 3,
        # Unacknowledged data for this long ends the connection (a black-holed peer).
        "tcp_user_timeout": ms,
        "options": (f"-c statement_timeout={ms} -c lock_timeout={ms} -c idle_in_transaction_session_timeout={ms * 2}"),
    }


class Store:
    """Owns the engine; hands out read and write transactions."""

    def __init__(
        self,
        url: str,
        *,
        durable: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        staleness_bound: float = DEFAULT_STALENESS_BOUND,
    ) -> None:
        """``durable=False`` (dev mode's throwaway stores) lets SQLite commit without
        waiting for the disk: a commit survives a crash of the process, not a power cut,
        and costs a fraction of a millisecond instead of an fsync."""
        self.url = normalise_url(url)
        self.durable = durable
        self.dialect = make_url(self.url).get_backend_name()
        self.timeout = timeout
        self.staleness_bound = staleness_bound
        self.engine = self._make_engine()
        self._listeners: list[Callable[[Changes], None]] = []
        self._watcher: _SqliteWatcher | _PostgresWatcher | None = None
        event.listen(self.engine, "after_execute", _record_topics)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def _make_engine(self) -> Engine:
        if self.dialect == "sqlite":
            engine = create_engine(self.url, connect_args={"check_same_thread": False, "timeout": 30})

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn: Any, _record: Any) -> None:
                # Let SQLAlchemy's ``begin`` event own transaction starts (see below).
                dbapi_conn.isolation_level = None
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                # FULL: a commit that returned is on disk, even across a power cut.
                cur.execute("PRAGMA synchronous=FULL" if self.durable else "PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA foreign_keys=ON")
                # A local file: waiting for a writer is bounded, never a network stall.
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn: Connection) -> None:
                mode = conn.info.get("credmint_begin", "DEFERRED")
                conn.exec_driver_sql(f"BEGIN {mode}")

            return engine
        return create_engine(
            self.url,
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=True,
            pool_timeout=self.timeout,
            connect_args=postgres_connect_args(self.timeout, self.staleness_bound),
        )

    # --- transactions -------------------------------------------------------------------

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        check_may_block()
        try:
            with metrics.STORE_READ.time(), self.engine.connect() as conn, conn.begin():
                yield conn
        except _OUTAGE as err:
            raise StoreUnavailable(_first_line(err)) from err

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; on commit every cache it concerns is told, here and on
        the other nodes."""
        check_may_block()
        try:
            with metrics.STORE_WRITE.time(), self.engine.connect() as conn:
                conn.info["credmint_begin"] = "IMMEDIATE"
                conn.info[_TOPICS] = set()
                try:
                    with conn.begin():
                        yield conn
                        topics = _collected(conn)
                        counter = None
                        if topics and not self.is_sqlite:
                            conn.execute(
                                text("SELECT pg_notify(:channel, :payload)"),
                                {"channel": NOTIFY_CHANNEL, "payload": ch.encode(topics)},
                            )
                        elif topics:
                            counter = _bump_change_counter(conn)
                finally:
                    conn.info.pop("credmint_begin", None)
                    conn.info.pop(_TOPICS, None)
        except _OUTAGE as err:
            raise StoreUnavailable(_first_line(err)) from err
        watcher = self._watcher
        if counter is not None and isinstance(watcher, _SqliteWatcher):
            # Committed: this process's own change, told to its caches just below.
            watcher.own(counter)
        self.changed(topics)

    def ping(self) -> None:
        """One round trip to the database (raises :class:`StoreUnavailable`)."""
        with self.read() as conn:
            conn.execute(text("SELECT 1"))

    @contextlib.contextmanager
    def write_unsignalled(self) -> Iterator[Connection]:
        """A write transaction that tells no cache: for counters and stamps no cached view
        reads (MFA attempt counts). Through :meth:`write`, every wrong MFA guess would
        empty every cache on every node, which would make guessing a way to slow all
        callers down. It leaves SQLite's change counter alone too, so the other processes on
        one SQLite file keep their caches.
        """
        check_may_block()
        try:
            with self.engine.connect() as conn:
                conn.info["credmint_begin"] = "IMMEDIATE"
                try:
                    with conn.begin():
                        yield conn
                finally:
                    conn.info.pop("credmint_begin", None)
        except _OUTAGE as err:
            raise StoreUnavailable(_first_line(err)) from err

    # --- change signal ------------------------------------------------------------------

    def on_change(self, listener: Callable[[Changes], None]) -> None:
        self._listeners.append(listener)

    def changed(self, changes: Changes = ch.ALL) -> None:
        if not changes:
            return
        for listener in self._listeners:
            listener(changes)

    def caches_trusted(self) -> bool:
        """Whether cached facts may be used now: always on one process (its own writes
        reach its caches at commit), and on a watched store only while the change
        channel was confirmed live within the staleness bound."""
        watcher = self._watcher
        return watcher is None or watcher.trusted()

    def channel_status(self) -> str | None:
        """Why the change channel cannot be trusted now, or None if it can."""
        watcher = self._watcher
        return None if watcher is None else watcher.problem()

    def channel_age(self) -> float | None:
        """Seconds since the change channel was last confirmed live (infinite if never);
        None where there is no channel to confirm (not watching, or SQLite)."""
        watcher = self._watcher
        return watcher.age() if isinstance(watcher, _PostgresWatcher) else None

    def start_watching(self, interval: float = 0.05) -> None:
        """Watch for writes by other processes and nodes, in a daemon thread."""
        if self._watcher is None:
            if self.is_sqlite:
                self._watcher = _SqliteWatcher(self, interval)
            else:
                self._watcher = _PostgresWatcher(self)
            self._watcher.start()

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        self.engine.dispose()


# --- SQLite's change counter ------------------------------------------------------------------

#: The ``meta`` row counting signalled writes on a SQLite file (see the module docstring).
CHANGE_COUNTER_KEY = "change_counter"


def _bump_change_counter(conn: Connection) -> int:
    """Count one signalled write, inside its transaction; the counter's new value."""
    conn.exec_driver_sql(
        "INSERT INTO meta (key, value) VALUES (?, '1') "
        "ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
        (CHANGE_COUNTER_KEY,),
    )
    return int(conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (CHANGE_COUNTER_KEY,)).scalar_one())


def _read_change_counter(raw: Any) -> int:
    row = raw.execute("SELECT value FROM meta WHERE key = ?", (CHANGE_COUNTER_KEY,)).fetchone()
    return int(row[0]) if row is not None else 0


# --- what a statement changed ----------------------------------------------------------------


def _collected(conn: Connection) -> Changes:
    return ch.merge(*conn.info.get(_TOPICS, ()))


def _record_topics(
    conn: Connection,
    clauseelement: Any,
    multiparams: Any,
    params: Any,
    execution_options: Any,
    result: Any,
) -> None:
    """``after_execute``: inside a write transaction, add the topics of each statement."""
    collected: set[Changes] | None = conn.info.get(_TOPICS)
    if collected is None:
        return
    if isinstance(clauseelement, (dml.Insert, dml.Update, dml.Delete)):
        table = clauseelement.table
        if not isinstance(table, Table):
            collected.add(ch.ALL)
            return
        compiled_params: Sequence[Mapping[str, Any]] = getattr(result.context, "compiled_parameters", None) or ()
        collected.add(ch.table_topics(table.name, _statement_values(clauseelement, table, compiled_params)))
        return
    sql = str(clauseelement).lstrip().upper()
    if not sql.startswith(("SELECT", "WITH", "PRAGMA", "BEGIN", "SET", "SHOW")):
        # Raw SQL that may write: the rules cannot place it.
        collected.add(ch.ALL)


def _statement_values(
    stmt: dml.Insert | dml.Update | dml.Delete, table: Table, compiled_params: Sequence[Mapping[str, Any]]
) -> dict[str, list[object]]:
    """Column -> values a statement wrote (``VALUES``/``SET``) or matched (``col = x``,
    ``col IN (...)`` in its ``WHERE``)."""
    values: dict[str, list[object]] = {}
    columns = {c.key for c in table.columns}
    for row in compiled_params:
        for key, value in row.items():
            if key in columns:
                values.setdefault(key, []).append(value)
    where = getattr(stmt, "whereclause", None)
    if where is not None:
        for node in visitors.iterate(where):
            if not isinstance(node, BinaryExpression) or node.operator not in (eq, in_op):
                continue
            left, right = node.left, node.right
            if isinstance(right, Column) and isinstance(left, BindParameter):
                left, right = right, left
            if not (isinstance(left, Column) and left.table is table and isinstance(right, BindParameter)):
                continue
            value = right.effective_value
            if value is None and compiled_params:
                value = compiled_params[0].get(right.key)
            got = value if isinstance(value, (list, tuple)) else [value]
            values.setdefault(left.key, []).extend(got)
    return values


# --- watchers --------------------------------------------------------------------------------


class _SqliteWatcher(threading.Thread):
    """Polls ``PRAGMA data_version`` (another connection, in any process, committed) and
    then the change counter: a signalled write this process did not make drops every cache.

    This process's own signalled writes are told to it (:meth:`own`) once committed; a
    counter value the watcher reads before it is told is taken as another process's, which
    only costs a reload. A value is never taken as this process's unless it committed it."""

    def __init__(self, store: Store, interval: float) -> None:
        super().__init__(name="credmint-store-watcher", daemon=True)
        self.store = store
        self.interval = interval
        self._stop_event = threading.Event()
        self._lock = threading.Lock()
        #: Counter values this process committed that the watcher has not read yet.
        self._own: set[int] = set()
        #: The counter value the watcher last read.
        self._seen: int | None = None

    def own(self, counter: int) -> None:
        with self._lock:
            if self._seen is None or counter > self._seen:
                self._own.add(counter)

    def _external(self, counter: int) -> bool:
        """Whether the counter moved (to ``counter``) by a write this process did not make."""
        with self._lock:
            seen, own = self._seen, self._own
            self._seen = counter
            self._own = {v for v in own if v > counter}
        if seen is None or counter < seen:
            return True  # the first read, or a file that was replaced: assume anything
        new = counter - seen
        # More new values than this process made: at least one is another's.
        return new > len(own) or any(v not in own for v in range(seen + 1, counter + 1))

    def trusted(self) -> bool:
        return True

    def problem(self) -> str | None:
        return None

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self._watch()
            except Exception:  # a lost connection must not end the watching
                log.exception("store watcher failed; retrying")
                self.store.changed()
                self._stop_event.wait(1.0)

    def _watch(self) -> None:
        # ``data_version`` changes on this connection whenever another connection
        # (in any process) commits; it costs no disk read. It says nothing of what changed.
        engine = create_engine(self.store.url, poolclass=NullPool)
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            last = raw.execute("PRAGMA data_version").fetchone()[0]
            with self._lock:
                # Counted from here: a (re)started watch assumes nothing about before.
                self._seen, self._own = _read_change_counter(raw), set()
            while not self._stop_event.wait(self.interval):
                now = raw.execute("PRAGMA data_version").fetchone()[0]
                if now == last:
                    continue
                last = now
                counter = _read_change_counter(raw)
                if counter != self._seen and self._external(counter):
                    self.store.changed()
        engine.dispose()


class _PostgresWatcher:
    """``LISTEN`` with a heartbeat: a listener thread and a heartbeat thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.bound = store.staleness_bound
        #: Several heartbeats per bound, so one lost or late does not drop trust.
        self.heartbeat_interval = max(0.05, self.bound / 5)
        self.nonce = secrets.token_hex(8)
        #: Monotonic instant up to which every committed change is known here.
        self._confirmed = -math.inf
        self._connected = False
        self._last_error: str | None = "not connected yet"
        self._stop_event = threading.Event()
        self._engine = create_engine(
            store.url,
            poolclass=NullPool,
            connect_args=postgres_connect_args(store.timeout, store.staleness_bound),
        )
        self._threads = [
            threading.Thread(target=self._listen_forever, name="credmint-store-watcher", daemon=True),
            threading.Thread(target=self._heartbeat_forever, name="credmint-store-heartbeat", daemon=True),
        ]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        self._stop_event.set()
        for t in self._threads:
            t.join(timeout=2)
        self._engine.dispose()

    def trusted(self) -> bool:
        return time.monotonic() - self._confirmed <= self.bound

    def age(self) -> float:
        return time.monotonic() - self._confirmed

    def problem(self) -> str | None:
        if not self._connected:
            return f"change channel down: {self._last_error}"
        age = time.monotonic() - self._confirmed
        if age > self.bound:
            return "change channel not confirmed live" + (f" for {age:.1f}s" if math.isfinite(age) else " yet")
        return None

    # --- heartbeat ------------------------------------------------------------------------

    def _heartbeat_forever(self) -> None:
        limiter = RateLimitedLog(log, 30.0)
        while not self._stop_event.wait(self.heartbeat_interval):
            try:
                with self.store.engine.connect() as conn:
                    conn.execute(
                        text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": NOTIFY_CHANNEL, "payload": ch.heartbeat_payload(self.nonce, time.monotonic())},
                    )
                    conn.commit()
            except Exception as err:  # the listener's bound notices; one line now and then
                limiter.warning("change channel heartbeat failed: %s", _first_line(err))

    # --- listener -------------------------------------------------------------------------

    def _listen_forever(self) -> None:
        limiter = RateLimitedLog(log, 30.0)
        while not self._stop_event.is_set():
            try:
                self._listen()
            except Exception as err:  # a lost connection must not end the watching
                self._last_error = _first_line(err)
                limiter.warning("change channel lost: %s; reconnecting", self._last_error)
            self._connected = False
            # Changes may have been missed while the channel was down.
            self.store.changed()
            self._stop_event.wait(min(1.0, self.heartbeat_interval))

    def _listen(self) -> None:
        with self._engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text(f"LISTEN {NOTIFY_CHANNEL}"))
            raw: Any = conn.connection.dbapi_connection
            listening_since = time.monotonic()
            self._connected = True
            self._last_error = None
            # Anything written before LISTEN took effect may have been missed.
            self.store.changed()
            while not self._stop_event.is_set():
                ready, _, _ = select.select([raw.fileno()], [], [], min(0.5, self.heartbeat_interval))
                if ready:
                    self._drain(raw)
                silent = time.monotonic() - max(self._confirmed, listening_since)
                if silent > self.bound:
                    self._last_error = f"no heartbeat for {silent:.1f}s"
                    raise ConnectionError(self._last_error)

    def _drain(self, raw: Any) -> None:
        pending: list[Changes] = []
        confirmed: float | None = None
        for notify in raw.notifies(timeout=0, stop_after=1000):
            got = ch.decode(notify.payload)
            if isinstance(got, ch.Heartbeat):
                if got.nonce == self.nonce:
                    confirmed = got.sent if confirmed is None else max(confirmed, got.sent)
                continue
            pending.append(got)
        if pending:
            self.store.changed(ch.merge(*pending))
        # Only after the changes that preceded it have been applied.
        if confirmed is not None:
            self._confirmed = max(self._confirmed, min(confirmed, time.monotonic()))


def _first_line(err: BaseException) -> str:
    text_ = str(err).strip()
    return text_.splitlines()[0] if text_ else type(err).__name__


class RateLimitedLog:
    """At most one line per ``interval`` seconds; the lines held back are counted."""

    def __init__(self, logger: logging.Logger, interval: float) -> None:
        self._log = logger
        self._interval = interval
        self._last = -math.inf
        self._held = 0
        self._lock = threading.Lock()

    def warning(self, message: str, *args: object) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last < self._interval:
                self._held += 1
                return
            held, self._held, self._last = self._held, 0, now
        if held:
            message += f" ({held} similar since last reported)"
        self._log.warning(message, *args)
