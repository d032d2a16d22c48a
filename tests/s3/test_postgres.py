"""S3 on PostgreSQL: the same listing order (UTF-8 binary), the multipart path, stored bucket configurations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import start_server

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]


def test_s3_on_postgres(pg_url: str, tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", database_url=pg_url)
    try:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="pg-bucket")
        keys = ["B", "a", "a/b", "a-c", "Z/1", "é", "~x"]
        for key in keys:
            s3.put_object(Bucket="pg-bucket", Key=key, Body=key.encode())
        listed = [o["Key"] for o in s3.list_objects_v2(Bucket="pg-bucket")["Contents"]]
        assert listed == sorted(keys, key=lambda k: k.encode())  # not the linguistic order
        r = s3.list_objects_v2(Bucket="pg-bucket", Delimiter="/", MaxKeys=2)
        assert [o["Key"] for o in r.get("Contents", [])] + [p["Prefix"] for p in r.get("CommonPrefixes", [])] == [
            "B",
            "Z/",
        ]
        data = os.urandom(11 * 1024 * 1024)
        from boto3.s3.transfer import TransferConfig

        src = tmp_path / "f.bin"
        src.write_bytes(data)
        s3.upload_file(str(src), "pg-bucket", "big", Config=TransferConfig(multipart_threshold=5 * 2**20))
        assert s3.get_object(Bucket="pg-bucket", Key="big")["Body"].read() == data
    finally:
        server.stop()


def test_bucket_configurations_on_postgres(pg_url: str, tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", database_url=pg_url)
    try:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="pg-configs")
        s3.put_bucket_tagging(Bucket="pg-configs", Tagging={"TagSet": [{"Key": "a", "Value": "1"}]})
        s3.put_bucket_tagging(Bucket="pg-configs", Tagging={"TagSet": [{"Key": "b", "Value": "2"}]})
        assert s3.get_bucket_tagging(Bucket="pg-configs")["TagSet"] == [{"Key": "b", "Value": "2"}]
        s3.delete_public_access_block(Bucket="pg-configs")
        s3.put_object(Bucket="pg-configs", Key="k", Body=b"x", Tagging="t=1")
        s3.put_object_tagging(Bucket="pg-configs", Key="k", Tagging={"TagSet": [{"Key": "t", "Value": "2"}]})
        assert s3.get_object(Bucket="pg-configs", Key="k")["TagCount"] == 1
        s3.delete_object(Bucket="pg-configs", Key="k")
        # The bucket's configuration rows go with it.
        s3.delete_bucket(Bucket="pg-configs")
        s3.create_bucket(Bucket="pg-configs")
        assert "PublicAccessBlockConfiguration" in s3.get_public_access_block(Bucket="pg-configs")
    finally:
        server.stop()


def test_streamed_and_encrypted_objects_on_postgres(pg_url: str, tmp_path: Path) -> None:
    import httpx

    server = start_server(
        tmp_path / "data", database_url=pg_url, extra_env={"CREDMINT_SSE_C_ALLOW_HTTP": "true"}
    )
    try:
        s3 = server.client("s3", config={"signature_version": "s3v4"})
        s3.create_bucket(Bucket="pg-stream")
        marker = b"pg plaintext marker "
        data = marker * (20 * 2**20 // len(marker))  # 20 MiB: streamed in batches
        url = s3.generate_presigned_url("put_object", Params={"Bucket": "pg-stream", "Key": "big"})
        httpx.put(url, content=data, timeout=120).raise_for_status()
        got = s3.get_object(Bucket="pg-stream", Key="big", Range="bytes=5000000-5000099")["Body"].read()
        assert got == data[5_000_000:5_000_100]
        key = os.urandom(32)
        sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
        s3.put_object(Bucket="pg-stream", Key="c", Body=marker, **sse)
        assert s3.get_object(Bucket="pg-stream", Key="c", **sse)["Body"].read() == marker
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}
        s3.put_bucket_encryption(Bucket="pg-stream", ServerSideEncryptionConfiguration={"Rules": [rule]})
        assert s3.get_bucket_encryption(Bucket="pg-stream")["ServerSideEncryptionConfiguration"]["Rules"] == [rule]
        blobs = [p for p in (tmp_path / "data" / "objects").rglob("*") if p.is_file()]
        assert blobs and not any(marker in p.read_bytes() for p in blobs)
    finally:
        server.stop()
