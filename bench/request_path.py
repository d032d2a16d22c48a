"""The request path against an earlier commit: the same signed request, this tree and
other checkouts started alternately, in every round.

    python -m bench.request_path --against /path/to/checkout[=label] [...] \\
        [--operation GetCallerIdentity|GetSessionToken|AssumeRole] [--seconds 5] [--rounds 3] [--set CREDMINT_X=y ...]

Each checkout's ``src`` directory is put first on ``PYTHONPATH`` of its ``credmint serve``,
so the server, not this harness, is what differs. ``--set`` applies settings to every
server (for example ``CREDMINT_AUDIT_SINK=off CREDMINT_ACCESS_LOG=false`` compares the path
without the audit trail and access log, which earlier commits did not have). A single run
moves by 10-15% on a shared 2-core machine: the rounds are interleaved and the median
round is reported, with the range.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from bench.harness import ROOT, Target, credmint, run_wrk, signed_post
from bench.sts_throughput import assume_role_body, prepare

BODIES = {
    "GetCallerIdentity": "Action=GetCallerIdentity&Version=2011-06-15",
    "GetSessionToken": "Action=GetSessionToken&Version=2011-06-15",
}
#: The operations a run can replay: the bodies above, signed by the root user, and
#: AssumeRole, signed by an IAM user its role trusts (the root user cannot assume a role).
OPERATIONS = (*sorted(BODIES), "AssumeRole")


def signed_request(target: Target, operation: str) -> tuple[dict[str, str], str]:
    """The signed headers and body of one ``operation`` request to a fresh ``target``."""
    if operation == "AssumeRole":
        user, role_arn = prepare(target)
        return signed_post(user, assume_role_body(role_arn))
    return signed_post(target, BODIES[operation])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", action="append", default=[], help="a checkout's root, optionally =label")
    ap.add_argument("--operation", choices=OPERATIONS, default="GetCallerIdentity")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--set", action="append", default=[], help="CREDMINT_NAME=value for every server")
    args = ap.parse_args()

    trees: list[tuple[str, Path]] = [("this tree", ROOT / "src")]
    for spec in args.against:
        root, _, label = spec.partition("=")
        trees.append((label or root, Path(root).resolve() / "src"))
    settings = dict(item.split("=", 1) for item in args.set)
    runs: dict[str, list[float]] = {label: [] for label, _ in trees}
    for _ in range(args.rounds):
        for label, src in trees:
            with credmint(1, settings, src=src) as t:
                headers, body = signed_request(t, args.operation)
                r = run_wrk(label, t.url + "/", headers, body, seconds=args.seconds, connections=args.connections)
            if r.errors:
                raise SystemExit(f"{label}: {r.errors} answers were not 2xx")
            runs[label].append(r.rps)
            print(f"{label}: {r.rps:,.0f} req/s", flush=True)

    print(f"\n{args.operation}, 1 worker, {' '.join(args.set) or 'default settings'}")
    print("| server | req/s (median round) | range | vs this tree |")
    print("|---|---:|---:|---:|")
    mine = statistics.median(runs["this tree"])
    for label, rps in runs.items():
        m = statistics.median(rps)
        print(f"| {label} | {m:,.0f} | {min(rps):,.0f}–{max(rps):,.0f} | {m / mine:.2f} |")


if __name__ == "__main__":
    main()
