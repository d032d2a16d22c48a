"""Identifiers in AWS's formats: access key ids, secrets, unique ids, account ids.

Everything here is pure apart from drawing randomness from :mod:`secrets`.

Access key ids carry their account id the way modern AWS key ids do (public research by
Aidan Steele, Tal Be'ery and WithSecure Labs; AWS does not document it, see
``reference/aws-behavior.md`` §5). The 16 characters after the prefix are the base32 text
of 80 bits::

    bit 79        : 1 ("new generation" key id; makes the 5th character one of Q-Z, 2-7)
    bits 78 .. 39 : the 12-digit account id as a 40-bit integer (10**12 < 2**40)
    bits 38 .. 0  : random

so ``GetAccessKeyInfo`` and the SigV4 edge can name the account of any key id without a
lookup, exactly as tools written against AWS (e.g. ``aws sts get-access-key-info`` or
TruffleHog's decoder) expect.
"""

from __future__ import annotations

import base64
import re
import secrets
from functools import lru_cache
from typing import NewType

#: Distinct types for the ids that travel side by side (a principal, a session's claims,
#: a key lookup), so that mypy refuses one passed where another belongs. At run time
#: each is a plain ``str``.
AccountId = NewType("AccountId", str)
#: An IAM entity's unique id: ``AIDA...`` (user), ``AROA...`` (role), ``AGPA...``...
UniqueId = NewType("UniqueId", str)
AccessKeyId = NewType("AccessKeyId", str)

#: The user id an account's root user is known by where user-keyed rows allow it (MFA
#: devices, access-advisor records): root has no unique id of its own.
ROOT_USER_ID = UniqueId("root")

#: RFC 4648 base32 alphabet, which is the alphabet of AWS key and unique ids.
BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

LONG_TERM_KEY_PREFIX = "AKIA"
TEMPORARY_KEY_PREFIX = "ASIA"

#: Unique-id prefixes AWS documents (not exhaustive, per AWS). ``new_unique_id`` accepts any
#: four capital letters so a prefix missing here is not a reason to fail.
UNIQUE_ID_PREFIXES: dict[str, str] = {
    "ABIA": "STS bearer token",
    "ACCA": "context-specific credential",
    "AGPA": "group",
    "AIDA": "IAM user",
    "AIPA": "EC2 instance profile",
    "AKIA": "access key",
    "ANPA": "managed policy",
    "ANVA": "managed policy version",
    "APKA": "public key",
    "AROA": "role",
    "ASCA": "certificate",
    "ASIA": "temporary access key",
}

_NEW_GENERATION_BIT = 1 << 79
_ACCOUNT_SHIFT = 39
_ACCOUNT_MASK = (1 << 40) - 1
_RANDOM_BITS = 39

_ACCESS_KEY_ID_RE = re.compile(r"\A(AKIA|ASIA)[A-Z2-7]{16}\Z")
_UNIQUE_ID_RE = re.compile(r"\A[A-Z]{4}[A-Z2-7]{17}\Z")
_ACCOUNT_ID_RE = re.compile(r"\A[0-9]{12}\Z")
_SECRET_RE = re.compile(r"\A[A-Za-z0-9+/]{40}\Z")
_PREFIX_RE = re.compile(r"\A[A-Z]{4}\Z")


def new_access_key_id(account_id: str, temporary: bool) -> AccessKeyId:
    """A fresh ``AKIA…`` (long-term) or ``ASIA…`` (temporary) key id naming ``account_id``.

    39 random bits per key id: enough that a collision is a store-level uniqueness
    failure to retry, not something callers must plan for (the store's unique index
    catches it).
    """
    return _key_id(account_id, temporary, secrets.randbits(_RANDOM_BITS))


def _key_id(account_id: str, temporary: bool, random_bits: int) -> AccessKeyId:
    # The first eight base32 characters carry bits 79..40, the account's alone; the last
    # eight carry bit 39 (the account's lowest) and the 39 random bits.
    head, low_bit = _account_part(account_id)
    t = _B32_PAIRS
    low = low_bit | random_bits
    return AccessKeyId(
        (TEMPORARY_KEY_PREFIX if temporary else LONG_TERM_KEY_PREFIX)
        + head
        + t[low >> 30]
        + t[(low >> 20) & 1023]
        + t[(low >> 10) & 1023]
        + t[low & 1023]
    )


@lru_cache(maxsize=1024)
def _account_part(account_id: str) -> tuple[str, int]:
    """A key id's eight account characters and bit 39, for ``account_id`` (validated)."""
    if not is_account_id(account_id):
        raise ValueError("account id must be 12 decimal digits")
    bits = _NEW_GENERATION_BIT | (int(account_id) << _ACCOUNT_SHIFT)
    return b32_80(bits)[:8], bits & (1 << _RANDOM_BITS)


#: Random bytes behind a key id's 39 random bits (the lowest bit of the fifth is unused)
#: and behind a secret.
_KEY_ID_RANDOM_BYTES = 5
_SECRET_RANDOM_BYTES = 30


def new_temporary_key(account_id: str, extra_bytes: int = 0) -> tuple[AccessKeyId, str, bytes]:
    """A fresh ``ASIA…`` key id naming ``account_id``, its secret, and ``extra_bytes`` more
    random bytes: what :func:`new_access_key_id` and :func:`new_secret_access_key` give,
    from one read of the system's randomness instead of one each (issuing a session also
    needs its token's nonce: ``extra_bytes``)."""
    raw = secrets.token_bytes(_KEY_ID_RANDOM_BYTES + _SECRET_RANDOM_BYTES + extra_bytes)
    key_id = _key_id(account_id, True, int.from_bytes(raw[:_KEY_ID_RANDOM_BYTES], "big") >> 1)
    cut = _KEY_ID_RANDOM_BYTES + _SECRET_RANDOM_BYTES
    secret = base64.b64encode(raw[_KEY_ID_RANDOM_BYTES:cut]).decode("ascii")
    return key_id, secret, raw[cut:]


#: RFC 4648's base32 alphabet, and every 10-bit value as its two characters.
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_PAIRS = tuple(a + b for a in _B32 for b in _B32)


def b32_80(bits: int) -> str:
    """The base32 text of an 80-bit number (what ``base64.b32encode`` gives for its ten
    big-endian bytes): eight table lookups. ``b32encode`` is written in Python in CPython
    3.11 and costs several times this, once per credential issued."""
    if not 0 <= bits < 1 << 80:
        raise ValueError("80 bits")
    t = _B32_PAIRS
    return (
        t[bits >> 70]
        + t[(bits >> 60) & 1023]
        + t[(bits >> 50) & 1023]
        + t[(bits >> 40) & 1023]
        + t[(bits >> 30) & 1023]
        + t[(bits >> 20) & 1023]
        + t[(bits >> 10) & 1023]
        + t[bits & 1023]
    )


def account_from_access_key_id(key_id: str) -> AccountId | None:
    """The account id encoded in an ``AKIA``/``ASIA`` key id, or ``None``.

    ``None`` for anything that is not a 20-character key id of that shape, and for
    old-generation key ids (top bit clear), which carry no account id.
    """
    if not is_access_key_id(key_id):
        return None
    bits = int.from_bytes(base64.b32decode(key_id[4:]), "big")
    if not bits & _NEW_GENERATION_BIT:
        return None
    # Account ids may start with 0 in AWS (e.g. 012345678901), so keep 12 digits.
    return AccountId(f"{(bits >> _ACCOUNT_SHIFT) & _ACCOUNT_MASK:012d}")


def new_secret_access_key() -> str:
    """40 characters from ``[A-Za-z0-9+/]``: the base64 text of 240 random bits.

    30 bytes encode to exactly 40 base64 characters with no padding, which is precisely
    AWS's secret format.
    """
    return base64.b64encode(secrets.token_bytes(_SECRET_RANDOM_BYTES)).decode("ascii")


def new_unique_id(prefix: str) -> UniqueId:
    """``prefix`` (four capital letters such as ``AIDA``, ``AROA``) + 17 base32 characters."""
    if not _PREFIX_RE.match(prefix):
        raise ValueError("unique id prefix must be four capital letters")
    # 17 base32 characters are 85 bits: the first 17 of 11 random bytes' 18 (one read of the
    # system's randomness instead of 17).
    return UniqueId(prefix + base64.b32encode(secrets.token_bytes(11)).decode("ascii")[:17])


def new_account_id() -> AccountId:
    """12 random digits with no leading zero (so the id survives tools that treat it as a number)."""
    return AccountId(str(secrets.choice("123456789")) + "".join(secrets.choice("0123456789") for _ in range(11)))


# --- validators -------------------------------------------------------------------------


def is_access_key_id(value: str) -> bool:
    """An ``AKIA``/``ASIA`` key id in AWS's 20-character form."""
    return bool(_ACCESS_KEY_ID_RE.match(value))


def is_temporary_access_key_id(value: str) -> bool:
    return is_access_key_id(value) and value.startswith(TEMPORARY_KEY_PREFIX)


def is_long_term_access_key_id(value: str) -> bool:
    return is_access_key_id(value) and value.startswith(LONG_TERM_KEY_PREFIX)


def is_secret_access_key(value: str) -> bool:
    return bool(_SECRET_RE.match(value))


def is_unique_id(value: str, prefix: str | None = None) -> bool:
    """A 21-character IAM unique id, optionally with the given prefix."""
    if not _UNIQUE_ID_RE.match(value):
        return False
    return prefix is None or value.startswith(prefix)


def is_account_id(value: str) -> bool:
    """12 ASCII digits (a leading zero is allowed: AWS has such accounts)."""
    return bool(_ACCOUNT_ID_RE.match(value))
