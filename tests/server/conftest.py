"""An in-process node for tests that need no real socket: the ASGI app behind httpx's ASGI
transport, on a temporary SQLite store, with a fixed clock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from credmint import accounts
from credmint.clock import FixedClock
from credmint.sealing import load_or_create_master_key
from credmint.server.app import CredmintApp
from credmint.server.node import Node
from credmint.settings import Settings
from credmint.store import migrate
from credmint.store.db import Store

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ACCOUNT_ID = "123456789012"


@dataclass
class InProcess:
    app: CredmintApp
    node: Node

    def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        """One request through the ASGI app (no lifespan: nothing here needs the watchers)."""

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8400") as client:
                return await client.request(method, path, **kwargs)  # type: ignore[arg-type]

        return asyncio.run(send())


@pytest.fixture
def node(tmp_path: Path) -> Iterator[InProcess]:
    settings = Settings(data_dir=tmp_path, account_id=ACCOUNT_ID, audit_sink="off")
    store = Store(settings.store_url)
    migrate.upgrade(store)
    state = Node(settings, store, load_or_create_master_key(tmp_path, None), FixedClock(NOW))
    accounts.bootstrap(store, state.master, NOW, account_id=ACCOUNT_ID, access_key_id=None, secret_access_key=None)
    yield InProcess(CredmintApp(state), state)
    store.close()
