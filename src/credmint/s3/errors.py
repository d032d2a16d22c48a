"""S3's errors: one class per code, the wording of each case in a named constructor.

S3 renders an error as a bare ``<Error>``: the extra members (``BucketName``, ``Key``,
``ArgumentName``/``ArgumentValue`` ...) are child elements after the message, in the order
given here, and a few errors carry response headers (a 304's validators, a delete marker's
``x-amz-delete-marker``). The codes S3 shares with the signature's checks
(``InvalidArgument``, ``InvalidRequest``, ``BadDigest``, ``SignatureDoesNotMatch``) extend
the classes of ``sigv4.errors``, so one ``except`` catches both. Texts are S3's as observed
or documented unless a comment says the wording is unconfirmed.
"""

from __future__ import annotations

from typing import ClassVar, Self

from credmint import errors
from credmint.sigv4 import errors as sigv4_errors

_MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema"
_SSE_C = "Requests specifying Server Side Encryption with Customer provided keys must "
_LARGEST_INT = 2147483647


class _BucketError(errors.AwsError):
    """An error about one bucket, named in a ``BucketName`` element."""

    text: ClassVar[str]

    def __init__(self, bucket: str) -> None:
        super().__init__(self.text, extra=(("BucketName", bucket),))


# --- access ------------------------------------------------------------------------------------


class AccessDenied(errors.AccessDenied):
    """S3's refusals; ``except errors.AccessDenied`` catches them with the authorizer's."""

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)

    @classmethod
    def refusal(cls, message: str | None) -> Self:
        """A refusal of the authorizer that is not an AccessDenied, in S3's code."""
        return cls(message or "Access Denied")

    @classmethod
    def public_policy_blocked(cls, caller: str, bucket: str) -> Self:
        return cls(
            f"User: {caller} is not authorized to perform: s3:PutBucketPolicy on resource: "
            f'"arn:aws:s3:::{bucket}" because public policies are blocked by the '
            "BlockPublicPolicy block public access setting."
        )

    @classmethod
    def object_locked(cls) -> Self:
        return cls("Access Denied because object protected by object lock.")

    @classmethod
    def post_policy(cls, reason: str) -> Self:
        """A POST upload whose form does not satisfy its policy's conditions."""
        return cls(f"Invalid according to Policy: {reason}")

    @classmethod
    def log_delivery_refused(cls, service: str) -> Self:
        """PutBucketLogging naming a target bucket whose policy does not let the logging
        service write there."""
        return cls(f"The policy of the target bucket does not allow {service} s3:PutObject on the target prefix")


class SignatureDoesNotMatch(sigv4_errors.SignatureDoesNotMatch):
    @classmethod
    def post_form(cls, access_key_id: str) -> Self:
        """A POST upload's form signature: S3 names only the access key id."""
        return cls(
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
            extra=(("AWSAccessKeyId", access_key_id),),
        )


# --- buckets -----------------------------------------------------------------------------------


class NoSuchBucket(_BucketError):
    code = "NoSuchBucket"
    status = 404
    text = "The specified bucket does not exist"


class InvalidBucketName(_BucketError):
    code = "InvalidBucketName"
    status = 400
    text = "The specified bucket is not valid."


class BucketAlreadyExists(_BucketError):
    code = "BucketAlreadyExists"
    status = 409
    text = (
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. "
        "Please select a different name and try again."
    )


class BucketAlreadyOwnedByYou(_BucketError):
    code = "BucketAlreadyOwnedByYou"
    status = 409
    text = "Your previous request to create the named bucket succeeded and you already own it."


class BucketNotEmpty(_BucketError):
    code = "BucketNotEmpty"
    status = 409
    text = "The bucket you tried to delete is not empty"


class InvalidLocationConstraint(errors.AwsError):
    code = "InvalidLocationConstraint"
    status = 400

    def __init__(self, value: str) -> None:
        super().__init__("The specified location-constraint is not valid", extra=(("LocationConstraint", value),))


class IllegalLocationConstraint(errors.AwsError):
    code = "IllegalLocationConstraintException"
    status = 400

    def __init__(self, value: str | None) -> None:
        """``value``: the constraint the request states, None when it states none."""
        name = value if value else "unspecified"
        super().__init__(
            f"The {name} location constraint is incompatible for the region specific endpoint this request was sent to."
        )


class InvalidBucketState(errors.AwsError):
    code = "InvalidBucketState"
    status = 409

    @classmethod
    def object_lock_needs_versioning(cls) -> Self:
        return cls("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")

    @classmethod
    def versioning_locked(cls) -> Self:
        return cls("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")


class NoSuchBucketPolicy(_BucketError):
    code = "NoSuchBucketPolicy"
    status = 404
    text = "The bucket policy does not exist"


class MalformedPolicy(errors.AwsError):
    code = "MalformedPolicy"
    status = 400

    @classmethod
    def not_json(cls) -> Self:
        return cls("Policies must be valid JSON and the first byte must be '{'")

    @classmethod
    def too_large(cls) -> Self:
        return cls("Policies must be no larger than 20480 bytes")

    @classmethod
    def invalid_principal(cls) -> Self:
        return cls("Invalid principal in policy")

    @classmethod
    def invalid_action(cls) -> Self:
        return cls("Policy has invalid action")

    @classmethod
    def invalid_resource(cls) -> Self:
        return cls("Policy has invalid resource")

    @classmethod
    def grammar(cls, message: str | None) -> Self:
        """A document the policy grammar refuses (``message`` is the grammar's)."""
        return cls(message or "Invalid policy")


# --- a bucket's sub-resources that are not set ---------------------------------------------------


class NoSuchTagSet(_BucketError):
    code = "NoSuchTagSet"
    status = 404
    text = "The TagSet does not exist"


class NoSuchCORSConfiguration(_BucketError):
    code = "NoSuchCORSConfiguration"
    status = 404
    text = "The CORS configuration does not exist"


class NoSuchWebsiteConfiguration(_BucketError):
    code = "NoSuchWebsiteConfiguration"
    status = 404
    text = "The specified bucket does not have a website configuration"


class NoSuchLifecycleConfiguration(_BucketError):
    code = "NoSuchLifecycleConfiguration"
    status = 404
    text = "The lifecycle configuration does not exist"


class ReplicationConfigurationNotFound(_BucketError):
    code = "ReplicationConfigurationNotFoundError"
    status = 404
    text = "The replication configuration was not found"


class ObjectLockConfigurationNotFound(_BucketError):
    code = "ObjectLockConfigurationNotFoundError"
    status = 404
    text = "Object Lock configuration does not exist for this bucket"


class NoSuchPublicAccessBlockConfiguration(_BucketError):
    code = "NoSuchPublicAccessBlockConfiguration"
    status = 404
    text = "The public access block configuration was not found"


class OwnershipControlsNotFound(_BucketError):
    code = "OwnershipControlsNotFoundError"
    status = 404
    text = "The bucket ownership controls were not found"


class NoSuchObjectLockConfiguration(errors.AwsError):
    """An object with no retention or legal hold to read."""

    code = "NoSuchObjectLockConfiguration"
    status = 404

    def __init__(self) -> None:
        super().__init__("The specified object does not have a ObjectLock configuration")


# --- objects and versions ----------------------------------------------------------------------

_DELETE_MARKER = "x-amz-delete-marker"


class NoSuchKey(errors.AwsError):
    code = "NoSuchKey"
    status = 404

    def __init__(self, key: str, *, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__("The specified key does not exist.", extra=(("Key", key),), headers=headers)

    @classmethod
    def delete_marker(cls, key: str, version_id: str) -> Self:
        """A read of a key whose current version is a delete marker (S3 user guide,
        "Working with delete markers"): the marker's headers come with the 404."""
        return cls(key, headers=((_DELETE_MARKER, "true"), ("x-amz-version-id", version_id)))


class NoSuchVersion(errors.AwsError):
    code = "NoSuchVersion"
    status = 404

    def __init__(self, key: str, version_id: str) -> None:
        super().__init__("The specified version does not exist.", extra=(("Key", key), ("VersionId", version_id)))


class MethodNotAllowed(errors.AwsError):
    code = "MethodNotAllowed"
    status = 405

    def __init__(self, method: str, resource_type: str, *, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(
            "The specified method is not allowed against this resource.",
            extra=(("Method", method), ("ResourceType", resource_type)),
            headers=headers,
        )

    @classmethod
    def delete_marker(cls, method: str, version_id: str) -> Self:
        """A read of a delete marker named by its version id: 405, with the marker's headers
        and the one method it allows."""
        return cls(
            method,
            "DeleteMarker",
            headers=((_DELETE_MARKER, "true"), ("x-amz-version-id", version_id), ("Allow", "DELETE")),
        )


class KeyTooLong(errors.AwsError):
    code = "KeyTooLongError"
    status = 400

    def __init__(self, size: int) -> None:
        super().__init__("Your key is too long", extra=(("MaxSizeAllowed", "1024"), ("Size", str(size))))


class InvalidObjectState(errors.AwsError):
    """An operation an object's storage class does not allow (s3/restore.py)."""

    code = "InvalidObjectState"
    status = 403

    @classmethod
    def not_restored(cls, storage_class: str, *, copy_source: bool = False) -> Self:
        message = (
            "Operation is not valid for the source object's storage class"
            if copy_source
            else "The operation is not valid for the object's storage class"
        )
        return cls(message, extra=(("StorageClass", storage_class),))

    @classmethod
    def restore_not_allowed(cls, storage_class: str) -> Self:
        message = "Restore is not allowed for the object's current storage class"
        return cls(message, extra=(("StorageClass", storage_class),))


class InvalidStorageClass(errors.AwsError):
    code = "InvalidStorageClass"
    status = 400

    def __init__(self, value: str) -> None:
        super().__init__("The storage class you specified is not valid", extra=(("StorageClassRequested", value),))


class MetadataTooLarge(errors.AwsError):
    code = "MetadataTooLarge"
    status = 400

    def __init__(self, size: int, maximum: int) -> None:
        super().__init__(
            "Your metadata headers exceed the maximum allowed metadata size.",
            extra=(("Size", str(size)), ("MaxSizeAllowed", str(maximum))),
        )


class EntityTooLarge(errors.AwsError):
    code = "EntityTooLarge"
    status = 400

    _TEXT: ClassVar[str] = "Your proposed upload exceeds the maximum allowed object size."

    @classmethod
    def upload(cls, proposed: int, maximum: int) -> Self:
        return cls(cls._TEXT, extra=(("ProposedSize", str(proposed)), ("MaxSizeAllowed", str(maximum))))

    @classmethod
    def body(cls) -> Self:
        """A body the front end stops reading: its size is not known, so none is named."""
        return cls(cls._TEXT)


class EntityTooSmall(errors.AwsError):
    code = "EntityTooSmall"
    status = 400

    @classmethod
    def part(cls, proposed: int, minimum: int, part_number: int, etag: str) -> Self:
        """A part other than the last that is smaller than the least part size."""
        return cls(
            "Your proposed upload is smaller than the minimum allowed object size.",
            extra=(
                ("ProposedSize", str(proposed)),
                ("MinSizeAllowed", str(minimum)),
                ("PartNumber", str(part_number)),
                ("ETag", etag),
            ),
        )

    @classmethod
    def post(cls, proposed: int, minimum: int) -> Self:
        """A POST upload below its policy's content-length-range."""
        return cls(
            "Your proposed upload is smaller than the minimum allowed size",
            extra=(("ProposedSize", str(proposed)), ("MinSizeAllowed", str(minimum))),
        )


class InvalidRange(errors.AwsError):
    code = "InvalidRange"
    status = 416

    def __init__(self, requested: str, size: int) -> None:
        super().__init__(
            "The requested range is not satisfiable",
            extra=(("RangeRequested", requested), ("ActualObjectSize", str(size))),
        )


class InvalidPartNumber(errors.AwsError):
    code = "InvalidPartNumber"
    status = 416

    def __init__(self) -> None:
        super().__init__("The requested partnumber is not satisfiable")


class PreconditionFailed(errors.AwsError):
    code = "PreconditionFailed"
    status = 412

    def __init__(self, condition: str) -> None:
        super().__init__(
            "At least one of the pre-conditions you specified did not hold", extra=(("Condition", condition),)
        )


class NotModified(errors.AwsError):
    """304, with the object's ``ETag`` and ``Last-Modified`` as S3 (and RFC 9110 §15.4.5) send
    them: a cache revalidating its copy reads the validators from the 304."""

    code = "NotModified"
    status = 304
    empty_body = True

    def __init__(self, etag: str, last_modified: str) -> None:
        super().__init__(headers=(("ETag", etag), ("Last-Modified", last_modified)))


class InvalidDigest(errors.AwsError):
    code = "InvalidDigest"
    status = 400

    def __init__(self) -> None:
        super().__init__("The Content-MD5 you specified was not valid.")


class BadDigest(sigv4_errors.BadDigest):
    @classmethod
    def content_md5(cls, expected: str, calculated: str) -> Self:
        return cls(
            "The Content-MD5 you specified did not match what we received.",
            extra=(("ExpectedDigest", expected), ("CalculatedDigest", calculated)),
        )


# --- multipart uploads -------------------------------------------------------------------------


class NoSuchUpload(errors.AwsError):
    code = "NoSuchUpload"
    status = 404

    def __init__(self, upload_id: str) -> None:
        super().__init__(
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
            "aborted or completed.",
            extra=(("UploadId", upload_id),),
        )


class InvalidPart(errors.AwsError):
    code = "InvalidPart"
    status = 400

    def __init__(self, upload_id: str, part_number: int, etag: str) -> None:
        # Two spaces after "found." as S3 sends it.
        super().__init__(
            "One or more of the specified parts could not be found.  The part may not have been uploaded, "
            "or the specified entity tag may not have matched the part's entity tag.",
            extra=(("UploadId", upload_id), ("PartNumber", str(part_number)), ("ETag", etag)),
        )


class InvalidPartOrder(errors.AwsError):
    code = "InvalidPartOrder"
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "The list of parts was not in ascending order. The parts list must be specified in order by part number."
        )


# --- request bodies, headers and arguments -----------------------------------------------------


class MalformedXML(errors.AwsError):
    code = "MalformedXML"
    status = 400

    def __init__(self) -> None:
        super().__init__(_MALFORMED_XML)


class MaxMessageLengthExceeded(errors.AwsError):
    code = "MaxMessageLengthExceeded"
    status = 400

    def __init__(self) -> None:
        super().__init__("Your request was too big.")


class MalformedACL(errors.AwsError):
    code = "MalformedACLError"
    status = 400

    def __init__(self) -> None:
        super().__init__(_MALFORMED_XML)


class UnexpectedContent(errors.AwsError):
    code = "UnexpectedContent"
    status = 400

    def __init__(self) -> None:
        super().__init__("This request does not support content")


class Unimplemented(errors.AwsError):
    """S3's ``NotImplemented`` (the class is not named for its code, which Python reserves)."""

    code = "NotImplemented"
    status = 501

    def __init__(self, message: str = "A header you provided implies functionality that is not implemented.") -> None:
        super().__init__(message)

    @classmethod
    def kms(cls) -> Self:
        return cls("Server-side encryption with AWS KMS keys is not implemented.")

    @classmethod
    def mfa_delete(cls) -> Self:
        return cls("MFA Delete is not implemented.")


class InvalidPolicyDocument(errors.AwsError):
    """A POST upload's policy document that does not parse or break its own grammar."""

    code = "InvalidPolicyDocument"
    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid Policy: {reason}")


class InvalidTag(errors.AwsError):
    code = "InvalidTag"
    status = 400

    @classmethod
    def object_tag_count(cls) -> Self:
        return cls("Object tags cannot be greater than 10")

    @classmethod
    def bucket_tag_count(cls) -> Self:
        return cls("Bucket tag count cannot be greater than 50")

    @classmethod
    def key(cls) -> Self:
        return cls("The TagKey you have provided is invalid")

    @classmethod
    def value(cls) -> Self:
        return cls("The TagValue you have provided is invalid")

    @classmethod
    def system_tags(cls) -> Self:
        return cls("System tags cannot be added/updated by requester")

    @classmethod
    def duplicate_key(cls) -> Self:
        return cls("Cannot provide multiple Tags with the same key")


class InvalidRequest(sigv4_errors.InvalidRequest):
    """S3's refusals of a request as a whole (the signature's are in ``sigv4.errors``)."""

    @classmethod
    def missing_header(cls, name: str) -> Self:
        return cls(f"Missing required header for this request: {name}")

    @classmethod
    def canned_and_grants(cls) -> Self:
        return cls("Specifying both Canned ACLs and Header Grants is not allowed")

    @classmethod
    def anonymous_response_headers(cls) -> Self:
        return cls("Request specific response headers cannot be used for anonymous GET requests.")

    # SSE with customer keys

    @classmethod
    def sse_c_insecure(cls) -> Self:
        return cls(_SSE_C + "be made over a secure connection.")

    @classmethod
    def sse_c_not_applicable(cls) -> Self:
        """Customer-key parameters on an object not stored with a customer key."""
        return cls("The encryption parameters are not applicable to this object.")

    @classmethod
    def sse_c_required(cls) -> Self:
        """A read without the customer key an object is stored with."""
        return cls(
            "The object was stored using a form of Server Side Encryption. The correct parameters must be "
            "provided to retrieve the object."
        )

    @classmethod
    def sse_c_key_mismatch(cls, *, copy_source: bool) -> Self:
        return cls(
            "The provided encryption key does not match the key used to encrypt the "
            + ("copy source." if copy_source else "object.")
        )

    @classmethod
    def upload_encryption_not_applicable(cls) -> Self:
        return cls("The encryption parameters are not applicable to this multipart upload.")

    @classmethod
    def upload_encryption_required(cls) -> Self:
        return cls(
            "The multipart upload initiate requested encryption. Subsequent part requests must include the "
            "appropriate encryption parameters."
        )

    @classmethod
    def upload_encryption_mismatch(cls) -> Self:
        return cls("The provided encryption parameters did not match the ones used originally.")

    @classmethod
    def full_object_checksum_needs_key(cls) -> Self:
        # Wording ours (unconfirmed): S3 does not document this case.
        return cls(
            "A full-object checksum of an upload encrypted with a customer key needs that key on "
            "CompleteMultipartUpload."
        )

    # checksums

    @classmethod
    def checksum_algorithm(cls) -> Self:
        return cls(
            "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
            "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"
        )

    @classmethod
    def checksum_missing(cls) -> Self:
        return cls(
            "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer "
            "headers were found."
        )

    @classmethod
    def multiple_checksums(cls) -> Self:
        return cls("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")

    @classmethod
    def checksum_type_without_algorithm(cls) -> Self:
        return cls("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")

    @classmethod
    def checksum_type_for_algorithm(cls, checksum_type: str, algorithm: str | None) -> Self:
        return cls(
            f"The {checksum_type} checksum type cannot be used with the {(algorithm or '').lower()} checksum algorithm."
        )

    @classmethod
    def checksum_type_mismatch(cls, expected: str, actual: str) -> Self:
        return cls(
            f"Checksum Type mismatch occurred, expected checksum Type: {expected.lower()}, "
            f"actual checksum Type: {actual.lower()}"
        )

    # copies

    @classmethod
    def copy_source_delete_marker(cls) -> Self:
        return cls("The source of a copy request may not specifically refer to a delete marker by version id.")

    @classmethod
    def copy_to_itself(cls) -> Self:
        return cls(
            "This copy request is illegal because it is trying to copy an object to itself without changing the "
            "object's metadata, storage class, website redirect location or encryption attributes."
        )

    @classmethod
    def copy_source_too_large(cls, maximum: int) -> Self:
        return cls(f"The specified copy source is larger than the maximum allowable size for a copy source: {maximum}")

    # Object Lock

    @classmethod
    def bucket_without_object_lock(cls) -> Self:
        return cls("Bucket is missing Object Lock Configuration")

    @classmethod
    def object_lock_needs_checksum(cls, what: str) -> Self:
        return cls(
            f"Content-MD5 OR x-amz-checksum- HTTP header is required for Put {what} requests with Object Lock "
            "parameters"
        )

    # bucket configurations

    @classmethod
    def cors_method(cls, method: str) -> Self:
        return cls(f"Found unsupported HTTP method in CORS config. Unsupported method is {method}")

    @classmethod
    def lifecycle_no_action(cls) -> Self:
        return cls("At least one action needs to be specified in a rule")

    @classmethod
    def lifecycle_abort_with_tags(cls) -> Self:
        return cls("AbortIncompleteMultipartUpload cannot be specified with Tags.")

    @classmethod
    def lifecycle_storage_class_repeated(cls, action: str) -> Self:
        return cls(f"'StorageClass' must be different for '{action}' actions in same 'Rule'")

    @classmethod
    def lifecycle_date_and_days(cls, action: str, days_name: str) -> Self:
        return cls(f"Found mixed 'Date' and '{days_name}' based {action} actions in rule")


class InvalidArgument(sigv4_errors.InvalidArgument):
    """S3's refusal of one argument, named with its value (the signature's are in
    ``sigv4.errors``)."""

    # integers, tokens and ids

    @classmethod
    def not_an_integer(cls, name: str, value: str) -> Self:
        return cls(f"Provided {name} not an integer or within integer range", name, value)

    @classmethod
    def integer_range(cls, name: str, value: str, low: int = 0, high: int = _LARGEST_INT) -> Self:
        return cls(f"Argument {name} must be an integer between {low} and {high}", name, value)

    @classmethod
    def part_number(cls, value: str) -> Self:
        return cls("Part number must be an integer between 1 and 10000, inclusive", "partNumber", value)

    @classmethod
    def continuation_token(cls, name: str, token: str) -> Self:
        return cls("The continuation token provided is incorrect", name, token)

    @classmethod
    def version_id(cls, name: str, value: str) -> Self:
        return cls("Invalid version id specified", name, value)

    @classmethod
    def version_id_marker_alone(cls, value: str) -> Self:
        return cls("A version-id marker cannot be specified without a key marker.", "version-id-marker", value)

    @classmethod
    def encoding_type(cls, value: str) -> Self:
        return cls("Invalid Encoding Method specified in Request", "encoding-type", value)

    @classmethod
    def attribute_name(cls, value: str) -> Self:
        return cls("Invalid attribute name specified.", "x-amz-object-attributes", value)

    @classmethod
    def header_value(cls, name: str, value: str) -> Self:
        # Wording unconfirmed: a response override that would break its header.
        return cls("Header value contains invalid characters.", name, value)

    # ACLs and ownership

    @classmethod
    def canned_acl(cls, value: str) -> Self:
        return cls("Invalid canned ACL", "x-amz-acl", value)

    @classmethod
    def group_uri(cls, value: str) -> Self:
        return cls("Invalid group uri", "uri", value)

    @classmethod
    def canonical_user_id(cls, value: str) -> Self:
        return cls("Invalid id", "CanonicalUser/ID", value)

    @classmethod
    def grant_header(cls, name: str, value: str) -> Self:
        return cls("Invalid grant header", name, value)

    @classmethod
    def object_ownership(cls, value: str) -> Self:
        return cls("Invalid x-amz-object-ownership header", "x-amz-object-ownership", value)

    # copies

    @classmethod
    def copy_source_key(cls, value: str) -> Self:
        return cls("Invalid copy source object key", "x-amz-copy-source", value)

    @classmethod
    def copy_source_range(cls, value: str) -> Self:
        return cls(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the "
            "zero-based offsets of the first and last bytes to copy",
            "x-amz-copy-source-range",
            value,
        )

    @classmethod
    def metadata_directive(cls, value: str) -> Self:
        return cls("Unknown metadata directive.", "x-amz-metadata-directive", value)

    @classmethod
    def tagging_directive(cls, value: str) -> Self:
        return cls("Unknown tagging directive.", "x-amz-tagging-directive", value)

    # server-side encryption

    @classmethod
    def kms_key_not_applicable(cls) -> Self:
        return cls(
            "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
            "ApplyServerSideEncryptionByDefault",
            "null",
        )

    @classmethod
    def sse_method(cls, value: str) -> Self:
        return cls("The encryption method specified is not supported", "x-amz-server-side-encryption", value)

    @classmethod
    def sse_on_read(cls, value: str) -> Self:
        """SSE-S3's or SSE-KMS's header on a GET or HEAD: an object is read with the
        encryption it was written with."""
        return cls(
            "x-amz-server-side-encryption header is not supported for this operation.",
            "x-amz-server-side-encryption",
            value,
        )

    @classmethod
    def sse_c_with_sse(cls, value: str) -> Self:
        return cls(
            "Server Side Encryption with Customer provided key is incompatible with the encryption method specified",
            "x-amz-server-side-encryption",
            value,
        )

    @classmethod
    def sse_c_algorithm_missing(cls, name: str) -> Self:
        return cls(_SSE_C + "provide a valid encryption algorithm.", name, "null")

    @classmethod
    def sse_c_algorithm(cls, name: str, value: str) -> Self:
        return cls("The encryption algorithm specified is not valid.", name, value)

    @classmethod
    def sse_c_key_missing(cls, name: str) -> Self:
        return cls(_SSE_C + "provide an appropriate secret key.", name, "null")

    @classmethod
    def sse_c_key(cls, name: str) -> Self:
        # The key is a secret: S3 echoes none of it.
        return cls("The secret key was invalid for the specified algorithm.", name, "")

    @classmethod
    def sse_c_key_md5_missing(cls, name: str) -> Self:
        return cls(_SSE_C + "provide the client calculated MD5 of the secret key.", name, "null")

    @classmethod
    def sse_c_key_md5(cls, name: str, value: str) -> Self:
        return cls("The calculated MD5 hash of the key did not match the hash that was provided.", name, value)

    # Object Lock

    @classmethod
    def retention_incomplete(cls, mode: str | None, until: str | None) -> Self:
        """Only one of the retention headers: the argument named is the one missing, the value
        the one given."""
        return cls(
            "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
            "x-amz-object-lock-mode" if mode is None else "x-amz-object-lock-retain-until-date",
            (mode or until or "")[:64],
        )

    @classmethod
    def retention_mode(cls, value: str) -> Self:
        return cls("Unknown wormMode directive.", "x-amz-object-lock-mode", value)

    @classmethod
    def retain_until_date(cls, name: str, value: str) -> Self:
        return cls("The retain until date is not a valid date.", name, value)

    @classmethod
    def retain_until_past(cls, value: str) -> Self:
        return cls("The retain until date must be in the future!", "RetainUntilDate", value)

    @classmethod
    def default_retention_period(cls, value: str) -> Self:
        return cls("Default retention period must be a positive integer value", "DefaultRetention", value)

    @classmethod
    def legal_hold(cls, value: str) -> Self:
        return cls("Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold", value)

    # lifecycle

    @classmethod
    def lifecycle_not_positive(cls, name: str, action: str, value: str) -> Self:
        return cls(f"'{name}' for {action} action must be a positive integer", name, value)

    @classmethod
    def lifecycle_date(cls, value: str) -> Self:
        return cls("'Date' must be at midnight GMT", "Date", value)

    @classmethod
    def lifecycle_rule_id_length(cls, value: str) -> Self:
        return cls("ID length should not exceed allowed limit of 255", "ID", value)

    @classmethod
    def lifecycle_rule_id_repeated(cls, value: str) -> Self:
        return cls("Rule ID must be unique. Found same ID for more than one rule", "ID", value)

    @classmethod
    def lifecycle_expiration_days(cls, days: int) -> Self:
        return cls(
            "'Days' in the Expiration action must be greater than 'Days' in the Transition action", "Days", str(days)
        )

    @classmethod
    def lifecycle_transition_days(cls, days_name: str, action: str, storage_class: str, days: int) -> Self:
        return cls(
            f"'{days_name}' in {action} action must be greater than or equal to 30 for storageClass '{storage_class}'",
            days_name,
            str(days),
        )

    # server access logging

    @classmethod
    def target_prefix_too_long(cls, maximum: int, value: str) -> Self:
        return cls(f"The target prefix must not be longer than {maximum} bytes", "TargetPrefix", value)

    # POST uploads

    @classmethod
    def post_file_count(cls) -> Self:
        return cls("POST requires exactly one file upload per request.", "file", "0")

    @classmethod
    def post_key_not_text(cls, value: str) -> Self:
        return cls.not_text("key", value)

    @classmethod
    def not_text(cls, name: str, value: str) -> Self:
        return cls(f"Argument {name} must not contain a NUL character", name, value)

    @classmethod
    def post_field_missing(cls, name: str) -> Self:
        return cls(
            f"Bucket POST must contain a field named '{name}'. If it is specified, please check the order of the "
            "fields.",
            name,
            "",
        )

    @classmethod
    def post_algorithm(cls, value: str) -> Self:
        return cls("POST form fields do not name a supported signing algorithm", "x-amz-algorithm", value)

    @classmethod
    def post_credential(cls, value: str) -> Self:
        return cls("Invalid credential in POST form", "x-amz-credential", value)

    @classmethod
    def post_date(cls) -> Self:
        return cls("x-amz-date does not match the credential's date", "x-amz-date", "")


class UnresolvableGrantByEmailAddress(errors.AwsError):
    code = "UnresolvableGrantByEmailAddress"
    status = 400

    def __init__(self, email: str) -> None:
        super().__init__(
            "The e-mail address you provided does not match any account on record.", extra=(("EmailAddress", email),)
        )


class AccessControlListNotSupported(errors.AwsError):
    """Setting an ACL on a bucket whose ObjectOwnership is BucketOwnerEnforced (every new bucket)."""

    code = "AccessControlListNotSupported"
    status = 400

    def __init__(self, message: str = "The bucket does not allow ACLs") -> None:
        super().__init__(message)

    @classmethod
    def target_grants(cls) -> Self:
        """A logging configuration granting on log objects in such a bucket."""
        return cls("Target grants not allowed for bucket owner enforced buckets")


class InvalidBucketAclWithObjectOwnership(errors.AwsError):
    """An ACL granting beyond the owner, for a bucket that is BucketOwnerEnforced."""

    code = "InvalidBucketAclWithObjectOwnership"
    status = 400

    def __init__(self) -> None:
        super().__init__("Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")


# --- server access logging ---------------------------------------------------------------------


class InvalidTargetBucketForLogging(errors.AwsError):
    code = "InvalidTargetBucketForLogging"
    status = 400

    def __init__(self, message: str, bucket: str) -> None:
        super().__init__(message, extra=(("TargetBucket", bucket),))

    @classmethod
    def not_found(cls, bucket: str) -> Self:
        return cls("The target bucket for logging does not exist", bucket)

    @classmethod
    def other_owner(cls, bucket: str) -> Self:
        return cls("The owner for the bucket to be logged and the target bucket must be the same.", bucket)

    @classmethod
    def object_lock(cls, bucket: str) -> Self:
        return cls("The target bucket for logging must not have a default Object Lock retention.", bucket)


class CrossLocationLoggingProhibited(errors.AwsError):
    code = "CrossLocationLoggingProhibited"
    status = 403

    def __init__(self, target_region: str) -> None:
        # The trailing space is S3's.
        super().__init__("Cross S3 location logging not allowed. ", extra=(("TargetBucketLocation", target_region),))


# --- CORS preflight ----------------------------------------------------------------------------


class BadRequest(errors.AwsError):
    code = "BadRequest"
    status = 400

    @classmethod
    def origin_missing(cls) -> Self:
        return cls("Insufficient information. Origin request header needed.")

    @classmethod
    def request_method(cls, method: str | None) -> Self:
        return cls(f"Invalid Access-Control-Request-Method: {method or 'null'}")


class CORSResponse(errors.AwsError):
    code = "CORSResponse"
    status = 403

    @classmethod
    def not_enabled(cls) -> Self:
        return cls("CORS is not enabled for this bucket.")

    @classmethod
    def not_allowed(cls) -> Self:
        # S3's text, its misspelling included (clients and tests compare it).
        return cls(
            "This CORS request is not allowed. This is usually because the evalution of Origin, request method / "
            "Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's "
            "CORS spec."
        )


# --- the server's side -------------------------------------------------------------------------


class SlowDown(errors.AwsError):
    code = "SlowDown"
    status = 503

    def __init__(self) -> None:
        super().__init__("Please reduce your request rate.")


class InternalError(errors.AwsError):
    """S3's answer to a failure on the server's side (its documented InternalError)."""

    code = "InternalError"
    status = 500

    def __init__(self) -> None:
        super().__init__("We encountered an internal error. Please try again.")
