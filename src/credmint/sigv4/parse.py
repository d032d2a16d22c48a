"""Finding and parsing a SigV4 signature: the ``Authorization`` header or a presigned query.

Errors are raised in AWS's order (aws-behavior.md §2.4, steps 3b-9) with AWS's wording,
which differs between the Query services (STS, IAM) and S3.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import unquote

from credmint.httpreq import HttpRequest, digits_value
from credmint.sigv4 import errors as sigv4_errors
from credmint.sigv4.checks import AMZ_DATE_FORMAT, Dialect, check_request_time
from credmint.sigv4.signed import SignedRequest

ALGORITHM = "AWS4-HMAC-SHA256"

#: The Authorization header's parameters (after the algorithm) in the one layout SDKs send:
#: the three components in this order, ``, `` or ``,`` between them, no other whitespace.

_DIGITS = frozenset("0123456789")

def split_query(query_string: str) -> list[tuple[str, str]]:
    """``a=1&b&c=`` → ``[("a", "1"), ("b", ""), ("c", "")]``, still percent-encoded."""
    if not query_string:
        return []
    pairs = []
    for part in query_string.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return pairs


# Requests arriving in the same second share their X-Amz-Date; parsing it is a visible cost.
@lru_cache(maxsize=256)
def parse_amz_date(value: str) -> datetime | None:
    """``YYYYMMDDTHHMMSSZ`` → aware UTC datetime, or None when it is not exactly that."""
    if len(value) != 16 or value[8] != "T" or value[15] != "Z":
        return None
    digits = value[:8] + value[9:15]
    if not _DIGITS.issuperset(digits):
        return None
    try:
        return datetime(
            int(value[0:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[9:11]),
            int(value[11:13]),
            int(value[13:15]),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def parse_date_header(value: str) -> datetime | None:
    """ISO-8601 basic or RFC 1123 (HTTP's ``Date``) → aware UTC datetime, or None."""
    # botocore sends an RFC 1123 ``Date`` (and no X-Amz-Date) when the caller set one.
    parsed = parse_amz_date(value)
    if parsed is not None:
        return parsed
    try:
        rfc = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if rfc.tzinfo is None:
        # RFC 2822 reads ``-0000`` as "UTC, local zone unknown", and the parser leaves such
        # a time naive; botocore's SigV4 signer writes its ``Date`` that way
        # (``email.utils.formatdate``). A time with no zone at all stays refused.
        if not value.rstrip().endswith("-0000"):
            return None
        return rfc.replace(tzinfo=UTC)
    try:
        return rfc.astimezone(UTC)
    except OverflowError:  # a time whose zone moves it past year 9999 (or before year 1)
        return None


def parse_auth(req: HttpRequest, dialect: Dialect, *, now: datetime | None = None) -> SignedRequest | None:
    """The request's SigV4 claims, or None when it carries no signature at all.

    With ``now``, the clock-skew check runs where AWS runs it (step 8, after the date is
    parsed and before the credential is split); without it the caller must call
    :func:`check_request_time` itself.
    """
    authorization = req.header("authorization")
    query = _auth_query_params(req.query_string)
    if "X-Amz-Algorithm" in query:
        if authorization is not None:
            if dialect == "s3":
                raise sigv4_errors.InvalidArgument.one_auth_mechanism("Authorization", authorization)
            raise sigv4_errors.SignatureDoesNotMatch.bare()
        return _parse_presigned(req, query, dialect, now)
    if authorization is None:
        return None
    return _parse_header(req, authorization, dialect, now)


_AUTH_QUERY_NAMES = frozenset(
    {
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
        "X-Amz-Security-Token",
        "X-Amz-Content-Sha256",
    }
)


def _auth_query_params(query_string: str) -> dict[str, str]:
    if "X-Amz-" not in query_string and "x-amz-" not in query_string.lower():
        return {}
    found: dict[str, str] = {}
    for raw_name, raw_value in split_query(query_string):
        name = unquote(raw_name)
        # Duplicate query auth parameters: the first wins (observed).
        if name in _AUTH_QUERY_NAMES and name not in found:
            found[name] = unquote(raw_value)
    return found


def _parse_header(
    req: HttpRequest, authorization: str, dialect: Dialect, now: datetime | None
) -> SignedRequest:
    s3 = dialect == "s3"
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != ALGORITHM:
        if s3:
            raise sigv4_errors.InvalidArgument.authorization_type(authorization)
        raise sigv4_errors.IncompleteSignature.unsupported_algorithm(algorithm)

    canonical = canonical_auth(rest)
    if canonical is not None:
        # What every SDK sends; the general split below reads it the same way, only slower.
        credential, signed_headers_raw, signature = canonical
        return _parse_header_params(req, authorization, credential, signed_headers_raw, signature, dialect, now)
    params = _split_auth(rest, authorization, s3)
    return _parse_header_params(
        req,
        authorization,
        params.get("Credential"),
        params.get("SignedHeaders"),
        params.get("Signature"),
        dialect,
        now,
    )


def canonical_auth(rest: str) -> tuple[str, str, str] | None:
    """The three values of ``Credential=…, SignedHeaders=…, Signature=…`` written as every
    SDK writes it, else None: the three in this order, at most one space after each comma,
    and each value non-empty with no comma or whitespace in it. This is what the pattern
    ``Credential=([^,\\s]+), ?SignedHeaders=([^,\\s]+), ?Signature=([^,\\s]+)`` matches in
    full, read with string methods: the pattern's search cost more than the rest of the
    header's parsing. ``str.split()`` splits at exactly the characters ``\\s`` matches."""
    parts = rest.split(",")
    if len(parts) != 3:
        return None
    credential, signed_headers, signature = parts
    if signed_headers[:1] == " ":
        signed_headers = signed_headers[1:]
    if signature[:1] == " ":
        signature = signature[1:]
    if not (
        credential.startswith("Credential=")
        and signed_headers.startswith("SignedHeaders=")
        and signature.startswith("Signature=")
    ):
        return None
    credential, signed_headers, signature = credential[11:], signed_headers[14:], signature[10:]
    for value in (credential, signed_headers, signature):
        if value.split() != [value]:
            return None
    return credential, signed_headers, signature


def _split_auth(rest: str, authorization: str, s3: bool) -> dict[str, str]:
    params: dict[str, str] = {}
    for raw_part in rest.split(","):
        part = raw_part.strip()
        if not part:
            continue
        key, eq, value = part.partition("=")
        if not eq:
            if s3:
                raise sigv4_errors.AuthorizationHeaderMalformed.component(part)
            raise sigv4_errors.IncompleteSignature.not_key_value(part, authorization)
        params[key.strip()] = value.strip()  # duplicates: the last wins (observed)
    return params


def _parse_header_params(
    req: HttpRequest,
    authorization: str,
    credential: str | None,
    signed_headers_raw: str | None,
    signature: str | None,
    dialect: Dialect,
    now: datetime | None,
) -> SignedRequest:
    s3 = dialect == "s3"
    date_value = req.header("x-amz-date")
    request_time = None
    if date_value is not None:
        request_time = parse_amz_date(date_value)
    else:
        date_value = req.header("date")
        if date_value is not None:
            request_time = parse_date_header(date_value)

    if credential is None or signature is None or signed_headers_raw is None or date_value is None:
        if s3:
            if credential is None or signature is None or signed_headers_raw is None:
                raise sigv4_errors.AuthorizationHeaderMalformed.three_components()
            raise sigv4_errors.AccessDenied.missing_date()
        raise sigv4_errors.IncompleteSignature.header_missing(
            authorization,
            credential=credential is None,
            signature=signature is None,
            signed_headers=signed_headers_raw is None,
            date=date_value is None,
        )

    if request_time is None:
        if s3:
            raise sigv4_errors.AccessDenied.missing_date()
        raise sigv4_errors.IncompleteSignature.bad_date(date_value)

    signed_headers = tuple(signed_headers_raw.lower().split(";")) if signed_headers_raw else ()
    return _finish(
        date_value if len(date_value) == 16 else request_time.strftime(AMZ_DATE_FORMAT),
        credential,
        request_time,
        signed_headers,
        signed_headers_raw,
        signature,
        req.header("x-amz-security-token"),
        False,
        None,
        req.header("x-amz-content-sha256"),
        dialect,
        now,
    )


def _parse_presigned(
    req: HttpRequest, query: dict[str, str], dialect: Dialect, now: datetime | None
) -> SignedRequest:
    s3 = dialect == "s3"
    algorithm = query["X-Amz-Algorithm"]
    if algorithm != ALGORITHM:
        if s3:
            raise sigv4_errors.AuthorizationQueryParametersError.algorithm()
        raise sigv4_errors.IncompleteSignature.unsupported_algorithm(algorithm)

    credential = query.get("X-Amz-Credential")
    signature = query.get("X-Amz-Signature")
    signed_headers_raw = query.get("X-Amz-SignedHeaders")
    date_value = query.get("X-Amz-Date")
    expires_value = query.get("X-Amz-Expires")
    if s3:
        if None in (credential, signature, signed_headers_raw, date_value, expires_value):
            raise sigv4_errors.AuthorizationQueryParametersError.missing()
    else:
        missing = [
            name
            for name, value in (
                ("X-Amz-Credential", credential),
                ("X-Amz-Signature", signature),
                ("X-Amz-SignedHeaders", signed_headers_raw),
                ("X-Amz-Date", date_value),
            )
            if value is None
        ]
        if missing:
            raise sigv4_errors.IncompleteSignature.query_missing(missing)
    assert credential is not None and signature is not None
    assert signed_headers_raw is not None and date_value is not None

    request_time = parse_amz_date(date_value)
    if request_time is None:
        if s3:
            raise sigv4_errors.AuthorizationQueryParametersError.date()
        raise sigv4_errors.IncompleteSignature.bad_date(date_value)

    expires: int | None = None
    if expires_value is not None:
        negative = expires_value.startswith("-")
        digits = expires_value[1:] if negative else expires_value
        if digits and digits.isascii() and digits.isdigit():
            expires = -digits_value(digits) if negative else digits_value(digits)
        if s3:
            if expires is None:
                raise sigv4_errors.AuthorizationQueryParametersError.expires_not_number()
            if expires < 0:
                raise sigv4_errors.AuthorizationQueryParametersError.expires_negative()
        # Query services ignore X-Amz-Expires entirely (aws-behavior.md §2.2), so a bad one is no error.

    token = query.get("X-Amz-Security-Token")
    if s3:
        # A *signed* token header overrides the query token; an unsigned one is refused in
        # verify_signature (HeadersNotSigned), so taking it here changes nothing.
        header_token = req.header("x-amz-security-token")
        if header_token is not None and (
            token is None or "x-amz-security-token" in signed_headers_raw.split(";")
        ):
            token = header_token
    signed_headers = tuple(signed_headers_raw.lower().split(";")) if signed_headers_raw else ()
    return _finish(
        date_value,
        credential,
        request_time,
        signed_headers,
        signed_headers_raw,
        signature,
        token,
        True,
        expires,
        query.get("X-Amz-Content-Sha256"),
        dialect,
        now,
    )


def _finish(
    amz_date: str,
    credential: str,
    request_time: datetime,
    signed_headers: tuple[str, ...],
    signed_headers_raw: str,
    signature: str,
    security_token: str | None,
    presigned: bool,
    expires: int | None,
    content_sha256: str | None,
    dialect: Dialect,
    now: datetime | None,
) -> SignedRequest:
    parts = credential.split("/")
    n = len(parts)
    if n == 5:
        key_id, scope_date, region, service, terminator = parts
    else:
        key_id = parts[0]
        scope_date = parts[1] if n > 1 else ""
        region = parts[2] if n > 2 else ""
        service = parts[3] if n > 3 else ""
        terminator = parts[4] if n > 4 else ""
    signed = SignedRequest(
        key_id,
        credential,
        amz_date,
        request_time,
        scope_date,
        region,
        service,
        terminator,
        signed_headers,
        signature,
        security_token,
        presigned,
        expires,
        content_sha256,
        signed_headers_raw,
    )
    if now is not None:
        check_request_time(signed, now, dialect)
    if n != 5:
        if dialect == "s3":
            if presigned:
                raise sigv4_errors.AuthorizationQueryParametersError.credential_malformed()
            raise sigv4_errors.AuthorizationHeaderMalformed.credential_malformed()
        raise sigv4_errors.IncompleteSignature.credential_elements(credential)
    return signed
