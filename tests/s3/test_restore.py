"""RestoreObject and archived objects (s3/restore.py): the request's rules from data, and
the whole cycle through boto3 — an archived object's data refused until restored, then
readable with its expiry named in x-amz-restore."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.errors import AwsError
from credmint.s3 import restore
from tests.conftest import Server
from tests.s3.helpers import aws_cli

# --- the request body ---------------------------------------------------------------------

GOOD = [
    (b"<RestoreRequest><Days>1</Days></RestoreRequest>", 1),
    (
        b'<RestoreRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Days>30</Days>'
        b"<GlacierJobParameters><Tier>Bulk</Tier></GlacierJobParameters></RestoreRequest>",
        30,
    ),
    (b"<RestoreRequest><Days> 7 </Days><Tier>Expedited</Tier></RestoreRequest>", 7),
]

#: (body, the error's code)
BAD = [
    (b"", "MalformedXML"),
    (b"<RestoreRequest>", "MalformedXML"),
    (b"<Restore><Days>1</Days></Restore>", "MalformedXML"),
    (b"<RestoreRequest></RestoreRequest>", "MalformedXML"),
    (b"<RestoreRequest><Days>0</Days></RestoreRequest>", "MalformedXML"),
    (b"<RestoreRequest><Days>-1</Days></RestoreRequest>", "MalformedXML"),
    (b"<RestoreRequest><Days>1.5</Days></RestoreRequest>", "MalformedXML"),
    (b"<RestoreRequest><Days>99999999999999999999</Days></RestoreRequest>", "MalformedXML"),
    ("<RestoreRequest><Days>١</Days></RestoreRequest>".encode(), "MalformedXML"),  # a digit, not ASCII
    (b"<RestoreRequest><Days>1</Days><Tier>Fast</Tier></RestoreRequest>", "MalformedXML"),
    (
        b"<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>standard</Tier></GlacierJobParameters>"
        b"</RestoreRequest>",
        "MalformedXML",
    ),
    (b'<!DOCTYPE r [<!ENTITY e "1">]><RestoreRequest><Days>&e;</Days></RestoreRequest>', "MalformedXML"),
    (b"<RestoreRequest><Type>SELECT</Type></RestoreRequest>", "NotImplemented"),
    (b"<RestoreRequest><Days>1</Days><OutputLocation/></RestoreRequest>", "NotImplemented"),
]


@pytest.mark.parametrize(("body", "days"), GOOD)
def test_restore_days(body: bytes, days: int) -> None:
    assert restore.restore_days(body) == days


@pytest.mark.parametrize(("body", "code"), BAD)
def test_a_bad_restore_request_is_refused(body: bytes, code: str) -> None:
    with pytest.raises(AwsError) as exc:
        restore.restore_days(body)
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("now", "days", "expires"),
    [
        (datetime(2026, 1, 1, 10, 30, tzinfo=UTC), 1, datetime(2026, 1, 3, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), 1, datetime(2026, 1, 2, tzinfo=UTC)),
        (datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC), 1, datetime(2026, 3, 2, tzinfo=UTC)),
    ],
)
def test_a_restored_copy_expires_at_the_next_midnight_utc(now: datetime, days: int, expires: datetime) -> None:
    assert restore.expiry(now, days) == expires


def test_an_expired_copy_is_no_copy() -> None:
    until = int(datetime(2026, 1, 3, tzinfo=UTC).timestamp())
    attributes = {"storage_class": "GLACIER", restore.RESTORED_UNTIL: until}
    before, after = datetime(2026, 1, 2, 23, 59, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC)
    assert restore.restore_header(attributes, before) == (
        'ongoing-request="false", expiry-date="Sat, 03 Jan 2026 00:00:00 GMT"'
    )
    restore.check_readable(attributes, before)
    assert restore.restore_header(attributes, after) is None
    with pytest.raises(AwsError) as exc:
        restore.check_readable(attributes, after)
    assert (exc.value.code, exc.value.status) == ("InvalidObjectState", 403)


@pytest.mark.parametrize("until", ["soon", float("nan"), float("inf"), None, [1]])
def test_a_stored_expiry_that_is_not_a_time_is_no_copy(until: object) -> None:
    attributes = {"storage_class": "DEEP_ARCHIVE", restore.RESTORED_UNTIL: until}
    assert restore.restored_until(attributes, datetime(2026, 1, 1, tzinfo=UTC)) is None


# --- end to end ---------------------------------------------------------------------------


def _code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("storage_class", sorted(restore.ARCHIVE_CLASSES))
def test_an_archived_object_is_read_once_restored(s3: Any, bucket: str, storage_class: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"data", StorageClass=storage_class)
    head = s3.head_object(Bucket=bucket, Key="cold")  # metadata stays readable
    assert head["StorageClass"] == storage_class and "Restore" not in head
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="cold")
    assert _code(exc) == ("InvalidObjectState", 403)
    assert exc.value.response["Error"]["StorageClass"] == storage_class
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/cold")
    assert _code(exc) == ("InvalidObjectState", 403)

    first = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 2})
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 202
    restored = s3.head_object(Bucket=bucket, Key="cold")["Restore"]
    assert restored.startswith('ongoing-request="false", expiry-date="') and restored.endswith(' 00:00:00 GMT"')
    got = s3.get_object(Bucket=bucket, Key="cold")
    assert got["Body"].read() == b"data" and got["Restore"] == restored
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/cold")
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"data"

    again = s3.restore_object(
        Bucket=bucket, Key="cold", RestoreRequest={"Days": 5, "GlacierJobParameters": {"Tier": "Bulk"}}
    )
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"] != restored  # the expiry moved


@pytest.mark.parametrize("storage_class", ["STANDARD", "GLACIER_IR", "STANDARD_IA"])
def test_an_object_not_archived_is_read_at_once_and_not_restored(s3: Any, bucket: str, storage_class: str) -> None:
    s3.put_object(Bucket=bucket, Key="warm", Body=b"data", StorageClass=storage_class)
    assert s3.get_object(Bucket=bucket, Key="warm")["Body"].read() == b"data"
    with pytest.raises(ClientError) as exc:
        s3.restore_object(Bucket=bucket, Key="warm", RestoreRequest={"Days": 1})
    assert _code(exc) == ("InvalidObjectState", 403)


def test_restoring_what_does_not_exist(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.restore_object(Bucket=bucket, Key="none", RestoreRequest={"Days": 1})
    assert _code(exc) == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as exc:  # the body is checked first
        s3.restore_object(Bucket=bucket, Key="none", RestoreRequest={"Days": 0})
    assert _code(exc) == ("MalformedXML", 400)


def test_a_version_is_restored_on_its_own(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="v", Body=b"old", StorageClass="GLACIER")["VersionId"]
    s3.put_object(Bucket=bucket, Key="v", Body=b"new", StorageClass="GLACIER")
    s3.restore_object(Bucket=bucket, Key="v", VersionId=old, RestoreRequest={"Days": 1})
    assert s3.get_object(Bucket=bucket, Key="v", VersionId=old)["Body"].read() == b"old"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="v")
    assert _code(exc) == ("InvalidObjectState", 403)


def test_aws_cli_storage_classes_and_restore(server: Server, s3: Any, bucket: str, tmp_path: Path) -> None:
    """The AWS CLI: `s3 cp --storage-class`, `s3api put-object --storage-class`, the
    refusals, `restore-object` and `head-object`'s Restore."""
    local = tmp_path / "f.txt"
    local.write_bytes(b"cold data")
    out = aws_cli(server, "s3", "cp", str(local), f"s3://{bucket}/cp-ia", "--storage-class", "STANDARD_IA")
    assert out.returncode == 0, out.stderr
    out = aws_cli(server, "s3api", "put-object", "--bucket", bucket, "--key", "cold", "--body", str(local),
                  "--storage-class", "DEEP_ARCHIVE")  # fmt: skip
    assert out.returncode == 0, out.stderr
    out = aws_cli(server, "s3api", "list-objects-v2", "--bucket", bucket)
    assert {o["Key"]: o["StorageClass"] for o in json.loads(out.stdout)["Contents"]} == {
        "cold": "DEEP_ARCHIVE",
        "cp-ia": "STANDARD_IA",
    }
    out = aws_cli(server, "s3api", "put-object", "--bucket", bucket, "--key", "bad", "--storage-class", "SNOW")
    assert out.returncode != 0 and "(InvalidStorageClass)" in out.stderr

    # The CLI reads HEAD's class and restore state itself, and skips what is not restored.
    out = aws_cli(server, "s3", "cp", f"s3://{bucket}/cold", str(tmp_path / "back"))
    assert out.returncode != 0 and "Skipping file" in out.stderr and "storage class GLACIER" in out.stderr
    out = aws_cli(server, "s3api", "get-object", "--bucket", bucket, "--key", "cold", str(tmp_path / "back"))
    assert out.returncode != 0 and "(InvalidObjectState)" in out.stderr
    out = aws_cli(server, "s3api", "restore-object", "--bucket", bucket, "--key", "cold",
                  "--restore-request", '{"Days": 1, "GlacierJobParameters": {"Tier": "Standard"}}')  # fmt: skip
    assert out.returncode == 0, out.stderr
    head = json.loads(aws_cli(server, "s3api", "head-object", "--bucket", bucket, "--key", "cold").stdout)
    assert head["StorageClass"] == "DEEP_ARCHIVE" and head["Restore"].startswith('ongoing-request="false"')
    out = aws_cli(server, "s3", "cp", f"s3://{bucket}/cold", str(tmp_path / "back"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "back").read_bytes() == b"cold data"
