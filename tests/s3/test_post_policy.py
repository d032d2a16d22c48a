"""The POST policy document and its conditions, purely; hostile documents included."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credmint.errors import AwsError
from credmint.s3 import post_policy
from credmint.sigv4.keys import signing_key

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
LATER = (NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def encoded(document: Any) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


def check(conditions: list[Any], fields: dict[str, str], size: int = 3, *, expiration: str = LATER) -> None:
    document = post_policy.decode_policy(encoded({"expiration": expiration, "conditions": conditions}))
    post_policy.check_policy(document, fields, "bkt", size, NOW)


BASE = [{"bucket": "bkt"}, ["starts-with", "$key", "up/"]]


def test_conditions_hold() -> None:
    check([*BASE, {"acl": "private"}, ["eq", "$Content-Type", "text/plain"]],
          {"key": "up/a", "acl": "private", "content-type": "text/plain"})  # fmt: skip


def test_operators_and_names_ignore_case() -> None:
    check([{"BuCkEt": "bkt"}, ["StArTs-WiTh", "$KeY", "up/"]], {"key": "up/a"})


def test_values_keep_case() -> None:
    with pytest.raises(AwsError) as exc:
        check([*BASE, {"acl": "Private"}], {"key": "up/a", "acl": "private"})
    assert exc.value.code == "AccessDenied" and "Policy Condition failed" in (exc.value.message or "")


def test_empty_prefix_admits_anything() -> None:
    check([*BASE, ["starts-with", "$x-amz-meta-tag", ""]], {"key": "up/a", "x-amz-meta-tag": "whatever"})


def test_every_field_needs_a_condition() -> None:
    with pytest.raises(AwsError) as exc:
        check(BASE, {"key": "up/a", "x-amz-meta-extra": "1"})
    assert exc.value.message == "Invalid according to Policy: Extra input fields: x-amz-meta-extra"
    check(BASE, {"key": "up/a", "x-ignore-me": "1", "policy": "p", "signature": "s", "awsaccesskeyid": "a"})


def test_bucket_needs_a_condition() -> None:
    with pytest.raises(AwsError) as exc:
        check([["starts-with", "$key", ""]], {"key": "k"})
    assert "Extra input fields: bucket" in (exc.value.message or "")


def test_condition_on_missing_field_fails() -> None:
    with pytest.raises(AwsError) as exc:
        check([*BASE, ["starts-with", "$x-amz-meta-foo", "bar"]], {"key": "up/a"})
    assert exc.value.status == 403


def test_expired() -> None:
    with pytest.raises(AwsError) as exc:
        check(BASE, {"key": "up/a"}, expiration=(NOW - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert (exc.value.code, exc.value.message) == ("AccessDenied", "Invalid according to Policy: Policy expired.")


@pytest.mark.parametrize(("size", "code"), [(11, "EntityTooLarge"), (1, "EntityTooSmall")])
def test_content_length_range(size: int, code: str) -> None:
    check([*BASE, ["content-length-range", 2, 10]], {"key": "up/a"}, size=5)
    with pytest.raises(AwsError) as exc:
        check([*BASE, ["content-length-range", 2, 10]], {"key": "up/a"}, size=size)
    assert (exc.value.code, exc.value.status) == (code, 400)


@pytest.mark.parametrize("ranges", [[[1, 10], [0, 999999]], [[0, 999999], [1, 10]]])
def test_every_content_length_range_holds(ranges: list[list[int]]) -> None:
    """Several ranges: each holds, whichever comes last (a wide one cannot widen a narrow one)."""
    conditions = [*BASE, *(["content-length-range", *r] for r in ranges)]
    check(conditions, {"key": "up/a"}, size=5)
    with pytest.raises(AwsError) as exc:
        check(conditions, {"key": "up/a"}, size=50)
    assert exc.value.code == "EntityTooLarge"


@pytest.mark.parametrize(
    "document",
    [
        {"conditions": []},  # no expiration
        {"expiration": LATER},  # no conditions
        {"EXPIRATION": LATER, "conditions": []},
        {"expiration": LATER, "CONDITIONS": []},
        {"expiration": "2026-12-06 13:00:00+00:00", "conditions": BASE},
        {"expiration": 12, "conditions": BASE},
        {"expiration": LATER, "conditions": [{}]},
        {"expiration": LATER, "conditions": [{"a": "1", "b": "2"}]},
        {"expiration": LATER, "conditions": [["content-length-range", 0]]},
        {"expiration": LATER, "conditions": [["content-length-range", -1, 0]]},
        {"expiration": LATER, "conditions": [["content-length-range", 5, 1]]},
        {"expiration": LATER, "conditions": [["content-length-range", "0", "9"]]},
        {"expiration": LATER, "conditions": [["content-length-range", True, 9]]},
        {"expiration": LATER, "conditions": [["matches", "$key", ".*"]]},
        {"expiration": LATER, "conditions": [["eq", "key", "x"]]},  # no $
        {"expiration": LATER, "conditions": [["eq", "$key", 5]]},
        {"expiration": LATER, "conditions": [{"key": ["x"]}]},
        {"expiration": LATER, "conditions": [[]]},
        {"expiration": LATER, "conditions": ["eq"]},
        {"expiration": LATER, "conditions": {"bucket": "bkt"}},
        [1, 2, 3],
        "just a string",
    ],
)
def test_unreadable_documents(document: Any) -> None:
    with pytest.raises(AwsError) as exc:
        post_policy.check_policy(post_policy.decode_policy(encoded(document)), {"key": "k"}, "bkt", 1, NOW)
    assert (exc.value.code, exc.value.status) == ("InvalidPolicyDocument", 400), document


@pytest.mark.parametrize(
    "raw",
    ["not base64!", base64.b64encode(b"{not json").decode(), base64.b64encode(b"[" * 100_000).decode(), "x" * 70_000],
)
def test_undecodable_policies(raw: str) -> None:
    with pytest.raises(AwsError) as exc:
        post_policy.decode_policy(raw)
    assert (exc.value.code, exc.value.status) == ("InvalidPolicyDocument", 400)


def test_condition_count_is_bounded() -> None:
    with pytest.raises(AwsError):
        post_policy.decode_policy(encoded({"expiration": LATER, "conditions": [BASE[0]] * 1001}))


# --- credentials and signatures ---------------------------------------------------------------


def test_v4_credential_and_signature() -> None:
    policy = encoded({"expiration": LATER, "conditions": BASE})
    key = signing_key("secret", "20261206", "us-east-1", "s3")
    fields = {
        "x-amz-algorithm": "AWS4-HMAC-SHA256",
        "x-amz-credential": "AKIDEXAMPLE/20261206/us-east-1/s3/aws4_request",
        "x-amz-date": "20261206T120000Z",
        "x-amz-signature": hmac.new(key, policy.encode(), hashlib.sha256).hexdigest(),
        "x-amz-security-token": "tok",
        "policy": policy,
    }
    cred = post_policy.credential(fields)
    assert cred is not None and (cred.version, cred.access_key_id, cred.security_token) == (4, "AKIDEXAMPLE", "tok")
    post_policy.verify(cred, "secret")
    with pytest.raises(AwsError) as exc:
        post_policy.verify(cred, "other secret")
    assert (exc.value.code, exc.value.status) == ("SignatureDoesNotMatch", 403)


def test_v2_credential_and_signature() -> None:
    policy = encoded({"expiration": LATER, "conditions": BASE})
    sig = base64.b64encode(hmac.new(b"secret", policy.encode(), hashlib.sha1).digest()).decode()
    cred = post_policy.credential({"awsaccesskeyid": "AKID", "signature": sig, "policy": policy})
    assert cred is not None and cred.version == 2
    post_policy.verify(cred, "secret")
    with pytest.raises(AwsError):
        post_policy.verify(cred, "wrong")


@pytest.mark.parametrize(
    "fields",
    [
        {"awsaccesskeyid": "AKID", "policy": "p"},  # no signature
        {"awsaccesskeyid": "AKID", "signature": "s"},  # no policy
        {"signature": "s", "policy": "p"},  # no key id
        {"x-amz-algorithm": "AWS4-HMAC-SHA1", "x-amz-credential": "a/b/c/s3/aws4_request"},
        {"x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": "a/b/c/s3/aws4_request", "policy": "p"},
        {
            "x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": "AKID/20261206/us-east-1/iam/aws4_request",
            "x-amz-date": "20261206T000000Z", "x-amz-signature": "00", "policy": "p",
        },
    ],
)  # fmt: skip
def test_incomplete_credentials(fields: dict[str, str]) -> None:
    with pytest.raises(AwsError) as exc:
        post_policy.credential(fields)
    assert exc.value.status == 400


def test_anonymous_form_has_no_credential() -> None:
    assert post_policy.credential({"key": "k", "acl": "public-read"}) is None
