"""The MFA attempt schedule: free failures, doubling waits, a capped lockout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from credmint.mfa.attempts import AttemptLimits

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
DEFAULTS = AttemptLimits()

# (limits, consecutive failures, seconds the next attempt waits)
SCHEDULE = [
    (DEFAULTS, 0, 0),
    (DEFAULTS, 4, 0),
    (DEFAULTS, 5, 1),
    (DEFAULTS, 6, 2),
    (DEFAULTS, 9, 16),
    (DEFAULTS, 14, 512),
    (DEFAULTS, 15, 900),  # 1024 s, capped at the lockout
    (DEFAULTS, 19, 900),
    (DEFAULTS, 20, 900),
    (DEFAULTS, 10_000, 900),
    (AttemptLimits(backoff_after=0, backoff_base_seconds=3, lockout_after=3, lockout_seconds=60), 0, 3),
    (AttemptLimits(backoff_after=0, backoff_base_seconds=3, lockout_after=3, lockout_seconds=60), 2, 12),
    (AttemptLimits(backoff_after=0, backoff_base_seconds=3, lockout_after=3, lockout_seconds=60), 3, 60),
    # A huge backoff threshold setting builds no huge integer.
    (AttemptLimits(backoff_after=1, backoff_base_seconds=1, lockout_after=10**9, lockout_seconds=900), 10**8, 900),
]


@pytest.mark.parametrize(("limits", "failures", "seconds"), SCHEDULE)
def test_delay(limits: AttemptLimits, failures: int, seconds: int) -> None:
    assert limits.delay(failures) == seconds
    retry = limits.retry_at(failures, NOW)
    assert retry == (NOW + timedelta(seconds=seconds) if seconds else None)


def test_locked_until_the_retry_time() -> None:
    retry = NOW + timedelta(seconds=10)
    assert DEFAULTS.locked(retry, NOW)
    assert DEFAULTS.locked(retry, retry - timedelta(microseconds=1))
    assert not DEFAULTS.locked(retry, retry)
    assert not DEFAULTS.locked(None, NOW)


def test_the_default_schedule_makes_guessing_slow() -> None:
    """The first 20 wrong codes take over an hour; each after that 15 minutes."""
    ramp = sum(DEFAULTS.delay(n) for n in range(1, DEFAULTS.lockout_after))
    assert ramp > 3600
    assert DEFAULTS.delay(DEFAULTS.lockout_after) == 900


def test_negative_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        AttemptLimits(lockout_seconds=-1)
