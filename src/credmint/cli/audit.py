"""``credmint audit tail`` and ``credmint audit search``: the audit trail for the operator.

``tail`` reads this node's JSON-lines files (every worker's, in the order their files
were begun; with ``--follow`` it polls them, and new ones, for appended lines). ``search``
reads the ``audit_events`` table, so it sees every node sharing the database, across
accounts (calls whose key was not recognised belong to no account and are in the files only).
"""

from __future__ import annotations

import re
import sys
import time
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from credmint.audit import query
from credmint.audit.sink import audit_files
from credmint.store.db import Store

#: How often ``tail --follow`` looks for appended lines.
FOLLOW_SECONDS = 0.5
#: Longest line ``tail`` prints whole (records are bounded well below it).
MAX_LINE = 1024 * 1024

_AGE = re.compile(r"\A(\d{1,6})([smhd])\Z")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class UsageError(ValueError):
    pass


def parse_time(text: str, now: datetime) -> datetime:
    """An ISO 8601 time (UTC when no offset is given), or an age such as ``30m``, ``6h``, ``2d``."""
    m = _AGE.match(text.strip())
    if m:
        try:
            return now - timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])
        except OverflowError:
            raise UsageError(f"too long ago: {text!r}") from None
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"not a time or an age: {text!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def search(
    store: Store,
    *,
    account_id: str | None,
    event_name: str | None,
    user: str | None,
    access_key_id: str | None,
    event_source: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[str]:
    """The matching records (JSON text), newest first."""
    wanted = (
        ("EventName", event_name),
        ("Username", user),
        ("AccessKeyId", access_key_id),
        ("EventSource", event_source),
    )
    found = query.lookup(
        store,
        query.Lookup(
            account_id=account_id,
            limit=limit,
            attributes=tuple((k, v) for k, v in wanted if v is not None),
            start_ms=int(since.timestamp() * 1000) if since else None,
            end_ms=int(until.timestamp() * 1000) if until else None,
        ),
    )
    return [e.record for e in found]


def tail(directory: Path, lines: int, follow: bool) -> int:
    """Print the last ``lines`` records; with ``follow``, then every record appended."""
    if lines < 0:
        raise UsageError("--lines must not be negative")
    offsets: dict[Path, int] = {}
    last: deque[str] = deque(maxlen=lines)
    for path in audit_files(directory):
        last.extend(_read_new(path, offsets))
    _emit(last)
    while follow:
        time.sleep(FOLLOW_SECONDS)
        for path in audit_files(directory):
            _emit(_read_new(path, offsets))
    return 0


def _read_new(path: Path, offsets: dict[Path, int]) -> list[str]:
    """The complete lines appended to ``path`` since the last read (a line still being
    written waits for its newline)."""
    start = offsets.get(path, 0)
    try:
        with path.open("rb") as fh:
            fh.seek(start)
            data = fh.read()
    except FileNotFoundError:  # moved away by a shipper
        offsets.pop(path, None)
        return []
    end = data.rfind(b"\n") + 1
    offsets[path] = start + end
    return [line.decode("utf-8", "replace") for line in data[:end].splitlines() if 0 < len(line) <= MAX_LINE]


def _emit(lines: Iterable[str]) -> None:
    out = sys.stdout
    for line in lines:
        out.write(line + "\n")
    out.flush()
