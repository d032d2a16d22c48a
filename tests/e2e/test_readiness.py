"""Liveness and readiness of a healthy node (the outage cases: tests/e2e/test_store_faults.py)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Server

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("path", "status"), [("/_credmint/health", "ok"), ("/_credmint/ready", "ready")])
def test_a_healthy_node_is_live_and_ready(server: Server, path: str, status: str) -> None:
    r = httpx.get(server.url + path, timeout=10)
    assert r.status_code == 200
    assert r.json()["status"] == status


@pytest.mark.parametrize("path", ["/_credmint/ready/", "/_credmint/readyz", "/_credmint/ready%00"])
def test_near_misses_are_not_readiness(server: Server, path: str) -> None:
    assert httpx.get(server.url + path, timeout=10).status_code == 404
