"""How long a policy change made on one node takes to be enforced by another (PostgreSQL).

    python -m bench.propagation [--rounds 20] [--database-url postgresql://postgres@127.0.0.1:5432/test]

Two ``credmint serve`` nodes share a fresh database. Each round puts an Allow policy
through node B, waits until node A allows, deletes it through node B, and measures
the time from DeleteUserPolicy's response until node A first refuses (polling every
2 ms). Prints min / median / p95 / max in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from botocore.exceptions import ClientError
from tests.conftest import Server  # run from the repository root: python -m bench.propagation

from bench.nodes import scratch_database, start_pair

POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    try:
        with scratch_database(args.database_url) as url:
            a, b = start_pair(url, tmp)
            delays = measure(a, b, args.rounds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    delays.sort()
    p95 = delays[max(0, int(len(delays) * 0.95) - 1)]
    print(
        f"rounds={len(delays)} min={delays[0]:.1f} ms median={statistics.median(delays):.1f} ms "
        f"p95={p95:.1f} ms max={delays[-1]:.1f} ms"
    )


def measure(a: Server, b: Server, rounds: int) -> list[float]:
    """Milliseconds from each DeleteUserPolicy on node B until node A first refuses."""
    delays: list[float] = []
    try:
        root_b = b.client("iam")
        root_b.create_user(UserName="prop")
        key = root_b.create_access_key(UserName="prop")["AccessKey"]
        iam_a = a.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        for _ in range(rounds):
            root_b.put_user_policy(UserName="prop", PolicyName="p", PolicyDocument=POLICY)
            while True:
                try:
                    iam_a.list_users(MaxItems=1)
                    break
                except ClientError:
                    time.sleep(0.005)
            root_b.delete_user_policy(UserName="prop", PolicyName="p")
            start = time.perf_counter()
            while True:
                try:
                    iam_a.list_users(MaxItems=1)
                except ClientError:
                    break
                time.sleep(0.002)
            delays.append((time.perf_counter() - start) * 1000)
    finally:
        a.stop()
        b.stop()
    return delays


if __name__ == "__main__":
    main()
