"""The audit trail's cost: GetCallerIdentity and GetSessionToken with the trail off and on, in one run.

    python -m bench.audit_overhead [--seconds 3] [--connections 16] [--rounds 3]

For each round, a fresh server with ``CREDMINT_AUDIT_SINK=off`` and one with ``file``
(the default: a JSON line per call written before the response, and a batched insert
into ``audit_events`` every second) are measured alternately with the same signed
requests (GetCallerIdentity as root, GetSessionToken as an IAM user); the median round
is reported with the on/off ratio (the target: within 15%). Short by default, as the
machine is shared; pass ``--seconds 10`` for steadier figures.

    python -m bench.audit_overhead --cpu

measures instead the CPU time (not wall time, so other load on the machine does not
move it) of recording one GetCallerIdentity in-process: the part spent before the
response (build, encode, write the line) and the part spent by the background insert.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.harness import Result, credmint, run_wrk, signed_post
from bench.sts_throughput import GST_BODY, prepare
from credmint.audit.record import RequestFacts
from credmint.audit.recorder import AuditRecorder
from credmint.clock import SystemClock
from credmint.httpreq import HttpRequest
from credmint.principal import Principal
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
