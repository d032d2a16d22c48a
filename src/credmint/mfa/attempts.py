"""How long an MFA device makes the next attempt wait after consecutive wrong codes.

A 6-digit TOTP code accepted at ±1 step has about a 3 in 10**6 chance per guess; without
throttling, a few hundred guesses a second find one in minutes once a long-term key has
leaked. RFC 4226 §7.3 asks the server to throttle. The schedule here, per device:

================================  =============================================
consecutive failures ``n``        the next code is checked no earlier than
================================  =============================================
``n < backoff_after``             at once
``backoff_after <= n``            ``backoff_base * 2 ** (n - backoff_after)``
                                  seconds after the ``n``-th failure, capped
                                  at ``lockout_seconds``
``lockout_after <= n``            ``lockout_seconds`` after the ``n``-th failure
================================  =============================================

With the defaults (5 free failures, 1 s doubling, 20 for a 15-minute lockout) the first 20
guesses take about an hour and a half, and every one after that 15 minutes: finding a code
takes years, not minutes. The counter is the device's, kept in the store, so every node sees
it; it goes back to zero on an accepted code or a resync, never on its own (a lockout only
expires, and the next failure locks again).

Pure: the caller passes the failure count and the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: Failures allowed before any wait (a mistyped code or two must cost nothing).
DEFAULT_BACKOFF_AFTER = 5
#: The first wait, in seconds; it doubles with every further failure.
DEFAULT_BACKOFF_BASE_SECONDS = 1
#: Failures after which every further one locks the device for ``lockout_seconds``.
DEFAULT_LOCKOUT_AFTER = 20
#: Length of a lockout: 15 minutes.
DEFAULT_LOCKOUT_SECONDS = 900


@dataclass(frozen=True, slots=True)
class AttemptLimits:
    backoff_after: int = DEFAULT_BACKOFF_AFTER
    backoff_base_seconds: int = DEFAULT_BACKOFF_BASE_SECONDS
    lockout_after: int = DEFAULT_LOCKOUT_AFTER
    lockout_seconds: int = DEFAULT_LOCKOUT_SECONDS

    def __post_init__(self) -> None:
        if min(self.backoff_after, self.backoff_base_seconds, self.lockout_after, self.lockout_seconds) < 0:
            raise ValueError("MFA attempt limits must be >= 0")

    def delay(self, failures: int) -> int:
        """Seconds the next attempt must wait after ``failures`` consecutive failures."""
        if failures >= self.lockout_after:
            return self.lockout_seconds
        if failures < self.backoff_after:
            return 0
        # The exponent is bounded by lockout_after, but a huge setting must not build a
        # huge integer: past 2**32 seconds the cap has long applied.
        exponent = min(failures - self.backoff_after, 32)
        return min(self.backoff_base_seconds << exponent, self.lockout_seconds)

    def retry_at(self, failures: int, now: datetime) -> datetime | None:
        """When the next attempt may be checked, or None when it may be at once."""
        seconds = self.delay(failures)
        return now + timedelta(seconds=seconds) if seconds > 0 else None

    def locked(self, retry_at: datetime | None, now: datetime) -> bool:
        """True while an attempt must be refused without looking at its code."""
        return retry_at is not None and now < retry_at
