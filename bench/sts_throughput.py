"""GetSessionToken (no MFA, IAM user key) and AssumeRole: credmint vs moto_server, in one run.

    python -m bench.sts_throughput [--seconds 10] [--connections 32] [--workers 1] [--rounds 3]

Each server gets the same setup through its own API (a user with an access key, a role
whose trust policy names the user), then wrk replays one signed request per operation.
A SigV4 signature stays valid for 15 minutes, so the replay is legitimate; every
AssumeRole / GetSessionToken response still mints a fresh key id, secret and sealed
token (that work is the point of the measurement). Prints a markdown table for
docs/benchmarks.md and the credmint/moto ratios.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from functools import partial
from typing import Any

import boto3
from botocore.config import Config

from bench.harness import Result, Target, credmint, moto, run_wrk, signed_post, table

GST_BODY = "Action=GetSessionToken&Version=2011-06-15"


def _client(target: Target, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=target.url,
        region_name="us-east-1",
        aws_access_key_id=target.key or "AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key=target.secret or "x" * 40,
        config=Config(retries={"max_attempts": 1}),
    )


def prepare(target: Target) -> tuple[Target, str]:
    """A user key to sign with and the ARN of a role that user may assume."""
    iam = _client(target, "iam")
    user = iam.create_user(UserName="bench-user")["User"]
    key = iam.create_access_key(UserName="bench-user")["AccessKey"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}],
    }
    role = iam.create_role(RoleName="bench-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    as_user = replace(target, key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    # Check both calls succeed before measuring: wrk only counts non-2xx answers.
    sts = _client(as_user, "sts")
    sts.get_session_token()
    sts.assume_role(RoleArn=role["Arn"], RoleSessionName="bench")
    return as_user, role["Arn"]


def assume_role_body(role_arn: str) -> str:
    return (
        "Action=AssumeRole&Version=2011-06-15&RoleSessionName=bench"
        f"&RoleArn={role_arn.replace(':', '%3A').replace('/', '%2F')}"
    )


def measure(target: Target, seconds: int, connections: int) -> list[Result]:
    user, role_arn = prepare(target)
    out = []
    headers, body = signed_post(user, GST_BODY)
    out.append(
        run_wrk(
            f"{target.name} GetSessionToken", target.url + "/", headers, body, seconds=seconds, connections=connections
        )
    )
    headers, body = signed_post(user, assume_role_body(role_arn))
    out.append(
        run_wrk(f"{target.name} AssumeRole", target.url + "/", headers, body, seconds=seconds, connections=connections)
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    # Single runs move by about 10% on this machine: fresh servers in interleaved rounds,
    # and the median round of each server and operation is reported.
    runs: dict[str, list[Result]] = {}
    for _ in range(args.rounds):
        for start in (partial(credmint, args.workers), moto):
            with start() as t:
                for r in measure(t, args.seconds, args.connections):
                    runs.setdefault(r.name, []).append(r)
    median = {name: sorted(rs, key=lambda r: r.rps)[len(rs) // 2] for name, rs in runs.items()}
    print(table(list(median.values())))
    print()
    for op in ("GetSessionToken", "AssumeRole"):
        c = next(r for name, r in median.items() if name.endswith(op) and name.startswith("credmint"))
        m = median[f"moto_server {op}"]
        spread = ", ".join(f"{r.rps:,.0f}" for r in runs[c.name])
        print(
            f"{op}: credmint/moto = {c.rps / m.rps:.1f}x "
            f"(p99 {c.p99_ms:.1f} ms vs {m.p99_ms:.1f} ms; credmint rounds {spread})"
        )


if __name__ == "__main__":
    main()
