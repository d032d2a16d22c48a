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
    #: Where audit records (CloudTrail format) go: ``file`` (JSON lines under
    #: ``<data-dir>/audit/``), ``stdout``, or ``off`` (no audit trail; LookupEvents finds nothing).
    audit_sink: str = "file"
    #: Record S3 object-level calls (CloudTrail's data events) too; default off, as in CloudTrail.
    audit_data_events: bool = False
    #: An audit file is rotated past this many bytes (default 100 MiB) ...
    audit_max_bytes: int = 100 * 1024**2
    #: ... or after this many seconds open (default 3600).
    audit_rotate_seconds: int = 3600
    #: Records reach the database (LookupEvents) in batches, at most this many ms apart (default 1000).
    audit_flush_ms: int = 1000
    #: Stored records older than this many days are deleted (default 90, CloudTrail's event history).
    audit_retention_days: int = 90

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


def _path(v: object) -> Path:
    return Path(str(v))


def _positive_int(v: object) -> int:
    value = int(str(v))
    if value <= 0:
        raise ValueError(f"must be a positive number: {v!r}")
    return value


def _bool(v: object) -> bool:
    text = str(v).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {v!r}")


def _audit_sink(v: object) -> str:
    text = str(v).strip().lower()
    if text not in AUDIT_SINKS:
        raise ValueError(f"audit sink must be one of {', '.join(AUDIT_SINKS)}: {v!r}")
    return text


AUDIT_SINKS = ("file", "stdout", "off")


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
    "audit_sink": _audit_sink,
    "audit_data_events": _bool,
    "audit_max_bytes": _positive_int,
    "audit_rotate_seconds": _positive_int,
    "audit_flush_ms": _positive_int,
    "audit_retention_days": _positive_int,
}
