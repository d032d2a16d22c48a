"""GetObjectAttributes end to end (boto3 and the AWS CLI), after s3-tests' test_get_*_object_attributes."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import aws_cli, error_of

pytestmark = pytest.mark.e2e

ALL = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]
MIB = 1024 * 1024


def test_plain_object(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="obj", Body=b"foo")["ETag"].strip('"')
    out = s3.get_object_attributes(Bucket=bucket, Key="obj", ObjectAttributes=ALL)
    assert out["ObjectSize"] == 3 and out["ETag"] == etag and out["StorageClass"] == "STANDARD"
    assert "ObjectParts" not in out and "VersionId" not in out and "DeleteMarker" not in out
    assert "LastModified" in out
    only = s3.get_object_attributes(Bucket=bucket, Key="obj", ObjectAttributes=["ObjectSize"])
    assert only["ObjectSize"] == 3 and "ETag" not in only


def test_checksum(s3: Any, bucket: str) -> None:
    body = b"A" * 1024
    sha = base64.b64encode(hashlib.sha256(body).digest()).decode()
    s3.put_object(Bucket=bucket, Key="c", Body=body, ChecksumSHA256=sha)
    out = s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=ALL)
    assert out["Checksum"]["ChecksumSHA256"] == sha and out["Checksum"]["ChecksumType"] == "FULL_OBJECT"


def _multipart(
    s3: Any, bucket: str, key: str, parts: int, checksum: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    extra = {"ChecksumAlgorithm": checksum} if checksum else {}
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, **extra)["UploadId"]
    done = []
    sums = []
    for n in range(1, parts + 1):
        body = bytes([n]) * (5 * MIB)
        out = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=n, Body=body, **extra)
        part = {"PartNumber": n, "ETag": out["ETag"]}
        if checksum:
            part["Checksum" + checksum] = out["Checksum" + checksum]
            sums.append(out["Checksum" + checksum])
        done.append(part)
    result = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": done})
    return result, sums


def test_multipart_parts_and_paging(s3: Any, bucket: str) -> None:
    done, _ = _multipart(s3, bucket, "mp", 6)
    out = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=ALL)
    assert out["ETag"] == done["ETag"].strip('"') and out["ObjectSize"] == 30 * MIB
    parts = out["ObjectParts"]
    assert parts["TotalPartsCount"] == 6 and parts["IsTruncated"] is False
    assert [(p["PartNumber"], p["Size"]) for p in parts["Parts"]] == [(n, 5 * MIB) for n in range(1, 7)]
    assert all("ChecksumSHA256" not in p for p in parts["Parts"])
    page = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=ALL, MaxParts=1, PartNumberMarker=3)
    parts = page["ObjectParts"]
    assert parts["MaxParts"] == 1 and parts["PartNumberMarker"] == 3 and parts["IsTruncated"] is True
    assert parts["NextPartNumberMarker"] == 4 and [p["PartNumber"] for p in parts["Parts"]] == [4]
    rest = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=ALL, MaxParts=10, PartNumberMarker=4)
    assert [p["PartNumber"] for p in rest["ObjectParts"]["Parts"]] == [5, 6]
    assert rest["ObjectParts"]["IsTruncated"] is False


def test_multipart_part_checksums(s3: Any, bucket: str) -> None:
    done, sums = _multipart(s3, bucket, "mpc", 2, "SHA256")
    out = s3.get_object_attributes(Bucket=bucket, Key="mpc", ObjectAttributes=ALL)
    assert out["Checksum"]["ChecksumSHA256"] == done["ChecksumSHA256"]
    assert out["Checksum"]["ChecksumType"] == "COMPOSITE"
    assert [p["ChecksumSHA256"] for p in out["ObjectParts"]["Parts"]] == sums


def test_versions_and_delete_markers(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="v", Body=b"old")["VersionId"]
    new = s3.put_object(Bucket=bucket, Key="v", Body=b"newer")["VersionId"]
    assert s3.get_object_attributes(Bucket=bucket, Key="v", ObjectAttributes=ALL)["VersionId"] == new
    by_id = s3.get_object_attributes(Bucket=bucket, Key="v", VersionId=old, ObjectAttributes=ALL)
    assert by_id["VersionId"] == old and by_id["ObjectSize"] == 3
    s3.delete_object(Bucket=bucket, Key="v")
    with pytest.raises(ClientError) as e:
        s3.get_object_attributes(Bucket=bucket, Key="v", ObjectAttributes=ALL)
    assert error_of(e)[0::2] == ("NoSuchKey", 404)
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"


def test_refusals(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="obj", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.get_object_attributes(Bucket=bucket, Key="obj", ObjectAttributes=["Bogus"])
    assert error_of(e)[0::2] == ("InvalidArgument", 400)
    with pytest.raises(ClientError) as e:
        s3.get_object_attributes(Bucket=bucket, Key="missing", ObjectAttributes=ALL)
    assert error_of(e)[0::2] == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as e:
        s3.get_object_attributes(Bucket=bucket, Key="obj", ObjectAttributes=ALL, MaxParts=-1)
    assert error_of(e)[0::2] == ("InvalidArgument", 400)


def test_aws_cli(server: Server, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cli", Body=b"abc")
    out = aws_cli(server, "s3api", "get-object-attributes", "--bucket", bucket, "--key", "cli",
                  "--object-attributes", "ObjectSize", "ETag")  # fmt: skip
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["ObjectSize"] == 3 and got["ETag"] == hashlib.md5(b"abc").hexdigest()


def test_aws_cli_parts_checksums_and_paging(server: Server, s3: Any, bucket: str) -> None:
    done, sums = _multipart(s3, bucket, "mpc", 2, "SHA256")
    out = aws_cli(server, "s3api", "get-object-attributes", "--bucket", bucket, "--key", "mpc",
                  "--object-attributes", "Checksum", "ObjectParts", "--max-parts", "1")  # fmt: skip
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["Checksum"] == {"ChecksumSHA256": done["ChecksumSHA256"], "ChecksumType": "COMPOSITE"}
    parts = got["ObjectParts"]
    assert (parts["TotalPartsCount"], parts["IsTruncated"], parts["NextPartNumberMarker"]) == (2, True, 1)
    assert [(p["PartNumber"], p["ChecksumSHA256"]) for p in parts["Parts"]] == [(1, sums[0])]
    out = aws_cli(server, "s3api", "get-object-attributes", "--bucket", bucket, "--key", "gone",
                  "--object-attributes", "ETag")  # fmt: skip
    assert out.returncode != 0 and "(NoSuchKey)" in out.stderr
