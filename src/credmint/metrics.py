"""Prometheus metrics: what each node counts, and their exposition at ``GET /metrics``.

The metrics are module-level objects of ``prometheus-client``, defined here once and
counted wherever the event happens (the server for requests, the caches for hits and
misses, the store for transactions, federation for its fetches). Every label value comes
from a fixed set (services, registered operation names, HTTP statuses, the codes in
:data:`AUTH_FAILURE_CODES`, ...), never from the request, so no caller can grow the number
of series.

=============================================  ========================================
metric                                         labels
=============================================  ========================================
``credmint_request_duration_seconds``          service, operation, status (histogram;
                                               ``_count`` is the number of requests)
``credmint_auth_failures_total``               reason (the AWS error code)
``credmint_mfa_failures_total``                reason
``credmint_credentials_issued_total``          operation
``credmint_cache_lookups_total``               cache, result (hit/miss): the hit ratio is
                                               ``hit / (hit + miss)``
``credmint_federation_fetch_duration_seconds`` histogram of JWKS/discovery fetches
``credmint_federation_fetch_failures_total``   -
``credmint_store_transaction_seconds``         mode (read/write), histogram
=============================================  ========================================

Hot path: a request costs one dict lookup for its label child (:func:`observe_request`)
and one observation; ``labels()``, which validates and locks, runs once per label set. Cache
hits, counted on every request, are :class:`HotCounter` s: a plain integer bumped in place,
added to the Prometheus counter at each scrape (:func:`exposition`) and every second
(:func:`fold`, from the server), so a scrape under several workers may miss up to a
second of other workers' hits.

Several workers (``--workers N``) are separate processes; ``prometheus-client``'s
multiprocess mode has each write its values to files in ``PROMETHEUS_MULTIPROC_DIR``,
summed at scrape time. :func:`prepare_multiprocess_dir` makes a directory per run under
the data dir (and removes those of runs that ended); it must be in the environment before
the workers start, as ``prometheus-client`` reads it when imported.
"""

from __future__ import annotations

import os
import shutil
import time
from bisect import bisect_left
from collections.abc import Callable, Mapping
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: Latency buckets (seconds): from a cached signature check to a slow store write.
_LATENCY = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

#: Requests by service, operation and status: the histogram's ``_count`` is the number of
#: requests (one observation per request, the cheapest way to have both).
REQUEST_SECONDS = Histogram(
    "credmint_request_duration_seconds",
    "Requests answered, and the time from request head to response",
    ("service", "operation", "status"),
    buckets=_LATENCY,
)
AUTH_FAILURES = Counter("credmint_auth_failures", "Requests refused at authentication", ("reason",))
MFA_FAILURES = Counter("credmint_mfa_failures", "MFA codes refused", ("reason",))
CREDENTIALS_ISSUED = Counter("credmint_credentials_issued", "Credentials issued", ("operation",))
CACHE_LOOKUPS = Counter("credmint_cache_lookups", "Cache lookups by result", ("cache", "result"))
FEDERATION_FETCH_SECONDS = Histogram(
    "credmint_federation_fetch_duration_seconds", "Identity provider discovery/JWKS fetches", buckets=_LATENCY
)
FEDERATION_FETCH_FAILURES = Counter("credmint_federation_fetch_failures", "Identity provider fetches that failed")
STORE_SECONDS = Histogram(
    "credmint_store_transaction_seconds", "Store transactions, begin to end", ("mode",), buckets=_LATENCY
)

#: The change channel (multi-node cache invalidation): whether cached authorization facts
#: may be trusted now, and how long ago the channel was last confirmed live. Under several
#: workers the lowest "trusted" and the highest age of the live workers are reported.
CHANGE_CHANNEL_TRUSTED = Gauge(
    "credmint_change_channel_trusted",
    "1 while cached authorization facts are trusted (change channel confirmed live within the bound), else 0",
    multiprocess_mode="livemin",
)
CHANGE_CHANNEL_AGE = Gauge(
    "credmint_change_channel_age_seconds",
    "Seconds since the change channel was last confirmed live (PostgreSQL nodes only)",
    multiprocess_mode="livemax",
)


def observe_channel(trusted: bool, age: float | None) -> None:
    """Record the change channel's state (the server calls this every second)."""
    CHANGE_CHANNEL_TRUSTED.set(1 if trusted else 0)
    if age is not None:
        CHANGE_CHANNEL_AGE.set(min(age, 1e9))  # "never confirmed" is infinite: shown as huge


#: The error codes that mean "not authenticated", and so count as authentication failures
#: (by code). Authorization denials (AccessDenied) are not among them.
AUTH_FAILURE_CODES = frozenset(
    {
        "SignatureDoesNotMatch",
        "InvalidClientTokenId",
        "ExpiredToken",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "InvalidAccessKeyId",
        "InvalidToken",
        "AuthorizationHeaderMalformed",
        "AuthorizationQueryParametersError",
        "RequestTimeTooSkewed",
        "UnrecognizedClientException",  # the JSON protocol's InvalidClientTokenId
        "InvalidSignatureException",  # and its SignatureDoesNotMatch
    }
)

#: Successful operations that hand out credentials.
ISSUING_OPERATIONS = frozenset(
    {
        ("sts", "AssumeRole"),
        ("sts", "AssumeRoleWithSAML"),
        ("sts", "AssumeRoleWithWebIdentity"),
        ("sts", "AssumeRoot"),
        ("sts", "GetSessionToken"),
        ("sts", "GetFederationToken"),
        ("iam", "CreateAccessKey"),
    }
)

#: Label values for MFA failures (the reason a code was refused).
MFA_REASONS = ("incomplete", "unknown_serial", "invalid_code", "locked")


class HotCounter:
    """A counter for the request path: ``inc()`` adds to a plain integer (no lock, no
    mmap write); :func:`fold` moves the total into the Prometheus child. Bumped from the
    event loop and worker threads alike, an increment racing a fold or another thread's
    increment can be lost, rarely: acceptable for a ratio, never used for a count that
    must be exact."""

    __slots__ = ("_child", "n")

    def __init__(self, child: Any) -> None:
        self._child = child
        self.n = 0

    def inc(self) -> None:
        self.n += 1

    def fold(self) -> None:
        n = self.n
        if n:
            self.n -= n
            self._child.inc(n)


class HotHistogram:
    """A histogram child for the request path: ``observe()`` counts into plain integers (a
    C bisect over the bounds, no lock, no mmap write); :meth:`fold` adds the counts to the
    child's buckets and sum. Prometheus's own ``observe`` takes two locks and walks the
    bounds in Python on every call. Observed and folded on the event loop only (the
    request path and the per-second fold), so nothing races."""

    __slots__ = ("_bounds", "_child", "_counts", "_total")

    def __init__(self, child: Any) -> None:
        self._child = child
        self._bounds: tuple[float, ...] = tuple(child._upper_bounds)
        self._counts = [0] * len(self._bounds)
        self._total = 0.0

    def observe(self, seconds: float) -> None:
        # The first bound >= the value: Prometheus's buckets are "less than or equal".
        self._counts[bisect_left(self._bounds, seconds)] += 1
        self._total += seconds

    def fold(self) -> None:
        counts, total = self._counts, self._total
        if not any(counts):
            return
        self._counts, self._total = [0] * len(self._bounds), 0.0
        for bucket, n in zip(self._child._buckets, counts, strict=True):
            if n:
                bucket.inc(n)
        self._child._sum.inc(total)


# Children resolved once: the lookups made on every request.
CREDENTIAL_CACHE_HIT = HotCounter(CACHE_LOOKUPS.labels("credentials", "hit"))
CREDENTIAL_CACHE_MISS = CACHE_LOOKUPS.labels("credentials", "miss")
POLICY_CACHE_HIT = HotCounter(CACHE_LOOKUPS.labels("policies", "hit"))
POLICY_CACHE_MISS = CACHE_LOOKUPS.labels("policies", "miss")
_HOT = (CREDENTIAL_CACHE_HIT, POLICY_CACHE_HIT)
STORE_READ = STORE_SECONDS.labels("read")
STORE_WRITE = STORE_SECONDS.labels("write")
MFA_FAILURE = {reason: MFA_FAILURES.labels(reason) for reason in MFA_REASONS}
_AUTH_FAILURE = {code: AUTH_FAILURES.labels(code) for code in AUTH_FAILURE_CODES}
_ISSUED = {key: CREDENTIALS_ISSUED.labels(key[1]) for key in ISSUING_OPERATIONS}

#: (service, operation, status) -> latency histogram child.
_request_children: dict[tuple[str, str, int], HotHistogram] = {}
#: The label sets are fixed by the code; this bound only guards against a mistake there.
_MAX_REQUEST_CHILDREN = 20_000


def observe_request(service: str, operation: str, status: int, seconds: float, error_code: str | None) -> None:
    """Count one answered request. ``operation`` must come from a fixed set (a registered
    operation name, or ``"-"``), never from the request as sent."""
    key = (service, operation, status)
    child = _request_children.get(key)
    if child is None:
        if len(_request_children) >= _MAX_REQUEST_CHILDREN:
            key = (service, "-", status)
        child = _request_children[key] = HotHistogram(REQUEST_SECONDS.labels(*key))
    child.observe(seconds)
    if error_code is not None:
        failure = _AUTH_FAILURE.get(error_code)
        if failure is not None:
            failure.inc()
    elif status == 200:
        issued = _ISSUED.get((service, operation))
        if issued is not None:
            issued.inc()


P = ParamSpec("P")
T = TypeVar("T")


def timed_fetch(fn: Callable[P, T]) -> Callable[P, T]:
    """Wrap an identity-provider fetch: its duration, and a failure for any exception."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        except BaseException:
            FEDERATION_FETCH_FAILURES.inc()
            raise
        finally:
            FEDERATION_FETCH_SECONDS.observe(time.perf_counter() - started)

    return wrapper


def exposition(env: Mapping[str, str] | None = None, *, fold_first: bool = True) -> tuple[bytes, str]:
    """The metrics in Prometheus text format, and their content type. Under several workers,
    the sum over every worker's files. The server folds on the event loop itself and passes
    ``fold_first=False``, as the request histograms are only touched from there."""
    env = os.environ if env is None else env
    if fold_first:
        fold()
    if env.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=env[MULTIPROC_ENV])  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def fold() -> None:
    """Move the :class:`HotCounter` and :class:`HotHistogram` totals into their Prometheus metrics."""
    for counter in _HOT:
        counter.fold()
    for histogram in list(_request_children.values()):
        histogram.fold()


def prepare_multiprocess_dir(data_dir: Path, pid: int) -> Path:
    """A fresh directory for this run's metric files (``<data-dir>/metrics/<pid>``), with those
    of earlier runs whose process has ended removed."""
    base = data_dir / "metrics"
    base.mkdir(parents=True, exist_ok=True)
    for entry in base.iterdir():
        if entry.name.isdigit() and int(entry.name) != pid and _alive(int(entry.name)):
            continue  # another node serving from the same data dir
        shutil.rmtree(entry, ignore_errors=True)
    run = base / str(pid)
    run.mkdir()
    return run


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True
