"""``LookupEvents``: the calling account's audit records, newest first, in pages.

Only the caller's own account is ever read (``recipientAccountId``), and the call is
authorized as ``cloudtrail:LookupEvents`` through the normal decision path, so an IAM
user needs a policy granting it. Records of calls whose key was not recognised belong
to no account and are seen by the operator only, in the audit files.

``NextToken`` is opaque and tamper-proof: the position after the last event returned,
plus a digest of the filters, sealed (AES-GCM) under the master key. A token that does
not open, or that was issued for other filters or another account, is
``InvalidNextTokenException``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from credmint import errors
from credmint.api import Call, Operation, operation
from credmint.audit import query
from credmint.cloudtrail import errors as cloudtrail_errors
from credmint.sealing import UnsealError

OPERATIONS: dict[str, Operation] = {}

#: Events per page when the caller asks for no number (the model allows 1-50).
DEFAULT_PAGE = 50
#: How far back LookupEvents looks by default: CloudTrail's event history.
HISTORY = timedelta(days=90)
#: Longest NextToken accepted (tokens issued here are ~150 characters).
MAX_TOKEN_CHARS = 1024
_TOKEN_AAD = b"credmint:cloudtrail:LookupEvents:NextToken"

#: Model constraint failures, by the member they concern, as LookupEvents names them.
_CONSTRAINT_ERRORS = (
    ("maxResults", cloudtrail_errors.InvalidMaxResults),
    ("eventCategory", cloudtrail_errors.InvalidEventCategory),
)


def invalid_input(failure: str) -> errors.AwsError:
    """The LookupEvents error for a model constraint failure (wording from the validator)."""
    lowered = failure.lower()
    for member, make in _CONSTRAINT_ERRORS:
        if member.lower() in lowered:
            return make()
    return cloudtrail_errors.InvalidLookupAttributes.constraint(failure)


@operation(OPERATIONS, "LookupEvents")
def lookup_events(call: Call) -> Mapping[str, Any]:
    p = call.principal
    if p is None:
        raise errors.MissingAuthenticationToken()
    call.authorize("cloudtrail:LookupEvents")
    params = call.params
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise cloudtrail_errors.InvalidLookupAttributes.more_than_one()
    attribute: tuple[str, str] | None = None
    if attributes:
        key, value = attributes[0].get("AttributeKey"), attributes[0].get("AttributeValue")
        if key is None or value is None:
            raise cloudtrail_errors.InvalidLookupAttributes.incomplete()
        if key == "ReadOnly" and value.lower() not in ("true", "false"):
            raise cloudtrail_errors.InvalidLookupAttributes.read_only()
        attribute = (key, value)
    end: datetime = params.get("EndTime") or call.now
    start: datetime = params.get("StartTime") or min(end, call.now) - HISTORY
    if start > end:
        raise cloudtrail_errors.InvalidTimeRange()
    if params.get("EventCategory") == "insight":
        return {"Events": []}  # credmint raises no Insights events
    limit = params.get("MaxResults") or DEFAULT_PAGE
    start_ms, end_ms = _ms(start), _ms(end)
    # The filters as given: a default window moves with the clock between pages.
    given = [_ms(params[k]) if k in params else None for k in ("StartTime", "EndTime")]
    digest = _filter_digest(p.account_id, attribute, given)
    token = params.get("NextToken")
    after = _open_token(call, token, digest) if token else None
    found = query.lookup(
        call.store,
        query.Lookup(p.account_id, limit + 1, (attribute,) if attribute else (), start_ms, end_ms, after),
    )
    page = found[:limit]
    out: dict[str, Any] = {"Events": [_event(e) for e in page]}
    if len(found) > limit:
        last = page[-1]
        out["NextToken"] = _seal_token(call, last.event_time_ms, last.event_id, digest)
    return out


def _event(e: query.StoredEvent) -> dict[str, Any]:
    event: dict[str, Any] = {
        "EventId": e.event_id,
        "EventName": e.event_name,
        "ReadOnly": "true" if e.read_only else "false",
        "EventTime": datetime.fromtimestamp(e.event_time_ms / 1000, UTC),
        "EventSource": e.event_source,
        "Resources": [{"ResourceType": t, "ResourceName": n} for t, n in e.resources],
        "CloudTrailEvent": e.record,
    }
    if e.access_key_id:
        event["AccessKeyId"] = e.access_key_id
    if e.username:
        event["Username"] = e.username
    return event


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _filter_digest(account_id: str, attribute: tuple[str, str] | None, times: list[int | None]) -> str:
    text = json.dumps([account_id, attribute, times])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _seal_token(call: Call, at_ms: int, event_id: str, digest: str) -> str:
    payload = json.dumps({"t": at_ms, "i": event_id, "f": digest}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(call.master.seal(payload, _TOKEN_AAD)).decode().rstrip("=")


def _open_token(call: Call, token: str, digest: str) -> tuple[int, str]:
    invalid = cloudtrail_errors.InvalidNextToken()
    if len(token) > MAX_TOKEN_CHARS:
        raise invalid
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(call.master.open(blob, _TOKEN_AAD))
    except (binascii.Error, ValueError, UnsealError):
        raise invalid from None
    if not isinstance(data, dict) or data.get("f") != digest:
        # Issued for other filters (or another account): paging would be meaningless.
        raise invalid
    at, event_id = data.get("t"), data.get("i")
    if not isinstance(at, int) or not isinstance(event_id, str):
        raise invalid
    return at, event_id
