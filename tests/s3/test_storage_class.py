"""Storage classes (``x-amz-storage-class``), through boto3: a general purpose bucket's
classes are kept with the object and reported as S3 reports them (GET and HEAD for every
class but STANDARD, listings and GetObjectAttributes for all); any other value is
InvalidStorageClass and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.s3.object_headers import STORAGE_CLASSES
from credmint.s3.restore import ARCHIVE_CLASSES

#: Classes the model names that a general purpose bucket does not have, and nonsense.
REFUSED = ["EXPRESS_ONEZONE", "OUTPOSTS", "SNOW", "FSX_OPENZFS", "standard", "BOGUS", ""]


@pytest.mark.parametrize("storage_class", sorted(STORAGE_CLASSES))
def test_an_objects_class_is_kept_and_reported(s3: Any, bucket: str, storage_class: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass=storage_class)
    reported = None if storage_class == "STANDARD" else storage_class
    assert s3.head_object(Bucket=bucket, Key="k").get("StorageClass") == reported
    if storage_class not in ARCHIVE_CLASSES:  # an archived object's data waits for a restore (test_restore.py)
        got = s3.get_object(Bucket=bucket, Key="k")
        assert got.get("StorageClass") == reported and got["Body"].read() == b"x"
    [listed] = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert listed["StorageClass"] == storage_class
    [listed] = s3.list_objects(Bucket=bucket)["Contents"]
    assert listed["StorageClass"] == storage_class
    [version] = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert version["StorageClass"] == storage_class
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["StorageClass"])
    assert attributes["StorageClass"] == storage_class


def test_without_a_class_an_object_is_standard(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="k")
    assert s3.list_objects_v2(Bucket=bucket)["Contents"][0]["StorageClass"] == "STANDARD"


@pytest.mark.parametrize("value", REFUSED)
def test_a_class_a_bucket_does_not_have_is_refused(s3: Any, bucket: str, value: str) -> None:
    calls: list[Callable[[], object]] = [
        lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass=value),
        lambda: s3.create_multipart_upload(Bucket=bucket, Key="k", StorageClass=value),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert exc.value.response["Error"]["Code"] == "InvalidStorageClass"
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_a_copy_takes_the_requests_class_not_the_sources(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", StorageClass="GLACIER_IR")
    s3.copy_object(Bucket=bucket, Key="plain", CopySource=f"{bucket}/src")
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="plain")
    s3.copy_object(Bucket=bucket, Key="cold", CopySource=f"{bucket}/src", StorageClass="DEEP_ARCHIVE")
    assert s3.head_object(Bucket=bucket, Key="cold")["StorageClass"] == "DEEP_ARCHIVE"
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="bad", CopySource=f"{bucket}/src", StorageClass="SNOW")
    assert exc.value.response["Error"]["Code"] == "InvalidStorageClass"


def test_a_multipart_uploads_class_is_its_objects(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", StorageClass="STANDARD_IA")["UploadId"]
    [listed] = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert listed["StorageClass"] == "STANDARD_IA"
    part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"x")
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)["StorageClass"] == "STANDARD_IA"
    s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    )
    assert s3.head_object(Bucket=bucket, Key="k")["StorageClass"] == "STANDARD_IA"
