"""Two nodes on one PostgreSQL: LookupEvents on either sees the calls both served, and a
NextToken issued by one pages on the other (they share the master key)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from credmint.sealing import MasterKey
from tests.conftest import Server, start_server

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]


@pytest.fixture
def nodes(pg_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    env = {"CREDMINT_MASTER_KEY": MasterKey.generate().to_text(), "CREDMINT_AUDIT_FLUSH_MS": "50"}
    a = start_server(tmp_path / "a", database_url=pg_url, extra_env=env)
    b = start_server(
        tmp_path / "b",
        database_url=pg_url,
        account_id=a.account_id,
        access_key_id=a.access_key_id,
        secret_access_key=a.secret_access_key,
        extra_env=env,
    )
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_lookup_events_sees_every_node(nodes: tuple[Server, Server]) -> None:
    a, b = nodes
    ids = {
        a.client("sts").get_caller_identity()["ResponseMetadata"]["RequestId"],
        b.client("sts").get_caller_identity()["ResponseMetadata"]["RequestId"],
    }
    time.sleep(0.5)
    attr = [{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}]
    for node in (a, b):
        events = node.client("cloudtrail").lookup_events(LookupAttributes=attr)["Events"]
        assert ids <= {e["CloudTrailEvent"].split('"requestID":"', 1)[1][:36] for e in events}
    first = a.client("cloudtrail").lookup_events(LookupAttributes=attr, MaxResults=1)
    rest = b.client("cloudtrail").lookup_events(LookupAttributes=attr, NextToken=first["NextToken"])
    assert first["Events"][0]["EventId"] not in {e["EventId"] for e in rest["Events"]}
    assert len(rest["Events"]) >= 1
