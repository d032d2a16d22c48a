"""The S3 endpoint reads the node's clock once per request: the signature checks and the
operation (an object's Last-Modified) share that one time, on every path a request takes
(anonymous or signed, a body in memory, a small or a streamed upload, a refusal)."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from pathlib import Path

import botocore.auth
import httpx
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from credmint import accounts
from credmint.clock import FixedClock
from credmint.sealing import load_or_create_master_key
from credmint.server.app import CredmintApp
from credmint.server.node import Node
from credmint.settings import Settings
from credmint.store import migrate
from credmint.store.db import Store
from tests.server.conftest import ACCOUNT_ID, NOW

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
BASE = "http://127.0.0.1:8400"


class CountingClock(FixedClock):
    def __init__(self, at: datetime) -> None:
        super().__init__(at)
        self.reads = 0

    def now(self) -> datetime:
        self.reads += 1
        return super().now()


def signed(method: str, path: str, body: bytes = b"") -> dict[str, str]:
    req = AWSRequest(method=method, url=BASE + path, data=body)
    req.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    S3SigV4Auth(Credentials(KEY, SECRET), "s3", "us-east-1").add_auth(req)
    return dict(req.headers.items())


# (method, path, body, signed, status)
REQUESTS = [
    ("PUT", "/bucket", b"", True, 200),
    ("PUT", "/bucket/small", b"x" * 10, True, 200),
    ("PUT", "/bucket/streamed", b"y" * (3 * 1024**2), True, 200),
    ("GET", "/bucket/small", b"", True, 200),
    ("GET", "/bucket?list-type=2", b"", True, 200),
    ("PUT", "/bucket/k?tagging", b"<Tagging><TagSet/></Tagging>", True, 404),
    ("GET", "/bucket/small", b"", False, 403),
    ("PUT", "/bucket/anonymous", b"z", False, 403),
    ("GET", "/bucket/k?inventory", b"", True, 501),
]


def test_one_clock_read_per_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: NOW)  # sign at the node's time
    clock = CountingClock(NOW)
    settings = Settings(data_dir=tmp_path, account_id=ACCOUNT_ID, audit_sink="off")
    store = Store(settings.store_url)
    migrate.upgrade(store)
    node = Node(settings, store, load_or_create_master_key(tmp_path, None), clock)
    accounts.bootstrap(store, node.master, NOW, account_id=ACCOUNT_ID, access_key_id=KEY, secret_access_key=SECRET)
    app = CredmintApp(node)

    async def run() -> list[tuple[int, int]]:
        out = []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            for method, path, body, sign, _ in REQUESTS:
                headers = signed(method, path, body) if sign else {}
                before = clock.reads
                r = await client.request(method, path, content=body, headers=headers)
                out.append((r.status_code, clock.reads - before))
        return out

    try:
        answers = asyncio.run(run())
    finally:
        store.close()
    assert [status for status, _ in answers] == [r[4] for r in REQUESTS]
    assert [reads for _, reads in answers] == [1] * len(REQUESTS)
