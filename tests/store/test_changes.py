"""What a write changed: the topics each statement names, and the NOTIFY payload parser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, delete, insert, text, update

from credmint.store import changes as ch
from credmint.store import schema
from credmint.store.db import Store, sqlite_url
from credmint.store.migrate import upgrade

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(sqlite_url(tmp_path))
    upgrade(s)
    with s.write() as conn:
        conn.execute(
            insert(schema.accounts).values(
                account_id="111122223333", name="a", canonical_user_id="c" * 64, created_at=T0
            )
        )
        for uid in ("AIDAU1", "AIDAU2"):
            conn.execute(
                insert(schema.users).values(
                    user_id=uid,
                    account_id="111122223333",
                    name=uid,
                    name_key=uid.lower(),
                    path="/",
                    arn=f"arn:aws:iam::111122223333:user/{uid}",
                    created_at=T0,
                )
            )
    yield s
    s.close()


Stmt = Callable[[Connection], Any]

#: (what the write does, the statements, the topics it must name)
CASES: list[tuple[str, Stmt, frozenset[str]]] = [
    (
        "tag a user",
        lambda c: c.execute(
            insert(schema.tags).values(resource="AIDAU1", key_lower="k", key="K", value="v", position=0)
        ),
        frozenset({"entity:AIDAU1"}),
    ),
    (
        "untag by key list",
        lambda c: c.execute(
            delete(schema.tags).where(schema.tags.c.resource == "AIDAU2", schema.tags.c.key_lower.in_(["a", "b"]))
        ),
        frozenset({"entity:AIDAU2"}),
    ),
    (
        "deactivate a key",
        lambda c: c.execute(
            update(schema.access_keys).where(schema.access_keys.c.access_key_id == "AKIAX").values(status="Inactive")
        ),
        frozenset({"key:AKIAX"}),
    ),
    (
        "attach a managed policy",
        lambda c: c.execute(
            insert(schema.policy_attachments).values(
                policy_arn="arn:aws:iam::aws:policy/P",
                entity_id="AIDAU1",
                entity_type="user",
                account_id="111122223333",
            )
        ),
        frozenset({"entity:AIDAU1", "policy:arn:aws:iam::aws:policy/P"}),
    ),
    (
        "several rows at once",
        lambda c: c.execute(
            insert(schema.tags),
            [{"resource": r, "key_lower": "k", "key": "K", "value": "v", "position": 0} for r in ("AIDAU1", "AIDAU2")],
        ),
        frozenset({"entity:AIDAU1", "entity:AIDAU2"}),
    ),
    (
        "an S3-only write names nothing",
        lambda c: c.execute(delete(schema.objects).where(schema.objects.c.bucket == "b")),
        frozenset(),
    ),
    (
        "the keyring",
        lambda c: c.execute(update(schema.meta).where(schema.meta.c.key == "token_keys.active").values(value="k2")),
        frozenset({"token-keys"}),
    ),
    (
        "organizations",
        lambda c: c.execute(delete(schema.org_policies)),
        frozenset({"orgs"}),
    ),
    (
        "rows the rules cannot identify change everything",
        lambda c: c.execute(update(schema.users).where(schema.users.c.name_key == "aidau1").values(path="/x/")),
        ch.ALL,
    ),
    (
        "raw SQL changes everything",
        lambda c: c.execute(text("UPDATE users SET path = '/y/' WHERE 1 = 0")),
        ch.ALL,
    ),
    (
        "reads change nothing",
        lambda c: c.execute(text("SELECT 1")),
        frozenset(),
    ),
]


@pytest.mark.parametrize(("what", "stmt", "expected"), CASES, ids=[c[0] for c in CASES])
def test_write_names_what_it_changed(store: Store, what: str, stmt: Stmt, expected: frozenset[str]) -> None:
    seen: list[frozenset[str]] = []
    store.on_change(seen.append)
    with store.write() as conn:
        stmt(conn)
    assert seen == ([expected] if expected else [])


def test_a_rolled_back_write_signals_nothing(store: Store) -> None:
    seen: list[frozenset[str]] = []
    store.on_change(seen.append)
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.execute(insert(schema.tags).values(resource="AIDAU1", key_lower="k", key="K", value="v", position=0))
        raise RuntimeError("abort")
    assert seen == []


def test_every_table_has_a_rule() -> None:
    # A new table must be placed in the rules (or knowingly left to "everything").
    unplaced = [t for t in schema.metadata.tables if not t.startswith("org") and t not in ch.TABLE_TOPICS]
    assert unplaced == [] or set(unplaced) <= {"alembic_version"}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("entity:AIDAU1\nkey:AKIAX", frozenset({"entity:AIDAU1", "key:AKIAX"})),
        ("orgs", frozenset({"orgs"})),
        ("token-keys", frozenset({"token-keys"})),
        ("*", ch.ALL),
        ("entity:A\n*", ch.ALL),
    ],
)
def test_payload_round_trip(payload: str, expected: frozenset[str]) -> None:
    assert ch.decode(payload) == expected
    assert ch.decode(ch.encode(expected)) == expected


HOSTILE = [
    "",  # a bare NOTIFY (an older node)
    "bogus",
    "entity:",
    "entity:has space",
    "user:AIDA",
    "key:" + "A" * 3000,
    "entity:A\n",
    "entity:A\x00",
    "x" * 9000,
    "hb:",
    "hb:nothex:1.0",
    "hb:0123456789abcdef:nan",
    "hb:0123456789abcdef:inf",
    "hb:0123456789abcdef:" + "9" * 40,
    "hb:0123456789abcdef",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_garbled_payload_changes_everything(payload: str) -> None:
    assert ch.decode(payload) == ch.ALL


def test_heartbeat_payload() -> None:
    got = ch.decode(ch.heartbeat_payload("0123456789abcdef", 12.5))
    assert got == ch.Heartbeat("0123456789abcdef", 12.5)


def test_oversized_change_list_is_sent_as_everything() -> None:
    many = frozenset(f"entity:AIDA{i:020d}" for i in range(400))
    assert ch.encode(many) == "*"
    assert ch.encode(frozenset({"entity:A"})) == "entity:A"
