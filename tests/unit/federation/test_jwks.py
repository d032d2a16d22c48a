"""Provider fetches cannot reach the server's own network nor stall it: destinations,
one error text, the wall-clock deadline, single flight and failing fast — against HTTPS
servers the tests run on 127.0.0.1 (one of them trickles, one never answers)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from joserfc.jwk import ECKey, KeySet

from credmint.errors import AwsError
from credmint.federation import errors as federation_errors
from credmint.federation import jwks
from tests.federation.oidcidp import OidcIssuer
from tests.federation.slowidp import BOUND, SlowTls


@pytest.fixture
def trickling() -> Iterator[SlowTls]:
    srv = SlowTls(interval=0.2)
    yield srv
    srv.close()


@pytest.fixture
def stalled() -> Iterator[SlowTls]:
    srv = SlowTls(interval=None)
    yield srv
    srv.close()


def _in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException | Any]]:
    out: list[BaseException | Any] = []

    def run() -> None:
        try:
            out.append(fn())
        except BaseException as exc:
            out.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


def _code(result: list[BaseException | Any]) -> str:
    assert len(result) == 1 and isinstance(result[0], AwsError), result
    return result[0].code


# --- destinations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("127.255.0.9", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # shared address space (CGNAT)
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:8.8.8.8", False),  # mapped addresses are refused whatever they map to
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("fe80::1%eth0", False),
        ("not-an-address", False),
    ],
)
def test_public_address(address: str, public: bool) -> None:
    assert jwks.public_address(address) is public


def test_private_destinations_are_refused_by_default() -> None:
    issuer = OidcIssuer("/p")
    try:
        with pytest.raises(AwsError) as e:
            jwks.JwksCache().keys(issuer.url, [issuer.thumbprint], "k1")
        assert e.value.code == "IDPCommunicationError"
        assert issuer.requests == []  # never connected
        # Allowed explicitly (test setups), the same provider works.
        assert jwks.JwksCache(allow_private_networks=True).keys(issuer.url, [issuer.thumbprint], "k1").keys
    finally:
        issuer.close()


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "idp.example.com":  # a public name that (re)binds to loopback
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(jwks.FetchError) as e:
        jwks.fetch_json("https://idp.example.com/.well-known/openid-configuration", ["0" * 40])
    assert e.value.error.code == "IDPCommunicationError"


def test_the_checked_address_is_the_one_connected_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolved once per document (both the CA and the pinned attempt): a rebinding DNS
    answer after the check is never used."""
    issuer = OidcIssuer("/r")
    real = socket.getaddrinfo
    lookups: list[str] = []

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "idp.rebind.test":
            lookups.append(host)
            # The first answer is the one checked; any later one would point elsewhere.
            return real("127.0.0.1" if len(lookups) == 1 else "192.0.2.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    try:
        url = issuer.url.replace("127.0.0.1", "idp.rebind.test") + "/.well-known/openid-configuration"
        doc = jwks.fetch_json(url, [issuer.thumbprint], allow_private_networks=True)
        assert doc["jwks_uri"].endswith("/r/keys")
        assert lookups == ["idp.rebind.test"]
    finally:
        issuer.close()


def test_one_error_text_for_every_connection_failure() -> None:
    """Closed port, non-TLS service, blocked address, unresolvable name: one answer."""
    plain = socket.create_server(("127.0.0.1", 0))  # accepts, speaks no TLS, closes
    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()

    def accept_and_close() -> None:
        while True:
            try:
                conn, _ = plain.accept()
            except OSError:
                return
            conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
            conn.close()

    threading.Thread(target=accept_and_close, daemon=True).start()
    try:
        answers = set()
        for url, allow in [
            (f"https://127.0.0.1:{closed_port}/x", True),
            (f"https://127.0.0.1:{plain.getsockname()[1]}/x", True),
            (f"https://127.0.0.1:{plain.getsockname()[1]}/x", False),
            ("https://no-such-host.invalid/x", True),
        ]:
            with pytest.raises(jwks.FetchError) as e:
                jwks.fetch_json(url, ["0" * 40], allow_private_networks=allow)
            answers.add((e.value.error.code, e.value.error.message))
        assert len(answers) == 1
        assert next(iter(answers))[0] == "IDPCommunicationError"
    finally:
        plain.close()


# --- deadline, executor, single flight ---------------------------------------------------------------


def test_trickling_provider_is_cut_at_the_deadline(trickling: SlowTls) -> None:
    cache = jwks.JwksCache(allow_private_networks=True, deadline=1.0)
    t, out = _in_thread(lambda: cache.keys(trickling.url, [trickling.thumbprint], "k1"))
    t.join(BOUND)
    assert not t.is_alive(), "the fetch outlived its deadline"
    assert _code(out) == "IDPCommunicationError"


def test_fetch_json_alone_has_a_total_deadline(trickling: SlowTls) -> None:
    t, out = _in_thread(
        lambda: jwks.fetch_json(trickling.url + "/x", [trickling.thumbprint], allow_private_networks=True, deadline=1.0)
    )
    t.join(BOUND)
    assert not t.is_alive()
    assert isinstance(out[0], jwks.FetchError) and out[0].error.code == "IDPCommunicationError"


def test_concurrent_requests_share_one_fetch_and_the_rest_fail_fast(stalled: SlowTls) -> None:
    # A deadline far past BOUND: a request that queued instead of failing fast would hang.
    cache = jwks.JwksCache(allow_private_networks=True, deadline=BOUND * 3, max_waiters=1)
    first, first_out = _in_thread(lambda: cache.keys(stalled.url, [stalled.thumbprint], "k1"))
    deadline = time.monotonic() + BOUND
    # One fetch is two connections: the CA-verified attempt (refused: self-signed) and the
    # pinned one, which the server holds.
    while stalled.connections < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stalled.connections == 2
    others = [_in_thread(lambda: cache.keys(stalled.url, [stalled.thumbprint], "k1")) for _ in range(20)]
    for t, out in others:
        t.join(BOUND)
        assert not t.is_alive(), "a request queued behind the fetch"
        assert _code(out) == "IDPCommunicationError"
    assert first.is_alive()  # still waiting for the one fetch
    assert stalled.connections == 2  # single flight: nobody started a second fetch
    stalled.release.set()
    first.join(BOUND)
    assert _code(first_out) == "IDPCommunicationError"


def test_fetches_run_on_their_own_executor() -> None:
    threads: list[str] = []

    def fetcher(issuer: str, thumbprints: Any) -> Any:
        threads.append(threading.current_thread().name)
        raise jwks.FetchError(federation_errors.IDPCommunicationError.no_verification_key())

    with pytest.raises(AwsError):
        jwks.JwksCache(fetcher).keys("https://idp.example.com", [], None)
    assert threads and threads[0].startswith("credmint-fetch")


def test_busy_executor_fails_fast(stalled: SlowTls) -> None:
    cache = jwks.JwksCache(allow_private_networks=True, deadline=BOUND * 3, workers=1)
    first, _ = _in_thread(lambda: cache.keys(stalled.url, [stalled.thumbprint], "k1"))
    deadline = time.monotonic() + BOUND
    while stalled.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    # Another provider while the only fetcher is busy: refused at once, not queued.
    t, out = _in_thread(lambda: cache.keys("https://127.0.0.1:9/other", [stalled.thumbprint], "k1"))
    t.join(BOUND)
    assert not t.is_alive()
    assert _code(out) == "IDPCommunicationError"
    stalled.release.set()
    first.join(BOUND)


# --- shares per account ------------------------------------------------------------------------


class _Fetchers:
    """Fake fetchers: ``https://silent*`` providers start and then hang until released (a
    provider that completes TLS and says nothing); any other answers at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started: list[str] = []
        self.key = ECKey.generate_key("P-256", parameters={"kid": "k1"})

    def __call__(self, issuer: str, thumbprints: Any) -> KeySet:
        if issuer.startswith("https://silent"):
            self.started.append(issuer)
            self.release.wait(BOUND)
            raise jwks.FetchError(federation_errors.IDPCommunicationError.no_verification_key())
        return KeySet([self.key])


def _settle(threads: list[tuple[threading.Thread, list[Any]]], fetchers: _Fetchers, started: int, waiting: int) -> None:
    """Wait (by polling, never by a fixed sleep) until ``started`` fetches hang and all but
    ``waiting`` of ``threads`` have answered."""
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        if len(fetchers.started) == started and sum(t.is_alive() for t, _ in threads) == waiting:
            return
        time.sleep(0.01)
    raise AssertionError(f"{len(fetchers.started)} fetches, {sum(t.is_alive() for t, _ in threads)} waiting")


ATTACKER = "111111111111"
VICTIM = "222222222222"


def test_one_accounts_silent_providers_leave_fetchers_and_waiting_places_to_others() -> None:
    """probe_fetch_starve.py: one account's eight silent providers, each asked for (some
    twice), held all four fetchers and all four waiting places; another account's first
    fetch failed for as long as the attack went on."""
    fetchers = _Fetchers()
    cache = jwks.JwksCache(fetchers, deadline=BOUND * 3)  # the default shares: 4 / 4, 2 each per account
    try:
        calls = [f"https://silent{i}.example" for i in range(8)] + ["https://silent0.example"] * 2
        calls += ["https://silent1.example"] * 2
        attack = [_in_thread(partial(cache.keys, url, [], "k1", account=ATTACKER)) for url in calls]
        # Two fetches hang (the account's share); two requests wait for them; the rest were
        # answered at once.
        _settle(attack, fetchers, started=jwks.FETCHES_PER_ACCOUNT, waiting=jwks.WAITERS_PER_ACCOUNT)
        assert {_code(out) for t, out in attack if not t.is_alive()} == {"IDPCommunicationError"}
        # Another account's first fetch gets a fetcher and a waiting place, and its keys.
        assert cache.keys("https://good.example", [], "k1", account=VICTIM).keys
        # The attacking account itself gets neither, for any further provider.
        with pytest.raises(AwsError) as e:
            cache.keys("https://silent9.example", [], "k1", account=ATTACKER)
        assert e.value.code == "IDPCommunicationError"
        assert len(fetchers.started) == 2
    finally:
        fetchers.release.set()
    for t, _ in attack:
        t.join(BOUND)
        assert not t.is_alive()


def test_the_shares_are_given_back_when_fetches_end() -> None:
    fetchers = _Fetchers()
    cache = jwks.JwksCache(fetchers, deadline=BOUND * 3)
    first = [
        _in_thread(partial(cache.keys, f"https://silent{i}.example", [], "k1", account=ATTACKER)) for i in range(2)
    ]
    _settle(first, fetchers, started=2, waiting=2)
    fetchers.release.set()
    for t, out in first:
        t.join(BOUND)
        assert _code(out) == "IDPCommunicationError"
    # Every count is back to zero: the account fetches again (a new provider, no backoff).
    assert cache.keys("https://good.example", [], "k1", account=ATTACKER).keys
    assert cache._account_fetches == {} and cache._account_waiters == {}


def test_a_provider_another_account_is_fetching_is_shared_not_fetched_twice() -> None:
    """Single flight across accounts: the second account waits for the same fetch (in its
    own waiting share) instead of starting one."""
    fetchers = _Fetchers()
    cache = jwks.JwksCache(fetchers, deadline=BOUND * 3)
    try:
        a = _in_thread(lambda: cache.keys("https://silent0.example", [], "k1", account=ATTACKER))
        _settle([a], fetchers, started=1, waiting=1)
        b = _in_thread(lambda: cache.keys("https://silent0.example", [], "k1", account=VICTIM))
        _settle([a, b], fetchers, started=1, waiting=2)
    finally:
        fetchers.release.set()
    for t, out in (a, b):
        t.join(BOUND)
        assert _code(out) == "IDPCommunicationError"
