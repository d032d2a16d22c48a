"""The per-node cache: targeted invalidation, single flight, and no trust without a live channel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import text

from credmint.store.cache import TopicCache
from credmint.store.changes import ALL, Changes
from credmint.store.db import Store, WouldBlock, non_blocking, sqlite_url


class FakeStore:
    """Only what a cache asks of a store: the change signal and whether to trust."""

    def __init__(self) -> None:
        self.listeners: list[Callable[[Changes], None]] = []
        self.trusted = True

    def on_change(self, listener: Callable[[Changes], None]) -> None:
        self.listeners.append(listener)

    def changed(self, changes: Changes) -> None:
        for listener in self.listeners:
            listener(changes)

    def caches_trusted(self) -> bool:
        return self.trusted


def make() -> tuple[FakeStore, TopicCache[str, str]]:
    store = FakeStore()
    return store, TopicCache(cast(Store, store))


def entry(value: str, *topics: str) -> Callable[[], tuple[str, frozenset[str]]]:
    return lambda: (value, frozenset(topics))


def test_a_change_drops_only_the_entries_it_names() -> None:
    store, cache = make()
    cache.get("AKIA1", entry("alice", "key:AKIA1", "entity:U1"))
    cache.get("AKIA2", entry("bob", "key:AKIA2", "entity:U2"))
    store.changed(frozenset({"entity:U2"}))
    assert cache.peek("AKIA1") == (True, "alice")
    assert cache.peek("AKIA2") == (False, None)


@pytest.mark.parametrize("changes", [ALL, frozenset({"entity:U1", "*"})])
def test_everything_drops_everything(changes: Changes) -> None:
    store, cache = make()
    cache.get("a", entry("1", "entity:U1"))
    cache.get("b", entry("2", "entity:U2"))
    store.changed(changes)
    assert len(cache) == 0


def test_a_load_overlapping_a_change_is_not_kept() -> None:
    store, cache = make()

    def load() -> tuple[str, frozenset[str]]:
        store.changed(frozenset({"entity:U9"}))  # committed while the read ran
        return "stale?", frozenset({"entity:U1"})

    assert cache.get("a", load) == "stale?"
    assert cache.peek("a") == (False, None)


def test_nothing_is_served_or_kept_while_untrusted() -> None:
    store, cache = make()
    cache.get("a", entry("old", "entity:U1"))
    store.trusted = False
    assert cache.peek("a") == (False, None)
    calls: list[int] = []

    def load() -> tuple[str, frozenset[str]]:
        calls.append(1)
        return "fresh", frozenset({"entity:U1"})

    assert cache.get("b", load) == "fresh"
    assert cache.get("b", load) == "fresh"
    assert len(calls) == 2
    store.trusted = True
    assert cache.peek("b") == (False, None)


def test_concurrent_misses_share_one_load() -> None:
    _, cache = make()
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def load() -> tuple[str, frozenset[str]]:
        calls.append(1)
        started.set()
        release.wait(10)
        return "v", frozenset({"entity:U1"})

    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", load))) for _ in range(8)]
    threads[0].start()
    assert started.wait(10)
    for t in threads[1:]:
        t.start()
    # Followers are parked on the leader's flight before it is released.
    while len(cache._flights) != 1 or sum(t.is_alive() for t in threads) != 8:
        threading.Event().wait(0.01)
    release.set()
    for t in threads:
        t.join(10)
    assert results == ["v"] * 8
    assert calls == [1]


def test_a_failed_load_is_shared_and_not_kept() -> None:
    _, cache = make()

    def load() -> tuple[str, frozenset[str]]:
        raise OSError("down")

    with pytest.raises(OSError):
        cache.get("k", load)
    assert cache.peek("k") == (False, None)


def test_size_is_bounded() -> None:
    store = FakeStore()
    cache: TopicCache[int, int] = TopicCache(cast(Store, store), max_entries=3)
    for i in range(10):
        assert cache.get(i, lambda i=i: (i, frozenset())) == i  # type: ignore[misc]
    assert len(cache) == 3


def test_on_the_event_loop_a_miss_raises_would_block_without_loading() -> None:
    _, cache = make()
    cache.get("hit", entry("v", "entity:U1"))
    calls: list[int] = []

    def load() -> tuple[str, frozenset[str]]:
        calls.append(1)
        return "v", frozenset()

    with non_blocking():
        assert cache.get("hit", load) == "v"
        with pytest.raises(WouldBlock):
            cache.get("miss", load)
    assert calls == []
    assert cache.get("miss", load) == "v"


def test_on_the_event_loop_the_store_is_not_touched(tmp_path: Path) -> None:
    store = Store(sqlite_url(tmp_path))
    try:
        with non_blocking():
            with pytest.raises(WouldBlock), store.read():
                pass
            with pytest.raises(WouldBlock), store.write():
                pass
        with store.read() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        store.close()


def test_dropping_an_entry_forgets_it_under_every_topic() -> None:
    store, cache = make()
    cache.get("a", entry("1", "entity:U1", "account:A"))
    cache.get("b", entry("2", "entity:U2", "account:A"))
    store.changed(frozenset({"entity:U1"}))
    assert cache._by_topic == {"entity:U2": {"b"}, "account:A": {"b"}}
    store.changed(frozenset({"account:A"}))
    assert len(cache) == 0
    assert cache._by_topic == {}
