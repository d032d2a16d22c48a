"""CORS applied as S3 applies it: preflights and the Access-Control-* headers of actual
answers follow the bucket's rules (raw HTTP as a browser sends it, rules set with boto3)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from credmint.s3 import cors
from tests.conftest import Server
from tests.s3.helpers import aws_cli

pytestmark = pytest.mark.e2e

RULES = {
    "CORSRules": [
        {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["https://*.example.com"], "MaxAgeSeconds": 600},
        {
            "AllowedMethods": ["PUT", "POST"],
            "AllowedOrigins": ["https://app.example.org"],
            "AllowedHeaders": ["content-type", "x-amz-*"],
            "ExposeHeaders": ["ETag", "x-amz-version-id"],
        },
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]},
    ]
}


def _options(server: Server, path: str, **headers: str) -> httpx.Response:
    return httpx.request("OPTIONS", f"{server.url}{path}", headers=headers)


def test_preflight_without_configuration_is_403(server: Server, bucket: str) -> None:
    r = _options(server, f"/{bucket}/k", Origin="https://a.example.com", **{"Access-Control-Request-Method": "GET"})
    assert r.status_code == 403
    assert "<Code>CORSResponse</Code><Message>CORS is not enabled for this bucket.</Message>" in r.text
    assert "access-control-allow-origin" not in r.headers


def test_preflight_of_missing_bucket_tells_nothing(server: Server) -> None:
    r = _options(server, "/no-such-bucket-cors/k", Origin="https://x", **{"Access-Control-Request-Method": "GET"})
    assert r.status_code == 403 and "CORS is not enabled for this bucket." in r.text


def test_preflight_needs_origin_and_method(server: Server, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    r = _options(server, f"/{bucket}/k")
    assert r.status_code == 400 and "Insufficient information. Origin request header needed." in r.text
    r = _options(server, f"/{bucket}/k", Origin="https://a.example.com")
    assert r.status_code == 400 and "<Code>BadRequest</Code>" in r.text
    r = _options(server, f"/{bucket}/k", Origin="https://a.example.com", **{"Access-Control-Request-Method": "PATCH"})
    assert r.status_code == 400


def test_preflight_matching_rule(server: Server, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    r = _options(
        server,
        f"/{bucket}/photo.jpg",
        Origin="https://app.example.org",
        **{"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "Content-Type, X-Amz-Date"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == "https://app.example.org"
    assert r.headers["access-control-allow-methods"] == "PUT, POST"
    assert r.headers["access-control-allow-headers"] == "content-type, x-amz-date"
    assert r.headers["access-control-expose-headers"] == "ETag, x-amz-version-id"
    assert r.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in r.headers["vary"]
    r = _options(server, f"/{bucket}", Origin="https://cdn.example.com", **{"Access-Control-Request-Method": "HEAD"})
    assert r.status_code == 200 and r.headers["access-control-max-age"] == "600"


def test_preflight_refusals(server: Server, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    cases = [
        ("https://app.example.org", "DELETE", None),  # method not allowed for that origin
        ("https://app.example.org", "PUT", "authorization"),  # header not allowed
        ("https://evil.org", "PUT", None),  # origin not allowed
        ("https://example.com", "HEAD", None),  # "https://*.example.com" needs a subdomain
    ]
    for origin, method, headers in cases:
        h = {"Origin": origin, "Access-Control-Request-Method": method}
        if headers:
            h["Access-Control-Request-Headers"] = headers
        r = _options(server, f"/{bucket}/k", **h)
        assert r.status_code == 403, (origin, method, headers)
        assert "<Code>CORSResponse</Code><Message>This CORS request is not allowed." in r.text
        assert "access-control-allow-origin" not in r.headers


def test_preflight_of_presigned_url_ignores_its_signature(server: Server, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up"}, ExpiresIn=300)
    r = httpx.request(
        "OPTIONS", url, headers={"Origin": "https://app.example.org", "Access-Control-Request-Method": "PUT"}
    )
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://app.example.org"
    # The browser's actual PUT through the URL gets the rule's headers too.
    r = httpx.put(url, content=b"from the page", headers={"Origin": "https://app.example.org"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "https://app.example.org"
    assert r.headers["access-control-expose-headers"] == "ETag, x-amz-version-id"


def test_actual_requests_get_headers_of_first_matching_rule(server: Server, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=300)
    r = httpx.get(url, headers={"Origin": "https://www.example.com"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://www.example.com"
    assert r.headers["access-control-allow-methods"] == "GET, HEAD"
    r = httpx.get(url, headers={"Origin": "https://anyone.net"})  # the "*" rule
    assert r.headers["access-control-allow-origin"] == "*" and "access-control-allow-credentials" not in r.headers
    r = httpx.get(url)  # no Origin: no CORS headers
    assert "access-control-allow-origin" not in r.headers


def test_error_answers_carry_cors_headers(server: Server, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    r = httpx.get(f"{server.url}/{bucket}/k", headers={"Origin": "https://www.example.com"})  # anonymous
    assert r.status_code == 403
    assert r.headers["access-control-allow-origin"] == "https://www.example.com"
    r = httpx.put(f"{server.url}/{bucket}/k", content=b"", headers={"Origin": "https://www.example.com"})
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers  # PUT: no rule for that origin


def test_deleted_configuration_stops_cors(server: Server, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    h = {"Origin": "https://www.example.com", "Access-Control-Request-Method": "GET"}
    assert _options(server, f"/{bucket}/k", **h).status_code == 200
    r = aws_cli(server, "s3api", "delete-bucket-cors", "--bucket", bucket)
    assert r.returncode == 0, r.stderr
    assert _options(server, f"/{bucket}/k", **h).status_code == 403


def test_rules_set_with_the_aws_cli_answer_a_browser_preflight(server: Server, bucket: str) -> None:
    """The AWS CLI cannot send a preflight or an Origin: it sets the rules, and httpx asks as
    a browser does."""
    r = aws_cli(server, "s3api", "put-bucket-cors", "--bucket", bucket, "--cors-configuration", json.dumps(RULES))
    assert r.returncode == 0, r.stderr
    r = aws_cli(server, "s3api", "get-bucket-cors", "--bucket", bucket)
    assert r.returncode == 0, r.stderr
    assert [rule["AllowedOrigins"] for rule in json.loads(r.stdout)["CORSRules"]] == [
        ["https://*.example.com"],
        ["https://app.example.org"],
        ["*"],
    ]
    h = {"Origin": "https://app.example.org", "Access-Control-Request-Method": "PUT"}
    preflight = _options(server, f"/{bucket}/k", **h, **{"Access-Control-Request-Headers": "x-amz-meta-a"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example.org"
    assert preflight.headers["access-control-allow-headers"] == "x-amz-meta-a"
    bad = {"CORSRules": [{"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]}
    r = aws_cli(server, "s3api", "put-bucket-cors", "--bucket", bucket, "--cors-configuration", json.dumps(bad))
    assert r.returncode != 0 and "(InvalidRequest)" in r.stderr
    r = aws_cli(server, "s3api", "delete-bucket-cors", "--bucket", bucket)
    assert r.returncode == 0, r.stderr
    r = aws_cli(server, "s3api", "get-bucket-cors", "--bucket", bucket)
    assert r.returncode != 0 and "(NoSuchCORSConfiguration)" in r.stderr


def test_hostile_preflight_headers(server: Server, s3: Any, bucket: str) -> None:
    """Long or odd values are answered (403 or 400), never a 500."""
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    for origin, method, req_headers in [
        ("https://" + "a." * 2000 + "example.com", "GET", ""),
        ("https://www.example.com", "GET", ",".join(["x-amz-a"] * 1000)),
        ("*", "GET", ",,,"),
        ("null", "GET", "a , ,b"),
    ]:
        r = _options(
            server,
            f"/{bucket}/k",
            Origin=origin,
            **{"Access-Control-Request-Method": method, "Access-Control-Request-Headers": req_headers},
        )
        assert r.status_code in (200, 400, 403), r.text


# --- the rule evaluation, purely -------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "", True),
        ("*suffix", "foo.suffix", True),
        ("*suffix", "foo.suffix.get", False),
        ("start*end", "startend", True),
        ("start*end", "start12end", True),
        ("start*end", "0start12end", False),
        ("prefix*", "prefix", True),
        ("prefix*", "bla.prefix", False),
        ("a*b*c", "abc", True),
        ("a*b*c", "acb", False),
        ("ab*ba", "aba", False),  # the fixed ends may not overlap
        ("exact", "exact", True),
        ("exact", "Exact", False),
    ],
)
def test_wildcard_match(pattern: str, value: str, expected: bool) -> None:
    assert cors.wildcard_match(pattern, value) is expected


def test_wildcard_match_is_linear() -> None:
    """A pattern of many stars against a long value costs one scan per piece, no backtracking."""
    import time

    pattern = "*a" * 200 + "*b"
    value = "a" * 100_000
    started = time.perf_counter()
    assert not cors.wildcard_match(pattern, value)
    assert time.perf_counter() - started < 1.0


def test_match_takes_first_rule_and_lowercases_headers() -> None:
    rules: list[cors.Rule] = [
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["https://a"], "AllowedHeaders": ["X-Custom"]},
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "ID": "fallback"},
    ]
    assert cors.match(rules, "https://a", "GET", cors.requested_headers("x-custom")) is rules[0]
    assert cors.match(rules, "https://a", "GET", cors.requested_headers("X-Other")) is None
    assert cors.match(rules, "https://b", "GET", []) is rules[1]
    assert cors.match(rules, "https://b", "PUT", []) is None
