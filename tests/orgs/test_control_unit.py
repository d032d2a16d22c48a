"""The SCP/RCP lookup of the request path: levels, exemptions and the change signal."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from credmint import accounts
from credmint.orgs import ControlPolicies, model
from credmint.sealing import MasterKey
from credmint.store import migrate, schema
from credmint.store.db import Store, sqlite_url

NOW = datetime(2025, 1, 1, tzinfo=UTC)
DENY_S3 = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}'


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(sqlite_url(tmp_path))
    migrate.upgrade(s)
    yield s
    s.close()


def _account(store: Store) -> str:
    return accounts.create_account(store, MasterKey.generate(), NOW).account_id


def _organization(store: Store, mgmt: str, member: str, *, types: tuple[str, ...]) -> tuple[str, str, str]:
    org_id, root_id = model.new_org_id(), model.new_root_id()
    ou_id = model.new_ou_id(root_id)
    with store.write() as conn:
        conn.execute(
            insert(schema.organizations).values(
                org_id=org_id, management_account_id=mgmt, feature_set="ALL", root_id=root_id, created_at=NOW
            )
        )
        conn.execute(
            insert(schema.org_units).values(ou_id=ou_id, org_id=org_id, parent_id=root_id, name="ou", created_at=NOW)
        )
        for account, parent in ((mgmt, root_id), (member, ou_id)):
            conn.execute(
                insert(schema.org_accounts).values(
                    account_id=account, org_id=org_id, parent_id=parent, joined_method="CREATED", joined_at=NOW
                )
            )
        for t in types:
            conn.execute(insert(schema.org_policy_types).values(org_id=org_id, policy_type=t))
            for target in (root_id, ou_id, mgmt, member):
                conn.execute(
                    insert(schema.org_policy_attachments).values(
                        policy_id=model.FULL_ACCESS_BY_TYPE[t].policy_id, target_id=target, org_id=org_id, policy_type=t
                    )
                )
    return org_id, root_id, ou_id


def test_no_organization_means_no_guardrails(store: Store) -> None:
    cp = ControlPolicies(store)
    a = _account(store)
    assert cp.lookup(a, a, "s3:GetObject") == (None, None)


def test_levels_root_to_account_and_exemptions(store: Store) -> None:
    cp = ControlPolicies(store)
    mgmt, member, outsider = _account(store), _account(store), _account(store)
    org_id, _, ou_id = _organization(store, mgmt, member, types=(model.SCP, model.RCP))
    scps, rcps = cp.lookup(member, member, "s3:GetObject")
    assert scps is not None and rcps is not None
    assert [[p.policy_id for p in level] for level in scps] == [["p-FullAWSAccess"]] * 3
    assert [[p.policy_id for p in level] for level in rcps] == [["p-RCPFullAWSAccess"]] * 3
    # The management account is exempt from both; accounts outside the organization too.
    assert cp.lookup(mgmt, mgmt, "s3:GetObject") == (None, None)
    assert cp.lookup(outsider, outsider, "s3:GetObject") == (None, None)
    # RCPs only for the services they support.
    assert cp.lookup(member, member, "iam:CreateUser")[1] is None

    # A new attachment is seen after the store's change signal.
    with store.write() as conn:
        conn.execute(
            insert(schema.org_policies).values(
                policy_id="p-denys3aa", org_id=org_id, policy_type=model.SCP, name="d", description="", content=DENY_S3
            )
        )
        conn.execute(
            insert(schema.org_policy_attachments).values(
                policy_id="p-denys3aa", target_id=ou_id, org_id=org_id, policy_type=model.SCP
            )
        )
    scps, _ = cp.lookup(member, None, "s3:GetObject")
    assert scps is not None
    assert sorted(p.policy_id for p in scps[1]) == ["p-FullAWSAccess", "p-denys3aa"]


def test_lookup_cost(store: Store) -> None:
    """The hot path is a dict lookup; a miss costs one read transaction."""
    cp = ControlPolicies(store)
    mgmt, member = _account(store), _account(store)
    _organization(store, mgmt, member, types=(model.SCP,))
    t0 = time.perf_counter()
    cp.lookup(member, member, "s3:GetObject")
    miss = time.perf_counter() - t0
    n = 20_000
    t0 = time.perf_counter()
    for _ in range(n):
        cp.lookup(member, member, "s3:GetObject")
    hit = (time.perf_counter() - t0) / n
    print(f"control policy lookup: miss {miss * 1e3:.2f} ms, hit {hit * 1e6:.2f} us")
    assert hit < 50e-6
