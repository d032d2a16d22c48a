"""A reader node's GetCallerIdentity throughput while another node writes (PostgreSQL).

    python -m bench.multinode [--seconds 5] [--rounds 2] [--writes 50] \\
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Two ``credmint serve`` nodes share a fresh database. wrk drives signed GetCallerIdentity
(an IAM user's long-term key) at node A, once with no writes anywhere and once while a
thread tags an unrelated user through node B at ``--writes`` per second. Each write's
change notification names only that user, so node A's cached key stays put; before
targeted invalidation every write emptied every cache on every node. The control sends
the same writes to a node of another database on the same PostgreSQL server: the same
CPU spent on this machine, nothing that concerns node A. Rounds interleave the cases and
the median round of each is reported, with node A's key reads during the write phases.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, text
from tests.conftest import Server, start_server  # run from the repository root: python -m bench.multinode

from bench.harness import Result, Target, run_wrk, signed_post, table
from bench.nodes import scratch_database, start_pair

BODY = "Action=GetCallerIdentity&Version=2011-06-15"
WRITERS = 10


def writer(client: object, user: str, per_second: float, stop: threading.Event, done: list[int]) -> None:
    """TagUser on ``user`` at a steady rate (sleeping off what each call did not use)."""
    interval = 1.0 / per_second
    next_at = time.monotonic()
    n = 0
    while not stop.is_set():
        client.tag_user(UserName=user, Tags=[{"Key": "n", "Value": str(n)}])  # type: ignore[attr-defined]
        n += 1
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
    done.append(n)


def with_writes(node: Server, args: argparse.Namespace, measure: Callable[[], Result]) -> tuple[Result, float]:
    """``measure()`` while paced writers tag users through ``node``; the result and the
    write rate achieved."""
    stop, done = threading.Event(), []
    started = time.monotonic()
    # Several paced writers, one user each: one boto3 call takes longer than 1/50 s on a
    # busy machine (and concurrent TagUser calls on one user can conflict).
    threads = [
        threading.Thread(target=writer, args=(node.client("iam"), f"unrelated{i}", args.writes / WRITERS, stop, done))
        for i in range(WRITERS)
    ]
    for t in threads:
        t.start()
    try:
        result = measure()
    finally:
        stop.set()
        for t in threads:
            t.join()
    return result, sum(done) / (time.monotonic() - started)


def key_reads(url: str) -> int:
    """Index scans of ``access_keys`` so far: node A reads it only when its key cache misses."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            # The statistics collector publishes with a delay; ask for a fresh snapshot.
            conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            return int(
                conn.execute(
                    text("SELECT coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'access_keys'")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--writes", type=float, default=50.0)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    results: dict[str, list[Result]] = {"no writes": [], "control": [], "writes": []}
    rates: list[float] = []
    misses: list[int] = []
    try:
        # The control: the same writes sent to a node of another database on the same
        # PostgreSQL server, so they cost this machine the same CPU but concern node A not at all.
        with scratch_database(args.database_url) as url, scratch_database(args.database_url) as other:
            a, b = start_pair(url, tmp)
            c = start_server(tmp / "c", database_url=other)
            try:
                iam_b = b.client("iam")
                iam_b.create_user(UserName="reader")
                key = iam_b.create_access_key(UserName="reader")["AccessKey"]
                for i in range(WRITERS):
                    iam_b.create_user(UserName=f"unrelated{i}")
                    c.client("iam").create_user(UserName=f"unrelated{i}")
                target = Target("node A", a.url, a.process, key["AccessKeyId"], key["SecretAccessKey"])
                headers, body = signed_post(target, BODY)
                for _ in range(args.rounds):
                    results["no writes"].append(
                        run_wrk(
                            "no writes", a.url + "/", headers, body, seconds=args.seconds, connections=args.connections
                        )
                    )
                    for key_name, writes_to in (("control", c), ("writes", b)):
                        label = f"{args.writes:g} TagUser/s on " + (
                            "node B" if writes_to is b else "a node of another database"
                        )
                        measure = partial(
                            run_wrk,
                            label,
                            a.url + "/",
                            headers,
                            body,
                            seconds=args.seconds,
                            connections=args.connections,
                        )
                        before = key_reads(url)
                        result, rate = with_writes(writes_to, args, measure)
                        if writes_to is b:
                            misses.append(key_reads(url) - before)
                            rates.append(rate)
                        results[key_name].append(result)
            finally:
                a.stop()
                b.stop()
                c.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    medians = [sorted(rs, key=lambda r: r.rps)[len(rs) // 2] for rs in results.values()]
    print(table(medians))
    quiet, control, busy = (m.rps for m in medians)
    print(
        f"\nwrites achieved: {statistics.median(rates):.1f}/s; with writes / without: {busy / quiet:.2f};"
        f" with writes / control: {busy / control:.2f}"
    )
    print(f"access key reads (node A's cache misses, plus both nodes' last-used flushes) per write phase: {misses}")


if __name__ == "__main__":
    main()
