"""The PostgreSQL change channel under faults: a black-holed LISTEN connection stops being
trusted within the staleness bound and is replaced; a write names what it changed, so
another node's cache keeps what the write did not touch."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import insert

from credmint.store import schema
from credmint.store.cache import TopicCache
from credmint.store.changes import ALL, Changes
from credmint.store.db import Store
from credmint.store.migrate import upgrade
from tests.pgproxy import BLACKHOLE, PgProxy

pytestmark = pytest.mark.postgres


def wait_for(cond: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


@pytest.fixture
def proxy() -> Iterator[PgProxy]:
    p = PgProxy()
    yield p
    p.close()


def test_blackholed_listen_is_distrusted_within_the_bound_and_replaced(pg_url: str, proxy: PgProxy) -> None:
    direct = Store(pg_url)
    upgrade(direct)
    node = Store(proxy.url(pg_url), timeout=1.0, staleness_bound=1.0)
    seen: list[Changes] = []
    node.on_change(seen.append)
    node.start_watching()
    try:
        assert wait_for(node.caches_trusted, 10)
        assert node.channel_status() is None
        assert proxy.set_mode(BLACKHOLE, lambda c: c.listens) == 1
        blackholed_at = time.monotonic()
        assert wait_for(lambda: not node.caches_trusted(), 5)
        # Not trusted a moment past the bound (heartbeats go out every bound/5).
        assert time.monotonic() - blackholed_at < 1.0 + 1.5
        assert node.channel_status() is not None
        seen.clear()
        # A fresh LISTEN connection (through the proxy, which passes new ones) takes over,
        # and the reconnect empties every cache: notifications were missed meanwhile.
        assert wait_for(node.caches_trusted, 10)
        assert ALL in seen
        assert len(proxy.select(lambda c: c.listens)) == 2
    finally:
        node.close()
        direct.close()


def test_a_write_drops_only_the_entries_it_names_on_another_node(pg_url: str) -> None:
    writer = Store(pg_url)
    upgrade(writer)
    reader = Store(pg_url, staleness_bound=2.0)
    cache: TopicCache[str, str] = TopicCache(reader)
    reader.start_watching()
    try:
        assert wait_for(reader.caches_trusted, 10)
        cache.get("U1", lambda: ("alice", frozenset({"entity:U1"})))
        cache.get("U2", lambda: ("bob", frozenset({"entity:U2"})))
        with writer.write() as conn:
            conn.execute(insert(schema.tags).values(resource="U2", key_lower="k", key="K", value="v", position=0))
        assert wait_for(lambda: not cache.peek("U2")[0], 5)
        assert cache.peek("U1") == (True, "alice")
    finally:
        reader.close()
        writer.close()
