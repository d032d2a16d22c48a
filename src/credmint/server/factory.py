"""Build a node: settings -> store, master key, node, ASGI app."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from credmint.access import condition_keys
from credmint.clock import DevClock
from credmint.sealing import load_or_create_master_key
from credmint.server import accesslog
from credmint.server.app import CredmintApp
from credmint.server.node import Node
from credmint.settings import Settings
from credmint.store.db import Store

#: Files of the data dir that hold secrets or the whole store; readable by the owner only.
#: SQLite creates its -wal and -shm files with the database's mode, so creating the database
#: 0600 covers them; an existing install is narrowed on start.
PRIVATE_FILES = ("credmint.db", "credmint.db-wal", "credmint.db-shm", "master.key", "root-credentials")


def prepare_data_dir(data_dir: Path, *, sqlite_in_dir: bool) -> None:
    """Create the data dir 0700 (narrowing an existing one) and its private files 0600."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    if sqlite_in_dir:
        # Created here, 0600, before SQLite opens it (SQLite would create it 0644 under the
        # usual umask, and its -wal/-shm files with it).
        os.close(os.open(data_dir / "credmint.db", os.O_WRONLY | os.O_CREAT, 0o600))
    for name in PRIVATE_FILES:
        path = data_dir / name
        if path.exists():
            os.chmod(path, 0o600)


def build_node(settings: Settings) -> Node:
    prepare_data_dir(settings.data_dir, sqlite_in_dir=settings.database_url is None)
    master = load_or_create_master_key(settings.data_dir, settings.master_key)
    # A dev store is for tests: it trades power-cut durability for cheap commits.
    store = Store(
        settings.store_url,
        durable=not settings.dev,
        timeout=settings.db_timeout_seconds,
        staleness_bound=settings.cache_staleness_bound_seconds,
    )
    # The action reference (condition keys, resource types) is read now, not by the first
    # authorized request (a fifth of a second that request would otherwise wait).
    condition_keys.reference()
    # Dev mode's clock is the one tests move; every other node reads the system clock.
    return Node(settings, store, master, DevClock() if settings.dev else None)


def create_app() -> CredmintApp:
    """The app factory uvicorn calls in each worker process (settings come from the environment)."""
    settings = Settings.from_env()
    accesslog.configure(settings)
    app = CredmintApp(build_node(settings))
    settle_heap()
    return app


def settle_heap() -> None:
    """Move everything alive after start-up (the botocore service models above all: a
    large graph of small objects that lives as long as the process) out of the cyclic
    garbage collector's reach. Its collections otherwise keep walking that graph, and
    that walk is a large share of a request's cost in process (a signed GetCallerIdentity
    through the ASGI app: 107 us before, 81 us after; over the network the difference is
    within wrk's noise on this machine, docs/benchmarks.md)."""
    gc.collect()
    gc.freeze()
