"""The access advisor's recorder: coalescing, ordering and its bound (unit tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credmint.iam.access_advisor import allowed_actions, allowed_services
from credmint.ids import AccountId, UniqueId
from credmint.store.last_accessed import AccessRecorder

T0 = datetime(2026, 1, 1, tzinfo=UTC)

ACCOUNT = AccountId("111111111111")
AIDA1 = UniqueId("AIDA1")


def test_uses_of_one_pair_coalesce_and_an_older_one_never_wins() -> None:
    rec = AccessRecorder()
    rec.record(ACCOUNT, AIDA1, "arn:u", "iam:ListUsers", "us-east-1", T0)
    rec.record(ACCOUNT, AIDA1, "arn:u", "IAM:listusers", "eu-west-1", T0 + timedelta(seconds=1))
    rec.record(ACCOUNT, AIDA1, "arn:u", "iam:ListUsers", "ap-south-1", T0)
    assert rec.pending() == 1
    ((_, use),) = rec._pending.items()
    assert use.region == "eu-west-1"


def test_pending_pairs_are_bounded() -> None:
    """The guardrail: past the bound new pairs are dropped (and counted) until a flush,
    while a pair already pending still takes a newer use."""
    rec = AccessRecorder(max_pending=3)
    for i in range(10):
        rec.record(ACCOUNT, UniqueId(f"AIDA{i}"), "arn:u", "iam:GetUser", "us-east-1", T0)
    assert rec.pending() == 3 and rec.dropped == 7
    rec.record(ACCOUNT, UniqueId("AIDA0"), "arn:u", "iam:GetUser", "eu-west-1", T0 + timedelta(seconds=5))
    assert rec._pending[("111111111111", "AIDA0", "iam:getuser")].region == "eu-west-1"


SERVED = ("iam", "s3", "sts", "organizations")


def test_allowed_services() -> None:
    def doc(*statements: str) -> str:
        return '{"Version":"2012-10-17","Statement":[' + ",".join(statements) + "]}"

    assert allowed_services(doc('{"Effect":"Allow","Action":"*","Resource":"*"}'), SERVED) == set(SERVED)
    assert allowed_services(doc('{"Effect":"Allow","Action":["s3:Get*","EC2:Describe*"],"Resource":"*"}'), SERVED) == {
        "s3",
        "ec2",
    }
    assert allowed_services(doc('{"Effect":"Allow","Action":"s*:*","Resource":"*"}'), SERVED) == {"s3", "sts"}
    assert allowed_services(doc('{"Effect":"Deny","Action":"*","Resource":"*"}'), SERVED) == set()
    not_iam = doc('{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}')
    assert allowed_services(not_iam, SERVED) == {"s3", "sts", "organizations"}
    # A NotAction naming one action leaves the rest of the service allowed.
    assert "iam" in allowed_services(doc('{"Effect":"Allow","NotAction":"iam:GetUser","Resource":"*"}'), SERVED)
    assert allowed_services("not json", SERVED) == set()


def test_allowed_actions() -> None:
    document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:list*","Resource":"*"}]}'
    assert allowed_actions(document, "iam", ["ListUsers", "GetUser", "ListRoles"]) == ["iam:ListRoles", "iam:ListUsers"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_flush_upserts_and_never_moves_back_in_time(backend: str, tmp_path: Any, request: Any) -> None:
    from sqlalchemy import select

    from credmint.store import schema
    from credmint.store.db import Store, sqlite_url
    from credmint.store.migrate import upgrade

    url = sqlite_url(tmp_path) if backend == "sqlite" else request.getfixturevalue("pg_url")
    store = Store(url)
    upgrade(store)
    try:
        rec = AccessRecorder()
        rec.record(ACCOUNT, AIDA1, "arn:u", "iam:ListUsers", "us-east-1", T0 + timedelta(hours=1))
        assert rec.flush(store) == 1
        # Another node's older attempt arrives later: the row keeps the newer one.
        older = AccessRecorder()
        older.record(ACCOUNT, AIDA1, "arn:u", "iam:ListUsers", "eu-west-1", T0)
        older.record(ACCOUNT, AIDA1, "arn:u", "s3:GetObject", "eu-west-1", T0)
        assert older.flush(store) == 2
        t = schema.service_last_accessed
        with store.read() as conn:
            rows = {r.action: r for r in conn.execute(select(t)).all()}
        assert set(rows) == {"iam:listusers", "s3:getobject"}
        assert rows["iam:listusers"].region == "us-east-1" and rows["s3:getobject"].service == "s3"
        newer = AccessRecorder()
        newer.record(ACCOUNT, AIDA1, "arn:u2", "iam:ListUsers", "ap-south-1", T0 + timedelta(hours=2))
        newer.flush(store)
        with store.read() as conn:
            row = conn.execute(select(t).where(t.c.action == "iam:listusers")).one()
        assert (row.region, row.entity_arn) == ("ap-south-1", "arn:u2")
    finally:
        store.close()
