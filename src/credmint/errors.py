"""The base of every error credmint answers with, and the protocol's own errors.

Every failure a client can see is an :class:`AwsError`. Each AWS error code is one small
class in the module of the domain that raises it (``sigv4/errors.py``, ``sts/errors.py``,
``iam/errors.py``, ``orgs/errors.py``, ``s3/errors.py`` ...; the protocol's own codes below): the class
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
