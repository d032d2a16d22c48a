"""S3 PUT and GET throughput (1 MiB and 1 GiB objects) and RSS under concurrent 1 GiB
uploads: credmint vs moto_server vs a plain file copy on the same disk, in one run.

Bodies travel through presigned URLs (UNSIGNED-PAYLOAD), so the client hashes nothing
and what is measured is the server's path: for credmint, receiving, hashing (MD5 for
the ETag), sealing (AES-256-GCM) and writing with fsync; for moto, its in-memory and
temporary-file handling. 1 MiB objects go over one kept-alive connection (httpx); 1 GiB
objects with ``curl -T`` / ``curl -o /dev/null``. The physical bound is a plain copy of
the same 1 GiB file on the same disk (write with fsync) and a read of it.

RSS: the server process's resident set sampled every 0.2 s while ``--concurrent`` curl
processes each PUT a ``--big-mib`` object to their own key.

    .venv/bin/python -m bench.s3_throughput
    .venv/bin/python -m bench.s3_throughput --only credmint --concurrent 16   # RSS only
    PYTHONPATH=<old checkout>/src .venv/bin/python -m bench.s3_throughput --only credmint \\
        --skip-throughput --big-mib 64                                         # before
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from bench.harness import Target, credmint, moto

MiB = 1024**2


def _client(target: Target) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=target.url,
        region_name="us-east-1",
        aws_access_key_id=target.key,
        aws_secret_access_key=target.secret,
        config=Config(signature_version="s3v4", retries={"max_attempts": 1}),
    )


def _url(s3: Any, method: str, bucket: str, key: str) -> str:
    return str(s3.generate_presigned_url(method, Params={"Bucket": bucket, "Key": key}, ExpiresIn=3600))


def _make_file(path: Path, size: int) -> None:
    block = os.urandom(MiB)
    with path.open("wb") as f:
        for _ in range(size // MiB):
            f.write(block)
        f.flush()
        os.fsync(f.fileno())


def _rate(size: int, seconds: float) -> float:
    return size / MiB / seconds


def file_copy_bound(src: Path, scratch: Path) -> tuple[float, float]:
    """(write MiB/s of a copy with fsync, read MiB/s) of ``src`` on the same disk."""
    dst = scratch / "copy.bin"
    started = time.perf_counter()
    with src.open("rb") as fin, dst.open("wb") as fout:
        shutil.copyfileobj(fin, fout, MiB)
        fout.flush()
        os.fsync(fout.fileno())
    write = _rate(src.stat().st_size, time.perf_counter() - started)
    started = time.perf_counter()
    with dst.open("rb") as f:
        while f.read(MiB):
            pass
    read = _rate(src.stat().st_size, time.perf_counter() - started)
    dst.unlink()
    return write, read


def small_objects(target: Target, bucket: str, count: int) -> tuple[float, float]:
    """(PUT MiB/s, GET MiB/s) of ``count`` 1 MiB objects, one after another."""
    s3 = _client(target)
    body = os.urandom(MiB)
    put_urls = [_url(s3, "put_object", bucket, f"small/{i}") for i in range(count)]
    get_urls = [_url(s3, "get_object", bucket, f"small/{i}") for i in range(count)]
    with httpx.Client(timeout=120) as http:
        http.put(put_urls[0], content=body).raise_for_status()  # warm-up
        started = time.perf_counter()
        for url in put_urls:
            http.put(url, content=body).raise_for_status()
        put = _rate(count * MiB, time.perf_counter() - started)
        started = time.perf_counter()
        for url in get_urls:
            r = http.get(url)
            r.raise_for_status()
            assert len(r.content) == MiB
        get = _rate(count * MiB, time.perf_counter() - started)
    return put, get


def big_object(target: Target, bucket: str, src: Path) -> tuple[float, float]:
    """(PUT MiB/s, GET MiB/s) of one object the size of ``src``, with curl."""
    s3 = _client(target)
    size = src.stat().st_size
    started = time.perf_counter()
    subprocess.run(["curl", "-sS", "-f", "-o", "/dev/null", "-T", str(src), _url(s3, "put_object", bucket, "big")],
                   check=True)  # fmt: skip
    put = _rate(size, time.perf_counter() - started)
    started = time.perf_counter()
    subprocess.run(["curl", "-sS", "-f", "-o", "/dev/null", _url(s3, "get_object", bucket, "big")], check=True)
    get = _rate(size, time.perf_counter() - started)
    return put, get


def _rss_kib(pid: int) -> int:
    """Resident set of ``pid`` and its children (uvicorn workers), in KiB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


@contextmanager
def _sampling(pid: int) -> Iterator[Callable[[], int]]:
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_kib(pid))
            stop.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield lambda: peak[0]
    finally:
        stop.set()
        thread.join()


def concurrent_rss(target: Target, bucket: str, src: Path, concurrent: int, limit_mib: int) -> dict[str, Any]:
    """Peak RSS while ``concurrent`` curl processes PUT ``src`` at once. The server is killed
    if it passes ``limit_mib`` (a peer holding bodies in memory must not take the machine)."""
    s3 = _client(target)
    baseline = _rss_kib(target.process.pid)
    urls = [_url(s3, "put_object", bucket, f"rss/{i}") for i in range(concurrent)]
    started = time.perf_counter()
    killed = False
    with _sampling(target.process.pid) as peak:
        procs = [
            subprocess.Popen(
                ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", str(src), url],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            for url in urls
        ]
        while any(p.poll() is None for p in procs):
            if peak() > limit_mib * 1024:
                target.process.kill()
                killed = True
                break
            time.sleep(0.2)
        codes = [p.communicate()[0].decode() for p in procs]
    return {
        "baseline_mib": baseline / 1024,
        "peak_mib": peak() / 1024,
        "seconds": time.perf_counter() - started,
        "statuses": {c: codes.count(c) for c in sorted(set(codes))},
        "killed": killed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small-count", type=int, default=200)
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--concurrent", type=int, default=16)
    parser.add_argument("--rss-limit-mib", type=int, default=6144)
    parser.add_argument("--only", choices=["credmint", "moto"], default=None)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-rss", action="store_true")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="s3-bench-", dir=os.environ.get("TMPDIR")))
    try:
        src = scratch / "big.bin"
        _make_file(src, args.big_mib * MiB)
        if not args.skip_throughput:
            write, read = file_copy_bound(src, scratch)
            print(
                f"file copy on the same disk ({args.big_mib} MiB): write+fsync {write:,.0f} MiB/s, "
                f"read {read:,.0f} MiB/s"
            )
        starts = {"credmint": lambda: credmint(1), "moto": moto}
        for name, start in starts.items():
            if args.only is not None and name != args.only:
                continue
            with start() as target:
                s3 = _client(target)
                s3.create_bucket(Bucket="bench")
                if not args.skip_throughput:
                    put, get = small_objects(target, "bench", args.small_count)
                    print(f"{target.name}: 1 MiB x {args.small_count}: PUT {put:,.1f} MiB/s, GET {get:,.1f} MiB/s")
                    try:
                        put, get = big_object(target, "bench", src)
                    except subprocess.CalledProcessError:
                        print(f"{target.name}: {args.big_mib} MiB: refused")
                    else:
                        print(f"{target.name}: {args.big_mib} MiB: PUT {put:,.1f} MiB/s, GET {get:,.1f} MiB/s")
                        s3.delete_object(Bucket="bench", Key="big")
                if not args.skip_rss:
                    r = concurrent_rss(target, "bench", src, args.concurrent, args.rss_limit_mib)
                    print(
                        f"{target.name}: {args.concurrent} concurrent {args.big_mib} MiB PUTs: RSS baseline "
                        f"{r['baseline_mib']:,.1f} MiB, peak {r['peak_mib']:,.1f} MiB, {r['seconds']:.1f} s, "
                        f"statuses {r['statuses']}{' (killed past the limit)' if r['killed'] else ''}"
                    )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
