"""The audit trail's cost: GetCallerIdentity and GetSessionToken with the trail off and on, in one run.

    python -m bench.audit_overhead [--seconds 3] [--connections 16] [--rounds 3]

For each round, a fresh server with ``CREDMINT_AUDIT_SINK=off`` and one with ``file``
(the default: a JSON line per call written before the response, and a batched insert
into ``audit_events`` every second) are measured alternately with the same signed
requests (GetCallerIdentity as root, GetSessionToken as an IAM user); the median round
is reported with the on/off ratio (the target: within 15%). Short by default, as the
machine is shared; pass ``--seconds 10`` for steadier figures.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from bench.harness import Result, credmint, run_wrk, signed_post
from bench.sts_throughput import GST_BODY, prepare

GCI_BODY = "Action=GetCallerIdentity&Version=2011-06-15"
MODES = ("off", "file")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

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
