"""S3 REST-XML: routing, error documents and results, parsed back by botocore."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.parsers import RestXMLParser

from credmint import errors
from credmint.errors import AwsError
from credmint.sigv4 import errors as sigv4_errors
from credmint.wire import render_s3_error, render_s3_result, s3_result_headers, s3_target
from credmint.wire.query import load_model

BASES = ("s3.amazonaws.com", "s3.localhost.localstack.cloud", "localhost", "storage.example.com")


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        ("localhost:4566", "/", (None, None)),
        ("localhost:4566", "/bucket", ("bucket", None)),
        ("localhost:4566", "/bucket/", ("bucket", None)),
        ("localhost:4566", "/bucket/a/b%20c/d%2Be+f.txt", ("bucket", "a/b c/d+e+f.txt")),
        ("localhost", "/bucket/%E6%97%A5%E6%9C%AC", ("bucket", "日本")),
        ("127.0.0.1:9000", "/bucket/key", ("bucket", "key")),
        ("[::1]:9000", "/bucket/key", ("bucket", "key")),
        (None, "/bucket/key", ("bucket", "key")),
        ("bucket.localhost:4566", "/", ("bucket", None)),
        ("bucket.localhost", "/dir/key", ("bucket", "dir/key")),
        ("my.dotted.bucket.s3.localhost.localstack.cloud:4566", "/k", ("my.dotted.bucket", "k")),
        ("s3.localhost.localstack.cloud:4566", "/b/k", ("b", "k")),
        ("bucket.s3.amazonaws.com", "/key", ("bucket", "key")),
        ("BUCKET.S3.AMAZONAWS.COM", "/Key", ("bucket", "Key")),
        ("bucket.s3.eu-west-1.amazonaws.com", "/key", ("bucket", "key")),
        ("bucket.s3-eu-west-1.amazonaws.com", "/key", ("bucket", "key")),
        ("bucket.s3.dualstack.us-east-1.amazonaws.com", "/key", ("bucket", "key")),
        ("s3.eu-west-1.amazonaws.com", "/bucket/key", ("bucket", "key")),
        ("s3.amazonaws.com", "/bucket/key", ("bucket", "key")),
        ("files.storage.example.com", "/k", ("files", "k")),
        ("storage.example.com", "/b/k", ("b", "k")),
        ("unrelated.example.org", "/b/k", ("b", "k")),
        ("localhost", "/bucket/key?x=1", ("bucket", "key")),
    ],
)
def test_s3_target(host: str | None, path: str, expected: tuple[str | None, str | None]) -> None:
    assert s3_target(host, path, BASES) == expected


@pytest.mark.parametrize("path", ["/bucket/%zz", "/bucket/a%00b", "/bucket/%00", "/bucket/%FF"])
def test_a_path_that_names_no_object_is_invalid_uri(path: str) -> None:
    """A bad escape, bytes that are not UTF-8, a NUL (which no object's name can hold)."""
    with pytest.raises(AwsError) as e:
        s3_target("localhost", path, BASES)
    assert (e.value.code, e.value.status) == ("InvalidURI", 400)


@pytest.mark.parametrize("value", ["a\x00b", "\x01\x1f", "lone \udc80", "\ufffe", "fine\ttab\nline"])
def test_an_errors_argument_value_parses_whatever_it_holds(value: str) -> None:
    """An argument value a request supplied is written so botocore's parser reads the
    error: what XML 1.0 cannot hold comes back as U+FFFD."""
    err = sigv4_errors.InvalidArgument("Bad " + value, "prefix", value)
    body = render_s3_error(err, "rid", "hid")
    parsed = RestXMLParser().parse({"body": body, "headers": {}, "status_code": 400}, None)
    assert parsed["Error"]["Code"] == "InvalidArgument"
    assert parsed["Error"]["ArgumentValue"] == "".join(
        c if c in "\t\n" or (c >= " " and not "\ud800" <= c <= "\udfff" and c not in "\ufffe\uffff") else "\ufffd"
        for c in value
    )


def _parse(op: str, body: bytes, headers: dict[str, str] | None = None, status: int = 200) -> dict[str, Any]:
    shape = load_model("s3").operation_model(op).output_shape
    parsed: dict[str, Any] = RestXMLParser().parse(
        {"body": body, "headers": headers or {}, "status_code": status}, shape
    )
    return parsed


def test_s3_error_with_extras() -> None:
    err = sigv4_errors.SignatureDoesNotMatch.s3_v2("AKIA", "AWS4-HMAC-SHA256\n20260101T000000Z\nx&y", "c2ln")
    body = render_s3_error(err, "4442587FB7D0A2F9", "host/id=")
    assert body.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>'
    )
    assert (
        b"<AWSAccessKeyId>AKIA</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n20260101T000000Z\nx&amp;y</StringToSign>"
        in body
    )
    assert body.endswith(b"<RequestId>4442587FB7D0A2F9</RequestId><HostId>host/id=</HostId></Error>")
    parsed = _parse("ListBuckets", body, status=403)
    assert parsed["Error"]["Code"] == "SignatureDoesNotMatch"
    assert parsed["Error"]["Message"] == err.message
    assert parsed["Error"]["AWSAccessKeyId"] == "AKIA"
    # botocore takes the ids from the x-amz-request-id / x-amz-id-2 headers and drops the
    # body copies from the error.
    assert "RequestId" not in parsed["Error"] and "HostId" not in parsed["Error"]


def test_s3_empty_body_error() -> None:
    assert render_s3_error(errors.RequestEntityTooLarge(), "r", "h") == b""


T = datetime(2006, 2, 3, 16, 45, 9, tzinfo=UTC)


def test_list_buckets() -> None:
    result = {
        "Buckets": [
            {"Name": "b1", "CreationDate": T, "BucketRegion": "us-east-1"},
            {"Name": "b2", "CreationDate": T},
        ],
        "Owner": {"ID": "a" * 64, "DisplayName": "name"},
        "ContinuationToken": "tok",
        "Prefix": "b",
    }
    body = render_s3_result("ListBuckets", result)
    assert body.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    )
    assert b"<Buckets><Bucket><Name>b1</Name><CreationDate>2006-02-03T16:45:09.000Z</CreationDate>" in body
    parsed = _parse("ListBuckets", body)
    parsed.pop("ResponseMetadata")
    assert parsed == result


def test_list_objects_v2_flattened_and_headers() -> None:
    result = {
        "IsTruncated": False,
        "Contents": [
            {"Key": "a&b.txt", "LastModified": T, "ETag": '"abc"', "Size": 3, "StorageClass": "STANDARD"},
            {"Key": "c", "LastModified": T, "ETag": '"def"', "Size": 0, "StorageClass": "STANDARD"},
        ],
        "Name": "bucket",
        "Prefix": "",
        "MaxKeys": 1000,
        "CommonPrefixes": [{"Prefix": "dir/"}],
        "KeyCount": 2,
        "RequestCharged": "requester",
    }
    body = render_s3_result("ListObjectsV2", result)
    assert b"<ListBucketResult " in body and b"<Contents><Key>a&amp;b.txt</Key>" in body
    headers = s3_result_headers("ListObjectsV2", result)
    assert headers == {"x-amz-request-charged": "requester"}
    parsed = _parse("ListObjectsV2", body, headers)
    parsed.pop("ResponseMetadata")
    assert parsed == result


def test_header_only_result() -> None:
    result = {
        "ETag": '"abc"',
        "LastModified": T,
        "ContentLength": 3,
        "Metadata": {"color": "blue"},
        "DeleteMarker": False,
        "ObjectLockRetainUntilDate": T,
        "Body": b"abc",
    }
    assert render_s3_result("GetObject", result) == b"abc"
    headers = s3_result_headers("GetObject", result)
    assert headers["Last-Modified"] == "Fri, 03 Feb 2006 16:45:09 GMT"
    assert headers["x-amz-meta-color"] == "blue"
    assert headers["Content-Length"] == "3"
    assert headers["x-amz-delete-marker"] == "false"
    assert render_s3_result("PutObject", {"ETag": '"x"'}) == b""
    assert s3_result_headers("PutObject", {"ETag": '"x"', "VersionId": "v1"}) == {
        "ETag": '"x"',
        "x-amz-version-id": "v1",
    }


def test_acl_attributes_and_namespaces() -> None:
    result = {
        "Owner": {"ID": "o" * 64},
        "Grants": [
            {"Grantee": {"ID": "o" * 64, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"},
            {
                "Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers", "Type": "Group"},
                "Permission": "READ",
            },
        ],
    }
    body = render_s3_result("GetBucketAcl", result)
    assert b'<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">' in body
    parsed = _parse("GetBucketAcl", body)
    parsed.pop("ResponseMetadata")
    assert parsed == result


def test_tagging_and_location() -> None:
    result = {"TagSet": [{"Key": "k", "Value": "v"}]}
    body = render_s3_result("GetBucketTagging", result)
    assert b"<Tagging " in body and b"<TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet>" in body
    parsed = _parse("GetBucketTagging", body)
    parsed.pop("ResponseMetadata")
    assert parsed == result
    body = render_s3_result("GetBucketLocation", {"LocationConstraint": "eu-west-1"})
    assert body.endswith(
        b'<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>'
    )
    # us-east-1 is the empty element.
    assert render_s3_result("GetBucketLocation", {}).endswith(
        b'<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>'
    )
