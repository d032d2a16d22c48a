"""S3 Object Lock: the bucket's configuration, each version's retention and legal hold, and
what they forbid.

Theory of operation. A bucket has Object Lock once it was created with
``x-amz-bucket-object-lock-enabled: true`` or given an ``ObjectLockConfiguration`` while
versioning was Enabled; it stays versioned for good (S3 refuses to suspend it). A version
written to it takes the retention its request states (``x-amz-object-lock-mode`` and
``x-amz-object-lock-retain-until-date`` together) or the bucket's default retention, and an
optional legal hold; both live in the version's attributes (``retention``, ``legal_hold``).

A protected version cannot be removed (DELETE with its version id; a plain DELETE only adds a
delete marker, which S3 allows) and its retention cannot be weakened. :data:`RETENTION_CHANGES`
is S3's table ("How S3 Object Lock works", "Retention modes"): COMPLIANCE can only be
extended; GOVERNANCE can be extended or turned into COMPLIANCE by anyone allowed
s3:PutObjectRetention, and shortened or removed only by a request that sends
``x-amz-bypass-governance-retention: true`` and is allowed s3:BypassGovernanceRetention.
A retention whose date has passed protects nothing. A legal hold forbids removal whatever the
retention, until it is turned OFF.

The functions here are pure: time is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from credmint.s3 import errors as s3_errors

MODES = ("GOVERNANCE", "COMPLIANCE")
LEGAL_HOLD = ("ON", "OFF")
#: The largest default retention S3 accepts (100 years).
MAX_DEFAULT_DAYS = 36500
MAX_DEFAULT_YEARS = 100


@dataclass(frozen=True, slots=True)
class Retention:
    mode: str
    until: datetime

    def active(self, now: datetime) -> bool:
        return self.until > now

    def stored(self) -> dict[str, str]:
        return {"Mode": self.mode, "RetainUntilDate": self.until.isoformat()}


def parse_date(text: str, name: str) -> datetime:
    """An ISO 8601 timestamp as S3 takes it (``2030-01-01T00:00:00Z``, fractions allowed)."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise s3_errors.InvalidArgument.retain_until_date(name, value[:64]) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # a zone that moves the time past year 9999
        raise s3_errors.InvalidArgument.retain_until_date(name, value[:64]) from None


def stored_retention(attributes: Mapping[str, Any]) -> Retention | None:
    found = attributes.get("retention")
    if not isinstance(found, dict):
        return None
    return Retention(str(found["Mode"]), datetime.fromisoformat(str(found["RetainUntilDate"])))


def legal_hold_on(attributes: Mapping[str, Any]) -> bool:
    return attributes.get("legal_hold") == "ON"


def requested_retention(mode: str | None, until: str | None, now: datetime) -> Retention | None:
    """The retention a write states in its headers (both or neither, as S3 requires)."""
    if mode is None and until is None:
        return None
    if mode is None or until is None:
        raise s3_errors.InvalidArgument.retention_incomplete(mode, until)
    if mode not in MODES:
        raise s3_errors.InvalidArgument.retention_mode(mode[:64])
    return _future(Retention(mode, parse_date(until, "x-amz-object-lock-retain-until-date")), now)


def _future(retention: Retention, now: datetime) -> Retention:
    if retention.until <= now:
        raise s3_errors.InvalidArgument.retain_until_past(retention.until.isoformat())
    return retention


def default_retention(config: Mapping[str, Any] | None, now: datetime) -> Retention | None:
    """The bucket's default retention applied to a version written at ``now``."""
    if not config:
        return None
    rule = config.get("Rule")
    if not isinstance(rule, dict):
        return None
    default = rule["DefaultRetention"]
    days = int(default["Days"]) if "Days" in default else 365 * int(default["Years"])
    return Retention(str(default["Mode"]), now + timedelta(days=days))


#: (current mode, new mode) -> what the change may do without the governance bypass:
#: "extend" (the new date must not be earlier) or "never". Removing a retention (new mode
#: None) is a shortening. A bypass lifts GOVERNANCE's limits, never COMPLIANCE's.
RETENTION_CHANGES: dict[tuple[str, str | None], str] = {
    ("GOVERNANCE", "GOVERNANCE"): "extend",
    ("GOVERNANCE", "COMPLIANCE"): "extend",
    ("GOVERNANCE", None): "never",
    ("COMPLIANCE", "COMPLIANCE"): "extend",
    ("COMPLIANCE", "GOVERNANCE"): "never",
    ("COMPLIANCE", None): "never",
}


def change_needs(current: Retention | None, new: Retention | None, now: datetime) -> str:
    """What replacing ``current`` by ``new`` takes: "ok", "bypass" (GOVERNANCE weakened: the
    bypass header and s3:BypassGovernanceRetention) or "denied"."""
    if current is None or not current.active(now):
        return "ok"
    rule = RETENTION_CHANGES[(current.mode, new.mode if new is not None else None)]
    if rule == "extend" and new is not None and new.until >= current.until:
        return "ok"
    return "bypass" if current.mode == "GOVERNANCE" else "denied"


def removal_needs(attributes: Mapping[str, Any], now: datetime) -> str:
    """What permanently deleting a version takes: "ok", "bypass" or "denied"."""
    if legal_hold_on(attributes):
        return "denied"
    retention = stored_retention(attributes)
    if retention is None or not retention.active(now):
        return "ok"
    return "bypass" if retention.mode == "GOVERNANCE" else "denied"


def parse_configuration(root_children: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a parsed ObjectLockConfiguration (``{"ObjectLockEnabled", "Rule"}``)."""
    if root_children.get("ObjectLockEnabled") != "Enabled":
        raise s3_errors.MalformedXML()
    out: dict[str, Any] = {"ObjectLockEnabled": "Enabled"}
    rule = root_children.get("Rule")
    if rule is None:
        return out
    mode, days, years = rule.get("Mode"), rule.get("Days"), rule.get("Years")
    if mode not in MODES or (days is None) == (years is None):
        raise s3_errors.MalformedXML()
    default: dict[str, Any] = {"Mode": mode}
    try:
        if days is not None:
            default["Days"] = int(days)
            valid = 0 < default["Days"] <= MAX_DEFAULT_DAYS
        else:
            default["Years"] = int(years)
            valid = 0 < default["Years"] <= MAX_DEFAULT_YEARS
    except (TypeError, ValueError):
        raise s3_errors.MalformedXML() from None
    if not valid:
        raise s3_errors.InvalidArgument.default_retention_period(str(days or years))
    out["Rule"] = {"DefaultRetention": default}
    return out


def result_members(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """GetObject/HeadObject members of a version's lock state."""
    out: dict[str, Any] = {}
    retention = stored_retention(attributes)
    if retention is not None:
        out["ObjectLockMode"] = retention.mode
        out["ObjectLockRetainUntilDate"] = retention.until
    if "legal_hold" in attributes:
        out["ObjectLockLegalHoldStatus"] = attributes["legal_hold"]
    return out


def request_keys(retention: Retention | None, legal_hold: str | None, now: datetime) -> dict[str, str]:
    """The s3:object-lock-* condition keys of a request stating a retention or legal hold."""
    keys: dict[str, str] = {}
    if retention is not None:
        keys["s3:object-lock-mode"] = retention.mode
        keys["s3:object-lock-retain-until-date"] = retention.until.strftime("%Y-%m-%dT%H:%M:%SZ")
        remaining = retention.until - now
        keys["s3:object-lock-remaining-retention-days"] = str(max(0, remaining.days + (1 if remaining.seconds else 0)))
    if legal_hold is not None:
        keys["s3:object-lock-legal-hold"] = legal_hold
    return keys
