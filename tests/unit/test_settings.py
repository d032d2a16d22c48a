"""Settings from the environment: the database timeout, the staleness bound, the audit
trail's and the limits added for hostile input, with their defaults and refusals."""

from __future__ import annotations

from pathlib import Path

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
def test_audit_defaults() -> None:
    s = Settings.from_env({})
    assert (s.audit_sink, s.audit_data_events) == ("file", False)
    assert (s.audit_max_bytes, s.audit_rotate_seconds, s.audit_flush_ms, s.audit_retention_days) == (
        100 * 1024**2,
        3600,
        1000,
        90,
    )


@pytest.mark.parametrize(
    ("env", "field", "value"),
    [
        ({"CREDMINT_AUDIT_SINK": "STDOUT"}, "audit_sink", "stdout"),
        ({"CREDMINT_AUDIT_SINK": "off"}, "audit_sink", "off"),
        ({"CREDMINT_AUDIT_DATA_EVENTS": "true"}, "audit_data_events", True),
        ({"CREDMINT_AUDIT_DATA_EVENTS": "0"}, "audit_data_events", False),
        ({"CREDMINT_AUDIT_MAX_BYTES": "1024"}, "audit_max_bytes", 1024),
    ],
)
def test_audit_settings(env: dict[str, str], field: str, value: object) -> None:
    assert getattr(Settings.from_env(env), field) == value


@pytest.mark.parametrize(
    "env",
    [
        {"CREDMINT_AUDIT_SINK": "syslog"},
        {"CREDMINT_AUDIT_DATA_EVENTS": "maybe"},
        {"CREDMINT_AUDIT_MAX_BYTES": "0"},
        {"CREDMINT_AUDIT_ROTATE_SECONDS": "-1"},
        {"CREDMINT_AUDIT_FLUSH_MS": "0"},
        {"CREDMINT_AUDIT_RETENTION_DAYS": "x"},
    ],
)
def test_audit_settings_refused(env: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        Settings.from_env(env)


def test_audit_settings_reach_workers() -> None:
    s = Settings.from_env({"CREDMINT_AUDIT_DATA_EVENTS": "true"}, data_dir=Path("/tmp/x"))
    assert Settings.from_env(s.to_env()) == s
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
