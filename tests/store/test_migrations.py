"""The Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select

from credmint.store import migrate, schema
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


def test_0005_binds_principals_of_stored_policies(tmp_path: Path) -> None:
    """Policies stored before principals were bound get the entities' unique ids."""
    account, user_id, role_id = "111122223333", "AIDAAAAAAAAAAAAAAAAAA", "AROABBBBBBBBBBBBBBBBB"
    user = f"arn:aws:iam::{account}:user/alice"
    role = f"arn:aws:iam::{account}:role/deploy"
    ghost = f"arn:aws:iam::{account}:user/ghost"
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def doc(*aws: object) -> str:
        return json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": a}} for a in aws]}
        )

    store = Store(sqlite_url(tmp_path))
    migrate.upgrade(store, "0003")
    with store.write() as conn:
        conn.execute(
            insert(schema.accounts).values(account_id=account, name="a", canonical_user_id="c" * 64, created_at=now)
        )
        conn.execute(
            insert(schema.users).values(
                user_id=user_id, account_id=account, name="alice", name_key="alice", path="/", arn=user, created_at=now
            )
        )
        conn.execute(
            insert(schema.roles).values(
                role_id=role_id,
                account_id=account,
                name="deploy",
                name_key="deploy",
                path="/",
                arn=role,
                trust_policy=doc([user, ghost, account]),
                max_session_duration=3600,
                created_at=now,
            )
        )
        conn.execute(
            insert(schema.buckets).values(
                name="b", account_id=account, region="us-east-1", policy=doc(role, "*"), created_at=now
            )
        )
        conn.execute(
            insert(schema.buckets).values(name="c", account_id=account, region="us-east-1", policy="{}", created_at=now)
        )
    migrate.upgrade(store)
    with store.read() as conn:
        trust = conn.execute(select(schema.roles.c.trust_policy)).scalar_one()
        policies = dict(conn.execute(select(schema.buckets.c.name, schema.buckets.c.policy)).all())
    assert json.loads(trust)["Statement"][0]["Principal"]["AWS"] == [user_id, ghost, account]
    assert [s["Principal"]["AWS"] for s in json.loads(policies["b"])["Statement"]] == [role_id, "*"]
    assert policies["c"] == "{}"
    with store.engine.begin() as conn:
        cfg = migrate._config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    with store.read() as conn:
        trust = conn.execute(select(schema.roles.c.trust_policy)).scalar_one()
    assert json.loads(trust)["Statement"][0]["Principal"]["AWS"] == [user, ghost, account]
    store.close()
