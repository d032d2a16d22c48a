"""The ``credmint`` pytest plugin: ``credmint_server`` and ``credmint_account``.

Registered through the ``pytest11`` entry point, so installing credmint makes the
fixtures available everywhere. Loading the plugin imports nothing but pytest and
starts nothing; the server module is imported by the first fixture that needs it
(an import at module level would cost every suite on the machine the time to load
the server, whether or not it uses credmint).

Under pytest-xdist each worker process starts its own session server; a fresh
account per test keeps tests apart without a reset, so they run in any order and
in parallel.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from credmint.testing.accounts import Account
    from credmint.testing.node import CredmintServer


@pytest.fixture(scope="session")
def credmint_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CredmintServer]:
    """A dev-mode credmint server for the session: ``url``, ``root``, ``client()``,
    ``boto3_session()``, ``advance(seconds)``, ``new_account()``, ``reset()``."""
    node = importlib.import_module("credmint.testing.node")
    srv: CredmintServer = node.start(tmp_path_factory.mktemp("credmint"))
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def credmint_account(credmint_server: CredmintServer) -> Account:
    """A fresh account for one test, with its own root credentials."""
    return credmint_server.new_account()
