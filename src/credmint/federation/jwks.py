"""Fetching an OIDC provider's discovery document and JWKS: the one I/O of federation.

HTTPS only. The server certificate is trusted if it chains to the system CAs (or to
``ca_bundle``) or — as AWS does for providers whose certificate is not publicly trusted —
if its SHA-1 thumbprint is in the provider's ``ThumbprintList``. Python 3.11's ``ssl``
exposes only the leaf of the peer's chain, so a thumbprint is matched against the leaf
certificate (the whole certificate of a self-signed issuer); AWS also accepts the top
intermediate's thumbprint, which this cannot see.

Keys are cached per provider. An unknown ``kid`` triggers a refresh (key rotation at the
issuer), at most once per ``cooldown`` seconds so a flood of forged ``kid`` values cannot
turn into a flood of fetches; a failed refresh keeps the keys already known.
"""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from joserfc.jwk import KeySet

from credmint import errors, metrics
from credmint.federation.oidc import has_kid, thumbprint_ok, usable_keys

MAX_DOCUMENT_BYTES = 512 * 1024
TIMEOUT_SECONDS = 5.0
#: Keys are re-fetched at most this often when a token names an unknown kid.
DEFAULT_COOLDOWN = 30.0
#: Known keys are refreshed in the background of a request after this long.
DEFAULT_MAX_AGE = 3600.0

_NO_KEY = (
    "Couldn't retrieve verification key from your identity provider,  please reference "
    "AssumeRoleWithWebIdentity documentation for requirements"
)
_THUMBPRINT = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"


class FetchError(Exception):
    """Carries the AwsError to answer with."""

    def __init__(self, error: errors.AwsError) -> None:
        super().__init__(str(error))
        self.error = error


def _communication() -> FetchError:
    # The provider could not be reached (retryable by the SDKs).
    return FetchError(errors.idp_communication_error(_NO_KEY))


def _read_limited(response: httpx.Response) -> bytes:
    body = b""
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > MAX_DOCUMENT_BYTES:
            raise FetchError(errors.invalid_identity_token(_NO_KEY))
    return body


def _peer_sha1(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(True)
    if not der:
        return None
    return hashlib.sha1(der, usedforsecurity=False).hexdigest()


@metrics.timed_fetch
def fetch_json(url: str, thumbprints: Sequence[str], *, ca_bundle: str | None = None) -> Any:
    """GET ``url`` over HTTPS under the trust rule above and parse it as JSON."""
    if urlsplit(url).scheme != "https":
        raise FetchError(errors.invalid_identity_token(_NO_KEY))
    verify: ssl.SSLContext = ssl.create_default_context(cafile=ca_bundle)
    try:
        return _get(url, verify, None)
    except httpx.ConnectError as exc:
        if not _is_cert_failure(exc):
            raise _communication() from None
    if not thumbprints:
        raise FetchError(errors.invalid_identity_token(_THUMBPRINT))
    pinned = ssl.create_default_context()
    # Certificate checked below against the thumbprints instead of a CA.
    pinned.check_hostname = False
    pinned.verify_mode = ssl.CERT_NONE
    return _get(url, pinned, thumbprints)


def _is_cert_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _get(url: str, verify: ssl.SSLContext, thumbprints: Sequence[str] | None) -> Any:
    try:
        with (
            httpx.Client(verify=verify, timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as c,
            c.stream("GET", url, headers={"accept": "application/json"}) as response,
        ):
            if thumbprints is not None:
                sha1 = _peer_sha1(response)
                if sha1 is None or not thumbprint_ok(sha1, thumbprints):
                    raise FetchError(errors.invalid_identity_token(_THUMBPRINT))
            if response.status_code >= 500 or response.status_code == 429:
                raise _communication()
            if response.status_code != 200:
                raise FetchError(errors.invalid_identity_token(_NO_KEY))
            body = _read_limited(response)
    except httpx.ConnectError:
        if thumbprints is None:
            raise
        raise _communication() from None
    except (httpx.TimeoutException, httpx.NetworkError, httpx.ProtocolError):
        raise _communication() from None
    try:
        return json.loads(body)
    except ValueError:
        raise FetchError(errors.invalid_identity_token(_NO_KEY)) from None


def fetch_keys(issuer: str, thumbprints: Sequence[str], *, ca_bundle: str | None = None) -> KeySet:
    """Discovery, then the JWKS it names: the provider's usable signing keys."""
    base = issuer.rstrip("/")
    doc = fetch_json(base + "/.well-known/openid-configuration", thumbprints, ca_bundle=ca_bundle)
    if not isinstance(doc, dict) or str(doc.get("issuer", "")).rstrip("/") != base:
        raise FetchError(errors.invalid_identity_token(_NO_KEY))
    jwks_uri = doc.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        raise FetchError(errors.invalid_identity_token(_NO_KEY))
    jwks = fetch_json(jwks_uri, thumbprints, ca_bundle=ca_bundle)
    if not isinstance(jwks, dict):
        raise FetchError(errors.invalid_identity_token(_NO_KEY))
    try:
        return usable_keys(jwks)
    except ValueError:
        raise FetchError(errors.invalid_identity_token(_NO_KEY)) from None


@dataclass
class _Entry:
    keys: KeySet | None
    fetched_at: float
    #: Last refresh made while keys were known (unknown kid or age): the cooldown's origin.
    refreshed_at: float
    lock: threading.Lock
    failure: errors.AwsError | None = None
    failed_at: float = float("-inf")


Fetcher = Callable[[str, Sequence[str]], KeySet]
#: After a failed first fetch, requests answer with the same error this long without
#: fetching again (a provider that is down is not hammered once per request).
FAILURE_BACKOFF = 5.0


class JwksCache:
    """Keys per (issuer, thumbprints), refreshed on an unknown kid with a cooldown."""

    def __init__(
        self,
        fetcher: Fetcher | None = None,
        *,
        cooldown: float = DEFAULT_COOLDOWN,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
        ca_bundle: str | None = None,
    ) -> None:
        self._fetch: Fetcher = fetcher or (lambda iss, tps: fetch_keys(iss, tps, ca_bundle=ca_bundle))
        self._cooldown = cooldown
        self._max_age = max_age
        self._clock = clock
        self._entries: dict[tuple[str, tuple[str, ...]], _Entry] = {}
        self._lock = threading.Lock()

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

    def keys(self, issuer: str, thumbprints: Sequence[str], kid: str | None) -> KeySet:
        """The keys to verify a token naming ``kid``; raises the AwsError to answer with
        only when no keys at all are known."""
        cache_key = (issuer.rstrip("/"), tuple(sorted(t.lower() for t in thumbprints)))
        with self._lock:
            entry = self._entries.get(cache_key)
            if entry is None:
                entry = _Entry(None, 0.0, float("-inf"), threading.Lock())
                self._entries[cache_key] = entry
        cached = self._usable(entry, kid, self._clock())
        if cached is not None:
            return cached
        with entry.lock:
            # Another thread may have refreshed while this one waited.
            now = self._clock()
            cached = self._usable(entry, kid, now)
            if cached is not None:
                return cached
            if entry.keys is not None:
                entry.refreshed_at = now
            try:
                keys = self._fetch(issuer, thumbprints)
            except FetchError as exc:
                if entry.keys is not None:
                    return entry.keys  # never emptied by a failed refresh
                entry.failure, entry.failed_at = exc.error, now
                raise exc.error from None
            entry.keys, entry.fetched_at, entry.failure = keys, now, None
            return keys
