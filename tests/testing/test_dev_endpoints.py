"""Dev mode's test endpoints: clock, reset, accounts — and their absence outside dev mode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from credmint.server import dev
from credmint.settings import DEV_ACCOUNT_ID, DEV_ROOT_ACCESS_KEY_ID
from credmint.testing import CredmintServer
from credmint.testing import server as dev_server
from tests.conftest import Server

pytestmark = pytest.mark.e2e

DEV_PATHS = [
    ("GET", "/_credmint/clock"),
    ("POST", "/_credmint/clock"),
    ("POST", "/_credmint/reset"),
    ("POST", "/_credmint/accounts"),
]


@pytest.fixture(scope="module")
def own_server() -> Iterator[CredmintServer]:
    """A dev server of this module's own: resetting the session's one would empty other tests' accounts."""
    with dev_server() as srv:
        yield srv


@pytest.mark.parametrize(("method", "path"), DEV_PATHS)
def test_dev_endpoints_do_not_exist_without_dev_mode(server: Server, method: str, path: str) -> None:
    r = httpx.request(method, server.url + path, content=b'{"advance": 3600}')
    assert r.status_code == 404
    # The clock did not move: a request signed now is still accepted.
    assert server.client("sts").get_caller_identity()["Account"] == server.account_id


def test_clock_get_and_advance(own_server: CredmintServer) -> None:
    before = httpx.get(own_server.url + "/_credmint/clock").json()
    r = httpx.post(own_server.url + "/_credmint/clock", json={"advance": 90})
    assert r.status_code == 200
    after = r.json()
    assert after["offset"] - before["offset"] == 90
    assert datetime.fromisoformat(after["now"]) - datetime.fromisoformat(before["now"]) >= timedelta(seconds=90)
    assert own_server.clock.offset == after["offset"]  # the fixture and the endpoint move one clock


def test_clock_set_moves_forward(own_server: CredmintServer) -> None:
    target = own_server.now() + timedelta(hours=5)
    r = httpx.post(own_server.url + "/_credmint/clock", json={"set": target.isoformat()})
    assert r.status_code == 200
    assert datetime.fromisoformat(r.json()["now"]) >= target


HOSTILE_CLOCK_BODIES: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("not-json", b"{advance: 1"),
    ("not-utf8", b'{"advance": "\xff"}'),
    ("list", b"[1]"),
    ("backwards", b'{"advance": -60}'),
    ("nan", b'{"advance": NaN}'),
    ("infinity", b'{"advance": Infinity}'),
    ("huge", b'{"advance": 1e300}'),
    ("bool", b'{"advance": true}'),
    ("string", b'{"advance": "60"}'),
    ("both", b'{"advance": 1, "set": "2030-01-01T00:00:00+00:00"}'),
    ("unknown-key", b'{"rewind": 1}'),
    ("set-past", b'{"set": "2001-01-01T00:00:00+00:00"}'),
    ("set-naive", b'{"set": "2099-01-01T00:00:00"}'),
    ("set-garbage", b'{"set": "tomorrow"}'),
    ("set-number", b'{"set": 4102444800}'),
    ("set-long", json.dumps({"set": "2099-01-01T00:00:00+00:00" + " " * 100}).encode()),
    ("too-large", b'{"advance": 1' + b" " * (dev.MAX_BODY + 1) + b"}"),
]


@pytest.mark.parametrize("body", [b for _, b in HOSTILE_CLOCK_BODIES], ids=[n for n, _ in HOSTILE_CLOCK_BODIES])
def test_clock_refuses_bad_input_and_does_not_move(own_server: CredmintServer, body: bytes) -> None:
    offset = own_server.clock.offset
    r = httpx.post(own_server.url + "/_credmint/clock", content=body)
    assert r.status_code == 400
    assert "error" in r.json()
    assert own_server.clock.offset == offset


@pytest.mark.parametrize(
    ("method", "path"), [("DELETE", "/_credmint/clock"), ("GET", "/_credmint/reset"), ("GET", "/_credmint/accounts")]
)
def test_wrong_method_is_405(own_server: CredmintServer, method: str, path: str) -> None:
    assert httpx.request(method, own_server.url + path).status_code == 405


def test_accounts_endpoint_creates_a_fresh_account(own_server: CredmintServer) -> None:
    doc: dict[str, Any] = httpx.post(own_server.url + "/_credmint/accounts").json()
    assert doc["account_id"] != DEV_ACCOUNT_ID
    session = own_server.endpoint.session(own_server.root.__class__(doc["access_key_id"], doc["secret_access_key"]))
    assert session.client("sts").get_caller_identity()["Account"] == doc["account_id"]


def test_reset_returns_to_the_bootstrapped_state(own_server: CredmintServer) -> None:
    iam = own_server.client("iam")
    iam.create_user(UserName="before-reset")
    s3 = own_server.client("s3")
    s3.create_bucket(Bucket="reset-bucket")
    s3.put_object(Bucket="reset-bucket", Key="k", Body=b"data")
    blobs = own_server.node.settings.data_dir / "objects"
    assert any(p.is_file() for p in blobs.rglob("*") if p.parent.name != "tmp")
    other = own_server.new_account()

    r = httpx.post(own_server.url + "/_credmint/reset")
    assert r.status_code == 200
    assert r.json()["access_key_id"] == DEV_ROOT_ACCESS_KEY_ID

    # The dev root works; what was made before is gone, objects' files included.
    assert own_server.client("sts").get_caller_identity()["Account"] == DEV_ACCOUNT_ID
    assert [u["UserName"] for u in own_server.client("iam").list_users()["Users"]] == []
    assert own_server.client("s3").list_buckets()["Buckets"] == []
    assert not any(p.is_file() for p in blobs.rglob("*") if p.parent.name != "tmp")
    with pytest.raises(ClientError) as exc:
        other.client("sts").get_caller_identity()
    assert exc.value.response["Error"]["Code"] == "InvalidClientTokenId"


@pytest.mark.parametrize(
    "headers",
    [
        # A page's cross-origin POST (a "simple" one needs no preflight).
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        # A name the page rebound to 127.0.0.1.
        {"Host": "rebound.attacker.example"},
        {"Host": "rebound.attacker.example:8400"},
    ],
)
def test_a_web_page_cannot_reach_the_dev_endpoints(own_server: CredmintServer, headers: dict[str, str]) -> None:
    before = own_server.clock.offset
    for method, path in DEV_PATHS:
        r = httpx.request(method, own_server.url + path, content=b'{"advance": 3600}', headers=headers)
        assert r.status_code == 403, (method, path, r.text)
    assert own_server.clock.offset == before
    # Test tools name a loopback host and no origin.
    for host in ("localhost", f"127.0.0.1:{own_server.url.rsplit(':', 1)[1]}", "[::1]:1"):
        assert httpx.get(own_server.url + "/_credmint/clock", headers={"Host": host}).status_code == 200
