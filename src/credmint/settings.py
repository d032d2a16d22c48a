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
    #: Bound on every database wait: connect, statement, lock, pool checkout (seconds).
    #: Past it the request fails with ServiceUnavailable instead of hanging the node.
    db_timeout_seconds: float = 5.0
    #: Longest a node trusts a cached authorization fact (key, policies, roles, SCPs)
    #: without having confirmed its change channel live (PostgreSQL); past it caches are
    #: bypassed and the channel reconnects. Default 5 s.
    cache_staleness_bound_seconds: float = 5.0

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


def _float(v: object) -> float:
    value = float(str(v))
    if not value > 0 or value == float("inf"):
        raise ValueError(f"expected a positive number of seconds, got {v!r}")
    return value


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
    "db_timeout_seconds": _float,
    "cache_staleness_bound_seconds": _float,
}
