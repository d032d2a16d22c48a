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
