"""The store: one SQLAlchemy engine, its transaction boundary, and its change signal.

SQLite (WAL, ``synchronous=FULL``) is the embedded default; PostgreSQL serves
several nodes. Write transactions on SQLite start with ``BEGIN IMMEDIATE`` so two
processes never deadlock upgrading read locks, and every write transaction tells
the change signal, so caches on this node drop at once and caches on other nodes
within the watcher's poll interval (SQLite ``data_version``) or at the next
notification (PostgreSQL ``LISTEN``).
"""

from __future__ import annotations

import contextlib
import logging
import select
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from credmint import metrics

log = logging.getLogger("credmint.store")

NOTIFY_CHANNEL = "credmint_changes"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'credmint.db').resolve()}"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for both."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Store:
    """Owns the engine; hands out read and write transactions."""

    def __init__(self, url: str, *, durable: bool = True) -> None:
        """``durable=False`` (dev mode's throwaway stores) lets SQLite commit without
        waiting for the disk: a commit survives a crash of the process, not a power cut,
        and costs a fraction of a millisecond instead of an fsync."""
        self.url = normalise_url(url)
        self.durable = durable
        self.dialect = make_url(self.url).get_backend_name()
        self.engine = self._make_engine()
        self._listeners: list[Callable[[], None]] = []
        self._watcher: _Watcher | None = None

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
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn: Connection) -> None:
                mode = conn.info.get("credmint_begin", "DEFERRED")
                conn.exec_driver_sql(f"BEGIN {mode}")

            return engine
        return create_engine(self.url, pool_size=10, max_overflow=20, pool_pre_ping=True)

    # --- transactions -------------------------------------------------------------------

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with metrics.STORE_READ.time(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; on commit every cache listener on this node is told."""
        with metrics.STORE_WRITE.time(), self.engine.connect() as conn:
            conn.info["credmint_begin"] = "IMMEDIATE"
            try:
                with conn.begin():
                    yield conn
                    if not self.is_sqlite:
                        conn.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
            finally:
                conn.info.pop("credmint_begin", None)
        self.changed()

    @contextlib.contextmanager
    def write_unsignalled(self) -> Iterator[Connection]:
        """A write transaction that tells no cache: for counters and stamps no cached view
        reads (MFA attempt counts). Through :meth:`write`, every wrong MFA guess would
        empty every cache on every node, which would make guessing a way to slow all
        callers down. (Other processes on one SQLite file still see ``data_version`` move.)
        """
        with self.engine.connect() as conn:
            conn.info["credmint_begin"] = "IMMEDIATE"
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info.pop("credmint_begin", None)

    # --- change signal ------------------------------------------------------------------

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        for listener in self._listeners:
            listener()

    def start_watching(self, interval: float = 0.05) -> None:
        """Watch for writes by other processes and nodes, in a daemon thread."""
        if self._watcher is None:
            self._watcher = _Watcher(self, interval)
            self._watcher.start()

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        self.engine.dispose()


class _Watcher(threading.Thread):
    def __init__(self, store: Store, interval: float) -> None:
        super().__init__(name="credmint-store-watcher", daemon=True)
        self.store = store
        self.interval = interval
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                if self.store.is_sqlite:
                    self._watch_sqlite()
                else:
                    self._watch_postgres()
            except Exception:  # a lost connection must not end the watching
                log.exception("store watcher failed; retrying")
                self.store.changed()
                self._stop_event.wait(1.0)

    def _watch_sqlite(self) -> None:
        # ``data_version`` changes on this connection whenever another connection
        # (in any process) commits; it costs no disk read.
        engine = create_engine(self.store.url, poolclass=NullPool)
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            last = raw.execute("PRAGMA data_version").fetchone()[0]
            while not self._stop_event.wait(self.interval):
                now = raw.execute("PRAGMA data_version").fetchone()[0]
                if now != last:
                    last = now
                    self.store.changed()
        engine.dispose()

    def _watch_postgres(self) -> None:
        engine = create_engine(self.store.url, poolclass=NullPool)
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text(f"LISTEN {NOTIFY_CHANNEL}"))
            raw: Any = conn.connection.dbapi_connection
            # Anything written before LISTEN took effect may have been missed.
            self.store.changed()
            while not self._stop_event.is_set():
                ready, _, _ = select.select([raw.fileno()], [], [], 0.5)
                if not ready:
                    continue
                got = False
                for _notify in raw.notifies(timeout=0, stop_after=100):
                    got = True
                if got:
                    self.store.changed()
        engine.dispose()
