"""Fetching an OIDC provider's discovery document and JWKS: the one I/O of federation.

HTTPS only. The server certificate is trusted if it chains to the system CAs (or to
``ca_bundle``) or — as AWS does for providers whose certificate is not publicly trusted —
if its SHA-1 thumbprint is in the provider's ``ThumbprintList``. Python 3.11's ``ssl``
exposes only the leaf of the peer's chain, so a thumbprint is matched against the leaf
certificate (the whole certificate of a self-signed issuer); AWS also accepts the top
intermediate's thumbprint, which this cannot see.

A provider URL is the tenant's, so a fetch must never be a way into the server's network
or a way to stall the server:

- **Destinations are checked, then used.** The host is resolved once, every address it
  resolves to must be public (:func:`public_address`: no loopback, private, link-local,
  shared, multicast, reserved or unspecified address, nor one embedded in an IPv6
  transition prefix), and the connection goes to the address checked — never to a second
  resolution, which a rebinding DNS server could answer differently. Redirects are not
  followed. ``allow_private_networks`` lifts the check (test setups with a local IdP).
- **One answer for every connection failure.** A refused, reset, timed out, blocked,
  unresolvable or non-TLS destination all give the same ``IDPCommunicationError``, so error
  texts do not map the network.
- **A wall-clock deadline for the whole fetch** (discovery and JWKS together): every
  connect, TLS handshake, read and write waits at most the time left, so a provider that
  trickles a byte every few seconds is cut at the deadline, not kept forever. Documents are
  bounded in size.
- **Fetches run on their own small executor**, never on the request threads; concurrent
  requests for one provider share one fetch (single flight), at most ``max_waiters``
  request threads wait for fetches at once, and a request that would have to queue (the
  executor busy, or the waiters' places taken) fails at once with
  ``IDPCommunicationError`` (retryable) instead of holding a request thread.
- **No account holds them all.** The executor and the waiters' places are shared by every
  account, and a provider that completes TLS and then stays silent holds a fetcher for the
  whole deadline; an account that registers many such providers would otherwise keep every
  other account's first fetch and key rotation failing. Fetches in flight and requests
  waiting are therefore also counted per account that owns the provider (the role's
  account), at most :data:`FETCHES_PER_ACCOUNT` and :data:`WAITERS_PER_ACCOUNT` of each:
  whatever one account does, another finds a fetcher and a waiting place free.

Keys are cached per provider. An unknown ``kid`` triggers a refresh (key rotation at the
issuer), at most once per ``cooldown`` seconds so a flood of forged ``kid`` values cannot
turn into a flood of fetches; a failed refresh keeps the keys already known.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
from joserfc.jwk import KeySet

from credmint import errors, metrics
from credmint.federation import errors as federation_errors
from credmint.federation.oidc import has_kid, thumbprint_ok, usable_keys

MAX_DOCUMENT_BYTES = 512 * 1024
#: Wall-clock bound of one provider fetch (discovery document and JWKS together).
FETCH_DEADLINE_SECONDS = 5.0
#: Threads fetching at once, per process; more fetches than this fail fast.
FETCH_WORKERS = 4
#: Request threads that may wait for a fetch at once, per process; others fail fast.
MAX_WAITERS = 4
#: Of those, what the providers of one account may hold at once: half, so one account's
#: silent providers leave the other half to every other account. (Accounts acting together
#: can still fill both; a fetch that succeeds is cached, so only first fetches and
#: rotations queue here at all.)
FETCHES_PER_ACCOUNT = 2
WAITERS_PER_ACCOUNT = 2
#: Keys are re-fetched at most this often when a token names an unknown kid.
DEFAULT_COOLDOWN = 30.0
#: Known keys are refreshed in the background of a request after this long.
DEFAULT_MAX_AGE = 3600.0



class FetchError(Exception):
    """Carries the AwsError to answer with."""

    def __init__(self, error: errors.AwsError) -> None:
        super().__init__(str(error))
        self.error = error


def _communication() -> FetchError:
    # The provider could not be reached (retryable by the SDKs). One text for every cause.
    return FetchError(federation_errors.IDPCommunicationError.no_verification_key())


# --- destinations ------------------------------------------------------------------------------

#: IPv6 prefixes that embed an IPv4 address a packet may end up at (NAT64, RFC 6052/8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def public_address(address: str) -> bool:
    """Whether ``address`` (an IP literal) is a public unicast address a fetch may reach."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    embedded: list[ipaddress.IPv4Address] = []
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            embedded.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            embedded.append(ip.sixtofour)
        if ip.teredo is not None:
            embedded.append(ip.teredo[1])
        if any(ip in net for net in _NAT64):
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    for candidate in (ip, *embedded):
        if (
            not candidate.is_global
            or candidate.is_multicast
            or candidate.is_reserved
            or candidate.is_loopback
            or candidate.is_link_local
            or candidate.is_unspecified
            or candidate.is_private
        ):
            return False
    return True


def _resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses to connect to: each resolved address, all of them checked."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _communication() from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise _communication()
    if not allow_private and not all(public_address(a) for a in addresses):
        # All must pass, not just one: which one a client would pick is not ours to guess.
        raise _communication()
    return addresses


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self._at = time.monotonic() + seconds

    def cap(self, timeout: float | None) -> float:
        """``timeout`` shortened to the time left; past the deadline, a timeout at once."""
        left = self._at - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("fetch deadline passed")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.cap(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.cap(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._deadline.cap(timeout))
        return _Stream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _CheckedBackend(httpcore.NetworkBackend):
    """Connects only to checked addresses (TLS still verifies the host *name*), by the deadline."""

    def __init__(self, deadline: _Deadline, allow_private: bool, resolved: dict[tuple[str, int], list[str]]) -> None:
        self.deadline = deadline
        self._allow_private = allow_private
        self._sync = httpcore.SyncBackend()
        #: Shared by the attempts of one document, so they all go where the first check said.
        self._resolved = resolved

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception = _communication()
        addresses = self._resolved.get((host, port))
        if addresses is None:
            addresses = self._resolved[host, port] = _resolve(host, port, self._allow_private)
        for address in addresses:
            try:
                stream = self._sync.connect_tcp(
                    address, port, self.deadline.cap(timeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _Stream(stream, self.deadline)
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise _communication()

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, self.deadline.cap(seconds)))


# --- fetching ----------------------------------------------------------------------------------


def _peer_sha1(stream: Any) -> str | None:
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(True)
    if not der:
        return None
    return hashlib.sha1(der, usedforsecurity=False).hexdigest()


@metrics.timed_fetch
def fetch_json(
    url: str,
    thumbprints: Sequence[str],
    *,
    ca_bundle: str | None = None,
    allow_private_networks: bool = False,
    deadline: float | _Deadline = FETCH_DEADLINE_SECONDS,
) -> Any:
    """GET ``url`` over HTTPS under the trust and destination rules above; parse it as JSON."""
    if urlsplit(url).scheme != "https":
        raise FetchError(federation_errors.InvalidIdentityToken.no_verification_key())
    limit = deadline if isinstance(deadline, _Deadline) else _Deadline(deadline)
    verify: ssl.SSLContext = ssl.create_default_context(cafile=ca_bundle)
    backend = _CheckedBackend(limit, allow_private_networks, {})
    try:
        return _get(url, verify, None, backend)
    except httpcore.ConnectError as exc:
        if not _is_cert_failure(exc):
            raise _communication() from None
    if not thumbprints:
        raise FetchError(federation_errors.InvalidIdentityToken.thumbprint_mismatch())
    pinned = ssl.create_default_context()
    # Certificate checked below against the thumbprints instead of a CA.
    pinned.check_hostname = False
    pinned.verify_mode = ssl.CERT_NONE
    return _get(url, pinned, thumbprints, backend)


def _is_cert_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _get(url: str, verify: ssl.SSLContext, thumbprints: Sequence[str] | None, backend: _CheckedBackend) -> Any:
    body = b""
    try:
        left = backend.deadline.cap(None)
        timeouts = {"connect": left, "read": left, "write": left, "pool": left}
        with (
            httpcore.ConnectionPool(ssl_context=verify, network_backend=backend, max_connections=1) as pool,
            pool.stream(
                "GET", url, headers=[(b"accept", b"application/json")], extensions={"timeout": timeouts}
            ) as response,
        ):
            if thumbprints is not None:
                sha1 = _peer_sha1(response.extensions.get("network_stream"))
                if sha1 is None or not thumbprint_ok(sha1, thumbprints):
                    raise FetchError(federation_errors.InvalidIdentityToken.thumbprint_mismatch())
            if response.status >= 500 or response.status == 429:
                raise _communication()
            if response.status != 200:
                raise FetchError(federation_errors.InvalidIdentityToken.no_verification_key())
            for chunk in response.iter_stream():
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise FetchError(federation_errors.InvalidIdentityToken.no_verification_key())
    except httpcore.ConnectError:
        if thumbprints is None:
            raise  # the caller tells a certificate failure from the others
        raise _communication() from None
    except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol):
        raise _communication() from None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise FetchError(federation_errors.InvalidIdentityToken.no_verification_key()) from None


def fetch_keys(
    issuer: str,
    thumbprints: Sequence[str],
    *,
    ca_bundle: str | None = None,
    allow_private_networks: bool = False,
    deadline: float = FETCH_DEADLINE_SECONDS,
) -> KeySet:
    """Discovery, then the JWKS it names: the provider's usable signing keys, both fetched
    within one ``deadline``."""
    limit = _Deadline(deadline)
    base = issuer.rstrip("/")
    options: dict[str, Any] = {"ca_bundle": ca_bundle, "allow_private_networks": allow_private_networks}
    doc = fetch_json(base + "/.well-known/openid-configuration", thumbprints, deadline=limit, **options)
    if not isinstance(doc, dict) or str(doc.get("issuer", "")).rstrip("/") != base:
        raise FetchError(federation_errors.InvalidIdentityToken.no_verification_key())
    jwks_uri = doc.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        raise FetchError(federation_errors.InvalidIdentityToken.no_verification_key())
    jwks = fetch_json(jwks_uri, thumbprints, deadline=limit, **options)
    if not isinstance(jwks, dict):
        raise FetchError(federation_errors.InvalidIdentityToken.no_verification_key())
    try:
        return usable_keys(jwks)
    except ValueError:
        raise FetchError(federation_errors.InvalidIdentityToken.no_verification_key()) from None


@dataclass
class _Entry:
    keys: KeySet | None
    fetched_at: float
    #: Last refresh made while keys were known (unknown kid or age): the cooldown's origin.
    refreshed_at: float
    #: The fetch in flight for this provider, shared by every request that needs it.
    fetching: Future[KeySet] | None = None
    failure: errors.AwsError | None = None
    failed_at: float = float("-inf")


Fetcher = Callable[[str, Sequence[str]], KeySet]
#: After a failed first fetch, requests answer with the same error this long without
#: fetching again (a provider that is down is not hammered once per request).
FAILURE_BACKOFF = 5.0
#: How long past the fetch deadline a waiting request gives the fetch (DNS resolution is
#: the one step the deadline cannot interrupt).
WAIT_GRACE = 1.0


def _count(counts: dict[str, int], account: str, delta: int) -> None:
    """Add ``delta`` to an account's count, forgetting accounts at zero (the table holds
    only accounts with something in flight)."""
    n = counts.get(account, 0) + delta
    if n:
        counts[account] = n
    else:
        counts.pop(account, None)


class JwksCache:
    """Keys per (issuer, thumbprints), refreshed on an unknown kid with a cooldown, fetched
    on the cache's own executor, one fetch per provider at a time, a bounded share of the
    fetchers and waiting places per account."""

    def __init__(
        self,
        fetcher: Fetcher | None = None,
        *,
        cooldown: float = DEFAULT_COOLDOWN,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
        ca_bundle: str | None = None,
        allow_private_networks: bool = False,
        deadline: float = FETCH_DEADLINE_SECONDS,
        workers: int = FETCH_WORKERS,
        max_waiters: int = MAX_WAITERS,
        fetches_per_account: int = FETCHES_PER_ACCOUNT,
        waiters_per_account: int = WAITERS_PER_ACCOUNT,
    ) -> None:
        self._fetch: Fetcher = fetcher or (
            lambda iss, tps: fetch_keys(
                iss, tps, ca_bundle=ca_bundle, allow_private_networks=allow_private_networks, deadline=deadline
            )
        )
        self._cooldown = cooldown
        self._max_age = max_age
        self._clock = clock
        self._deadline = deadline
        self._entries: dict[tuple[str, tuple[str, ...]], _Entry] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="credmint-fetch")
        #: Fetches running or about to: never more than the executor's threads, so none queues.
        self._fetch_slots = threading.BoundedSemaphore(workers)
        self._wait_slots = threading.BoundedSemaphore(max_waiters)
        self._fetches_per_account = fetches_per_account
        self._waiters_per_account = waiters_per_account
        #: Account -> fetches it started still running / requests of it waiting (under _lock).
        self._account_fetches: dict[str, int] = {}
        self._account_waiters: dict[str, int] = {}

    def _usable(self, entry: _Entry, kid: str | None, now: float) -> KeySet | None:
        """The cached keys if no fetch is due, else None."""
        keys = entry.keys
        if keys is None:
            if entry.failure is not None and now - entry.failed_at < FAILURE_BACKOFF:
                raise entry.failure
            return None
        if now - entry.fetched_at < self._max_age and has_kid(keys, kid):
            return keys
        # Unknown kid (rotation, or a forgery) or old keys: refresh, but not more often than the cooldown.
        if now - entry.refreshed_at < self._cooldown:
            return keys
        return None

    def keys(self, issuer: str, thumbprints: Sequence[str], kid: str | None, *, account: str = "") -> KeySet:
        """The keys to verify a token naming ``kid``; raises the AwsError to answer with
        only when no keys at all are known. ``account`` owns the provider: its fetches and
        waiting requests count against its share."""
        cache_key = (issuer.rstrip("/"), tuple(sorted(t.lower() for t in thumbprints)))
        with self._lock:
            entry = self._entries.get(cache_key)
            if entry is None:
                entry = _Entry(None, 0.0, float("-inf"))
                self._entries[cache_key] = entry
            now = self._clock()
            cached = self._usable(entry, kid, now)
            if cached is not None:
                return cached
            future = entry.fetching
            if future is None:
                if self._account_fetches.get(account, 0) >= self._fetches_per_account:
                    return self._known_or_fail(entry)  # this account's share is busy
                if not self._fetch_slots.acquire(blocking=False):
                    return self._known_or_fail(entry)  # every fetcher busy: never queue
                _count(self._account_fetches, account, 1)
                if entry.keys is not None:
                    entry.refreshed_at = now
                future = self._executor.submit(self._run, entry, issuer, tuple(thumbprints), account)
                entry.fetching = future
            if self._account_waiters.get(account, 0) >= self._waiters_per_account:
                return self._known_or_fail(entry)  # enough of this account's requests wait
            if not self._wait_slots.acquire(blocking=False):
                return self._known_or_fail(entry)  # enough request threads wait already
            _count(self._account_waiters, account, 1)
        try:
            return future.result(timeout=self._deadline + WAIT_GRACE)
        except FetchError as exc:
            if entry.keys is not None:
                return entry.keys  # never emptied by a failed refresh
            raise exc.error from None
        except FutureTimeout:
            return self._known_or_fail(entry)
        finally:
            with self._lock:
                _count(self._account_waiters, account, -1)
            self._wait_slots.release()

    @staticmethod
    def _known_or_fail(entry: _Entry) -> KeySet:
        if entry.keys is not None:
            return entry.keys
        raise _communication().error

    def _run(self, entry: _Entry, issuer: str, thumbprints: tuple[str, ...], account: str) -> KeySet:
        """One fetch, on the executor; its outcome is recorded for every later request."""
        try:
            keys = self._fetch(issuer, thumbprints)
        except FetchError as exc:
            with self._lock:
                if entry.keys is None:
                    entry.failure, entry.failed_at = exc.error, self._clock()
            raise
        except Exception:
            with self._lock:
                if entry.keys is None:
                    entry.failure, entry.failed_at = _communication().error, self._clock()
            raise _communication() from None
        else:
            with self._lock:
                entry.keys, entry.fetched_at, entry.failure = keys, self._clock(), None
            return keys
        finally:
            with self._lock:
                entry.fetching = None
                _count(self._account_fetches, account, -1)
            self._fetch_slots.release()
