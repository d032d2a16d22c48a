"""The metrics module: what a request counts, and the per-run multiprocess directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import REGISTRY, CollectorRegistry, Histogram
from prometheus_client.parser import text_string_to_metric_families

from credmint import metrics


def _value(name: str, **labels: str) -> float:
    metrics.fold()  # as a scrape does (exposition folds the request path's counts first)
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_request_counted_with_latency() -> None:
    labels = {"service": "sts", "operation": "GetCallerIdentity", "status": "200"}
    count = _value("credmint_request_duration_seconds_count", **labels)
    fast = _value("credmint_request_duration_seconds_bucket", le="0.0025", **labels)
    slow = _value("credmint_request_duration_seconds_bucket", le="0.0025", **{**labels, "status": "500"})
    metrics.observe_request("sts", "GetCallerIdentity", 200, 0.002, None)
    metrics.observe_request("sts", "GetCallerIdentity", 500, 0.5, None)
    assert _value("credmint_request_duration_seconds_count", **labels) == count + 1
    assert _value("credmint_request_duration_seconds_bucket", le="0.0025", **labels) == fast + 1
    assert _value("credmint_request_duration_seconds_bucket", le="0.0025", **{**labels, "status": "500"}) == slow


#: Latencies on, between, below and above the request histogram's bounds.
_LATENCIES = [0.0, 0.0005, 0.0004999, 0.0005001, 0.001, 0.003, 0.0999, 0.1, 0.1001, 9.99, 10.0, 10.01, 1e9]


@pytest.mark.parametrize("values", [[v] for v in _LATENCIES] + [_LATENCIES, []])
def test_hot_histogram_folds_to_what_prometheus_observe_gives(values: list[float]) -> None:
    # Prometheus's own observe is the oracle: the same values through both, same samples.
    registry = CollectorRegistry()
    oracle = Histogram("oracle_seconds", "x", ("k",), buckets=metrics._LATENCY, registry=registry)
    hot = metrics.HotHistogram(oracle.labels("hot"))
    oracle.labels("direct")
    for v in values:
        hot.observe(v)
        oracle.labels("direct").observe(v)
    hot.fold()
    hot.fold()  # a second fold with nothing new adds nothing

    def samples(k: str) -> dict[tuple[str, str], float]:
        return {
            (s.name, s.labels.get("le", "")): s.value
            for fam in registry.collect()
            for s in fam.samples
            if s.labels.get("k") == k and not s.name.endswith("_created")
        }

    assert samples("hot") == samples("direct")


@pytest.mark.parametrize("code", sorted(metrics.AUTH_FAILURE_CODES))
def test_authentication_failures_by_code(code: str) -> None:
    before = _value("credmint_auth_failures_total", reason=code)
    metrics.observe_request("sts", "GetCallerIdentity", 403, 0.001, code)
    assert _value("credmint_auth_failures_total", reason=code) == before + 1


@pytest.mark.parametrize("code", ["AccessDenied", "ValidationError", "NoSuchEntity"])
def test_other_errors_are_not_authentication_failures(code: str) -> None:
    total = sum(_value("credmint_auth_failures_total", reason=c) for c in metrics.AUTH_FAILURE_CODES)
    metrics.observe_request("iam", "GetUser", 403, 0.001, code)
    assert sum(_value("credmint_auth_failures_total", reason=c) for c in metrics.AUTH_FAILURE_CODES) == total
    assert REGISTRY.get_sample_value("credmint_auth_failures_total", {"reason": code}) is None


@pytest.mark.parametrize("service,operation", sorted(metrics.ISSUING_OPERATIONS))
def test_credentials_issued_on_success_only(service: str, operation: str) -> None:
    before = _value("credmint_credentials_issued_total", operation=operation)
    metrics.observe_request(service, operation, 200, 0.01, None)
    metrics.observe_request(service, operation, 403, 0.01, "AccessDenied")
    assert _value("credmint_credentials_issued_total", operation=operation) == before + 1


def test_request_children_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_request_children", {})
    monkeypatch.setattr(metrics, "_MAX_REQUEST_CHILDREN", 3)
    for i in range(10):
        metrics.observe_request("sts", f"Op{i}", 200, 0.0, None)
    assert len(metrics._request_children) <= 4  # three, then the catch-all "-"
    assert (
        REGISTRY.get_sample_value(
            "credmint_request_duration_seconds_count", {"service": "sts", "operation": "Op9", "status": "200"}
        )
        is None
    )


def test_timed_fetch_counts_failures() -> None:
    failures = _value("credmint_federation_fetch_failures_total")
    count = _value("credmint_federation_fetch_duration_seconds_count")

    @metrics.timed_fetch
    def fetch(ok: bool) -> str:
        if not ok:
            raise ValueError("down")
        return "keys"

    assert fetch(True) == "keys"
    with pytest.raises(ValueError):
        fetch(False)
    assert _value("credmint_federation_fetch_failures_total") == failures + 1
    assert _value("credmint_federation_fetch_duration_seconds_count") == count + 2


def test_exposition_parses() -> None:
    body, content_type = metrics.exposition({})
    assert content_type.startswith("text/plain")
    names = {f.name for f in text_string_to_metric_families(body.decode())}
    assert {
        "credmint_request_duration_seconds",
        "credmint_cache_lookups",
        "credmint_store_transaction_seconds",
    } <= names


def test_multiprocess_dir_is_fresh_and_removes_ended_runs(tmp_path: Path) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(ended.stdout)
    stale = tmp_path / "metrics" / str(dead_pid)
    stale.mkdir(parents=True)
    (stale / "counter_1.db").write_bytes(b"old")
    live = tmp_path / "metrics" / str(os.getppid())  # a process that is running
    live.mkdir()
    junk = tmp_path / "metrics" / "not-a-pid"
    junk.mkdir()
    mine = tmp_path / "metrics" / str(os.getpid())
    mine.mkdir()
    (mine / "counter_2.db").write_bytes(b"from an earlier run with this pid")

    run = metrics.prepare_multiprocess_dir(tmp_path, os.getpid())
    assert run == mine and run.is_dir() and not any(run.iterdir())
    assert not stale.exists() and not junk.exists()
    assert live.exists()


def test_multiprocess_exposition_sums_processes(tmp_path: Path) -> None:
    """Two processes count into one directory; the exposition is their sum."""
    script = (
        "from credmint import metrics\n"
        "for _ in range(3): metrics.observe_request('sts', 'GetCallerIdentity', 200, 0.001, None)\n"
        # A worker folds every second and as it shuts down (the server's lifespan).
        "metrics.fold()\n"
    )
    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", script], env=env, check=True)
    body, _ = metrics.exposition({metrics.MULTIPROC_ENV: str(tmp_path)})
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }
    key = (
        "credmint_request_duration_seconds_count",
        (("operation", "GetCallerIdentity"), ("service", "sts"), ("status", "200")),
    )
    assert samples[key] == 6


def test_hot_counters_reach_prometheus_at_scrape() -> None:
    before = _value("credmint_cache_lookups_total", cache="credentials", result="hit")
    for _ in range(5):
        metrics.CREDENTIAL_CACHE_HIT.inc()
    metrics.exposition({})
    assert _value("credmint_cache_lookups_total", cache="credentials", result="hit") == before + 5
    assert metrics.CREDENTIAL_CACHE_HIT.n == 0


def _channel_after(trusted: bool, age: float) -> tuple[float, float]:
    # The gauges are process-wide, and a server running in this process (the pytest
    # plugin's, in a thread) sets them every second: a read that raced one is taken again.
    for _ in range(5):
        metrics.observe_channel(trusted, age)
        families = {f.name: f for f in text_string_to_metric_families(metrics.exposition({})[0].decode())}
        seen = (
            families["credmint_change_channel_trusted"].samples[0].value,
            families["credmint_change_channel_age_seconds"].samples[0].value,
        )
        if seen[0] == (1 if trusted else 0):
            return seen
    return seen


def test_change_channel_state_is_exposed() -> None:
    assert _channel_after(False, 42.0) == (0, 42.0)
    assert _channel_after(True, float("inf")) == (1, 1e9)  # never confirmed: a huge age, still a number
