"""Throughput of the S3 flexible checksums (``x-amz-checksum-*``) as the upload path
computes them: one ``RunningChecksum`` per algorithm fed 1 MiB pieces of random data.

    .venv/bin/python -m bench.checksum_throughput
    .venv/bin/python -m bench.checksum_throughput --mib 64 --rounds 5
    PYTHONPATH=<old checkout>/src .venv/bin/python -m bench.checksum_throughput --mib 4   # before

The best of ``--rounds`` is reported (MB/s, 10^6 bytes per second of CPU-bound work).
"""

from __future__ import annotations

import argparse
import os
import time

from credmint.sigv4.checksums import ALGORITHMS, RunningChecksum

PIECE = 1 << 20


def measure(name: str, data: bytes, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        running = RunningChecksum(name)
        start = time.perf_counter()
        for offset in range(0, len(data), PIECE):
            running.update(data[offset : offset + PIECE])
        running.value()
        best = min(best, time.perf_counter() - start)
    return len(data) / best / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=32, help="data size per round, MiB")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = os.urandom(args.mib * PIECE)
    for name, (label, _, _) in ALGORITHMS.items():
        print(f"{label:10} {measure(name, data, args.rounds):10.1f} MB/s")


if __name__ == "__main__":
    main()
