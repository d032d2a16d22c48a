"""SigV4 signing-key derivation and its bounded cache.

A key is valid for one (secret, day, region, service), so a busy server derives the
same few keys over and over: four HMACs per request saved by a small LRU. The cache
is bounded because the secrets come from clients' temporary credentials, which are
unbounded in number.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

_SHA256 = hashlib.sha256


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")."""
    k = hmac.digest(("AWS4" + secret).encode("utf-8"), date.encode("utf-8"), _SHA256)
    k = hmac.digest(k, region.encode("utf-8"), _SHA256)
    k = hmac.digest(k, service.encode("utf-8"), _SHA256)
    return hmac.digest(k, b"aws4_request", _SHA256)


def sign_hex(key: bytes, string_to_sign: str) -> str:
    # hmac.digest is the one-shot C path: no HMAC object per request.
    return hmac.digest(key, string_to_sign.encode("utf-8"), "sha256").hex()


def sign_hex_keyed(keyed: hmac.HMAC, string_to_sign: str) -> str:
    """:func:`sign_hex` from an HMAC already keyed with the signing key (see
    :meth:`SigningKeyCache.keyed`): copying it skips the key setup, a third of the cost."""
    mac = keyed.copy()
    mac.update(string_to_sign.encode("utf-8"))
    return mac.hexdigest()


def _derive(secret: str, date: str, region: str, service: str) -> tuple[bytes, hmac.HMAC]:
    key = signing_key(secret, date, region, service)
    return key, hmac.new(key, digestmod=_SHA256)


class SigningKeyCache:
    """Derived signing keys, least-recently-used first out, at most ``maxsize`` of them."""

    def __init__(self, maxsize: int = 4096) -> None:
        if maxsize <= 0:
            raise ValueError("maxsize must be positive")
        self.maxsize = maxsize
        # functools' LRU is implemented in C and thread-safe, which an OrderedDict is not.
        # Each entry holds the key and an HMAC keyed with it, which is only ever copied
        # (never updated), so threads share it safely.
        self._get = lru_cache(maxsize=maxsize)(_derive)

    def get(self, secret: str, date: str, region: str, service: str) -> bytes:
        return self._get(secret, date, region, service)[0]

    def keyed(self, secret: str, date: str, region: str, service: str) -> hmac.HMAC:
        """An HMAC-SHA256 keyed with the signing key, for :func:`sign_hex_keyed`."""
        return self._get(secret, date, region, service)[1]

    def clear(self) -> None:
        """Drop every key, e.g. when a secret is rotated or deleted."""
        self._get.cache_clear()

    def __len__(self) -> int:
        return self._get.cache_info().currsize


#: The process-wide cache used when a caller does not bring its own.
DEFAULT_KEY_CACHE = SigningKeyCache()
