"""The SQLite change watcher: another process's signalled writes drop every cache; commits
that signal nothing (audit rows, usage stamps) and this process's own writes do not."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from credmint.store import migrate, schema
from credmint.store.changes import ALL, Changes
from credmint.store.db import CHANGE_COUNTER_KEY, Store, sqlite_url

_N = itertools.count()


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """Two stores on one file, each standing for a process (own engine, own watcher)."""
    url = sqlite_url(tmp_path)
    a, b = Store(url), Store(url)
    migrate.upgrade(a)
    a.start_watching(interval=0.01)
    time.sleep(0.2)  # the watcher has read the counter
    yield a, b
    a.close()
    b.close()


class Seen:
    def __init__(self, store: Store) -> None:
        self.changes: list[Changes] = []
        self._event = threading.Event()
        store.on_change(self._on)

    def _on(self, changes: Changes) -> None:
        self.changes.append(changes)
        self._event.set()

    def everything(self) -> bool:
        return any(c == ALL for c in self.changes)

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)


def signalled_write(store: Store) -> None:
    """A write on a table caches read (accounts): it signals, and bumps the counter."""
    n = next(_N)
    with store.write() as conn:
        conn.execute(
            insert(schema.accounts).values(
                account_id=f"{100000000000 + n}",
                name=f"a{n}",
                canonical_user_id=f"{n:064x}",
                created_at=datetime.now(UTC),
            )
        )


def counter(store: Store) -> int:
    with store.read() as conn:
        value = conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": CHANGE_COUNTER_KEY}).scalar()
    return int(value or 0)


def test_a_signalled_write_counts_once(stores: tuple[Store, Store]) -> None:
    _, b = stores
    before = counter(b)
    signalled_write(b)
    signalled_write(b)
    assert counter(b) == before + 2


def test_another_process_signalled_write_drops_every_cache(stores: tuple[Store, Store]) -> None:
    a, b = stores
    seen = Seen(a)
    signalled_write(b)
    assert seen.wait(5.0), "another process's signalled write was not noticed"
    assert seen.everything()


def test_commits_that_signal_nothing_drop_nothing(stores: tuple[Store, Store]) -> None:
    a, b = stores
    seen = Seen(a)
    # Another process's audit rows and usage stamps: data_version moves, the counter does not.
    with b.engine.begin() as conn:
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('stamp', '1')"))
    with b.write_unsignalled() as conn:
        conn.execute(text("UPDATE meta SET value = '2' WHERE key = 'stamp'"))
    assert not seen.wait(0.5)


def test_own_signalled_writes_are_told_by_topic_not_as_everything(stores: tuple[Store, Store]) -> None:
    """A value the watcher reads between a commit and the writer telling it is taken as
    another process's (store/db.py: that only costs a reload, and a value is never taken
    as this process's unless it committed it). Polling every 10 ms under a loaded machine,
    one round of five writes can meet that window, so three rounds are given; writes
    always told as everything fail all three."""
    a, _ = stores
    rounds = []
    for _ in range(3):
        seen = Seen(a)
        for _ in range(5):
            signalled_write(a)
        time.sleep(0.5)  # the watcher has read the counter past them
        assert seen.changes, "own writes reach the caches at commit"
        rounds.append(seen.changes)
        if not seen.everything():
            return
    raise AssertionError(f"own writes were told as everything in every round: {rounds}")


def test_own_and_another_process_writes_together_still_drop_everything(stores: tuple[Store, Store]) -> None:
    a, b = stores
    seen = Seen(a)
    for _ in range(3):
        signalled_write(a)
        signalled_write(b)
    time.sleep(0.5)
    assert seen.everything()
