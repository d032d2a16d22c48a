"""A store commits to disk (``synchronous=FULL``) unless it is a dev store that was told not to."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from credmint.store.db import Store, sqlite_url


@pytest.mark.parametrize(("durable", "level"), [(True, 2), (False, 1)])  # 2: FULL, 1: NORMAL
def test_synchronous_level(tmp_path: Path, durable: bool, level: int) -> None:
    store = Store(sqlite_url(tmp_path), durable=durable)
    try:
        with store.read() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar_one() == level
    finally:
        store.close()


def test_default_is_durable(tmp_path: Path) -> None:
    store = Store(sqlite_url(tmp_path))
    try:
        with store.read() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar_one() == 2
    finally:
        store.close()
