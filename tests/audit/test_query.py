"""The stored trail: filters, paging order, account isolation, retention (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from credmint.audit import query
from credmint.audit.record import Summary
from credmint.store import migrate
from credmint.store.db import Store, sqlite_url
from credmint.store.schema import audit_events

T0 = datetime(2026, 1, 1, tzinfo=UTC)
A, B = "111111111111", "222222222222"


def summary(n: int, account: str | None = A, **kw: object) -> Summary:
    values: dict[str, object] = {
        "event_id": f"00000000-0000-4000-8000-{n:012d}",
        "event_time": T0 + timedelta(seconds=n // 2),  # pairs share a millisecond
        "account_id": account,
        "event_name": "CreateUser" if n % 2 else "GetCallerIdentity",
        "event_source": "iam.amazonaws.com",
        "read_only": n % 2 == 0,
        "username": "alice",
        "access_key_id": "AKIAEXAMPLE",
        "resources": (("AWS::IAM::User", f"user{n}"), ("AWS::IAM::Policy", "50%_off")),
    }
    values.update(kw)
    return Summary(**values)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = sqlite_url(tmp_path) if request.param == "sqlite" else request.getfixturevalue("pg_url")
    s = Store(url)
    migrate.upgrade(s)
    yield s
    s.close()


def fill(store: Store) -> None:
    rows = [query.row_of(summary(n), f'{{"n":{n}}}') for n in range(20)]
    rows.append(query.row_of(summary(99, account=B), "{}"))
    rows.append(query.row_of(summary(98, account=None), "{}"))
    query.insert_rows(store, rows)


def test_insert_does_not_signal_a_change(store: Store) -> None:
    seen: list[int] = []
    store.on_change(lambda _changes: seen.append(1))
    fill(store)
    assert seen == []


def test_pages_are_newest_first_without_repeats_or_gaps(store: Store) -> None:
    fill(store)
    seen: list[str] = []
    after = None
    while True:
        page = query.lookup(store, query.Lookup(A, 3, after=after))
        seen.extend(e.event_id for e in page)
        if len(page) < 3:
            break
        after = (page[-1].event_time_ms, page[-1].event_id)
    assert seen == [summary(n).event_id for n in reversed(range(20))]


@pytest.mark.parametrize(
    ("attribute", "count"),
    [
        (("EventName", "CreateUser"), 10),
        (("ReadOnly", "true"), 10),
        (("ReadOnly", "FALSE"), 10),
        (("ResourceName", "user7"), 1),
        (("ResourceName", "user"), 0),  # whole values only
        (("ResourceName", "50%_off"), 20),
        (("ResourceName", "5%"), 0),  # LIKE wildcards are literal
        (("ResourceType", "AWS::IAM::User"), 20),
        (("Username", "alice"), 20),
        (("AccessKeyId", "AKIAEXAMPLE"), 20),
        (("EventSource", "sts.amazonaws.com"), 0),
        (("EventId", "00000000-0000-4000-8000-000000000003"), 1),
    ],
)
def test_attributes(store: Store, attribute: tuple[str, str], count: int) -> None:
    fill(store)
    assert len(query.lookup(store, query.Lookup(A, 50, (attribute,)))) == count


def test_accounts_and_time_window(store: Store) -> None:
    fill(store)
    assert [e.event_id for e in query.lookup(store, query.Lookup(B, 50))] == [summary(99).event_id]
    everything = query.lookup(store, query.Lookup(None, 50))
    assert len(everything) == 22
    start = int((T0 + timedelta(seconds=2)).timestamp() * 1000)
    end = int((T0 + timedelta(seconds=3)).timestamp() * 1000)
    assert len(query.lookup(store, query.Lookup(A, 50, start_ms=start, end_ms=end))) == 4


def test_retention(store: Store) -> None:
    fill(store)
    cutoff = int((T0 + timedelta(seconds=5)).timestamp() * 1000)
    assert query.prune(store, cutoff) == 10
    assert len(query.lookup(store, query.Lookup(A, 50))) == 10


def test_rows_name_every_column() -> None:
    assert sorted(query.COLUMNS) == sorted(c.name for c in audit_events.columns)
    assert len(query.row_of(summary(1), "{}")) == len(query.COLUMNS)


@pytest.mark.parametrize("extra", [0, 1])
def test_a_batch_larger_than_one_statement_is_stored_whole(store: Store, extra: int) -> None:
    # SQLite writes a batch in multi-row statements: rows on both sides of a statement's
    # boundary, with their values in their own columns, none lost or shifted.
    count = 2 * query.SQLITE_ROWS_PER_STATEMENT + extra
    rows = [query.row_of(summary(n), f'{{"n":{n}}}') for n in range(count)]
    query.insert_rows(store, rows)
    found = query.lookup(store, query.Lookup(account_id=A, limit=count + 1))
    assert len(found) == count
    made = [summary(n) for n in range(count)]
    expected = {s.event_id: (s.event_name, s.read_only, s.resources, f'{{"n":{n}}}') for n, s in enumerate(made)}
    assert {e.event_id: (e.event_name, e.read_only, e.resources, e.record) for e in found} == expected


@pytest.mark.parametrize(
    "text",
    ["nul\x00inside", "caf\udce9", "a\ud800b\x00", "\x00"],
    ids=["nul", "escaped-byte", "surrogate-and-nul", "only-nul"],
)
def test_a_requests_unstorable_text_is_stored_and_found(store: Store, text: str) -> None:
    """A NUL (PostgreSQL's text refuses it) or a lone surrogate (no UTF-8 holds one) in
    an indexed field is stored as U+FFFD, and a lookup with the same text finds it."""
    s = summary(1, username=text, resources=(("AWS::IAM::User", text),), event_name="CreateUser" + text)
    query.insert_rows(store, [query.row_of(s, "{}")])
    for key in ("Username", "ResourceName"):
        [event] = query.lookup(store, query.Lookup(A, 10, attributes=((key, text),)))
        assert event.username == query.storable(text)
        assert "\x00" not in event.username


@pytest.mark.parametrize("text", ["plain", "Zoë ✓", "名前"])
def test_storable_text_is_kept_as_it_is(text: str) -> None:
    assert query.storable(text) == text
