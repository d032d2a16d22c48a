"""Settings from the environment: the limits and switches added for hostile input."""

from __future__ import annotations

import pytest

from credmint.settings import Settings


def test_defaults_are_the_documented_ones() -> None:
    s = Settings.from_env({})
    assert (s.max_header_bytes, s.max_header_count, s.header_timeout) == (65536, 100, 10.0)
    assert (s.body_timeout, s.min_body_rate, s.max_connections) == (20.0, 65536, 1000)
    assert (s.max_buffered_body_bytes, s.max_anonymous_body) == (256 * 1024**2, 1024**2)
    assert s.trusted_proxies == ""
    assert s.federation_allow_private_networks is False


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("1", True), ("YES", True), ("on", True), ("false", False), ("0", False)]
)
def test_boolean_settings(raw: str, value: bool) -> None:
    env = {"CREDMINT_FEDERATION_ALLOW_PRIVATE_NETWORKS": raw}
    assert Settings.from_env(env).federation_allow_private_networks is value


@pytest.mark.parametrize("raw", ["maybe", "tru", "2", "true\x00"])
def test_a_boolean_that_is_not_one_is_an_error_not_false(raw: str) -> None:
    with pytest.raises(ValueError):
        Settings.from_env({"CREDMINT_FEDERATION_ALLOW_PRIVATE_NETWORKS": raw})


def test_settings_reach_worker_processes() -> None:
    s = Settings.from_env({"CREDMINT_HEADER_TIMEOUT": "2.5", "CREDMINT_TRUSTED_PROXIES": "10.0.0.0/8"})
    again = Settings.from_env(s.to_env())
    assert (again.header_timeout, again.trusted_proxies) == (2.5, "10.0.0.0/8")
