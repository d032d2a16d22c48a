"""Server-side encryption end to end, with boto3 and the AWS CLI against the real server:
SSE-S3 really encrypting at rest, SSE-C (over TLS, as S3 requires), default bucket
encryption, SSE-KMS refused, and the condition key a bucket policy reads."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, ResponseStreamingError

from credmint.server import tls
from tests.conftest import Server, start_server
from tests.s3.helpers import aws_cli, error_of, make_bucket, policy

pytestmark = pytest.mark.e2e

KEY = os.urandom(32)
OTHER_KEY = os.urandom(32)
MARKER = b"credmint plaintext marker 0123456789 "


def _md5(key: bytes) -> str:
    return base64.b64encode(hashlib.md5(key, usedforsecurity=False).digest()).decode()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    import ssl

    data = tmp_path_factory.mktemp("credmint-sse")
    made = tls.ensure_self_signed(data / "tls", tls.host_names("127.0.0.1"), datetime.now(UTC))
    srv = start_server(
        data,
        extra_env={"CREDMINT_TLS_SELF_SIGNED": "true"},
        tls=ssl.create_default_context(cafile=str(made.ca_cert)),
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def ca(tls_server: Server) -> str:
    return str(tls_server.data_dir / "tls" / "ca.pem")


@pytest.fixture(scope="module")
def s3(tls_server: Server, ca: str) -> Any:
    return tls_server.client("s3", verify=ca)


@pytest.fixture
def bucket(s3: Any) -> Iterator[str]:
    yield from make_bucket(s3)


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            found.append(path)
    return found


def test_sse_s3_objects_are_not_stored_in_plaintext(tls_server: Server, s3: Any, bucket: str) -> None:
    data = MARKER * 20_000  # ~740 KiB: several chunks
    r = s3.put_object(Bucket=bucket, Key="plain", Body=data)
    assert r["ServerSideEncryption"] == "AES256"
    got = s3.get_object(Bucket=bucket, Key="plain")
    assert got["ServerSideEncryption"] == "AES256"
    assert got["Body"].read() == data
    assert s3.get_object(Bucket=bucket, Key="plain", Range="bytes=70000-70100")["Body"].read() == data[70000:70101]
    # Nowhere on disk (blobs, database, temporary files) is the plaintext.
    assert _files_containing(tls_server.data_dir, MARKER) == []


def test_sse_c_round_trip_and_refusals(tls_server: Server, s3: Any, bucket: str) -> None:
    data = MARKER * 5000
    sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
    r = s3.put_object(Bucket=bucket, Key="c", Body=data, **sse)
    assert r["SSECustomerAlgorithm"] == "AES256"
    assert r["SSECustomerKeyMD5"] == _md5(KEY)
    assert "ServerSideEncryption" not in r
    got = s3.get_object(Bucket=bucket, Key="c", **sse)
    assert got["Body"].read() == data
    assert got["SSECustomerKeyMD5"] == _md5(KEY)
    assert s3.get_object(Bucket=bucket, Key="c", Range="bytes=1-10", **sse)["Body"].read() == data[1:11]
    head = s3.head_object(Bucket=bucket, Key="c", **sse)
    assert head["ContentLength"] == len(data) and head["SSECustomerAlgorithm"] == "AES256"
    # Without the key, or with another one: refused, nothing read.
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c")
    assert error_of(e)[0::2] == ("InvalidRequest", 400)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="c")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", SSECustomerAlgorithm="AES256", SSECustomerKey=OTHER_KEY)
    assert error_of(e)[0::2] == ("InvalidRequest", 400)
    # A key for an object not stored with one.
    s3.put_object(Bucket=bucket, Key="s3", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="s3", **sse)
    assert error_of(e)[0::2] == ("InvalidRequest", 400)
    # The key is never stored: not itself, not its base64, not its MD5.
    for needle in (KEY, base64.b64encode(KEY), _md5(KEY).encode(), MARKER):
        assert _files_containing(tls_server.data_dir, needle) == [], needle


def test_an_sse_c_objects_etag_and_attributes_tell_nothing_without_the_key(s3: Any, bucket: str) -> None:
    """S3: an SSE-C object's ETag "is not an MD5 digest of the object data", and its
    attributes need the key: a listing or an attribute read must not confirm a guess of the
    plaintext."""
    data = b"guessable contents"
    plain_md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
    put = s3.put_object(Bucket=bucket, Key="c", Body=data, **sse)
    assert put["ETag"].strip('"') != plain_md5
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["ETag"] for o in listed] == [put["ETag"]]
    # The same data under the same key: the same ETag (conditional requests rely on it).
    assert s3.put_object(Bucket=bucket, Key="c2", Body=data, **sse)["ETag"] == put["ETag"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=put["ETag"], **sse)["Body"].read() == data
    copied = s3.copy_object(
        Bucket=bucket, Key="c3", CopySource={"Bucket": bucket, "Key": "c"},
        CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=KEY, **sse,
    )  # fmt: skip
    assert copied["CopyObjectResult"]["ETag"].strip('"') != plain_md5
    attributes = ["ETag", "Checksum", "ObjectSize"]
    with pytest.raises(ClientError) as e:
        s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=attributes)
    assert error_of(e)[0::2] == ("InvalidRequest", 400)
    encoded = {
        "SSECustomerAlgorithm": "AES256",
        "SSECustomerKey": base64.b64encode(KEY).decode(),
        "SSECustomerKeyMD5": _md5(KEY),
    }
    got = s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=attributes, **encoded)
    assert got["ObjectSize"] == len(data)
    # Without SSE-C, the ETag stays the data's MD5.
    assert s3.put_object(Bucket=bucket, Key="p", Body=data)["ETag"].strip('"') == plain_md5


def test_sse_c_header_checks(s3: Any, bucket: str) -> None:
    def put_with(headers: dict[str, str]) -> tuple[str, str, int]:
        client_headers = dict(headers)

        def add(params: dict[str, Any], **_: Any) -> None:
            params["headers"].update(client_headers)

        s3.meta.events.register_first("before-call.s3.PutObject", add)
        try:
            with pytest.raises(ClientError) as e:
                s3.put_object(Bucket=bucket, Key="h", Body=b"x")
            return error_of(e)
        finally:
            s3.meta.events.unregister("before-call.s3.PutObject", add)

    algo = "x-amz-server-side-encryption-customer-algorithm"
    key = "x-amz-server-side-encryption-customer-key"
    md5 = "x-amz-server-side-encryption-customer-key-MD5"
    b64 = base64.b64encode(KEY).decode()
    assert put_with({algo: "AES256", key: b64, md5: "AAAAAAAAAAAAAAAAAAAAAA=="})[0::2] == ("InvalidArgument", 400)
    assert put_with({algo: "AES256", key: b64})[0::2] == ("InvalidArgument", 400)
    assert put_with({algo: "AES256"})[0::2] == ("InvalidArgument", 400)
    assert put_with({key: b64, md5: _md5(KEY)})[0::2] == ("InvalidArgument", 400)
    assert put_with({algo: "AES192", key: b64, md5: _md5(KEY)})[0::2] == ("InvalidArgument", 400)
    short = base64.b64encode(b"k" * 16).decode()
    assert put_with({algo: "AES256", key: short, md5: _md5(b"k" * 16)})[0::2] == ("InvalidArgument", 400)
    # SSE-C with SSE-S3 in the same request.
    both = {algo: "AES256", key: b64, md5: _md5(KEY), "x-amz-server-side-encryption": "AES256"}
    assert put_with(both)[0::2] == ("InvalidArgument", 400)
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_sse_c_multipart_upload_completes_without_the_key(s3: Any, bucket: str) -> None:
    sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", **sse)
    assert up["SSECustomerAlgorithm"] == "AES256"
    parts_data = [os.urandom(5 * 1024**2), os.urandom(1234)]
    parts = []
    for n, chunk in enumerate(parts_data, start=1):
        r = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=n, Body=chunk, **sse)
        parts.append({"PartNumber": n, "ETag": r["ETag"]})
    # A part with another key, or none, is refused.
    for bad in ({"SSECustomerAlgorithm": "AES256", "SSECustomerKey": OTHER_KEY}, {}):
        with pytest.raises(ClientError) as e:
            s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=3, Body=b"x", **bad)
        assert error_of(e)[0::2] == ("InvalidRequest", 400)
    s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=up["UploadId"], MultipartUpload={"Parts": parts}
    )
    data = b"".join(parts_data)
    assert s3.get_object(Bucket=bucket, Key="mp", **sse)["Body"].read() == data
    # A range across the two parts' segments.
    start = 5 * 1024**2 - 100
    got = s3.get_object(Bucket=bucket, Key="mp", Range=f"bytes={start}-{start + 199}", **sse)["Body"].read()
    assert got == data[start : start + 200]
    assert s3.get_object(Bucket=bucket, Key="mp", PartNumber=2, **sse)["Body"].read() == parts_data[1]
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="mp")


def test_copy_between_sse_c_and_sse_s3(s3: Any, bucket: str) -> None:
    data = MARKER * 3000
    sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
    s3.put_object(Bucket=bucket, Key="src", Body=data, **sse)
    source = {"Bucket": bucket, "Key": "src"}
    # Without the source's key the copy is refused.
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=source)
    assert error_of(e)[0::2] == ("InvalidRequest", 400)
    copy_key = {"CopySourceSSECustomerAlgorithm": "AES256", "CopySourceSSECustomerKey": KEY}
    r = s3.copy_object(Bucket=bucket, Key="dst", CopySource=source, **copy_key)
    assert r["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == data
    # SSE-S3 to SSE-C under another key, and in place (changing the key is a change).
    other = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": OTHER_KEY}
    r = s3.copy_object(Bucket=bucket, Key="dst2", CopySource={"Bucket": bucket, "Key": "dst"}, **other)
    assert r["SSECustomerAlgorithm"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="dst2", **other)["Body"].read() == data
    s3.copy_object(Bucket=bucket, Key="src", CopySource=source, **copy_key, **other)
    assert s3.get_object(Bucket=bucket, Key="src", **other)["Body"].read() == data


def test_sse_c_over_plain_http_is_refused(server: Server) -> None:
    s3 = server.client("s3")
    bucket = next(make_bucket(s3))
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey=KEY)
    code, message, status = error_of(e)
    assert (code, status) == ("InvalidRequest", 400)
    assert "secure connection" in message
    # The key of a copy's source is a key too.
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.copy_object(
            Bucket=bucket,
            Key="k2",
            CopySource={"Bucket": bucket, "Key": "k"},
            CopySourceSSECustomerAlgorithm="AES256",
            CopySourceSSECustomerKey=KEY,
        )
    assert error_of(e)[0::2] == ("InvalidRequest", 400)
    # Reads too: a key sent in clear to read an object is as exposed as one sent to write it.
    for read in (s3.get_object, s3.head_object):
        with pytest.raises(ClientError) as e:
            read(Bucket=bucket, Key="k", SSECustomerAlgorithm="AES256", SSECustomerKey=KEY)
        assert error_of(e)[0::2] in (("InvalidRequest", 400), ("400", 400))


def test_bucket_encryption_configuration(s3: Any, bucket: str) -> None:
    default = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"] == [default]
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"] == [rule]
    assert s3.delete_bucket_encryption(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"] == [default]
    kms = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"}}
    with pytest.raises(ClientError) as e:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [kms]})
    assert error_of(e)[0::2] == ("NotImplemented", 501)
    odd = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "k"}}
    with pytest.raises(ClientError) as e:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [odd]})
    assert error_of(e)[0::2] == ("InvalidArgument", 400)
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms")
    assert error_of(e)[0::2] == ("NotImplemented", 501)


def test_policy_requiring_the_encryption_header(s3: Any, bucket: str, tls_server: Server) -> None:
    """s3:x-amz-server-side-encryption is supplied from the request header, as in AWS (a
    default bucket encryption does not satisfy a policy that asks for the header)."""
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}},
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(deny))
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="no-header", Body=b"x")
    assert error_of(e)[0] == "AccessDenied"
    assert s3.put_object(Bucket=bucket, Key="with", Body=b"x", ServerSideEncryption="AES256")["ServerSideEncryption"]


def test_aws_cli_sse_c_and_bucket_encryption(tls_server: Server, ca: str, bucket: str, tmp_path: Path) -> None:
    env = {"AWS_CA_BUNDLE": ca}
    key_file = tmp_path / "key.bin"
    key_file.write_bytes(KEY)
    src = tmp_path / "src.bin"
    # 20 MiB: past the CLI's 8 MiB threshold, so a multipart upload with the key on each part.
    src.write_bytes(MARKER * 1000 + os.urandom(20 * 1024**2))
    r = aws_cli(
        tls_server, "s3", "cp", str(src), f"s3://{bucket}/cli.bin",
        "--sse-c", "AES256", "--sse-c-key", f"fileb://{key_file}", extra_env=env,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out.bin"
    r = aws_cli(tls_server, "s3", "cp", f"s3://{bucket}/cli.bin", str(out), extra_env=env)
    assert r.returncode != 0  # the key is needed
    r = aws_cli(
        tls_server, "s3", "cp", f"s3://{bucket}/cli.bin", str(out),
        "--sse-c", "AES256", "--sse-c-key", f"fileb://{key_file}", extra_env=env,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == src.read_bytes()
    config = json.dumps(
        {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]}
    )
    r = aws_cli(
        tls_server, "s3api", "put-bucket-encryption", "--bucket", bucket,
        "--server-side-encryption-configuration", config, extra_env=env,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = aws_cli(tls_server, "s3api", "get-bucket-encryption", "--bucket", bucket, "--output", "json", extra_env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ServerSideEncryptionConfiguration"]["Rules"][0]["BucketKeyEnabled"] is True
    r = aws_cli(tls_server, "s3api", "delete-bucket-encryption", "--bucket", bucket, extra_env=env)
    assert r.returncode == 0, r.stderr


def test_aws_cli_sse_s3_default_encryption_and_sse_c_refusals(
    tls_server: Server, server: Server, ca: str, bucket: str, tmp_path: Path
) -> None:
    env = {"AWS_CA_BUNDLE": ca}

    def cli(*args: str, target: Server = tls_server) -> subprocess.CompletedProcess[str]:
        return aws_cli(target, *args, extra_env=env)

    src = tmp_path / "src.bin"
    src.write_bytes(MARKER * 1000)
    # SSE-S3 asked for by ``aws s3 cp --sse``: answered, reported, and not in plaintext on disk.
    r = cli("s3", "cp", str(src), f"s3://{bucket}/sse-s3.bin", "--sse", "AES256")
    assert r.returncode == 0, r.stderr
    r = cli("s3api", "head-object", "--bucket", bucket, "--key", "sse-s3.bin")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ServerSideEncryption"] == "AES256"
    assert _files_containing(tls_server.data_dir, MARKER) == []
    r = cli("s3api", "put-object", "--bucket", bucket, "--key", "kms", "--server-side-encryption", "aws:kms")
    assert r.returncode != 0 and "(NotImplemented)" in r.stderr
    # The bucket's default: SSE-S3 before any configuration and after its deletion; KMS refused.
    default = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
    r = cli("s3api", "get-bucket-encryption", "--bucket", bucket)
    assert json.loads(r.stdout)["ServerSideEncryptionConfiguration"]["Rules"] == [default]
    kms = json.dumps({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    r = cli("s3api", "put-bucket-encryption", "--bucket", bucket, "--server-side-encryption-configuration", kms)
    assert r.returncode != 0 and "(NotImplemented)" in r.stderr
    r = cli("s3api", "put-object", "--bucket", bucket, "--key", "default", "--body", str(src))
    assert r.returncode == 0 and json.loads(r.stdout)["ServerSideEncryption"] == "AES256"
    # SSE-C with another key than the object's, and SSE-C over plain HTTP: refused.
    key_file, other_file = tmp_path / "key.bin", tmp_path / "other.bin"
    key_file.write_bytes(KEY)
    other_file.write_bytes(OTHER_KEY)
    sse_c = ("--sse-customer-algorithm", "AES256", "--sse-customer-key")
    r = cli("s3api", "put-object", "--bucket", bucket, "--key", "c", "--body", str(src), *sse_c, f"fileb://{key_file}")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["SSECustomerKeyMD5"] == _md5(KEY)
    out = str(tmp_path / "out.bin")
    r = cli("s3api", "get-object", "--bucket", bucket, "--key", "c", *sse_c, f"fileb://{other_file}", out)
    assert r.returncode != 0 and "(InvalidRequest)" in r.stderr
    r = cli("s3api", "get-object", "--bucket", bucket, "--key", "c", *sse_c, f"fileb://{key_file}", out)
    assert r.returncode == 0 and Path(out).read_bytes() == src.read_bytes()
    plain_bucket = next(make_bucket(server.client("s3")))
    r = cli("s3api", "put-object", "--bucket", plain_bucket, "--key", "c", *sse_c, f"fileb://{key_file}", target=server)
    assert r.returncode != 0 and "(InvalidRequest)" in r.stderr and "secure connection" in r.stderr


def test_changed_bytes_on_disk_are_never_served(tls_server: Server, s3: Any, bucket: str) -> None:
    """Each 64 KiB chunk is authenticated as it is decrypted: a blob changed on disk
    cuts the answer at that chunk instead of serving altered data."""
    data = os.urandom(300_000)
    s3.put_object(Bucket=bucket, Key="t", Body=data)
    before = set(_files_containing(tls_server.data_dir / "objects", data[:0]))
    blob = max((p for p in before if p.name.endswith(".s1")), key=lambda p: p.stat().st_mtime)
    raw = bytearray(blob.read_bytes())
    raw[200_000] ^= 1
    blob.write_bytes(bytes(raw))
    # The first chunks are intact and readable on their own.
    assert s3.get_object(Bucket=bucket, Key="t", Range="bytes=0-99")["Body"].read() == data[:100]
    with pytest.raises(ResponseStreamingError):  # the connection is closed short of Content-Length
        s3.get_object(Bucket=bucket, Key="t")["Body"].read()


def test_versions_and_copies_of_versions_are_encrypted_at_rest(tls_server: Server, s3: Any, bucket: str) -> None:
    """Every version of a key keeps its own sealed blob and key: an older SSE-S3 or SSE-C
    version reads back (and is copied from) under its own key, none stored in plaintext."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
    first = MARKER * 4000
    second = MARKER * 5000
    v1 = s3.put_object(Bucket=bucket, Key="v", Body=first)["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="v", Body=second, **sse)["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="v", VersionId=v1)["Body"].read() == first
    assert s3.get_object(Bucket=bucket, Key="v", VersionId=v2, **sse)["Body"].read() == second
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="v", VersionId=v2)
    assert error_of(e)[0::2] == ("InvalidRequest", 400)
    got = s3.get_object(Bucket=bucket, Key="v", VersionId=v1, Range="bytes=100-199")["Body"].read()
    assert got == first[100:200]
    # A copy from the older (SSE-S3) version, sealed under the destination's customer key.
    r = s3.copy_object(Bucket=bucket, Key="c1", CopySource={"Bucket": bucket, "Key": "v", "VersionId": v1}, **sse)
    assert r["CopySourceVersionId"] == v1 and r["SSECustomerAlgorithm"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="c1", **sse)["Body"].read() == first
    # A copy from the SSE-C version needs its key, then is stored under SSE-S3.
    source = {"Bucket": bucket, "Key": "v", "VersionId": v2}
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="c2", CopySource=source)
    assert error_of(e)[0::2] == ("InvalidRequest", 400)
    copy_key = {"CopySourceSSECustomerAlgorithm": "AES256", "CopySourceSSECustomerKey": KEY}
    r = s3.copy_object(Bucket=bucket, Key="c2", CopySource=source, **copy_key)
    assert r["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="c2")["Body"].read() == second
    # Restoring v1 by copying it onto its own key is allowed (it names a version).
    s3.copy_object(Bucket=bucket, Key="v", CopySource={"Bucket": bucket, "Key": "v", "VersionId": v1})
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == first
    assert _files_containing(tls_server.data_dir, MARKER) == []


def test_upload_part_copy_reads_and_seals_under_the_right_keys(tls_server: Server, s3: Any, bucket: str) -> None:
    """UploadPartCopy decrypts a range of its source (across the segments of a multipart
    source) and seals the part under the upload's key: the SSE-C upload's key on the
    request, the SSE-C source's own key as the copy source's."""
    sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
    other = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": OTHER_KEY}
    copy_key = {"CopySourceSSECustomerAlgorithm": "AES256", "CopySourceSSECustomerKey": KEY}
    parts_data = [MARKER * 150_000, os.urandom(4321)]  # ~5.6 MiB, then a short last part
    up = s3.create_multipart_upload(Bucket=bucket, Key="src", **sse)["UploadId"]
    etags = [
        s3.upload_part(Bucket=bucket, Key="src", UploadId=up, PartNumber=n, Body=chunk, **sse)["ETag"]
        for n, chunk in enumerate(parts_data, start=1)
    ]
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="src",
        UploadId=up,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": t} for n, t in enumerate(etags, start=1)]},
    )
    data = b"".join(parts_data)
    first, last = 5 * 1024**2, len(data) - 1  # 5 MiB, then the rest: across the two segments
    dest = s3.create_multipart_upload(Bucket=bucket, Key="dest", **other)["UploadId"]
    source = {"Bucket": bucket, "Key": "src"}

    def copy(number: int, rng: str, **extra: Any) -> dict[str, Any]:
        out: dict[str, Any] = s3.upload_part_copy(
            Bucket=bucket, Key="dest", UploadId=dest, PartNumber=number, CopySource=source, CopySourceRange=rng, **extra
        )
        return out

    # Refused: without the upload's key, without the source's key, with the wrong source key.
    for extra in (copy_key, other, {**other, **copy_key, "CopySourceSSECustomerKey": OTHER_KEY}):
        with pytest.raises(ClientError) as e:
            copy(1, f"bytes=0-{first - 1}", **extra)
        assert error_of(e)[0::2] == ("InvalidRequest", 400)
    p1 = copy(1, f"bytes=0-{first - 1}", **other, **copy_key)
    assert p1["SSECustomerAlgorithm"] == "AES256"
    # Under the upload's SSE-C key the part's ETag is no MD5 of its data (sse.etag_hex).
    keyed = hmac.new(OTHER_KEY, hashlib.md5(data[:first]).digest(), hashlib.sha256).hexdigest()[:32]
    assert p1["CopyPartResult"]["ETag"] == f'"{keyed}"'
    p2 = copy(2, f"bytes={first - 10}-{last}", **other, **copy_key)
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="dest",
        UploadId=dest,
        MultipartUpload={
            "Parts": [
                {"PartNumber": 1, "ETag": p1["CopyPartResult"]["ETag"]},
                {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]},
            ]
        },
    )
    expected = data[:first] + data[first - 10 :]
    assert s3.get_object(Bucket=bucket, Key="dest", **other)["Body"].read() == expected
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="dest", **sse)
    # An SSE-S3 upload takes a part copied from the SSE-C source with only the source's key.
    plain = s3.create_multipart_upload(Bucket=bucket, Key="plain")["UploadId"]
    p = s3.upload_part_copy(
        Bucket=bucket, Key="plain", UploadId=plain, PartNumber=1, CopySource=source, CopySourceRange="bytes=0-99",
        **copy_key,
    )  # fmt: skip
    assert p["ServerSideEncryption"] == "AES256"
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="plain",
        UploadId=plain,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["CopyPartResult"]["ETag"]}]},
    )
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == data[:100]
    assert _files_containing(tls_server.data_dir, MARKER) == []


def test_read_with_the_sse_s3_header_is_refused(s3: Any, bucket: str) -> None:
    """S3 answers 400 to a GET or HEAD of an SSE-S3 object that sends x-amz-server-side-encryption."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"

    def add_header(params: Any, **_: Any) -> None:
        params["headers"]["x-amz-server-side-encryption"] = "AES256"

    s3.meta.events.register("before-call.s3.HeadObject", add_header)
    s3.meta.events.register("before-call.s3.GetObject", add_header)
    try:
        with pytest.raises(ClientError) as e:
            s3.head_object(Bucket=bucket, Key="k")
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        with pytest.raises(ClientError) as e:
            s3.get_object(Bucket=bucket, Key="k")
        assert error_of(e)[0::2] == ("InvalidArgument", 400)
    finally:
        s3.meta.events.unregister("before-call.s3.HeadObject", add_header)
        s3.meta.events.unregister("before-call.s3.GetObject", add_header)
