"""The one shape of per-node cache over the store: targeted invalidation, single flight,
and a hard bound on how long an entry is trusted.

Each entry is kept with the topics it was built from (:mod:`credmint.store.changes`):
a key entry depends on ``key:<akid>``, its user's ``entity:<id>`` and its account; a
user's compiled policies on the user, its groups and the managed policies attached. A
change signal drops exactly the entries whose topics it names (``*`` drops all).

Three rules keep it correct under concurrency:

* a load that overlaps *any* invalidation does not store its result (it may have read
  the rows before the change committed); it is still returned to its caller, who asked
  before the change;
* concurrent misses on one key share one load (single flight): a burst of requests
  for a key that was just invalidated costs one read, not one per request;
* on the event loop (:func:`credmint.store.db.non_blocking`) a miss raises ``WouldBlock``
  at once, before it could wait for another thread's load;
* nothing is served or stored while the store says its change channel is not confirmed
  live (:meth:`credmint.store.db.Store.caches_trusted`): every lookup reads the store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar, cast

from credmint.store.changes import EVERYTHING, Changes
from credmint.store.db import Store, check_may_block

K = TypeVar("K")
V = TypeVar("V")

#: Entries per cache; past it a new entry is not stored (served from the store instead).
MAX_ENTRIES = 100_000


class _Flight(Generic[V]):
    __slots__ = ("done", "error", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: V | None = None
        self.error: BaseException | None = None


class TopicCache(Generic[K, V]):
    """Key -> value, each with the topics it depends on."""

    def __init__(self, store: Store, *, max_entries: int = MAX_ENTRIES) -> None:
        self._store = store
        self._max = max_entries
        self._entries: dict[K, tuple[V, frozenset[str]]] = {}
        #: Topic -> keys of the entries that depend on it: a change costs what it drops,
        #: not a scan of every entry.
        self._by_topic: dict[str, set[K]] = {}
        self._flights: dict[K, _Flight[V]] = {}
        self._lock = threading.Lock()
        #: Bumped by every invalidation: a load that saw it move does not store.
        self._generation = 0
        store.on_change(self.invalidate)

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, key: K) -> tuple[bool, V | None]:
        """``(True, value)`` if ``key`` is cached and may be trusted, else ``(False, None)``."""
        found = self._entries.get(key)
        if found is None or not self._store.caches_trusted():
            return False, None
        return True, found[0]

    def get(self, key: K, load: Callable[[], tuple[V, frozenset[str]]]) -> V:
        """The cached value, or ``load()``'s (blocking), shared by concurrent callers."""
        hit, value = self.peek(key)
        if hit:
            return cast(V, value)
        # Before joining or leading a flight: the event loop neither waits nor reads.
        check_may_block()
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
            generation = self._generation
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return cast(V, flight.value)
        try:
            value, topics = load()
        except BaseException as exc:
            flight.error = exc
            raise
        else:
            flight.value = value
            with self._lock:
                if generation == self._generation and len(self._entries) < self._max and self._store.caches_trusted():
                    self._store_entry(key, value, topics)
            return value
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def _store_entry(self, key: K, value: V, topics: frozenset[str]) -> None:
        """Under the lock."""
        self._drop(key)
        self._entries[key] = (value, topics)
        for topic in topics:
            self._by_topic.setdefault(topic, set()).add(key)

    def _drop(self, key: K) -> None:
        """Under the lock."""
        found = self._entries.pop(key, None)
        if found is None:
            return
        for topic in found[1]:
            keys = self._by_topic.get(topic)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_topic[topic]

    def invalidate(self, changes: Changes) -> None:
        """Drop the entries ``changes`` concern (all of them for ``*``)."""
        if not changes:
            return
        with self._lock:
            self._generation += 1
            if EVERYTHING in changes:
                self._entries = {}
                self._by_topic = {}
                return
            for topic in changes:
                for key in list(self._by_topic.get(topic, ())):
                    self._drop(key)

    def clear(self) -> None:
        self.invalidate(frozenset({EVERYTHING}))
