"""Several ``credmint serve`` nodes on one scratch PostgreSQL database, for the multi-node
benchmarks (``bench.propagation``, ``bench.multinode``). Run from the repository root."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from tests.conftest import Server, start_server

from credmint.sealing import MasterKey


@contextmanager
def scratch_database(database_url: str) -> Iterator[str]:
    """A fresh database on the server of ``database_url`` (its URL), dropped afterwards."""
    name = f"credmint_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield database_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def start_pair(url: str, data: Path) -> tuple[Server, Server]:
    """Nodes A and B on ``url``: one master key, one account, the same root key."""
    master = MasterKey.generate().to_text()
    a = start_server(data / "a", database_url=url, extra_env={"CREDMINT_MASTER_KEY": master})
    b = start_server(
        data / "b",
        database_url=url,
        account_id=a.account_id,
        access_key_id=a.access_key_id,
        secret_access_key=a.secret_access_key,
        extra_env={"CREDMINT_MASTER_KEY": master},
    )
    return a, b
