"""Error order and AWS's exact wording: parse (§2.4 3b-9), clock (8), scope (10), S3 variants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.unit.sigv4.sigv4_support import with_

from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.sigv4 import (
    SigningKeyCache,
    check_request_time,
    check_scope,
    parse_auth,
    verify_signature,
)

NOW = datetime(2024, 2, 17, 17, 50, 39, tzinfo=UTC)
DATE = "20240217T175039Z"
CRED = "AKIDEXAMPLE/20240217/us-east-1/sts/aws4_request"
SIG = "0" * 64
GOOD = f"AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host;x-amz-date, Signature={SIG}"


def _req(auth: str | None = GOOD, date: str | None = DATE, query: str = "", **headers: str) -> HttpRequest:
    hs = [("host", "sts.amazonaws.com")]
    if date is not None:
        hs.append(("x-amz-date", date))
    if auth is not None:
        hs.append(("authorization", auth))
    hs.extend((k.replace("_", "-"), v) for k, v in headers.items())
    return HttpRequest("POST", "/", query, tuple(hs), b"Action=GetCallerIdentity&Version=2011-06-15")


def _error(req: HttpRequest, dialect: str = "query", now: datetime | None = NOW) -> AwsError:
    with pytest.raises(AwsError) as info:
        signed = parse_auth(req, dialect, now=now)  # type: ignore[arg-type]
        assert signed is not None
        check_scope(signed, "sts" if dialect == "query" else "s3", dialect)  # type: ignore[arg-type]
    return info.value


def test_no_signature_is_none() -> None:
    assert parse_auth(_req(auth=None), "query") is None
    assert parse_auth(_req(auth=None, query="Action=X&x-amz-foo=1"), "s3") is None


def test_parses_header_fields() -> None:
    signed = parse_auth(_req(auth=GOOD.replace(", ", ","), x_amz_security_token="tok"), "query", now=NOW)
    assert signed is not None
    assert (signed.access_key_id, signed.scope_date, signed.region, signed.service) == (
        "AKIDEXAMPLE",
        "20240217",
        "us-east-1",
        "sts",
    )
    assert signed.signed_headers == ("host", "x-amz-date")
    assert signed.signature == SIG and signed.security_token == "tok" and not signed.presigned
    assert signed.request_time == NOW and signed.amz_date == DATE


@pytest.mark.parametrize(
    ("req", "code", "message"),
    [
        pytest.param(
            _req(query="X-Amz-Algorithm=AWS4-HMAC-SHA256"), "SignatureDoesNotMatch", None, id="3b-both"
        ),
        pytest.param(
            _req(auth=GOOD.replace("AWS4-HMAC-SHA256", "AWS3-HMAC-SHA256")),
            "IncompleteSignature",
            "Unsupported AWS 'algorithm': 'AWS3-HMAC-SHA256'.",
            id="4-algorithm",
        ),
        pytest.param(
            _req(auth=f"AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders, Signature={SIG}"),
            "IncompleteSignature",
            "'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: "
            f"'AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders, Signature={SIG}'",
            id="5-pair",
        ),
        pytest.param(
            _req(auth="AWS4-HMAC-SHA256 Foo=bar", date=None),
            "IncompleteSignature",
            "Authorization header requires 'Credential' parameter. Authorization header requires "
            "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=AWS4-HMAC-SHA256 Foo=bar",
            id="6-missing-all",
        ),
        pytest.param(
            _req(auth=f"AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host"),
            "IncompleteSignature",
            "Authorization header requires 'Signature' parameter. "
            f"Authorization=AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host",
            id="6-missing-signature",
        ),
        pytest.param(
            _req(date="2024-02-17T17:50:39Z"),
            "IncompleteSignature",
            "Date must be in ISO-8601 'basic format'. Got '2024-02-17T17:50:39Z'. "
            "See http://en.wikipedia.org/wiki/ISO_8601",
            id="7-date",
        ),
        pytest.param(
            _req(date="20240217T171323Z"),
            "SignatureDoesNotMatch",
            "Signature expired: 20240217T171323Z is now earlier than 20240217T173539Z "
            "(20240217T175039Z - 15 min.)",
            id="8-expired",
        ),
        pytest.param(
            _req(date="20240217T180540Z"),
            "SignatureDoesNotMatch",
            "Signature not yet current: 20240217T180540Z is still later than 20240217T180539Z "
            "(20240217T175039Z + 15 min.)",
            id="8b-future",
        ),
        pytest.param(
            _req(auth=GOOD.replace(CRED, "AKIDEXAMPLE/20240217/us-east-1/sts")),
            "IncompleteSignature",
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            "got 'AKIDEXAMPLE/20240217/us-east-1/sts'",
            id="9-credential",
        ),
        pytest.param(
            _req(auth=GOOD.replace("us-east-1/sts", "moon/iam")),
            "SignatureDoesNotMatch",
            "Credential should be scoped to a valid region. "
            "Credential should be scoped to correct service: 'sts'. ",
            id="10-region-service",
        ),
        pytest.param(
            _req(
                auth=GOOD.replace(
                    "20240217/us-east-1/sts/aws4_request", "20240216/us-east-1/sts/aws5_request"
                )
            ),
            "SignatureDoesNotMatch",
            "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            "'20240216' != '20240217', from '20240217T175039Z'. ",
            id="10-terminator-date",
        ),
    ],
)
def test_query_errors(req: HttpRequest, code: str, message: str | None) -> None:
    error = _error(req)
    assert (error.code, error.message) == (code, message)
    assert error.status == (400 if code == "IncompleteSignature" else 403)


def test_order_skew_before_credential_and_scope() -> None:
    # Steps 8 before 9 before 10: an old request with a 4-part credential reports the clock.
    bad = _req(auth=GOOD.replace(CRED, "AKIDEXAMPLE/x/y/z"), date="20240217T171323Z")
    assert "Signature expired" in (_error(bad).message or "")
    # Without `now` the credential is next in line.
    assert _error(bad, now=None).code == "IncompleteSignature"


def test_duplicate_params() -> None:
    auth = GOOD + ", Signature=" + "1" * 64  # last wins in the header
    signed = parse_auth(_req(auth=auth), "query")
    assert signed is not None and signed.signature == "1" * 64
    q = (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
        + CRED.replace("/", "%2F")
        + f"&X-Amz-Date={DATE}&X-Amz-SignedHeaders=host&X-Amz-Signature={SIG}&X-Amz-Signature={'1' * 64}"
    )
    signed = parse_auth(_req(auth=None, query=q), "query")
    assert signed is not None and signed.signature == SIG  # first wins in the query


def test_query_presigned_missing() -> None:
    error = _error(_req(auth=None, query="X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=" + DATE))
    assert error.code == "IncompleteSignature"
    assert error.message == (
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must "
        "include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
        "Re-examine the query-string parameters."
    )


def test_host_must_be_signed() -> None:
    req = _req(auth=GOOD.replace("host;x-amz-date", "x-amz-date"))
    signed = parse_auth(req, "query", now=NOW)
    assert signed is not None
    with pytest.raises(AwsError) as info:
        verify_signature(req, signed, "secret", "query")
    assert info.value.message == "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."


def test_date_header_fallback() -> None:
    req = _req(date=None)
    req = with_(req, headers=(*req.headers, ("date", "Sat, 17 Feb 2024 17:50:39 GMT")))
    signed = parse_auth(req, "query", now=NOW)
    assert signed is not None and signed.amz_date == DATE


def test_explicit_region() -> None:
    signed = parse_auth(_req(), "query")
    assert signed is not None
    check_scope(signed, "sts", "query", region="us-east-1")
    with pytest.raises(AwsError, match="valid region"):
        check_scope(signed, "sts", "query", region="eu-west-1")


# --- S3 ---------------------------------------------------------------------------------

S3CRED = "AKIDEXAMPLE/20240217/us-east-1/s3/aws4_request"
S3AUTH = (
    f"AWS4-HMAC-SHA256 Credential={S3CRED},SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature={SIG}"
)


def _s3(auth: str | None = S3AUTH, **kw: str) -> HttpRequest:
    return _req(auth=auth, x_amz_content_sha256="UNSIGNED-PAYLOAD", **kw)


def _presign(**params: str) -> HttpRequest:
    base = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": S3CRED.replace("/", "%2F"),
        "X-Amz-Date": DATE,
        "X-Amz-Expires": "3600",
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": SIG,
    }
    base.update(params)
    query = "&".join(f"{k}={v}" for k, v in base.items() if v != "-")
    return HttpRequest("GET", "/bucket/key", query, (("host", "s3.amazonaws.com"),))


@pytest.mark.parametrize(
    ("req", "code", "message", "extra"),
    [
        pytest.param(
            _s3(query="X-Amz-Algorithm=AWS4-HMAC-SHA256"),
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query "
            "string parameter or the Authorization header should be specified",
            None,
            id="both",
        ),
        pytest.param(
            _s3(auth="AWS AKID:sig"), "InvalidArgument", "Unsupported Authorization Type", None, id="v2"
        ),
        pytest.param(
            _s3(auth="AWS4-HMAC-SHA256 Credential=" + S3CRED),
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; the authorization header requires three components: "
            "Credential, SignedHeaders, and Signature.",
            None,
            id="missing",
        ),
        pytest.param(
            _s3(date="yesterday"),
            "AccessDenied",
            "AWS authentication requires a valid Date or x-amz-date header",
            None,
            id="date",
        ),
        pytest.param(
            _s3(date="20240217T171323Z"),
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            {
                "RequestTime": "20240217T171323Z",
                "ServerTime": "2024-02-17T17:50:39Z",
                "MaxAllowedSkewMilliseconds": "900000",
            },
            id="skew",
        ),
        pytest.param(
            _s3(auth=S3AUTH.replace("us-east-1/s3", "us-east-1")),
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; the Credential is mal-formed; expecting "
            '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
            None,
            id="credential",
        ),
        pytest.param(
            _s3(auth=S3AUTH.replace("us-east-1/s3", "us-east-1/sts")),
            "AuthorizationHeaderMalformed",
            'The authorization header is malformed; incorrect service "sts". This endpoint belongs to "s3".',
            None,
            id="service",
        ),
        pytest.param(
            _s3(auth=S3AUTH.replace("us-east-1/s3", "nowhere/s3")),
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; the region 'nowhere' is wrong; expecting 'us-east-1'",
            {"Region": "us-east-1"},
            id="region",
        ),
        pytest.param(
            _presign(**{"X-Amz-Expires": "604801"}),
            "AuthorizationQueryParametersError",
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be "
            "less than 604800 seconds",
            None,
            id="presign-week",
        ),
        pytest.param(
            _presign(**{"X-Amz-Expires": "-"}),
            "AuthorizationQueryParametersError",
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
            None,
            id="presign-missing",
        ),
        pytest.param(
            _presign(**{"X-Amz-Expires": "ten"}),
            "AuthorizationQueryParametersError",
            "X-Amz-Expires should be a number",
            None,
            id="presign-nan",
        ),
        pytest.param(
            _presign(**{"X-Amz-Date": "2024"}),
            "AuthorizationQueryParametersError",
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
            None,
            id="presign-date",
        ),
        pytest.param(
            _presign(**{"X-Amz-Algorithm": "AWS4-ECDSA-P256-SHA256"}),
            "AuthorizationQueryParametersError",
            'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
            None,
            id="presign-alg",
        ),
        pytest.param(
            _presign(**{"X-Amz-Credential": "AKID%2F20240217%2Fus-east-1%2Fsts%2Faws4_request"}),
            "AuthorizationQueryParametersError",
            'Error parsing the X-Amz-Credential parameter; incorrect service "sts". '
            'This endpoint belongs to "s3".',
            None,
            id="presign-service",
        ),
    ],
)
def test_s3_errors(req: HttpRequest, code: str, message: str, extra: dict[str, str] | None) -> None:
    error = _error(req, "s3")
    assert (error.code, error.message) == (code, message)
    if extra is not None:
        assert dict(error.extra) == extra


def test_s3_presigned_expiry() -> None:
    signed = parse_auth(_presign(**{"X-Amz-Expires": "60"}), "s3")
    assert signed is not None
    check_request_time(signed, NOW + timedelta(seconds=60), "s3")
    with pytest.raises(AwsError) as info:
        check_request_time(signed, NOW + timedelta(seconds=61), "s3")
    assert (info.value.code, info.value.message, info.value.status) == (
        "AccessDenied",
        "Request has expired",
        403,
    )
    assert dict(info.value.extra) == {
        "X-Amz-Expires": "60",
        "Expires": "2024-02-17T17:51:39Z",
        "ServerTime": "2024-02-17T17:51:40Z",
    }
    # A week-long URL stays good for the week, unlike a header-signed request.
    signed = parse_auth(_presign(**{"X-Amz-Expires": "604800"}), "s3")
    assert signed is not None
    check_request_time(signed, NOW + timedelta(days=6), "s3")


def test_s3_skew_future() -> None:
    error = _error(_s3(date="20240217T180540Z"), "s3")
    assert error.code == "RequestTimeTooSkewed"


def test_s3_payload_header_rules() -> None:
    req = _req(auth=S3AUTH)
    signed = parse_auth(req, "s3", now=NOW)
    assert signed is not None
    with pytest.raises(AwsError) as info:
        verify_signature(req, signed, "s", "s3")
    assert (info.value.code, info.value.message) == (
        "InvalidRequest",
        "Missing required header for this request: x-amz-content-sha256",
    )
    req = _req(auth=S3AUTH, x_amz_content_sha256="NOT-A-HASH")
    signed = parse_auth(req, "s3")
    assert signed is not None
    with pytest.raises(AwsError) as info:
        verify_signature(req, signed, "s", "s3")
    assert info.value.code == "InvalidArgument"


def test_s3_unsigned_amz_headers_refused() -> None:
    req = _presign()
    req = with_(req, headers=(*req.headers, ("x-amz-security-token", "t"), ("x-amz-acl", "public-read")))
    signed = parse_auth(req, "s3")
    assert signed is not None
    with pytest.raises(AwsError) as info:
        verify_signature(req, signed, "s", "s3")
    assert info.value.code == "AccessDenied"
    assert dict(info.value.extra) == {"HeadersNotSigned": "x-amz-security-token, x-amz-acl"}


def test_key_cache_is_bounded() -> None:
    cache = SigningKeyCache(maxsize=3)
    for i in range(10):
        cache.get(f"secret{i}", "20240217", "us-east-1", "sts")
    assert len(cache) == 3
    assert cache.get("s", "20240217", "us-east-1", "sts") == cache.get("s", "20240217", "us-east-1", "sts")


@pytest.mark.parametrize(
    "params",
    [
        # The layout SDKs send (read by one pattern match) ...
        f"Credential={CRED}, SignedHeaders=host;x-amz-date, Signature={SIG}",
        f"Credential={CRED},SignedHeaders=host;x-amz-date,Signature={SIG}",
        # ... and layouts only the general reading takes: spacing, order, repeats, empties.
        f"Credential={CRED} , SignedHeaders=host;x-amz-date ,  Signature={SIG}",
        f"SignedHeaders=host;x-amz-date, Signature={SIG}, Credential={CRED}",
        f"Credential={CRED}, SignedHeaders=host;x-amz-date, Signature={'1' * 64}, Signature={SIG}",
        f"Credential={CRED}, SignedHeaders=host;x-amz-date, Signature={SIG},",
        f"Credential = {CRED}, SignedHeaders = host;x-amz-date, Signature = {SIG}",
    ],
)
def test_authorization_layouts_read_alike(params: str) -> None:
    signed = parse_auth(_req(f"AWS4-HMAC-SHA256 {params}"), "query", now=NOW)
    assert signed is not None
    assert (signed.credential, signed.signed_headers_raw, signed.signature) == (CRED, "host;x-amz-date", SIG)
    assert signed.signed_headers == ("host", "x-amz-date")
