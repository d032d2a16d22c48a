"""S3 lifecycle configurations: parsing, the rules' filters, and when each action falls due.

Theory of operation. A configuration is up to 1,000 rules. Each has an ID, a Status, a
filter (a key prefix, object tags, object size bounds) and the actions credmint applies:

* ``Expiration`` (``Days`` after creation, or a ``Date``) expires the current version: a
  delete marker on a versioned bucket, removal on an unversioned one;
  ``ExpiredObjectDeleteMarker`` removes a delete marker left as a key's only version;
* ``NoncurrentVersionExpiration`` removes a version ``NoncurrentDays`` after it stopped
  being current (its successor's creation), keeping the ``NewerNoncurrentVersions`` newest;
* ``AbortIncompleteMultipartUpload`` aborts uploads ``DaysAfterInitiation`` after they began.

As S3 documents ("Lifecycle rules: based on an object's age"), a count of days is rounded up
to the next midnight UTC: an object created 2030-01-01T10:00Z with ``Days`` 1 falls due at
2030-01-03T00:00Z.

``Transition`` and ``NoncurrentVersionTransition`` are accepted, validated as S3 validates
them, stored and returned, so configurations written for AWS (by Terraform, the console's
exports, backup tools) apply unchanged. credmint keeps every object in one storage class,
STANDARD: a transition falling due changes nothing, and the object stays readable at once
and is reported as STANDARD. Reporting it in GLACIER without the restore step GLACIER
requires would tell clients a read must fail that succeeds, so the honest reading of a
transition here is "no cheaper class exists; the data stays where it is"
(docs/architecture.md).

Pure: time is passed in; the task that applies the rules is ``s3.lifecycle_task``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree.ElementTree import Element

from credmint.s3 import errors as s3_errors
from credmint.s3 import xmlbody

MAX_RULES = 1000
MAX_ID_LENGTH = 255
#: S3's TransitionStorageClass enumeration (the botocore model).
TRANSITION_STORAGE_CLASSES = frozenset(
    ("GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR")
)
#: Storage classes S3 will not transition to before an object is 30 days old (or noncurrent
#: for 30 days): "Constraints and considerations for transitions", S3 User Guide.
_THIRTY_DAY_CLASSES = frozenset(("STANDARD_IA", "ONEZONE_IA"))
_ACTIONS = ("Expiration", "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload", "Transitions",
            "NoncurrentVersionTransitions")


def due(start: datetime, days: int) -> datetime:
    """``days`` after ``start``, rounded up to the next midnight UTC (S3's rule)."""
    moment = start.astimezone(UTC) + timedelta(days=days)
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == moment else midnight + timedelta(days=1)


def _int(element: Element, name: str, low: int = 1) -> int | None:
    text = xmlbody.child_text(element, name)
    if text is None:
        return None
    try:
        value = int(text.strip())
    except ValueError:
        raise s3_errors.MalformedXML() from None
    if value < low:
        raise s3_errors.InvalidArgument.lifecycle_not_positive(name, xmlbody.local(element.tag), text.strip())
    return value


def _tags(element: Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in xmlbody.children(element, "Tag"):
        key, value = xmlbody.child_text(tag, "Key"), xmlbody.child_text(tag, "Value")
        if key is None or value is None:
            raise s3_errors.MalformedXML()
        out[key] = value
    return out


def _filter(rule: Element) -> dict[str, Any]:
    filters = xmlbody.children(rule, "Filter")
    legacy = xmlbody.child_text(rule, "Prefix")
    if filters and legacy is not None:
        raise s3_errors.MalformedXML()
    if not filters:
        return {"Prefix": legacy or ""}
    if len(filters) > 1:
        raise s3_errors.MalformedXML()
    f = filters[0]
    ands = xmlbody.children(f, "And")
    source = ands[0] if ands else f
    out: dict[str, Any] = {"Prefix": xmlbody.child_text(source, "Prefix") or ""}
    tags = _tags(source) if ands else {}
    if not ands:
        single = xmlbody.children(f, "Tag")
        if len(single) > 1:
            raise s3_errors.MalformedXML()
        if single:
            key, value = xmlbody.child_text(single[0], "Key"), xmlbody.child_text(single[0], "Value")
            if key is None or value is None:
                raise s3_errors.MalformedXML()
            tags = {key: value}
    if tags:
        out["Tags"] = tags
    for bound in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
        size = _int(source, bound, low=0)
        if size is not None:
            out[bound] = size
    return out


def _date(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise s3_errors.InvalidArgument.lifecycle_date(text.strip()[:64]) from None
    parsed = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if parsed.astimezone(UTC).time() != datetime.min.time():
        raise s3_errors.InvalidArgument.lifecycle_date(text.strip()[:64])
    return parsed.astimezone(UTC)


def _rule(rule: Element) -> dict[str, Any]:
    rule_id = xmlbody.child_text(rule, "ID") or ""
    if len(rule_id) > MAX_ID_LENGTH:
        raise s3_errors.InvalidArgument.lifecycle_rule_id_length(rule_id[:256])
    status = xmlbody.child_text(rule, "Status")
    if status not in ("Enabled", "Disabled"):
        raise s3_errors.MalformedXML()
    out: dict[str, Any] = {"ID": rule_id, "Status": status, "Filter": _filter(rule)}
    if not xmlbody.children(rule, "Filter") and xmlbody.child_text(rule, "Prefix") is not None:
        # A rule stated with the legacy top-level Prefix is returned in that form, as S3 does.
        out["LegacyPrefix"] = True
    for element in xmlbody.children(rule, "Expiration"):
        days = _int(element, "Days")
        date = xmlbody.child_text(element, "Date")
        marker = xmlbody.child_text(element, "ExpiredObjectDeleteMarker")
        given = [x for x in (days, date, marker) if x is not None]
        if len(given) != 1:
            raise s3_errors.MalformedXML()
        if days is not None:
            out["Expiration"] = {"Days": days}
        elif date is not None:
            out["Expiration"] = {"Date": _date(date).isoformat()}
        else:
            out["Expiration"] = {"ExpiredObjectDeleteMarker": (marker or "").strip().lower() == "true"}
    for element in xmlbody.children(rule, "NoncurrentVersionExpiration"):
        noncurrent: dict[str, Any] = {}
        noncurrent_days = _int(element, "NoncurrentDays")
        if noncurrent_days is None:
            raise s3_errors.MalformedXML()
        noncurrent["NoncurrentDays"] = noncurrent_days
        newer = _int(element, "NewerNoncurrentVersions")
        if newer is not None:
            noncurrent["NewerNoncurrentVersions"] = newer
        out["NoncurrentVersionExpiration"] = noncurrent
    for element in xmlbody.children(rule, "AbortIncompleteMultipartUpload"):
        after = _int(element, "DaysAfterInitiation")
        if after is None:
            raise s3_errors.MalformedXML()
        if out["Filter"].get("Tags"):
            raise s3_errors.InvalidRequest.lifecycle_abort_with_tags()
        out["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": after}
    transitions = [_transition(e, "Days") for e in xmlbody.children(rule, "Transition")]
    if transitions:
        _check_transitions(transitions, "Days", "Transition")
        expiration_days = (out.get("Expiration") or {}).get("Days")
        latest = max((t.get("Days", 0) for t in transitions), default=0)
        if expiration_days is not None and expiration_days <= latest:
            raise s3_errors.InvalidArgument.lifecycle_expiration_days(expiration_days)
        out["Transitions"] = transitions
    noncurrent_transitions = [
        _transition(e, "NoncurrentDays") for e in xmlbody.children(rule, "NoncurrentVersionTransition")
    ]
    if noncurrent_transitions:
        _check_transitions(noncurrent_transitions, "NoncurrentDays", "NoncurrentVersionTransition")
        out["NoncurrentVersionTransitions"] = noncurrent_transitions
    if not any(k in out for k in _ACTIONS):
        raise s3_errors.InvalidRequest.lifecycle_no_action()
    return out


def _transition(element: Element, days_name: str) -> dict[str, Any]:
    """One Transition (``days_name`` "Days", or "Date") or NoncurrentVersionTransition
    ("NoncurrentDays", with NewerNoncurrentVersions)."""
    storage_class = (xmlbody.child_text(element, "StorageClass") or "").strip()
    if storage_class not in TRANSITION_STORAGE_CLASSES:
        # S3 answers an unknown class as it answers any value outside the schema's enum.
        raise s3_errors.MalformedXML()
    out: dict[str, Any] = {"StorageClass": storage_class}
    days = _int(element, days_name, low=0)
    date = xmlbody.child_text(element, "Date") if days_name == "Days" else None
    if (days is None) == (date is None):
        raise s3_errors.MalformedXML()
    if days is not None:
        out[days_name] = days
    elif date is not None:
        out["Date"] = _date(date).isoformat()
    if days_name == "NoncurrentDays":
        newer = _int(element, "NewerNoncurrentVersions")
        if newer is not None:
            out["NewerNoncurrentVersions"] = newer
    return out


def _check_transitions(transitions: list[dict[str, Any]], days_name: str, action: str) -> None:
    """S3's constraints across one rule's transitions: the 30-day minimum of the IA classes,
    one transition per class, and all by days or all by date."""
    for t in transitions:
        days = t.get(days_name)
        if t["StorageClass"] in _THIRTY_DAY_CLASSES and days is not None and days < 30:
            raise s3_errors.InvalidArgument.lifecycle_transition_days(days_name, action, t["StorageClass"], days)
    classes = [t["StorageClass"] for t in transitions]
    if len(classes) != len(set(classes)):
        raise s3_errors.InvalidRequest.lifecycle_storage_class_repeated(action)
    if len({days_name in t for t in transitions}) > 1:
        raise s3_errors.InvalidRequest.lifecycle_date_and_days(action, days_name)


def parse_configuration(body: bytes, new_id: Callable[[], str]) -> list[dict[str, Any]]:
    """The rules of a PutBucketLifecycleConfiguration body; a rule without an ID gets
    ``new_id()``, as S3 names such rules itself."""
    root = xmlbody.parse(body)
    if xmlbody.local(root.tag) != "LifecycleConfiguration":
        raise s3_errors.MalformedXML()
    elements = xmlbody.children(root, "Rule")
    if not elements or len(elements) > MAX_RULES:
        raise s3_errors.MalformedXML()
    rules = [_rule(r) for r in elements]
    for rule in rules:
        rule["ID"] = rule["ID"] or new_id()
    ids = [r["ID"] for r in rules if r["ID"]]
    if len(ids) != len(set(ids)):
        raise s3_errors.InvalidArgument.lifecycle_rule_id_repeated(ids[0])
    return rules


def render(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GetBucketLifecycleConfiguration's Rules."""
    out = []
    for rule in rules:
        f = rule["Filter"]
        conditions = {k: f[k] for k in ("ObjectSizeGreaterThan", "ObjectSizeLessThan") if k in f}
        tags = [{"Key": k, "Value": v} for k, v in (f.get("Tags") or {}).items()]
        if (
            (tags and (len(tags) > 1 or conditions or f.get("Prefix")))
            or len(conditions) > 1
            or (conditions and f.get("Prefix"))
        ):
            shown: dict[str, Any] = {
                "And": {"Prefix": f.get("Prefix", ""), **conditions, **({"Tags": tags} if tags else {})}
            }
        elif tags:
            shown = {"Tag": tags[0]}
        elif conditions:
            shown = dict(conditions)
        else:
            shown = {"Prefix": f.get("Prefix", "")}
        item: dict[str, Any] = {"ID": rule["ID"], "Status": rule["Status"]}
        if rule.get("LegacyPrefix"):
            item["Prefix"] = f.get("Prefix", "")
        else:
            item["Filter"] = shown
        if "Expiration" in rule:
            expiration = dict(rule["Expiration"])
            if "Date" in expiration:
                expiration["Date"] = datetime.fromisoformat(expiration["Date"])
            item["Expiration"] = expiration
        for name in ("NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload", "NoncurrentVersionTransitions"):
            if name in rule:
                item[name] = rule[name]
        if "Transitions" in rule:
            item["Transitions"] = [
                {**t, "Date": datetime.fromisoformat(t["Date"])} if "Date" in t else t for t in rule["Transitions"]
            ]
        out.append(item)
    return out


def matches(rule: Mapping[str, Any], key: str, size: int, tags: Mapping[str, str]) -> bool:
    """Whether an object falls under the rule's filter."""
    f = rule["Filter"]
    if not key.startswith(f.get("Prefix", "")):
        return False
    if any(tags.get(k) != v for k, v in (f.get("Tags") or {}).items()):
        return False
    if "ObjectSizeGreaterThan" in f and not size > f["ObjectSizeGreaterThan"]:
        return False
    return not ("ObjectSizeLessThan" in f and not size < f["ObjectSizeLessThan"])


def current_expired(rule: Mapping[str, Any], created: datetime, now: datetime) -> bool:
    """Whether the rule's Expiration (Days or Date) has come for a current version."""
    expiration = rule.get("Expiration") or {}
    if "Days" in expiration:
        return due(created, int(expiration["Days"])) <= now
    if "Date" in expiration:
        return datetime.fromisoformat(expiration["Date"]) <= now
    return False


def noncurrent_expired(
    rule: Mapping[str, Any], noncurrent_since: datetime, newer_noncurrent: int, now: datetime
) -> bool:
    """Whether a noncurrent version (``newer_noncurrent`` newer noncurrent versions above it)
    is to be removed."""
    spec = rule.get("NoncurrentVersionExpiration")
    if not spec:
        return False
    if newer_noncurrent < int(spec.get("NewerNoncurrentVersions", 0)):
        return False
    return due(noncurrent_since, int(spec["NoncurrentDays"])) <= now


def upload_expired(rule: Mapping[str, Any], initiated: datetime, now: datetime) -> bool:
    spec = rule.get("AbortIncompleteMultipartUpload")
    if not spec:
        return False
    return due(initiated, int(spec["DaysAfterInitiation"])) <= now
