"""Time, passed in: the pure cores never read the clock themselves.

A node reads the time through one :class:`Clock`, held by its node (``server/node.py``); every
time-dependent decision (signature skew, presigned URL and session expiry, MFA
steps and ``aws:MultiFactorAuthAge``, token-key rotation) takes ``now`` from it.

:class:`DevClock` is the clock of ``credmint serve --dev``: the system clock plus
an offset that tests move forward (``POST /_credmint/clock``), so a session can
expire or a token key rotate in milliseconds. It only moves forward: a clock
that went back would let a consumed MFA step or an expired token be accepted
again, which no test of real behaviour wants.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def epoch(self) -> float:
        return time.time()


class FixedClock:
    """A clock for tests: it says what it is told."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, seconds: float) -> None:
        self._at = self._at + timedelta(seconds=seconds)


class ClockMoveRefused(ValueError):
    """A dev clock was asked to go back in time, or too far forward at once."""


#: The most one call may move a dev clock: 10 years. Far beyond any expiry a test
#: waits for, and it keeps every date the store and the tokens hold well inside
#: ``datetime``'s range however many calls a test makes.
MAX_ADVANCE_SECONDS = 10 * 365 * 86400


class DevClock:
    """The system clock plus a forward-only offset (thread-safe)."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        """Seconds this clock is ahead of the system clock."""
        return self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self._offset)

    def advance(self, seconds: float) -> datetime:
        """Move forward by ``seconds`` (0 < seconds <= MAX_ADVANCE_SECONDS); the new time."""
        if not (0 <= seconds <= MAX_ADVANCE_SECONDS):  # also refuses NaN
            raise ClockMoveRefused(f"advance must be between 0 and {MAX_ADVANCE_SECONDS} seconds")
        with self._lock:
            self._offset += seconds
            return self.now()

    def set(self, at: datetime) -> datetime:
        """Move forward to ``at`` (timezone-aware); refused if ``at`` is in this clock's past."""
        if at.tzinfo is None:
            raise ClockMoveRefused("the time must carry a timezone")
        with self._lock:
            delta = (at - self.now()).total_seconds()
            if delta < 0:
                raise ClockMoveRefused("the dev clock only moves forward")
            if delta > MAX_ADVANCE_SECONDS:
                raise ClockMoveRefused(f"the dev clock moves at most {MAX_ADVANCE_SECONDS} seconds at once")
            self._offset += delta
            return self.now()
