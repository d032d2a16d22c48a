"""boto3 sessions that sign at the dev server's time.

After ``advance()``, the server's clock is ahead of the machine's, and SigV4's
15-minute skew check runs at the server's time (the check is real; dev mode does
not loosen it). botocore signs with the machine's clock, so the clients the test
helpers make sign at the server's time instead: each one's request signer runs
with an offset in a context variable, which the one shim over botocore's signing
clock (``botocore.auth.get_current_datetime``) adds. Other clients in the process
see an offset of zero, so their signing is untouched.

S3 clients made here sign with SigV4 (``s3v4``) for presigned URLs too: botocore
otherwise presigns S3 URLs for a custom endpoint with SigV2, whose expiry comes
from the machine's clock with no hook to move it.

A client made elsewhere (the AWS CLI, another SDK, a plain ``boto3.client``) signs
at the machine's time and is refused as expired once the server is more than 15
minutes ahead. Advance less than that, or use these sessions.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

import boto3
import botocore.auth
import botocore.credentials
import botocore.loaders
import botocore.session
from botocore.config import Config

#: Seconds the clock the current request is signed with is ahead of the machine's.
_SIGNING_OFFSET: ContextVar[float] = ContextVar("credmint_signing_offset", default=0.0)
_installed = False
_install_lock = threading.Lock()


def _install_shim() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        machine_time: Callable[[], datetime] = botocore.auth.get_current_datetime

        def signing_time() -> datetime:
            offset = _SIGNING_OFFSET.get()
            now = machine_time()
            return now + timedelta(seconds=offset) if offset else now

        botocore.auth.get_current_datetime = signing_time
        _installed = True


def sign_with_offset(client: Any, offset: Callable[[], float]) -> Any:
    """Make ``client`` sign (and presign) at the machine's time plus ``offset()``."""
    _install_shim()
    signer = client._request_signer
    sign = signer.sign

    def sign_shifted(*args: Any, **kwargs: Any) -> Any:
        token = _SIGNING_OFFSET.set(offset())
        try:
            return sign(*args, **kwargs)
        finally:
            _SIGNING_OFFSET.reset(token)

    # The request-created handler and the presigners call ``self.sign``: the
    # instance attribute shadows the method for this client alone.
    signer.sign = sign_shifted
    return client


#: What the helper clients use unless told otherwise: no retries (a test should see the
#: first answer, not a retried one), SigV4 everywhere (see the module docstring).
BASE_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})
S3_CONFIG = BASE_CONFIG.merge(Config(signature_version="s3v4"))


class ServerTimeSession(boto3.Session):  # type: ignore[misc]  # boto3 ships no types
    """A boto3 session whose clients and resources talk to one credmint server, with one
    principal's credentials, and sign at the server's time.

    Every such session in the process shares one botocore session (and its data loader),
    so the service models, endpoint rules and client classes are built once per process
    instead of once per principal: making a client costs a few milliseconds instead of
    tens, which is most of what a short test of several principals spends. The shared
    botocore session holds no credentials and no region: each client gets this session's
    own, explicitly.
    """

    def __init__(
        self,
        url: str,
        region: str,
        offset: Callable[[], float],
        loader: botocore.loaders.Loader,
        credentials: Mapping[str, str | None],
    ) -> None:
        super().__init__(botocore_session=_shared_core(loader))
        self.credmint_url = url
        self._region = region
        self._offset = offset
        self._credentials = dict(credentials)

    @property
    def region_name(self) -> str:
        return self._region

    def get_credentials(self) -> botocore.credentials.Credentials:
        c = self._credentials
        return botocore.credentials.Credentials(
            c["aws_access_key_id"], c["aws_secret_access_key"], c.get("aws_session_token")
        )

    def _setup_loader(self) -> None:
        # boto3 adds its resource models' directory to the loader's search path for each
        # session; on a shared loader, once is enough (the list would grow per session).
        self._loader = self._session.get_component("data_loader")
        path = os.path.join(os.path.dirname(boto3.__file__), "data")
        if path not in self._loader.search_paths:
            self._loader.search_paths.append(path)

    def _register_default_handlers(self) -> None:
        # boto3 registers its class customizations on the botocore session for each
        # session; on the shared one, once (they would otherwise pile up and each run
        # once per session ever made).
        with _install_lock:
            if not getattr(self._session, "_credmint_handlers", False):
                super()._register_default_handlers()
                self._session._credmint_handlers = True

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("endpoint_url") is None:  # resource() passes it, as None
            kwargs["endpoint_url"] = self.credmint_url
        if kwargs.get("region_name") is None:
            kwargs["region_name"] = self._region
        if kwargs.get("aws_access_key_id") is None:  # the principal's, unless given
            for name, value in self._credentials.items():
                kwargs[name] = value
        base = S3_CONFIG if service_name == "s3" else BASE_CONFIG
        given = kwargs.get("config")
        kwargs["config"] = base.merge(given) if given is not None else base
        return sign_with_offset(super().client(service_name, *args, **kwargs), self._offset)


#: The services a test of auth code nearly always calls.
WARM_SERVICES = ("sts", "iam", "s3")


def warm(url: str, region: str) -> None:
    """Make one client of each of :data:`WARM_SERVICES` on the shared botocore session, so
    that their models, endpoint rules and client classes are built before the first test
    (while the server starts) rather than inside it."""
    dummy = {"aws_access_key_id": "AKIAWARMING", "aws_secret_access_key": "warming", "aws_session_token": None}
    session = ServerTimeSession(url, region, lambda: 0.0, shared_loader(), dummy)
    for service in WARM_SERVICES:
        session.client(service)


@functools.cache
def _shared_core(loader: botocore.loaders.Loader) -> botocore.session.Session:
    core = botocore.session.Session()
    core.register_component("data_loader", loader)
    return core


@functools.cache
def shared_loader() -> botocore.loaders.Loader:
    """The botocore data loader every helper session in the process shares: it caches
    the service models it reads, which are the same for every server."""
    return botocore.loaders.create_loader()
