"""SigV2 for S3: requests signed by botocore's HmacV1 signers and the S3 developer guide's
examples, verified by credmint exactly as they arrive on the wire."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from unittest import mock

import boto3
import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.utils import percent_encode

from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.sigv2 import SUB_RESOURCES, SignedV2, parse_v2, string_to_sign_v2, verify_v2
from tests.unit.sigv4.sigv4_support import from_botocore, replace_header, with_

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEBYaDK+session/token=="
NOW = datetime(2025, 3, 1, 10, 20, 30, tzinfo=UTC)
ENDPOINT = "http://127.0.0.1:9000"
EXPIRES_IN = 3600


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    # HmacV1Auth writes Date from formatdate(); HmacV1QueryAuth computes Expires from time.time().
    with (
        mock.patch.object(botocore.auth.HmacV1Auth, "_get_date", return_value=format_datetime(NOW, usegmt=True)),
        mock.patch.object(botocore.auth.time, "time", return_value=NOW.timestamp()),
    ):
        yield


def _creds(token: bool) -> Credentials:
    return Credentials(AKID, SECRET, TOKEN if token else None)


def _sign(
    method: str,
    url: str,
    *,
    token: bool = False,
    presign: bool = False,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    auth_path: str | None = None,
) -> HttpRequest:
    request = AWSRequest(method=method, url=url, data=body)
    for name, value in headers or ():
        request.headers[name] = value  # assigning again repeats the header
    request.auth_path = auth_path
    signer = (
        botocore.auth.HmacV1QueryAuth(_creds(token), expires=EXPIRES_IN)
        if presign
        else botocore.auth.HmacV1Auth(_creds(token))
    )
    signer.add_auth(request)
    # The AWSRequest itself, not request.prepare(): preparing keeps only the last of repeated
    # headers, although the signer joined them all.
    req = from_botocore(request)
    if presign:
        # The signer leaves Date (= Expires) and the x-amz-* headers it copied into the URL on
        # the request object; a client using the URL sends neither.
        kept = tuple((n, v) for n, v in req.headers if n != "date" and not n.startswith("x-amz-"))
        req = with_(req, headers=kept)
    return req


def _accepts(req: HttpRequest, bucket: str | None = None, *, token: bool = False) -> SignedV2:
    signed = parse_v2(req)
    assert signed is not None
    assert signed.access_key_id == AKID
    assert signed.security_token == (TOKEN if token else None)
    verify_v2(req, signed, SECRET, NOW, bucket)
    return signed


def _refuses(req: HttpRequest, bucket: str | None = None, *, secret: str = SECRET) -> AwsError:
    signed = parse_v2(req)
    assert signed is not None
    with pytest.raises(AwsError) as info:
        verify_v2(req, signed, secret, NOW, bucket)
    assert info.value.code == "SignatureDoesNotMatch"
    assert info.value.status == 403
    return info.value


def _raises(req: HttpRequest, code: str, status: int, message: str | None = None) -> AwsError:
    with pytest.raises(AwsError) as info:
        parse_v2(req)
    assert (info.value.code, info.value.status) == (code, status)
    if message is not None:
        assert info.value.message == message
    return info.value


def _url(bucket: str, key: str, query: str = "") -> str:
    # As botocore's REST serializer builds it.
    return f"{ENDPOINT}/{bucket}/{percent_encode(key, safe='/~')}" + (f"?{query}" if query else "")


# --- the developer guide's examples (bucket "johnsmith", as the published signatures use) ---


def _doc(method: str, path: str, date: str, headers: tuple[tuple[str, str], ...] = (), query: str = "") -> HttpRequest:
    return HttpRequest(method, path, query, (("date", date), *headers))


@pytest.mark.parametrize(
    ("req", "bucket", "signature"),
    [
        (
            _doc("GET", "/photos/puppy.jpg", "Tue, 27 Mar 2007 19:36:42 +0000"),
            "johnsmith",
            "bWq2s1WEIj+Ydj0vQ697zp+IXMU=",
        ),
        (
            _doc("PUT", "/photos/puppy.jpg", "Tue, 27 Mar 2007 21:15:45 +0000", (("content-type", "image/jpeg"),)),
            "johnsmith",
            "MyyxeRY7whkBe+bq8fHCL/2kKUg=",
        ),
        (
            _doc("GET", "/", "Tue, 27 Mar 2007 19:42:41 +0000", query="prefix=photos&max-keys=50&marker=puppy"),
            "johnsmith",
            "htDYFYduRNen8P9ZfE/s9SuKy0U=",
        ),
        (_doc("GET", "/", "Tue, 27 Mar 2007 19:44:46 +0000", query="acl"), "johnsmith", "c2WLPFtWHVgbEmeEG93a4cG37dM="),
        (
            _doc(
                "PUT",
                "/db-backup.dat.gz",
                "Tue, 27 Mar 2007 21:06:08 +0000",
                (
                    ("x-amz-acl", "public-read"),
                    ("content-type", "application/x-download"),
                    ("content-md5", "4gJE4saaMU4BqNR0kLY+lw=="),
                    ("x-amz-meta-reviewedby", "joe@johnsmith.net"),
                    ("x-amz-meta-reviewedby", "jane@johnsmith.net"),
                    ("x-amz-meta-filechecksum", "0x02661779"),
                    ("x-amz-meta-checksumalgorithm", "crc32"),
                    ("content-disposition", "attachment; filename=database.dat"),
                    ("content-encoding", "gzip"),
                ),
            ),
            "static.johnsmith.net",
            "ilyl83RwaSoYIEdixDQcA4OnAnc=",
        ),
        (_doc("GET", "/", "Wed, 28 Mar 2007 01:29:59 +0000"), None, "qGdzdERIC03wnaRNKh6OqZehG9s="),
        (
            _doc("GET", "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re", "Wed, 28 Mar 2007 01:49:49 +0000"),
            None,
            "DNEZGsoieTZ92F3bUfSPQcbGmlM=",
        ),
    ],
)
def test_developer_guide_header_examples(req: HttpRequest, bucket: str | None, signature: str) -> None:
    req = with_(req, headers=(*req.headers, ("authorization", f"AWS {AKID}:{signature}")))
    signed = parse_v2(req)
    assert signed is not None
    assert signed.signature == signature
    assert signed.request_time is not None
    verify_v2(req, signed, SECRET, signed.request_time + timedelta(minutes=14), bucket)


def test_developer_guide_query_example() -> None:
    req = HttpRequest(
        "GET",
        "/photos/puppy.jpg",
        f"AWSAccessKeyId={AKID}&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620",
        (("host", "johnsmith.s3.amazonaws.com"),),
    )
    signed = parse_v2(req)
    assert signed == SignedV2(AKID, "NpgCjnDzrM+WFzoENXmpNDUsSn8=", True, 1175139620, None, None)
    assert string_to_sign_v2(req, signed, "johnsmith") == "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg"
    verify_v2(req, signed, SECRET, datetime.fromtimestamp(1175139620, UTC), "johnsmith")


# --- botocore HmacV1Auth (header) and HmacV1QueryAuth (presigned) ----------------------------

KEYS = ["plain.txt", "with space.txt", "plus+sign.txt", "ünï/çødé €.bin", "a b/c+d~e!'()*$@=;:,&.txt", "%41"]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("token", [False, True])
@pytest.mark.parametrize("presign", [False, True])
def test_botocore_object_requests(key: str, token: bool, presign: bool) -> None:
    for method, body in (("GET", b""), ("PUT", b"hello world"), ("DELETE", b""), ("HEAD", b"")):
        req = _sign(method, _url("bucket", key), token=token, presign=presign, body=body)
        signed = _accepts(req, token=token)
        assert signed.presigned is presign
        if presign:
            assert signed.expires == int(NOW.timestamp()) + EXPIRES_IN
            assert req.header("authorization") is None
        else:
            assert signed.request_time == NOW
        _refuses(with_(req, raw_path=req.raw_path + "x"))
        _refuses(with_(req, method="POST"))
        _refuses(req, secret=SECRET[:-1] + "Z")


@pytest.mark.parametrize("presign", [False, True])
def test_sub_resources_are_signed(presign: bool) -> None:
    cases = [
        "uploads",
        "uploadId=2~abc%2Fdef&partNumber=3",
        "acl",
        "versionId=3%2FL4kqtJlcpXroDTDmJ%2Brmsd",
        "tagging&versionId=v1",
        "response-content-disposition=attachment%3B%20filename%3D%22r%C3%A9sum%C3%A9.pdf%22"
        "&response-content-type=application%2Fpdf",
    ]
    for query in cases:
        for method in ("GET", "PUT", "POST", "DELETE"):
            req = _sign(method, _url("bucket", "dir/key.bin", query), presign=presign)
            _accepts(req)
            # Every sub-resource value is covered: changing one breaks the signature.
            first = query.split("&")[0]
            if "=" in first:
                _refuses(with_(req, query_string=req.query_string.replace(first, first + "x", 1)))
            else:
                _refuses(with_(req, query_string=req.query_string.replace(first, "policy", 1)))


def test_sub_resource_string_to_sign_is_sorted_and_decoded() -> None:
    req = _sign("GET", _url("bucket", "k", "versionId=a%2Bb&acl&prefix=ignored&response-expires=x%20y"))
    signed = parse_v2(req)
    assert signed is not None
    sts = string_to_sign_v2(req, signed, None)
    assert sts.endswith("\n/bucket/k?acl&response-expires=x y&versionId=a+b")
    # A parameter that is not a sub-resource is not signed (SigV2 leaves it out).
    _accepts(with_(req, query_string=req.query_string.replace("ignored", "other")))


@pytest.mark.parametrize("presign", [False, True])
@pytest.mark.parametrize(
    "added", ["%76ersionId=v1", "%74agging", "%61cl", "version%49d=v1", "response-content-typ%65=x"]
)
def test_an_escaped_sub_resource_name_is_signed_as_the_router_reads_it(presign: bool, added: str) -> None:
    """The router decodes parameter names ("%76ersionId" is versionId there): a sub-resource
    added with its name escaped is a sub-resource the signature must cover, not a parameter
    it may leave out."""
    req = _sign("GET", _url("bucket", "k"), presign=presign)
    _accepts(req)
    joined = f"{req.query_string}&{added}" if req.query_string else added
    _refuses(with_(req, query_string=joined))


def test_sub_resources_match_botocore() -> None:
    assert frozenset(botocore.auth.HmacV1Auth.QSAOfInterest) == SUB_RESOURCES


def _md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode()


def test_amz_headers_content_md5_and_type() -> None:
    body = b"<Tagging/>"
    md5 = _md5(body)
    headers = [
        ("Content-Type", "application/xml"),
        ("Content-MD5", md5),
        ("X-Amz-Meta-Reviewed-By", "joe"),
        ("X-Amz-Meta-Reviewed-By", " jane "),
        ("x-amz-acl", "private"),
        ("x-amz-storage-class", "STANDARD"),
    ]
    req = _sign("PUT", _url("bucket", "doc.xml"), headers=headers, body=body)
    signed = _accepts(req)
    sts = string_to_sign_v2(req, signed, None)
    assert f"PUT\n{md5}\napplication/xml\n" in sts
    assert "x-amz-acl:private\nx-amz-meta-reviewed-by:joe,jane\nx-amz-storage-class:STANDARD\n/bucket/doc.xml" in sts
    _refuses(replace_header(req, "content-type", "text/xml"))
    _refuses(replace_header(req, "content-md5", _md5(b"other")))
    _refuses(replace_header(req, "x-amz-acl", "public-read"))
    # Dropping one of the repeated values changes the joined value.
    _refuses(with_(req, headers=tuple(h for h in req.headers if h != ("x-amz-meta-reviewed-by", "joe"))))
    # An x-amz- header the client did not sign.
    _refuses(with_(req, headers=(*req.headers, ("x-amz-extra", "1"))))
    # Other headers are not signed in SigV2.
    _accepts(with_(req, headers=(*req.headers, ("content-disposition", "inline"), ("range", "bytes=0-1"))))


def test_presigned_amz_headers_travel_in_the_query() -> None:
    body = b"data"
    headers = [("Content-Type", "text/plain"), ("Content-MD5", _md5(body)), ("x-amz-acl", "private")]
    req = _sign("PUT", _url("bucket", "k"), presign=True, headers=headers, body=body)
    # botocore moves the x-amz-* headers into the URL; the client still sends Content-Type and
    # Content-MD5 as headers, and those are what S3 reads.
    assert "x-amz-acl=private" in req.query_string
    assert req.header("x-amz-acl") is None
    signed = _accepts(req)
    assert "\nx-amz-acl:private\n/bucket/k" in string_to_sign_v2(req, signed, None)
    _refuses(with_(req, query_string=req.query_string.replace("x-amz-acl=private", "x-amz-acl=public-read")))
    _refuses(with_(req, query_string=req.query_string.replace("&x-amz-acl=private", "")))
    _refuses(with_(req, headers=(*req.headers, ("x-amz-acl", "public-read"))))
    _refuses(replace_header(req, "content-type", "text/html"))
    _refuses(with_(req, headers=tuple(h for h in req.headers if h[0] != "content-md5")))


@pytest.mark.parametrize("presign", [False, True])
def test_virtual_host_style(presign: bool) -> None:
    url = "http://my-bucket.s3.localhost:9000/photos/puppy%20dog.jpg?acl"
    req = _sign("GET", url, presign=presign, auth_path="/my-bucket/photos/puppy%20dog.jpg")
    _accepts(req, "my-bucket")
    _refuses(req, None)
    _refuses(req, "other-bucket")
    signed = parse_v2(req)
    assert signed is not None
    assert string_to_sign_v2(req, signed, "my-bucket").endswith("\n/my-bucket/photos/puppy%20dog.jpg?acl")
    # Bucket-level virtual-host request: the resource is "/bucket/".
    req = _sign("GET", "http://my-bucket.s3.localhost:9000/?uploads", presign=presign, auth_path="/my-bucket/")
    _accepts(req, "my-bucket")



@pytest.mark.parametrize("presign", [False, True])
def test_path_style_bucket_only(presign: bool) -> None:
    # botocore sends "/bucket" but signs "/bucket/" (its authPath for bucket-only URIs), which
    # is the resource S3 computes; a signature over "/bucket" is then refused.
    req = _sign("GET", "http://s3.localhost:9000/my-bucket?uploads", presign=presign, auth_path="/my-bucket/")
    assert req.raw_path == "/my-bucket"
    _accepts(req, None)
    _refuses(_sign("GET", "http://s3.localhost:9000/my-bucket?uploads", presign=presign), None)

def test_session_token_header_and_query() -> None:
    header_req = _sign("GET", _url("bucket", "k"), token=True)
    assert header_req.header("x-amz-security-token") == TOKEN
    _refuses(replace_header(header_req, "x-amz-security-token", TOKEN + "x"))

    query_req = _sign("GET", _url("bucket", "k"), token=True, presign=True)
    assert "x-amz-security-token=" in query_req.query_string
    signed = _accepts(query_req, token=True)
    assert f"\nx-amz-security-token:{TOKEN}\n" in string_to_sign_v2(query_req, signed, None)
    forged = query_req.query_string.replace("session", "sessiox")
    assert forged != query_req.query_string
    _refuses(with_(query_req, query_string=forged))


@pytest.mark.parametrize("signature_version", [None, "s3"])
def test_boto3_generate_presigned_url(signature_version: str | None) -> None:
    # With a custom endpoint and no signature_version, botocore presigns S3 URLs with SigV2.
    config = Config(s3={"addressing_style": "path"})
    if signature_version is not None:
        config = config.merge(Config(signature_version=signature_version))
    client = boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        config=config,
    )
    cases: list[tuple[str, dict[str, object]]] = [
        ("get_object", {"Bucket": "b", "Key": "ünï code/+plus & space.txt"}),
        ("get_object", {"Bucket": "b", "Key": "k", "ResponseContentDisposition": 'attachment; filename="a b.txt"'}),
        ("put_object", {"Bucket": "b", "Key": "k"}),
        ("upload_part", {"Bucket": "b", "Key": "k", "UploadId": "u/p+id", "PartNumber": 7}),
        ("get_object_acl", {"Bucket": "b", "Key": "k", "VersionId": "v+1"}),
    ]
    for operation, params in cases:
        url = client.generate_presigned_url(operation, Params=params, ExpiresIn=600)
        method = "PUT" if operation.startswith(("put", "upload")) else "GET"
        req = from_botocore(AWSRequest(method=method, url=url).prepare())
        assert "AWSAccessKeyId=" in req.query_string
        _accepts(req, token=True)


def test_string_to_sign_shape() -> None:
    req = _sign("GET", _url("bucket", "k"), headers=[("x-amz-meta-a", "1")])
    signed = parse_v2(req)
    assert signed is not None
    assert string_to_sign_v2(req, signed, None) == (
        f"GET\n\n\n{format_datetime(NOW, usegmt=True)}\nx-amz-meta-a:1\n/bucket/k"
    )


def test_x_amz_date_replaces_date() -> None:
    # The documented rule (and boto2's and s3cmd's): with x-amz-date present, the Date line
    # is empty and x-amz-date is signed among the amz headers.
    amz_date = format_datetime(NOW, usegmt=True)
    sts = f"DELETE\n\n\n\nx-amz-date:{amz_date}\n/bucket/key"
    signature = base64.b64encode(hmac.new(SECRET.encode(), sts.encode(), hashlib.sha1).digest()).decode()
    req = HttpRequest(
        "DELETE",
        "/bucket/key",
        "",
        (
            ("date", "Tue, 27 Mar 2007 21:20:27 +0000"),  # ignored: neither signed nor checked
            ("x-amz-date", amz_date),
            ("authorization", f"AWS {AKID}:{signature}"),
        ),
    )
    signed = parse_v2(req)
    assert signed is not None
    assert signed.request_time == NOW
    assert string_to_sign_v2(req, signed, None) == sts
    verify_v2(req, signed, SECRET, NOW, None)


# --- errors ----------------------------------------------------------------------------


def test_signature_does_not_match_document() -> None:
    req = _sign("GET", _url("bucket", "k", "acl"))
    err = _refuses(req, secret="wrong")
    extra = dict(err.extra)
    assert list(extra) == ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes"]
    assert extra["AWSAccessKeyId"] == AKID
    assert extra["StringToSign"].endswith("\n/bucket/k?acl")
    assert extra["SignatureProvided"] == (req.header("authorization") or "").split(":", 1)[1]
    assert extra["StringToSignBytes"].startswith("47 45 54 0a")  # "GET\n"
    assert err.message == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method."
    )


def test_signature_mutations() -> None:
    req = _sign("PUT", _url("bucket", "k", "uploadId=abc&partNumber=1"))
    _accepts(req)
    auth = req.header("authorization") or ""
    flipped = auth[:-2] + ("A" if auth[-2] != "A" else "B") + auth[-1]
    _refuses(replace_header(req, "authorization", flipped))
    _refuses(replace_header(req, "date", format_datetime(NOW + timedelta(seconds=1), usegmt=True)))
    _refuses(with_(req, query_string="uploadId=abc&partNumber=2"))
    _refuses(with_(req, raw_path="/bucket/K"))
    _refuses(with_(req, method="GET"))

    presigned = _sign("GET", _url("bucket", "k"), presign=True)
    _accepts(presigned)
    _refuses(with_(presigned, query_string=presigned.query_string.replace("Signature=", "Signature=A", 1)))
    later = str(int(NOW.timestamp()) + EXPIRES_IN + 1)
    _refuses(with_(presigned, query_string=presigned.query_string.replace("Expires=", f"Expires={later}&x=", 1)))


def test_expired_presigned_url() -> None:
    req = _sign("GET", _url("bucket", "k"), presign=True)
    signed = parse_v2(req)
    assert signed is not None and signed.expires is not None
    verify_v2(req, signed, SECRET, datetime.fromtimestamp(signed.expires, UTC), None)  # the last valid second
    late = datetime.fromtimestamp(signed.expires, UTC) + timedelta(seconds=1)
    with pytest.raises(AwsError) as info:
        verify_v2(req, signed, "wrong secret too", late, None)  # expiry is checked first
    assert (info.value.code, info.value.status, info.value.message) == ("AccessDenied", 403, "Request has expired")
    assert dict(info.value.extra) == {
        "Expires": datetime.fromtimestamp(signed.expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ServerTime": late.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_presigned_url_has_no_one_week_cap() -> None:
    req = _sign("GET", _url("bucket", "k"), presign=True)
    far = str(int(NOW.timestamp()) + 10 * 365 * 86400)
    sts_req = with_(
        req, query_string=req.query_string.replace(f"Expires={int(NOW.timestamp()) + EXPIRES_IN}", f"Expires={far}")
    )
    signed = parse_v2(sts_req)
    assert signed is not None
    sts = string_to_sign_v2(sts_req, signed, None)
    sig = base64.b64encode(hmac.new(SECRET.encode(), sts.encode(), hashlib.sha1).digest()).decode()
    verify_v2(sts_req, signed._replace(signature=sig), SECRET, NOW, None)


@pytest.mark.parametrize("offset", [timedelta(minutes=16), -timedelta(minutes=16)])
def test_skewed_date(offset: timedelta) -> None:
    req = _sign("GET", _url("bucket", "k"))
    signed = parse_v2(req)
    assert signed is not None
    verify_v2(req, signed, SECRET, NOW + offset / 16 * 15, None)  # 15 minutes off is still fine
    with pytest.raises(AwsError) as info:
        verify_v2(req, signed, "wrong secret too", NOW + offset, None)  # skew is checked first
    assert (info.value.code, info.value.status) == ("RequestTimeTooSkewed", 403)
    extra = dict(info.value.extra)
    assert extra["RequestTime"] == format_datetime(NOW, usegmt=True)
    assert extra["ServerTime"] == (NOW + offset).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert extra["MaxAllowedSkewMilliseconds"] == "900000"


def test_missing_or_bad_date() -> None:
    req = _sign("GET", _url("bucket", "k"))
    no_date = with_(req, headers=tuple(h for h in req.headers if h[0] != "date"))
    message = "AWS authentication requires a valid Date or x-amz-date header"
    _raises(no_date, "AccessDenied", 403, message)
    _raises(replace_header(req, "date", "yesterday"), "AccessDenied", 403, message)
    # A bad x-amz-date is not rescued by a good Date.
    _raises(with_(req, headers=(*req.headers, ("x-amz-date", "soon"))), "AccessDenied", 403, message)
    # Before the epoch: a missing date, not a skewed one.
    _raises(replace_header(req, "date", "Tue, 07 Jul 1950 21:53:04 GMT"), "AccessDenied", 403, message)


@pytest.mark.parametrize(
    "authorization",
    ["AWS", "AWS ", f"AWS {AKID}", f"AWS {AKID}:", "AWS :c2lnbmF0dXJl", "AWS  "],
)
def test_malformed_authorization_header(authorization: str) -> None:
    req = replace_header(_sign("GET", _url("bucket", "k")), "authorization", authorization)
    err = _raises(
        req, "InvalidArgument", 400, "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"
    )
    assert dict(err.extra) == {"ArgumentName": "Authorization", "ArgumentValue": authorization}


@pytest.mark.parametrize(
    "drop",
    ["AWSAccessKeyId", "Signature", "Expires"],
)
def test_query_auth_requires_all_three_parameters(drop: str) -> None:
    req = _sign("GET", _url("bucket", "k"), presign=True)
    query = "&".join(p for p in req.query_string.split("&") if not p.startswith(drop + "="))
    _raises(
        with_(req, query_string=query),
        "AccessDenied",
        403,
        "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
    )


@pytest.mark.parametrize("expires", ["soon", "1.5e9", "", "+12", "1" * 20])
def test_query_auth_bad_expires(expires: str) -> None:
    req = HttpRequest("GET", "/b/k", f"AWSAccessKeyId={AKID}&Signature=abc%3D&Expires={expires}", ())
    _raises(req, "AccessDenied", 403, f"Invalid date (should be seconds since epoch): {expires}")


def test_only_one_auth_mechanism() -> None:
    presigned = _sign("GET", _url("bucket", "k"), presign=True)
    header = _sign("GET", _url("bucket", "k"))
    auth = header.header("authorization") or ""
    both = with_(presigned, headers=(*presigned.headers, ("authorization", auth)))
    err = _raises(both, "InvalidArgument", 400)
    assert dict(err.extra) == {"ArgumentName": "Authorization", "ArgumentValue": auth}
    with_v4 = with_(header, query_string="X-Amz-Algorithm=AWS4-HMAC-SHA256")
    _raises(with_v4, "InvalidArgument", 400)
    v4_query_and_v2_query = with_(presigned, query_string=presigned.query_string + "&X-Amz-Algorithm=AWS4-HMAC-SHA256")
    _raises(v4_query_and_v2_query, "InvalidArgument", 400)


def test_not_sigv2_is_none() -> None:
    anonymous = HttpRequest("GET", "/bucket/k", "acl", (("host", "127.0.0.1:9000"),))
    assert parse_v2(anonymous) is None
    # An unrelated query parameter that merely looks alike is not auth.
    assert parse_v2(with_(anonymous, query_string="Expires=123&prefix=AWSAccessKeyId")) is None

    request = AWSRequest(method="GET", url=_url("bucket", "k"))
    botocore.auth.S3SigV4Auth(_creds(True), "s3", "us-east-1").add_auth(request)
    v4_header = from_botocore(request.prepare())
    assert (v4_header.header("authorization") or "").startswith("AWS4-HMAC-SHA256 ")
    assert parse_v2(v4_header) is None

    request = AWSRequest(method="GET", url=_url("bucket", "k"))
    botocore.auth.S3SigV4QueryAuth(_creds(True), "s3", "us-east-1", expires=60).add_auth(request)
    v4_query = from_botocore(request.prepare())
    assert "X-Amz-Signature=" in v4_query.query_string
    assert parse_v2(v4_query) is None

    assert parse_v2(replace_header(anonymous, "host", "x")) is None
    assert parse_v2(with_(anonymous, headers=(("authorization", "Bearer abc"),))) is None
