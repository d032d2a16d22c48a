"""Handshake states against the store: expiry read from the clock, and the conditional write
that lets only one of two concurrent answers through."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from credmint import accounts, errors
from credmint.orgs import handshakes, model
from credmint.sealing import MasterKey
from credmint.store import migrate, schema
from credmint.store.db import Store, sqlite_url

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(sqlite_url(tmp_path))
    migrate.upgrade(s)
    yield s
    s.close()


def _handshake(store: Store) -> str:
    mgmt = accounts.create_account(store, MasterKey.generate(), NOW).account_id
    org_id, root_id, hs_id = model.new_org_id(), model.new_root_id(), model.new_handshake_id()
    with store.write() as conn:
        conn.execute(
            insert(schema.organizations).values(
                org_id=org_id, management_account_id=mgmt, feature_set="ALL", root_id=root_id, created_at=NOW
            )
        )
        conn.execute(
            insert(schema.org_handshakes).values(
                handshake_id=hs_id,
                org_id=org_id,
                action=model.INVITE,
                state=model.OPEN,
                target_type="ACCOUNT",
                target="123456789012",
                target_key="123456789012",
                requested_at=NOW,
                expires_at=NOW + timedelta(days=15),
                updated_at=NOW,
            )
        )
    return hs_id


def _row(store: Store, hs_id: str) -> Any:
    h = schema.org_handshakes
    with store.read() as conn:
        return conn.execute(select(h).where(h.c.handshake_id == hs_id)).one()


def test_expiry_is_read_from_the_clock(store: Store) -> None:
    row = _row(store, _handshake(store))
    assert handshakes.state_of(row, NOW + timedelta(days=15) - timedelta(seconds=1)) == model.OPEN
    assert handshakes.state_of(row, NOW + timedelta(days=15)) == model.EXPIRED


def test_only_one_of_two_concurrent_answers_succeeds(store: Store) -> None:
    hs_id = _handshake(store)
    # Both answers read the handshake OPEN; the first to write wins.
    first, second = _row(store, hs_id), _row(store, hs_id)
    with store.write() as conn:
        handshakes.set_state(conn, first, model.ACCEPTED, NOW)
    with pytest.raises(errors.AwsError) as exc, store.write() as conn:
        handshakes.set_state(conn, second, model.CANCELED, NOW)
    assert exc.value.code == "ConcurrentModificationException"
    assert _row(store, hs_id).state == model.ACCEPTED
