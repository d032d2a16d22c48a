"""Instructions per request under callgrind: a figure that does not move with the load.

    python -m bench.instructions [--against /path/to/checkout[=label] ...] \\
        [--operation GetCallerIdentity|GetSessionToken|AssumeRole] [--requests 200] [--set CREDMINT_X=y ...]

Throughput on a shared 2-core machine moves by 10-15% between runs, and by far more
while other work runs; ``valgrind --tool=callgrind`` counts the instructions the server
executes instead, the same for the same code and input whatever else the machine does.
Each tree's ``credmint serve`` runs under callgrind with collection off; after 30 warm-up
requests, collection is switched on and the counters are dumped twice: after 8 seconds
with no request (what the idle server's threads cost per second) and after ``--requests``
signed requests sent one after another on one keep-alive connection. The figure is the
second dump less the idle rate over its duration, divided by the requests: every thread
of the server counted, nothing of the client. With ``--main-thread`` only the event loop's
thread is counted (and its own idle rate subtracted): the idle rate of the background
threads (the store's change watcher above all) is most of what the subtraction removes,
and under load the busy phase lasts long enough for its error to reach several percent.
Requests served wholly on the event loop (a GetCallerIdentity with a cached key) are
counted whole that way; work handed to other threads (audit batches, flushes) is not. Sequential requests leave out what
concurrency changes (batching of audit rows, cache stampedes), which the wrk benchmarks
measure. Needs valgrind (``apt-get install valgrind``); a run takes a few minutes.
"""

from __future__ import annotations

import argparse
import glob
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import ACCOUNT, ROOT, Target, free_port, serve_env, wait_up
from bench.request_path import OPERATIONS, signed_request
from credmint import ids


def _totals(path: str) -> int:
    with open(path) as fh:
        for line in fh:
            if line.startswith("totals:"):
                return int(line.split()[1])
    raise SystemExit(f"no totals in {path}")


def measure(
    src: Path, operation: str, requests: int, settings: dict[str, str], main_thread: bool = False
) -> tuple[float, float]:
    """(instructions per request, idle instructions per second) of one tree's server."""
    port = free_port()
    data = tempfile.mkdtemp(prefix="credmint-instructions-")
    key, secret = ids.new_access_key_id(ACCOUNT, temporary=False), ids.new_secret_access_key()
    env = serve_env(port, data, key, secret, settings=settings, src=src)
    out = os.path.join(data, "callgrind.out")
    proc = subprocess.Popen(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            *(["--separate-threads=yes"] if main_thread else []),
            f"--callgrind-out-file={out}",
            sys.executable,
            "-m",
            "credmint.cli.main",
            "serve",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_up(url + "/_credmint/health", timeout=900)
        headers, payload = signed_request(Target("x", url, proc, key, secret), operation)
        headers = {k: v for k, v in headers.items() if k.lower() != "host"}

        def send(n: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            for _ in range(n):
                conn.request("POST", "/", body=payload, headers=headers)
                answer = conn.getresponse()
                answer.read()
                if answer.status != 200:
                    raise SystemExit(f"answer {answer.status}")
            conn.close()

        def control(*args: str) -> None:
            subprocess.run(["callgrind_control", *args, str(proc.pid)], capture_output=True, check=True)

        send(30)
        control("-i", "on")
        t0 = time.monotonic()
        time.sleep(8)
        control("-d")
        t1 = time.monotonic()
        send(requests)
        control("-d")
        t2 = time.monotonic()
        control("-i", "off")
        # With separate threads, callgrind names each thread's dump "<file>.<n>-<thread>";
        # thread 01 is the main thread, where uvicorn runs the event loop.
        suffix = "-01" if main_thread else ""
        idle, busy = _totals(out + ".1" + suffix), _totals(out + ".2" + suffix)
        rate = idle / (t1 - t0)
        return (busy - rate * (t2 - t1)) / requests, rate
    finally:
        proc.terminate()
        proc.wait(120)
        for f in glob.glob(out + "*"):
            os.unlink(f)
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", action="append", default=[], help="a checkout's root, optionally =label")
    ap.add_argument("--operation", choices=OPERATIONS, default="GetCallerIdentity")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--set", action="append", default=[], help="CREDMINT_NAME=value for every server")
    ap.add_argument("--main-thread", action="store_true", help="count the event loop's thread only")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    trees: list[tuple[str, Path]] = [("this tree", ROOT / "src")]
    for spec in args.against:
        root, _, label = spec.partition("=")
        trees.append((label or root, Path(root).resolve() / "src"))
    settings = dict(item.split("=", 1) for item in args.set)
    scope = ", event loop thread only" if args.main_thread else ""
    print(f"{args.operation}, {args.requests} sequential requests{scope}, {' '.join(args.set) or 'default settings'}")
    print("| server | instructions per request | vs this tree |")
    print("|---|---:|---:|")
    mine = 0.0
    for label, src in trees:
        per, _ = measure(src, args.operation, args.requests, settings, args.main_thread)
        mine = mine or per
        print(f"| {label} | {per / 1000:,.0f} k | {per / mine:.2f} |", flush=True)


if __name__ == "__main__":
    main()
