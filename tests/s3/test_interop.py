"""Interoperability with ordinary clients: each test is one behaviour a real client (boto3,
the AWS CLI, a browser, a raw HTTP client) relies on and that once went wrong."""

from __future__ import annotations

import hashlib
import json
import socket
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import aws_cli, error_of, new_account, policy

pytestmark = pytest.mark.e2e

PART = 5 * 1024 * 1024


# --- signatures -----------------------------------------------------------------------------


def test_sigv4_with_date_header_instead_of_x_amz_date(s3: Any, bucket: str) -> None:
    """A caller that sets ``Date`` gets botocore's SigV4 over ``Date: ... -0000`` (RFC 2822's
    "UTC, zone unknown"), with no X-Amz-Date."""
    seen: dict[str, str] = {}

    def add_date(request: Any, **_: Any) -> None:
        request.headers["Date"] = formatdate(usegmt=True)

    def record(request: Any, **_: Any) -> None:
        seen.update({k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()})

    s3.meta.events.register("before-sign.s3.PutObject", add_date)
    s3.meta.events.register("before-send.s3.PutObject", record)
    try:
        s3.put_object(Bucket=bucket, Key="dated", Body=b"x")
    finally:
        s3.meta.events.unregister("before-sign.s3.PutObject", add_date)
        s3.meta.events.unregister("before-send.s3.PutObject", record)
    assert "X-Amz-Date" not in seen and str(seen["Date"]).endswith("-0000")
    assert s3.get_object(Bucket=bucket, Key="dated")["Body"].read() == b"x"


def test_sigv4_date_header_without_zone_is_refused(server: Server, bucket: str) -> None:
    """A ``Date`` with no zone at all names no instant: refused, not read as UTC."""
    s3 = server.client("s3")

    def add_date(request: Any, **_: Any) -> None:
        request.headers["Date"] = "x"

    def strip_zone(request: Any, **_: Any) -> None:
        value = request.headers["Date"]
        value = value.decode() if isinstance(value, bytes) else value
        del request.headers["Date"]
        request.headers["Date"] = value.replace(" -0000", "")

    s3.meta.events.register("before-sign.s3.PutObject", add_date)
    s3.meta.events.register("before-send.s3.PutObject", strip_zone)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="undated", Body=b"x")
    assert error_of(exc)[2] == 403


def test_non_ascii_header_value_in_signature(s3: Any, bucket: str) -> None:
    """botocore signs and sends user metadata ``Hello World\\xe9`` as UTF-8; it reads back as
    the same text."""
    s3.meta.events.register(
        "before-call.s3.PutObject",
        lambda **kw: kw["params"]["headers"].update({"x-amz-meta-meta1": "Hello World\xe9"}),
    )
    s3.put_object(Bucket=bucket, Key="latin", Body=b"bar")
    assert s3.get_object(Bucket=bucket, Key="latin")["Metadata"] == {"meta1": "Hello World\xe9"}


# --- conditional reads and checksums ------------------------------------------------------


def test_not_modified_carries_etag_and_last_modified(s3: Any, bucket: str, server: Server) -> None:
    put = s3.put_object(Bucket=bucket, Key="c", Body=b"cache me")
    signer = server.client("s3", config={"signature_version": "s3v4"})
    url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "c"}, ExpiresIn=300)
    r = httpx.get(url, headers={"If-None-Match": put["ETag"]})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["etag"] == put["ETag"]
    head = s3.head_object(Bucket=bucket, Key="c")
    assert r.headers["last-modified"] == formatdate(head["LastModified"].timestamp(), usegmt=True)
    r = httpx.get(url, headers={"If-Modified-Since": r.headers["last-modified"]})
    assert r.status_code == 304 and r.headers["etag"] == put["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=put["ETag"])
    assert error_of(exc)[2] == 304


def test_checksum_of_empty_body_is_checked(s3: Any, bucket: str) -> None:
    """An ``x-amz-checksum-*`` header that is not the empty body's checksum is refused, not
    stored as a zero-length object."""
    wrong = "AAAAAQ=="  # CRC32 of the empty body is AAAAAA==
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="empty", Body=b"", ChecksumCRC32=wrong)
    assert error_of(exc)[0] == "BadDigest"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="empty", Body=b"", ContentMD5="AAAAAAAAAAAAAAAAAAAAAA==")
    assert error_of(exc)[0] == "BadDigest"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="empty")


def test_checksum_of_empty_body_accepted_when_right(s3: Any, bucket: str) -> None:
    r = s3.put_object(Bucket=bucket, Key="empty-ok", Body=b"", ChecksumCRC32="AAAAAA==")
    assert r["ChecksumCRC32"] == "AAAAAA=="


# --- multipart --------------------------------------------------------------------------------


def _upload(s3: Any, bucket: str, key: str) -> tuple[str, list[dict[str, Any]]]:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts = []
    for n, size in ((1, PART), (2, 10)):
        part = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=n, Body=b"p" * size)
        parts.append({"PartNumber": n, "ETag": part["ETag"]})
    return upload_id, parts


def test_retried_complete_answers_as_the_first(s3: Any, bucket: str) -> None:
    """An SDK that lost the first answer retries Complete: the same 200 and ETag, while the
    object that upload made is still there; NoSuchUpload once it is replaced."""
    upload_id, parts = _upload(s3, bucket, "mp")
    first = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id, MultipartUpload={"Parts": parts})
    again = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert again["ETag"] == first["ETag"] and again["Key"] == "mp"
    assert s3.get_object(Bucket=bucket, Key="mp")["ContentLength"] == PART + 10
    s3.put_object(Bucket=bucket, Key="mp", Body=b"replaced")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert error_of(exc)[0] == "NoSuchUpload"


def test_retried_complete_of_another_key_is_no_such_upload(s3: Any, bucket: str) -> None:
    upload_id, parts = _upload(s3, bucket, "mp2")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp2", UploadId=upload_id, MultipartUpload={"Parts": parts})
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="other", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert error_of(exc)[0] == "NoSuchUpload"


def test_complete_if_none_match_refuses_to_overwrite(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="taken", Body=b"first")
    upload_id, parts = _upload(s3, bucket, "taken")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="taken", UploadId=upload_id, MultipartUpload={"Parts": parts}, IfNoneMatch="*"
        )
    assert error_of(exc)[:1] == ("PreconditionFailed",) and error_of(exc)[2] == 412
    assert s3.get_object(Bucket=bucket, Key="taken")["Body"].read() == b"first"
    # The upload is still there: the client may complete it without the condition.
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="taken", UploadId=upload_id, MultipartUpload={"Parts": parts}
    )
    assert done["ETag"].endswith('-2"')


def test_complete_if_none_match_creates(s3: Any, bucket: str) -> None:
    upload_id, parts = _upload(s3, bucket, "fresh")
    s3.complete_multipart_upload(
        Bucket=bucket, Key="fresh", UploadId=upload_id, MultipartUpload={"Parts": parts}, IfNoneMatch="*"
    )
    assert s3.head_object(Bucket=bucket, Key="fresh")["ContentLength"] == PART + 10


def test_complete_if_match(s3: Any, bucket: str) -> None:
    current = s3.put_object(Bucket=bucket, Key="m", Body=b"v1")["ETag"]
    upload_id, parts = _upload(s3, bucket, "m")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="m", UploadId=upload_id, MultipartUpload={"Parts": parts}, IfMatch='"0123"'
        )
    assert error_of(exc)[2] == 412
    s3.complete_multipart_upload(
        Bucket=bucket, Key="m", UploadId=upload_id, MultipartUpload={"Parts": parts}, IfMatch=current
    )
    upload_id, parts = _upload(s3, bucket, "absent")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="absent", UploadId=upload_id, MultipartUpload={"Parts": parts}, IfMatch=current
        )
    assert error_of(exc)[0] == "NoSuchKey"


# --- listing and tagging -------------------------------------------------------------------


def test_list_objects_v1_prefix_as_sent(s3: Any, bucket: str, server: Server) -> None:
    """ListObjects (v1) never URL-encodes its own ``Prefix``: botocore asks every v1 listing
    for ``encoding-type=url`` and decodes Marker, Delimiter, keys and common prefixes, but
    not Prefix, so an encoded one reached the caller as ``a%20b/...``."""
    s3.put_object(Bucket=bucket, Key="a b/\u00fc+c", Body=b"")
    out = s3.list_objects(Bucket=bucket, Prefix="a b/\u00fc", Delimiter="+", Marker="a b")
    assert (out["Prefix"], out["Delimiter"], out["Marker"]) == ("a b/\u00fc", "+", "a b")
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["a b/\u00fc+"]
    # Without encoding-type nothing is encoded.
    from botocore.handlers import set_list_objects_encoding_type_url

    raw = server.client("s3")
    raw.meta.events.unregister("before-parameter-build.s3.ListObjects", set_list_objects_encoding_type_url)
    out = raw.list_objects(Bucket=bucket, Prefix="a b/\u00fc", Delimiter="+")
    assert "EncodingType" not in out
    assert (out["Prefix"], [p["Prefix"] for p in out["CommonPrefixes"]]) == ("a b/\u00fc", ["a b/\u00fc+"])
    r = aws_cli(server, "s3api", "list-objects", "--bucket", bucket, "--prefix", "a b/\u00fc", "--delimiter", "+")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Prefix"] == "a b/\u00fc"


def test_too_many_object_tags_is_invalid_tag(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="t", Body=b"")
    tags = {"TagSet": [{"Key": f"k{i}", "Value": "v"} for i in range(11)]}
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="t", Tagging=tags)
    assert error_of(exc) == ("InvalidTag", "Object tags cannot be greater than 10", 400)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="t2", Body=b"", Tagging="&".join(f"k{i}=v" for i in range(11)))
    assert error_of(exc)[0] == "InvalidTag"


# --- 100 Continue --------------------------------------------------------------------------


def _expect_continue(server: Server, bucket: str, key: str, creds: tuple[str, str]) -> bytes:
    """Send a signed PutObject head with ``Expect: 100-continue`` and no body; the first
    bytes the server answers."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = f"{server.url}/{bucket}/{key}"
    body = b"x" * 1024
    request = AWSRequest(
        method="PUT",
        url=url,
        data=body,
        headers={"Expect": "100-continue", "Content-Length": str(len(body))},
    )
    request.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    S3SigV4Auth(Credentials(*creds), "s3", "us-east-1").add_auth(request)
    parts = urlsplit(url)
    head = f"PUT {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    for name, value in request.headers.items():
        if name.lower() != "host":
            head += f"{name}: {value}\r\n"
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"\r\n")
        # The answer's head, then its body (Content-Length) if it has one: the server may
        # write them separately.
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                return answer
            answer += chunk
        head_part, _, rest = answer.partition(b"\r\n\r\n")
        length = 0
        for line in head_part.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = sock.recv(4096)
            if not chunk:
                break
            rest += chunk
        return head_part + b"\r\n\r\n" + rest


def test_expect_100_continue_refused_before_continue(server: Server, s3: Any, bucket: str) -> None:
    """A caller the bucket policy denies gets its 403 before ``100 Continue``; an allowed one
    gets ``100 Continue``."""
    _, key, secret = new_account(server)
    answer = _expect_continue(server, bucket, "denied", (key, secret))
    assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
    assert b"100 Continue" not in answer and b"<Code>AccessDenied</Code>" in answer
    answer = _expect_continue(server, bucket, "allowed", (server.access_key_id, server.secret_access_key))
    assert answer.startswith(b"HTTP/1.1 100 Continue"), answer[:200]


def test_expect_100_continue_no_such_bucket_first(server: Server) -> None:
    answer = _expect_continue(server, "no-such-bucket-here", "k", (server.access_key_id, server.secret_access_key))
    assert answer.startswith(b"HTTP/1.1 404") and b"NoSuchBucket" in answer


def test_aws_cli_upload_with_expect_continue_to_public_put_bucket(
    server: Server, s3: Any, bucket: str, tmp_path: Any
) -> None:
    """The AWS CLI (which sends ``Expect: 100-continue``) uploads and is refused as boto3 is."""
    src = tmp_path / "f.bin"
    src.write_bytes(b"y" * (2 * 1024 * 1024))
    r = aws_cli(server, "s3api", "put-object", "--bucket", bucket, "--key", "cli.bin", "--body", str(src))
    assert r.returncode == 0, r.stderr
    _, key, secret = new_account(server)
    r = aws_cli(
        server, "s3api", "put-object", "--bucket", bucket, "--key", "x", "--body", str(src), key=key, secret=secret
    )
    assert r.returncode != 0 and "AccessDenied" in r.stderr


def test_aws_cli_sees_not_modified_and_conditional_complete(
    server: Server, s3: Any, bucket: str, tmp_path: Any
) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v")["ETag"]
    r = aws_cli(
        server, "s3api", "get-object", "--bucket", bucket, "--key", "k", "--if-none-match", etag, str(tmp_path / "o")
    )
    assert r.returncode != 0 and "304" in r.stderr
    upload_id, parts = _upload(s3, bucket, "k")
    r = aws_cli(
        server, "s3api", "complete-multipart-upload", "--bucket", bucket, "--key", "k", "--upload-id", upload_id,
        "--multipart-upload", json.dumps({"Parts": parts}), "--if-none-match", "*",
    )  # fmt: skip
    assert r.returncode != 0 and "PreconditionFailed" in r.stderr


def test_policy_allows_other_account_with_expect_continue(server: Server, s3: Any, bucket: str) -> None:
    """The early check is the same decision as the operation's: a bucket policy that lets
    another account put objects lets it past ``100 Continue``."""
    account, key, secret = new_account(server)
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ),
    )
    answer = _expect_continue(server, bucket, "granted", (key, secret))
    assert answer.startswith(b"HTTP/1.1 100 Continue"), answer[:200]


def test_content_encoding_kept_as_sent_without_aws_chunked(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="enc", Body=b"", ContentEncoding="deflate, gzip")
    assert s3.head_object(Bucket=bucket, Key="enc")["ContentEncoding"] == "deflate, gzip"
    s3.put_object(Bucket=bucket, Key="enc", Body=b"", ContentEncoding="aws-chunked,deflate,gzip")
    assert s3.head_object(Bucket=bucket, Key="enc")["ContentEncoding"] == "deflate, gzip"
    s3.put_object(Bucket=bucket, Key="enc", Body=b"", ContentEncoding="aws-chunked")
    assert "ContentEncoding" not in s3.head_object(Bucket=bucket, Key="enc")


# --- the same fixes through the AWS CLI ------------------------------------------------------

# An AWS CLI plugin (the CLI's own extension point, loaded from its config file) that adds
# the headers named in $SIGNED_HEADERS to each PutObject before botocore signs it: how a
# client that dates its requests with ``Date``, or sends metadata the CLI's own
# ``--metadata`` refuses, reaches the server through the CLI's whole signing and sending path.
_PLUGIN = """
import json
import os


def _add_headers(request, **_):
    for name, value in json.loads(os.environ["SIGNED_HEADERS"]).items():
        request.headers[name] = value


def awscli_initialize(cli):
    cli.register("before-sign.s3.PutObject", _add_headers)
"""


def _cli_with_headers(tmp_path: Path, headers: dict[str, str]) -> dict[str, str]:
    """The environment under which ``aws`` loads the plugin and adds ``headers``."""
    (tmp_path / "signed_headers_plugin.py").write_text(_PLUGIN)
    config = tmp_path / "aws-config"
    config.write_text("[plugins]\nsigned_headers = signed_headers_plugin\n")
    return {"AWS_CONFIG_FILE": str(config), "PYTHONPATH": str(tmp_path), "SIGNED_HEADERS": json.dumps(headers)}


def test_aws_cli_signs_with_date_instead_of_x_amz_date(server: Server, s3: Any, bucket: str, tmp_path: Path) -> None:
    env = _cli_with_headers(tmp_path, {"Date": formatdate(usegmt=True)})
    r = aws_cli(server, "s3api", "put-object", "--bucket", bucket, "--key", "dated", "--debug", extra_env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    # The canonical request botocore logged: signed over Date, with no X-Amz-Date at all.
    signed = [line for line in r.stderr.splitlines() if line.startswith("date;host;")]
    assert signed and "x-amz-date" not in signed[0], signed
    assert any(line.startswith("date:") and line.endswith(" -0000") for line in r.stderr.splitlines())
    assert s3.head_object(Bucket=bucket, Key="dated")["ContentLength"] == 0


def test_aws_cli_non_ascii_metadata(server: Server, s3: Any, bucket: str, tmp_path: Path) -> None:
    """The CLI's own ``--metadata`` refuses non-ASCII before sending (botocore's
    validate_ascii_metadata); sent by a plugin, the value is signed, stored and read back
    by ``head-object`` and ``get-object`` as the same text."""
    refused = aws_cli(server, "s3api", "put-object", "--bucket", bucket, "--key", "m", "--metadata", "meta1=\xe9")
    assert refused.returncode != 0 and "Non ascii characters found in S3 metadata" in refused.stderr
    assert aws_cli(server, "s3api", "head-object", "--bucket", bucket, "--key", "m").returncode != 0
    env = _cli_with_headers(tmp_path, {"x-amz-meta-meta1": "Hello World\xe9"})
    r = aws_cli(server, "s3api", "put-object", "--bucket", bucket, "--key", "latin", extra_env=env)
    assert r.returncode == 0, r.stderr
    r = aws_cli(server, "s3api", "head-object", "--bucket", bucket, "--key", "latin")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Metadata"] == {"meta1": "Hello World\xe9"}
    r = aws_cli(server, "s3api", "get-object", "--bucket", bucket, "--key", "latin", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Metadata"] == {"meta1": "Hello World\xe9"}
    assert s3.head_object(Bucket=bucket, Key="latin")["Metadata"] == {"meta1": "Hello World\xe9"}


def test_aws_cli_checksum_of_empty_body(server: Server, s3: Any, bucket: str) -> None:
    """``put-object`` without ``--body`` sends an empty body with the given checksum."""
    # S3's retry rules retry BadDigest; one attempt keeps the refusal quick.
    once = {"AWS_MAX_ATTEMPTS": "1"}
    r = aws_cli(server, "s3api", "put-object", "--bucket", bucket, "--key", "empty", "--checksum-crc32", "AAAAAQ==",
                extra_env=once)  # fmt: skip
    assert r.returncode != 0 and "(BadDigest)" in r.stderr
    r = aws_cli(server, "s3api", "head-object", "--bucket", bucket, "--key", "empty")
    assert r.returncode != 0 and "404" in r.stderr
    r = aws_cli(server, "s3api", "put-object", "--bucket", bucket, "--key", "empty", "--checksum-crc32", "AAAAAA==")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ChecksumCRC32"] == "AAAAAA=="
    assert s3.head_object(Bucket=bucket, Key="empty")["ContentLength"] == 0


def test_aws_cli_retried_complete_answers_as_the_first(server: Server, s3: Any, bucket: str) -> None:
    upload_id, parts = _upload(s3, bucket, "mp")
    args = ("s3api", "complete-multipart-upload", "--bucket", bucket, "--key", "mp", "--upload-id", upload_id,
            "--multipart-upload", json.dumps({"Parts": parts}))  # fmt: skip
    first = aws_cli(server, *args)
    assert first.returncode == 0, first.stderr
    again = aws_cli(server, *args)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["ETag"] == json.loads(first.stdout)["ETag"]
    assert json.loads(again.stdout)["Key"] == "mp"
    s3.put_object(Bucket=bucket, Key="mp", Body=b"replaced")
    r = aws_cli(server, *args)
    assert r.returncode != 0 and "(NoSuchUpload)" in r.stderr


def test_aws_cli_complete_if_match(server: Server, s3: Any, bucket: str) -> None:
    current = s3.put_object(Bucket=bucket, Key="m", Body=b"v1")["ETag"]
    upload_id, parts = _upload(s3, bucket, "m")
    args = ("s3api", "complete-multipart-upload", "--bucket", bucket, "--upload-id", upload_id,
            "--multipart-upload", json.dumps({"Parts": parts}))  # fmt: skip
    r = aws_cli(server, *args, "--key", "m", "--if-match", '"0123"')
    assert r.returncode != 0 and "(PreconditionFailed)" in r.stderr
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == b"v1"
    r = aws_cli(server, *args, "--key", "m", "--if-match", current)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ETag"].endswith('-2"')
    upload_id, parts = _upload(s3, bucket, "absent")
    r = aws_cli(server, "s3api", "complete-multipart-upload", "--bucket", bucket, "--key", "absent",
                "--upload-id", upload_id, "--multipart-upload", json.dumps({"Parts": parts}),
                "--if-match", current)  # fmt: skip
    assert r.returncode != 0 and "(NoSuchKey)" in r.stderr


def test_aws_cli_too_many_object_tags(server: Server, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="t", Body=b"")
    tag_set = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
    r = aws_cli(server, "s3api", "put-object-tagging", "--bucket", bucket, "--key", "t",
                "--tagging", json.dumps({"TagSet": tag_set}))  # fmt: skip
    assert r.returncode != 0 and "(InvalidTag)" in r.stderr and "cannot be greater than 10" in r.stderr
    r = aws_cli(server, "s3api", "put-object", "--bucket", bucket, "--key", "t2",
                "--tagging", "&".join(f"k{i}=v" for i in range(11)))  # fmt: skip
    assert r.returncode != 0 and "(InvalidTag)" in r.stderr
    r = aws_cli(server, "s3api", "put-object-tagging", "--bucket", bucket, "--key", "t",
                "--tagging", json.dumps({"TagSet": tag_set[:10]}))  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = aws_cli(server, "s3api", "get-object-tagging", "--bucket", bucket, "--key", "t")
    assert len(json.loads(r.stdout)["TagSet"]) == 10
