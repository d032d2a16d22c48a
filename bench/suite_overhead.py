"""A test suite's cost with moto's ``mock_aws`` and with credmint's fixtures, in one run.

The same small suite (``bench/suite_body.py``: create a user, attach a policy, call
STS and S3 as the user) runs N times:

* moto: ``mock_aws`` started and stopped around each test (moto resets all state
  on stop), in an interpreter that has moto (``--moto-python``, default ``python3``
  on PATH; moto is never a credmint dependency);
* credmint: one in-process dev server for the suite (``credmint.testing.server()``,
  its start counted in the suite's time), a fresh account per test
  (``new_account()``), nothing to reset.

Reported: suite wall time, per-test overhead (moto: start + stop; credmint: the
fresh account), per-test body time, and start-up (imports; server start).

    .venv/bin/python -m bench.suite_overhead --tests 200
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _credmint(tests: int) -> dict[str, Any]:
    t = time.perf_counter()
    import credmint.testing.node as node  # timed: the import is part of the start-up cost
    from bench.suite_body import one_test

    import_s = time.perf_counter() - t
    starts: list[float] = []
    for _ in range(5):  # a server's start on its own, without the suite: the median of 5
        t = time.perf_counter()
        with node.server():
            starts.append(time.perf_counter() - t)
    t = time.perf_counter()
    with node.server() as srv:
        first_s = time.perf_counter() - t
        overhead: list[float] = []
        body: list[float] = []
        t_suite = time.perf_counter()
        for n in range(tests):
            t0 = time.perf_counter()
            account = srv.new_account()
            t1 = time.perf_counter()

            def client(service: str, creds: dict[str, str] | None, account: Any = account) -> Any:
                if creds is None:
                    return account.client(service)
                principal = node.Account(
                    account.endpoint,
                    account.account_id,
                    node.Credentials(creds["aws_access_key_id"], creds["aws_secret_access_key"]),
                )
                return principal.client(service)

            one_test(client, n)
            body.append(time.perf_counter() - t1)
            overhead.append(t1 - t0)
        suite_s = time.perf_counter() - t_suite
    return {
        "import_s": import_s,
        "start_s": statistics.median(starts),
        "starts": starts,
        "suite_s": suite_s + first_s,
        "overhead": overhead,
        "body": body,
    }


def _moto(tests: int, python: str) -> dict[str, Any]:
    out = subprocess.run(
        [python, str(HERE / "moto_suite.py"), str(tests)], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _ms(values: list[float], q: float) -> str:
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--moto-python", default="python3")
    args = parser.parse_args()
    moto = _moto(args.tests, args.moto_python)
    cm = _credmint(args.tests)
    print(f"{args.tests} tests each: create a user, attach a policy, STS and S3 as the user\n")
    print("| | moto `mock_aws` | credmint fixtures |")
    print("|---|---:|---:|")
    print(f"| suite wall time | {moto['suite_s']:.2f} s | {cm['suite_s']:.2f} s |")
    for label, key in (("per-test overhead", "overhead"), ("per-test body", "body")):
        for q, name in ((0.5, "median"), (0.95, "p95")):
            print(f"| {label}, {name} | {_ms(moto[key], q)} ms | {_ms(cm[key], q)} ms |")
        print(
            f"| {label}, mean | {statistics.fmean(moto[key]) * 1000:.2f} ms "
            f"| {statistics.fmean(cm[key]) * 1000:.2f} ms |"
        )
    print(f"| import | {moto['import_s']:.2f} s | {cm['import_s']:.2f} s |")
    starts = ", ".join(f"{x * 1000:.0f}" for x in cm["starts"])
    print(f"| server start (after import), median of 5 | — | {cm['start_s'] * 1000:.0f} ms ({starts}) |")


if __name__ == "__main__":
    main()
