"""Shared pieces of the HTTP benchmarks: start servers, sign a request, run wrk, read its figures.

wrk (Debian package ``wrk``) is the load generator: it is written in C, so on
this 2-core machine it takes far less CPU than the servers it drives, and it
replays one request exactly (a SigV4 signature stays valid for 15 minutes).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@dataclass
class Target:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    key: str = ""
    secret: str = ""


def serve_env(
    port: int,
    data: str,
    key: str,
    secret: str,
    *,
    workers: int = 1,
    settings: dict[str, str] | None = None,
    src: Path | None = None,
) -> dict[str, str]:
    """The environment of a benchmarked ``credmint serve``: this process's, without its
    ``CREDMINT_*`` variables, plus the server's own; ``src`` puts another checkout's
    ``src`` directory first on ``PYTHONPATH``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDMINT_")}
    env.update(
        CREDMINT_PORT=str(port),
        CREDMINT_DATA_DIR=data,
        CREDMINT_WORKERS=str(workers),
        CREDMINT_ACCOUNT_ID=ACCOUNT,
        CREDMINT_ROOT_ACCESS_KEY_ID=key,
        CREDMINT_ROOT_SECRET_ACCESS_KEY=secret,
        # The benchmarks replay one caller from one address far past the default issuance
        # limits; limits this high keep the throttle's cost in the figures without refusals.
        CREDMINT_THROTTLE_PRINCIPAL_RATE="10000000",
        CREDMINT_THROTTLE_PRINCIPAL_BURST="10000000",
        CREDMINT_THROTTLE_SOURCE_RATE="10000000",
        CREDMINT_THROTTLE_SOURCE_BURST="10000000",
    )
    env.update(settings or {})
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


@contextmanager
def credmint(
    workers: int = 1, settings: dict[str, str] | None = None, name: str = "", src: Path | None = None
) -> Iterator[Target]:
    """A fresh ``credmint serve``; ``settings`` are extra ``CREDMINT_*`` variables; ``src``
    runs the ``credmint`` package of another checkout's ``src`` directory instead."""
    from credmint import ids

    key = ids.new_access_key_id(ACCOUNT, temporary=False)
    secret = ids.new_secret_access_key()
    port = free_port()
    data = tempfile.mkdtemp(prefix="credmint-bench-")
    env = serve_env(port, data, key, secret, workers=workers, settings=settings, src=src)
    proc = subprocess.Popen(
        [sys.executable, "-m", "credmint.cli.main", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_up(url + "/_credmint/health")
        yield Target(name or f"credmint ({workers} worker{'s' if workers > 1 else ''})", url, proc, key, secret)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(data, ignore_errors=True)


@contextmanager
def moto() -> Iterator[Target]:
    port = free_port()
    exe = shutil.which("moto_server")
    if exe is None:
        raise SystemExit("moto_server is not installed (pip install 'moto[server]')")
    proc = subprocess.Popen([exe, "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_up(url + "/moto-api/")
        yield Target("moto_server", url, proc, "AKIAIOSFODNN7EXAMPLE", "x" * 40)
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def bare(workers: int = 1) -> Iterator[Target]:
    """The ceiling: a bare ASGI "hello" on the same uvicorn stack credmint runs on."""
    plural = "s" if workers > 1 else ""
    with _uvicorn_app("bench.hello:app", f"bare ASGI hello ({workers} worker{plural})", workers, {}) as t:
        yield t


@contextmanager
def sigv4_floor(workers: int = 1) -> Iterator[Target]:
    """The least a verifying app can do on the same stack (bench/sigv4_floor.py)."""
    from credmint import ids

    key = ids.new_access_key_id(ACCOUNT, temporary=False)
    secret = ids.new_secret_access_key()
    plural = "s" if workers > 1 else ""
    name = f"SigV4 check only ({workers} worker{plural})"
    with _uvicorn_app("bench.sigv4_floor:app", name, workers, {"FLOOR_SECRET": secret}) as t:
        t.key, t.secret = key, secret
        yield t


@contextmanager
def _uvicorn_app(app: str, name: str, workers: int, env: dict[str, str]) -> Iterator[Target]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--workers",
        str(workers),
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_up(url + "/")
        yield Target(name, url, proc)
    finally:
        proc.terminate()
        proc.wait(10)


def signed_post(target: Target, body: str, service: str = "sts") -> tuple[dict[str, str], str]:
    req = AWSRequest(
        method="POST",
        url=target.url + "/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(
        Credentials(target.key or "AKIAIOSFODNN7EXAMPLE", target.secret or "x" * 40), service, "us-east-1"
    ).add_auth(req)
    return dict(req.headers.items()), body


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


_LUA = """
wrk.method = "POST"
wrk.body = {body}
{headers}
"""


def _lua_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(
    name: str, url: str, headers: dict[str, str], body: str, *, seconds: int = 10, connections: int = 32
) -> Result:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    lines = "\n".join(f"wrk.headers[{_lua_str(k)}] = {_lua_str(v)}" for k, v in headers.items() if k.lower() != "host")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(_LUA.format(body=_lua_str(body), headers=lines))
        script = fh.name
    # Warm up, then measure.
    subprocess.run(["wrk", "-t1", "-c8", "-d2s", "-s", script, url], capture_output=True, check=True)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(name, rps, p50, p99, int(m.group(1)) if m else 0)


def _ms(v: str) -> float:
    num = float(re.match(r"[\d.]+", v).group(0))  # type: ignore[union-attr]
    if v.endswith("us"):
        return num / 1000
    if v.endswith("ms"):
        return num
    if v.endswith("s"):
        return num * 1000
    return num


def table(results: list[Result]) -> str:
    lines = ["| server | req/s | p50 (ms) | p99 (ms) | non-2xx |", "|---|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.name} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} |")
    return "\n".join(lines)
