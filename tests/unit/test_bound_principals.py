"""Binding policy principals to entity ids at write time, and rendering them at read time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, delete, insert

from credmint import bound_principals, errors
from credmint.store import migrate, schema
from credmint.store.db import Store, sqlite_url

ACCOUNT, FOREIGN = "111122223333", "999988887777"
USER_ID, ROLE_ID = "AIDAAAAAAAAAAAAAAAAAA", "AROABBBBBBBBBBBBBBBBB"
USER = f"arn:aws:iam::{ACCOUNT}:user/team/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deploy"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[Connection]:
    store = Store(sqlite_url(tmp_path))
    migrate.upgrade(store)
    with store.write() as c:
        c.execute(
            insert(schema.accounts).values(account_id=ACCOUNT, name="a", canonical_user_id="c" * 64, created_at=NOW)
        )
        c.execute(
            insert(schema.users).values(
                user_id=USER_ID,
                account_id=ACCOUNT,
                name="alice",
                name_key="alice",
                path="/team/",
                arn=USER,
                created_at=NOW,
            )
        )
        c.execute(
            insert(schema.roles).values(
                role_id=ROLE_ID,
                account_id=ACCOUNT,
                name="deploy",
                name_key="deploy",
                path="/",
                arn=ROLE,
                trust_policy="{}",
                max_session_duration=3600,
                created_at=NOW,
            )
        )
        yield c
    store.close()


def _doc(*principals: Any, element: str = "Principal") -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", element: p, "Action": "*"} for p in principals]}
    )


def _refuse(value: str) -> errors.AwsError:
    return errors.MalformedPolicyDocument(f"refused {value}")


@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
def test_user_and_role_arns_bind_to_ids_and_render_back(conn: Connection, element: str) -> None:
    text = _doc({"AWS": USER}, {"AWS": [ROLE, ACCOUNT, "*"]}, element=element)
    stored = bound_principals.bind(conn, text, _refuse)
    assert stored == _doc({"AWS": USER_ID}, {"AWS": [ROLE_ID, ACCOUNT, "*"]}, element=element).replace(" ", "")
    assert json.loads(bound_principals.render(conn, stored)) == json.loads(text)
    conn.execute(delete(schema.users).where(schema.users.c.user_id == USER_ID))
    assert json.loads(bound_principals.render(conn, stored)) == json.loads(
        _doc({"AWS": USER_ID}, {"AWS": [ROLE, ACCOUNT, "*"]}, element=element)
    )


@pytest.mark.parametrize(
    "principal",
    [
        "*",
        {"AWS": "*"},
        {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        {"AWS": ACCOUNT},
        {"Service": "ec2.amazonaws.com"},
        {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/idp"},
        {"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/s"},
        # Another account's entities cannot be resolved here: stored as written.
        {"AWS": f"arn:aws:iam::{FOREIGN}:user/bob"},
    ],
)
def test_other_principals_are_stored_verbatim(conn: Connection, principal: Any) -> None:
    text = _doc(principal)
    assert bound_principals.bind(conn, text, _refuse) is text
    assert bound_principals.render(conn, text) is text


@pytest.mark.parametrize(
    "missing",
    [
        f"arn:aws:iam::{ACCOUNT}:user/bob",
        f"arn:aws:iam::{ACCOUNT}:user/alice",  # the path is part of the ARN
        f"arn:aws:iam::{ACCOUNT}:role/Deploy",
        USER + "\n",
    ],
)
def test_arn_of_no_entity_is_refused(conn: Connection, missing: str) -> None:
    with pytest.raises(errors.AwsError) as exc:
        bound_principals.bind(conn, _doc({"AWS": [ROLE, missing]}), _refuse)
    assert exc.value.message == f"refused {missing}"


@pytest.mark.parametrize(
    "text",
    [
        # Shapes the validator refuses never reach the store; rendering stored text must
        # still not trip over odd ones.
        json.dumps({"Statement": {"Principal": {"AWS": [1, None, USER_ID]}}}),
        json.dumps({"Statement": [None, "x", {"Principal": {"AWS": {"x": USER_ID}}}]}),
        json.dumps({"Statement": [{"Principal": ["AWS", USER_ID]}]}),
        json.dumps([USER_ID]),
        json.dumps({"Statement": [{"Principal": {"AWS": "AIDA" + "A" * 10_000}}]}),
    ],
)
def test_hostile_shapes_render_without_error(conn: Connection, text: str) -> None:
    out = bound_principals.render(conn, text)
    assert json.loads(out) is not None
    assert bound_principals.bind(conn, text, _refuse) is not None
