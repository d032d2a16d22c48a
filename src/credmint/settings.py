"""Settings, built once from command-line flags and ``CREDMINT_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8400
DEFAULT_DATA_DIR = "./credmint-data"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path = field(default_factory=lambda: Path(DEFAULT_DATA_DIR))
    database_url: str | None = None
    workers: int = 1
    region: str = DEFAULT_REGION
    master_key: str | None = None
    account_id: str | None = None
    root_access_key_id: str | None = None
    root_secret_access_key: str | None = None
    #: Largest request body for STS/IAM (AWS answers 413 past 10,000,000 bytes).
    max_query_body: int = 10_000_000
    log_level: str = "info"
    #: Peers whose X-Forwarded-For / X-Forwarded-Proto are believed: a comma-separated list
    #: of addresses or CIDRs. Empty (the default): no proxy header is honoured, so the
    #: client address (``aws:SourceIp``) is always the TCP peer's and cannot be spoofed.
    trusted_proxies: str = ""
    #: Longest request head (request line and header fields), in bytes; past it the server
    #: answers 400 and closes the connection (AWS answers 400 to oversized headers).
    max_header_bytes: int = 64 * 1024
    #: Most header fields in one request.
    max_header_count: int = 100
    #: Seconds a client has to send a whole request head (slow-header clients are cut).
    header_timeout: float = 10.0
    #: Seconds a client has to send a request body, on top of one second per
    #: ``min_body_rate`` bytes already sent (slow-body clients are cut; fast uploads are not).
    body_timeout: float = 20.0
    #: Bytes per second a body must average past ``body_timeout``.
    min_body_rate: int = 64 * 1024
    #: Open connections at most per worker process (uvicorn's ``limit_concurrency``: 503 past it).
    max_connections: int = 1000
    #: Request-body bytes held in memory at once per worker process, across all requests;
    #: a request whose body does not fit is refused with 503 rather than queued.
    max_buffered_body_bytes: int = 256 * 1024**2
    #: Largest body accepted from an S3 request that carries no signature (anonymous
    #: requests are authorized only after the body is read).
    max_anonymous_body: int = 1024**2
    #: Whether OIDC provider fetches may reach loopback, private, link-local and other
    #: non-public addresses. False (the default): a tenant's provider URL cannot make the
    #: server connect into its own network. True only for test setups with a local IdP.
    federation_allow_private_networks: bool = False

    @property
    def store_url(self) -> str:
        from credmint.store.db import sqlite_url

        return self.database_url or sqlite_url(self.data_dir)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Environment first, then any explicit (non-None) overrides such as CLI flags."""
        env = os.environ if env is None else env
        s = cls()
        values: dict[str, object] = {}
        for name, conv in _FIELDS.items():
            raw = env.get(f"CREDMINT_{name.upper()}")
            if raw not in (None, ""):
                values[name] = conv(raw)
        for name, value in overrides.items():
            if value is not None:
                values[name] = _FIELDS[name](value) if isinstance(value, str) else value
        return replace(s, **values)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """The same settings as environment variables (handed to worker processes)."""
        out: dict[str, str] = {}
        for name in _FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[f"CREDMINT_{name.upper()}"] = str(value)
        return out


def _str(v: object) -> str:
    return str(v)


def _int(v: object) -> int:
    return int(str(v))


def _bool(v: object) -> bool:
    if isinstance(v, bool):
        return v
    text = str(v).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {v!r}")


def _float(v: object) -> float:
    return float(str(v))


def _path(v: object) -> Path:
    return Path(str(v))


_FIELDS = {
    "host": _str,
    "port": _int,
    "data_dir": _path,
    "database_url": _str,
    "workers": _int,
    "region": _str,
    "master_key": _str,
    "account_id": _str,
    "root_access_key_id": _str,
    "root_secret_access_key": _str,
    "max_query_body": _int,
    "log_level": _str,
    "trusted_proxies": _str,
    "max_header_bytes": _int,
    "max_header_count": _int,
    "header_timeout": _float,
    "body_timeout": _float,
    "min_body_rate": _int,
    "max_connections": _int,
    "max_buffered_body_bytes": _int,
    "max_anonymous_body": _int,
    "federation_allow_private_networks": _bool,
}
