"""The request times SigV4 accepts in ``Date`` (no X-Amz-Date)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from credmint.sigv4.parse import parse_date_header

WHEN = datetime(2026, 12, 6, 22, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Dec 2026 22:00:05 GMT",  # RFC 1123, what HTTP clients send
        "Sun, 06 Dec 2026 22:00:05 -0000",  # botocore's SigV4 Date (email.utils.formatdate)
        "Sun, 06 Dec 2026 22:00:05 +0000",
        "Sun, 06 Dec 2026 23:00:05 +0100",
        "20261206T220005Z",
    ],
)
def test_accepted(value: str) -> None:
    assert parse_date_header(value) == WHEN


@pytest.mark.parametrize("value", ["Sun, 06 Dec 2026 22:00:05", "yesterday", "", "Sun, 06 Dec 2026 22:00:05 -00000"])
def test_refused(value: str) -> None:
    """A time without a zone names no instant; it is not guessed to be UTC."""
    assert parse_date_header(value) is None
