"""The suite-overhead benchmark's moto side: run by an interpreter that has moto.

Prints one JSON object: import and first-start times, and per test the time of
``mock_aws`` start + stop (moto's reset between tests) and of the test body.
moto is a benchmark peer only, never a dependency of credmint.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

for _name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
    os.environ[_name] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402 - after the environment the client reads at import
from suite_body import one_test  # noqa: E402 - after the sys.path entry that finds it


def _client(service: str, creds: dict[str, str] | None) -> Any:
    return boto3.client(service, region_name="us-east-1", **(creds or {}))


def main(tests: int) -> dict[str, Any]:
    t = time.perf_counter()
    from moto import mock_aws  # timed: the import is moto's start-up cost

    import_s = time.perf_counter() - t
    overhead: list[float] = []
    body: list[float] = []
    t_suite = time.perf_counter()
    for n in range(tests):
        t0 = time.perf_counter()
        mock = mock_aws()
        mock.start()
        t1 = time.perf_counter()
        one_test(_client, n)
        t2 = time.perf_counter()
        mock.stop()  # resets every backend
        t3 = time.perf_counter()
        overhead.append((t1 - t0) + (t3 - t2))
        body.append(t2 - t1)
    return {"import_s": import_s, "suite_s": time.perf_counter() - t_suite, "overhead": overhead, "body": body}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
