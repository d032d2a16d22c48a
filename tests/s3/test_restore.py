"""RestoreObject and archived objects (s3/restore.py): the request's rules from data, and
the whole cycle through boto3 — an archived object's data refused until restored, then
readable with its expiry named in x-amz-restore."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.errors import AwsError
from credmint.s3 import restore

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
