"""Resident memory of one credmint process under 300 hostile connections.

Three kinds, 100 each, all unauthenticated, all at once: *slow heads* (a header line, then
one byte every two seconds), *huge heads* (header bytes as fast as the server takes them,
up to 1 MiB per connection), and *large bodies* (an unsigned S3 PUT declaring 60 MB and
sending it as fast as the server takes it). The script samples the server's RSS
(``/proc/<pid>/status``) every 100 ms for ``--seconds`` and, meanwhile, times a health
check, then prints the baseline, the peak and what the attackers got back.

    .venv/bin/python -m bench.hostile_rss [--seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.harness import credmint


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def _first_line(reader: asyncio.StreamReader) -> str:
    try:
        line = await reader.readline()
    except (ConnectionError, OSError):
        return "reset"
    return line.decode("latin-1").strip() or "closed"


async def slow_head(host: str, port: int, stop: float, out: Counter[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")
        while time.monotonic() < stop and not reader.at_eof():
            writer.write(b"X")
            await writer.drain()
            try:
                line = await asyncio.wait_for(reader.readline(), 2.0)
            except TimeoutError:
                continue
            out["slow head: " + (line.decode("latin-1").strip() or "closed")] += 1
            return
        out["slow head: still open"] += 1
    except (ConnectionError, OSError):
        out["slow head: reset"] += 1
    finally:
        writer.close()


async def huge_head(host: str, port: int, stop: float, out: Counter[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ")
        for _ in range(16):
            writer.write(b"a" * 65536)
            await writer.drain()
        out["huge head: " + await _first_line(reader)] += 1
    except (ConnectionError, OSError):
        out["huge head: reset"] += 1
    finally:
        writer.close()


async def large_body(host: str, port: int, stop: float, out: Counter[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(b"PUT /bucket/key HTTP/1.1\r\nHost: x\r\nContent-Length: 60000000\r\n\r\n")
        chunk = b"b" * 65536
        sent = 0
        while sent < 60_000_000 and time.monotonic() < stop and not reader.at_eof():
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)
        out["large body: " + await _first_line(reader)] += 1
    except (ConnectionError, OSError):
        out["large body: reset"] += 1
    finally:
        writer.close()


async def attack(url: str, pid: int, seconds: float) -> None:
    host, port = url.removeprefix("http://").split(":")
    baseline = rss_mib(pid)
    stop = time.monotonic() + seconds
    out: Counter[str] = Counter()
    tasks = [
        asyncio.create_task(kind(host, int(port), stop, out))
        for kind in (slow_head, huge_head, large_body)
        for _ in range(100)
    ]
    peak = baseline
    health: list[float] = []
    async with httpx.AsyncClient(timeout=10) as client:
        while time.monotonic() < stop:
            peak = max(peak, rss_mib(pid))
            started = time.monotonic()
            try:
                await client.get(url + "/_credmint/health")
                health.append(time.monotonic() - started)
            except httpx.HTTPError:
                health.append(float("inf"))
            await asyncio.sleep(0.1)
    await asyncio.wait(tasks, timeout=15)
    peak = max(peak, rss_mib(pid))
    print(f"baseline RSS {baseline:.1f} MiB, peak under attack {peak:.1f} MiB (+{peak - baseline:.1f} MiB)")
    health.sort()
    print(
        f"health checks during the attack: {len(health)}, median {health[len(health) // 2] * 1000:.1f} ms, "
        f"worst {health[-1] * 1000:.1f} ms"
    )
    for what, n in sorted(out.items()):
        print(f"  {n:4d} x {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    with credmint() as target:
        asyncio.run(attack(target.url, target.process.pid, args.seconds))


if __name__ == "__main__":
    main()
