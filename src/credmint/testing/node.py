"""A dev-mode credmint server inside the test process.

The same ASGI app and uvicorn server as ``credmint serve``, run by a thread on an
ephemeral loopback port, over a temporary SQLite store migrated once, with the dev
clock and the dev root credentials. Fresh accounts are made by a direct call into
the node's store (one short transaction, no HTTP round trip, no migration), which
is what makes one account per test cheap.
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn

from credmint import accounts
from credmint.clock import DevClock
from credmint.server import dev
from credmint.server.app import CredmintApp
from credmint.server.factory import build_node
from credmint.server.node import Node
from credmint.settings import (
    DEFAULT_REGION,
    DEV_ACCOUNT_ID,
    DEV_ROOT_ACCESS_KEY_ID,
    DEV_ROOT_SECRET_ACCESS_KEY,
    Settings,
)
from credmint.store import migrate
from credmint.testing import signing
from credmint.testing.accounts import Account, Credentials, Endpoint
from credmint.testing.signing import ServerTimeSession

#: How long start() waits for uvicorn to listen before it gives up.
START_TIMEOUT_SECONDS = 30.0


class CredmintServer:
    """A running dev server: its URL, root account, clock, and fresh accounts."""

    def __init__(self, node: Node, url: str, uvicorn_server: uvicorn.Server, thread: threading.Thread) -> None:
        self.node = node
        self.url = url
        clock = dev.dev_clock(node)
        self.endpoint = Endpoint(url, node.settings.region, clock)
        settings = node.settings
        self.account = Account(
            self.endpoint,
            settings.account_id or DEV_ACCOUNT_ID,
            Credentials(
                settings.root_access_key_id or DEV_ROOT_ACCESS_KEY_ID,
                settings.root_secret_access_key or DEV_ROOT_SECRET_ACCESS_KEY,
            ),
        )
        self._uvicorn = uvicorn_server
        self._thread = thread

    @property
    def clock(self) -> DevClock:
        return self.endpoint.clock

    @property
    def root(self) -> Credentials:
        """The root credentials of the default (dev) account."""
        return self.account.credentials

    @property
    def account_id(self) -> str:
        return self.account.account_id

    def boto3_session(self) -> ServerTimeSession:
        """A boto3 session as the default account's root user."""
        return self.account.boto3_session()

    def client(self, service: str, **kwargs: Any) -> Any:
        return self.account.client(service, **kwargs)

    def now(self) -> datetime:
        """The server's time."""
        return self.endpoint.now()

    def advance(self, seconds: float) -> datetime:
        """Move the server's clock forward by ``seconds`` (never back); the new time."""
        return self.endpoint.advance(seconds)

    def new_account(self, name: str | None = None) -> Account:
        """A fresh account with its own root credentials: one store transaction."""
        creds = accounts.create_account(self.node.store, self.node.master, self.now(), name=name)
        return Account(self.endpoint, creds.account_id, Credentials(creds.access_key_id, creds.secret_access_key))

    def reset(self) -> None:
        """Return the store to its freshly bootstrapped state (the clock keeps its offset)."""
        dev.reset(self.node)

    def stop(self) -> None:
        self._uvicorn.should_exit = True
        self._thread.join(timeout=10)


def start(data_dir: Path, *, region: str = DEFAULT_REGION) -> CredmintServer:
    """Start a dev server on a loopback port, with its store in ``data_dir``.

    The settings are built here, not read from ``CREDMINT_*`` variables: a test
    server must not pick up the configuration of a real one from the environment.
    """
    settings = Settings(
        host="127.0.0.1",
        port=0,
        data_dir=data_dir,
        region=region,
        dev=True,
        account_id=DEV_ACCOUNT_ID,
        root_access_key_id=DEV_ROOT_ACCESS_KEY_ID,
        root_secret_access_key=DEV_ROOT_SECRET_ACCESS_KEY,
    )
    node = build_node(settings)
    migrate.upgrade(node.store)
    accounts.bootstrap(
        node.store,
        node.master,
        node.now(),
        account_id=settings.account_id,
        access_key_id=settings.root_access_key_id,
        secret_access_key=settings.root_secret_access_key,
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # The stack of ``credmint serve``: the bounded httptools protocol, no proxy headers
    # trusted, the connection cap.
    config = uvicorn.Config(
        CredmintApp(node),
        lifespan="on",
        log_level="warning",
        access_log=False,
        http="credmint.server.protocol:BoundedHttpToolsProtocol",
        proxy_headers=False,
        limit_concurrency=settings.max_connections,
    )
    server = uvicorn.Server(config)
    # uvicorn installs no signal handlers off the main thread: the test runner keeps its own.
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="credmint-server", daemon=True)
    thread.start()
    # While the server starts: the first test's clients then cost what every later one does.
    signing.warm(f"http://127.0.0.1:{port}", region)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the credmint test server did not start")
        time.sleep(0.002)
    return CredmintServer(node, f"http://127.0.0.1:{port}", server, thread)


@contextlib.contextmanager
def server(data_dir: Path | None = None, *, region: str = DEFAULT_REGION) -> Iterator[CredmintServer]:
    """``with credmint.testing.server() as srv:`` — a dev server for the block; its
    temporary store (unless ``data_dir`` is given) is removed afterwards."""
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="credmint-test-")))
        srv = start(data_dir, region=region)
        stack.callback(srv.stop)
        yield srv
