"""Fixtures for the IAM part-A tests (users, groups, keys, MFA, account).

``iam_env`` is what every test uses: boto3 clients, the account id and the root
credentials. By default it is the real ``credmint serve`` process of the session
(``tests/conftest.py``'s ``server``). With ``CREDMINT_TEST_IAM_INPROCESS=1`` the same
boto3 clients are served in-process instead: botocore's ``before-send`` hook hands each
signed request to the same pieces the server uses (SigV4 verification against the
stored secret, the wire decoder/validator, the IAM handlers, the XML renderer) over a
temporary SQLite store (or the empty database at ``CREDMINT_TEST_IAM_DB_URL``, e.g.
PostgreSQL). That mode exists for working on the handlers while the server itself is
being changed; the end-to-end mode is the one that counts.

A test module imports the fixture by name (``from tests.iam.fixtures_a import iam_env``)
and lists it in ``__all__`` so linters see it used.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

INPROCESS = os.environ.get("CREDMINT_TEST_IAM_INPROCESS") == "1"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Env:
    """Where the boto3 clients of a test go, and as whom."""

    account_id: str
    access_key_id: str
    secret_access_key: str
    make_client: Callable[..., Any]
    #: The in-process node (None against the real server).
    node: Any = None
    #: ``(url, env)`` for the AWS CLI (real server only).
    cli: tuple[str, dict[str, str]] | None = None
    #: Makes another account on the same server: ``() -> (account_id, key_id, secret)``.
    new_account: Callable[[], tuple[str, str, str]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str = "iam", **kwargs: Any) -> Any:
        return self.make_client(service, **kwargs)

    def resource(self, service: str = "iam", **kwargs: Any) -> Any:
        return self.make_client(service, resource=True, **kwargs)


# --- in-process dispatch --------------------------------------------------------------------


class _RawBody:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def _dispatcher(node: Any) -> Callable[..., AWSResponse]:
    from credmint import errors
    from credmint.access.credentials import KeyEntry
    from credmint.errors import AwsError
    from credmint.httpreq import HttpRequest
    from credmint.iam.service import OPERATIONS
    from credmint.sigv4 import check_scope, parse_auth, verify_signature
    from credmint.wire.query import query_service

    qsvc = query_service("iam")

    def dispatch(request: Any, **_: Any) -> AWSResponse:
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        url = urlsplit(request.url)
        headers = tuple((k.lower(), v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items())
        if not any(k == "host" for k, _ in headers):
            headers += (("host", url.netloc),)  # urllib3 adds it on the wire; SigV4 signed it
        req = HttpRequest(
            method=request.method, raw_path=url.path or "/", query_string=url.query, headers=headers, body=body
        )
        rid = str(uuid.uuid4())
        try:
            params = dict(parse_qsl(body.decode(), keep_blank_values=True))
            op_model = qsvc.resolve(params.get("Action"), params.get("Version"))
            op = OPERATIONS.get(op_model.name)
            if op is None:
                raise errors.InvalidAction(op_model.name, params.get("Version"))
            signed = parse_auth(req, "query")
            if signed is None:
                raise errors.MissingAuthenticationToken()
            check_scope(signed, "iam", "query")
            entry = node.credentials.load(signed.access_key_id)
            if not isinstance(entry, KeyEntry) or not entry.active:
                raise errors.InvalidClientTokenId(period=False)
            verify_signature(req, signed, entry.secret, "query")
            now = node.now()
            recorder = getattr(node, "last_used", None)
            if recorder is not None:
                recorder.record(signed.access_key_id, "iam", "us-east-1", now)
            call = node.call("iam", op_model.name, qsvc.decode(op_model, params), entry.principal, req, now, rid)
            result = op.fn(call)
            status, out = 200, qsvc.render_result(op_model, result or {}, rid)
        except AwsError as err:
            status, out = err.status, qsvc.render_error(err, rid)
        return AWSResponse(request.url, status, {"x-amzn-requestid": rid, "content-type": "text/xml"}, _RawBody(out))

    return dispatch


def _inprocess_env(tmp: Path) -> Env:
    from credmint.accounts import create_account
    from credmint.sealing import MasterKey
    from credmint.server.node import Node
    from credmint.settings import Settings
    from credmint.store.db import Store, sqlite_url
    from credmint.store.migrate import upgrade

    # CREDMINT_TEST_IAM_DB_URL: an empty database (e.g. PostgreSQL) instead of SQLite.
    store = Store(os.environ.get("CREDMINT_TEST_IAM_DB_URL") or sqlite_url(tmp))
    upgrade(store)
    master = MasterKey.generate()
    creds = create_account(store, master, datetime.now(UTC))
    node = Node(Settings(data_dir=tmp), store, master)
    dispatch = _dispatcher(node)

    def make_client(service: str, resource: bool = False, **kwargs: Any) -> Any:
        factory = boto3.resource if resource else boto3.client
        client = factory(
            service,
            endpoint_url="http://credmint.invalid",
            region_name="us-east-1",
            aws_access_key_id=kwargs.pop("aws_access_key_id", creds.access_key_id),
            aws_secret_access_key=kwargs.pop("aws_secret_access_key", creds.secret_access_key),
            aws_session_token=kwargs.pop("aws_session_token", None),
            config=Config(retries={"max_attempts": 1}),
            **kwargs,
        )
        events = (client.meta.client if resource else client).meta.events
        events.register("before-send", dispatch)
        return client

    def new_account() -> tuple[str, str, str]:
        other = create_account(store, master, datetime.now(UTC))
        return other.account_id, other.access_key_id, other.secret_access_key

    return Env(
        creds.account_id,
        creds.access_key_id,
        creds.secret_access_key,
        make_client,
        node=node,
        new_account=new_account,
    )


def _server_env(server: Any) -> Env:
    def make_client(service: str, resource: bool = False, **kwargs: Any) -> Any:
        if not resource:
            return server.client(service, **kwargs)
        return boto3.resource(
            service,
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id=kwargs.pop("aws_access_key_id", server.access_key_id),
            aws_secret_access_key=kwargs.pop("aws_secret_access_key", server.secret_access_key),
            aws_session_token=kwargs.pop("aws_session_token", None),
            config=Config(retries={"max_attempts": 1}),
            **kwargs,
        )

    cli_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    cli_env.update(
        AWS_ACCESS_KEY_ID=server.access_key_id,
        AWS_SECRET_ACCESS_KEY=server.secret_access_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )

    def new_account() -> tuple[str, str, str]:
        # ``credmint account create`` on the server's own store, as an operator would.
        import re
        import subprocess
        import sys

        out = subprocess.run(
            [sys.executable, "-m", "credmint.cli.main", "account", "create"],
            env=server.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        found = dict(re.findall(r"export (AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)=(\S+)", out))
        account = re.search(r"account (\d{12})", out)
        assert account is not None, out
        return account.group(1), found["AWS_ACCESS_KEY_ID"], found["AWS_SECRET_ACCESS_KEY"]

    return Env(
        server.account_id,
        server.access_key_id,
        server.secret_access_key,
        make_client,
        cli=(server.url, cli_env),
        new_account=new_account,
    )


@pytest.fixture(scope="session")
def iam_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Env:
    if INPROCESS:
        return _inprocess_env(tmp_path_factory.mktemp("iam-a"))
    return _server_env(request.getfixturevalue("server"))


def user_env(env: Env, user_name: str, *, create: bool = True) -> tuple[Env, dict[str, str]]:
    """A second Env acting as IAM user ``user_name`` (created with one access key)."""
    iam = env.client()
    if create:
        iam.create_user(UserName=user_name)
    key = iam.create_access_key(UserName=user_name)["AccessKey"]

    def make_client(service: str, resource: bool = False, **kwargs: Any) -> Any:
        kwargs.setdefault("aws_access_key_id", key["AccessKeyId"])
        kwargs.setdefault("aws_secret_access_key", key["SecretAccessKey"])
        return env.make_client(service, resource=resource, **kwargs)

    return (
        Env(env.account_id, key["AccessKeyId"], key["SecretAccessKey"], make_client, node=env.node),
        key,
    )


def consecutive_codes(seed: bytes | str) -> tuple[str, str]:
    """Two consecutive TOTP codes of ``seed`` (the previous step's and the current one's),
    computed with pyotp, independently of credmint's own TOTP code."""
    import time

    import pyotp

    text = seed.decode() if isinstance(seed, bytes) else seed
    totp = pyotp.TOTP(text)
    now = int(time.time())
    return totp.at(now - 30), totp.at(now)
