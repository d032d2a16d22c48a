"""Signed GetCallerIdentity: credmint vs moto_server vs the bare ASGI ceiling, in one run.

    python -m bench.get_caller_identity [--seconds 10] [--connections 32] [--rounds 3]

Every server gets the same signed request (the bare hello and the SigV4-only app read
it and ignore or check it). Each server is started fresh and measured once per round,
rounds interleaved, and the median round is reported: on this 2-core virtual machine a
single run moves by ±15% (hash seeds, memory layout, the other core's idle state).
Prints a markdown table (req/s, p50, p99 of the median round, and the range of req/s)
for docs/benchmarks.md, then the ratios the targets are about.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial

from bench.harness import Result, Target, bare, credmint, moto, run_wrk, signed_post, sigv4_floor

BODY = "Action=GetCallerIdentity&Version=2011-06-15"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    servers: list[Callable[[], AbstractContextManager[Target]]] = []
    for workers in (1, 2):
        servers += [partial(bare, workers), partial(sigv4_floor, workers), partial(credmint, workers)]
    servers.append(moto)

    runs: dict[str, list[Result]] = {}
    for _ in range(args.rounds):
        for start in servers:
            with start() as t:
                headers, body = signed_post(t, BODY)
                r = run_wrk(t.name, t.url + "/", headers, body, seconds=args.seconds, connections=args.connections)
            runs.setdefault(r.name, []).append(r)

    lines = [
        "| server | req/s (median round) | range of rounds | p50 (ms) | p99 (ms) | non-2xx |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    median: dict[str, float] = {}
    for name, rs in runs.items():
        ordered = sorted(rs, key=lambda r: r.rps)
        mid = ordered[len(ordered) // 2]
        median[name] = mid.rps
        lines.append(
            f"| {name} | {mid.rps:,.0f} | {ordered[0].rps:,.0f}–{ordered[-1].rps:,.0f} | {mid.p50_ms:.2f} | "
            f"{mid.p99_ms:.2f} | {sum(r.errors for r in rs)} |"
        )
    print("\n".join(lines))
    m = median["moto_server"]
    for w in (1, 2):
        suffix = f"({w} worker{'s' if w > 1 else ''})"
        c, b, f = (median[f"{n} {suffix}"] for n in ("credmint", "bare ASGI hello", "SigV4 check only"))
        print(
            f"\n{w} worker(s): credmint/moto = {c / m:.1f}x, credmint/bare = {c / b:.2f}, "
            f"SigV4-only/bare = {f / b:.2f}"
        )


if __name__ == "__main__":
    main()
