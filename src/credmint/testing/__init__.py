"""credmint in a test suite: a dev server in the test process, fresh accounts, time travel.

pytest users get fixtures from the ``credmint`` plugin (:mod:`credmint.testing.plugin`,
registered through the ``pytest11`` entry point): ``credmint_server`` (one per session,
or per xdist worker) and ``credmint_account`` (a fresh account per test). Others use the
context manager::

    with credmint.testing.server() as srv:
        account = srv.new_account()
        user = account.create_user(policies=[{...}])
        user.client("s3").list_buckets()

This package imports the server only when one of these names is first used, so that
loading the pytest plugin costs a suite nothing until a fixture asks for a server.
See ``docs/testing.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credmint.testing.accounts import Account, Credentials, MfaDevice, Principal, User
    from credmint.testing.node import CredmintServer, server, start

__all__ = ["Account", "Credentials", "CredmintServer", "MfaDevice", "Principal", "User", "server", "start"]

_HOMES = {
    "Account": "credmint.testing.accounts",
    "Credentials": "credmint.testing.accounts",
    "MfaDevice": "credmint.testing.accounts",
    "Principal": "credmint.testing.accounts",
    "User": "credmint.testing.accounts",
    "CredmintServer": "credmint.testing.node",
    "server": "credmint.testing.node",
    "start": "credmint.testing.node",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'credmint.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
