"""Settings read from the environment: the database timeout and the staleness bound."""

from __future__ import annotations

import pytest

from credmint.settings import Settings


def test_defaults() -> None:
    s = Settings()
    assert (s.db_timeout_seconds, s.cache_staleness_bound_seconds) == (5.0, 5.0)


@pytest.mark.parametrize("name", ["DB_TIMEOUT_SECONDS", "CACHE_STALENESS_BOUND_SECONDS"])
def test_seconds_from_env(name: str) -> None:
    s = Settings.from_env({f"CREDMINT_{name}": "2.5"})
    assert getattr(s, name.lower()) == 2.5
    assert s.to_env()[f"CREDMINT_{name}"] == "2.5"


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "inf", "nan", "1e999"])
@pytest.mark.parametrize("name", ["DB_TIMEOUT_SECONDS", "CACHE_STALENESS_BOUND_SECONDS"])
def test_bad_seconds_are_refused(name: str, raw: str) -> None:
    # A bound of zero, a negative one or infinity would disable the guarantee it sets.
    with pytest.raises(ValueError):
        Settings.from_env({f"CREDMINT_{name}": raw})
