"""AWS Signature Version 2 for S3: the ``Authorization: AWS AKID:sig`` header and
``?AWSAccessKeyId=&Signature=&Expires=`` presigned URLs.

botocore still presigns S3 URLs with SigV2 when pointed at a custom endpoint, and some
S3 tools sign headers with it; S3 accepts both. Pure: no I/O and no clock, the secret
and ``now`` are passed in. The S3 edge calls, in order::

    signed = parse_v2(req)                      # None → try SigV4, else anonymous
    secret = <look up signed.access_key_id / signed.security_token>
    verify_v2(req, signed, secret, now, virtual_host_bucket)

StringToSign (S3 developer guide, "Signing and authenticating REST requests")::

    Verb \\n Content-MD5 \\n Content-Type \\n Date-or-Expires \\n CanonicalizedAmzHeaders CanonicalizedResource
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import unquote, unquote_plus

from credmint.httpreq import HttpRequest
from credmint.sigv4 import errors as sigv4_errors
from credmint.sigv4.checks import MAX_SKEW
from credmint.sigv4.parse import parse_date_header, split_query

_ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

#: The query parameters that make up the CanonicalizedResource, exactly the list botocore's
#: ``HmacV1Auth.QSAOfInterest`` signs (a superset of the developer guide's list). S3 and
#: the client must agree on it: a name here that the client leaves out, or the reverse,
#: breaks every request that carries it.
SUB_RESOURCES = frozenset(
    {
        "accelerate",
        "acl",
        "analytics",
        "cors",
        "defaultObjectAcl",
        "delete",
        "inventory",
        "lifecycle",
        "location",
        "logging",
        "metrics",
        "notification",
        "object-lock",
        "partNumber",
        "policy",
        "replication",
        "requestPayment",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "response-content-language",
        "response-content-type",
        "response-expires",
        "restore",
        "select",
        "select-type",
        "storageClass",
        "tagging",
        "torrent",
        "uploadId",
        "uploads",
        "versionId",
        "versioning",
        "versions",
        "website",
    }
)

_QUERY_AUTH_NAMES = ("AWSAccessKeyId", "Signature", "Expires")
_AMZ_PREFIX = "x-amz-"


class SignedV2(NamedTuple):
    """What a SigV2 request claims, parsed but not yet verified."""

    access_key_id: str
    #: Base64, as sent (percent-decoded for the query form).
    signature: str
    presigned: bool
    #: Query auth: the ``Expires`` epoch seconds.
    expires: int | None
    #: Header auth: from ``x-amz-date`` or ``Date``.
    request_time: datetime | None
    #: ``x-amz-security-token`` header, or (query auth) the query parameter of that name.
    security_token: str | None


def parse_v2(req: HttpRequest) -> SignedV2 | None:
    """The request's SigV2 claims, or None when it carries no SigV2 authentication at all.

    Raises S3's error for a malformed SigV2 header or query, and for SigV2 mixed with any
    other mechanism (so the result does not depend on whether SigV4 is parsed first).
    """
    authorization = req.header("authorization")
    query = _query_auth_params(req.query_string)
    if "AWSAccessKeyId" in query or "Signature" in query:
        if authorization is not None:
            raise sigv4_errors.InvalidArgument.one_auth_mechanism("Authorization", authorization)
        if "X-Amz-Algorithm" in query:
            # Unconfirmed which argument S3 names here; the SigV4 parameter is the odd one out.
            raise sigv4_errors.InvalidArgument.one_auth_mechanism("X-Amz-Algorithm", query["X-Amz-Algorithm"])
        return _parse_query(req, query)
    if authorization is None:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme != "AWS":
        return None  # SigV4 or something else: not ours to judge
    if "X-Amz-Algorithm" in query:
        raise sigv4_errors.InvalidArgument.one_auth_mechanism("Authorization", authorization)
    return _parse_header(req, authorization, credentials)


def _query_auth_params(query_string: str) -> dict[str, str]:
    if not query_string:
        return {}
    found: dict[str, str] = {}
    for raw_name, raw_value in split_query(query_string):
        name = unquote(raw_name)
        # Duplicates: the first wins, as for the SigV4 query parameters.
        if (name in _QUERY_AUTH_NAMES or name == "X-Amz-Algorithm") and name not in found:
            found[name] = unquote(raw_value)
    return found


def _parse_query(req: HttpRequest, query: dict[str, str]) -> SignedV2:
    access_key_id = query.get("AWSAccessKeyId")
    signature = query.get("Signature")
    expires_value = query.get("Expires")
    if not access_key_id or not signature or expires_value is None:
        raise sigv4_errors.AccessDenied.v2_query_parameters()
    digits = expires_value[1:] if expires_value.startswith("-") else expires_value
    # More digits than a 64-bit count of seconds holds is no date either.
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        raise sigv4_errors.AccessDenied.v2_expires(expires_value)
    token = req.header("x-amz-security-token")
    if token is None:
        tokens = _amz_query_params(req.query_string).get("x-amz-security-token")
        token = tokens[0] if tokens else None
    return SignedV2(access_key_id, signature, True, int(expires_value), None, token)


def _parse_header(req: HttpRequest, authorization: str, credentials: str) -> SignedV2:
    access_key_id, colon, signature = credentials.strip().partition(":")
    if not colon or not access_key_id or not signature:
        raise sigv4_errors.InvalidArgument.v2_authorization(authorization)
    # x-amz-date wins over Date: it exists for clients that cannot set Date.
    date_value = req.header("x-amz-date")
    if date_value is None:
        date_value = req.header("date")
    # RFC 1123 is what SigV2 clients send.
    request_time = parse_date_header(date_value.strip()) if date_value is not None else None
    # A time before the Unix epoch is no valid request time: S3 answers it as a missing date
    # (AccessDenied), not as a skewed one (s3-tests' test_*_bad_date_before_epoch_aws2).
    if request_time is None or request_time.year < 1970:
        raise sigv4_errors.AccessDenied.missing_date()
    return SignedV2(access_key_id, signature.strip(), False, None, request_time, req.header("x-amz-security-token"))


def _amz_query_params(query_string: str) -> dict[str, list[str]]:
    """Presigned URLs carry their x-amz-* "headers" (the session token above all) as query
    parameters; botocore signs them as headers, so they count as headers."""
    found: dict[str, list[str]] = {}
    if _AMZ_PREFIX not in query_string.lower():
        return found
    for raw_name, raw_value in split_query(query_string):
        name = unquote(raw_name).lower()
        if name.startswith(_AMZ_PREFIX):
            found.setdefault(name, []).append(unquote(raw_value))
    return found


def _canonical_amz_headers(req: HttpRequest, presigned: bool) -> str:
    values: dict[str, list[str]] = {}
    for name, value in req.headers:
        if name.startswith(_AMZ_PREFIX):
            values.setdefault(name, []).append(value.strip())
    if presigned:
        # A name sent both ways is treated as repeated (header first), so every value that
        # could be acted on is covered by the signature (unconfirmed against S3).
        for name, query_values in _amz_query_params(req.query_string).items():
            values.setdefault(name, []).extend(v.strip() for v in query_values)
    # Header values are assumed unfolded already: the HTTP server refuses obs-fold.
    return "".join(f"{name}:{','.join(values[name])}\n" for name in sorted(values))


def _canonical_resource(req: HttpRequest, virtual_host_bucket: str | None) -> str:
    # The path is signed exactly as sent, %-escapes and their case included.
    resource = f"/{virtual_host_bucket}{req.raw_path}" if virtual_host_bucket else req.raw_path
    if not virtual_host_bucket and len(resource) > 1 and resource.count("/") == 1:
        # A bucket-only path-style request signs as "/bucket/", the resource a virtual-host
        # request for the same bucket has; botocore signs it so and S3 accepts it.
        resource += "/"
    sub: list[tuple[str, str | None]] = []
    for part in req.query_string.split("&") if req.query_string else ():
        raw_name, eq, value = part.partition("=")
        # Names and values are read as the router reads them (``s3_routes.parse_query``): a
        # sub-resource the request acts on is signed, however its name is escaped
        # ("%76ersionId" is versionId there, so it is here). Values enter decoded ("you do
        # not encode these values"); "?acl" has none.
        name = unquote_plus(raw_name)
        if name in SUB_RESOURCES:
            sub.append((name, unquote_plus(value) if eq else None))
    if sub:
        sub.sort(key=lambda item: item[0])  # stable: repeated names keep their order
        resource += "?" + "&".join(name if value is None else f"{name}={value}" for name, value in sub)
    return resource


def string_to_sign_v2(req: HttpRequest, signed: SignedV2, virtual_host_bucket: str | None) -> str:
    """The SigV2 StringToSign for ``req``; ``virtual_host_bucket`` is the bucket named by the
    Host header (virtual-hosted style), None for path style and ListBuckets."""
    content_md5 = (req.header("content-md5") or "").strip()
    content_type = (req.header("content-type") or "").strip()
    if signed.presigned:
        # The Expires value as sent (leading zeros and all), not its integer.
        date_line = _query_auth_params(req.query_string).get("Expires", str(signed.expires))
    elif req.header("x-amz-date") is not None:
        # S3 ignores Date when x-amz-date is present; x-amz-date is signed among the amz headers.
        date_line = ""
    else:
        date_line = (req.header("date") or "").strip()
    return (
        f"{req.method}\n{content_md5}\n{content_type}\n{date_line}\n"
        + _canonical_amz_headers(req, signed.presigned)
        + _canonical_resource(req, virtual_host_bucket)
    )


def sign_v2(secret: str, string_to_sign: str) -> str:
    """Base64 HMAC-SHA1 of the UTF-8 string to sign."""
    digest = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _iso_from_epoch(seconds: int) -> str:
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime(_ISO_FORMAT)
    except (OverflowError, OSError, ValueError):
        return str(seconds)  # before year 1: nothing sensible to print


def verify_v2(req: HttpRequest, signed: SignedV2, secret: str, now: datetime, virtual_host_bucket: str | None) -> None:
    """Raise unless the request is within its time window and signed with ``secret``.

    Time comes first, as S3 orders it: an expired URL is refused even with a good signature.
    """
    if signed.presigned:
        expires = signed.expires
        if expires is None:  # parse_v2 never builds this; kept for hand-built values
            raise sigv4_errors.AccessDenied.v2_query_parameters()
        # SigV2 has no one-week cap on Expires (SigV4's X-Amz-Expires has).
        if now.timestamp() > expires:
            server_time = now.astimezone(UTC).strftime(_ISO_FORMAT)
            raise sigv4_errors.AccessDenied.expired_v2(_iso_from_epoch(expires), server_time)
    else:
        request_time = signed.request_time
        if request_time is None:  # parse_v2 refuses this
            raise sigv4_errors.AccessDenied.missing_date()
        if abs(request_time - now) > MAX_SKEW:
            sent = req.header("x-amz-date") or req.header("date") or ""
            raise sigv4_errors.RequestTimeTooSkewed(sent.strip(), now.astimezone(UTC).strftime(_ISO_FORMAT))
    sts = string_to_sign_v2(req, signed, virtual_host_bucket)
    expected = sign_v2(secret, sts)
    if not hmac.compare_digest(expected.encode("ascii"), signed.signature.encode("utf-8", "replace")):
        raise sigv4_errors.SignatureDoesNotMatch.s3_v2(signed.access_key_id, sts, signed.signature)
