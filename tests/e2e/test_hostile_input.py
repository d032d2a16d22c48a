"""Hostile input that used to reach a parser's or a protocol's edge: each gets AWS's 4xx,
never a 500, a dropped connection or a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import error_of, make_bucket

pytestmark = pytest.mark.e2e


@pytest.fixture
def bucket(server: Server) -> Iterator[str]:
    yield from make_bucket(server.client("s3"))


def _signed_s3(server: Server, method: str, path: str, body: bytes = b"") -> httpx.Response:
    req = AWSRequest(method=method, url=server.url + path, data=body)
    S3SigV4Auth(Credentials(server.access_key_id, server.secret_access_key), "s3", "us-east-1").add_auth(req)
    return httpx.request(method, server.url + path, content=body, headers=dict(req.headers.items()), timeout=30)


OVERRIDES = {
    "ResponseContentType": "response-content-type",
    "ResponseContentLanguage": "response-content-language",
    "ResponseExpires": "response-expires",
    "ResponseCacheControl": "response-cache-control",
    "ResponseContentDisposition": "response-content-disposition",
    "ResponseContentEncoding": "response-content-encoding",
}


@pytest.mark.parametrize("param", sorted(OVERRIDES))
@pytest.mark.parametrize("bad", ["text/plain\r\nX-Injected: 1", "a\nb", "a\x00b", "a\x7fb"])
def test_response_override_with_control_characters_is_invalid_argument(
    server: Server, bucket: str, param: str, bad: str
) -> None:
    s3 = server.client("s3")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    # ResponseExpires is a timestamp in the model: send the raw string through the query.
    resp = _signed_s3(server, "GET", f"/{bucket}/k?{OVERRIDES[param]}={quote(bad, safe='')}")
    assert resp.status_code == 400
    assert b"<Code>InvalidArgument</Code>" in resp.content
    assert "x-injected" not in resp.headers


def test_response_override_with_plain_value_still_applies(server: Server, bucket: str) -> None:
    s3 = server.client("s3")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    got = s3.get_object(Bucket=bucket, Key="k", ResponseContentType="text/x-ok; charset=\u00e9")
    assert got["ContentType"].startswith("text/x-ok")


@pytest.mark.parametrize("escape", ["%FF", "%C3%28", "%80", "%ED%A0%80"])
def test_key_that_is_not_utf8_is_invalid_uri(server: Server, bucket: str, escape: str) -> None:
    resp = _signed_s3(server, "PUT", f"/{bucket}/a{escape}", b"one")
    assert resp.status_code == 400
    assert b"<Code>InvalidURI</Code>" in resp.content
    # Nothing was stored under the U+FFFD spelling either.
    with pytest.raises(ClientError) as exc:
        server.client("s3").get_object(Bucket=bucket, Key="a\ufffd")
    assert error_of(exc)[0] == "NoSuchKey"


def test_query_redirect_does_not_echo_control_characters(server: Server) -> None:
    url = server.url + "/?Version=a%0D%0AX-Injected%3A%201"
    req = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(server.access_key_id, server.secret_access_key), "iam", "us-east-1").add_auth(req)
    resp = httpx.get(url, headers=dict(req.headers.items()), timeout=30)
    assert resp.status_code == 302
    assert "x-injected" not in resp.headers
    assert "\r" not in resp.headers["location"] and "\n" not in resp.headers["location"]


def test_deeply_nested_json_is_serialization_exception(server: Server) -> None:
    body = b"[" * 200_000
    req = AWSRequest(
        method="POST",
        url=server.url + "/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization",
        },
    )
    SigV4Auth(Credentials(server.access_key_id, server.secret_access_key), "organizations", "us-east-1").add_auth(req)
    resp = httpx.post(server.url + "/", content=body, headers=dict(req.headers.items()), timeout=30)
    assert resp.status_code == 400
    assert resp.json()["__type"] == "SerializationException"
