"""Concurrent tag writes for one key on PostgreSQL: every call answers 200 and one value wins
(before, the losers of the race collided on the primary key and answered 500)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.conftest import start_server

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]


def test_concurrent_tag_user_same_key(pg_url: str, tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", database_url=pg_url, workers=2)
    try:
        server.client("iam").create_user(UserName="tagged")
        failures: list[str] = []

        def tagger(n: int) -> None:
            iam = server.client("iam")
            for i in range(25):
                try:
                    iam.tag_user(UserName="tagged", Tags=[{"Key": "shared", "Value": f"{n}-{i}"}])
                except ClientError as exc:
                    failures.append(exc.response["Error"]["Code"])

        threads = [threading.Thread(target=tagger, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        tags = server.client("iam").list_user_tags(UserName="tagged")["Tags"]
        assert len(tags) == 1 and tags[0]["Key"] == "shared"
    finally:
        server.stop()
