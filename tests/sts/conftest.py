"""Fixtures the STS tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from credmint.sealing import MasterKey
from credmint.store.db import Store, sqlite_url
from tests.conftest import Server


@pytest.fixture
def server_store(server: Server) -> Iterator[tuple[Store, MasterKey]]:
    """The running server's own store and master key (same data dir): for tests that put
    stored state where no API call can (expired tokens, signers past their delay)."""
    store = Store(sqlite_url(server.data_dir))
    master = MasterKey.from_text((server.data_dir / "master.key").read_text())
    yield store, master
    store.close()
