"""credmint.sigv4.checks: the time window (15 minutes both ways; X-Amz-Expires for presigned
S3 URLs) and the credential scope (date, region, service, terminator), in each dialect's words."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from credmint.errors import AwsError
from credmint.sigv4 import (
    MAX_SKEW,
    SignedRequest,
    check_request_time,
    check_scope,
    is_region_name,
    parse_auth,
)
from tests.unit.sigv4.sigv4_support import SIGNED_AT, presigned_s3, sts_request


def test_explicit_region() -> None:
    signed = parse_auth(sts_request(), "query")
    assert signed is not None
    check_scope(signed, "sts", "query", region="us-east-1")
    with pytest.raises(AwsError, match="valid region"):
        check_scope(signed, "sts", "query", region="eu-west-1")


def test_s3_presigned_expiry() -> None:
    signed = parse_auth(presigned_s3(**{"X-Amz-Expires": "60"}), "s3")
    assert signed is not None
    check_request_time(signed, SIGNED_AT + timedelta(seconds=60), "s3")
    with pytest.raises(AwsError) as info:
        check_request_time(signed, SIGNED_AT + timedelta(seconds=61), "s3")
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
    signed = parse_auth(presigned_s3(**{"X-Amz-Expires": "604800"}), "s3")
    assert signed is not None
    check_request_time(signed, SIGNED_AT + timedelta(days=6), "s3")


def signed_at(when: datetime, **fields: Any) -> SignedRequest:
    signed = parse_auth(sts_request(), "query")
    assert signed is not None
    amz = when.strftime("%Y%m%dT%H%M%SZ")
    return signed._replace(amz_date=amz, request_time=when, scope_date=amz[:8], **fields)


@pytest.mark.parametrize(
    "name", ["us-east-1", "us-gov-west-1", "cn-northwest-1", "eu-isoe-west-1", "ap-southeast-10"]
)
def test_region_names(name: str) -> None:
    assert is_region_name(name)


@pytest.mark.parametrize(
    "name",
    ["", "us", "us-east", "US-EAST-1", "us-east-100", "us_east_1", "us-east-1 ", "us-east-1/x", "a-b-1", "useast1"],
)
def test_not_region_names(name: str) -> None:
    assert not is_region_name(name)


@pytest.mark.parametrize("dialect", ["query", "s3"])
def test_the_skew_window_is_fifteen_minutes_both_ways(dialect: str) -> None:
    for edge in (MAX_SKEW, -MAX_SKEW):
        check_request_time(signed_at(SIGNED_AT + edge), SIGNED_AT, dialect)  # type: ignore[arg-type]
    for beyond in (MAX_SKEW + timedelta(seconds=1), -MAX_SKEW - timedelta(seconds=1)):
        with pytest.raises(AwsError) as info:
            check_request_time(signed_at(SIGNED_AT + beyond), SIGNED_AT, dialect)  # type: ignore[arg-type]
        assert info.value.code == ("RequestTimeTooSkewed" if dialect == "s3" else "SignatureDoesNotMatch")


def test_query_skew_messages() -> None:
    with pytest.raises(AwsError) as info:
        check_request_time(signed_at(SIGNED_AT - timedelta(hours=1)), SIGNED_AT, "query")
    assert info.value.message == (
        "Signature expired: 20240217T165039Z is now earlier than 20240217T173539Z (20240217T175039Z - 15 min.)"
    )
    with pytest.raises(AwsError) as info:
        check_request_time(signed_at(SIGNED_AT + timedelta(hours=1)), SIGNED_AT, "query")
    assert info.value.message == (
        "Signature not yet current: 20240217T185039Z is still later than 20240217T180539Z (20240217T175039Z + 15 min.)"
    )


def test_presigned_query_requests_ignore_x_amz_expires() -> None:
    # STS GetCallerIdentity URLs (EKS tokens): the 15-minute window, whatever X-Amz-Expires says.
    long = signed_at(SIGNED_AT, presigned=True, expires=604800)
    with pytest.raises(AwsError):
        check_request_time(long, SIGNED_AT + timedelta(minutes=16), "query")
    short = signed_at(SIGNED_AT, presigned=True, expires=1)
    check_request_time(short, SIGNED_AT + timedelta(minutes=15), "query")


def test_presigned_s3_limits() -> None:
    def error(signed: SignedRequest, now: datetime = SIGNED_AT) -> tuple[str, str | None]:
        with pytest.raises(AwsError) as info:
            check_request_time(signed, now, "s3")
        return info.value.code, info.value.message

    assert error(signed_at(SIGNED_AT, presigned=True, expires=None)) == (
        "AuthorizationQueryParametersError",
        "X-Amz-Expires should be a number",
    )
    assert error(signed_at(SIGNED_AT, presigned=True, expires=604801))[0] == "AuthorizationQueryParametersError"
    check_request_time(signed_at(SIGNED_AT, presigned=True, expires=604800), SIGNED_AT, "s3")
    # Signed by a clock ahead of ours: tolerated within the usual skew, refused beyond.
    ahead = signed_at(SIGNED_AT + MAX_SKEW, presigned=True, expires=60)
    check_request_time(ahead, SIGNED_AT, "s3")
    too_far = signed_at(SIGNED_AT + MAX_SKEW + timedelta(seconds=1), presigned=True, expires=60)
    assert error(too_far)[0] == "AccessDenied"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"region": "nowhere"}, "Credential should be scoped to a valid region. "),
        ({"service": "iam"}, "Credential should be scoped to correct service: 'sts'. "),
        (
            {"terminator": "aws4_requests"},
            "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requests'. ",
        ),
        (
            {"scope_date": "20240216"},
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            "'20240216' != '20240217', from '20240217T175039Z'. ",
        ),
        (
            {"region": "x", "service": "s3"},
            "Credential should be scoped to a valid region. Credential should be scoped to correct service: 'sts'. ",
        ),
    ],
)
def test_query_scope_faults_are_all_reported(fields: dict[str, Any], message: str) -> None:
    signed = signed_at(SIGNED_AT)._replace(**fields)
    with pytest.raises(AwsError) as info:
        check_scope(signed, "sts", "query")
    assert (info.value.code, info.value.message, info.value.status) == ("SignatureDoesNotMatch", message, 403)


@pytest.mark.parametrize(
    ("fields", "presigned", "code", "message"),
    [
        (
            {"region": "nowhere", "service": "x"},
            False,
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; the region 'nowhere' is wrong; expecting 'us-east-1'",
        ),
        (
            {"service": "sts"},
            True,
            "AuthorizationQueryParametersError",
            'Error parsing the X-Amz-Credential parameter; incorrect service "sts". This endpoint belongs to "s3".',
        ),
        (
            {"service": "s3", "terminator": "x"},
            False,
            "AuthorizationHeaderMalformed",
            'The authorization header is malformed; incorrect terminal "x". This endpoint uses "aws4_request".',
        ),
        (
            {"service": "s3", "scope_date": "20240216"},
            False,
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.",
        ),
    ],
)
def test_s3_reports_the_first_scope_fault(fields: dict[str, Any], presigned: bool, code: str, message: str) -> None:
    signed = signed_at(SIGNED_AT)._replace(presigned=presigned, **fields)
    with pytest.raises(AwsError) as info:
        check_scope(signed, "s3", "s3")
    assert (info.value.code, info.value.message, info.value.status) == (code, message, 400)
