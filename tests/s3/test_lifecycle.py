"""S3 lifecycle: the configuration API end to end (boto3, AWS CLI), the rules applied by a
pass of the background task at a chosen time, and one lease across several nodes on
PostgreSQL.

A pass reads the running server's store directly (``lifecycle_task.run_pass`` with ``now``
some days ahead), and the effect is checked through the server with boto3."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.s3 import lifecycle_task
from credmint.s3.blobs import BlobStore
from credmint.settings import Settings
from credmint.store import migrate
from credmint.store.db import Store
from tests.conftest import Server
from tests.s3.helpers import aws_cli, error_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def store(server: Server) -> Iterator[Store]:
    settings = Settings.from_env(server.env)
    opened = Store(settings.store_url)
    yield opened
    opened.close()


def _pass(server: Server, store: Store, days: float) -> lifecycle_task.PassResult:
    blobs = BlobStore(Path(server.data_dir).resolve() / "objects")
    return lifecycle_task.run_pass(store, blobs, datetime.now(UTC) + timedelta(days=days))


def _code(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as e:
        fn(**kwargs)
    code, _, status = error_of(e)
    return code, status


def test_configuration_roundtrip_and_refusals(server: Server, s3: Any, bucket: str) -> None:
    assert _code(s3.get_bucket_lifecycle_configuration, Bucket=bucket) == ("NoSuchLifecycleConfiguration", 404)
    rules = [
        {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30}},
        {
            "ID": "old",
            "Status": "Disabled",
            "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "t", "Value": "1"}]}},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 7, "NewerNoncurrentVersions": 2},
        },
        {"ID": "mpu", "Status": "Enabled", "Filter": {}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [r["ID"] for r in got] == ["logs", "old", "mpu"]
    assert got[0]["Expiration"] == {"Days": 30} and got[0]["Filter"] == {"Prefix": "logs/"}
    assert got[1]["Filter"]["And"]["Tags"] == [{"Key": "t", "Value": "1"}]
    assert got[1]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 7, "NewerNoncurrentVersions": 2}
    out = aws_cli(server, "s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket)
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["Rules"]) == 3
    refused: dict[str, tuple[dict[str, Any], tuple[str, int]]] = {
        "IA before 30 days": ({"Transitions": [{"Days": 29, "StorageClass": "STANDARD_IA"}]}, ("InvalidArgument", 400)),
        "noncurrent IA before 30 days": (
            {"NoncurrentVersionTransitions": [{"NoncurrentDays": 1, "StorageClass": "ONEZONE_IA"}]},
            ("InvalidArgument", 400),
        ),
        "unknown class": ({"Transitions": [{"Days": 1, "StorageClass": "TAPE"}]}, ("MalformedXML", 400)),
        "class twice": (
            {"Transitions": [{"Days": 1, "StorageClass": "GLACIER"}, {"Days": 9, "StorageClass": "GLACIER"}]},
            ("InvalidRequest", 400),
        ),
        "expiration before transition": (
            {"Transitions": [{"Days": 10, "StorageClass": "GLACIER"}], "Expiration": {"Days": 10}},
            ("InvalidArgument", 400),
        ),
        "zero days": ({"Expiration": {"Days": 0}}, ("InvalidArgument", 400)),
        "not midnight": ({"Expiration": {"Date": datetime(2030, 1, 1, 12, tzinfo=UTC)}}, ("InvalidArgument", 400)),
        "no action": ({}, ("InvalidRequest", 400)),
    }
    for name, (action, expected) in refused.items():
        rule: dict[str, Any] = {"ID": "x", "Status": "Enabled", "Filter": {"Prefix": ""}, **action}
        got_error = _code(
            s3.put_bucket_lifecycle_configuration, Bucket=bucket, LifecycleConfiguration={"Rules": [rule]}
        )
        assert got_error == expected, name
    twice = [{"ID": "same", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}] * 2
    assert _code(s3.put_bucket_lifecycle_configuration, Bucket=bucket, LifecycleConfiguration={"Rules": twice}) == (
        "InvalidArgument",
        400,
    )
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert _code(s3.get_bucket_lifecycle_configuration, Bucket=bucket) == ("NoSuchLifecycleConfiguration", 404)


def test_expiration_header_names_the_rule_and_date(server: Server, s3: Any, bucket: str) -> None:
    rules = [
        {"ID": "short", "Status": "Enabled", "Filter": {"Prefix": "days1/"}, "Expiration": {"Days": 1}},
        {"ID": "long", "Status": "Enabled", "Filter": {"Prefix": "days"}, "Expiration": {"Days": 30}},
        {"ID": "tagged", "Status": "Enabled", "Filter": {"Tag": {"Key": "t", "Value": "1"}}, "Expiration": {"Days": 5}},
        {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": "off/"}, "Expiration": {"Days": 1}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    put = s3.put_object(Bucket=bucket, Key="days1/a", Body=b"x")
    created = s3.head_object(Bucket=bucket, Key="days1/a")["LastModified"]
    # The rule expiring it first, at the midnight (UTC) after one day.
    due = (created + timedelta(days=2)).replace(hour=0, minute=0, second=0)
    expected = f'expiry-date="{due.strftime("%a, %d %b %Y %H:%M:%S GMT")}", rule-id="short"'
    assert put["Expiration"] == expected
    assert s3.head_object(Bucket=bucket, Key="days1/a")["Expiration"] == expected
    assert s3.get_object(Bucket=bucket, Key="days1/a")["Expiration"] == expected
    out = aws_cli(server, "s3api", "head-object", "--bucket", bucket, "--key", "days1/a")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Expiration"] == expected
    assert 'rule-id="long"' in s3.put_object(Bucket=bucket, Key="days30", Body=b"x")["Expiration"]
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="t=1")
    assert 'rule-id="tagged"' in s3.head_object(Bucket=bucket, Key="t")["Expiration"]
    for key in ("off/a", "other"):
        assert "Expiration" not in s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        assert "Expiration" not in s3.head_object(Bucket=bucket, Key=key)


def test_legacy_prefix_rules_and_generated_ids(server: Server, s3: Any, bucket: str) -> None:
    """A rule stated with the top-level Prefix comes back in that form; a rule without an ID
    gets one from S3."""
    rules = [
        {"ID": "old-style", "Prefix": "logs/", "Status": "Enabled", "Expiration": {"Days": 31}},
        {"Prefix": "tmp/", "Status": "Enabled", "Expiration": {"Days": 1}},
        {"ID": "new-style", "Filter": {"Prefix": "x/"}, "Status": "Enabled", "Expiration": {"Days": 2}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert got[0] == rules[0]
    assert got[1]["Prefix"] == "tmp/" and "Filter" not in got[1] and len(got[1]["ID"]) >= 16
    assert got[2] == rules[2]
    out = aws_cli(server, "s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Rules"][1]["ID"] == got[1]["ID"]


def test_transitions_are_stored_and_leave_objects_in_standard(
    server: Server, s3: Any, bucket: str, store: Store
) -> None:
    """S3 accepts Transition rules; credmint has one storage class, so they are stored and
    returned, and falling due changes nothing: the object stays readable, in STANDARD."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="logs/a", Body=b"old")
    s3.put_object(Bucket=bucket, Key="logs/a", Body=b"new")
    rules = [
        {
            "ID": "tiers",
            "Status": "Enabled",
            "Filter": {"Prefix": "logs/"},
            "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}],
            "NoncurrentVersionTransitions": [
                {"NoncurrentDays": 30, "StorageClass": "GLACIER_IR", "NewerNoncurrentVersions": 2}
            ],
            "Expiration": {"Days": 365},
        },
        {
            "ID": "dated",
            "Status": "Enabled",
            "Filter": {"Prefix": "archive/"},
            "Transitions": [{"Date": datetime(2030, 1, 1, tzinfo=UTC), "StorageClass": "DEEP_ARCHIVE"}],
        },
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert got[0]["Transitions"] == rules[0]["Transitions"]
    assert got[0]["NoncurrentVersionTransitions"] == rules[0]["NoncurrentVersionTransitions"]
    assert got[1]["Transitions"] == rules[1]["Transitions"]
    out = aws_cli(server, "s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket)
    assert out.returncode == 0, out.stderr
    assert [t["StorageClass"] for t in json.loads(out.stdout)["Rules"][0]["Transitions"]] == ["STANDARD_IA", "GLACIER"]
    done = _pass(server, store, 120)
    assert (done.expired, done.noncurrent_removed) == (0, 0)
    assert s3.get_object(Bucket=bucket, Key="logs/a")["Body"].read() == b"new"
    assert s3.head_object(Bucket=bucket, Key="logs/a").get("StorageClass", "STANDARD") == "STANDARD"
    assert {v["StorageClass"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]} == {"STANDARD"}


def test_expiration_on_an_unversioned_bucket(server: Server, s3: Any, bucket: str, store: Store) -> None:
    s3.put_object(Bucket=bucket, Key="logs/a", Body=b"a")
    s3.put_object(Bucket=bucket, Key="logs/big", Body=b"b" * 100)
    s3.put_object(Bucket=bucket, Key="keep/a", Body=b"k")
    rule = {
        "ID": "logs",
        "Status": "Enabled",
        "Filter": {"And": {"Prefix": "logs/", "ObjectSizeLessThan": 50}},
        "Expiration": {"Days": 2},
    }
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    assert _pass(server, store, 1).expired == 0  # not due yet (days round up to midnight)
    assert _pass(server, store, 3.1).expired == 1
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["keep/a", "logs/big"]


def test_expiration_and_noncurrent_versions_on_a_versioned_bucket(
    server: Server, s3: Any, bucket: str, store: Store
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=f"v{i}".encode())["VersionId"] for i in range(4)]
    rules = [
        {"ID": "cur", "Status": "Enabled", "Filter": {"Prefix": "k"}, "Expiration": {"Days": 10}},
        {
            "ID": "old",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1},
        },
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    done = _pass(server, store, 2.1)
    # Three noncurrent versions; the newest of them is kept (NewerNoncurrentVersions 1).
    assert done.noncurrent_removed == 2 and done.expired == 0
    listed = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [v["VersionId"] for v in listed] == [ids[3], ids[2]]
    # Past the current version's expiration: a delete marker on top, the data kept.
    assert _pass(server, store, 11.1).expired == 1
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k")
    assert error_of(e)[0] == "NoSuchKey"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=ids[3])["Body"].read() == b"v3"


def test_expired_delete_marker_and_multipart_abort(server: Server, s3: Any, bucket: str, store: Store) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v = s3.put_object(Bucket=bucket, Key="gone", Body=b"x")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="gone")
    s3.delete_object(Bucket=bucket, Key="gone", VersionId=v)  # the marker is now alone
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mpu")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="mpu", UploadId=upload, PartNumber=1, Body=b"part")
    rules = [
        {"ID": "m", "Status": "Enabled", "Filter": {}, "Expiration": {"ExpiredObjectDeleteMarker": True}},
        {"ID": "u", "Status": "Enabled", "Filter": {}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    first = _pass(server, store, 0)
    # A lone delete marker goes at the next pass; an upload waits for its days.
    assert first.markers_removed == 1 and first.uploads_aborted == 0
    assert _pass(server, store, 2.1).uploads_aborted == 1
    listed = s3.list_object_versions(Bucket=bucket)
    assert "DeleteMarkers" not in listed
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_locked_versions_are_not_expired(server: Server, s3: Any, store: Store) -> None:
    import uuid

    name = f"lifelock-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    v = s3.put_object(Bucket=name, Key="k", Body=b"x", ObjectLockLegalHoldStatus="ON")["VersionId"]
    s3.put_object(Bucket=name, Key="k", Body=b"y")
    rule = {"ID": "n", "Status": "Enabled", "Filter": {}, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [rule]})
    done = _pass(server, store, 5)
    assert done.noncurrent_removed == 0 and done.skipped_locked == 1
    assert s3.get_object(Bucket=name, Key="k", VersionId=v)["Body"].read() == b"x"


def test_aws_cli_configuration_and_expiration(server: Server, s3: Any, bucket: str, store: Store) -> None:
    """Rules put, read and deleted with the CLI; the pass (run at a chosen time, as above)
    expires what they name, and the CLI sees it gone."""

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return aws_cli(server, "s3api", *args, "--bucket", bucket)

    rules = [{"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 2}}]
    out = cli("put-bucket-lifecycle-configuration", "--lifecycle-configuration", json.dumps({"Rules": rules}))
    assert out.returncode == 0, out.stderr
    out = cli("get-bucket-lifecycle-configuration")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Rules"] == rules
    for key in ("logs/a", "keep/a"):
        assert cli("put-object", "--key", key).returncode == 0
    out = cli("head-object", "--key", "logs/a")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Expiration"].endswith('rule-id="logs"')
    assert _pass(server, store, 1).expired == 0  # not due yet
    assert _pass(server, store, 3.1).expired == 1
    out = cli("list-objects-v2")
    assert [o["Key"] for o in json.loads(out.stdout)["Contents"]] == ["keep/a"]
    out = cli("head-object", "--key", "logs/a")
    assert out.returncode != 0 and "404" in out.stderr
    zero = {"Rules": [{"ID": "z", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 0}}]}
    out = cli("put-bucket-lifecycle-configuration", "--lifecycle-configuration", json.dumps(zero))
    assert out.returncode != 0 and "(InvalidArgument)" in out.stderr
    out = cli("delete-bucket-lifecycle")
    assert out.returncode == 0, out.stderr
    out = cli("get-bucket-lifecycle-configuration")
    assert out.returncode != 0 and "(NoSuchLifecycleConfiguration)" in out.stderr


@pytest.mark.postgres
def test_one_lease_holder_among_nodes(pg_url: str) -> None:
    """Several nodes on one PostgreSQL offer to run the pass at once: exactly one gets the lease."""
    first = Store(pg_url)
    migrate.upgrade(first)
    nodes = [first, *(Store(pg_url) for _ in range(3))]
    now = datetime(2030, 1, 1, tzinfo=UTC)
    won: list[str] = []
    barrier = threading.Barrier(len(nodes))

    def offer(i: int, store: Store) -> None:
        barrier.wait()
        if lifecycle_task.acquire_lease(store, f"node-{i}", now, timedelta(minutes=10)):
            won.append(f"node-{i}")

    threads = [threading.Thread(target=offer, args=(i, s)) for i, s in enumerate(nodes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert len(won) == 1
        holder = won[0]
        others = [f"node-{i}" for i in range(len(nodes)) if f"node-{i}" != holder]
        # The holder renews; the others wait until the lease lapses.
        assert lifecycle_task.acquire_lease(nodes[0], holder, now + timedelta(minutes=5), timedelta(minutes=10))
        assert not lifecycle_task.acquire_lease(nodes[1], others[0], now + timedelta(minutes=9), timedelta(minutes=10))
        assert lifecycle_task.acquire_lease(nodes[1], others[0], now + timedelta(minutes=16), timedelta(minutes=10))
    finally:
        for s in nodes:
            s.close()


def test_the_server_runs_the_pass_in_the_background(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A node started with a short lifecycle interval applies a rule by itself."""
    import time

    from tests.conftest import start_server

    srv = start_server(
        tmp_path_factory.mktemp("lifecycle-node"), extra_env={"CREDMINT_S3_LIFECYCLE_INTERVAL_SECONDS": "0.5"}
    )
    try:
        s3 = srv.client("s3")
        s3.create_bucket(Bucket="background")
        s3.put_bucket_versioning(Bucket="background", VersioningConfiguration={"Status": "Enabled"})
        s3.delete_object(Bucket="background", Key="k")  # a delete marker, alone
        rule = {"ID": "m", "Status": "Enabled", "Filter": {}, "Expiration": {"ExpiredObjectDeleteMarker": True}}
        s3.put_bucket_lifecycle_configuration(Bucket="background", LifecycleConfiguration={"Rules": [rule]})
        deadline = time.monotonic() + 20
        while "DeleteMarkers" in s3.list_object_versions(Bucket="background"):
            assert time.monotonic() < deadline, "the background pass did not run"
            time.sleep(0.2)
    finally:
        srv.stop()
