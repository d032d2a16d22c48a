"""credmint.sigv4.errors: how the signature errors are assembled — scope sentences in order,
S3's byte dumps of what was signed, the extras each S3 error carries. (Every constructor's
exact code, status and text is pinned in tests/unit/test_errors.py.)"""

from __future__ import annotations

import pytest

from credmint import errors
from credmint.sigv4 import errors as sigv4_errors


def test_s3_signature_mismatch_shows_what_was_signed_as_utf8_bytes() -> None:
    err = sigv4_errors.SignatureDoesNotMatch.s3("AKID", "AWS4\né", "sig", "GET\n/ü")
    extra = dict(err.extra)
    assert extra["AWSAccessKeyId"] == "AKID"
    assert extra["StringToSign"] == "AWS4\né"
    assert extra["SignatureProvided"] == "sig"
    assert extra["StringToSignBytes"] == "41 57 53 34 0a c3 a9"
    assert extra["CanonicalRequest"] == "GET\n/ü"
    assert extra["CanonicalRequestBytes"] == "47 45 54 0a 2f c3 bc"
    assert [k for k, _ in err.extra] == [
        "AWSAccessKeyId",
        "StringToSign",
        "SignatureProvided",
        "StringToSignBytes",
        "CanonicalRequest",
        "CanonicalRequestBytes",
    ]


def test_sigv2_mismatch_has_no_canonical_request() -> None:
    err = sigv4_errors.SignatureDoesNotMatch.s3_v2("AKID", "", "sig")
    assert dict(err.extra)["StringToSignBytes"] == ""
    assert "CanonicalRequest" not in dict(err.extra)


def test_scope_sentences_follow_region_service_terminator_date() -> None:
    err = sigv4_errors.SignatureDoesNotMatch.scope(
        "sts", "x", "20240101", "20240217T000000Z", region_ok=False, service_ok=False, terminator_ok=False,
        date_ok=False,
    )  # fmt: skip
    text = err.message or ""
    positions = [text.index(s) for s in ("valid region", "correct service", "valid terminator", "Date in Credential")]
    assert positions == sorted(positions)
    assert text.endswith(". ")


def test_the_header_and_the_query_word_a_scope_fault_alike() -> None:
    header = sigv4_errors.AuthorizationHeaderMalformed.wrong_region("eu-west-1", "us-east-1")
    query = sigv4_errors.AuthorizationQueryParametersError.wrong_region("eu-west-1", "us-east-1")
    assert header.message == (
        "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'"
    )
    assert query.message == (
        "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'"
    )
    assert dict(header.extra) == dict(query.extra) == {"Region": "us-east-1"}
    assert header.status == query.status == 400


def test_invalid_argument_names_the_argument_and_its_value() -> None:
    err = sigv4_errors.InvalidArgument.payload_hash("<script>")
    assert dict(err.extra) == {"ArgumentName": "x-amz-content-sha256", "ArgumentValue": "<script>"}


@pytest.mark.parametrize(
    ("err", "extra"),
    [
        (
            sigv4_errors.RequestTimeTooSkewed("20240217T000000Z", "2024-02-17T01:00:00Z"),
            {"RequestTime", "ServerTime", "MaxAllowedSkewMilliseconds"},
        ),
        (sigv4_errors.XAmzContentSHA256Mismatch("a", "b"), {"ClientComputedContentSHA256", "S3ComputedContentSHA256"}),
        (sigv4_errors.InvalidChunkSize(2, 10), {"Chunk", "BadChunkSize"}),
        (sigv4_errors.AccessDenied.headers_not_signed("x-amz-acl"), {"HeadersNotSigned"}),
        (sigv4_errors.InvalidAccessKeyId("AKID"), {"AWSAccessKeyId"}),
    ],
)
def test_s3_errors_carry_their_elements(err: errors.AwsError, extra: set[str]) -> None:
    assert {k for k, _ in err.extra} == extra


def test_every_class_is_an_aws_error_with_a_code_and_status() -> None:
    classes = [
        c
        for c in vars(sigv4_errors).values()
        if isinstance(c, type) and issubclass(c, errors.AwsError) and not c.__name__.startswith("_")
    ]
    assert len(classes) >= 15
    for cls in classes:
        assert cls.code and 400 <= cls.status < 500, cls
