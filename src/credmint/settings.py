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
    # MFA attempt limits per device (credmint.mfa.attempts; docs/security.md "Abuse limits"):
    #: Wrong codes in a row that cost nothing (default 5).
    mfa_backoff_after: int = 5
    #: Wait after the first failure past those, in seconds, doubling with each (default 1).
    mfa_backoff_base_seconds: int = 1
    #: Wrong codes in a row after which each further one locks the device (default 20).
    mfa_lockout_after: int = 20
    #: Length of that lockout, in seconds (default 900: 15 minutes).
    mfa_lockout_seconds: int = 900
    # Issuance throttling, per process (credmint.sts.throttle; docs/security.md). A rate is
    # tokens per second (0 turns that limit off), a burst the most a bucket holds.
    #: Signed issuance per calling principal (default 200/s, burst 400).
    throttle_principal_rate: float = 200.0
    throttle_principal_burst: int = 400
    #: Signed issuance per source address, IPv6 per /64 (default 1000/s, burst 2000).
    throttle_source_rate: float = 1000.0
    throttle_source_burst: int = 2000
    #: AssumeRoleWithSAML / AssumeRoleWithWebIdentity per source address (default 200/s, burst 400).
    throttle_federation_source_rate: float = 200.0
    throttle_federation_source_burst: int = 400
    #: AssumeRoleWithSAML / AssumeRoleWithWebIdentity per role ARN (default 200/s, burst 400).
    throttle_role_rate: float = 200.0
    throttle_role_burst: int = 400
    #: Buckets kept per limit before the least recently used is dropped (default 100,000).
    throttle_max_keys: int = 100_000

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
    "mfa_backoff_after": _int,
    "mfa_backoff_base_seconds": _int,
    "mfa_lockout_after": _int,
    "mfa_lockout_seconds": _int,
    "throttle_principal_rate": _float,
    "throttle_principal_burst": _int,
    "throttle_source_rate": _float,
    "throttle_source_burst": _int,
    "throttle_federation_source_rate": _float,
    "throttle_federation_source_burst": _int,
    "throttle_role_rate": _float,
    "throttle_role_burst": _int,
    "throttle_max_keys": _int,
}
