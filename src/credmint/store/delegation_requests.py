"""Delegation requests as rows: what IAM's delegation operations (``iam/delegation.py``) and
STS's GetDelegatedAccessToken (``sts/delegation.py``) share, with no handler of either.

Lifecycle (the IAM model's states). A partner creates a request: ``UNASSIGNED``. An
identity of the customer account associates it with itself (``AssociateDelegationRequest``):
``ASSIGNED``, the caller its owner. The owner may add notes for an approver
(``UpdateDelegationRequest``): ``PENDING_APPROVAL``. An approver accepts it: ``ACCEPTED``,
and the accepting identity is the one the delegated credentials act as; or rejects it:
``REJECTED`` (an accepted request may still be rejected until its token is sent).
``SendDelegationToken`` makes the single-use trade-in token and delivers it on the
request's notification channel: ``FINALIZED``. A request not finalized or rejected
expires (``EXPIRED``) :data:`REQUEST_TTL` after its creation; a rejected one is kept
:data:`REJECTED_TTL`.

Transitions are table data (:data:`TRANSITIONS`) and each is one conditional ``UPDATE``
(``WHERE state IN (...)``), so two nodes racing on one request cannot both win.

The trade-in token is 32 random bytes; only its SHA-256 is stored. GetDelegatedAccessToken
exchanges it exactly once: the exchange is ``UPDATE ... SET token_used_at WHERE
token_used_at IS NULL``, so a replay on any node finds the row already used. A token
expires :data:`TOKEN_TTL` after it was sent (the partner is expected to exchange it at
once; AWS's bound is not published, so a short one is the safe side).

Delivery. AWS publishes the token to the partner's SNS topic. credmint has no SNS: the
partner here is the operator (``CREDMINT_DELEGATION_ACCOUNTS`` lists the partner
accounts), so the notification is written as one JSON line to
``<data-dir>/notifications/<channel>.jsonl`` (mode 0600) on the node that served the call.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, select, update

from credmint import arns
from credmint.store import schema

REQUEST_TTL = timedelta(days=7)
REJECTED_TTL = timedelta(days=7)
TOKEN_TTL = timedelta(minutes=15)

#: Operation -> (states it may start from, the state it leaves).
TRANSITIONS: Mapping[str, tuple[frozenset[str], str]] = {
    "AssociateDelegationRequest": (frozenset({"UNASSIGNED"}), "ASSIGNED"),
    "UpdateDelegationRequest": (frozenset({"ASSIGNED", "PENDING_APPROVAL"}), "PENDING_APPROVAL"),
    "AcceptDelegationRequest": (frozenset({"ASSIGNED", "PENDING_APPROVAL"}), "ACCEPTED"),
    "RejectDelegationRequest": (frozenset({"UNASSIGNED", "ASSIGNED", "PENDING_APPROVAL", "ACCEPTED"}), "REJECTED"),
    "SendDelegationToken": (frozenset({"ACCEPTED"}), "FINALIZED"),
}
#: States a request leaves by expiring.
EXPIRING = frozenset({"UNASSIGNED", "ASSIGNED", "PENDING_APPROVAL", "ACCEPTED", "REJECTED"})
_CHANNEL_FILE = re.compile(r"[^A-Za-z0-9_.-]")


def request_arn(requestor_account_id: str, request_id: str) -> str:
    return arns.delegation_request(requestor_account_id, request_id)


def new_request_id() -> str:
    return "dr-" + secrets.token_hex(16)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Request:
    row: Row[Any]

    @property
    def request_id(self) -> str:
        return str(self.row.request_id)

    @property
    def arn(self) -> str:
        return request_arn(self.row.requestor_account_id, self.row.request_id)

    def state(self, now: datetime) -> str:
        """The stored state, or EXPIRED once its time has passed."""
        expires = utc(self.row.expires_at)
        if self.row.state in EXPIRING and expires is not None and expires <= now:
            return "EXPIRED"
        return str(self.row.state)


def load(conn: Connection, request_id: str) -> Request | None:
    t = schema.delegation_requests
    row = conn.execute(select(t).where(t.c.request_id == request_id)).first()
    return Request(row) if row is not None else None


def transition(conn: Connection, request: Request, op: str, now: datetime, **values: Any) -> bool:
    """Move ``request`` along ``op``'s edge if it is still in a state the edge starts
    from (a conditional write); False if it was not."""
    sources, target = TRANSITIONS[op]
    if request.state(now) not in sources:
        return False
    t = schema.delegation_requests
    changed = conn.execute(
        update(t)
        .where(t.c.request_id == request.request_id, t.c.state.in_(sources), t.c.expires_at > now)
        .values(state=target, updated_at=now, **values)
    ).rowcount
    return changed == 1


def deliver(data_dir: Path, channel: str, message: Mapping[str, Any]) -> Path:
    """Append the notification to the channel's file (created 0600)."""
    folder = data_dir / "notifications"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / (_CHANNEL_FILE.sub("_", channel) + ".jsonl")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(message, separators=(",", ":"), default=str) + "\n")
    return path


def new_token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")
