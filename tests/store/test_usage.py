"""Access keys' last-use stamps in memory (store/usage.py LastUsedRecorder.record)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from credmint.store.usage import SAME_USE, LastUsedRecorder, Use

T0 = datetime(2026, 12, 7, 8, 0, 0, tzinfo=UTC)
KEY = "AKIAEXAMPLEEXAMPLE01"


def test_the_first_use_is_kept() -> None:
    rec = LastUsedRecorder()
    rec.record(KEY, "sts", "us-east-1", T0)
    assert rec.pending_use(KEY) == Use(T0, "sts", "us-east-1")


@pytest.mark.parametrize(
    ("service", "region", "later", "kept"),
    [
        # The same use again within a second: the pending one already says it.
        ("sts", "us-east-1", SAME_USE - timedelta(microseconds=1), Use(T0, "sts", "us-east-1")),
        ("sts", "us-east-1", timedelta(0), Use(T0, "sts", "us-east-1")),
        # A second or more later: the newer time is kept.
        ("sts", "us-east-1", SAME_USE, Use(T0 + SAME_USE, "sts", "us-east-1")),
        # Another service or region at once: what it says differs, so it is kept.
        ("iam", "us-east-1", timedelta(milliseconds=1), Use(T0 + timedelta(milliseconds=1), "iam", "us-east-1")),
        ("sts", "eu-west-1", timedelta(milliseconds=1), Use(T0 + timedelta(milliseconds=1), "sts", "eu-west-1")),
        # An older use never replaces a newer one.
        ("iam", "us-east-1", -timedelta(seconds=5), Use(T0, "sts", "us-east-1")),
        ("sts", "us-east-1", -timedelta(milliseconds=1), Use(T0, "sts", "us-east-1")),
    ],
)
def test_a_later_use_replaces_the_pending_one_when_it_says_something_new(
    service: str, region: str, later: timedelta, kept: Use
) -> None:
    rec = LastUsedRecorder()
    rec.record(KEY, "sts", "us-east-1", T0)
    rec.record(KEY, service, region, T0 + later)
    assert rec.pending_use(KEY) == kept
