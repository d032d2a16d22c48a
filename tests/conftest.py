"""Shared fixtures: a real ``credmint serve`` process, boto3 clients, and PostgreSQL."""

from __future__ import annotations

import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
#: The PostgreSQL every developer and CI machine runs (trust auth).
PG_ADMIN_URL = os.environ.get("CREDMINT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI") == "true"


def aws_cli_data_path(env: dict[str, str]) -> None:
    """Point the AWS CLI at the botocore models installed beside boto3 unless ``env`` names
    its own. awscli vendors an older botocore whose models lack AWS's newest STS and IAM
    operations (workload identity, role templates, account properties...); the CLI searches
    the directories in ``AWS_DATA_PATH`` first, so with the newer models it exposes them."""
    import botocore

    env.setdefault("AWS_DATA_PATH", str(Path(botocore.__file__).parent / "data"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def pg_server() -> str:
    if not _pg_reachable():
        if IN_CI:
            pytest.fail("CI requires PostgreSQL at 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432")
    return PG_ADMIN_URL


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"credmint_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = pg_server.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@dataclass
class Server:
    """A running ``credmint serve`` and the root credentials of its default account."""

    url: str
    data_dir: Path
    account_id: str
    access_key_id: str
    secret_access_key: str
    process: subprocess.Popen[bytes]
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None

    def client(self, service: str, **kwargs: Any) -> Any:
        creds = {
            "aws_access_key_id": kwargs.pop("aws_access_key_id", self.access_key_id),
            "aws_secret_access_key": kwargs.pop("aws_secret_access_key", self.secret_access_key),
            "aws_session_token": kwargs.pop("aws_session_token", None),
        }
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=kwargs.pop("region_name", "us-east-1"),
            config=Config(retries={"max_attempts": 1}, **kwargs.pop("config", {})),
            **creds,
            **kwargs,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def new_account_id() -> str:
    return str(secrets.randbelow(9 * 10**11) + 10**11)


def start_server(
    data_dir: Path,
    *,
    database_url: str | None = None,
    account_id: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
    port: int | None = None,
    fixed_credentials: bool = True,
    tls: ssl.SSLContext | None = None,
) -> Server:
    """Start ``credmint serve``; with ``fixed_credentials=False`` it generates its own.
    With ``tls`` (the client's context: trusted CA, client certificate) it is reached over HTTPS."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDMINT_", "AWS_"))}
    if fixed_credentials:
        from credmint import ids  # the project's own encoder keeps the key's account right

        account_id = account_id or new_account_id()
        access_key_id = access_key_id or ids.new_access_key_id(account_id, temporary=False)
        secret_access_key = secret_access_key or ids.new_secret_access_key()
        env.update(
            CREDMINT_ACCOUNT_ID=account_id,
            CREDMINT_ROOT_ACCESS_KEY_ID=access_key_id,
            CREDMINT_ROOT_SECRET_ACCESS_KEY=secret_access_key,
        )
    env.update(
        CREDMINT_PORT=str(port),
        CREDMINT_DATA_DIR=str(data_dir),
        CREDMINT_WORKERS=str(workers),
    )
    if database_url:
        env["CREDMINT_DATABASE_URL"] = database_url
    env.update(extra_env or {})
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"server-{port}.log"
    with log.open("ab") as out:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "credmint.cli.main", "serve"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    server = Server(url, data_dir, account_id or "", access_key_id or "", secret_access_key or "", process, env, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"credmint serve exited: {log.read_text()}")
        try:
            if httpx.get(url + "/_credmint/health", timeout=1, verify=tls or True).status_code == 200:
                if not fixed_credentials:
                    _read_generated_credentials(server)
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"credmint serve did not become healthy: {log.read_text()}")


def _read_generated_credentials(server: Server) -> None:
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(server.data_dir / "root-credentials")
    server.access_key_id = cfg["default"]["aws_access_key_id"]
    server.secret_access_key = cfg["default"]["aws_secret_access_key"]
    from credmint import ids

    server.account_id = ids.account_from_access_key_id(server.access_key_id) or ""


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the whole session on SQLite (tests create their own entities)."""
    srv = start_server(tmp_path_factory.mktemp("credmint-data"))
    yield srv
    srv.stop()


# --- the e2e mark ---------------------------------------------------------------------------

#: Fixtures that start a real server (the session server, the plugin's): every test whose
#: fixtures reach one of them is end-to-end.
SERVER_FIXTURES = frozenset({"server", "credmint_server"})
#: What a test module's source names when it starts servers of its own (a fixture of its
#: own calling start_server, credmint.testing's node, a ``credmint serve`` subprocess), or
#: uses the helper modules that do.
SERVER_STARTERS = (
    "start_server(",
    "CredmintServer",
    "credmint.testing",
    "subprocess",
    "tests.iam.fixtures_",
    "tests.s3.helpers",
    "tests.sts.helpers",
)


def _starts_servers(module: Path, cache: dict[Path, bool]) -> bool:
    found = cache.get(module)
    if found is None:
        text = module.read_text() if module.suffix == ".py" else ""
        found = cache[module] = any(s in text for s in SERVER_STARTERS)
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``e2e`` every test that starts the real server (``-m "not e2e"`` runs the rest):
    by its fixtures, or by what its module starts. Errs on the side of marking: a module
    that starts servers marks all its tests."""
    cache: dict[Path, bool] = {}
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SERVER_FIXTURES or _starts_servers(item.path, cache) or "/e2e/" in item.path.as_posix():
            item.add_marker(pytest.mark.e2e)
