"""credmint.sigv4.verify: requests signed by botocore/boto3, verified exactly as they arrive on
the wire, and the headers a signature must cover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import boto3
import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.sigv4 import (
    check_request_time,
    check_scope,
    decode_aws_chunked,
    is_streaming,
    parse_auth,
    verify_signature,
)
from tests.unit.sigv4.sigv4_support import (
    GOOD,
    S3AUTH,
    SIGNED_AT,
    flip_last_hex,
    from_botocore,
    presigned_s3,
    replace_header,
    sts_request,
    with_,
)

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEBYaDK+session/token=="
NOW = datetime(2025, 3, 1, 10, 20, 30, tzinfo=UTC)
GCI_BODY = "Action=GetCallerIdentity&Version=2011-06-15"


@pytest.fixture(autouse=True)
def _frozen_clock() -> Any:
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=NOW.replace(tzinfo=None)):
        yield


def _creds(token: bool) -> Credentials:
    return Credentials(AKID, SECRET, TOKEN if token else None)


def _accepts(req: HttpRequest, dialect: str, service: str, token: bool) -> None:
    signed = parse_auth(req, dialect, now=NOW)  # type: ignore[arg-type]
    assert signed is not None
    assert signed.access_key_id == AKID
    assert signed.security_token == (TOKEN if token else None)
    check_scope(signed, service, dialect)  # type: ignore[arg-type]
    check_request_time(signed, NOW, dialect)  # type: ignore[arg-type]
    verify_signature(req, signed, SECRET, dialect)  # type: ignore[arg-type]
    with pytest.raises(AwsError) as info:
        verify_signature(req, signed, SECRET[:-1] + "Z", dialect)  # type: ignore[arg-type]
    assert info.value.code == "SignatureDoesNotMatch"


def _refuses(req: HttpRequest, dialect: str, code: str = "SignatureDoesNotMatch") -> None:
    signed = parse_auth(req, dialect)  # type: ignore[arg-type]
    assert signed is not None
    with pytest.raises(AwsError) as info:
        verify_signature(req, signed, SECRET, dialect)  # type: ignore[arg-type]
    assert info.value.code == code


@pytest.mark.parametrize("token", [False, True])
def test_sigv4auth_sts_post(token: bool) -> None:
    request = AWSRequest(
        method="POST",
        url="https://sts.amazonaws.com/",
        data=GCI_BODY,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    botocore.auth.SigV4Auth(_creds(token), "sts", "us-east-1").add_auth(request)
    req = from_botocore(request.prepare())
    _accepts(req, "query", "sts", token)
    _refuses(with_(req, body=GCI_BODY.replace("Caller", "Callex").encode()), "query")
    _refuses(with_(req, raw_path="/x"), "query")
    _refuses(with_(req, query_string="Action=GetCallerIdentity"), "query")
    _refuses(replace_header(req, "content-type", "text/plain"), "query")
    auth = req.header("authorization") or ""
    _refuses(replace_header(req, "authorization", auth[:-1] + flip_last_hex(auth[-1])), "query")


@pytest.mark.parametrize(
    "key",
    ["plain.txt", "a b/c+d~e!'()*$@=;:,&.txt", "dir//double//slash", "dots/../x", "ünï/çødé", "%41"],
)
@pytest.mark.parametrize("token", [False, True])
def test_s3sigv4auth(key: str, token: bool) -> None:
    from botocore.utils import percent_encode

    url = "https://s3.us-east-1.amazonaws.com/bucket/" + percent_encode(key, safe="/~")
    for method, body in (("GET", b""), ("PUT", b"hello world")):
        request = AWSRequest(method=method, url=url + "?x-id=1&empty=&list-type=2", data=body)
        botocore.auth.S3SigV4Auth(_creds(token), "s3", "us-east-1").add_auth(request)
        req = from_botocore(request.prepare())
        _accepts(req, "s3", "s3", token)
        signed = parse_auth(req, "s3")
        assert signed is not None
        if body:
            # Same signature, different body: the signed x-amz-content-sha256 catches it.
            with pytest.raises(AwsError) as info:
                verify_signature(with_(req, body=b"hello worle"), signed, SECRET, "s3")
            assert info.value.code == "XAmzContentSHA256Mismatch"
            assert info.value.status == 400
        _refuses(with_(req, raw_path=req.raw_path + "x"), "s3")
        with pytest.raises(AwsError) as info:
            verify_signature(req, signed, "wrong", "s3")
        extra = dict(info.value.extra)
        assert list(extra) == [
            "AWSAccessKeyId",
            "StringToSign",
            "SignatureProvided",
            "StringToSignBytes",
            "CanonicalRequest",
            "CanonicalRequestBytes",
        ]
        assert extra["AWSAccessKeyId"] == AKID
        assert extra["StringToSignBytes"].startswith("41 57 53 34 2d")  # "AWS4-"


@pytest.mark.parametrize("token", [False, True])
def test_sigv4_query_auth_sts(token: bool) -> None:
    request = AWSRequest(
        method="GET",
        url="https://sts.amazonaws.com/",
        params={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
    )
    botocore.auth.SigV4QueryAuth(_creds(token), "sts", "us-east-1", expires=60).add_auth(request)
    req = from_botocore(request.prepare())
    _accepts(req, "query", "sts", token)
    signed = parse_auth(req, "query")
    assert signed is not None and signed.presigned and signed.expires == 60
    # STS ignores X-Amz-Expires: still good 14 minutes later, gone after 15.

    check_request_time(signed, NOW + timedelta(minutes=14), "query")
    with pytest.raises(AwsError, match="Signature expired"):
        check_request_time(signed, NOW + timedelta(minutes=16), "query")
    _refuses(
        with_(req, query_string=req.query_string.replace("GetCallerIdentity", "GetSessionToken")), "query"
    )


@pytest.mark.parametrize("token", [False, True])
def test_s3_sigv4_query_auth(token: bool) -> None:
    request = AWSRequest(method="GET", url="https://s3.us-east-1.amazonaws.com/bucket/some%20key.txt")
    botocore.auth.S3SigV4QueryAuth(_creds(token), "s3", "us-east-1", expires=300).add_auth(request)
    req = from_botocore(request.prepare())
    _accepts(req, "s3", "s3", token)
    _refuses(with_(req, raw_path="/bucket/other.txt"), "s3")


def _client(service: str, token: bool, **config: Any) -> Any:
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=f"https://{service}.credmint.test",
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN if token else None,
        config=Config(**config),
    )


@pytest.mark.parametrize("token", [False, True])
def test_generate_presigned_url(token: bool) -> None:
    from urllib.parse import urlsplit

    sts = _client("sts", token)
    # Without HttpMethod the URL is signed for the operation's POST (sent with an empty body);
    # EKS tokens ask for GET.
    sts_post = sts.generate_presigned_url("get_caller_identity", ExpiresIn=900)
    sts_get = sts.generate_presigned_url("get_caller_identity", ExpiresIn=900, HttpMethod="GET")
    s3 = _client("s3", token, s3={"addressing_style": "path"}, signature_version="s3v4")
    s3_url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "bkt", "Key": "dir/a key+1.txt"}, ExpiresIn=3600
    )
    cases = (
        ("POST", sts_post, "query", "sts"),
        ("GET", sts_get, "query", "sts"),
        ("GET", s3_url, "s3", "s3"),
    )
    for method, url, dialect, service in cases:
        parts = urlsplit(url)
        req = HttpRequest(method, parts.path, parts.query, (("host", parts.netloc),))
        _accepts(req, dialect, service, token)
        _refuses(with_(req, method="PUT" if method == "GET" else "GET"), dialect)


class _Captured(Exception):
    pass


def _capture(client: Any, call: str, **kwargs: Any) -> HttpRequest:
    """The request boto3 would send, taken at the last moment before the socket."""
    seen: list[HttpRequest] = []

    def before_send(request: Any, **_: Any) -> None:
        seen.append(from_botocore(request))
        raise _Captured

    client.meta.events.register("before-send", before_send)
    try:
        with pytest.raises(_Captured):
            getattr(client, call)(**kwargs)
    finally:
        client.meta.events.unregister("before-send", before_send)
    return seen[0]


@pytest.mark.parametrize("token", [False, True])
def test_boto3_clients_on_the_wire(token: bool) -> None:
    cfg = {"retries": {"max_attempts": 1}}
    req = _capture(_client("sts", token, **cfg), "get_caller_identity")
    _accepts(req, "query", "sts", token)
    req = _capture(_client("iam", token, **cfg), "list_users", PathPrefix="/a b/")
    _accepts(req, "query", "iam", token)
    s3 = _client("s3", token, s3={"addressing_style": "path"}, **cfg)
    req = _capture(s3, "get_object", Bucket="bkt", Key="x/y z.txt")
    _accepts(req, "s3", "s3", token)
    req = _capture(s3, "list_objects_v2", Bucket="bkt", Prefix="a/b c", Delimiter="/")
    _accepts(req, "s3", "s3", token)


@pytest.mark.parametrize("token", [False, True])
def test_boto3_put_object_unsigned_trailer(token: bool) -> None:
    import io

    s3 = _client("s3", token, s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    payload = b"0123456789" * 5000
    req = _capture(s3, "put_object", Bucket="bkt", Key="k", Body=io.BytesIO(payload))
    signed = parse_auth(req, "s3", now=NOW)
    assert signed is not None
    _accepts(req, "s3", "s3", token)
    assert is_streaming(signed)
    assert signed.content_sha256 == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    assert decode_aws_chunked(req, signed, None).data == payload
    corrupt = bytearray(req.body)
    corrupt[20] ^= 1
    with pytest.raises(AwsError) as info:
        decode_aws_chunked(with_(req, body=bytes(corrupt)), signed, None)
    assert info.value.code == "BadDigest"


def test_host_must_be_signed() -> None:
    req = sts_request(auth=GOOD.replace("host;x-amz-date", "x-amz-date"))
    signed = parse_auth(req, "query", now=SIGNED_AT)
    assert signed is not None
    with pytest.raises(AwsError) as info:
        verify_signature(req, signed, "secret", "query")
    assert info.value.message == "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."


def test_s3_payload_header_rules() -> None:
    req = sts_request(auth=S3AUTH)
    signed = parse_auth(req, "s3", now=SIGNED_AT)
    assert signed is not None
    with pytest.raises(AwsError) as info:
        verify_signature(req, signed, "s", "s3")
    assert (info.value.code, info.value.message) == (
        "InvalidRequest",
        "Missing required header for this request: x-amz-content-sha256",
    )
    req = sts_request(auth=S3AUTH, x_amz_content_sha256="NOT-A-HASH")
    signed = parse_auth(req, "s3")
    assert signed is not None
    with pytest.raises(AwsError) as info:
        verify_signature(req, signed, "s", "s3")
    assert info.value.code == "InvalidArgument"


def test_s3_unsigned_amz_headers_refused() -> None:
    req = presigned_s3()
    req = with_(req, headers=(*req.headers, ("x-amz-security-token", "t"), ("x-amz-acl", "public-read")))
    signed = parse_auth(req, "s3")
    assert signed is not None
    with pytest.raises(AwsError) as info:
        verify_signature(req, signed, "s", "s3")
    assert info.value.code == "AccessDenied"
    assert dict(info.value.extra) == {"HeadersNotSigned": "x-amz-security-token, x-amz-acl"}
