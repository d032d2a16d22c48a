"""credmint.sigv4.parse: reading a request's signature — the request times accepted in
``Date`` (no X-Amz-Date), the Authorization header's layouts and the presigned query, and the
errors in AWS's order and exact wording: parse (§2.4 3b-9), clock (8), scope (10), S3 variants."""

from __future__ import annotations

import re as _re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.sigv4 import (
    check_scope,
    parse_auth,
)
from credmint.sigv4.parse import canonical_auth, parse_date_header
from tests.unit.sigv4.sigv4_support import (
    CRED,
    DATE,
    GOOD,
    S3AUTH,
    S3CRED,
    SIG,
    SIGNED_AT,
    presigned_s3,
    s3_request,
    sts_request,
    with_,
)

WHEN = datetime(2026, 12, 6, 22, 0, 5, tzinfo=UTC)


# --- Date header times -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Dec 2026 22:00:05 GMT",  # RFC 1123, what HTTP clients send
        "Sun, 06 Dec 2026 22:00:05 -0000",  # botocore's SigV4 Date (email.utils.formatdate)
        "Sun, 06 Dec 2026 22:00:05 +0000",
        "Sun, 06 Dec 2026 23:00:05 +0100",
        "20261206T220005Z",
    ],
)
def test_date_header_accepted(value: str) -> None:
    assert parse_date_header(value) == WHEN


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Dec 2026 22:00:05",
        "yesterday",
        "",
        "Sun, 06 Dec 2026 22:00:05 -00000",
        # A zone that moves the time past the calendar's end.
        "Fri, 31 Dec 9999 23:59:59 -2359",
    ],
)
def test_date_header_refused(value: str) -> None:
    """A time without a zone names no instant; it is not guessed to be UTC."""
    assert parse_date_header(value) is None


# --- the signature, and errors in AWS's order ------------------------------------------


def _error(req: HttpRequest, dialect: str = "query", now: datetime | None = SIGNED_AT) -> AwsError:
    with pytest.raises(AwsError) as info:
        signed = parse_auth(req, dialect, now=now)  # type: ignore[arg-type]
        assert signed is not None
        check_scope(signed, "sts" if dialect == "query" else "s3", dialect)  # type: ignore[arg-type]
    return info.value


def test_no_signature_is_none() -> None:
    assert parse_auth(sts_request(auth=None), "query") is None
    assert parse_auth(sts_request(auth=None, query="Action=X&x-amz-foo=1"), "s3") is None


def test_parses_header_fields() -> None:
    signed = parse_auth(sts_request(auth=GOOD.replace(", ", ","), x_amz_security_token="tok"), "query", now=SIGNED_AT)
    assert signed is not None
    assert (signed.access_key_id, signed.scope_date, signed.region, signed.service) == (
        "AKIDEXAMPLE",
        "20240217",
        "us-east-1",
        "sts",
    )
    assert signed.signed_headers == ("host", "x-amz-date")
    assert signed.signature == SIG and signed.security_token == "tok" and not signed.presigned
    assert signed.request_time == SIGNED_AT and signed.amz_date == DATE


@pytest.mark.parametrize(
    ("req", "code", "message"),
    [
        pytest.param(
            sts_request(query="X-Amz-Algorithm=AWS4-HMAC-SHA256"), "SignatureDoesNotMatch", None, id="3b-both"
        ),
        pytest.param(
            sts_request(auth=GOOD.replace("AWS4-HMAC-SHA256", "AWS3-HMAC-SHA256")),
            "IncompleteSignature",
            "Unsupported AWS 'algorithm': 'AWS3-HMAC-SHA256'.",
            id="4-algorithm",
        ),
        pytest.param(
            sts_request(auth=f"AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders, Signature={SIG}"),
            "IncompleteSignature",
            "'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: "
            f"'AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders, Signature={SIG}'",
            id="5-pair",
        ),
        pytest.param(
            sts_request(auth="AWS4-HMAC-SHA256 Foo=bar", date=None),
            "IncompleteSignature",
            "Authorization header requires 'Credential' parameter. Authorization header requires "
            "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=AWS4-HMAC-SHA256 Foo=bar",
            id="6-missing-all",
        ),
        pytest.param(
            sts_request(auth=f"AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host"),
            "IncompleteSignature",
            "Authorization header requires 'Signature' parameter. "
            f"Authorization=AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host",
            id="6-missing-signature",
        ),
        pytest.param(
            sts_request(date="2024-02-17T17:50:39Z"),
            "IncompleteSignature",
            "Date must be in ISO-8601 'basic format'. Got '2024-02-17T17:50:39Z'. "
            "See http://en.wikipedia.org/wiki/ISO_8601",
            id="7-date",
        ),
        pytest.param(
            sts_request(date="20240217T171323Z"),
            "SignatureDoesNotMatch",
            "Signature expired: 20240217T171323Z is now earlier than 20240217T173539Z "
            "(20240217T175039Z - 15 min.)",
            id="8-expired",
        ),
        pytest.param(
            sts_request(date="20240217T180540Z"),
            "SignatureDoesNotMatch",
            "Signature not yet current: 20240217T180540Z is still later than 20240217T180539Z "
            "(20240217T175039Z + 15 min.)",
            id="8b-future",
        ),
        pytest.param(
            sts_request(auth=GOOD.replace(CRED, "AKIDEXAMPLE/20240217/us-east-1/sts")),
            "IncompleteSignature",
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            "got 'AKIDEXAMPLE/20240217/us-east-1/sts'",
            id="9-credential",
        ),
        pytest.param(
            sts_request(auth=GOOD.replace("us-east-1/sts", "moon/iam")),
            "SignatureDoesNotMatch",
            "Credential should be scoped to a valid region. "
            "Credential should be scoped to correct service: 'sts'. ",
            id="10-region-service",
        ),
        pytest.param(
            sts_request(
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
    bad = sts_request(auth=GOOD.replace(CRED, "AKIDEXAMPLE/x/y/z"), date="20240217T171323Z")
    assert "Signature expired" in (_error(bad).message or "")
    # Without `now` the credential is next in line.
    assert _error(bad, now=None).code == "IncompleteSignature"


def test_duplicate_params() -> None:
    auth = GOOD + ", Signature=" + "1" * 64  # last wins in the header
    signed = parse_auth(sts_request(auth=auth), "query")
    assert signed is not None and signed.signature == "1" * 64
    q = (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
        + CRED.replace("/", "%2F")
        + f"&X-Amz-Date={DATE}&X-Amz-SignedHeaders=host&X-Amz-Signature={SIG}&X-Amz-Signature={'1' * 64}"
    )
    signed = parse_auth(sts_request(auth=None, query=q), "query")
    assert signed is not None and signed.signature == SIG  # first wins in the query


def test_query_presigned_missing() -> None:
    error = _error(sts_request(auth=None, query="X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=" + DATE))
    assert error.code == "IncompleteSignature"
    assert error.message == (
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must "
        "include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
        "Re-examine the query-string parameters."
    )


def test_date_header_fallback() -> None:
    req = sts_request(date=None)
    req = with_(req, headers=(*req.headers, ("date", "Sat, 17 Feb 2024 17:50:39 GMT")))
    signed = parse_auth(req, "query", now=SIGNED_AT)
    assert signed is not None and signed.amz_date == DATE


@pytest.mark.parametrize(
    ("req", "code", "message", "extra"),
    [
        pytest.param(
            s3_request(query="X-Amz-Algorithm=AWS4-HMAC-SHA256"),
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query "
            "string parameter or the Authorization header should be specified",
            None,
            id="both",
        ),
        pytest.param(
            s3_request(auth="AWS AKID:sig"), "InvalidArgument", "Unsupported Authorization Type", None, id="v2"
        ),
        pytest.param(
            s3_request(auth="AWS4-HMAC-SHA256 Credential=" + S3CRED),
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; the authorization header requires three components: "
            "Credential, SignedHeaders, and Signature.",
            None,
            id="missing",
        ),
        pytest.param(
            s3_request(date="yesterday"),
            "AccessDenied",
            "AWS authentication requires a valid Date or x-amz-date header",
            None,
            id="date",
        ),
        pytest.param(
            s3_request(date="20240217T171323Z"),
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
            s3_request(auth=S3AUTH.replace("us-east-1/s3", "us-east-1")),
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; the Credential is mal-formed; expecting "
            '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
            None,
            id="credential",
        ),
        pytest.param(
            s3_request(auth=S3AUTH.replace("us-east-1/s3", "us-east-1/sts")),
            "AuthorizationHeaderMalformed",
            'The authorization header is malformed; incorrect service "sts". This endpoint belongs to "s3".',
            None,
            id="service",
        ),
        pytest.param(
            s3_request(auth=S3AUTH.replace("us-east-1/s3", "nowhere/s3")),
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; the region 'nowhere' is wrong; expecting 'us-east-1'",
            {"Region": "us-east-1"},
            id="region",
        ),
        pytest.param(
            presigned_s3(**{"X-Amz-Expires": "604801"}),
            "AuthorizationQueryParametersError",
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be "
            "less than 604800 seconds",
            None,
            id="presign-week",
        ),
        pytest.param(
            presigned_s3(**{"X-Amz-Expires": "-"}),
            "AuthorizationQueryParametersError",
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
            None,
            id="presign-missing",
        ),
        pytest.param(
            presigned_s3(**{"X-Amz-Expires": "ten"}),
            "AuthorizationQueryParametersError",
            "X-Amz-Expires should be a number",
            None,
            id="presign-nan",
        ),
        pytest.param(
            presigned_s3(**{"X-Amz-Expires": "--5"}),
            "AuthorizationQueryParametersError",
            "X-Amz-Expires should be a number",
            None,
            id="presign-two-minus-signs",
        ),
        pytest.param(
            presigned_s3(**{"X-Amz-Expires": "-5"}),
            "AuthorizationQueryParametersError",
            "X-Amz-Expires must be non-negative",
            None,
            id="presign-negative",
        ),
        pytest.param(
            presigned_s3(**{"X-Amz-Expires": "9" * 5000}),
            "AuthorizationQueryParametersError",
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be "
            "less than 604800 seconds",
            None,
            id="presign-5000-digits",
        ),
        pytest.param(
            presigned_s3(**{"X-Amz-Date": "2024"}),
            "AuthorizationQueryParametersError",
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
            None,
            id="presign-date",
        ),
        pytest.param(
            presigned_s3(**{"X-Amz-Algorithm": "AWS4-ECDSA-P256-SHA256"}),
            "AuthorizationQueryParametersError",
            'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
            None,
            id="presign-alg",
        ),
        pytest.param(
            presigned_s3(**{"X-Amz-Credential": "AKID%2F20240217%2Fus-east-1%2Fsts%2Faws4_request"}),
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


def test_s3_skew_future() -> None:
    error = _error(s3_request(date="20240217T180540Z"), "s3")
    assert error.code == "RequestTimeTooSkewed"


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
    signed = parse_auth(sts_request(f"AWS4-HMAC-SHA256 {params}"), "query", now=SIGNED_AT)
    assert signed is not None
    assert (signed.credential, signed.signed_headers_raw, signed.signature) == (CRED, "host;x-amz-date", SIG)
    assert signed.signed_headers == ("host", "x-amz-date")


# --- canonical_auth: the SDKs' Authorization layout, read without a regular expression -----

#: The pattern canonical_auth stands for (its full match is the reference).
_REFERENCE = _re.compile(r"Credential=([^,\s]+), ?SignedHeaders=([^,\s]+), ?Signature=([^,\s]+)")


def _reference(rest: str) -> tuple[str, str, str] | None:
    m = _REFERENCE.fullmatch(rest)
    return None if m is None else (m.group(1), m.group(2), m.group(3))


def test_str_split_and_the_pattern_agree_on_every_whitespace_character() -> None:
    splits = {c for c in map(chr, range(0x110000)) if len(("a" + c + "a").split()) == 2}
    matches = {c for c in map(chr, range(0x110000)) if _re.fullmatch(r"\s", c)}
    assert splits == matches


_CRED = "Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request"
CANONICAL_CASES = [
    f"{_CRED}, SignedHeaders=host;x-amz-date, Signature=abc",
    f"{_CRED},SignedHeaders=host;x-amz-date,Signature=abc",
    f"{_CRED},  SignedHeaders=host, Signature=abc",  # two spaces
    f"{_CRED}, SignedHeaders=host, Signature=abc ",  # trailing space
    f" {_CRED}, SignedHeaders=host, Signature=abc",
    f"{_CRED}, SignedHeaders=, Signature=abc",  # empty value
    f"{_CRED}, SignedHeaders=host, Signature=",
    "Credential=, SignedHeaders=host, Signature=abc",
    f"{_CRED}, Signature=abc, SignedHeaders=host",  # order
    f"{_CRED}, SignedHeaders=host, Signature=abc, Extra=1",
    f"{_CRED}, SignedHeaders=host",
    f"{_CRED}, SignedHeaders=ho st, Signature=abc",
    f"{_CRED}, SignedHeaders=host, Signature=a\tb",
    f"{_CRED}, SignedHeaders=host, Signature=a\x85b",  # NEL: whitespace to both
    f"{_CRED}, SignedHeaders=host, Signature=a\xa0b",  # NBSP: whitespace to both
    f"{_CRED}, SignedHeaders=host, Signature=a\x1cb",  # a separator str.split() splits at
    f"{_CRED}, SignedHeaders=host, Signature=a\u2028b",
    f"{_CRED}, SignedHeaders=host, Signature=\u00e9",  # not whitespace: kept
    f"{_CRED},\tSignedHeaders=host, Signature=abc",
    f"{_CRED}, signedheaders=host, Signature=abc",
    "",
    ",,",
]


@pytest.mark.parametrize("rest", CANONICAL_CASES)
def test_canonical_auth_reads_what_the_pattern_matches(rest: str) -> None:
    assert canonical_auth(rest) == _reference(rest)


_PIECES = st.sampled_from(
    [
        *("Credential=", "SignedHeaders=", "Signature=", ",", ", ", ",  "),
        *(" ", "\t", "\x85", "\xa0", "a", "/", ";", "=", "é"),
    ]
)


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_canonical_auth_agrees_with_the_pattern_on_generated_headers(rest: str) -> None:
    assert canonical_auth(rest) == _reference(rest)


@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_canonical_auth_agrees_with_the_pattern_on_any_values(c: str, h: str, s: str) -> None:
    rest = f"Credential={c}, SignedHeaders={h}, Signature={s}"
    assert canonical_auth(rest) == _reference(rest)
