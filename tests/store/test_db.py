"""Store bounds: every PostgreSQL session carries its timeouts, the pool waits a bounded
time, outages are typed, and outage logging is rate-limited."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from credmint.store.db import RateLimitedLog, Store, StoreUnavailable, unavailable


@pytest.mark.postgres
def test_postgres_sessions_carry_their_timeouts(pg_url: str) -> None:
    store = Store(pg_url, timeout=1.5)
    try:
        with store.read() as conn:
            shown = {
                name: conn.execute(text(f"SHOW {name}")).scalar_one()
                for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
            }
            keepalives = conn.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
        assert shown == {
            "statement_timeout": "1500ms",
            "lock_timeout": "1500ms",
            "idle_in_transaction_session_timeout": "3s",
        }
        assert keepalives["connect_timeout"] == "2"
        assert keepalives["tcp_user_timeout"] == "1500"
        assert keepalives["keepalives"] == "1"
        assert store.engine.pool.timeout() == 1.5  # type: ignore[attr-defined]
    finally:
        store.close()


@pytest.mark.postgres
def test_a_statement_past_the_timeout_is_an_outage(pg_url: str) -> None:
    store = Store(pg_url, timeout=0.5)
    try:
        with pytest.raises(StoreUnavailable), store.read() as conn:
            conn.execute(text("SELECT pg_sleep(5)"))
    finally:
        store.close()


def test_an_unreachable_database_is_an_outage() -> None:
    store = Store("postgresql://postgres@127.0.0.1:1/none", timeout=1.0)
    try:
        with pytest.raises(StoreUnavailable), store.read():
            pass
    finally:
        store.close()


@pytest.mark.parametrize(
    ("err", "is_outage"),
    [
        (sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection")), True),
        (sa_exc.TimeoutError("QueuePool limit reached"), True),
        (sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")), False),
        (ValueError("not a database error"), False),
    ],
)
def test_what_counts_as_an_outage(err: Exception, is_outage: bool) -> None:
    assert (unavailable(err) is not None) is is_outage


def test_outage_lines_are_rate_limited(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RateLimitedLog(logging.getLogger("credmint.test"), 3600.0)
    with caplog.at_level(logging.WARNING, logger="credmint.test"):
        for i in range(100):
            limiter.warning("store unavailable: %s", i)
    assert [r.getMessage() for r in caplog.records] == ["store unavailable: 0"]
