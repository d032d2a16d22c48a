"""The AWS SigV4 test suites (aws-c-auth v4, botocore's classic aws4_testsuite), case by case."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.sigv4 import (
    SignedRequest,
    canonical_request,
    check_request_time,
    check_scope,
    parse_auth,
    sign_hex,
    signing_key,
    string_to_sign,
    verify_signature,
)
from credmint.sigv4.canonical import canonical_query
from tests.unit.sigv4.sigv4_support import SECRET, VECTORS, flip_last_hex, parse_http_text, replace_header, with_
from tests.vector_data import require

C_AUTH = VECTORS / "aws-c-auth" / "v4"
CLASSIC = VECTORS / "aws4_testsuite-classic"
NOW = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)

require(C_AUTH)
require(CLASSIC)


def _c_auth_cases() -> list[tuple[str, str]]:
    return [(d.name, form) for d in sorted(C_AUTH.iterdir()) if d.is_dir() for form in ("header", "query")]


def _classic_cases() -> list[Path]:
    return sorted(p.parent for p in CLASSIC.rglob("*.sreq"))


def _local_verify(req: HttpRequest, signed: SignedRequest, normalize: bool) -> bool:
    """verify_signature's steps with path handling chosen by the case (S3-like when not normalising)."""
    creq = canonical_request(
        req, signed, normalize_path=normalize, payload_hash=hashlib.sha256(req.body).hexdigest()
    )
    key = signing_key(SECRET, signed.scope_date, signed.region, signed.service)
    return hmac.compare_digest(sign_hex(key, string_to_sign(signed, creq)), signed.signature)


def _mutations(req: HttpRequest, signed: SignedRequest) -> dict[str, HttpRequest]:
    out = {
        "path": with_(req, raw_path=req.raw_path + "x"),
        "query": with_(req, query_string=req.query_string + ("&" if req.query_string else "") + "extra=1"),
        "body": with_(req, body=req.body + b"!"),
        "host": replace_header(req, "host", "example.amazonaws.con"),
    }
    if signed.presigned:
        sig = signed.signature
        out["signature"] = with_(req, query_string=req.query_string.replace(sig, flip_last_hex(sig)))
    else:
        auth = req.header("authorization") or ""
        out["signature"] = replace_header(req, "authorization", auth[:-1] + flip_last_hex(auth[-1]))
    if req.header("x-amz-date") == "20150830T123600Z":
        out["date"] = replace_header(req, "x-amz-date", "20150830T123601Z")
    if req.body:
        out["body-byte"] = with_(req, body=bytes([req.body[0] ^ 1]) + req.body[1:])
    for name in signed.signed_headers:
        if name not in ("host", "x-amz-date") and req.header(name) is not None:
            out[f"header-{name}"] = replace_header(req, name, (req.header(name) or "") + "0")
            break
    return out


@pytest.mark.parametrize(("case", "form"), _c_auth_cases())
def test_aws_c_auth(case: str, form: str) -> None:
    folder = C_AUTH / case
    context = json.loads((folder / "context.json").read_text())
    normalize = context["normalize"]
    req = parse_http_text((folder / f"{form}-signed-request.txt").read_text(encoding="utf-8"))
    signed = parse_auth(req, "query", now=NOW)
    assert signed is not None
    assert signed.presigned == (form == "query")
    assert signed.access_key_id == context["credentials"]["access_key_id"]
    assert signed.request_time == datetime.fromisoformat(context["timestamp"].replace("Z", "+00:00"))
    token = context["credentials"].get("token")
    if token and (form == "query" or not context.get("omit_session_token")):
        assert signed.security_token == token
    check_scope(signed, context["service"], "query", region=context["region"])

    if form == "query" and context.get("omit_session_token"):
        # The token was appended to the URL after signing (as AWS IoT expects). credmint's
        # services sign it, so such a URL is refused; without the token it is the suite's request.
        with pytest.raises(AwsError):
            verify_signature(req, signed, SECRET, "query")
        kept = [p for p in req.query_string.split("&") if not p.startswith("X-Amz-Security-Token=")]
        req = with_(req, query_string="&".join(kept))
        signed = parse_auth(req, "query", now=NOW)
        assert signed is not None and signed.security_token is None

    creq = canonical_request(
        req, signed, normalize_path=normalize, payload_hash=hashlib.sha256(req.body).hexdigest()
    )
    assert creq == (folder / f"{form}-canonical-request.txt").read_text(encoding="utf-8")
    # Without the server's header index the headers are scanned instead: the same result.
    unindexed = req._replace(header_index=None)
    assert canonical_request(unindexed, signed, normalize_path=normalize, payload_hash=creq[-64:]) == creq
    sts = string_to_sign(signed, creq)
    assert sts == (folder / f"{form}-string-to-sign.txt").read_text(encoding="utf-8")
    key = signing_key(
        context["credentials"]["secret_access_key"], signed.scope_date, signed.region, signed.service
    )
    expected = (folder / f"{form}-signature.txt").read_text().strip()
    assert sign_hex(key, sts) == expected == signed.signature

    if normalize:
        verify_signature(req, signed, SECRET, "query")
    assert _local_verify(req, signed, normalize)

    for what, mutated in _mutations(req, signed).items():
        msigned = parse_auth(mutated, "query")
        assert msigned is not None
        if normalize:
            with pytest.raises(AwsError) as info:
                verify_signature(mutated, msigned, SECRET, "query")
            assert info.value.code == "SignatureDoesNotMatch", what
        assert not _local_verify(mutated, msigned, normalize), what

    # The query form carries X-Amz-Expires=3600 but Query services hold it to 15 minutes.
    check_request_time(signed, NOW, "query")


@pytest.mark.parametrize("folder", _classic_cases(), ids=lambda p: p.name)
def test_classic_suite(folder: Path) -> None:
    name = folder.name
    req = parse_http_text((folder / f"{name}.sreq").read_text(encoding="utf-8"))
    # The .authz file is the suite's answer; get-vanilla-with-session-token's .sreq carries
    # get-vanilla's signature (a known slip in the suite), so the header is taken from .authz.
    authz = (folder / f"{name}.authz").read_text().strip()
    req = replace_header(req, "authorization", authz)
    signed = parse_auth(req, "query", now=NOW)
    assert signed is not None
    creq = canonical_request(
        req, signed, normalize_path=True, payload_hash=hashlib.sha256(req.body).hexdigest()
    )
    assert creq == (folder / f"{name}.creq").read_text(encoding="utf-8")
    unindexed = req._replace(header_index=None)
    assert canonical_request(unindexed, signed, normalize_path=True, payload_hash=creq[-64:]) == creq
    sts = string_to_sign(signed, creq)
    assert sts == (folder / f"{name}.sts").read_text(encoding="utf-8")
    assert sign_hex(signing_key(SECRET, "20150830", "us-east-1", "service"), sts) == signed.signature
    verify_signature(req, signed, SECRET, "query")
    check_scope(signed, "service", "query", region="us-east-1")
    for what, mutated in _mutations(req, signed).items():
        msigned = parse_auth(mutated, "query")
        assert msigned is not None
        with pytest.raises(AwsError) as info:
            verify_signature(mutated, msigned, SECRET, "query")
        assert info.value.code == "SignatureDoesNotMatch", what


def test_suites_are_complete() -> None:
    assert len(_c_auth_cases()) == 76
    assert len(_classic_cases()) == 34


@pytest.mark.parametrize(
    ("plus", "same", "other"),
    [
        ("prefix=a+b", "prefix=a%20b", "prefix=a%2Bb"),
        ("response-content-type=text/x+y", "response-content-type=text%2Fx%20y", "response-content-type=text%2Fx%2By"),
        ("a+b=1", "a%20b=1", "a%2Bb=1"),
    ],
)
def test_a_plus_in_the_query_signs_as_the_space_it_means(plus: str, same: str, other: str) -> None:
    """Every reader of a query (the S3 router, the Query form decoder) takes "+" for a space:
    it is signed as one, so "a+b" and "a%2Bb", which mean different things, never share a
    signature."""
    assert canonical_query(plus, drop_signature=False) == canonical_query(same, drop_signature=False)
    assert canonical_query(plus, drop_signature=False) != canonical_query(other, drop_signature=False)
