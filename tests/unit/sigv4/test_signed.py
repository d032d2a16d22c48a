"""credmint.sigv4.signed: the parsed, unverified signature fields, and the credential scope
exactly as the client sent it (it enters the string to sign unchanged)."""

from __future__ import annotations

from credmint.sigv4 import SignedRequest, parse_auth
from tests.unit.sigv4.sigv4_support import CRED, SIGNED_AT, sts_request


def test_the_scope_is_the_credential_after_the_key_id() -> None:
    signed = parse_auth(sts_request(), "query", now=SIGNED_AT)
    assert signed is not None
    assert signed.credential == CRED
    assert signed.scope == "20240217/us-east-1/sts/aws4_request"
    assert signed.scope == "/".join((signed.scope_date, signed.region, signed.service, signed.terminator))


def test_the_scope_keeps_what_the_parts_do_not() -> None:
    # A key id is never split further: everything after its first slash is the scope, as sent.
    signed = SignedRequest(
        access_key_id="AKID",
        credential="AKID/20240217/us-east-1/sts/aws4_request",
        amz_date="20240217T175039Z",
        request_time=SIGNED_AT,
        scope_date="20240217",
        region="us-east-1",
        service="sts",
        terminator="aws4_request",
        signed_headers=("host",),
        signature="0" * 64,
        security_token=None,
        presigned=False,
        expires=None,
        content_sha256=None,
    )
    assert signed.signed_headers_raw == ""  # a default: only the parser knows the raw text
    assert signed._replace(credential="AKID/a//b/c").scope == "a//b/c"
    assert signed._replace(credential="no-slash").scope == ""


def test_a_signed_request_is_a_value() -> None:
    a = parse_auth(sts_request(), "query", now=SIGNED_AT)
    b = parse_auth(sts_request(), "query", now=SIGNED_AT)
    assert a == b and hash(a) == hash(b)
    assert a is not None and a._replace(signature="1" * 64) != b
