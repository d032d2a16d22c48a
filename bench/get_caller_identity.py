"""Signed GetCallerIdentity: credmint vs moto_server vs the bare ASGI ceiling, in one run.

    python -m bench.get_caller_identity [--seconds 10] [--connections 32]

Prints a markdown table (req/s, p50, p99) for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse

from bench.harness import bare, credmint, moto, run_wrk, signed_post, table

BODY = "Action=GetCallerIdentity&Version=2011-06-15"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    results = []
    for workers in (1, 2):
        with bare(workers) as t:
            results.append(run_wrk(t.name, t.url + "/", {}, "", seconds=args.seconds, connections=args.connections))
        with credmint(workers) as t:
            headers, body = signed_post(t, BODY)
            results.append(
                run_wrk(t.name, t.url + "/", headers, body, seconds=args.seconds, connections=args.connections)
            )
    with moto() as t:
        headers, body = signed_post(t, BODY)
        results.append(run_wrk(t.name, t.url + "/", headers, body, seconds=args.seconds, connections=args.connections))
    print(table(results))
    by = {r.name: r for r in results}
    m = by["moto_server"].rps
    for w in (1, 2):
        c = by[f"credmint ({w} worker{'s' if w > 1 else ''})"].rps
        b = by[f"bare ASGI hello ({w} worker{'s' if w > 1 else ''})"].rps
        print(f"\n{w} worker(s): credmint/moto = {c / m:.1f}x, credmint/bare = {c / b:.2f}")


if __name__ == "__main__":
    main()
