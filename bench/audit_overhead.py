"""The audit trail's cost: GetCallerIdentity and GetSessionToken with the trail off and on, in one run.

    python -m bench.audit_overhead [--seconds 3] [--connections 16] [--rounds 3]

For each round, a fresh server with ``CREDMINT_AUDIT_SINK=off`` and one with ``file``
(the default: a JSON line per call written before the response, and a batched insert
into ``audit_events`` every second) are measured alternately with the same signed
requests (GetCallerIdentity as root, GetSessionToken as an IAM user); the median round
is reported with the on/off ratio (the target: within 15%). Short by default, as the
machine is shared; pass ``--seconds 10`` for steadier figures.

    python -m bench.audit_overhead --cpu

measures instead CPU time (not wall time, so other load on the machine does not move
it), in-process: recording one GetCallerIdentity (the part spent before the response,
and the background insert), and a whole signed GetCallerIdentity driven through the
ASGI app (without uvicorn's HTTP parsing) with the trail off and on.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from bench.harness import Result, credmint, run_wrk, signed_post
from bench.sts_throughput import GST_BODY, prepare
from credmint import accounts, ids
from credmint.access.principal import Principal
from credmint.audit.record import RequestFacts
from credmint.audit.recorder import AuditRecorder
from credmint.clock import SystemClock
from credmint.httpreq import HttpRequest
from credmint.server.app import CredmintApp
from credmint.server.factory import build_node, settle_heap
from credmint.settings import Settings
from credmint.store import migrate
from credmint.store.db import Store, sqlite_url

GCI_BODY = "Action=GetCallerIdentity&Version=2011-06-15"
MODES = ("off", "file")


def cpu_per_record(n: int = 20_000) -> tuple[float, float]:
    """CPU microseconds per record: (request path, background insert)."""
    data = Path(tempfile.mkdtemp(prefix="credmint-audit-bench-"))
    store = Store(sqlite_url(data))
    migrate.upgrade(store)
    recorder = AuditRecorder(Settings(data_dir=data), store, SystemClock())
    root = Principal("root", "123456789012", "arn:aws:iam::123456789012:root", "123456789012", "", "AKIAEXAMPLE")
    ua = "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.7 cfg/retry-mode#legacy"
    req = HttpRequest("POST", "/", "", (("host", "127.0.0.1:8400"), ("user-agent", ua)), b"", "127.0.0.1")
    result = {"UserId": "123456789012", "Account": "123456789012", "Arn": root.arn}
    facts = RequestFacts(req, "rid", "sts", operation="GetCallerIdentity", principal=root, params={}, result=result)
    start = time.process_time()
    for _ in range(n):
        recorder.record(facts)
    on_path = (time.process_time() - start) / n * 1e6
    start = time.process_time()
    recorder.flush()
    insert = (time.process_time() - start) / n * 1e6
    recorder.close()
    store.close()
    return on_path, insert


UA = b"Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.7"


def cpu_per_request(sink: str, n: int = 10_000) -> float:
    """CPU microseconds per signed GetCallerIdentity through the ASGI app (all threads)."""
    data = Path(tempfile.mkdtemp(prefix="credmint-audit-bench-"))
    account = "123456789012"
    key, secret = ids.new_access_key_id(account, temporary=False), ids.new_secret_access_key()
    node = build_node(Settings(data_dir=data, audit_sink=sink))
    migrate.upgrade(node.store)
    now = datetime.now(UTC)
    accounts.bootstrap(
        node.store, node.master, now, account_id=account, access_key_id=key, secret_access_key=secret
    )
    app = CredmintApp(node)
    settle_heap()  # as create_app does in the server
    node.audit.start()
    req = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8400/",
        data=GCI_BODY,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(key, secret), "sts", "us-east-1").add_auth(req)
    headers = [(k.lower().encode(), v.encode()) for k, v in req.headers.items()]
    headers += [(b"host", b"127.0.0.1:8400"), (b"user-agent", UA)]
    # The body reader reads what Content-Length announces, as uvicorn's scope would carry it.
    headers.append((b"content-length", str(len(GCI_BODY)).encode()))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 5555),
        "scheme": "http",
    }
    message = {"type": "http.request", "body": GCI_BODY.encode(), "more_body": False}

    async def receive() -> dict[str, Any]:
        return message

    statuses: set[int] = set()

    async def send(m: Any) -> None:
        if m["type"] == "http.response.start":
            statuses.add(m["status"])

    async def drive(count: int) -> None:
        for _ in range(count):
            await app(scope, receive, send)

    asyncio.run(drive(n // 5))  # warm the caches
    start = time.process_time()
    asyncio.run(drive(n))
    cpu = (time.process_time() - start) / n * 1e6
    node.audit.close()
    node.store.close()
    assert statuses == {200}, statuses
    return cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cpu", action="store_true", help="CPU time per record, in-process")
    args = ap.parse_args()
    if args.cpu:
        figures = sorted(cpu_per_record() for _ in range(args.rounds))
        on_path, insert = figures[len(figures) // 2]
        print(f"CPU per record: {on_path:.1f} µs before the response, {insert:.1f} µs in the background insert")
        per_request: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for mode in MODES:
                per_request.setdefault(mode, []).append(cpu_per_request(mode))
        off, on = (sorted(per_request[m])[len(per_request[m]) // 2] for m in MODES)
        print(f"CPU per GetCallerIdentity through the ASGI app: off {off:.1f} µs, on {on:.1f} µs (+{on - off:.1f} µs)")
        return

    runs: dict[tuple[str, str], list[Result]] = {}
    for _ in range(args.rounds):
        for mode in MODES:
            with credmint(1, {"CREDMINT_AUDIT_SINK": mode}, f"audit {mode}") as t:
                user, _ = prepare(t)
                for op, target, body in (("GetCallerIdentity", t, GCI_BODY), ("GetSessionToken", user, GST_BODY)):
                    headers, data = signed_post(replace(t, key=target.key, secret=target.secret), body)
                    r = run_wrk(
                        f"{op}, audit {mode}",
                        t.url + "/",
                        headers,
                        data,
                        seconds=args.seconds,
                        connections=args.connections,
                    )
                    runs.setdefault((op, mode), []).append(r)

    print("| operation | audit | req/s (median round) | range of rounds | p50 (ms) | p99 (ms) | non-2xx |")
    print("|---|---|---:|---:|---:|---:|---:|")
    median: dict[tuple[str, str], float] = {}
    for (op, mode), rs in runs.items():
        ordered = sorted(rs, key=lambda r: r.rps)
        mid = ordered[len(ordered) // 2]
        median[(op, mode)] = mid.rps
        print(
            f"| {op} | {mode} | {mid.rps:,.0f} | {ordered[0].rps:,.0f}–{ordered[-1].rps:,.0f} | "
            f"{mid.p50_ms:.2f} | {mid.p99_ms:.2f} | {sum(r.errors for r in rs)} |"
        )
    for op in ("GetCallerIdentity", "GetSessionToken"):
        ratio = median[(op, "file")] / median[(op, "off")]
        print(f"{op}: audit on / off = {ratio:.1%} (target >= 85%)")


if __name__ == "__main__":
    main()
