"""IAM access keys through boto3: lifecycle, quota, immediate deactivation, last used."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from credmint import ids
from tests.iam.fixtures_a import Env, iam_env, unique, user_env

pytestmark = pytest.mark.e2e
__all__ = ["iam_env"]


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    r = exc.value.response
    return r["Error"]["Code"], r["Error"].get("Message", ""), r["ResponseMetadata"]["HTTPStatusCode"]


def test_create_list_quota(iam_env: Env) -> None:
    iam = iam_env.client()
    name = unique("keys")
    iam.create_user(UserName=name)
    first = iam.create_access_key(UserName=name)["AccessKey"]
    assert first["UserName"] == name
    assert first["Status"] == "Active"
    assert ids.is_long_term_access_key_id(first["AccessKeyId"])
    assert ids.account_from_access_key_id(first["AccessKeyId"]) == iam_env.account_id
    assert ids.is_secret_access_key(first["SecretAccessKey"])
    second = iam.create_access_key(UserName=name)["AccessKey"]

    with pytest.raises(iam.exceptions.LimitExceededException) as exc:
        iam.create_access_key(UserName=name)
    assert error(exc) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)

    listed = iam.list_access_keys(UserName=name)
    assert {k["AccessKeyId"] for k in listed["AccessKeyMetadata"]} == {first["AccessKeyId"], second["AccessKeyId"]}
    assert all("SecretAccessKey" not in k for k in listed["AccessKeyMetadata"])
    assert all(k["UserName"] == name and k["Status"] == "Active" for k in listed["AccessKeyMetadata"])
    pages = list(iam.get_paginator("list_access_keys").paginate(UserName=name, PaginationConfig={"PageSize": 1}))
    assert len(pages) == 2

    with pytest.raises(iam.exceptions.NoSuchEntityException) as exc:
        iam.create_access_key(UserName=unique("ghost"))
    assert error(exc)[0] == "NoSuchEntity"


def test_user_key_works_and_inactive_key_is_refused_at_once(iam_env: Env) -> None:
    iam = iam_env.client()
    name = unique("active")
    as_user, key = user_env(iam_env, name)
    user_iam = as_user.client()
    # No permissions: AccessDenied proves the key itself was accepted.
    with pytest.raises(ClientError) as exc:
        user_iam.list_access_keys()
    assert error(exc)[0] == "AccessDenied"

    iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert iam.list_access_keys(UserName=name)["AccessKeyMetadata"][0]["Status"] == "Inactive"
    with pytest.raises(ClientError) as exc:
        user_iam.list_access_keys()
    assert error(exc)[:2] == ("InvalidClientTokenId", "The security token included in the request is invalid")

    iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Active")
    with pytest.raises(ClientError) as exc:
        user_iam.list_access_keys()
    assert error(exc)[0] == "AccessDenied"

    iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    with pytest.raises(ClientError) as exc:
        user_iam.list_access_keys()
    assert error(exc)[0] == "InvalidClientTokenId"


def test_key_of_another_user_is_not_found(iam_env: Env) -> None:
    iam = iam_env.client()
    a, b = unique("ka"), unique("kb")
    iam.create_user(UserName=a)
    iam.create_user(UserName=b)
    key = iam.create_access_key(UserName=a)["AccessKey"]["AccessKeyId"]
    with pytest.raises(iam.exceptions.NoSuchEntityException) as exc:
        iam.delete_access_key(UserName=b, AccessKeyId=key)
    assert error(exc) == ("NoSuchEntity", f"The Access Key with id {key} cannot be found.", 404)
    with pytest.raises(iam.exceptions.NoSuchEntityException) as exc:
        iam.update_access_key(UserName=b, AccessKeyId=key, Status="Inactive")
    assert error(exc) == ("NoSuchEntity", f"The Access Key with id {key} cannot be found.", 404)
    missing = ids.new_access_key_id(iam_env.account_id, temporary=False)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_access_key_last_used(AccessKeyId=missing)


def test_root_keys_without_user_name(iam_env: Env) -> None:
    iam = iam_env.client()
    keys = iam.list_access_keys()["AccessKeyMetadata"]
    assert iam_env.access_key_id in {k["AccessKeyId"] for k in keys}
    assert all("UserName" not in k for k in keys)


def test_last_used_is_tracked(iam_env: Env) -> None:
    iam = iam_env.client()
    name = unique("lastused")
    as_user, key = user_env(iam_env, name)
    never = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert never["UserName"] == name
    assert never["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}

    before = datetime.now(UTC) - timedelta(seconds=2)
    with pytest.raises(ClientError):
        as_user.client().get_user()  # denied, but the key was used
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert used["ServiceName"] == "iam"
    assert used["Region"] == "us-east-1"
    assert used["LastUsedDate"] >= before.replace(microsecond=0)

    # The root key's own use shows too (this very call used it).
    root = iam.get_access_key_last_used(AccessKeyId=iam_env.access_key_id)
    assert "UserName" not in root
    assert root["AccessKeyLastUsed"]["ServiceName"] == "iam"


# --- the recorder itself, on a store --------------------------------------------------------


def test_recorder_flush_keeps_latest(tmp_path: Path) -> None:
    from sqlalchemy import select

    from credmint.accounts import create_account
    from credmint.sealing import MasterKey
    from credmint.store import schema
    from credmint.store.db import Store, sqlite_url
    from credmint.store.migrate import upgrade
    from credmint.store.usage import LastUsedRecorder

    store = Store(sqlite_url(tmp_path))
    upgrade(store)
    t0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    creds = create_account(store, MasterKey.generate(), t0)
    changes: list[int] = []
    store.on_change(lambda _changes: changes.append(1))

    rec = LastUsedRecorder()
    assert rec.flush(store) == 0

    def hammer(i: int) -> None:
        for j in range(200):
            rec.record(creds.access_key_id, "iam", "us-east-1", t0 + timedelta(seconds=i * 1000 + j))

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rec.record(creds.access_key_id, "sts", "eu-west-1", t0 + timedelta(seconds=1))  # older: ignored
    assert rec.flush(store) == 1
    assert rec.pending() == 0
    k = schema.access_keys
    with store.read() as conn:
        row = conn.execute(select(k).where(k.c.access_key_id == creds.access_key_id)).one()
    assert row.last_used_service == "iam"
    assert row.last_used_at.replace(tzinfo=UTC) == t0 + timedelta(seconds=3199)
    # An older use flushed later (another node's late batch) does not move it back.
    rec.record(creds.access_key_id, "s3", "us-west-2", t0)
    rec.flush(store)
    with store.read() as conn:
        row = conn.execute(select(k).where(k.c.access_key_id == creds.access_key_id)).one()
    assert row.last_used_service == "iam"
    # The flush does not fire this node's change listeners (credential cache stays).
    assert changes == []
    store.close()
