"""The ``credmint`` command."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import ipaddress
import os
import signal
import sys
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from credmint import __version__, config
from credmint.cli import audit as audit_cli
from credmint.settings import (
    DEFAULT_DATA_DIR,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_REGION,
    DEV_ACCOUNT_ID,
    DEV_ROOT_ACCESS_KEY_ID,
    DEV_ROOT_SECRET_ACCESS_KEY,
    Settings,
)

#: The flags that override settings (flag > environment > configuration file > default).
_SETTING_FLAGS = (
    "host",
    "port",
    "workers",
    "region",
    "data_dir",
    "database_url",
    "tls_cert",
    "tls_key",
    "tls_client_ca",
    "tls_self_signed",
    "log_format",
    "dev",
    "dev_allow_remote",
)


def _store_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        default=None,
        type=Path,
        help="TOML configuration file holding any setting (CREDMINT_CONFIG); flags and environment win over it",
    )
    p.add_argument("--data-dir", default=None, help=f"data directory (default {DEFAULT_DATA_DIR}; CREDMINT_DATA_DIR)")
    p.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL; default SQLite in the data dir; postgresql://... for several nodes "
        "(CREDMINT_DATABASE_URL)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="credmint", description="AWS-compatible STS, IAM and S3 server")
    parser.add_argument("--version", action="version", version=f"credmint {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host", default=None, help=f"bind address (default {DEFAULT_HOST}; CREDMINT_HOST)")
    serve.add_argument("--port", type=int, default=None, help=f"port (default {DEFAULT_PORT}; CREDMINT_PORT)")
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default 1; CREDMINT_WORKERS)")
    serve.add_argument("--region", default=None, help=f"region this node answers as (default {DEFAULT_REGION})")
    serve.add_argument(
        "--dev",
        action="store_const",
        const=True,
        default=None,
        help="dev mode for test suites: temporary store, well-known root credentials, a clock tests can "
        "move and the /_credmint/ test endpoints; loopback only (CREDMINT_DEV)",
    )
    serve.add_argument(
        "--dev-allow-remote",
        action="store_const",
        const=True,
        default=None,
        help="let --dev bind a non-loopback address (CREDMINT_DEV_ALLOW_REMOTE); never on a network you do not own",
    )
    serve.add_argument(
        "--tls-cert", type=Path, default=None, help="PEM certificate chain: serve HTTPS (CREDMINT_TLS_CERT)"
    )
    serve.add_argument("--tls-key", type=Path, default=None, help="PEM private key of --tls-cert (CREDMINT_TLS_KEY)")
    serve.add_argument(
        "--tls-client-ca",
        type=Path,
        default=None,
        help="PEM CA bundle: require a client certificate it signed (mutual TLS; CREDMINT_TLS_CLIENT_CA)",
    )
    serve.add_argument(
        "--tls-self-signed",
        action="store_const",
        const=True,
        default=None,
        help="generate a CA and server certificate in the data dir and serve HTTPS (CREDMINT_TLS_SELF_SIGNED)",
    )
    serve.add_argument(
        "--log-format", choices=("plain", "json"), default=None, help="access-log format (default plain)"
    )
    serve.add_argument(
        "--print-root-secret",
        action="store_true",
        help="on the first start, also print the root secret access key (by default only the key id and the "
        "0600 credentials file are printed: standard output often ends up in log collectors)",
    )
    _store_args(serve)

    cfg = sub.add_parser("config", help="configuration")
    cfg_sub = cfg.add_subparsers(dest="config_command", required=True)
    show = cfg_sub.add_parser("show", help="print the effective configuration as TOML, secrets redacted")
    _store_args(show)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    for name, text in (("upgrade", "apply pending migrations"), ("current", "show the schema revision")):
        p = db_sub.add_parser(name, help=text)
        _store_args(p)

    account = sub.add_parser("account", help="accounts")
    acc_sub = account.add_subparsers(dest="account_command", required=True)
    create = acc_sub.add_parser("create", help="create an account and print its root credentials")
    create.add_argument("--id", dest="account_id", default=None, help="12-digit account id (default: random)")
    create.add_argument("--name", default=None, help="account name")
    _store_args(create)
    lst = acc_sub.add_parser("list", help="list accounts")
    _store_args(lst)

    keys = sub.add_parser("keys", help="session token keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    rotate = keys_sub.add_parser(
        "rotate", help="make a new token key active now (the old one verifies until its tokens expire)"
    )
    _store_args(rotate)

    audit = sub.add_parser("audit", help="the audit trail (CloudTrail-format records)")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    tail = audit_sub.add_parser("tail", help="print the latest records of this node's audit files")
    tail.add_argument("-n", "--lines", type=int, default=20, help="how many records (default 20)")
    tail.add_argument("-f", "--follow", action="store_true", help="keep printing records as they are written")
    _store_args(tail)
    search = audit_sub.add_parser("search", help="search the stored records of every node (newest first)")
    search.add_argument("--event-name", default=None, help="e.g. AssumeRole")
    search.add_argument("--user", default=None, help="user name, role session name or root")
    search.add_argument("--access-key-id", default=None)
    search.add_argument("--event-source", default=None, help="e.g. sts.amazonaws.com")
    search.add_argument("--account", default=None, help="only this account's records")
    search.add_argument("--since", default=None, help="ISO 8601 time, or an age: 30m, 6h, 2d")
    search.add_argument("--until", default=None, help="ISO 8601 time, or an age: 30m, 6h, 2d")
    search.add_argument("--limit", type=int, default=50, help="at most this many records (default 50)")
    _store_args(search)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    path = args.config if args.config is not None else os.environ.get("CREDMINT_CONFIG") or None
    return config.settings_from(
        Path(path) if path is not None else None, **{k: getattr(args, k, None) for k in _SETTING_FLAGS}
    )


def _open(settings: Settings, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    from credmint.server.factory import build_node
    from credmint.store import migrate as migrations

    node = build_node(settings)
    if migrate:
        migrations.upgrade(node.store)
    return node


def _print_key_id(account_id: str, key_id: str, region: str, file: Path) -> None:
    print(f"Root credentials of account {account_id} are in {file} (mode 0600):")
    print(f"  export AWS_SHARED_CREDENTIALS_FILE={file} AWS_PROFILE=default AWS_DEFAULT_REGION={region}")
    print(f"  (access key id {key_id}; the secret is not printed unless asked: credmint serve --print-root-secret)")
    sys.stdout.flush()


def _print_credentials(account_id: str, key_id: str, secret: str, region: str, file: Path | None) -> None:
    print(f"Root credentials of account {account_id} (shown once):")
    print(f"  export AWS_ACCESS_KEY_ID={key_id}")
    print(f"  export AWS_SECRET_ACCESS_KEY={secret}")
    print(f"  export AWS_DEFAULT_REGION={region}")
    if file is not None:
        print(f"  (also in {file}, mode 0600: AWS_SHARED_CREDENTIALS_FILE={file} AWS_PROFILE=default)")
    sys.stdout.flush()


def _write_credentials_file(path: Path, key_id: str, secret: str, region: str) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\nregion = {region}\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def trusted_proxies(text: str) -> list[str]:
    """The trusted proxy addresses/CIDRs of ``--trusted-proxies``; a typo is an error, not a
    silently untrusted (or trusted) proxy."""
    out = [part.strip() for part in text.split(",") if part.strip()]
    for part in out:
        ipaddress.ip_network(part, strict=False)  # ValueError on anything else
    return out


DEV_BANNER = """\
!! credmint DEV MODE: well-known root credentials, a clock anyone can move,
!! and unauthenticated /_credmint/ endpoints that reset the store.
!! For test suites on this machine only. Never let it face a network."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def dev_refusal(settings: Settings) -> str | None:
    """Why dev mode must not start with these settings, or None."""
    if not is_loopback(settings.host) and not settings.dev_allow_remote:
        return (
            f"--dev refuses to listen on {settings.host}, which is not a loopback address "
            "(dev mode has published credentials and unauthenticated endpoints); "
            "pass --dev-allow-remote to insist"
        )
    if settings.workers > 1:
        return "--dev runs one worker: the dev clock lives in one process"
    return None


@contextlib.contextmanager
def dev_settings(settings: Settings, data_dir_given: bool) -> Iterator[Settings]:
    """Dev mode's settings: the dev root credentials (unless set), and a temporary data
    directory, removed on exit, unless one was given."""
    dev = dataclasses.replace(
        settings,
        account_id=settings.account_id or DEV_ACCOUNT_ID,
        root_access_key_id=settings.root_access_key_id or DEV_ROOT_ACCESS_KEY_ID,
        root_secret_access_key=settings.root_secret_access_key or DEV_ROOT_SECRET_ACCESS_KEY,
    )
    if data_dir_given or settings.database_url:
        yield dev
        return
    with tempfile.TemporaryDirectory(prefix="credmint-dev-") as tmp:
        yield dataclasses.replace(dev, data_dir=Path(tmp))


def cmd_serve(settings: Settings, *, data_dir_given: bool = True, print_root_secret: bool = False) -> int:
    if not settings.dev:
        return _serve(settings, print_root_secret=print_root_secret)
    refusal = dev_refusal(settings)
    if refusal is not None:
        print(f"credmint: {refusal}", file=sys.stderr)
        return 2
    print(DEV_BANNER, file=sys.stderr, flush=True)
    # uvicorn re-raises the SIGTERM it caught once it has shut down; as an exception
    # it unwinds through dev_settings, which removes the temporary store.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with dev_settings(settings, data_dir_given) as dev:
        # Dev mode's root credentials are well known: printing them costs nothing.
        return _serve(dev, print_root_secret=True)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _serve(settings: Settings, *, print_root_secret: bool = False) -> int:
    import uvicorn

    from credmint import accounts
    from credmint.server import tls

    try:
        ssl_options = tls.server_options(settings, datetime.now(UTC))
    except tls.TlsError as exc:
        print(f"credmint: {exc}", file=sys.stderr)
        return 2
    node = _open(settings)
    creds = accounts.bootstrap(
        node.store,
        node.master,
        node.now(),
        account_id=settings.account_id,
        access_key_id=settings.root_access_key_id,
        secret_access_key=settings.root_secret_access_key,
    )
    if creds is not None:
        path = settings.data_dir / "root-credentials"
        _write_credentials_file(path, creds.access_key_id, creds.secret_access_key, settings.region)
        if print_root_secret:
            _print_credentials(creds.account_id, creds.access_key_id, creds.secret_access_key, settings.region, path)
        else:
            _print_key_id(creds.account_id, creds.access_key_id, settings.region, path)
    node.store.close()
    proxies = trusted_proxies(settings.trusted_proxies)
    scheme = "https" if ssl_options else "http"
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"credmint {__version__} serving on {scheme}://{host}:{settings.port}", flush=True)
    if settings.tls_self_signed:
        ca = settings.data_dir / "tls" / "ca.pem"
        print(f"  self-signed TLS; trust its CA with: export AWS_CA_BUNDLE={ca.resolve()}", flush=True)
    if settings.workers > 1:
        from credmint import metrics

        # Each worker process writes its metric values here; a scrape of any worker sums them.
        run_dir = metrics.prepare_multiprocess_dir(settings.data_dir, os.getpid())
        os.environ[metrics.MULTIPROC_ENV] = str(run_dir)
    # Workers rebuild the node from the environment.
    os.environ.update(settings.to_env())
    uvicorn.run(
        "credmint.server.factory:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers if settings.workers > 1 else None,
        log_level="warning",
        access_log=False,
        lifespan="on",
        # Proxy headers only from proxies named explicitly: otherwise anyone on loopback
        # (uvicorn's default trust) could set the address aws:SourceIp is checked against.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        limit_concurrency=settings.max_connections,
        # httptools with the request head bounded in size, field count and time.
        http="credmint.server.protocol:BoundedHttpToolsProtocol",
        **ssl_options,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except config.ConfigError as exc:
        print(f"credmint: {exc}", file=sys.stderr)
        return 2
    if args.command == "config":
        sys.stdout.write(config.render(settings))
        return 0
    if args.command == "serve":
        given = args.data_dir is not None or bool(os.environ.get("CREDMINT_DATA_DIR"))
        return cmd_serve(settings, data_dir_given=given, print_root_secret=args.print_root_secret)
    if args.command == "db":
        from credmint.store import migrate as migrations

        node = _open(settings, migrate=args.db_command == "upgrade")
        print(migrations.current(node.store) or "(empty)")
        return 0
    if args.command == "account":
        from credmint import accounts

        node = _open(settings)
        if args.account_command == "create":
            try:
                creds = accounts.create_account(
                    node.store, node.master, node.now(), account_id=args.account_id, name=args.name
                )
            except accounts.AccountError as exc:
                print(f"credmint: {exc}", file=sys.stderr)
                return 1
            _print_credentials(creds.account_id, creds.access_key_id, creds.secret_access_key, settings.region, None)
            return 0
        for account_id, name, created in accounts.list_accounts(node.store):
            print(f"{account_id}\t{name}\t{created.isoformat()}")
        return 0
    if args.command == "keys":
        return cmd_keys_rotate(settings)
    if args.command == "audit":
        try:
            if args.audit_command == "tail":
                return audit_cli.tail(settings.data_dir / "audit", args.lines, args.follow)
            return cmd_audit_search(settings, args)
        except audit_cli.UsageError as exc:
            print(f"credmint: {exc}", file=sys.stderr)
            return 2
    return 2


def cmd_audit_search(settings: Settings, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    since = audit_cli.parse_time(args.since, now) if args.since else None
    until = audit_cli.parse_time(args.until, now) if args.until else None
    if not 1 <= args.limit <= 10_000:
        raise audit_cli.UsageError("--limit must be between 1 and 10000")
    node = _open(settings)
    try:
        found = audit_cli.search(
            node.store,
            account_id=args.account,
            event_name=args.event_name,
            user=args.user,
            access_key_id=args.access_key_id,
            event_source=args.event_source,
            since=since,
            until=until,
            limit=args.limit,
        )
    finally:
        node.store.close()
    for record in found:
        print(record)
    return 0


def cmd_keys_rotate(settings: Settings) -> int:
    from credmint.access import keystore

    node = _open(settings)
    before = keystore.load(node.store, node.master)
    keyring = keystore.rotate(node.store, node.master, node.now())
    node.store.close()
    if before is not None:
        print(f"retiring token key {before.active_key_id}")
    print(f"active token key {keyring.active_key_id} ({len(keyring.keys)} key(s) kept)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
