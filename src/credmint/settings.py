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
    #: PEM certificate (chain) and private key: with both, the endpoint speaks HTTPS only.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    #: PEM CA bundle: when set, every client must present a certificate it signed (mTLS).
    tls_client_ca: Path | None = None
    #: Generate (once, reused while valid) a CA and a server certificate in the data dir
    #: and serve HTTPS with them: for a first try, not for production.
    tls_self_signed: bool = False
    #: Access-log line format: "plain" or "json" (logger ``credmint.access``).
    log_format: str = "plain"
    #: Serve Prometheus metrics at ``GET /metrics`` and ``/_credmint/metrics`` (default on).
    metrics: bool = True
    #: Write one ``credmint.access`` line per request to stderr (default on).
    access_log: bool = True

    @property
    def store_url(self) -> str:
        from credmint.store.db import sqlite_url

        return self.database_url or sqlite_url(self.data_dir)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, base: Settings | None = None, **overrides: object
    ) -> Settings:
        """``base`` (defaults, or a configuration file's values), then the environment, then any
        explicit (non-None) overrides such as CLI flags."""
        env = os.environ if env is None else env
        s = cls() if base is None else base
        values: dict[str, object] = {}
        for name, conv in _FIELDS.items():
            var = f"CREDMINT_{name.upper()}"
            raw = env.get(var)
            if raw not in (None, ""):
                try:
                    values[name] = conv(raw)
                except ValueError as exc:
                    raise ValueError(f"environment variable {var}: {exc}") from None
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


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _bool(v: object) -> bool:
    if isinstance(v, bool):
        return v
    text = str(v).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {v!r} (use true or false)")


def _log_format(v: object) -> str:
    text = str(v).strip().lower()
    if text not in ("plain", "json"):
        raise ValueError(f"log format must be plain or json, not {v!r}")
    return text


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
    "tls_cert": _path,
    "tls_key": _path,
    "tls_client_ca": _path,
    "tls_self_signed": _bool,
    "log_format": _log_format,
    "metrics": _bool,
    "access_log": _bool,
}
