"""Nodes on PostgreSQL when the database or the path to it misbehaves, through a TCP
proxy that black-holes or stalls connections (``tests/pgproxy.py``).

* A node whose LISTEN connection is black-holed stops trusting what it cached within the
  staleness bound: a key deactivated and a policy removed on another node are refused.
* A database stall leaves health and fully cached calls answering; calls that need the
  store fail fast with the protocol's ServiceUnavailable; readiness says 503 meanwhile.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from botocore.exceptions import ClientError

from credmint.sealing import MasterKey
from tests.conftest import start_server
from tests.pgproxy import BLACKHOLE, STALL, PgProxy
from tests.sts.helpers import allow, doc, make_user, sts_as

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

BOUND = 2.0
FAULT_ENV = {"CREDMINT_CACHE_STALENESS_BOUND_SECONDS": str(BOUND), "CREDMINT_DB_TIMEOUT_SECONDS": "1"}


@pytest.fixture
def proxy() -> Iterator[PgProxy]:
    p = PgProxy()
    yield p
    p.close()


def refused(call: Callable[[], object]) -> str | None:
    try:
        call()
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return None


def first_refusal(call: Callable[[], object], seconds: float) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        code = refused(call)
        if code is not None:
            return code
        time.sleep(0.1)
    return None


def test_blackholed_listen_stops_trusting_cached_facts(pg_url: str, proxy: PgProxy, tmp_path: Path) -> None:
    master = MasterKey.generate().to_text()
    env = {"CREDMINT_MASTER_KEY": master, **FAULT_ENV}
    a = start_server(tmp_path / "a", database_url=proxy.url(pg_url), extra_env=env)
    b = start_server(
        tmp_path / "b",
        database_url=pg_url,
        account_id=a.account_id,
        access_key_id=a.access_key_id,
        secret_access_key=a.secret_access_key,
        extra_env=env,
    )
    try:
        keyed = make_user(b)
        allowed = make_user(b, policy=doc(allow("iam:ListUsers")))
        iam_a = a.client("iam", **allowed.creds.kwargs())
        # Cached on node A.
        for _ in range(3):
            sts_as(a, keyed.creds).get_caller_identity()
            iam_a.list_users(MaxItems=1)
        assert proxy.set_mode(BLACKHOLE, lambda c: c.listens) == 1
        b.client("iam").update_access_key(UserName=keyed.name, AccessKeyId=keyed.creds.access_key_id, Status="Inactive")
        b.client("iam").delete_user_policy(UserName=allowed.name, PolicyName="p")
        # Refused within the bound (plus a heartbeat and polling slack), and from then on.
        assert first_refusal(lambda: sts_as(a, keyed.creds).get_caller_identity(), BOUND + 3) == "InvalidClientTokenId"
        assert first_refusal(lambda: iam_a.list_users(MaxItems=1), BOUND + 3) == "AccessDenied"
        for _ in range(5):
            assert refused(lambda: sts_as(a, keyed.creds).get_caller_identity()) == "InvalidClientTokenId"
    finally:
        a.stop()
        b.stop()


def test_database_stall_fails_fast_and_keeps_cached_calls(pg_url: str, proxy: PgProxy, tmp_path: Path) -> None:
    node = start_server(tmp_path / "n", database_url=proxy.url(pg_url), extra_env={**FAULT_ENV})
    try:
        user = make_user(node)  # its key is never used on the node before the stall
        root = node.client("sts")
        # Ready once a heartbeat has confirmed the change channel: a fresh node's first
        # requests can be answered before that (readiness says so until then), but their
        # lookups bypass the caches (Store.caches_trusted): the cached call comes after.
        deadline = time.monotonic() + BOUND * 2
        while (status := httpx.get(node.url + "/_credmint/ready", timeout=5).status_code) != 200:
            assert time.monotonic() < deadline, status
            time.sleep(0.05)
        root.get_caller_identity()
        # Let a heartbeat confirm the channel after the writes above.
        time.sleep(BOUND / 2)
        with proxy.all(STALL):
            started = time.monotonic()
            assert root.get_caller_identity()["Account"] == node.account_id
            health = httpx.get(node.url + "/_credmint/health", timeout=5)
            assert health.status_code == 200
            assert time.monotonic() - started < 2.0

            started = time.monotonic()
            with pytest.raises(ClientError) as exc:
                sts_as(node, user.creds).get_caller_identity()
            assert (exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
                "ServiceUnavailable",
                503,
            )
            # Each attempt gives up after the store timeout plus a margin (botocore retries once).
            assert time.monotonic() - started < 5.0
            started = time.monotonic()
            with pytest.raises(ClientError) as s3exc:
                node.client("s3", **user.creds.kwargs()).list_buckets()
            assert s3exc.value.response["Error"]["Code"] == "ServiceUnavailable"
            assert s3exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
            assert time.monotonic() - started < 5.0

            ready = httpx.get(node.url + "/_credmint/ready", timeout=5)
            assert ready.status_code == 503
            assert json.loads(ready.text)["status"] == "unavailable"
            assert json.loads(ready.text)["reason"]
        deadline = time.monotonic() + 15
        while httpx.get(node.url + "/_credmint/ready", timeout=5).status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert sts_as(node, user.creds).get_caller_identity()["Arn"] == user.arn
        ready_body = httpx.get(node.url + "/_credmint/ready", timeout=5).json()
        assert 0 <= ready_body["change_channel_confirmed_seconds_ago"] <= BOUND
    finally:
        node.stop()
    log = node.log.read_text() if node.log else ""
    assert "Traceback" not in log
