"""Text no database holds — a NUL (PostgreSQL's text refuses it) or a lone surrogate (no
UTF-8 holds one) — sent by real clients to every protocol, on SQLite and PostgreSQL alike:
answered with AWS's error for bad input, never a 500, and the audit trail still stores
every record (one row the database refused used to fail its batch and each batch after)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, start_server

pytestmark = pytest.mark.e2e

POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    url = None if request.param == "sqlite" else request.getfixturevalue("pg_url")
    srv = start_server(tmp_path / "d", database_url=url, extra_env={"CREDMINT_AUDIT_FLUSH_MS": "100"})
    yield srv
    srv.stop()


#: (service, the call, the error code AWS's clients see)
CASES: list[tuple[str, Callable[[Any], object], str]] = [
    ("s3", lambda c: c.put_object(Bucket="unstorable", Key="a\x00b", Body=b"x"), "InvalidURI"),
    ("s3", lambda c: c.get_object(Bucket="unstorable", Key="\x00"), "InvalidURI"),
    ("s3", lambda c: c.list_objects_v2(Bucket="unstorable", Prefix="a\x00"), "InvalidArgument"),
    (
        "s3",
        lambda c: c.list_object_versions(Bucket="unstorable", KeyMarker="k", VersionIdMarker="\x00"),
        "InvalidArgument",
    ),
    ("s3", lambda c: c.copy_object(Bucket="unstorable", Key="k", CopySource="unstorable/a\x00"), "InvalidArgument"),
    ("iam", lambda c: c.get_user(UserName="a\x00"), "ValidationError"),
    # A member the model gives no pattern: the NUL is refused on its own.
    ("iam", lambda c: c.get_workload_identity_provider_deletion_status(DeletionTaskId="t\x00"), "ValidationError"),
    (
        "organizations",
        lambda c: c.create_policy(Name="p\x00", Description="d", Content=POLICY, Type="SERVICE_CONTROL_POLICY"),
        "SerializationException",
    ),
    (
        "organizations",
        lambda c: c.create_policy(Name="p\udce9", Description="d", Content=POLICY, Type="SERVICE_CONTROL_POLICY"),
        "SerializationException",
    ),
    (
        "cloudtrail",
        lambda c: c.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "\x00"}]),
        "SerializationException",
    ),
]


def test_text_no_database_holds_is_refused_and_never_a_500(server: Server) -> None:
    server.client("s3").create_bucket(Bucket="unstorable")
    server.client("organizations").create_organization(FeatureSet="ALL")
    for service, call, code in CASES:
        with pytest.raises(ClientError) as exc:
            call(server.client(service))
        assert exc.value.response["Error"]["Code"] == code, (service, exc.value.response)
    # Stored state is intact, and the trail still stores what comes after.
    s3 = server.client("s3")
    s3.put_object(Bucket="unstorable", Key="after", Body=b"ok")
    assert s3.get_object(Bucket="unstorable", Key="after")["Body"].read() == b"ok"
    cloudtrail = server.client("cloudtrail")
    for _ in range(50):
        names = {e["EventName"] for e in cloudtrail.lookup_events(MaxResults=50)["Events"]}
        if {"GetUser", "CreatePolicy", "CreateBucket"} <= names:
            break
        time.sleep(0.1)
    assert {"GetUser", "CreatePolicy", "CreateBucket"} <= names
