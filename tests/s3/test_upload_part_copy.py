"""UploadPartCopy end to end (boto3 and the AWS CLI): whole sources, ranges, versions,
checksums, conditions and S3's refusals (s3-tests' test_multipart_copy_*)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import aws_cli, error_of, policy

pytestmark = pytest.mark.e2e

MIB = 1024 * 1024


def _complete(s3: Any, bucket: str, key: str, upload: str, etags: list[str]) -> dict[str, Any]:
    parts = [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]
    out: dict[str, Any] = s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}
    )
    return out


def test_copy_ranges_into_parts(s3: Any, bucket: str) -> None:
    data = os.urandom(6 * MIB + 123)
    s3.put_object(Bucket=bucket, Key="src", Body=data)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dest")["UploadId"]
    etags = []
    for number, (first, last) in enumerate([(0, 5 * MIB - 1), (5 * MIB, len(data) - 1)], start=1):
        out = s3.upload_part_copy(
            Bucket=bucket,
            Key="dest",
            UploadId=upload,
            PartNumber=number,
            CopySource={"Bucket": bucket, "Key": "src"},
            CopySourceRange=f"bytes={first}-{last}",
        )
        chunk = data[first : last + 1]
        assert out["CopyPartResult"]["ETag"] == f'"{hashlib.md5(chunk).hexdigest()}"'
        etags.append(out["CopyPartResult"]["ETag"])
    parts = s3.list_parts(Bucket=bucket, Key="dest", UploadId=upload)["Parts"]
    assert [p["Size"] for p in parts] == [5 * MIB, len(data) - 5 * MIB]
    _complete(s3, bucket, "dest", upload, etags)
    assert s3.get_object(Bucket=bucket, Key="dest")["Body"].read() == data


def test_copy_whole_source_and_mix_with_uploaded_parts(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"a" * (5 * MIB))
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dest")["UploadId"]
    copied = s3.upload_part_copy(Bucket=bucket, Key="dest", UploadId=upload, PartNumber=1, CopySource=f"{bucket}/src")[
        "CopyPartResult"
    ]["ETag"]
    uploaded = s3.upload_part(Bucket=bucket, Key="dest", UploadId=upload, PartNumber=2, Body=b"tail")["ETag"]
    _complete(s3, bucket, "dest", upload, [copied, uploaded])
    assert s3.get_object(Bucket=bucket, Key="dest")["Body"].read() == b"a" * (5 * MIB) + b"tail"


def test_copy_from_a_version(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="src", Body=b"old")["VersionId"]
    s3.put_object(Bucket=bucket, Key="src", Body=b"new")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dest")["UploadId"]
    out = s3.upload_part_copy(
        Bucket=bucket,
        Key="dest",
        UploadId=upload,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src", "VersionId": old},
    )
    assert out["CopySourceVersionId"] == old
    _complete(s3, bucket, "dest", upload, [out["CopyPartResult"]["ETag"]])
    assert s3.get_object(Bucket=bucket, Key="dest")["Body"].read() == b"old"


def test_copied_part_carries_the_uploads_checksum(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dest", ChecksumAlgorithm="CRC32")["UploadId"]
    out = s3.upload_part_copy(
        Bucket=bucket,
        Key="dest",
        UploadId=upload,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src"},
        CopySourceRange="bytes=2-5",
    )["CopyPartResult"]
    expected = base64.b64encode(zlib.crc32(b"2345").to_bytes(4, "big")).decode()
    assert out["ChecksumCRC32"] == expected
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="dest",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": out["ETag"], "ChecksumCRC32": expected}]},
    )
    assert done["ChecksumCRC32"].endswith("-1")
    assert s3.get_object(Bucket=bucket, Key="dest")["Body"].read() == b"2345"


@pytest.mark.parametrize("bad", ["0-2", "bytes=0", "bytes=hello-world", "bytes=0-bar", "bytes=hello-", "bytes=0-2,3-5"])
def test_improper_range_is_invalid_argument(s3: Any, bucket: str, bad: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"12345")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dest")["UploadId"]
    with pytest.raises(ClientError) as e:
        s3.upload_part_copy(
            Bucket=bucket, Key="dest", UploadId=upload, PartNumber=1, CopySource=f"{bucket}/src", CopySourceRange=bad
        )
    assert error_of(e)[0::2] == ("InvalidArgument", 400)


def test_range_past_the_end_and_other_refusals(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"12345")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dest")["UploadId"]

    def copy(**kwargs: Any) -> Any:
        args = {"Bucket": bucket, "Key": "dest", "UploadId": upload, "PartNumber": 1, "CopySource": f"{bucket}/src"}
        return s3.upload_part_copy(**{**args, **kwargs})

    for rng in ("bytes=0-21", "bytes=3-2"):
        with pytest.raises(ClientError) as e:
            copy(CopySourceRange=rng)
        assert error_of(e)[0::2] == ("InvalidRange", 416)
    with pytest.raises(ClientError) as e:
        copy(CopySource=f"{bucket}/missing")
    assert error_of(e)[0::2] == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as e:
        copy(UploadId="nope")
    assert error_of(e)[0::2] == ("NoSuchUpload", 404)
    with pytest.raises(ClientError) as e:
        copy(PartNumber=10001)
    assert error_of(e)[0::2] == ("InvalidArgument", 400)
    with pytest.raises(ClientError) as e:
        copy(CopySourceIfMatch='"0000"')
    assert error_of(e)[0::2] == ("PreconditionFailed", 412)
    assert copy(CopySourceIfNoneMatch='"0000"')["CopyPartResult"]["ETag"]


def test_source_read_is_authorized(server: Server, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="secret", Body=b"s")
    iam = server.client("iam")
    name = "upc-" + os.urandom(5).hex()
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name,
        PolicyName="p",
        PolicyDocument=policy({"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}),
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user = server.client("s3", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dest")["UploadId"]
    import time

    deadline = time.monotonic() + 5
    while True:
        try:
            user.upload_part_copy(
                Bucket=bucket, Key="dest", UploadId=upload, PartNumber=1, CopySource=f"{bucket}/secret"
            )
        except ClientError as err:
            if err.response["Error"]["Code"] == "InvalidAccessKeyId" and time.monotonic() < deadline:
                time.sleep(0.1)
                continue
            code, message, status = err.response["Error"]["Code"], err.response["Error"]["Message"], 0
            assert code == "AccessDenied" and "s3:GetObject" in message, (code, message, status)
            break
        else:
            raise AssertionError("a caller without s3:GetObject on the source copied it")


def test_aws_cli_upload_part_copy(server: Server, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"hello world")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dest")["UploadId"]
    out = aws_cli(server, "s3api", "upload-part-copy", "--bucket", bucket, "--key", "dest",
                  "--upload-id", upload, "--part-number", "1", "--copy-source", f"{bucket}/src",
                  "--copy-source-range", "bytes=6-10")  # fmt: skip
    assert out.returncode == 0, out.stderr
    etag = json.loads(out.stdout)["CopyPartResult"]["ETag"]
    _complete(s3, bucket, "dest", upload, [etag])
    assert s3.get_object(Bucket=bucket, Key="dest")["Body"].read() == b"world"
    out = aws_cli(server, "s3api", "upload-part-copy", "--bucket", bucket, "--key", "dest",
                  "--upload-id", "gone", "--part-number", "1", "--copy-source", f"{bucket}/src")  # fmt: skip
    assert out.returncode != 0 and "NoSuchUpload" in out.stderr
