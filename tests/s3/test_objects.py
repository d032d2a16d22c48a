"""Object operations, listings, conditional and range reads, checksums, copies."""

from __future__ import annotations

import base64
import hashlib
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.s3.helpers import error_of

pytestmark = pytest.mark.e2e


def test_put_get_head_delete(s3: Any, bucket: str) -> None:
    body = b"hello credmint"
    r = s3.put_object(
        Bucket=bucket,
        Key="dir/obj.txt",
        Body=body,
        ContentType="text/plain",
        Metadata={"owner": "alice", "Purpose": "test"},
        CacheControl="max-age=60",
        ContentDisposition='attachment; filename="x.txt"',
    )
    assert r["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    g = s3.get_object(Bucket=bucket, Key="dir/obj.txt")
    assert g["Body"].read() == body
    assert g["ContentType"] == "text/plain"
    assert g["Metadata"] == {"owner": "alice", "purpose": "test"}
    assert g["CacheControl"] == "max-age=60"
    assert g["ContentDisposition"] == 'attachment; filename="x.txt"'
    assert g["ETag"] == r["ETag"]
    assert g["AcceptRanges"] == "bytes"
    h = s3.head_object(Bucket=bucket, Key="dir/obj.txt")
    assert h["ContentLength"] == len(body)
    assert h["ETag"] == r["ETag"]
    assert abs(h["LastModified"] - datetime.now(UTC)) < timedelta(minutes=1)
    s3.delete_object(Bucket=bucket, Key="dir/obj.txt")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="dir/obj.txt")
    assert error_of(e) == ("NoSuchKey", "The specified key does not exist.", 404)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="dir/obj.txt")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    # Deleting a missing key succeeds.
    assert s3.delete_object(Bucket=bucket, Key="dir/obj.txt")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_overwrite_and_empty_and_unicode_keys(s3: Any, bucket: str) -> None:
    key = "日本/ファイル +&?=#%.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"one")
    s3.put_object(Bucket=bucket, Key=key, Body=b"two")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"two"
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    g = s3.get_object(Bucket=bucket, Key="empty")
    assert g["Body"].read() == b""
    assert g["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert key in keys


def test_no_such_bucket(s3: Any) -> None:
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="credmint-missing-bucket-xyz", Key="k", Body=b"x")
    assert error_of(e) == ("NoSuchBucket", "The specified bucket does not exist", 404)
    assert e.value.response["Error"]["BucketName"] == "credmint-missing-bucket-xyz"


def test_ranges(s3: Any, bucket: str) -> None:
    data = bytes(range(256)) * 4
    s3.put_object(Bucket=bucket, Key="r", Body=data)
    g = s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-19")
    assert g["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert g["Body"].read() == data[10:20]
    assert g["ContentRange"] == f"bytes 10-19/{len(data)}"
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=-5")["Body"].read() == data[-5:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1000-")["Body"].read() == data[1000:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1020-5000")["Body"].read() == data[1020:]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=5000-")
    assert error_of(e)[::2] == ("InvalidRange", 416)
    assert e.value.response["Error"]["ActualObjectSize"] == str(len(data))
    # An unparseable range is ignored, as S3 does.
    g = s3.get_object(Bucket=bucket, Key="r", Range="lines=1-2")
    assert g["ResponseMetadata"]["HTTPStatusCode"] == 200 and g["Body"].read() == data
    # Positions of thousands of digits are past any object, not a 500.
    huge = "9" * 5000
    assert s3.get_object(Bucket=bucket, Key="r", Range=f"bytes=-{huge}")["Body"].read() == data
    assert s3.get_object(Bucket=bucket, Key="r", Range=f"bytes=0-{huge}")["Body"].read() == data
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="r", Range=f"bytes={huge}-")
    assert error_of(e)[::2] == ("InvalidRange", 416)


def test_conditional_reads(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"cond")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"cond"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert error_of(e)[::2] == ("PreconditionFailed", 412)
    assert e.value.response["Error"]["Condition"] == "If-Match"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=modified + timedelta(seconds=5))
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=modified - timedelta(days=1))["Body"].read()
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=modified - timedelta(days=1))
    assert error_of(e)[::2] == ("PreconditionFailed", 412)
    # If-Match that holds wins over a failing If-Unmodified-Since.
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag, IfUnmodifiedSince=modified - timedelta(days=1))
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_conditional_writes(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="w", Body=b"1", IfNoneMatch="*")
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="w", Body=b"2", IfNoneMatch="*")
    assert error_of(e)[::2] == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="w")["Body"].read() == b"1"


def test_checksums_verified_stored_and_returned(s3: Any, bucket: str) -> None:
    data = b"checksummed payload"
    sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
    r = s3.put_object(Bucket=bucket, Key="s", Body=data, ChecksumAlgorithm="SHA256")
    assert r["ChecksumSHA256"] == sha
    g = s3.get_object(Bucket=bucket, Key="s", ChecksumMode="ENABLED")
    assert g["ChecksumSHA256"] == sha
    assert g["Body"].read() == data
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    s3.put_object(Bucket=bucket, Key="c32", Body=data, ChecksumCRC32=crc)
    assert s3.head_object(Bucket=bucket, Key="c32", ChecksumMode="ENABLED")["ChecksumCRC32"] == crc
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="bad", Body=data, ChecksumCRC32="AAAAAA==")
    assert error_of(e)[0] == "BadDigest"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="bad", Body=data, ContentMD5=base64.b64encode(b"0" * 16).decode())
    assert error_of(e)[0] == "BadDigest"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="s")["Contents"][0]
    assert listed["ChecksumAlgorithm"] == ["SHA256"]


def test_delete_objects(s3: Any, bucket: str) -> None:
    for i in range(5):
        s3.put_object(Bucket=bucket, Key=f"d/{i}", Body=b"x")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"d/{i}"} for i in range(3)] + [{"Key": "nope"}]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["d/0", "d/1", "d/2", "nope"]
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "d/3"}], "Quiet": True})
    assert "Deleted" not in r
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["d/4"]


def test_copy_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"copy me", ContentType="text/x", Metadata={"a": "1"})
    r = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert r["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"copy me").hexdigest()}"'
    g = s3.get_object(Bucket=bucket, Key="dst")
    assert (g["Body"].read(), g["ContentType"], g["Metadata"]) == (b"copy me", "text/x", {"a": "1"})
    s3.copy_object(
        Bucket=bucket,
        Key="dst2",
        CopySource=f"{bucket}/src",
        MetadataDirective="REPLACE",
        Metadata={"b": "2"},
        ContentType="text/y",
    )
    g = s3.get_object(Bucket=bucket, Key="dst2")
    assert (g["ContentType"], g["Metadata"]) == ("text/y", {"b": "2"})
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"})
    assert error_of(e)[0] == "InvalidRequest"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "missing"})
    assert error_of(e)[0] == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "src"}, CopySourceIfMatch='"0"')
    assert error_of(e)[::2] == ("PreconditionFailed", 412)


@pytest.fixture
def tree(s3: Any, bucket: str) -> str:
    for key in ["a.txt", "b/1", "b/2", "b/c/3", "c", "d/x", "e+f g", "z/"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    return bucket


def test_list_v2_delimiter_and_prefix(s3: Any, tree: str) -> None:
    r = s3.list_objects_v2(Bucket=tree, Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["a.txt", "c", "e+f g"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["b/", "d/", "z/"]
    assert r["KeyCount"] == 6
    r = s3.list_objects_v2(Bucket=tree, Prefix="b/", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["b/1", "b/2"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["b/c/"]
    r = s3.list_objects_v2(Bucket=tree, StartAfter="c")
    assert [o["Key"] for o in r["Contents"]] == ["d/x", "e+f g", "z/"]


def test_list_v2_pagination(s3: Any, tree: str) -> None:
    seen: list[str] = []
    kwargs: dict[str, Any] = {"Bucket": tree, "MaxKeys": 2, "Delimiter": "/"}
    pages = 0
    while True:
        r = s3.list_objects_v2(**kwargs)
        pages += 1
        seen += [o["Key"] for o in r.get("Contents", [])] + [p["Prefix"] for p in r.get("CommonPrefixes", [])]
        if not r["IsTruncated"]:
            break
        kwargs["ContinuationToken"] = r["NextContinuationToken"]
    assert sorted(seen) == ["a.txt", "b/", "c", "d/", "e+f g", "z/"]
    assert len(seen) == len(set(seen)) and pages == 3
    paged = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=tree, PaginationConfig={"PageSize": 3})
        for o in page["Contents"]
    ]
    assert paged == ["a.txt", "b/1", "b/2", "b/c/3", "c", "d/x", "e+f g", "z/"]


def test_list_v1_markers(s3: Any, tree: str) -> None:
    r = s3.list_objects(Bucket=tree, MaxKeys=3)
    assert [o["Key"] for o in r["Contents"]] == ["a.txt", "b/1", "b/2"]
    assert r["IsTruncated"] and "Owner" in r["Contents"][0]
    r = s3.list_objects(Bucket=tree, Marker="b/2")
    assert [o["Key"] for o in r["Contents"]][:2] == ["b/c/3", "c"]
    r = s3.list_objects(Bucket=tree, Delimiter="/", MaxKeys=2)
    assert r["NextMarker"] == "b/"
    r = s3.list_objects(Bucket=tree, Delimiter="/", Marker=r["NextMarker"])
    assert [o["Key"] for o in r["Contents"]] == ["c", "e+f g"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["d/", "z/"]
    r = s3.list_objects(Bucket=tree, MaxKeys=0)
    assert "Contents" not in r
    assert r["IsTruncated"] is False and "NextMarker" not in r


def test_list_v2_max_keys_zero(s3: Any, tree: str) -> None:
    # S3 asks for nothing and says there is nothing more (no token to continue from).
    r = s3.list_objects_v2(Bucket=tree, MaxKeys=0)
    assert (r["KeyCount"], r["MaxKeys"], r["IsTruncated"]) == (0, 0, False)
    assert "Contents" not in r and "NextContinuationToken" not in r


def test_list_with_url_encoding(s3: Any, tree: str) -> None:
    # boto3 asks for EncodingType=url by default and decodes; keys round-trip.
    r = s3.list_objects_v2(Bucket=tree, Prefix="e")
    assert [o["Key"] for o in r["Contents"]] == ["e+f g"]
    assert [o["Key"] for o in s3.list_objects(Bucket=tree, Prefix="e+")["Contents"]] == ["e+f g"]


def test_unsupported_subresource_is_not_implemented(s3: Any, bucket: str) -> None:
    # Sub-resources credmint does not serve are refused, not mistaken for the plain listing.
    for call in (s3.list_bucket_inventory_configurations, s3.list_bucket_analytics_configurations):
        with pytest.raises(ClientError) as e:
            call(Bucket=bucket)
        assert error_of(e)[::2] == ("NotImplemented", 501)


def test_server_side_encryption_with_kms_or_unknown_methods_is_refused(s3: Any, bucket: str) -> None:
    r = s3.put_object(Bucket=bucket, Key="aes.txt", Body=b"x", ServerSideEncryption="AES256")
    assert r["ServerSideEncryption"] == "AES256"
    # No key service here: a KMS request is refused rather than stored as if it were honoured.
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="kms.txt", Body=b"x", ServerSideEncryption="aws:kms")
    assert error_of(e)[0::2] == ("NotImplemented", 501)
    with pytest.raises(ClientError) as e:
        s3.create_multipart_upload(Bucket=bucket, Key="kms.bin", ServerSideEncryption="aws:kms")
    assert error_of(e)[0::2] == ("NotImplemented", 501)
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="odd.txt", Body=b"x", ServerSideEncryption="rot13")
    assert error_of(e) == ("InvalidArgument", "The encryption method specified is not supported", 400)
    with pytest.raises(ClientError) as e:
        # SSE-C over plain HTTP: refused as S3 does (a key sent in clear is disclosed).
        s3.put_object(Bucket=bucket, Key="ssec.txt", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey="k" * 32)
    assert error_of(e)[0::2] == ("InvalidRequest", 400)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["aes.txt"]
