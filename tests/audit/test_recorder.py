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


# --- the record's text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"UserName": "plain"},
        {"UserName": "Zoë", "Tags": [{"Key": "名前", "Value": "値 ✓"}]},
        {"UserName": "q\"uote\\back\nline\x00\x1f"},
        {"MaxItems": 2**63 - 1, "Marker": 1.5e16, "Flag": True, "None": None},
    ],
    ids=["ascii", "non-ascii", "escapes", "numbers"],
)
def test_a_record_is_the_json_modules_document(params: dict[str, object]) -> None:
    """orjson writes the same document as the json module (byte for byte when ASCII)."""
    import json

    rec = {"eventName": "CreateUser", "requestParameters": params}
    data = recorder.record_json(rec)
    assert json.loads(data) == json.loads(json.dumps(rec))
    if all(not isinstance(v, float) for v in params.values()):
        # Non-ASCII as UTF-8, not escaped: the record is UTF-8 text.
        assert data.decode() == json.dumps(rec, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize(
    "value",
    ["\udcff", "a\ud800b", 2**70, -(2**64)],
    ids=["escaped-byte", "lone-surrogate", "big-int", "big-negative-int"],
)
def test_what_orjson_refuses_is_written_by_the_json_module(value: object) -> None:
    import json

    rec = {"requestParameters": {"UserName": value}}
    data = recorder.record_json(rec)
    assert data.isascii()
    assert json.loads(data) == rec


def test_a_request_whose_bytes_are_not_utf8_is_recorded(store: Store, tmp_path: Path) -> None:
    """A header or key read with surrogateescape (bytes that were not UTF-8) reaches the
    record as a lone surrogate: the record is written, and stored."""
    r = make(store, tmp_path)
    r.record(facts(params={"UserName": "caf\udce9"}, error_code="ValidationError", status=400))
    r.close()
    [line] = lines(tmp_path)
    assert "\\udce9" in line
    [event] = query.lookup(store, query.Lookup(None, 10))
    assert event.record == line


def test_a_row_the_database_refuses_does_not_hold_back_the_others(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused row is dropped from the LookupEvents view (the file has it); the rows
    beside it, and every batch after it, are stored."""
    r = make(store, tmp_path)
    insert = query.insert_rows

    def refusing(store: Store, rows: list[query.Row]) -> None:
        if any(row[6] == "poison" for row in rows):
            raise ValueError("refused")
        insert(store, rows)

    monkeypatch.setattr(query, "insert_rows", refusing)
    poison = replace(USER, name="poison")
    r.record(facts())
    r.record(facts(principal=poison))
    r.record(facts())
    r.flush()
    r.record(facts())
    r.flush()
    monkeypatch.undo()
    r.close()
    assert len(lines(tmp_path)) == 4
    assert len(query.lookup(store, query.Lookup(None, 10))) == 3
    assert r.dropped == 1


def test_a_lone_refused_row_waits_for_a_row_the_database_takes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no other row to tell a refused row from a database that refuses everything,
    the row is kept for the next flush, as for an outage."""
    r = make(store, tmp_path)

    def refusing(*_: object) -> None:
        raise ValueError("refused")

    monkeypatch.setattr(query, "insert_rows", refusing)
    r.record(facts())
    r.flush()
    r.flush()
    monkeypatch.undo()
    r.close()
    assert len(query.lookup(store, query.Lookup(None, 10))) == 1
    assert r.dropped == 0
