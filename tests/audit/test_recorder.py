"""The recorder: once per request, bounded queue, a failing sink never fails a call."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from credmint.access.principal import Principal, PrincipalKind
from credmint.audit import query, recorder
from credmint.audit.record import RequestFacts
from credmint.audit.recorder import AuditRecorder
from credmint.clock import FixedClock
from credmint.httpreq import HttpRequest
from credmint.ids import AccessKeyId, AccountId, UniqueId
from credmint.settings import Settings
from credmint.store import migrate
from credmint.store.db import Store, sqlite_url

NOW = datetime(2026, 1, 1, tzinfo=UTC)
USER = Principal(
    PrincipalKind.USER,
    AccountId("123456789012"),
    "arn:aws:iam::123456789012:user/a",
    "AIDA1",
    "a",
    AccessKeyId("AKIA1"),
    UniqueId("AIDA1"),
)


def facts(operation: str | None = "CreateUser", service: str = "iam", **kw: object) -> RequestFacts:
    req = HttpRequest("POST", "/", "", (("host", "h"),), b"", "127.0.0.1")
    kw.setdefault("principal", USER)
    return RequestFacts(req, "rid", service, operation=operation, **kw)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(sqlite_url(tmp_path))
    migrate.upgrade(s)
    yield s
    s.close()


def make(store: Store, tmp_path: Path, **settings: object) -> AuditRecorder:
    s = replace(Settings(data_dir=tmp_path), **settings)  # type: ignore[arg-type]
    return AuditRecorder(s, store, FixedClock(NOW))


def lines(tmp_path: Path) -> list[str]:
    return [x for p in (tmp_path / "audit").glob("audit-*.jsonl") for x in p.read_text().splitlines()]


def test_recorded_once_to_file_and_store(store: Store, tmp_path: Path) -> None:
    r = make(store, tmp_path)
    r.record(facts())
    assert len(lines(tmp_path)) == 1
    assert query.lookup(store, query.Lookup(None, 10)) == []  # stored at the next flush
    r.close()
    [event] = query.lookup(store, query.Lookup(None, 10))
    assert event.record == lines(tmp_path)[0]


@pytest.mark.parametrize(
    ("settings", "f", "recorded"),
    [
        ({}, facts(operation=None), False),  # not a call
        ({}, facts(operation="PutObject", service="s3"), False),  # data events off
        ({"audit_data_events": True}, facts(operation="PutObject", service="s3"), True),
        ({}, facts(operation="CreateBucket", service="s3"), True),
        ({"audit_sink": "off"}, facts(), False),
    ],
)
def test_what_is_recorded(
    store: Store, tmp_path: Path, settings: dict[str, object], f: RequestFacts, recorded: bool
) -> None:
    r = make(store, tmp_path, **settings)
    r.record(f)
    r.close()
    assert len(query.lookup(store, query.Lookup(None, 10))) == (1 if recorded else 0)


def test_the_queue_is_bounded(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recorder, "MAX_PENDING", 5)
    r = make(store, tmp_path, audit_sink="off")
    r.enabled = True  # the store side alone
    for _ in range(8):
        r.record(facts())
    assert r.dropped == 3
    r.close()
    assert len(query.lookup(store, query.Lookup(None, 50))) == 5


def test_a_failing_sink_does_not_fail_the_call(store: Store, tmp_path: Path) -> None:
    (tmp_path / "audit").write_text("a file where the directory should be")
    r = make(store, tmp_path)
    r.record(facts())  # logged, not raised
    r.close()
    assert len(query.lookup(store, query.Lookup(None, 10))) == 1


def test_a_failing_store_keeps_the_batch(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = make(store, tmp_path)
    r.record(facts())

    def broken(*_: object) -> None:
        raise RuntimeError("database down")

    monkeypatch.setattr(query, "insert_rows", broken)
    r.flush()
    monkeypatch.undo()
    r.close()
    assert len(query.lookup(store, query.Lookup(None, 10))) == 1


def test_calls_of_no_account_go_to_the_file_only(store: Store, tmp_path: Path) -> None:
    r = make(store, tmp_path)
    r.record(facts(principal=None, access_key_id="AKIAUNKNOWN"))
    r.close()
    assert len(lines(tmp_path)) == 1
    assert query.lookup(store, query.Lookup(None, 10)) == []


# --- written(): the records of one event-loop turn, written together ----------------------


class _CountingSink:
    """Keeps each write: one write per call of ``write``."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def write(self, line: bytes, now: datetime) -> None:
        self.writes.append(line)

    def close(self) -> None:
        pass


def test_one_turns_records_go_out_in_one_write_before_any_answer(store: Store, tmp_path: Path) -> None:
    r = make(store, tmp_path)
    sink = _CountingSink()
    r._sink = sink
    seen_when_answering: list[int] = []

    async def request(i: int) -> None:
        await r.written(replace(facts(), request_id=f"rid-{i}"))
        # What the server does next is send the answer: the record must be written by now.
        seen_when_answering.append(b"".join(sink.writes).count(f'"rid-{i}"'.encode()))

    async def serve() -> None:
        await asyncio.gather(*(request(i) for i in range(5)))

    asyncio.run(serve())
    assert len(sink.writes) == 1
    assert sink.writes[0].count(b"\n") == 5
    assert seen_when_answering == [1] * 5
    r.close()
    assert len(query.lookup(store, query.Lookup(None, 10))) == 5


def test_a_record_that_cannot_be_built_fails_its_own_request_only(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = make(store, tmp_path)
    sink = _CountingSink()
    r._sink = sink
    from credmint.audit.record import build_record as real

    def build(f: RequestFacts, **kw: object) -> object:
        if f.request_id == "broken":
            raise ValueError("no record")
        return real(f, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(recorder, "build_record", build)

    async def serve() -> tuple[object, ...]:
        return await asyncio.gather(
            r.written(replace(facts(), request_id="ok-1")),
            r.written(replace(facts(), request_id="broken")),
            r.written(replace(facts(), request_id="ok-2")),
            return_exceptions=True,
        )

    outcomes = asyncio.run(serve())
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], ValueError)
    assert sink.writes[0].count(b"\n") == 2 and b'"broken"' not in sink.writes[0]
    r.close()


def test_no_record_for_what_is_not_a_call(store: Store, tmp_path: Path) -> None:
    r = make(store, tmp_path)
    sink = _CountingSink()
    r._sink = sink
    asyncio.run(r.written(facts(operation=None)))
    assert sink.writes == []
    r.close()
