"""The Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from credmint.store import migrate
from credmint.store.db import Store, sqlite_url
from credmint.store.schema import metadata


def _diff(store: Store) -> list[object]:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, metadata))


def test_sqlite_migrations_match_schema(tmp_path: Path) -> None:
    store = Store(sqlite_url(tmp_path))
    migrate.upgrade(store)
    assert migrate.current(store) == migrate.head()
    assert _diff(store) == []
    migrate.upgrade(store)  # a second upgrade is a no-op
    store.close()


@pytest.mark.postgres
def test_postgres_migrations_match_schema(pg_url: str) -> None:
    store = Store(pg_url)
    migrate.upgrade(store)
    assert migrate.current(store) == migrate.head()
    assert _diff(store) == []
    store.close()


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    store = Store(sqlite_url(tmp_path))
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    store.close()


def test_change_signal_reaches_another_store(tmp_path: Path) -> None:
    """A write through one Store (another process, in production) empties the other's caches."""
    import threading

    from sqlalchemy import insert

    from credmint.store import schema

    a = Store(sqlite_url(tmp_path))
    migrate.upgrade(a)
    b = Store(sqlite_url(tmp_path))
    seen = threading.Event()
    b.on_change(lambda _changes: seen.set())
    b.start_watching(interval=0.01)
    try:
        import time

        time.sleep(0.1)
        seen.clear()
        with a.write() as conn:
            conn.execute(insert(schema.meta).values(key="probe", value="1"))
        assert seen.wait(5)
    finally:
        b.close()
        a.close()


@pytest.mark.postgres
def test_change_signal_postgres(pg_url: str) -> None:
    import threading
    import time

    from sqlalchemy import insert

    from credmint.store import schema

    a = Store(pg_url)
    migrate.upgrade(a)
    b = Store(pg_url)
    seen = threading.Event()
    b.on_change(lambda _changes: seen.set())
    b.start_watching()
    try:
        time.sleep(0.5)
        seen.clear()
        with a.write() as conn:
            conn.execute(insert(schema.meta).values(key="probe", value="1"))
        assert seen.wait(5)
    finally:
        b.close()
        a.close()
