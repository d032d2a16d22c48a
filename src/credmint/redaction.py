"""What no record, log line or error message may carry: the one list of secret members
and of the query parameters that hold secrets.

Every writer asks here: the audit record (``audit.record`` drops :data:`SECRET_MEMBERS`
at any depth), the access log and S3's server access logs (they withhold the values of
query parameters :func:`is_secret_query_parameter` names), and the wire's validation
messages (they do not echo a secret member's value, see ``wire.query``). One list, so that
a member added for one writer is withheld by all.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

#: Members whose values are secrets: never written, at any depth, in parameters, responses
#: or messages. (Every member of the IAM, STS and Organizations models that holds a secret,
#: a password, a one-time code, a private key or a bearer token; ``audit`` has a test that
#: walks the models for members they mark sensitive.)
SECRET_MEMBERS = frozenset(
    {
        "SecretAccessKey",
        "SessionToken",
        "Password",
        "OldPassword",
        "NewPassword",
        "AuthenticationCode1",
        "AuthenticationCode2",
        "TokenCode",
        "SAMLAssertion",
        "WebIdentityToken",
        "SubjectToken",
        "Base32StringSeed",
        "QRCodePNG",
        "PrivateKey",
        "AddPrivateKey",
        "PrivateKeyList",
        "ServicePassword",
        "ServiceSpecificCredential",
        "ServiceCredentialSecret",
        "SAMLMetadataDocument",
        "SSECustomerKey",
        "CopySourceSSECustomerKey",
        # Signed assertions and tokens a caller presents or receives (bearer material).
        "ContextAssertion",
        "TradeInToken",
        "TrustedIdentityPropagationContext",
    }
)

#: Query parameters whose values are secret or bearer material besides the members above:
#: the signatures and credentials of presigned URLs. Access key ids are logged as fields of
#: their own; the parameters that carry them are withheld too, as a presigned URL is a
#: credential while it is valid.
PRESIGNED_PARAMETERS = frozenset(
    {
        # SigV4 presigned URLs
        "X-Amz-Signature",
        "X-Amz-Security-Token",
        "X-Amz-Credential",
        # SigV2 presigned URLs
        "Signature",
        "AWSAccessKeyId",
        "SecurityToken",
        # An SSE-C key hoisted into a presigned URL's query
        "x-amz-server-side-encryption-customer-key",
    }
)

#: Both, lower-cased: what :func:`is_secret_query_parameter` looks for.
SECRET_QUERY_PARAMETERS = frozenset(name.lower() for name in SECRET_MEMBERS | PRESIGNED_PARAMETERS)


def is_secret_query_parameter(name: str) -> bool:
    """Whether a query parameter's name, as sent (percent-encoded, any case), holds a secret:
    it is one of :data:`SECRET_QUERY_PARAMETERS`, or a Query API path with a secret member
    at any level (``ProvidedContexts.member.1.ContextAssertion``, ``PrivateKeyList.member.1``).
    Any case matches: withholding a value too many costs a log nothing."""
    return is_secret_name(unquote_plus(name).strip().lower())


def is_secret_name(low: str) -> bool:
    """:func:`is_secret_query_parameter` for a name already decoded, stripped and lower-cased."""
    if low in SECRET_QUERY_PARAMETERS:
        return True
    return "." in low and any(part.strip() in SECRET_QUERY_PARAMETERS for part in low.split("."))
