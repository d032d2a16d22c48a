"""Issuance throttling: the token bucket at an injected clock, the rules, the memory cap."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from credmint.access.principal import Principal, PrincipalKind
from credmint.api import Call
from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.ids import AccessKeyId, AccountId
from credmint.settings import Settings
from credmint.sts.throttle import (
    MAX_RAW_KEY,
    RULES,
    Buckets,
    Dimension,
    IssuanceThrottle,
    Limit,
    TokenBucket,
    principal_key,
    source_key,
)
from tests.conftest import Server, start_server
from tests.sts.helpers import aws_cli

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
ACCOUNT = AccountId("123456789012")


def user(name: str = "alice") -> Principal:
    return Principal(
        PrincipalKind.USER,
        ACCOUNT,
        f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "AIDAEXAMPLE",
        name,
        AccessKeyId("AKIAEXAMPLE"),
    )


def role_session(session: str) -> Principal:
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/{session}"
    return Principal(
        PrincipalKind.ASSUMED_ROLE, ACCOUNT, arn, f"AROAEXAMPLE:{session}", session, AccessKeyId("ASIAEXAMPLE")
    )


def call(
    operation: str,
    now: datetime,
    *,
    principal: Principal | None = None,
    ip: str = "192.0.2.1",
    params: dict[str, Any] | None = None,
    service: str = "sts",
) -> Call:
    req = HttpRequest("POST", "/", "", (), b"", ip)
    # No handler runs: the throttle reads the request's facts only, none of the node's parts.
    parts = dict.fromkeys(
        ("store", "master", "settings", "authorizer", "credentials", "keyring", "roles", "role_use", "last_used"),
        cast(Any, None),
    )
    parts |= dict.fromkeys(
        ("last_accessed",),
        cast(Any, None),
    )
    parts |= dict.fromkeys(("control_policies", "jwks", "mfa_limits"), cast(Any, None))
    return Call(service, operation, params or {}, principal, req, now, "req", "us-east-1", **parts)


def throttle(**limits: Limit) -> IssuanceThrottle:
    off = Limit(0, 0)
    return IssuanceThrottle({d: limits.get(d.value.replace("-", "_"), off) for d in Dimension}, max_keys=1000)


def admitted(t: IssuanceThrottle, c: Call) -> bool:
    try:
        t.admit(c)
    except AwsError as err:
        assert (err.code, err.message, err.status) == ("Throttling", "Rate exceeded", 400)
        return False
    return True


# --- the bucket ------------------------------------------------------------------------------

# (rate, burst, seconds between calls, calls, admitted)
BUCKET_CASES = [
    (1.0, 3, 0.0, 5, [True, True, True, False, False]),  # the burst, then nothing at once
    (1.0, 3, 1.0, 6, [True] * 6),  # one a second is sustained forever
    (2.0, 1, 0.25, 6, [True, False, True, False, True, False]),  # half a token a call
    (0.5, 2, 1.0, 6, [True, True, True, False, True, False]),
]


@pytest.mark.parametrize(("rate", "burst", "gap", "calls", "expected"), BUCKET_CASES)
def test_bucket(rate: float, burst: int, gap: float, calls: int, expected: list[bool]) -> None:
    limit = Limit(rate, burst)
    bucket = TokenBucket(burst, 1000.0)
    assert [bucket.take(limit, 1000.0 + i * gap) for i in range(calls)] == expected


def test_bucket_refills_no_more_than_its_burst() -> None:
    limit = Limit(10.0, 2)
    bucket = TokenBucket(2, 0.0)
    assert bucket.take(limit, 0.0) and bucket.take(limit, 0.0)
    assert [bucket.take(limit, 3600.0) for _ in range(3)] == [True, True, False]


def test_a_clock_moved_back_refills_nothing_and_stalls_nothing() -> None:
    limit = Limit(1.0, 1)
    bucket = TokenBucket(1, 100.0)
    assert bucket.take(limit, 100.0)
    assert not bucket.take(limit, 50.0)  # back in time: no refill ...
    assert bucket.take(limit, 51.0)  # ... and the refill counts from there


# --- the rules -------------------------------------------------------------------------------


def test_every_issuing_operation_has_a_rule() -> None:
    from credmint.server.registry import OPERATIONS as SERVICES

    OPERATIONS = SERVICES["sts"]
    issuing = {
        "GetSessionToken",
        "GetFederationToken",
        "AssumeRole",
        "AssumeRoot",
        "GetWebIdentityToken",
        "GetScopedCredentials",
        "IssueWorkloadIdentityContext",
        "GetCertificate",
        "GetDelegatedAccessToken",
    }
    unsigned = {name for name, op in OPERATIONS.items() if op.unsigned}
    assert unsigned == {"AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"}
    assert issuing | unsigned <= set(RULES) <= set(OPERATIONS)


@pytest.mark.parametrize("operation", ["GetSessionToken", "AssumeRole", "GetFederationToken", "AssumeRoot"])
def test_per_principal(operation: str) -> None:
    t = throttle(principal=Limit(1.0, 2))
    alice, bob = user("alice"), user("bob")
    assert [admitted(t, call(operation, T0, principal=alice)) for _ in range(3)] == [True, True, False]
    assert admitted(t, call(operation, T0, principal=bob))  # another caller: its own bucket
    assert admitted(t, call(operation, T0 + timedelta(seconds=1), principal=alice))  # refilled


def test_a_roles_sessions_share_its_bucket() -> None:
    t = throttle(principal=Limit(1.0, 2))
    assert admitted(t, call("AssumeRole", T0, principal=role_session("a")))
    assert admitted(t, call("AssumeRole", T0, principal=role_session("b")))
    assert not admitted(t, call("AssumeRole", T0, principal=role_session("c")))
    assert principal_key(role_session("x")) == f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy"


def test_per_source_address_across_principals() -> None:
    t = throttle(principal=Limit(100.0, 100), source=Limit(1.0, 2))
    got = [admitted(t, call("GetSessionToken", T0, principal=user(f"u{i}"))) for i in range(3)]
    assert got == [True, True, False]
    assert admitted(t, call("GetSessionToken", T0, principal=user("u9"), ip="192.0.2.2"))


def test_a_refusal_gives_back_the_tokens_drawn_before_it() -> None:
    t = throttle(principal=Limit(1.0, 2), source=Limit(1.0, 1))
    alice = user()
    assert admitted(t, call("GetSessionToken", T0, principal=alice))
    assert not admitted(t, call("GetSessionToken", T0, principal=alice))  # the source is empty
    # Alice's second token was given back: from another address she has one left.
    assert admitted(t, call("GetSessionToken", T0, principal=alice, ip="192.0.2.9"))


@pytest.mark.parametrize("operation", ["AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"])
def test_federation_by_source_then_role(operation: str) -> None:
    t = throttle(federation_source=Limit(1.0, 2), role=Limit(1.0, 3))
    role = {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/web"}
    assert [admitted(t, call(operation, T0, params=role)) for _ in range(3)] == [True, True, False]
    # From other addresses the same role has one token left, then none; another role has its own.
    assert admitted(t, call(operation, T0, params=role, ip="198.51.100.1"))
    assert not admitted(t, call(operation, T0, params=role, ip="198.51.100.2"))
    assert not admitted(t, call(operation, T0, params={"RoleArn": role["RoleArn"].upper()}, ip="198.51.100.3"))
    assert admitted(t, call(operation, T0, params={"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/other"}, ip="198.51.100.4"))


def test_federation_refused_by_source_creates_no_role_bucket() -> None:
    t = throttle(federation_source=Limit(1.0, 1), role=Limit(1.0, 1))
    assert admitted(t, call("AssumeRoleWithWebIdentity", T0, params={"RoleArn": "arn:aws:iam::1:role/r0"}))
    for i in range(1, 50):
        assert not admitted(t, call("AssumeRoleWithWebIdentity", T0, params={"RoleArn": f"arn:aws:iam::1:role/r{i}"}))
    roles = t.buckets(Dimension.ROLE)
    assert roles is not None and len(roles) == 1


def test_signed_and_federation_sources_are_apart() -> None:
    t = throttle(source=Limit(1.0, 1), federation_source=Limit(1.0, 1))
    assert admitted(t, call("GetSessionToken", T0, principal=user()))
    assert admitted(t, call("AssumeRoleWithSAML", T0, params={"RoleArn": "arn:aws:iam::1:role/r"}))


@pytest.mark.parametrize(
    ("service", "operation"),
    [("sts", "GetCallerIdentity"), ("sts", "DecodeAuthorizationMessage"), ("iam", "CreateUser"), ("iam", "GetUser")],
)
def test_other_calls_are_not_throttled(service: str, operation: str) -> None:
    t = throttle(principal=Limit(1.0, 1), source=Limit(1.0, 1))
    assert all(admitted(t, call(operation, T0, principal=user(), service=service)) for _ in range(5))


def test_rate_zero_turns_a_limit_off() -> None:
    t = throttle(principal=Limit(0, 1))
    assert all(admitted(t, call("GetSessionToken", T0, principal=user())) for _ in range(1000))


def test_defaults_come_from_settings() -> None:
    t = IssuanceThrottle.from_settings(Settings())
    buckets = t.buckets(Dimension.PRINCIPAL)
    assert buckets is not None and buckets.limit == Limit(200.0, 400)
    off = IssuanceThrottle.from_settings(Settings(throttle_principal_rate=0))
    assert off.buckets(Dimension.PRINCIPAL) is None
    env = Settings.from_env({"CREDMINT_THROTTLE_ROLE_RATE": "0.5", "CREDMINT_THROTTLE_ROLE_BURST": "3"})
    assert (env.throttle_role_rate, env.throttle_role_burst) == (0.5, 3)


# --- hostile keys: memory stays bounded ----------------------------------------------------------


def test_a_flood_of_distinct_keys_is_capped_least_recently_used_first() -> None:
    buckets = Buckets(Limit(1.0, 1), max_keys=100)
    assert buckets.take("regular", 0.0)
    for i in range(10_000):
        buckets.take(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", 0.0)
        if i % 50 == 0:
            assert not buckets.take("regular", 0.0)  # kept: used recently, still empty
    assert len(buckets) == 100


def test_keys_cost_the_same_however_long() -> None:
    buckets = Buckets(Limit(1.0, 1), max_keys=10)
    long_arn = "arn:aws:iam::123456789012:role/" + "p/" * 1000 + "r"
    assert buckets.take(long_arn, 0.0)
    assert not buckets.take(long_arn, 0.0)
    assert all(len(k) <= MAX_RAW_KEY for k in buckets._buckets)


# (address as sent, its bucket)
SOURCES = [
    ("192.0.2.7", "192.0.2.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),  # the same /64
    ("::ffff:192.0.2.7", "192.0.2.7"),
    ("not-an-address", "not-an-address"),
    (":::bad", ":::bad"),
    ("fe80::1%eth0", "fe80::/64"),
    ("", ""),
]


@pytest.mark.parametrize(("address", "key"), SOURCES)
def test_source_key(address: str, key: str) -> None:
    assert source_key(address) == key


@pytest.mark.parametrize(("rate", "burst"), [(float("nan"), 10), (-1.0, 10), (5.0, 0), (5.0, -3)])
def test_bad_limits_stop_the_node_at_start(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        IssuanceThrottle.from_settings(Settings(throttle_role_rate=rate, throttle_role_burst=burst))


# --- end to end: boto3 against a server with low limits -----------------------------------------

LOW_ENV = {
    "CREDMINT_THROTTLE_PRINCIPAL_RATE": "2",
    "CREDMINT_THROTTLE_PRINCIPAL_BURST": "2",
    "CREDMINT_THROTTLE_FEDERATION_SOURCE_RATE": "2",
    "CREDMINT_THROTTLE_FEDERATION_SOURCE_BURST": "2",
}


@pytest.fixture(scope="module")
def low_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("throttled"), extra_env=LOW_ENV)
    yield srv
    srv.stop()


def _until_throttled(attempt: Callable[[], object], tries: int = 20) -> ClientError:
    """Call until ``Throttling`` comes back: with 2 tokens a second, 20 calls in a row
    cannot all be admitted unless they take over 9 seconds."""
    for _ in range(tries):
        try:
            attempt()
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "Throttling":
                return exc
            continue
    raise AssertionError("never throttled")


@pytest.mark.e2e
def test_boto3_sees_throttling_and_its_retries_get_through(low_server: Server) -> None:
    sts = low_server.client("sts")  # retries={"max_attempts": 1}
    exc = _until_throttled(sts.get_session_token)
    err = exc.response["Error"]
    assert (err["Code"], err["Message"], exc.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "Throttling",
        "Rate exceeded",
        400,
    )
    # The same caller with the SDK's standard retries: backed off, then admitted.
    retrying = boto3.client(
        "sts",
        endpoint_url=low_server.url,
        region_name="us-east-1",
        aws_access_key_id=low_server.access_key_id,
        aws_secret_access_key=low_server.secret_access_key,
        config=Config(retries={"mode": "standard", "max_attempts": 10}),
    )
    _until_throttled(sts.get_session_token)
    got = retrying.get_session_token()
    assert got["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert got["ResponseMetadata"]["RetryAttempts"] >= 1
    # Not issuance: never throttled.
    for _ in range(10):
        sts.get_caller_identity()


@pytest.mark.e2e
def test_unsigned_federation_is_throttled_by_source_before_the_token_is_read(low_server: Server) -> None:
    sts = low_server.client("sts")
    role = f"arn:aws:iam::{low_server.account_id}:role/nobody"

    def attempt() -> object:
        return sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="flood", WebIdentityToken="x" * 40)

    _until_throttled(attempt)


@pytest.fixture(scope="module")
def one_call_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose callers get one issuance call, then one every 1,000 seconds."""
    env = {"CREDMINT_THROTTLE_PRINCIPAL_RATE": "0.001", "CREDMINT_THROTTLE_PRINCIPAL_BURST": "1"}
    srv = start_server(tmp_path_factory.mktemp("one-call"), extra_env=env)
    yield srv
    srv.stop()


@pytest.mark.e2e
def test_aws_cli_sees_throttling(one_call_server: Server) -> None:
    first = aws_cli(one_call_server, "sts", "get-session-token", env={"AWS_MAX_ATTEMPTS": "1"})
    assert first.returncode == 0, first.stderr
    second = aws_cli(one_call_server, "sts", "get-session-token", env={"AWS_MAX_ATTEMPTS": "1"})
    assert second.returncode != 0
    assert "(Throttling)" in second.stderr and "Rate exceeded" in second.stderr
