"""Multipart uploads: the raw API, boto3's managed transfers and ``aws s3 cp`` of large files."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import aws_cli, error_of

pytestmark = pytest.mark.e2e

MiB = 1024 * 1024


def test_12mb_multipart_round_trip(s3: Any, bucket: str) -> None:
    data = os.urandom(12 * MiB)
    chunks = [data[: 5 * MiB], data[5 * MiB : 10 * MiB], data[10 * MiB :]]
    up = s3.create_multipart_upload(Bucket=bucket, Key="big.bin", ContentType="application/x-big", Metadata={"m": "v"})
    uid = up["UploadId"]
    listed = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in listed] == [("big.bin", uid)]
    etags = []
    for n, chunk in enumerate(chunks, 1):
        r = s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=uid, PartNumber=n, Body=chunk)
        assert r["ETag"] == f'"{hashlib.md5(chunk).hexdigest()}"'
        etags.append(r["ETag"])
    parts = s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=uid)
    assert [(p["PartNumber"], p["Size"]) for p in parts["Parts"]] == [(1, 5 * MiB), (2, 5 * MiB), (3, 2 * MiB)]
    page = s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=uid, MaxParts=2)
    assert page["IsTruncated"] and page["NextPartNumberMarker"] == 2
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big.bin",
        UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]},
    )
    expected = hashlib.md5(b"".join(bytes.fromhex(e.strip('"')) for e in etags)).hexdigest() + "-3"
    assert done["ETag"] == f'"{expected}"'
    g = s3.get_object(Bucket=bucket, Key="big.bin")
    assert g["ContentLength"] == len(data) and g["ETag"] == done["ETag"]
    assert (g["ContentType"], g["Metadata"]) == ("application/x-big", {"m": "v"})
    assert hashlib.sha256(g["Body"].read()).digest() == hashlib.sha256(data).digest()
    part2 = s3.get_object(Bucket=bucket, Key="big.bin", PartNumber=2)
    assert part2["PartsCount"] == 3 and part2["Body"].read() == chunks[1]
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=uid)
    assert error_of(e)[::2] == ("NoSuchUpload", 404)


def test_complete_errors_and_abort(s3: Any, bucket: str) -> None:
    uid = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=1, Body=b"small")["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=2, Body=b"tail")["ETag"]

    def complete(parts: list[dict[str, Any]]) -> tuple[str, str, int]:
        with pytest.raises(ClientError) as e:
            s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid, MultipartUpload={"Parts": parts})
        return error_of(e)

    assert complete([{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}])[0] == "InvalidPartOrder"
    assert complete([{"PartNumber": 1, "ETag": '"00"'}])[0] == "InvalidPart"
    assert complete([{"PartNumber": 3, "ETag": e2}])[0] == "InvalidPart"
    assert complete([{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}])[0] == "EntityTooSmall"
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=10001, Body=b"x")
    assert error_of(e)[0] == "InvalidArgument"
    # A single small part is a valid upload (only non-final parts have a minimum).
    s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=uid, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]}
    )
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"small"
    uid2 = s3.create_multipart_upload(Bucket=bucket, Key="k2")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="k2", UploadId=uid2, PartNumber=1, Body=b"x")
    assert (
        s3.abort_multipart_upload(Bucket=bucket, Key="k2", UploadId=uid2)["ResponseMetadata"]["HTTPStatusCode"] == 204
    )
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="k2", UploadId=uid2, PartNumber=1, Body=b"x")
    assert error_of(e)[0] == "NoSuchUpload"
    with pytest.raises(ClientError) as e:
        s3.abort_multipart_upload(Bucket=bucket, Key="k2", UploadId="nope")
    assert error_of(e)[0] == "NoSuchUpload"


def test_composite_checksum_multipart(s3: Any, bucket: str) -> None:
    data = os.urandom(6 * MiB)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="ck", ChecksumAlgorithm="CRC32")["UploadId"]
    p1 = s3.upload_part(
        Bucket=bucket, Key="ck", UploadId=uid, PartNumber=1, Body=data[: 5 * MiB], ChecksumAlgorithm="CRC32"
    )
    p2 = s3.upload_part(
        Bucket=bucket, Key="ck", UploadId=uid, PartNumber=2, Body=data[5 * MiB :], ChecksumAlgorithm="CRC32"
    )
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="ck",
        UploadId=uid,
        MultipartUpload={
            "Parts": [
                {"PartNumber": 1, "ETag": p1["ETag"], "ChecksumCRC32": p1["ChecksumCRC32"]},
                {"PartNumber": 2, "ETag": p2["ETag"], "ChecksumCRC32": p2["ChecksumCRC32"]},
            ]
        },
    )
    assert done["ChecksumCRC32"].endswith("-2")
    g = s3.get_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")
    assert g["Body"].read() == data


def test_upload_file_download_file_small_threshold(s3: Any, bucket: str, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(12 * MiB + 123))
    config = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=4)
    s3.upload_file(str(src), bucket, "transfer/big.bin", Config=config)
    head = s3.head_object(Bucket=bucket, Key="transfer/big.bin")
    assert head["ContentLength"] == src.stat().st_size
    assert head["ETag"].endswith('-3"')
    dst = tmp_path / "dst.bin"
    s3.download_file(bucket, "transfer/big.bin", str(dst), Config=config)
    assert dst.read_bytes() == src.read_bytes()


def test_aws_s3_cp_large_file_up_and_down(server: Server, bucket: str, tmp_path: Path) -> None:
    src = tmp_path / "cli.bin"
    src.write_bytes(os.urandom(20 * MiB))
    start = time.monotonic()
    r = aws_cli(server, "s3", "cp", str(src), f"s3://{bucket}/cli/cli.bin")
    assert r.returncode == 0, r.stderr
    up = time.monotonic() - start
    dst = tmp_path / "back.bin"
    r = aws_cli(server, "s3", "cp", f"s3://{bucket}/cli/cli.bin", str(dst))
    assert r.returncode == 0, r.stderr
    assert dst.read_bytes() == src.read_bytes()
    r = aws_cli(server, "s3api", "head-object", "--bucket", bucket, "--key", "cli/cli.bin", "--output", "json")
    assert json.loads(r.stdout)["ETag"].endswith('-3"')  # the CLI's 8 MiB parts
    r = aws_cli(server, "s3", "ls", f"s3://{bucket}/cli/")
    assert "cli.bin" in r.stdout
    r = aws_cli(server, "s3", "rm", f"s3://{bucket}/cli/cli.bin")
    assert r.returncode == 0, r.stderr
    assert up < 60


def test_pages_of_zero_are_not_truncated(s3: Any, bucket: str) -> None:
    # Like ListObjects with max-keys=0: an empty page carries no marker, so a client that
    # followed IsTruncated would ask for the same empty page forever.
    uid = s3.create_multipart_upload(Bucket=bucket, Key="z.bin")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="z.bin", UploadId=uid, PartNumber=1, Body=b"part")
    parts = s3.list_parts(Bucket=bucket, Key="z.bin", UploadId=uid, MaxParts=0)
    assert (parts["IsTruncated"], parts.get("Parts", []), "NextPartNumberMarker" in parts) == (False, [], False)
    uploads = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=0)
    assert (uploads["IsTruncated"], uploads.get("Uploads", [])) == (False, [])
    assert s3.list_parts(Bucket=bucket, Key="z.bin", UploadId=uid, MaxParts=1)["IsTruncated"] is False
    s3.abort_multipart_upload(Bucket=bucket, Key="z.bin", UploadId=uid)


def test_a_part_number_marker_past_every_part_lists_none(s3: Any, bucket: str) -> None:
    """A marker of thirty digits is past every part (not an integer the database refuses)."""
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=1, Body=b"p")
    listed = s3.list_parts(Bucket=bucket, Key="m", UploadId=upload, PartNumberMarker=10**30)
    assert listed.get("Parts", []) == [] and not listed["IsTruncated"]
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="m", UploadId=upload)["Parts"]] == [1]
    s3.abort_multipart_upload(Bucket=bucket, Key="m", UploadId=upload)
