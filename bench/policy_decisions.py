"""Micro-benchmark of the policy engine's hot path.

A principal with 10 identity policies / 50 statements (mixed services, wildcards,
NotAction, conditions, a policy variable in a Resource) is asked about a rotating
mix of requests. Policies are compiled once, as the server caches them; what is
timed is ``evaluate`` alone. Target: median below 25 µs per decision.

Run: ``.venv/bin/python bench/policy_decisions.py [--n 20000]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from credmint.policy import (
    CompiledPolicy,
    PrincipalInfo,
    RequestContext,
    compile_policy,
    evaluate,
    global_condition_keys,
)

ACCOUNT = "111122223333"
SERVICES = ["s3", "ec2", "iam", "sqs", "dynamodb", "kms", "sns", "lambda"]


def _statement(p: int, s: int) -> dict[str, Any]:
    svc = SERVICES[(p * 5 + s) % len(SERVICES)]
    kind = (p + s) % 5
    st: dict[str, Any] = {"Sid": f"P{p}S{s}", "Effect": "Allow"}
    if kind == 0:
        st.update(Action=[f"{svc}:Get*", f"{svc}:List*", f"{svc}:Describe*"], Resource="*")
    elif kind == 1:
        st.update(
            Action=f"{svc}:Put*",
            Resource=f"arn:aws:{svc}:us-east-1:{ACCOUNT}:thing/${{aws:username}}/*",
            Condition={"Bool": {"aws:SecureTransport": "true"}},
        )
    elif kind == 2:
        st.update(
            Action=[f"{svc}:Create*", f"{svc}:Tag*"],
            Resource=f"arn:aws:{svc}:*:{ACCOUNT}:*",
            Condition={
                "StringEquals": {"aws:PrincipalTag/team": ["ops", "dev"]},
                "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
            },
        )
    elif kind == 3:
        st.update(
            Effect="Deny",
            Action=f"{svc}:Delete*",
            Resource="*",
            Condition={"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
        )
    else:
        st.update(
            NotAction=["iam:*", "organizations:*"],
            Resource=f"arn:aws:{svc}:us-east-1:{ACCOUNT}:restricted/*",
            Condition={"ForAllValues:StringLike": {"aws:TagKeys": ["team*", "env"]}},
        )
    return st


def build_policies() -> list[CompiledPolicy]:
    return [
        compile_policy(
            {"Version": "2012-10-17", "Statement": [_statement(p, s) for s in range(5)]},
            kind="identity",
            policy_id=f"policy-{p}",
        )
        for p in range(10)
    ]


def build_requests() -> list[RequestContext]:
    principal = PrincipalInfo.from_arn(f"arn:aws:iam::{ACCOUNT}:user/alice", unique_id="AIDAEXAMPLE")
    base = global_condition_keys(
        principal,
        now=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        source_ip="10.1.2.3",
        secure_transport=True,
        requested_region="us-east-1",
        principal_tags={"team": "ops"},
    )
    base["aws:tagkeys"] = ("team", "env")
    out = []
    for i, svc in enumerate(SERVICES * 4):
        verb = ["GetThing", "PutThing", "CreateThing", "DeleteThing", "RunThing"][i % 5]
        resource = [
            f"arn:aws:{svc}:us-east-1:{ACCOUNT}:thing/alice/x",
            f"arn:aws:{svc}:us-east-1:{ACCOUNT}:thing/bob/x",
            f"arn:aws:{svc}:us-east-1:{ACCOUNT}:restricted/y",
            "*",
        ][i % 4]
        out.append(RequestContext(principal, f"{svc}:{verb}", resource, ACCOUNT, base))
    return out


def run(name: str, n: int, fn: Any, requests: list[RequestContext]) -> tuple[str, float, float, float, int]:
    samples = []
    allowed = 0
    m = len(requests)
    for i in range(n):
        ctx = requests[i % m]
        t0 = time.perf_counter_ns()
        d = fn(ctx)
        samples.append(time.perf_counter_ns() - t0)
        allowed += d.allowed
    samples.sort()
    median = statistics.median(samples) / 1000
    p99 = samples[int(len(samples) * 0.99)] / 1000
    rate = n / (sum(samples) / 1e9)
    return name, rate, median, p99, allowed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    identity = build_policies()
    requests = build_requests()
    boundary = [
        compile_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    ]
    scp = [
        [compile_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})],
        [
            compile_policy(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "*", "Resource": "*"},
                        {"Effect": "Deny", "Action": "organizations:*", "Resource": "*"},
                    ],
                }
            )
        ],
    ]
    scenarios = [
        ("identity: 10 policies / 50 statements", lambda c: evaluate(c, identity)),
        ("+ boundary + 2 SCP levels", lambda c: evaluate(c, identity, boundaries=boundary, scps=scp)),
        ("+ collect_missing (simulator)", lambda c: evaluate(c, identity, collect_missing=True)),
    ]
    # Warm-up: fill the resolved-variable matcher caches as a running server would.
    for _, fn in scenarios:
        for ctx in requests:
            fn(ctx)
    rows = [run(name, args.n, fn, requests) for name, fn in scenarios]
    print(f"{'scenario':<40} {'decisions/s':>12} {'median µs':>10} {'p99 µs':>8} {'allowed':>8}")
    for name, rate, median, p99, allowed in rows:
        print(f"{name:<40} {rate:>12,.0f} {median:>10.2f} {p99:>8.2f} {allowed:>8}")


if __name__ == "__main__":
    main()
