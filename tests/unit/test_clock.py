"""The dev clock: the system clock plus an offset that only moves forward."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from credmint.clock import MAX_ADVANCE_SECONDS, ClockMoveRefused, DevClock


def test_advance_moves_now_and_offset() -> None:
    clock = DevClock()
    before = clock.now()
    after = clock.advance(3600)
    assert clock.offset == 3600
    assert after - before >= timedelta(seconds=3600)
    assert clock.now() >= after


def test_set_moves_forward_to_the_time_given() -> None:
    clock = DevClock()
    target = clock.now() + timedelta(days=2)
    assert clock.set(target) >= target
    assert clock.offset >= 2 * 86400 - 1


@pytest.mark.parametrize(
    "seconds",
    [-1, -0.001, math.nan, math.inf, -math.inf, MAX_ADVANCE_SECONDS + 1],
    ids=["negative", "tiny-negative", "nan", "inf", "-inf", "too-far"],
)
def test_advance_refuses_going_back_or_too_far(seconds: float) -> None:
    clock = DevClock()
    with pytest.raises(ClockMoveRefused):
        clock.advance(seconds)
    assert clock.offset == 0


@pytest.mark.parametrize(
    "at",
    [
        datetime(2001, 1, 1, tzinfo=UTC),
        datetime.now(UTC) - timedelta(seconds=5),
        datetime(2030, 1, 1),  # naive: which zone is meant is unknown
        datetime.now(UTC) + timedelta(seconds=MAX_ADVANCE_SECONDS + 86400),
    ],
    ids=["past", "just-past", "naive", "too-far"],
)
def test_set_refuses_the_past_naive_and_too_far(at: datetime) -> None:
    clock = DevClock()
    with pytest.raises(ClockMoveRefused):
        clock.set(at)
    assert clock.offset == 0
