"""Throttling of credential issuance: token buckets per caller, source address and role.

Every STS call that hands out credentials (or, for GetAccessKeyInfo, answers about keys)
draws one token from each bucket its rule names once its signature (if any) and parameters
are checked, before the operation does any work. A call that finds a bucket empty is
answered ``Throttling`` / "Rate exceeded" (HTTP 400), STS's own answer, which the AWS
SDKs retry with backoff (botocore: ``_retry.json`` and ``retries/standard.py`` list
``Throttling`` as a throttling error). :data:`RULES` says which buckets each operation
draws from, in order:

- signed issuance (GetSessionToken, AssumeRole, GetFederationToken, AssumeRoot,
  GetAccessKeyInfo, GetWebIdentityToken, GetScopedCredentials, IssueWorkloadIdentityContext,
  GetCertificate, GetDelegatedAccessToken): the calling principal (the
  sessions of one role share the role's bucket), then the source address;
- unsigned federation (AssumeRoleWithSAML, AssumeRoleWithWebIdentity): the source address
  (buckets apart from the signed calls'), then the role ARN asked for. Both come before the
  assertion or token is parsed or its signature checked.

A refused call gives back the tokens it drew from the buckets before the empty one, and
never reaches the later ones: a flood refused by its source address creates no bucket for
the role ARNs it names.

Semantics are per process: each node (and each worker process of a node) keeps its own
buckets in memory, so N processes admit up to N times a limit in total. That bounds what
one caller costs each process, which is the point; a cluster-wide quota would cost a store
write per call. Each dimension holds at most ``max_keys`` buckets and drops the least
recently used one past that, so a flood of distinct addresses or principals costs bounded
memory (keys longer than :data:`MAX_RAW_KEY` characters are kept as a digest, whatever the
length of the ARN sent). The price of the cap: a bucket pushed out comes back full, so a
caller that gets ``max_keys`` other keys used between two of its own calls gets a fresh
burst; with the default of 100,000 that takes a flood the source limit already holds back.

The source address is the TCP peer. Behind a proxy or load balancer every caller shares
the proxy's address, so raise (or disable, with rate 0) the source limits there. IPv6
addresses are bucketed by /64, the smallest block a site is usually given.

Time is passed in (the node's clock, as a Unix timestamp): a clock that moves back refills
nothing and stalls nothing.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import ipaddress
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from credmint.access.principal import Principal
from credmint.api import Call
from credmint.settings import Settings
from credmint.sts import errors as sts_errors


class Dimension(enum.Enum):
    PRINCIPAL = "principal"
    SOURCE = "source"
    FEDERATION_SOURCE = "federation-source"
    ROLE = "role"


#: Longest key kept as it is; longer ones (an ARN can be 2,048 characters) are hashed.
MAX_RAW_KEY = 128

_SIGNED = (Dimension.PRINCIPAL, Dimension.SOURCE)
_FEDERATED = (Dimension.FEDERATION_SOURCE, Dimension.ROLE)

#: STS operations that are throttled, and the buckets each draws from, in order.
RULES: Mapping[str, tuple[Dimension, ...]] = {
    "GetSessionToken": _SIGNED,
    "GetFederationToken": _SIGNED,
    "AssumeRole": _SIGNED,
    "AssumeRoot": _SIGNED,
    "GetAccessKeyInfo": _SIGNED,
    "GetWebIdentityToken": _SIGNED,
    "GetScopedCredentials": _SIGNED,
    # Workload identity and delegation: each call signs a certificate or seals a context
    # or a session, the costly work the buckets exist to bound.
    "IssueWorkloadIdentityContext": _SIGNED,
    "GetCertificate": _SIGNED,
    "GetDelegatedAccessToken": _SIGNED,
    "AssumeRoleWithSAML": _FEDERATED,
    "AssumeRoleWithWebIdentity": _FEDERATED,
}


@dataclass(frozen=True, slots=True)
class Limit:
    #: Tokens added per second; 0 turns the dimension off.
    rate: float
    #: Most tokens a bucket holds: the burst a quiet caller may send at once.
    burst: int

    def __post_init__(self) -> None:
        # A bad setting must stop the node at start: NaN would turn a limit silently off,
        # and a burst under one token with a rate set would refuse every call.
        if math.isnan(self.rate) or self.rate < 0:
            raise ValueError(f"throttle rate must be a number >= 0, not {self.rate}")
        if self.rate > 0 and self.burst < 1:
            raise ValueError(f"throttle burst must be >= 1, not {self.burst}")

    @property
    def enabled(self) -> bool:
        return self.rate > 0


class TokenBucket:
    """``burst`` tokens at most, refilled at ``rate`` a second; a call takes one."""

    __slots__ = ("tokens", "updated")

    def __init__(self, burst: int, now: float) -> None:
        self.tokens = float(burst)
        self.updated = now

    def take(self, limit: Limit, now: float) -> bool:
        elapsed = now - self.updated
        if elapsed > 0:
            self.tokens = min(float(limit.burst), self.tokens + elapsed * limit.rate)
        # A clock moved back refills nothing, and then counts from where it is now.
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def give_back(self, limit: Limit) -> None:
        self.tokens = min(float(limit.burst), self.tokens + 1.0)


class Buckets:
    """The token buckets of one dimension, by key; at most ``max_keys`` of them."""

    def __init__(self, limit: Limit, max_keys: int) -> None:
        if max_keys < 1:
            raise ValueError("max_keys must be >= 1")
        self.limit = limit
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str, now: float) -> bool:
        short = _bucket_key(key)
        with self._lock:
            bucket = self._buckets.get(short)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._buckets.popitem(last=False)  # the least recently used
                bucket = self._buckets[short] = TokenBucket(self.limit.burst, now)
            else:
                self._buckets.move_to_end(short)
            return bucket.take(self.limit, now)

    def give_back(self, key: str) -> None:
        with self._lock:
            bucket = self._buckets.get(_bucket_key(key))
            if bucket is not None:
                bucket.give_back(self.limit)


class IssuanceThrottle:
    """The buckets of one process, for every dimension that is turned on."""

    def __init__(self, limits: Mapping[Dimension, Limit], max_keys: int) -> None:
        self._buckets = {dim: Buckets(limit, max_keys) for dim, limit in limits.items() if limit.enabled}
        # Per operation, the (buckets, key) pairs to draw from, resolved once.
        self._plans: dict[str, tuple[tuple[Buckets, KeyOf], ...]] = {
            operation: tuple((self._buckets[d], KEYS[d]) for d in dims if d in self._buckets)
            for operation, dims in RULES.items()
        }

    @classmethod
    def from_settings(cls, settings: Settings) -> IssuanceThrottle:
        return cls(
            {
                Dimension.PRINCIPAL: Limit(settings.throttle_principal_rate, settings.throttle_principal_burst),
                Dimension.SOURCE: Limit(settings.throttle_source_rate, settings.throttle_source_burst),
                Dimension.FEDERATION_SOURCE: Limit(
                    settings.throttle_federation_source_rate, settings.throttle_federation_source_burst
                ),
                Dimension.ROLE: Limit(settings.throttle_role_rate, settings.throttle_role_burst),
            },
            settings.throttle_max_keys,
        )

    def buckets(self, dimension: Dimension) -> Buckets | None:
        return self._buckets.get(dimension)

    def admit(self, call: Call) -> None:
        """Draw ``call``'s tokens, or raise ``Throttling`` (nothing kept from a refusal)."""
        if call.service != "sts":
            return
        plan = self._plans.get(call.operation)
        if not plan:
            return
        now = call.now.timestamp()
        taken: list[tuple[Buckets, str]] = []
        for buckets, key_of in plan:
            key = key_of(call)
            if key is None:
                continue
            if not buckets.take(key, now):
                for earlier, earlier_key in taken:
                    earlier.give_back(earlier_key)
                raise sts_errors.Throttling()
            taken.append((buckets, key))


def _principal_of(call: Call) -> str | None:
    return principal_key(call.principal) if call.principal is not None else None


def _source_of(call: Call) -> str | None:
    return source_key(call.request.client_ip)


def _role_of(call: Call) -> str | None:
    role = call.params.get("RoleArn")
    # Role names are unique in any case, as IAM compares them.
    return str(role).lower() if role else None


KeyOf = Callable[[Call], str | None]

#: What names a caller's bucket in each dimension.
KEYS: Mapping[Dimension, KeyOf] = {
    Dimension.PRINCIPAL: _principal_of,
    Dimension.SOURCE: _source_of,
    Dimension.FEDERATION_SOURCE: _source_of,
    Dimension.ROLE: _role_of,
}


def principal_key(p: Principal) -> str:
    """The caller's bucket: its ARN, except that a role's sessions share the role's."""
    if p.kind == "assumed-role":
        return p.arn.rsplit("/", 1)[0]
    return p.arn


def source_key(address: str) -> str:
    """The source address, IPv6 by /64; anything else (IPv4, unparsable) as itself."""
    if ":" not in address:
        return address  # IPv4 as the server read it: parsing would cost more than the rest
    return _ipv6_key(address)


@functools.lru_cache(maxsize=4096)
def _ipv6_key(address: str) -> str:
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


def _bucket_key(key: str) -> str:
    """Keys up to ``MAX_RAW_KEY`` characters as they are, longer ones by a 16-byte digest
    (NUL-prefixed: no address or ARN begins with one), so every bucket costs about the same."""
    if len(key) <= MAX_RAW_KEY:
        return key
    return "\0" + hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
