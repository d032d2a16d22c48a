"""The typed catalogue of errors credmint answers with.

Every failure a client can see is an :class:`AwsError`: a code, an HTTP status, a
fault side and an optional message, exactly as AWS sends them. They are raised
anywhere on the request path and rendered once, at the edge, by ``wire`` (Query
XML for STS/IAM, the bare ``<Error>`` document for S3). Messages never carry a
secret.

The constructors below are the catalogue: call sites say *what* went wrong and
the catalogue says how AWS words it, so the wording lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Namespace AWS uses for protocol-level faults such as ``InvalidAction``.
AWS_FAULT_NAMESPACE = "http://webservices.amazon.com/AWSFault/2005-15-09"


@dataclass(eq=False)
class AwsError(Exception):
    """One error, in AWS's terms."""

    code: str
    message: str | None = None
    status: int = 400
    #: Extra child elements of S3's ``<Error>`` (``AWSAccessKeyId``, ``StringToSign`` ...),
    #: in order. Query services ignore them.
    extra: tuple[tuple[str, str], ...] = field(default=())
    #: Overrides the service namespace of a Query ``<ErrorResponse>`` (``InvalidAction``).
    namespace: str | None = None
    #: Some front-end errors are sent with no body at all (413, malformed URLs).
    empty_body: bool = False
    #: Response headers S3 sends with the error (a 304's ``ETag`` and ``Last-Modified``,
    #: ``x-amz-delete-marker`` on a read that meets a delete marker, ``Allow`` on a 405).
    headers: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        super().__init__(self.code, self.message)

    @property
    def fault(self) -> str:
        return "Receiver" if self.status >= 500 else "Sender"

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


# --- protocol ---------------------------------------------------------------------------


def invalid_action(action: str, version: str | None) -> AwsError:
    return AwsError(
        "InvalidAction",
        f"Could not find operation {action} for version {version if version is not None else 'NO_VERSION_SPECIFIED'}",
        400,
        namespace=AWS_FAULT_NAMESPACE,
    )


def validation_error(message: str) -> AwsError:
    return AwsError("ValidationError", message, 400)


def malformed_input(message: str | None = None) -> AwsError:
    return AwsError("MalformedInput", message, 400)


def missing_parameter(name: str) -> AwsError:
    return AwsError("MissingParameter", f"The request must contain the parameter {name}", 400)


def payload_too_large() -> AwsError:
    return AwsError("RequestEntityTooLarge", None, 413, empty_body=True)


def throttling() -> AwsError:
    """STS's answer to a caller over its request rate; the SDKs retry it with backoff."""
    return AwsError("Throttling", "Rate exceeded", 400)


def internal_failure() -> AwsError:
    return AwsError(
        "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", 500
    )


def service_unavailable() -> AwsError:
    """The store could not be reached in time. AWS's wording for this case is not
    documented; this is the message its services give for ``ServiceUnavailable``, the
    code every SDK retries with backoff (S3 and the Query and JSON protocols alike)."""
    return AwsError("ServiceUnavailable", "The request has failed due to a temporary failure of the server.", 503)


def unknown_operation() -> AwsError:
    """A Query service reached at a path other than ``/``."""
    return AwsError("UnknownOperationException", None, 404)


# --- authentication (Query services) ----------------------------------------------------


def missing_authentication_token() -> AwsError:
    return AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)


def incomplete_signature(message: str) -> AwsError:
    return AwsError("IncompleteSignature", message, 400)


def signature_does_not_match(message: str | None = None) -> AwsError:
    return AwsError(
        "SignatureDoesNotMatch",
        message
        if message is not None
        else "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        403,
    )


def invalid_client_token_id(period: bool = True) -> AwsError:
    # STS ends this message with a period, IAM does not (both observed).
    text = "The security token included in the request is invalid"
    return AwsError("InvalidClientTokenId", text + ("." if period else ""), 403)


def expired_token() -> AwsError:
    return AwsError("ExpiredToken", "The security token included in the request is expired", 403)


def access_denied(message: str) -> AwsError:
    return AwsError("AccessDenied", message, 403)


# --- IAM entity errors ------------------------------------------------------------------


def no_such_entity(message: str) -> AwsError:
    return AwsError("NoSuchEntity", message, 404)


def entity_already_exists(message: str) -> AwsError:
    return AwsError("EntityAlreadyExists", message, 409)


def delete_conflict(message: str) -> AwsError:
    return AwsError("DeleteConflict", message, 409)


def limit_exceeded(message: str) -> AwsError:
    return AwsError("LimitExceeded", message, 409)


def password_policy_violation(message: str) -> AwsError:
    return AwsError("PasswordPolicyViolation", message, 400)


def invalid_input(message: str) -> AwsError:
    return AwsError("InvalidInput", message, 400)


def invalid_authorization_message() -> AwsError:
    # AWS's text for a message that does not decode is not documented; this one
    # says no more than that (not whether it was forged, expired or another account's).
    return AwsError("InvalidAuthorizationMessageException", "The message is invalid.", 400)


def malformed_policy_document(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocument", message, 400)


def invalid_authentication_code(message: str = "Authentication code for device is not valid.") -> AwsError:
    return AwsError("InvalidAuthenticationCode", message, 403)


# --- S3 ---------------------------------------------------------------------------------


def request_timeout() -> AwsError:
    """A request head or body that did not arrive in time (S3's code and wording)."""
    return AwsError(
        "RequestTimeout",
        "Your socket connection to the server was not read from or written to within the timeout period. "
        "Idle connections will be closed.",
        400,
    )


def request_header_section_too_large() -> AwsError:
    return AwsError(
        "RequestHeaderSectionTooLarge", "Your request header section exceeds the maximum allowed size.", 400
    )


def s3_slow_down() -> AwsError:
    return AwsError("SlowDown", "Please reduce your request rate.", 503)


def s3_internal_error() -> AwsError:
    """S3's answer to a failure on the server's side (its documented InternalError)."""
    return AwsError("InternalError", "We encountered an internal error. Please try again.", 500)


def s3_error(code: str, message: str, status: int, *extra: tuple[str, str]) -> AwsError:
    return AwsError(code, message, status, extra=tuple(extra))


# --- wire -------------------------------------------------------------------------------


def malformed_query_string(message: str) -> AwsError:
    """A %-escape in the query string or form body that does not decode (§2.4 step 2)."""
    return AwsError("MalformedQueryString", message, 400)


def s3_invalid_uri() -> AwsError:
    """An S3 request path whose %-escapes do not decode."""
    return AwsError("InvalidURI", "Couldn't parse the specified URI.", 400)


# --- sigv4 ------------------------------------------------------------------------------
# Messages marked "unconfirmed" are the best available wording (emulators, SDK issue
# threads, memory of AWS responses); the rest are quoted from observed AWS responses.

_S3_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
)


def signature_does_not_match_bare() -> AwsError:
    """Both an ``Authorization`` header and ``X-Amz-Algorithm``: AWS answers with no message."""
    return AwsError("SignatureDoesNotMatch", None, 403)


def _hex_bytes(text: str) -> str:
    return " ".join(f"{b:02x}" for b in text.encode("utf-8"))


def s3_signature_does_not_match(
    access_key_id: str, string_to_sign: str, signature: str, canonical_request: str
) -> AwsError:
    return _s3_signature_mismatch(
        access_key_id,
        string_to_sign,
        signature,
        ("CanonicalRequest", canonical_request),
        ("CanonicalRequestBytes", _hex_bytes(canonical_request)),
    )


def s3_signature_does_not_match_v2(access_key_id: str, string_to_sign: str, signature: str) -> AwsError:
    # SigV2 has no canonical request, so S3 sends only the string-to-sign elements.
    return _s3_signature_mismatch(access_key_id, string_to_sign, signature)


def _s3_signature_mismatch(access_key_id: str, string_to_sign: str, signature: str, *more: tuple[str, str]) -> AwsError:
    return AwsError(
        "SignatureDoesNotMatch",
        _S3_SIGNATURE_MISMATCH,
        403,
        extra=(
            ("AWSAccessKeyId", access_key_id),
            ("StringToSign", string_to_sign),
            ("SignatureProvided", signature),
            ("StringToSignBytes", _hex_bytes(string_to_sign)),
            *more,
        ),
    )


def s3_only_one_auth_mechanism(name: str, value: str) -> AwsError:
    return s3_invalid_argument(
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
        "Signature query string parameter or the Authorization header should be specified",
        name,
        value,
    )


def s3_v2_authorization_header_invalid(authorization: str) -> AwsError:
    # Two spaces after "invalid." as S3 sends it.
    return s3_invalid_argument(
        "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature", "Authorization", authorization
    )


def s3_v2_query_parameters_missing() -> AwsError:
    return AwsError(
        "AccessDenied",
        "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
        403,
    )


def s3_v2_invalid_expires(value: str) -> AwsError:
    # A non-numeric SigV2 ``Expires`` (unconfirmed wording).
    return AwsError("AccessDenied", f"Invalid date (should be seconds since epoch): {value}", 403)


def s3_request_expired_v2(expires_at: str, server_time: str) -> AwsError:
    # SigV2 URLs carry an absolute Expires, so there is no X-Amz-Expires element.
    return AwsError(
        "AccessDenied",
        "Request has expired",
        403,
        extra=(("Expires", expires_at), ("ServerTime", server_time)),
    )


def s3_chunk_signature_does_not_match() -> AwsError:
    # A bad aws-chunked chunk or trailer signature; S3 sends the plain S3 message (unconfirmed extras).
    return AwsError("SignatureDoesNotMatch", _S3_SIGNATURE_MISMATCH, 403)


def s3_invalid_argument(message: str, name: str, value: str) -> AwsError:
    return AwsError("InvalidArgument", message, 400, extra=(("ArgumentName", name), ("ArgumentValue", value)))


def s3_authorization_header_malformed(message: str, *extra: tuple[str, str]) -> AwsError:
    return AwsError(
        "AuthorizationHeaderMalformed",
        "The authorization header is malformed; " + message,
        400,
        extra=tuple(extra),
    )


def s3_authorization_query_parameters_error(message: str, *extra: tuple[str, str]) -> AwsError:
    return AwsError("AuthorizationQueryParametersError", message, 400, extra=tuple(extra))


def s3_missing_date() -> AwsError:
    return AwsError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", 403)


def s3_request_time_too_skewed(request_time: str, server_time: str) -> AwsError:
    return AwsError(
        "RequestTimeTooSkewed",
        "The difference between the request time and the current time is too large.",
        403,
        extra=(
            ("RequestTime", request_time),
            ("ServerTime", server_time),
            ("MaxAllowedSkewMilliseconds", "900000"),
        ),
    )


def s3_request_expired(expires_seconds: str, expires_at: str, server_time: str) -> AwsError:
    return AwsError(
        "AccessDenied",
        "Request has expired",
        403,
        extra=(("X-Amz-Expires", expires_seconds), ("Expires", expires_at), ("ServerTime", server_time)),
    )


def s3_request_not_yet_valid() -> AwsError:
    # A presigned URL dated in the future (unconfirmed wording).
    return AwsError("AccessDenied", "Request is not valid yet", 403)


def s3_headers_not_signed(names: str) -> AwsError:
    return AwsError(
        "AccessDenied",
        "There were headers present in the request which were not signed",
        403,
        extra=(("HeadersNotSigned", names),),
    )


def s3_missing_content_sha256() -> AwsError:
    return AwsError("InvalidRequest", "Missing required header for this request: x-amz-content-sha256", 400)


def s3_content_sha256_mismatch(client_value: str, computed: str) -> AwsError:
    return AwsError(
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        400,
        extra=(("ClientComputedContentSHA256", client_value), ("S3ComputedContentSHA256", computed)),
    )


def s3_incomplete_body() -> AwsError:
    return AwsError(
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header",
        400,
    )


def s3_missing_decoded_content_length() -> AwsError:
    # aws-chunked without x-amz-decoded-content-length (unconfirmed: S3 may word it differently).
    return AwsError("MissingContentLength", "You must provide the Content-Length HTTP header.", 411)


def s3_invalid_chunk_size(chunk_number: int, size: int) -> AwsError:
    return AwsError(
        "InvalidChunkSizeError",
        "Only the last chunk is allowed to have a size less than 8192 bytes",
        400,
        extra=(("Chunk", str(chunk_number)), ("BadChunkSize", str(size))),
    )


def s3_malformed_trailer() -> AwsError:
    return AwsError(
        "MalformedTrailerError",
        "The request contained trailing data that was not well-formed or did not conform to our published schema.",
        400,
    )


def s3_invalid_checksum_value(name: str, trailing: bool) -> AwsError:
    where = "trailing header" if trailing else "header"
    return AwsError("InvalidRequest", f"Value for {name} {where} is invalid.", 400)


def s3_bad_digest(algorithm_label: str) -> AwsError:
    return AwsError("BadDigest", f"The {algorithm_label} you specified did not match the calculated checksum.", 400)


# --- S3 operations (issue 7) --------------------------------------------------------------


def s3_access_denied(message: str = "Access Denied") -> AwsError:
    return AwsError("AccessDenied", message, 403)


def s3_no_such_bucket(bucket: str) -> AwsError:
    return AwsError("NoSuchBucket", "The specified bucket does not exist", 404, extra=(("BucketName", bucket),))


def s3_no_such_version(key: str, version_id: str) -> AwsError:
    return s3_error(
        "NoSuchVersion",
        "The specified version does not exist.",
        404,
        ("Key", key),
        ("VersionId", version_id),
    )


def s3_delete_marker_read(key: str, version_id: str, *, by_version: bool, method: str = "GET") -> AwsError:
    """A read that meets a delete marker: 404 NoSuchKey for the key's current version, 405
    for a marker named by its version id (S3 user guide, "Working with delete markers")."""
    marker = (("x-amz-delete-marker", "true"), ("x-amz-version-id", version_id))
    if by_version:
        err = s3_error(
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            405,
            ("Method", method),
            ("ResourceType", "DeleteMarker"),
        )
        return AwsError(err.code, err.message, err.status, err.extra, headers=(*marker, ("Allow", "DELETE")))
    err = s3_no_such_key(key)
    return AwsError(err.code, err.message, err.status, err.extra, headers=marker)


def s3_no_such_key(key: str) -> AwsError:
    return AwsError("NoSuchKey", "The specified key does not exist.", 404, extra=(("Key", key),))


def s3_invalid_bucket_name(bucket: str) -> AwsError:
    return AwsError("InvalidBucketName", "The specified bucket is not valid.", 400, extra=(("BucketName", bucket),))


def s3_bucket_already_exists(bucket: str) -> AwsError:
    return AwsError(
        "BucketAlreadyExists",
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. "
        "Please select a different name and try again.",
        409,
        extra=(("BucketName", bucket),),
    )


def s3_bucket_already_owned_by_you(bucket: str) -> AwsError:
    return AwsError(
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
        409,
        extra=(("BucketName", bucket),),
    )


def s3_bucket_not_empty(bucket: str) -> AwsError:
    return AwsError(
        "BucketNotEmpty", "The bucket you tried to delete is not empty", 409, extra=(("BucketName", bucket),)
    )


def s3_invalid_location_constraint(value: str) -> AwsError:
    return AwsError(
        "InvalidLocationConstraint",
        "The specified location-constraint is not valid",
        400,
        extra=(("LocationConstraint", value),),
    )


def s3_illegal_location_constraint(value: str | None) -> AwsError:
    name = value if value else "unspecified"
    return AwsError(
        "IllegalLocationConstraintException",
        f"The {name} location constraint is incompatible for the region specific endpoint this request was sent to.",
        400,
    )


def s3_malformed_xml() -> AwsError:
    return AwsError(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
        400,
    )


def s3_invalid_request(message: str) -> AwsError:
    return AwsError("InvalidRequest", message, 400)


def s3_method_not_allowed(method: str, resource_type: str) -> AwsError:
    return AwsError(
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        405,
        extra=(("Method", method), ("ResourceType", resource_type)),
    )


def s3_not_implemented(
    message: str = "A header you provided implies functionality that is not implemented.",
) -> AwsError:
    return AwsError("NotImplemented", message, 501)


def s3_key_too_long(size: int) -> AwsError:
    return AwsError(
        "KeyTooLongError", "Your key is too long", 400, extra=(("MaxSizeAllowed", "1024"), ("Size", str(size)))
    )


def s3_entity_too_large(proposed: int, maximum: int) -> AwsError:
    return AwsError(
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed object size.",
        400,
        extra=(("ProposedSize", str(proposed)), ("MaxSizeAllowed", str(maximum))),
    )


def s3_entity_too_small(proposed: int, minimum: int, part_number: int, etag: str) -> AwsError:
    return AwsError(
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed object size.",
        400,
        extra=(
            ("ProposedSize", str(proposed)),
            ("MinSizeAllowed", str(minimum)),
            ("PartNumber", str(part_number)),
            ("ETag", etag),
        ),
    )


def s3_invalid_range(requested: str, size: int) -> AwsError:
    return AwsError(
        "InvalidRange",
        "The requested range is not satisfiable",
        416,
        extra=(("RangeRequested", requested), ("ActualObjectSize", str(size))),
    )


def s3_precondition_failed(condition: str) -> AwsError:
    return AwsError(
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        412,
        extra=(("Condition", condition),),
    )


def s3_not_modified(etag: str | None = None, last_modified: str | None = None) -> AwsError:
    """304, with the object's ``ETag`` and ``Last-Modified`` as S3 (and RFC 9110 §15.4.5) send
    them: a cache revalidating its copy reads the validators from the 304."""
    headers: tuple[tuple[str, str], ...] = (("ETag", etag),) if etag is not None else ()
    if last_modified is not None:
        headers += (("Last-Modified", last_modified),)
    return AwsError("NotModified", None, 304, empty_body=True, headers=headers)


def s3_invalid_digest() -> AwsError:
    return AwsError("InvalidDigest", "The Content-MD5 you specified was not valid.", 400)


def s3_bad_content_md5(expected: str, calculated: str) -> AwsError:
    return AwsError(
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
        400,
        extra=(("ExpectedDigest", expected), ("CalculatedDigest", calculated)),
    )


def s3_no_such_upload(upload_id: str) -> AwsError:
    return AwsError(
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted "
        "or completed.",
        404,
        extra=(("UploadId", upload_id),),
    )


def s3_invalid_part(upload_id: str, part_number: int, etag: str) -> AwsError:
    return AwsError(
        "InvalidPart",
        "One or more of the specified parts could not be found.  The part may not have been uploaded, "
        "or the specified entity tag may not have matched the part's entity tag.",
        400,
        extra=(("UploadId", upload_id), ("PartNumber", str(part_number)), ("ETag", etag)),
    )


def s3_invalid_part_order() -> AwsError:
    return AwsError(
        "InvalidPartOrder",
        "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
        400,
    )


def s3_no_such_bucket_policy(bucket: str) -> AwsError:
    return AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404, extra=(("BucketName", bucket),))


def s3_malformed_policy(message: str) -> AwsError:
    return AwsError("MalformedPolicy", message, 400)


# --- S3 bucket and object sub-resources -------------------------------------------------------


def s3_invalid_tag(message: str) -> AwsError:
    return AwsError("InvalidTag", message, 400)


def s3_bad_request(message: str) -> AwsError:
    return AwsError("BadRequest", message, 400)


def s3_malformed_acl() -> AwsError:
    return AwsError(
        "MalformedACLError",
        "The XML you provided was not well-formed or did not validate against our published schema",
        400,
    )


def s3_acl_not_supported() -> AwsError:
    """Setting an ACL on a bucket whose ObjectOwnership is BucketOwnerEnforced (every new bucket)."""
    return AwsError("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)


def s3_invalid_bucket_acl_with_object_ownership() -> AwsError:
    """CreateBucket with an ACL granting beyond the owner, for a bucket created BucketOwnerEnforced."""
    return AwsError(
        "InvalidBucketAclWithObjectOwnership",
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
        400,
    )


def _bucket_404(code: str, message: str, bucket: str) -> AwsError:
    return AwsError(code, message, 404, extra=(("BucketName", bucket),))


def s3_no_such_tag_set(bucket: str) -> AwsError:
    return _bucket_404("NoSuchTagSet", "The TagSet does not exist", bucket)


def s3_no_such_cors_configuration(bucket: str) -> AwsError:
    return _bucket_404("NoSuchCORSConfiguration", "The CORS configuration does not exist", bucket)


def s3_no_such_website_configuration(bucket: str) -> AwsError:
    return _bucket_404(
        "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration", bucket
    )


def s3_no_such_lifecycle_configuration(bucket: str) -> AwsError:
    return _bucket_404("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", bucket)


def s3_replication_configuration_not_found(bucket: str) -> AwsError:
    return _bucket_404("ReplicationConfigurationNotFoundError", "The replication configuration was not found", bucket)


def s3_object_lock_configuration_not_found(bucket: str) -> AwsError:
    return _bucket_404(
        "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket", bucket
    )


def s3_no_such_public_access_block(bucket: str) -> AwsError:
    return _bucket_404(
        "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", bucket
    )


def s3_ownership_controls_not_found(bucket: str) -> AwsError:
    return _bucket_404("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", bucket)


# --- federation (AssumeRoleWithSAML / AssumeRoleWithWebIdentity / GetWebIdentityToken) -----


def invalid_identity_token(message: str) -> AwsError:
    return AwsError("InvalidIdentityToken", message, 400)


def expired_token_exception(message: str) -> AwsError:
    """The SAML assertion or web identity token *passed as a parameter* has expired
    (not ``ExpiredToken``, which is about the caller's own session token)."""
    return AwsError("ExpiredTokenException", message, 400)


def idp_rejected_claim(message: str) -> AwsError:
    return AwsError("IDPRejectedClaim", message, 403)


def idp_communication_error(message: str) -> AwsError:
    return AwsError("IDPCommunicationError", message, 400)


def outbound_federation_disabled() -> AwsError:
    # Wording unconfirmed (the feature is new; no observed message).
    return AwsError(
        "OutboundWebIdentityFederationDisabledException",
        "Outbound web identity federation is disabled for this account.",
        403,
    )


def session_duration_escalation(message: str) -> AwsError:
    return AwsError("SessionDurationEscalationException", message, 403)


def jwt_payload_size_exceeded(message: str) -> AwsError:
    return AwsError("JWTPayloadSizeExceededException", message, 400)


def feature_enabled(message: str) -> AwsError:
    return AwsError("FeatureEnabled", message, 409)


def feature_disabled(message: str) -> AwsError:
    return AwsError("FeatureDisabled", message, 404)


# --- STS sessions (GetSessionToken, AssumeRole, GetFederationToken) ---------------------
# Texts from observed AWS answers (aws-behavior.md §3.0, §3.1, §4.1, §4.4) unless marked.


def not_authorized(caller_arn: str, action: str, resource: str) -> AwsError:
    """STS's AccessDenied for a refused AssumeRole / TagSession / SetSourceIdentity: the
    same text whether the role is missing or a policy refuses, and no "because" suffix."""
    return access_denied(f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource}")


def session_credentials_not_allowed(operation: str) -> AwsError:
    return access_denied(f"Cannot call {operation} with session credentials")


def root_cannot_assume_role() -> AwsError:
    return access_denied("Roles may not be assumed by root accounts.")


def mfa_invalid_code() -> AwsError:
    return access_denied("MultiFactorAuthentication failed with invalid MFA one time pass code.")


def mfa_locked(retry_at: str) -> AwsError:
    """A code refused unchecked: the device is in backoff or locked out after wrong codes.
    AWS's text for this case is unknown (AWS does not document MFA throttling); this says
    what happened and when to try again, with AWS's code for a refused MFA code."""
    return access_denied(
        "MultiFactorAuthentication failed: too many invalid MFA one time pass codes for this device; "
        f"the code was not checked. Try again after {retry_at}."
    )


def mfa_locked_authentication_code(retry_at: str) -> AwsError:
    """IAM's InvalidAuthenticationCode while the device is in backoff or locked out
    (wording ours: AWS's is unknown)."""
    return invalid_authentication_code(
        "Authentication code for device was not checked: too many invalid codes for this device. "
        f"Try again after {retry_at}."
    )


def mfa_unknown_serial() -> AwsError:
    # Two spaces after "code." as AWS sends it.
    return access_denied(
        "MultiFactorAuthentication failed, unable to validate MFA code.  "
        "Please verify your MFA serial number is valid and associated with this user."
    )


def mfa_incomplete() -> AwsError:
    return access_denied(
        "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
    )


def duration_exceeds_role_max() -> AwsError:
    return validation_error("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")


def duration_exceeds_chaining_limit() -> AwsError:
    return validation_error(
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    )


def source_identity_already_set() -> AwsError:
    return validation_error("The source identity is already set for this assume role session")


def packed_policy_too_large(percent: int) -> AwsError:
    return AwsError("PackedPolicyTooLarge", f"Packed policy consumes {percent}% of allotted space", 400)


def invalid_parameter_value(message: str) -> AwsError:
    # Session-tag checks; code and texts as LocalStack recorded them against AWS (unconfirmed here).
    return AwsError("InvalidParameterValue", message, 400)


# --- accounts and organizations (issue 8) ----------------------------------------------------
# Organizations speaks the JSON protocol: codes are the model's exception names. Texts follow
# the model's documentation of each exception where AWS's exact wording is unconfirmed.


def org_error(code: str, message: str, reason: str | None = None, status: int = 400) -> AwsError:
    """An Organizations exception; ``reason`` fills the ``Reason`` member some of them carry."""
    return AwsError(code, message, status, extra=(("Reason", reason),) if reason else ())


def org_not_in_use() -> AwsError:
    return org_error("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")


def org_access_denied(message: str = "You don't have permissions to access this resource.") -> AwsError:
    return org_error("AccessDeniedException", message)


def org_invalid_input(message: str, reason: str) -> AwsError:
    return org_error("InvalidInputException", message, reason)


def org_constraint_violation(message: str, reason: str) -> AwsError:
    return org_error("ConstraintViolationException", message, reason)


def org_malformed_policy() -> AwsError:
    return org_error(
        "MalformedPolicyDocumentException",
        "The provided policy document doesn't meet the requirements of the specified policy type.",
    )


def iam_org_error(code: str, message: str) -> AwsError:
    """IAM's centralized-root-access exceptions (Query XML, the model's shape names as codes)."""
    return AwsError(code, message, 400)


def assume_root_with_root_credentials() -> AwsError:
    # AWS documents that root credentials cannot call AssumeRoot; its text is unconfirmed.
    return access_denied("AssumeRoot may not be called with root user credentials.")


def assume_root_global_endpoint() -> AwsError:
    # AWS documents the refusal on the global endpoint; its code and text are unconfirmed.
    return validation_error(
        "AssumeRoot is not supported on the global STS endpoint. Send the request to a Regional STS endpoint."
    )


def assume_root_task_policy(arn: str) -> AwsError:
    # Unconfirmed text; AWS accepts only the root-task managed policies.
    return validation_error(f"The TaskPolicyArn {arn} is not a valid root task policy.")


# --- CloudTrail (LookupEvents) -----------------------------------------------------------------
# AWS's exact message texts for these are unconfirmed; the codes are the model's.


def cloudtrail_invalid_lookup_attributes(message: str) -> AwsError:
    return AwsError("InvalidLookupAttributesException", message)


def cloudtrail_invalid_max_results() -> AwsError:
    return AwsError("InvalidMaxResultsException", "Value for MaxResults must be between 1 and 50.")


def cloudtrail_invalid_time_range() -> AwsError:
    return AwsError("InvalidTimeRangeException", "StartTime must be before EndTime.")


def cloudtrail_invalid_next_token() -> AwsError:
    return AwsError("InvalidNextTokenException", "Invalid NextToken.")


def cloudtrail_invalid_event_category() -> AwsError:
    return AwsError("InvalidEventCategoryException", "Invalid EventCategory.")
