"""The base of every error credmint answers with, and the protocol's own errors.

Every failure a client can see is an :class:`AwsError`. Each AWS error code is one small
class in the module of the domain that raises it (``sigv4/errors.py``, ``sts/errors.py``,
``iam/errors.py``, ``orgs/errors.py`` ...; the protocol's own codes below): the class
carries the code and the HTTP status, and its constructor words the message from the
values it takes, so a call site says *what* went wrong and never how AWS words it.
Extra members (S3's ``BucketName``/``Key`` elements, Organizations' ``Reason``) and the
headers some S3 answers carry are passed as ``extra``/``headers``. A caller that must
tell one error from another catches its class, never compares code strings.

They are raised anywhere on the request path and rendered once per protocol, at the
edge: ``wire.xml.render_error`` (Query XML), ``wire.json_protocol.encode_error`` (JSON
1.1) and ``wire.s3.render_s3_error`` (S3 REST XML) render any of them. Messages never
carry a secret.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Namespace AWS uses for protocol-level faults such as ``InvalidAction``.
AWS_FAULT_NAMESPACE = "http://webservices.amazon.com/AWSFault/2005-15-09"


class AwsError(Exception):
    """One error, in AWS's terms: a subclass per code sets ``code`` and ``status``."""

    code: str = "InternalFailure"
    status: int = 500
    #: Overrides the service namespace of a Query ``<ErrorResponse>`` (``InvalidAction``).
    namespace: str | None = None
    #: Some front-end errors are sent with no body at all (413, malformed URLs, 304).
    empty_body: bool = False

    def __init__(
        self,
        message: str | None = None,
        *,
        extra: Iterable[tuple[str, str]] = (),
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        super().__init__(self.code, message)
        self.message = message
        #: Extra members, in order: child elements of S3's ``<Error>`` (``AWSAccessKeyId``,
        #: ``BucketName`` ...), members of a JSON error (``Reason``). Query services ignore them.
        self.extra: tuple[tuple[str, str], ...] = tuple(extra)
        #: Response headers S3 sends with the error (a 304's ``ETag`` and ``Last-Modified``,
        #: ``x-amz-delete-marker`` on a read that meets a delete marker, ``Allow`` on a 405).
        self.headers: tuple[tuple[str, str], ...] = tuple(headers)

    @property
    def fault(self) -> str:
        return "Receiver" if self.status >= 500 else "Sender"

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


class CodedError(AwsError):
    """An error whose code is chosen at run time: the catalogue functions below that no
    domain module has taken over yet (S3's) build these."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        status: int = 400,
        extra: Iterable[tuple[str, str]] = (),
        *,
        headers: Iterable[tuple[str, str]] = (),
        empty_body: bool = False,
    ) -> None:
        self.code = code
        self.status = status
        self.empty_body = empty_body
        super().__init__(message, extra=extra, headers=headers)


# --- the protocol's own errors, common to every service ----------------------------------


class InvalidAction(AwsError):
    code = "InvalidAction"
    status = 400
    namespace = AWS_FAULT_NAMESPACE

    def __init__(self, action: str, version: str | None) -> None:
        shown = version if version is not None else "NO_VERSION_SPECIFIED"
        super().__init__(f"Could not find operation {action} for version {shown}")


class ValidationError(AwsError):
    """A parameter that does not satisfy the model (the message names it and the
    constraint, as ``wire.query`` words it) or a service's own rule (its domain module
    words it, in a subclass)."""

    code = "ValidationError"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)


class MalformedInput(AwsError):
    """A Query value that does not parse as its model type."""

    code = "MalformedInput"
    status = 400

    def __init__(self, *, missing_decimal: bool = False) -> None:
        super().__init__("missing value for decimal type" if missing_decimal else None)


class MissingParameter(AwsError):
    code = "MissingParameter"
    status = 400

    def __init__(self, name: str) -> None:
        super().__init__(f"The request must contain the parameter {name}")


class MalformedQueryString(AwsError):
    """A %-escape in the query string or form body that does not decode."""

    code = "MalformedQueryString"
    status = 400

    def __init__(self, escape: str) -> None:
        """``escape``: the ``%`` and what follows it, up to two characters."""
        if len(escape) < 3:
            super().__init__("Incomplete trailing escape % sequence")
        else:
            super().__init__(f"Illegal hex character in escape % pattern: {escape}")


class SerializationException(AwsError):
    """A JSON-protocol body that is not JSON or does not match the model's types."""

    code = "SerializationException"
    status = 400


class RequestEntityTooLarge(AwsError):
    code = "RequestEntityTooLarge"
    status = 413
    empty_body = True


class RequestTimeout(AwsError):
    """A request head or body that did not arrive in time (S3's code and wording)."""

    code = "RequestTimeout"
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "Your socket connection to the server was not read from or written to within the timeout period. "
            "Idle connections will be closed."
        )


class RequestHeaderSectionTooLarge(AwsError):
    code = "RequestHeaderSectionTooLarge"
    status = 400

    def __init__(self) -> None:
        super().__init__("Your request header section exceeds the maximum allowed size.")


class UnparsableRequest(AwsError):
    """Bytes on a connection that are not an HTTP/1.1 request (S3's code and wording for a
    request it cannot parse; for a malformed request line or head the exact text S3 sends
    is unconfirmed)."""

    code = "BadRequest"
    status = 400

    def __init__(self) -> None:
        super().__init__("An error occurred when parsing the HTTP request.")


class InternalFailure(AwsError):
    code = "InternalFailure"
    status = 500

    def __init__(self) -> None:
        super().__init__("The request processing has failed because of an unknown error, exception or failure.")


class ServiceUnavailable(AwsError):
    """The store could not be reached in time. AWS's wording for this case is not
    documented; this is the message its services give for ``ServiceUnavailable``, the
    code every SDK retries with backoff (S3 and the Query and JSON protocols alike)."""

    code = "ServiceUnavailable"
    status = 503

    def __init__(self) -> None:
        super().__init__("The request has failed due to a temporary failure of the server.")


class UnknownOperation(AwsError):
    """A Query service reached at a path other than ``/``: the Query body is this bare
    element, with no ``<ErrorResponse>`` around it."""

    code = "UnknownOperationException"
    status = 404

    def __init__(self, *, unknown_target: bool = False) -> None:
        super().__init__()
        if unknown_target:
            # A JSON-protocol X-Amz-Target the service does not have: 400, where a wrong
            # path or method is 404.
            self.status = 400


# --- authentication and authorization, common to the Query and JSON services ----------------


class MissingAuthenticationToken(AwsError):
    code = "MissingAuthenticationToken"
    status = 403

    def __init__(self) -> None:
        super().__init__("Request is missing Authentication Token")


class InvalidClientTokenId(AwsError):
    code = "InvalidClientTokenId"
    status = 403

    def __init__(self, *, period: bool = True) -> None:
        # STS ends this message with a period, IAM does not (both observed).
        super().__init__("The security token included in the request is invalid" + ("." if period else ""))


class ExpiredToken(AwsError):
    code = "ExpiredToken"
    status = 403

    def __init__(self) -> None:
        super().__init__("The security token included in the request is expired")


class AccessDenied(AwsError):
    """A refusal. The authorizer words its denials (``access.messages``); each domain
    words its own refusals in a subclass, so one ``except AccessDenied`` catches them all."""

    code = "AccessDenied"
    status = 403

    def __init__(self, message: str, *, extra: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(message, extra=extra)


class MalformedPolicyDocument(AwsError):
    """A policy document refused: the policy engine words its grammar's answers
    (``policy.messages``), IAM and STS their own checks in a subclass."""

    code = "MalformedPolicyDocument"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)


# --- S3 ---------------------------------------------------------------------------------


def s3_slow_down() -> AwsError:
    return CodedError("SlowDown", "Please reduce your request rate.", 503)


def s3_internal_error() -> AwsError:
    """S3's answer to a failure on the server's side (its documented InternalError)."""
    return CodedError("InternalError", "We encountered an internal error. Please try again.", 500)


def s3_error(code: str, message: str, status: int, *extra: tuple[str, str]) -> AwsError:
    return CodedError(code, message, status, extra=tuple(extra))


# --- wire -------------------------------------------------------------------------------


def s3_invalid_uri() -> AwsError:
    """An S3 request path whose %-escapes do not decode."""
    return CodedError("InvalidURI", "Couldn't parse the specified URI.", 400)


# --- S3 checks shared with the signature (sigv4/errors.py has the signature's own) ----------


def s3_invalid_argument(message: str, name: str, value: str) -> AwsError:
    return CodedError("InvalidArgument", message, 400, extra=(("ArgumentName", name), ("ArgumentValue", value)))


def s3_malformed_trailer() -> AwsError:
    return CodedError(
        "MalformedTrailerError",
        "The request contained trailing data that was not well-formed or did not conform to our published schema.",
        400,
    )


def s3_invalid_checksum_value(name: str, trailing: bool) -> AwsError:
    where = "trailing header" if trailing else "header"
    return CodedError("InvalidRequest", f"Value for {name} {where} is invalid.", 400)


def s3_bad_digest(algorithm_label: str) -> AwsError:
    return CodedError("BadDigest", f"The {algorithm_label} you specified did not match the calculated checksum.", 400)


# --- S3 operations (issue 7) --------------------------------------------------------------


def s3_access_denied(message: str = "Access Denied") -> AwsError:
    return CodedError("AccessDenied", message, 403)


def s3_no_such_bucket(bucket: str) -> AwsError:
    return CodedError("NoSuchBucket", "The specified bucket does not exist", 404, extra=(("BucketName", bucket),))


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
        return CodedError(err.code, err.message, err.status, err.extra, headers=(*marker, ("Allow", "DELETE")))
    err = s3_no_such_key(key)
    return CodedError(err.code, err.message, err.status, err.extra, headers=marker)


def s3_no_such_key(key: str) -> AwsError:
    return CodedError("NoSuchKey", "The specified key does not exist.", 404, extra=(("Key", key),))


def s3_invalid_bucket_name(bucket: str) -> AwsError:
    return CodedError("InvalidBucketName", "The specified bucket is not valid.", 400, extra=(("BucketName", bucket),))


def s3_bucket_already_exists(bucket: str) -> AwsError:
    return CodedError(
        "BucketAlreadyExists",
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. "
        "Please select a different name and try again.",
        409,
        extra=(("BucketName", bucket),),
    )


def s3_bucket_already_owned_by_you(bucket: str) -> AwsError:
    return CodedError(
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
        409,
        extra=(("BucketName", bucket),),
    )


def s3_bucket_not_empty(bucket: str) -> AwsError:
    return CodedError(
        "BucketNotEmpty", "The bucket you tried to delete is not empty", 409, extra=(("BucketName", bucket),)
    )


def s3_invalid_location_constraint(value: str) -> AwsError:
    return CodedError(
        "InvalidLocationConstraint",
        "The specified location-constraint is not valid",
        400,
        extra=(("LocationConstraint", value),),
    )


def s3_illegal_location_constraint(value: str | None) -> AwsError:
    name = value if value else "unspecified"
    return CodedError(
        "IllegalLocationConstraintException",
        f"The {name} location constraint is incompatible for the region specific endpoint this request was sent to.",
        400,
    )


def s3_malformed_xml() -> AwsError:
    return CodedError(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
        400,
    )


def s3_invalid_request(message: str) -> AwsError:
    return CodedError("InvalidRequest", message, 400)


def s3_method_not_allowed(method: str, resource_type: str) -> AwsError:
    return CodedError(
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        405,
        extra=(("Method", method), ("ResourceType", resource_type)),
    )


def s3_not_implemented(
    message: str = "A header you provided implies functionality that is not implemented.",
) -> AwsError:
    return CodedError("NotImplemented", message, 501)


def s3_key_too_long(size: int) -> AwsError:
    return CodedError(
        "KeyTooLongError", "Your key is too long", 400, extra=(("MaxSizeAllowed", "1024"), ("Size", str(size)))
    )


def s3_entity_too_large(proposed: int, maximum: int) -> AwsError:
    return CodedError(
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed object size.",
        400,
        extra=(("ProposedSize", str(proposed)), ("MaxSizeAllowed", str(maximum))),
    )


def s3_entity_too_small(proposed: int, minimum: int, part_number: int, etag: str) -> AwsError:
    return CodedError(
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
    return CodedError(
        "InvalidRange",
        "The requested range is not satisfiable",
        416,
        extra=(("RangeRequested", requested), ("ActualObjectSize", str(size))),
    )


def s3_precondition_failed(condition: str) -> AwsError:
    return CodedError(
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
    return CodedError("NotModified", None, 304, empty_body=True, headers=headers)


def s3_invalid_digest() -> AwsError:
    return CodedError("InvalidDigest", "The Content-MD5 you specified was not valid.", 400)


def s3_bad_content_md5(expected: str, calculated: str) -> AwsError:
    return CodedError(
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
        400,
        extra=(("ExpectedDigest", expected), ("CalculatedDigest", calculated)),
    )


def s3_no_such_upload(upload_id: str) -> AwsError:
    return CodedError(
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted "
        "or completed.",
        404,
        extra=(("UploadId", upload_id),),
    )


def s3_invalid_part(upload_id: str, part_number: int, etag: str) -> AwsError:
    return CodedError(
        "InvalidPart",
        "One or more of the specified parts could not be found.  The part may not have been uploaded, "
        "or the specified entity tag may not have matched the part's entity tag.",
        400,
        extra=(("UploadId", upload_id), ("PartNumber", str(part_number)), ("ETag", etag)),
    )


def s3_invalid_part_order() -> AwsError:
    return CodedError(
        "InvalidPartOrder",
        "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
        400,
    )


def s3_no_such_bucket_policy(bucket: str) -> AwsError:
    return CodedError("NoSuchBucketPolicy", "The bucket policy does not exist", 404, extra=(("BucketName", bucket),))


def s3_malformed_policy(message: str) -> AwsError:
    return CodedError("MalformedPolicy", message, 400)


# --- S3 bucket and object sub-resources -------------------------------------------------------


def s3_invalid_tag(message: str) -> AwsError:
    return CodedError("InvalidTag", message, 400)


def s3_bad_request(message: str) -> AwsError:
    return CodedError("BadRequest", message, 400)


def s3_malformed_acl() -> AwsError:
    return CodedError(
        "MalformedACLError",
        "The XML you provided was not well-formed or did not validate against our published schema",
        400,
    )


def s3_acl_not_supported() -> AwsError:
    """Setting an ACL on a bucket whose ObjectOwnership is BucketOwnerEnforced (every new bucket)."""
    return CodedError("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)


def s3_invalid_bucket_acl_with_object_ownership() -> AwsError:
    """CreateBucket with an ACL granting beyond the owner, for a bucket created BucketOwnerEnforced."""
    return CodedError(
        "InvalidBucketAclWithObjectOwnership",
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
        400,
    )


def _bucket_404(code: str, message: str, bucket: str) -> AwsError:
    return CodedError(code, message, 404, extra=(("BucketName", bucket),))


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
