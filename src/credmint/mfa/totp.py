"""Virtual MFA: TOTP (RFC 6238) as AWS uses it, seeds, the otpauth URI and its QR code.

AWS virtual MFA devices are plain RFC 6238 TOTP: HMAC-SHA1, 6 digits, 30-second steps,
T0 = 0 (``reference/aws-behavior.md`` §6). The otpauth URI AWS puts in the QR code carries
no algorithm/digits/period parameters, so authenticator apps fall back to exactly these
defaults; nothing here may deviate from them for AWS devices. ``algorithm`` and ``digits``
parameters exist only so the RFC's own test vectors (8 digits, SHA-256/512) can be checked.

Everything is pure: time comes in as an argument.

Replay: a code may be accepted once per device. The verifiers return the *time step* they
matched; the caller stores it as the device's "last used step" with a conditional write
(``UPDATE … WHERE last_used_step < :step``) and passes it back to :func:`verify_after`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import io
import secrets
import urllib.parse
from collections.abc import Iterable
from datetime import datetime

import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.twofactor.hotp import HOTP

#: RFC 6238 defaults, which are AWS's.
STEP_SECONDS = 30
DIGITS = 6
#: Steps either side of "now" that :func:`verify` accepts by default: ±1 step (±30 s) is
#: the RFC's recommendation and the usual AWS-compatible assumption (AWS does not document
#: its drift allowance).
DEFAULT_WINDOW = 1
#: How far from "now" :func:`verify_consecutive` looks for a pair of consecutive codes, in
#: steps, in each direction: 10 steps = 5 minutes. Enabling a device means reading two
#: codes 30 s apart and typing them in, so the first code is normally 30-90 s old; a
#: resync exists for devices whose clock drifted, so it deserves more room than ±1.
#: Five minutes either way covers both while keeping a guess at a pair (21 candidate pairs,
#: each 1 in 10**12) hopeless.
CONSECUTIVE_SEARCH_STEPS = 10
#: Random bytes in a new seed: 40 bytes are exactly 64 base32 characters with no padding,
#: the length AWS's Base32StringSeed usually has.
SEED_BYTES = 40

AUTHENTICATOR_ISSUER = "Amazon Web Services"

_ALGORITHMS: dict[str, type[hashes.SHA1] | type[hashes.SHA256] | type[hashes.SHA512]] = {
    "SHA1": hashes.SHA1,
    "SHA256": hashes.SHA256,
    "SHA512": hashes.SHA512,
}


def new_seed() -> str:
    """A fresh seed as AWS hands it out: RFC 4648 base32 text of 40 random bytes (64 chars)."""
    return base64.b32encode(secrets.token_bytes(SEED_BYTES)).decode("ascii")


def decode_seed(seed_b32: str) -> bytes:
    """The raw key behind a base32 seed.

    Tolerant in the ways authenticator apps are (lower case, spaces, missing padding),
    strict otherwise: anything else is a :class:`ValueError`.
    """
    cleaned = "".join(seed_b32.split()).upper().rstrip("=")
    if not cleaned:
        raise ValueError("empty TOTP seed")
    cleaned += "=" * (-len(cleaned) % 8)
    try:
        return base64.b32decode(cleaned)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("TOTP seed is not base32") from exc


def time_step(at: datetime | int) -> int:
    """The RFC 6238 counter ``T = floor(unix_time / 30)`` for ``at``.

    ``at`` is a timezone-aware datetime or Unix seconds. Naive datetimes are refused: a
    local time read as UTC would shift every code by hours.
    """
    if isinstance(at, datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("TOTP needs a timezone-aware datetime")
        seconds = int(at.timestamp() // 1)
    else:
        seconds = int(at)
    return seconds // STEP_SECONDS


def code_at_step(seed_b32: str, step: int, *, digits: int = DIGITS, algorithm: str = "SHA1") -> str:
    """The code of time step ``step`` (an RFC 4226 HOTP value with counter = step)."""
    return _code(decode_seed(seed_b32), step, digits, algorithm)


def totp(seed_b32: str, at: datetime | int, *, digits: int = DIGITS, algorithm: str = "SHA1") -> str:
    """The TOTP code at ``at`` (aware datetime or Unix seconds)."""
    return code_at_step(seed_b32, time_step(at), digits=digits, algorithm=algorithm)


def is_code_format(code: str) -> bool:
    """Exactly six ASCII digits (``str.isdigit`` alone would take other scripts' digits)."""
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def verify(seed_b32: str, code: str, now: datetime, window: int = DEFAULT_WINDOW) -> int | None:
    """The time step whose code is ``code``, within ``window`` steps of ``now``; else ``None``.

    This alone does not stop replay; use :func:`verify_after` on the request path.
    """
    return verify_after(seed_b32, code, now, None, window=window)


def verify_after(
    seed_b32: str,
    code: str,
    now: datetime,
    last_used_step: int | None,
    window: int = DEFAULT_WINDOW,
) -> int | None:
    """Like :func:`verify`, accepting only a step strictly after ``last_used_step``.

    Returns the matched step, which the caller must record (conditionally) as the device's
    new last used step. ``None`` for a wrong, malformed or replayed code.
    """
    if window < 0:
        raise ValueError("window must be >= 0")
    if not is_code_format(code):
        return None
    key = decode_seed(seed_b32)
    current = time_step(now)
    steps = range(max(0, current - window), current + window + 1)
    if last_used_step is not None:
        steps = range(max(steps.start, last_used_step + 1), steps.stop)
    matched = _matching_steps(key, code, steps)
    # Two steps sharing a code is a 1-in-10**6 coincidence; taking the later one is the
    # safer choice for the replay guard (it can only refuse more, never accept twice).
    return max(matched) if matched else None


def verify_consecutive(
    seed_b32: str,
    code1: str,
    code2: str,
    now: datetime,
    *,
    last_used_step: int | None = None,
    search_steps: int = CONSECUTIVE_SEARCH_STEPS,
) -> int | None:
    """For EnableMFADevice / ResyncMFADevice: ``code1`` and ``code2`` must be the codes of two
    consecutive steps ``s`` and ``s + 1`` within ``search_steps`` of ``now``.

    Returns ``s + 1`` (the last step consumed; store it as the replay guard) or ``None``.
    Identical codes are always refused, as AWS does, even in the rare case that two
    consecutive steps share a code. With ``last_used_step``, ``s`` must be after it.
    """
    if search_steps < 0:
        raise ValueError("search_steps must be >= 0")
    if not (is_code_format(code1) and is_code_format(code2)) or code1 == code2:
        return None
    key = decode_seed(seed_b32)
    current = time_step(now)
    first = max(0, current - search_steps)
    if last_used_step is not None:
        first = max(first, last_used_step + 1)
    last = current + search_steps  # s + 1 may be at most current + search_steps
    if first >= last:
        return None
    codes = {step: _code(key, step, DIGITS, "SHA1") for step in range(first, last + 1)}
    found: int | None = None
    # Check every candidate pair without stopping early so the time taken does not say
    # which step matched.
    for step in range(first, last):
        first_ok = hmac.compare_digest(codes[step], code1)
        second_ok = hmac.compare_digest(codes[step + 1], code2)
        if first_ok & second_ok:
            found = step + 1
    return found


def otpauth_uri(device_name: str, account_label: str, seed_b32: str) -> str:
    """The URI AWS encodes in a virtual MFA device's QR code (§6, observed)::

        otpauth://totp/Amazon%20Web%20Services:<name>@<account>?secret=<B32>&issuer=Amazon%20Web%20Services

    ``account_label`` is the account alias if set, else the account id. Names made of the
    characters AWS allows in device names come out byte-for-byte as AWS's; ``+`` and
    non-ASCII word characters are percent-encoded (AWS's handling of them is unknown, and
    authenticator apps read a bare ``+`` as a space).
    """
    safe = "@=,.-_"
    label = (
        urllib.parse.quote(AUTHENTICATOR_ISSUER, safe="")
        + ":"
        + urllib.parse.quote(device_name, safe=safe)
        + "@"
        + urllib.parse.quote(account_label, safe=safe)
    )
    secret = "".join(seed_b32.split()).upper().rstrip("=")
    decode_seed(secret)  # refuse to draw a QR code no app can use
    issuer = urllib.parse.quote(AUTHENTICATOR_ISSUER, safe="")
    return f"otpauth://totp/{label}?secret={secret}&issuer={issuer}"


def qr_png(uri: str) -> bytes:
    """A PNG of the QR code for ``uri``, as in CreateVirtualMFADevice's ``QRCodePNG``.

    Error correction M tolerates a slightly blurred phone-camera capture; scale 4 with
    the standard 4-module quiet zone gives a ~300 px image, about the size AWS returns.
    """
    qr = segno.make_qr(uri, error="m", boost_error=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=4, border=4)
    return out.getvalue()


def _code(key: bytes, step: int, digits: int, algorithm: str) -> str:
    try:
        hash_cls = _ALGORITHMS[algorithm.upper()]
    except KeyError:
        raise ValueError(f"unsupported TOTP algorithm {algorithm!r}") from None
    if step < 0:
        raise ValueError("TOTP time step must be >= 0")
    # enforce_key_length=False: RFC 4226 only recommends 160-bit keys; AWS seeds are 320 bits
    # anyway, and refusing a shorter but valid imported seed helps no one.
    return HOTP(key, digits, hash_cls(), enforce_key_length=False).generate(step).decode("ascii")


def _matching_steps(key: bytes, code: str, steps: Iterable[int]) -> list[int]:
    # Compare against every candidate, constant-time, without stopping at the first match.
    return [step for step in steps if hmac.compare_digest(_code(key, step, DIGITS, "SHA1"), code)]
