"""Signature Version 2 through the real server: the URLs `aws s3 presign` and boto3 make by
default for a custom endpoint, SigV2-signed header requests, and the policy key that names it."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import aws_cli, error_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def v2(server: Server) -> Any:
    """A client that signs every S3 request with SigV2 (botocore's ``s3`` signer)."""
    return server.client("s3", config={"signature_version": "s3", "s3": {"addressing_style": "path"}})


def test_default_presigned_url_is_sigv2_and_works(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"shared by link")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "doc.txt"}, ExpiresIn=300)
    assert "AWSAccessKeyId=" in url and "X-Amz-Algorithm" not in url
    r = httpx.get(url)
    assert (r.status_code, r.content) == (200, b"shared by link")


def test_aws_cli_presign(server: Server, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cli.txt", Body=b"from the cli")
    out = aws_cli(server, "s3", "presign", f"s3://{bucket}/cli.txt", "--expires-in", "120")
    assert out.returncode == 0, out.stderr
    r = httpx.get(out.stdout.strip())
    assert (r.status_code, r.content) == (200, b"from the cli")


def test_presigned_put_with_session_credentials(server: Server, bucket: str) -> None:
    sts = server.client("sts")
    # botocore carries the session token into the SigV2 URL as x-amz-security-token.
    creds = sts.get_session_token(DurationSeconds=900)["Credentials"]
    signer = server.client(
        "s3",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    url = signer.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "tok.txt"}, ExpiresIn=300)
    assert "x-amz-security-token=" in url
    assert httpx.put(url, content=b"token in the url").status_code == 200
    assert server.client("s3").get_object(Bucket=bucket, Key="tok.txt")["Body"].read() == b"token in the url"


def test_tampered_and_expired_presigned_urls(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    s3.put_object(Bucket=bucket, Key="b.txt", Body=b"b")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a.txt"}, ExpiresIn=300)
    r = httpx.get(url.replace("/a.txt?", "/b.txt?"))
    assert r.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in r.text
    assert "<StringToSign>" in r.text
    short = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a.txt"}, ExpiresIn=2)
    time.sleep(3.2)
    r = httpx.get(short)
    assert r.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in r.text


def test_unknown_key_in_presigned_url(server: Server, bucket: str) -> None:
    stranger = server.client("s3", aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x" * 40)
    url = stranger.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    r = httpx.get(url)
    assert r.status_code == 403 and "<Code>InvalidAccessKeyId</Code>" in r.text


def test_header_signed_requests(v2: Any, bucket: str) -> None:
    v2.put_object(Bucket=bucket, Key="dir/h.txt", Body=b"header v2", ContentType="text/plain", Metadata={"k": "v"})
    got = v2.get_object(Bucket=bucket, Key="dir/h.txt")
    assert got["Body"].read() == b"header v2" and got["Metadata"] == {"k": "v"}
    assert [o["Key"] for o in v2.list_objects(Bucket=bucket)["Contents"]] == ["dir/h.txt"]
    up = v2.create_multipart_upload(Bucket=bucket, Key="mp.bin")
    part = v2.upload_part(Bucket=bucket, Key="mp.bin", UploadId=up["UploadId"], PartNumber=1, Body=b"x" * 10)
    v2.complete_multipart_upload(
        Bucket=bucket,
        Key="mp.bin",
        UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert v2.get_object(Bucket=bucket, Key="mp.bin")["Body"].read() == b"x" * 10
    v2.delete_object(Bucket=bucket, Key="dir/h.txt")


def test_header_signed_with_wrong_secret(server: Server, bucket: str) -> None:
    wrong = server.client(
        "s3", aws_secret_access_key="y" * 40, config={"signature_version": "s3", "s3": {"addressing_style": "path"}}
    )
    with pytest.raises(ClientError) as info:
        wrong.list_objects(Bucket=bucket)
    code, _, status = error_of(info)
    assert (code, status) == ("SignatureDoesNotMatch", 403)


def test_policy_can_refuse_signature_version_2(s3: Any, v2: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="p.txt", Body=b"p")
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                        "Condition": {"StringEquals": {"s3:signatureversion": "AWS"}},
                    }
                ],
            }
        ),
    )
    try:
        with pytest.raises(ClientError) as info:
            v2.get_object(Bucket=bucket, Key="p.txt")
        assert error_of(info)[0] == "AccessDenied"
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "p.txt"}, ExpiresIn=60)
        assert httpx.get(url).status_code == 403
        assert s3.get_object(Bucket=bucket, Key="p.txt")["Body"].read() == b"p"  # SigV4 still passes
    finally:
        s3.delete_bucket_policy(Bucket=bucket)
