"""Apply the Alembic migrations to a store (the same ones on SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from credmint.store.db import Store

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(store: Store, revision: str = "head") -> None:
    cfg = _config()
    with store.engine.begin() as conn:
        if store.is_sqlite:
            # Serialise concurrent first starts (several workers) on one file.
            conn.exec_driver_sql("SELECT 1")
        else:
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(748211)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()
