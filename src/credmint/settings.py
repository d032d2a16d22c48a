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
#: The four S3 Block Public Access settings, in the order S3 lists them.
PUBLIC_ACCESS_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")

#: The well-known root credentials of ``credmint serve --dev`` and the test fixtures.
#: Published on purpose, like moto's ``testing`` keys: they are for throwaway dev
#: servers on loopback only, and must never be given to a server that faces a network.
#: The key id carries the account id the way every credmint key id does (``ids``).
DEV_ACCOUNT_ID = "123456789012"
DEV_ROOT_ACCESS_KEY_ID = "AKIARZPUZDIKDEVROOTA"
DEV_ROOT_SECRET_ACCESS_KEY = "credmintDEVONLYcredmintDEVONLYcredmint00"


def sqlite_url(data_dir: Path) -> str:
    """The embedded store's URL: ``credmint.db`` in the data directory."""
    return f"sqlite:///{(data_dir / 'credmint.db').resolve()}"


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
    #: Dev mode (``serve --dev``): the dev clock, the ``/_credmint/`` test endpoints
    #: (clock, reset, accounts) and the dev root credentials. Off by default.
    dev: bool = False
    #: Accounts that may act as delegation partners (CreateDelegationRequest,
    #: GetDelegatedAccessToken), comma-separated; AWS restricts these to onboarded
    #: partners, and here the operator decides. Unset: none.
    delegation_accounts: str | None = None
    #: Let dev mode bind a non-loopback address (``--dev-allow-remote``). Off by default:
    #: dev mode publishes its root credentials and lets anyone move the clock.
    dev_allow_remote: bool = False
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
    #: The S3 Block Public Access settings of a bucket that never had its own
    #: configuration (PutPublicAccessBlock overrides them, DeletePublicAccessBlock turns
    #: them all off): ``all`` (the default: all four on, as AWS does for buckets created
    #: since April 2023), ``none``, or a comma-separated list of the flag names to turn on.
    public_access_block_default: str = "all"
    #: The object ownership of a bucket created without ``x-amz-object-ownership``:
    #: ``BucketOwnerEnforced`` (the default: ACLs disabled, as AWS creates buckets since
    #: April 2023) or ``ObjectWriter`` (ACLs enabled, as AWS did before, for clients and
    #: tools that still set ACLs at CreateBucket). Stored with the bucket when it is created.
    s3_object_ownership_default: str = "BucketOwnerEnforced"

    #: Bound on every database wait: connect, statement, lock, pool checkout (seconds).
    #: Past it the request fails with ServiceUnavailable instead of hanging the node.
    db_timeout_seconds: float = 5.0
    #: Longest a node trusts a cached authorization fact (key, policies, roles, SCPs)
    #: without having confirmed its change channel live (PostgreSQL); past it caches are
    #: bypassed and the channel reconnects. Default 5 s.
    cache_staleness_bound_seconds: float = 5.0
    #: How often a node offers to run the S3 lifecycle pass (one node at a time runs it,
    #: the holder of the lease in the store). S3 applies lifecycle rules about once a day;
    #: the default, an hour, applies a rule that fell due at midnight within the hour.
    s3_lifecycle_interval_seconds: float = 3600.0
    #: How often each server process delivers the S3 server access log records it holds
    #: (``s3.log_delivery``) as objects into the target buckets; S3 delivers within hours,
    #: the default, a minute, within a minute. Records are also delivered once
    #: ``s3_access_log_buffer_bytes`` are waiting, and when the server stops.
    s3_access_log_flush_seconds: float = 60.0
    #: Bytes of access log records a process gathers before it delivers them early
    #: (default 1 MiB); past four times this, new records are dropped until a delivery.
    s3_access_log_buffer_bytes: int = 1024 * 1024

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
    #: Whether SSE-C (customer-provided encryption keys) is accepted over plain HTTP.
    #: False (the default), as S3: a key sent in clear is a key disclosed. True only for
    #: test setups without TLS.
    sse_c_allow_http: bool = False

    @property
    def public_access_block_flags(self) -> frozenset[str]:
        """The flags :attr:`public_access_block_default` turns on."""
        return _public_access_flags(self.public_access_block_default)

    @property
    def store_url(self) -> str:
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


def _positive_int(v: object) -> int:
    value = int(str(v))
    if value <= 0:
        raise ValueError(f"must be a positive number: {v!r}")
    return value


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


def _positive_seconds(v: object) -> float:
    value = float(str(v))
    if not value > 0 or value == float("inf"):
        raise ValueError(f"expected a positive number of seconds, got {v!r}")
    return value


def _path(v: object) -> Path:
    return Path(str(v))


def _audit_sink(v: object) -> str:
    text = str(v).strip().lower()
    if text not in AUDIT_SINKS:
        raise ValueError(f"audit sink must be one of {', '.join(AUDIT_SINKS)}: {v!r}")
    return text


AUDIT_SINKS = ("file", "stdout", "off")


def _log_format(v: object) -> str:
    text = str(v).strip().lower()
    if text not in ("plain", "json"):
        raise ValueError(f"log format must be plain or json, not {v!r}")
    return text


def _public_access_flags(v: object) -> frozenset[str]:
    text = str(v).strip()
    if text.lower() == "all":
        return frozenset(PUBLIC_ACCESS_BLOCK_FLAGS)
    if text.lower() == "none":
        return frozenset()
    names = frozenset(n.strip() for n in text.split(",") if n.strip())
    unknown = names - set(PUBLIC_ACCESS_BLOCK_FLAGS)
    if unknown or not names:
        raise ValueError(
            f"public_access_block_default: expected all, none or some of {', '.join(PUBLIC_ACCESS_BLOCK_FLAGS)}"
        )
    return names


def _object_ownership_default(v: object) -> str:
    text = str(v).strip()
    if text not in ("BucketOwnerEnforced", "ObjectWriter"):
        raise ValueError("s3_object_ownership_default: expected BucketOwnerEnforced or ObjectWriter")
    return text


def _public_access_default(v: object) -> str:
    _public_access_flags(v)  # refuse a bad value at startup, not on the first request
    return str(v).strip()


_FIELDS = {
    "host": _str,
    "delegation_accounts": _str,
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
    "dev": _bool,
    "dev_allow_remote": _bool,
    "audit_sink": _audit_sink,
    "audit_data_events": _bool,
    "audit_max_bytes": _positive_int,
    "audit_rotate_seconds": _positive_int,
    "audit_flush_ms": _positive_int,
    "audit_retention_days": _positive_int,
    "tls_cert": _path,
    "tls_key": _path,
    "tls_client_ca": _path,
    "tls_self_signed": _bool,
    "log_format": _log_format,
    "metrics": _bool,
    "access_log": _bool,
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
    "public_access_block_default": _public_access_default,
    "s3_object_ownership_default": _object_ownership_default,
    "db_timeout_seconds": _positive_seconds,
    "cache_staleness_bound_seconds": _positive_seconds,
    "s3_lifecycle_interval_seconds": _positive_seconds,
    "s3_access_log_flush_seconds": _positive_seconds,
    "s3_access_log_buffer_bytes": _positive_int,
    "trusted_proxies": _str,
    "max_header_bytes": _positive_int,
    "max_header_count": _positive_int,
    "header_timeout": _positive_seconds,
    "body_timeout": _positive_seconds,
    "min_body_rate": _positive_int,
    "max_connections": _positive_int,
    "max_buffered_body_bytes": _positive_int,
    "max_anonymous_body": _positive_int,
    "federation_allow_private_networks": _bool,
    "sse_c_allow_http": _bool,
}


def delegation_partner(settings: Settings, account_id: str) -> bool:
    """Whether the operator enabled ``account_id`` as a delegation partner."""
    if not settings.delegation_accounts:
        return False
    return account_id in {a.strip() for a in settings.delegation_accounts.split(",")}
