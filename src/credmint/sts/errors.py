"""STS's errors: one class per code, the wording of each case in a named constructor.

Texts are quoted from observed AWS answers (aws-behavior.md §3.0, §3.1, §4.1, §4.4)
unless a comment says the wording is unconfirmed.
"""

from __future__ import annotations

from typing import Self

from credmint import errors


class AccessDenied(errors.AccessDenied):
    """STS's refusals; ``except errors.AccessDenied`` catches them with the authorizer's."""

    @classmethod
    def not_authorized(cls, caller_arn: str, action: str, resource: str) -> Self:
        """A refused AssumeRole / TagSession / SetSourceIdentity: the same text whether the
        role is missing or a policy refuses, and no "because" suffix."""
        return cls(f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource}")

    @classmethod
    def federation_not_authorized(cls, action: str) -> Self:
        return cls(f"Not authorized to perform {action}")

    @classmethod
    def session_credentials(cls, operation: str) -> Self:
        return cls(f"Cannot call {operation} with session credentials")

    @classmethod
    def root_assumes_role(cls) -> Self:
        return cls("Roles may not be assumed by root accounts.")

    @classmethod
    def root_credentials_assume_root(cls) -> Self:
        # AWS documents that root credentials cannot call AssumeRoot; its text is unconfirmed.
        return cls("AssumeRoot may not be called with root user credentials.")

    @classmethod
    def mfa_invalid_code(cls) -> Self:
        return cls("MultiFactorAuthentication failed with invalid MFA one time pass code.")

    @classmethod
    def mfa_locked(cls, retry_at: str) -> Self:
        """A code refused unchecked: the device is in backoff or locked out after wrong codes.
        AWS's text for this case is unknown (AWS does not document MFA throttling); this says
        what happened and when to try again, with AWS's code for a refused MFA code."""
        return cls(
            "MultiFactorAuthentication failed: too many invalid MFA one time pass codes for this device; "
            f"the code was not checked. Try again after {retry_at}."
        )

    @classmethod
    def mfa_unknown_serial(cls) -> Self:
        # Two spaces after "code." as AWS sends it.
        return cls(
            "MultiFactorAuthentication failed, unable to validate MFA code.  "
            "Please verify your MFA serial number is valid and associated with this user."
        )

    @classmethod
    def mfa_incomplete(cls) -> Self:
        return cls("MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.")

    @classmethod
    def delegation_not_enabled(cls, account_id: str) -> Self:
        # AWS: "not available for general use" without partner onboarding (wording unconfirmed).
        return cls(f"Account {account_id} is not enabled for delegation.")

    @classmethod
    def scope_policies_full(cls, most: int) -> Self:
        # The model: a fourth scope-down policy "is denied" (wording unconfirmed).
        return cls(f"The session already has {most} scope-down policies, the most allowed.")

    @classmethod
    def no_workload_identity(cls, action: str) -> Self:
        return cls(f"{action} requires a role session that has a workload identity.")

    @classmethod
    def workload_identity_gone(cls) -> Self:
        return cls("The workload identity template or provider of the session no longer exists.")

    @classmethod
    def workload_identity_not_spiffe(cls) -> Self:
        return cls("The workload identity provider of the session does not use the SPIFFE scheme.")

    @classmethod
    def source_account_not_own(cls, caller_arn: str, own: str, named: str) -> Self:
        # Wording unconfirmed: AWS lets only services name a source.
        return cls(f"{caller_arn} can act only for its own account {own}, not for account {named}.")

    @classmethod
    def source_arn_not_own(cls, caller_arn: str, own: str, named: str) -> Self:
        # Wording unconfirmed, as above.
        return cls(f"{caller_arn} can act only for resources of its own account {own}, not for {named}.")


class ValidationError(errors.ValidationError):
    """STS's own rules on its parameters (the model's constraints are checked by ``wire``)."""

    @classmethod
    def invalid(cls, value: str) -> Self:
        """An ARN, access key id or account that does not parse."""
        return cls(f"{value} is invalid")

    @classmethod
    def duration_exceeds_role_max(cls) -> Self:
        return cls("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")

    @classmethod
    def duration_exceeds_chaining_limit(cls) -> Self:
        return cls("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")

    @classmethod
    def source_identity_already_set(cls) -> Self:
        return cls("The source identity is already set for this assume role session")

    @classmethod
    def assume_root_global_endpoint(cls) -> Self:
        # AWS documents the refusal on the global endpoint; its code and text are unconfirmed.
        return cls(
            "AssumeRoot is not supported on the global STS endpoint. Send the request to a Regional STS endpoint."
        )

    @classmethod
    def root_task_policy(cls, arn: str) -> Self:
        # Unconfirmed text; AWS accepts only the root-task managed policies.
        return cls(f"The TaskPolicyArn {arn} is not a valid root task policy.")

    @classmethod
    def token_type_with_subject_mode(cls) -> Self:
        return cls("TokenType can't be specified together with SubjectMode or Scope.")

    @classmethod
    def jwt_svid_tags(cls) -> Self:
        return cls("Tags can't be specified when TokenType is JWT_SVID.")

    @classmethod
    def jwt_svid_audience(cls) -> Self:
        return cls("Exactly one Audience must be specified when TokenType is JWT_SVID.")

    @classmethod
    def signing_algorithm(cls, algorithm: str) -> Self:
        """In the model's constraint grammar, as the Query validation words it."""
        return cls(
            "1 validation error detected: Value '" + algorithm + "' at 'signingAlgorithm' failed to satisfy "
            "constraint: Member must satisfy enum value set: [RS256, ES384]"
        )

    @classmethod
    def too_many_policy_arns(cls, most: int) -> Self:
        # The model sets no bound; AWS's text for one ARN too many is unconfirmed, so the
        # answer is in the model's own constraint grammar.
        return cls(
            "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
            f"Member must have length less than or equal to {most}"
        )

    @classmethod
    def template_arn_missing(cls) -> Self:
        return cls(
            "1 validation error detected: Value null at 'workloadIdentityTemplateArn' failed to satisfy "
            "constraint: Member must not be null"
        )

    @classmethod
    def scoped_nothing_requested(cls) -> Self:
        # Unconfirmed wording; the model: "you must specify at least one of them".
        return cls("A request must provide at least one of Policy or DurationSeconds.")


class InvalidParameterValue(errors.AwsError):
    """Session-tag and policy-ARN checks; code and texts as LocalStack recorded them
    against AWS (unconfirmed here)."""

    code = "InvalidParameterValue"
    status = 400

    @classmethod
    def transitive_tag_not_requested(cls) -> Self:
        return cls("The specified transitive tag key must be included in the requested tags.")

    @classmethod
    def transitive_tag_conflict(cls) -> Self:
        return cls(
            "One of the specified transitive tag keys can't be set because it conflicts with a transitive "
            "tag key from the calling session."
        )

    @classmethod
    def duplicate_tag_keys(cls) -> Self:
        return cls("Duplicate tag keys found. Please note that Tag keys are case insensitive.")

    @classmethod
    def unknown_policy(cls, arn: str) -> Self:
        # Unconfirmed wording; IAM's for an unknown policy ARN.
        return cls(f"Policy {arn} does not exist or is not attachable.")

    # The x-amz-source-account / x-amz-source-arn headers (sts.contexts.source_of); the code
    # is STS's for a bad parameter value, the wording unconfirmed.
    @classmethod
    def source_header_repeated(cls, header: str) -> Self:
        return cls(f"The {header} header must be sent once.")

    @classmethod
    def source_header_unsigned(cls, header: str) -> Self:
        return cls(f"The {header} header must be covered by the request's signature.")

    @classmethod
    def source_arn_invalid(cls, header: str) -> Self:
        return cls(f"The {header} header is not a valid ARN.")


class PackedPolicyTooLarge(errors.AwsError):
    code = "PackedPolicyTooLarge"
    status = 400

    @classmethod
    def consumes(cls, percent: int) -> Self:
        return cls(f"Packed policy consumes {percent}% of allotted space")

    @classmethod
    def token_too_large(cls, most_chars: int) -> Self:
        return cls(f"The session token would exceed the maximum allowed size of {most_chars} bytes.")


class Throttling(errors.AwsError):
    """STS's answer to a caller over its request rate; the SDKs retry it with backoff."""

    code = "Throttling"
    status = 400

    def __init__(self) -> None:
        super().__init__("Rate exceeded")


class ExpiredTradeInToken(errors.AwsError):
    """GetDelegatedAccessToken's one answer for unknown, used and expired tokens: a replay
    learns nothing."""

    code = "ExpiredTradeInTokenException"
    status = 400

    def __init__(self) -> None:
        super().__init__("The trade-in token has expired or is not valid.")


class InvalidAuthorizationMessage(errors.AwsError):
    code = "InvalidAuthorizationMessageException"
    status = 400

    def __init__(self) -> None:
        # AWS's text for a message that does not decode is not documented; this one says
        # no more than that (not whether it was forged, expired or another account's).
        super().__init__("The message is invalid.")



class OutboundWebIdentityFederationDisabled(errors.AwsError):
    code = "OutboundWebIdentityFederationDisabledException"
    status = 403

    def __init__(self) -> None:
        # Wording unconfirmed (the feature is new; no observed message).
        super().__init__("Outbound web identity federation is disabled for this account.")


class SessionDurationEscalation(errors.AwsError):
    code = "SessionDurationEscalationException"
    status = 403

    def __init__(self) -> None:
        # Wording unconfirmed.
        super().__init__("The requested DurationSeconds exceeds the remaining duration of the calling session.")


class JWTPayloadSizeExceeded(errors.AwsError):
    code = "JWTPayloadSizeExceededException"
    status = 400

    def __init__(self) -> None:
        super().__init__("The JWT payload exceeds the maximum allowed size.")


class InvalidSubjectCredentials(errors.AwsError):
    code = "InvalidSubjectCredentials"
    status = 400

    def __init__(self) -> None:
        # Unconfirmed wording: the model's error for a caller that is not a valid session.
        super().__init__("GetScopedCredentials can only be called with temporary security credentials.")


class InsufficientSessionLifetime(errors.AwsError):
    code = "InsufficientSessionLifetime"
    status = 400

    def __init__(self, requested: int, remaining: int) -> None:
        super().__init__(
            f"The requested DurationSeconds ({requested}) exceeds the remaining lifetime of the "
            f"calling session ({remaining} seconds)."
        )


class InvalidContextAssertion(errors.AwsError):
    code = "InvalidContextAssertion"
    status = 400

    def __init__(self) -> None:
        # One answer for every unusable context: which check failed is not the caller's business.
        super().__init__("The provided context assertion is invalid or has expired.")


class InvalidAttestationDocument(errors.AwsError):
    code = "InvalidAttestationDocument"
    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(f"The attestation document is not valid: {reason}.")


class InvalidWorkloadIdentityConfiguration(errors.AwsError):
    code = "InvalidWorkloadIdentityConfiguration"
    status = 400

    @classmethod
    def unrenderable(cls, reason: str) -> Self:
        return cls(f"The template cannot render an identifier: {reason}.")

    @classmethod
    def identifier_too_long(cls, most: int) -> Self:
        return cls(f"The rendered identifier is longer than {most} characters.")

    @classmethod
    def provider_gone(cls) -> Self:
        return cls("The provider of the template no longer exists.")


class SignerNotConfigured(errors.AwsError):
    code = "SignerNotConfiguredException"
    status = 404

    def __init__(self, kind: str) -> None:
        super().__init__(f"The workload identity provider of the calling session has no {kind} signer.")


class RegionalSignerUnavailable(errors.AwsError):
    code = "RegionalSignerUnavailableException"
    status = 404

    def __init__(self, kind: str) -> None:
        super().__init__(f"No {kind} signer of the workload identity provider can sign right now.")


class MalformedCertificateSigningRequest(errors.AwsError):
    code = "MalformedCertificateSigningRequestException"
    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)


class ResourceNotFound(errors.AwsError):
    code = "ResourceNotFoundException"
    status = 404

    @classmethod
    def provider(cls, arn: str) -> Self:
        return cls(f"Workload identity provider {arn} not found.")
