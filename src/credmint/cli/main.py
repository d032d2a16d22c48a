"""The ``credmint`` command."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from credmint import __version__
from credmint.settings import DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_REGION, Settings


def _store_args(p: argparse.ArgumentParser) -> None:
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
        "--print-root-secret",
        action="store_true",
        help="on the first start, also print the root secret access key (by default only the key id and the "
        "0600 credentials file are printed: standard output often ends up in log collectors)",
    )
    _store_args(serve)

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
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    keys = ("host", "port", "workers", "region", "data_dir", "database_url")
    return Settings.from_env(**{k: getattr(args, k, None) for k in keys})


def _open(settings: Settings, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    from credmint.server.factory import build_runtime
    from credmint.store import migrate as migrations

    runtime = build_runtime(settings)
    if migrate:
        migrations.upgrade(runtime.store)
    return runtime


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


def cmd_serve(settings: Settings, *, print_root_secret: bool = False) -> int:
    import uvicorn

    from credmint import accounts

    runtime = _open(settings)
    creds = accounts.bootstrap(
        runtime.store,
        runtime.master,
        datetime.now(UTC),
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
    runtime.store.close()
    proxies = trusted_proxies(settings.trusted_proxies)
    print(f"credmint {__version__} serving on http://{settings.host}:{settings.port}", flush=True)
    # Workers rebuild the runtime from the environment.
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
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = _settings(args)
    if args.command == "serve":
        return cmd_serve(settings, print_root_secret=args.print_root_secret)
    if args.command == "db":
        from credmint.store import migrate as migrations

        runtime = _open(settings, migrate=args.db_command == "upgrade")
        print(migrations.current(runtime.store) or "(empty)")
        return 0
    if args.command == "account":
        from credmint import accounts

        runtime = _open(settings)
        if args.account_command == "create":
            try:
                creds = accounts.create_account(
                    runtime.store, runtime.master, datetime.now(UTC), account_id=args.account_id, name=args.name
                )
            except accounts.AccountError as exc:
                print(f"credmint: {exc}", file=sys.stderr)
                return 1
            _print_credentials(creds.account_id, creds.access_key_id, creds.secret_access_key, settings.region, None)
            return 0
        for account_id, name, created in accounts.list_accounts(runtime.store):
            print(f"{account_id}\t{name}\t{created.isoformat()}")
        return 0
    if args.command == "keys":
        return cmd_keys_rotate(settings)
    return 2


def cmd_keys_rotate(settings: Settings) -> int:
    from credmint.sts import keystore

    runtime = _open(settings)
    before = keystore.load(runtime.store, runtime.master)
    keyring = keystore.rotate(runtime.store, runtime.master, datetime.now(UTC))
    runtime.store.close()
    if before is not None:
        print(f"retiring token key {before.active_key_id}")
    print(f"active token key {keyring.active_key_id} ({len(keyring.keys)} key(s) kept)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
