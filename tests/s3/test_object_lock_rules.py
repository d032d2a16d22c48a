"""credmint.s3.object_lock: the retention and removal rules, from data, at an injected time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from credmint.errors import AwsError
from credmint.s3 import object_lock
from credmint.s3.object_lock import Retention

NOW = datetime(2030, 1, 1, tzinfo=UTC)
SOON, LATER = NOW + timedelta(days=1), NOW + timedelta(days=2)


@pytest.mark.parametrize(
    ("current", "new", "needs"),
    [
        (None, Retention("COMPLIANCE", SOON), "ok"),
        (Retention("COMPLIANCE", SOON), Retention("COMPLIANCE", LATER), "ok"),
        (Retention("COMPLIANCE", LATER), Retention("COMPLIANCE", SOON), "denied"),
        (Retention("COMPLIANCE", SOON), Retention("GOVERNANCE", LATER), "denied"),
        (Retention("COMPLIANCE", SOON), None, "denied"),
        (Retention("GOVERNANCE", SOON), Retention("GOVERNANCE", LATER), "ok"),
        (Retention("GOVERNANCE", SOON), Retention("COMPLIANCE", LATER), "ok"),
        (Retention("GOVERNANCE", LATER), Retention("GOVERNANCE", SOON), "bypass"),
        (Retention("GOVERNANCE", LATER), Retention("COMPLIANCE", SOON), "bypass"),
        (Retention("GOVERNANCE", SOON), None, "bypass"),
        # A retention whose date has passed protects nothing.
        (Retention("COMPLIANCE", NOW - timedelta(seconds=1)), None, "ok"),
    ],
)
def test_change_needs(current: Retention | None, new: Retention | None, needs: str) -> None:
    assert object_lock.change_needs(current, new, NOW) == needs


@pytest.mark.parametrize(
    ("attributes", "needs"),
    [
        ({}, "ok"),
        ({"legal_hold": "OFF"}, "ok"),
        ({"legal_hold": "ON"}, "denied"),
        ({"retention": Retention("GOVERNANCE", SOON).stored()}, "bypass"),
        ({"retention": Retention("COMPLIANCE", SOON).stored()}, "denied"),
        ({"retention": Retention("COMPLIANCE", NOW).stored()}, "ok"),
        ({"retention": Retention("GOVERNANCE", SOON).stored(), "legal_hold": "ON"}, "denied"),
    ],
)
def test_removal_needs(attributes: dict[str, object], needs: str) -> None:
    assert object_lock.removal_needs(attributes, NOW) == needs


def test_requested_retention_needs_both_headers_and_a_future_date() -> None:
    assert object_lock.requested_retention(None, None, NOW) is None
    got = object_lock.requested_retention("GOVERNANCE", "2030-01-02T00:00:00.000Z", NOW)
    assert got == Retention("GOVERNANCE", SOON)
    for mode, until in (("GOVERNANCE", None), (None, "2030-01-02T00:00:00Z"), ("LOCKED", "2030-01-02T00:00:00Z"),
                        ("GOVERNANCE", "2029-12-31T00:00:00Z"), ("GOVERNANCE", "tomorrow")):  # fmt: skip
        with pytest.raises(AwsError) as e:
            object_lock.requested_retention(mode, until, NOW)
        assert e.value.code == "InvalidArgument"


def test_default_retention_and_condition_keys() -> None:
    config = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}}
    assert object_lock.default_retention(config, NOW) == Retention("COMPLIANCE", NOW + timedelta(days=365))
    assert object_lock.default_retention({"ObjectLockEnabled": "Enabled"}, NOW) is None
    keys = object_lock.request_keys(Retention("GOVERNANCE", NOW + timedelta(days=1, hours=1)), "ON", NOW)
    assert keys == {
        "s3:object-lock-mode": "GOVERNANCE",
        "s3:object-lock-retain-until-date": "2030-01-02T01:00:00Z",
        "s3:object-lock-remaining-retention-days": "2",
        "s3:object-lock-legal-hold": "ON",
    }


@pytest.mark.parametrize(
    ("parsed", "code"),
    [
        ({}, "MalformedXML"),
        ({"ObjectLockEnabled": "Disabled"}, "MalformedXML"),
        ({"ObjectLockEnabled": "Enabled", "Rule": {"Mode": "GOVERNANCE"}}, "MalformedXML"),
        ({"ObjectLockEnabled": "Enabled", "Rule": {"Mode": "FOREVER", "Days": "1"}}, "MalformedXML"),
        ({"ObjectLockEnabled": "Enabled", "Rule": {"Mode": "GOVERNANCE", "Days": "1", "Years": "1"}}, "MalformedXML"),
        ({"ObjectLockEnabled": "Enabled", "Rule": {"Mode": "GOVERNANCE", "Days": "x" * 5000}}, "MalformedXML"),
        ({"ObjectLockEnabled": "Enabled", "Rule": {"Mode": "GOVERNANCE", "Days": "36501"}}, "InvalidArgument"),
        ({"ObjectLockEnabled": "Enabled", "Rule": {"Mode": "COMPLIANCE", "Years": "0"}}, "InvalidArgument"),
    ],
)
def test_hostile_lock_configurations(parsed: dict[str, object], code: str) -> None:
    with pytest.raises(AwsError) as e:
        object_lock.parse_configuration(parsed)
    assert e.value.code == code
