"""kill -9 during writes loses no acknowledged change (SQLite WAL + synchronous=FULL, and PostgreSQL)."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from tests.conftest import start_server

pytestmark = pytest.mark.e2e


def _kill_during_writes(tmp_path: Path, database_url: str | None) -> None:
    data = tmp_path / "data"
    srv = start_server(data, database_url=database_url)
    acked: list[str] = []
    stop = threading.Event()
    prefix = f"dur-{uuid.uuid4().hex[:6]}"

    def writer() -> None:
        iam = srv.client("iam")
        i = 0
        while not stop.is_set():
            name = f"{prefix}-{i}"
            try:
                iam.create_user(UserName=name)
            except (ClientError, EndpointConnectionError, Exception):
                return
            acked.append(name)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(2.0)
    srv.process.send_signal(signal.SIGKILL)
    srv.process.wait(10)
    stop.set()
    thread.join(30)
    assert len(acked) > 5
    again = start_server(
        data,
        database_url=database_url,
        account_id=srv.account_id,
        access_key_id=srv.access_key_id,
        secret_access_key=srv.secret_access_key,
    )
    try:
        paginator = again.client("iam").get_paginator("list_users")
        names = {u["UserName"] for page in paginator.paginate() for u in page["Users"]}
        missing = [n for n in acked if n not in names]
        assert missing == []
    finally:
        again.stop()


def test_kill_during_writes_sqlite(tmp_path: Path) -> None:
    _kill_during_writes(tmp_path, None)


@pytest.mark.postgres
def test_kill_during_writes_postgres(tmp_path: Path, pg_url: str) -> None:
    _kill_during_writes(tmp_path, pg_url)
