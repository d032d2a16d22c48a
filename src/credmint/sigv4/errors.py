"""The signature's errors, for the Query and JSON services and for S3 (SigV4 and SigV2).

One class per code; each case's wording is a named constructor. Query services word a
fault in one ``IncompleteSignature`` or ``SignatureDoesNotMatch`` sentence; S3 uses its own
codes and adds elements to its ``<Error>`` (``extra``). Texts marked "unconfirmed" are the
best available wording (emulators, SDK issue threads, memory of AWS responses); the rest
are quoted from observed AWS responses.
"""

from __future__ import annotations

from typing import ClassVar, Self

from credmint import errors

_S3_CREDENTIAL_SHAPE = 'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'

_S3_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
)


def _hex_bytes(text: str) -> str:
    return " ".join(f"{b:02x}" for b in text.encode("utf-8"))


# --- Query and JSON services -------------------------------------------------------------------


class IncompleteSignature(errors.AwsError):
    code = "IncompleteSignature"
    status = 400

    @classmethod
    def unsupported_algorithm(cls, algorithm: str) -> Self:
        return cls(f"Unsupported AWS 'algorithm': '{algorithm}'.")

    @classmethod
    def not_key_value(cls, part: str, authorization: str) -> Self:
        return cls(
            f"'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{authorization}'"
        )

    @classmethod
    def header_missing(
        cls, authorization: str, *, credential: bool, signature: bool, signed_headers: bool, date: bool
    ) -> Self:
        """What an ``Authorization`` header lacks: one sentence per missing part, in this order."""
        missing = []
        if credential:
            missing.append("Authorization header requires 'Credential' parameter.")
        if signature:
            missing.append("Authorization header requires 'Signature' parameter.")
        if signed_headers:
            missing.append("Authorization header requires 'SignedHeaders' parameter.")
        if date:
            missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        return cls(" ".join(missing) + f" Authorization={authorization}")

    @classmethod
    def query_missing(cls, names: list[str]) -> Self:
        """The presigned parameters a query string lacks, in the order given."""
        missing = [f"AWS query-string parameters must include '{name}'." for name in names]
        return cls(" ".join(missing) + " Re-examine the query-string parameters.")

    @classmethod
    def bad_date(cls, value: str) -> Self:
        return cls(f"Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601")

    @classmethod
    def credential_elements(cls, credential: str) -> Self:
        return cls(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            f"got '{credential}'"
        )


class SignatureDoesNotMatch(errors.AwsError):
    code = "SignatureDoesNotMatch"
    status = 403

    @classmethod
    def query(cls) -> Self:
        return cls(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        )

    @classmethod
    def bare(cls) -> Self:
        """Both an ``Authorization`` header and ``X-Amz-Algorithm``: AWS answers with no message."""
        return cls()

    @classmethod
    def host_not_signed(cls) -> Self:
        return cls("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")

    @classmethod
    def expired(cls, amz_date: str, earliest: str, now: str) -> Self:
        return cls(f"Signature expired: {amz_date} is now earlier than {earliest} ({now} - 15 min.)")

    @classmethod
    def not_yet_current(cls, amz_date: str, latest: str, now: str) -> Self:
        return cls(f"Signature not yet current: {amz_date} is still later than {latest} ({now} + 15 min.)")

    @classmethod
    def scope(
        cls,
        service: str,
        terminator: str,
        scope_date: str,
        amz_date: str,
        *,
        region_ok: bool,
        service_ok: bool,
        terminator_ok: bool,
        date_ok: bool,
    ) -> Self:
        """STS's current wording for a wrong credential scope: one sentence per fault,
        each ending ". ", concatenated [obs]."""
        parts = []
        if not region_ok:
            parts.append("Credential should be scoped to a valid region. ")
        if not service_ok:
            parts.append(f"Credential should be scoped to correct service: '{service}'. ")
        if not terminator_ok:
            parts.append(f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. ")
        if not date_ok:
            parts.append(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                f"'{scope_date}' != '{amz_date[:8]}', from '{amz_date}'. "
            )
        return cls("".join(parts))

    @classmethod
    def s3(cls, access_key_id: str, string_to_sign: str, signature: str, canonical_request: str) -> Self:
        return cls._s3(
            access_key_id,
            string_to_sign,
            signature,
            ("CanonicalRequest", canonical_request),
            ("CanonicalRequestBytes", _hex_bytes(canonical_request)),
        )

    @classmethod
    def s3_v2(cls, access_key_id: str, string_to_sign: str, signature: str) -> Self:
        # SigV2 has no canonical request, so S3 sends only the string-to-sign elements.
        return cls._s3(access_key_id, string_to_sign, signature)

    @classmethod
    def s3_chunk(cls) -> Self:
        # A bad aws-chunked chunk or trailer signature; S3 sends the plain S3 message (unconfirmed extras).
        return cls(_S3_SIGNATURE_MISMATCH)

    @classmethod
    def _s3(cls, access_key_id: str, string_to_sign: str, signature: str, *more: tuple[str, str]) -> Self:
        return cls(
            _S3_SIGNATURE_MISMATCH,
            extra=(
                ("AWSAccessKeyId", access_key_id),
                ("StringToSign", string_to_sign),
                ("SignatureProvided", signature),
                ("StringToSignBytes", _hex_bytes(string_to_sign)),
                *more,
            ),
        )


# --- S3 ------------------------------------------------------------------------------------------


class InvalidArgument(errors.AwsError):
    """S3's refusal of one argument, named with its value."""

    code = "InvalidArgument"
    status = 400

    def __init__(self, message: str, name: str, value: str) -> None:
        super().__init__(message, extra=(("ArgumentName", name), ("ArgumentValue", value)))

    @classmethod
    def one_auth_mechanism(cls, name: str, value: str) -> Self:
        return cls(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
            "Signature query string parameter or the Authorization header should be specified",
            name,
            value,
        )

    @classmethod
    def authorization_type(cls, authorization: str) -> Self:
        return cls("Unsupported Authorization Type", "Authorization", authorization)

    @classmethod
    def v2_authorization(cls, authorization: str) -> Self:
        # Two spaces after "invalid." as S3 sends it.
        return cls(
            "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature", "Authorization", authorization
        )

    @classmethod
    def payload_hash(cls, value: str) -> Self:
        return cls(
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
            "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "
            "or a valid sha256 value.",
            "x-amz-content-sha256",
            value,
        )


class _ScopeFault(errors.AwsError):
    """A wrong credential scope, in the words of the header's or the query's error."""

    status = 400
    #: What the scope sentences follow.
    scope_prefix: ClassVar[str]

    @classmethod
    def wrong_region(cls, region: str, expected: str) -> Self:
        return cls(
            f"{cls.scope_prefix}the region '{region}' is wrong; expecting '{expected}'", extra=(("Region", expected),)
        )

    @classmethod
    def wrong_service(cls, service: str, expected: str) -> Self:
        return cls(f'{cls.scope_prefix}incorrect service "{service}". This endpoint belongs to "{expected}".')

    @classmethod
    def wrong_terminal(cls, terminator: str) -> Self:
        return cls(f'{cls.scope_prefix}incorrect terminal "{terminator}". This endpoint uses "aws4_request".')

    @classmethod
    def wrong_date(cls) -> Self:
        return cls(f"{cls.scope_prefix}Invalid credential date. Date is not the same as X-Amz-Date.")

    @classmethod
    def credential_malformed(cls) -> Self:
        return cls(f"{cls.scope_prefix}the Credential is mal-formed; {_S3_CREDENTIAL_SHAPE}")


class AuthorizationHeaderMalformed(_ScopeFault):
    code = "AuthorizationHeaderMalformed"
    scope_prefix = "The authorization header is malformed; "

    @classmethod
    def component(cls, part: str) -> Self:
        return cls(f'{cls.scope_prefix}the authorization component "{part}" is malformed.')

    @classmethod
    def three_components(cls) -> Self:
        return cls(
            f"{cls.scope_prefix}the authorization header requires three components: Credential, SignedHeaders, "
            "and Signature."
        )


class AuthorizationQueryParametersError(_ScopeFault):
    code = "AuthorizationQueryParametersError"
    scope_prefix = "Error parsing the X-Amz-Credential parameter; "

    @classmethod
    def algorithm(cls) -> Self:
        return cls('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')

    @classmethod
    def missing(cls) -> Self:
        return cls(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        )

    @classmethod
    def date(cls) -> Self:
        return cls("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")

    @classmethod
    def expires_not_number(cls) -> Self:
        return cls("X-Amz-Expires should be a number")

    @classmethod
    def expires_negative(cls) -> Self:
        return cls("X-Amz-Expires must be non-negative")

    @classmethod
    def expires_too_long(cls) -> Self:
        return cls(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be "
            "less than 604800 seconds"
        )


class AccessDenied(errors.AccessDenied):
    """S3's authentication refusals (AccessDenied with S3's wording and elements)."""

    @classmethod
    def missing_date(cls) -> Self:
        return cls("AWS authentication requires a valid Date or x-amz-date header")

    @classmethod
    def expired(cls, expires_seconds: str, expires_at: str, server_time: str) -> Self:
        return cls(
            "Request has expired",
            extra=(("X-Amz-Expires", expires_seconds), ("Expires", expires_at), ("ServerTime", server_time)),
        )

    @classmethod
    def expired_v2(cls, expires_at: str, server_time: str) -> Self:
        # SigV2 URLs carry an absolute Expires, so there is no X-Amz-Expires element.
        return cls("Request has expired", extra=(("Expires", expires_at), ("ServerTime", server_time)))

    @classmethod
    def not_yet_valid(cls) -> Self:
        # A presigned URL dated in the future (unconfirmed wording).
        return cls("Request is not valid yet")

    @classmethod
    def headers_not_signed(cls, names: str) -> Self:
        return cls(
            "There were headers present in the request which were not signed", extra=(("HeadersNotSigned", names),)
        )

    @classmethod
    def v2_query_parameters(cls) -> Self:
        return cls("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")

    @classmethod
    def v2_expires(cls, value: str) -> Self:
        # A non-numeric SigV2 ``Expires`` (unconfirmed wording).
        return cls(f"Invalid date (should be seconds since epoch): {value}")


class RequestTimeTooSkewed(errors.AwsError):
    code = "RequestTimeTooSkewed"
    status = 403

    def __init__(self, request_time: str, server_time: str) -> None:
        super().__init__(
            "The difference between the request time and the current time is too large.",
            extra=(
                ("RequestTime", request_time),
                ("ServerTime", server_time),
                ("MaxAllowedSkewMilliseconds", "900000"),
            ),
        )


class InvalidRequest(errors.AwsError):
    code = "InvalidRequest"
    status = 400

    @classmethod
    def missing_content_sha256(cls) -> Self:
        return cls("Missing required header for this request: x-amz-content-sha256")

    @classmethod
    def checksum_value(cls, name: str, *, trailing: bool) -> Self:
        where = "trailing header" if trailing else "header"
        return cls(f"Value for {name} {where} is invalid.")


class XAmzContentSHA256Mismatch(errors.AwsError):
    code = "XAmzContentSHA256Mismatch"
    status = 400

    def __init__(self, client_value: str, computed: str) -> None:
        super().__init__(
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            extra=(("ClientComputedContentSHA256", client_value), ("S3ComputedContentSHA256", computed)),
        )


class IncompleteBody(errors.AwsError):
    code = "IncompleteBody"
    status = 400

    def __init__(self) -> None:
        super().__init__("You did not provide the number of bytes specified by the Content-Length HTTP header")


class MissingContentLength(errors.AwsError):
    code = "MissingContentLength"
    status = 411

    def __init__(self) -> None:
        # aws-chunked without x-amz-decoded-content-length (unconfirmed: S3 may word it differently).
        super().__init__("You must provide the Content-Length HTTP header.")


class InvalidChunkSize(errors.AwsError):
    code = "InvalidChunkSizeError"
    status = 400

    def __init__(self, chunk_number: int, size: int) -> None:
        super().__init__(
            "Only the last chunk is allowed to have a size less than 8192 bytes",
            extra=(("Chunk", str(chunk_number)), ("BadChunkSize", str(size))),
        )


class MalformedTrailer(errors.AwsError):
    code = "MalformedTrailerError"
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "The request contained trailing data that was not well-formed or did not conform to our published schema."
        )


class BadDigest(errors.AwsError):
    code = "BadDigest"
    status = 400

    @classmethod
    def checksum(cls, algorithm_label: str) -> Self:
        return cls(f"The {algorithm_label} you specified did not match the calculated checksum.")


# --- S3's words for a credential it does not accept (aws-behavior.md §2.5) ----------------------


class InvalidAccessKeyId(errors.AwsError):
    code = "InvalidAccessKeyId"
    status = 403

    def __init__(self, access_key_id: str) -> None:
        super().__init__(
            "The AWS Access Key Id you provided does not exist in our records.",
            extra=(("AWSAccessKeyId", access_key_id),),
        )


class InvalidToken(errors.AwsError):
    """A session token that is not one of ours (or was changed); a token for another key
    id is reported the same way, as the sealed token cannot tell the two apart."""

    code = "InvalidToken"
    status = 400

    def __init__(self) -> None:
        super().__init__("The provided token is malformed or otherwise invalid.")


class ExpiredToken(errors.AwsError):
    """S3's expired session token: 400 and its own text, where the Query services answer 403."""

    code = "ExpiredToken"
    status = 400

    def __init__(self) -> None:
        super().__init__("The provided token has expired.")
