"""The errors of federation: a SAML assertion or web identity token refused, its
identity provider not reached. One class per code; each case's wording is a named
constructor. Texts marked "unconfirmed" are the best available wording; the rest are
AWS's, as observed.
"""

from __future__ import annotations

from typing import Self

from credmint import errors


class InvalidIdentityToken(errors.AwsError):
    code = "InvalidIdentityToken"
    status = 400

    @classmethod
    def not_a_jwt(cls) -> Self:
        return cls("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")

    @classmethod
    def token_too_long(cls) -> Self:
        # The model already bounds it.
        return cls("The web identity token is too long")

    @classmethod
    def bad_signature(cls) -> Self:
        # Wording unconfirmed.
        return cls("The signature of the web identity token is invalid")

    @classmethod
    def token_not_yet_valid(cls) -> Self:
        # Wording unconfirmed.
        return cls("Token is not yet valid")

    @classmethod
    def token_issued_in_future(cls) -> Self:
        # Wording unconfirmed.
        return cls("Token was issued in the future")

    @classmethod
    def incorrect_audience(cls) -> Self:
        return cls("Incorrect token audience")

    @classmethod
    def missing_sub(cls) -> Self:
        # Wording unconfirmed.
        return cls("Missing or invalid claim: sub")

    @classmethod
    def invalid_tags_claim(cls) -> Self:
        # Wording unconfirmed.
        return cls("Invalid https://aws.amazon.com/tags claim")

    @classmethod
    def invalid_source_identity_claim(cls) -> Self:
        # Wording unconfirmed.
        return cls("Invalid https://aws.amazon.com/source_identity claim")

    @classmethod
    def no_verification_key(cls) -> Self:
        return cls(
            "Couldn't retrieve verification key from your identity provider,  "
            "please reference AssumeRoleWithWebIdentity documentation for requirements"
        )

    @classmethod
    def thumbprint_mismatch(cls) -> Self:
        return cls("OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint")

    @classmethod
    def no_saml_provider(cls) -> Self:
        return cls("Specified provider doesn't exist")

    @classmethod
    def invalid_saml_response(cls) -> Self:
        # Observed from AWS for an assertion it cannot read at all.
        return cls("Invalid SAML response")

    @classmethod
    def invalid_base64(cls) -> Self:
        return cls("Invalid base64 SAMLResponse")

    @classmethod
    def response_signature_invalid(cls) -> Self:
        return cls("Response signature invalid")

    @classmethod
    def encrypted_assertions(cls) -> Self:
        return cls("Encrypted assertions are not supported by this provider")

    @classmethod
    def status_not_success(cls) -> Self:
        return cls("The SAML response status is not Success")

    @classmethod
    def invalid_destination(cls) -> Self:
        # Wording unconfirmed.
        return cls("Invalid Destination in the SAML response")

    @classmethod
    def response_issuer(cls) -> Self:
        # Wording unconfirmed.
        return cls("Issuer of the SAML response does not match the provider metadata")

    @classmethod
    def assertion_issuer(cls) -> Self:
        # Wording unconfirmed.
        return cls("Issuer of the SAML assertion does not match the provider metadata")

    @classmethod
    def assertion_issued_in_future(cls) -> Self:
        # Wording unconfirmed.
        return cls("SAML assertion was issued in the future")

    @classmethod
    def missing_name_id(cls) -> Self:
        # Wording unconfirmed.
        return cls("Subject NameID is missing in the SAML assertion")

    @classmethod
    def no_subject_confirmation(cls) -> Self:
        return cls("Responses must contain SubjectConfirmatonData with a Recipient and NotOnOrAfter")

    @classmethod
    def assertion_not_yet_valid(cls) -> Self:
        # Wording unconfirmed.
        return cls("Assertion is not yet valid")

    @classmethod
    def audience_restriction_required(cls) -> Self:
        # Wording unconfirmed.
        return cls("Conditions with an AudienceRestriction are required")

    @classmethod
    def incorrect_saml_audience(cls) -> Self:
        # Wording unconfirmed.
        return cls("Incorrect Audience in the SAML assertion")

    @classmethod
    def invalid_sp_name_qualifier(cls) -> Self:
        # Wording unconfirmed.
        return cls("Invalid SPNameQualifier in the SAML assertion")

    @classmethod
    def encrypted_attributes(cls) -> Self:
        # Wording unconfirmed.
        return cls("Encrypted attributes are not supported by this provider")

    @classmethod
    def no_role_attribute(cls) -> Self:
        return cls("SAML Assertion doesn't contain the requested Role and Metadata in the attributes")

    @classmethod
    def role_session_name_attribute(cls) -> Self:
        return cls("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")

    @classmethod
    def session_duration_attribute(cls) -> Self:
        # Wording unconfirmed.
        return cls("SessionDuration in AuthnResponse must be an integer between 900 and 43200")

    @classmethod
    def source_identity_attribute(cls) -> Self:
        # Wording unconfirmed.
        return cls("SourceIdentity in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")

    @classmethod
    def too_many_session_tags(cls) -> Self:
        # Wording unconfirmed.
        return cls("Too many session tags in AuthnResponse")

    @classmethod
    def unsupported_algorithm(cls, alg: object) -> Self:
        # Wording unconfirmed.
        return cls(f"Unsupported token signing algorithm: {alg}")

    @classmethod
    def missing_claim(cls, name: str) -> Self:
        # Wording unconfirmed.
        return cls(f"Missing a required claim: {name}")

    @classmethod
    def invalid_claim(cls, name: str) -> Self:
        # Wording unconfirmed.
        return cls(f"Invalid claim: {name}")

    @classmethod
    def no_oidc_provider(cls, issuer: str) -> Self:
        return cls(f"No OpenIDConnect provider found in your account for {issuer}")

    @classmethod
    def missing_element(cls, what: str) -> Self:
        return cls(f"Missing {what}")

    @classmethod
    def invalid_element(cls, what: str) -> Self:
        return cls(f"Invalid {what}")

    @classmethod
    def invalid_recipient(cls, recipient: str) -> Self:
        # Wording unconfirmed.
        return cls(f"Invalid Recipient: {recipient}")

    @classmethod
    def invalid_session_tag(cls, key: str) -> Self:
        # Wording unconfirmed.
        return cls(f"Invalid session tag in AuthnResponse: {key}")

    @classmethod
    def duplicate_session_tag(cls, key: str) -> Self:
        # Wording unconfirmed.
        return cls(f"Duplicate session tag in AuthnResponse: {key}")

    @classmethod
    def transitive_tag_not_session_tag(cls, key: str) -> Self:
        # Wording unconfirmed.
        return cls(f"Transitive tag key {key} is not a session tag in AuthnResponse")


class ExpiredTokenException(errors.AwsError):
    """The SAML assertion or web identity token *passed as a parameter* has expired (not
    ``ExpiredToken``, which is about the caller's own session token)."""

    code = "ExpiredTokenException"
    status = 400

    @classmethod
    def token(cls, now: int, expires: int) -> Self:
        return cls(f"Token expired: current date/time {now} must be before the expiration date/time {expires}")

    @classmethod
    def redeem_window(cls) -> Self:
        return cls("Token must be redeemed within 5 minutes of issuance")

    @classmethod
    def assertion(cls) -> Self:
        # Wording unconfirmed.
        return cls("Assertion has expired")


class IDPCommunicationError(errors.AwsError):
    code = "IDPCommunicationError"
    status = 400

    @classmethod
    def no_verification_key(cls) -> Self:
        return cls(
            "Couldn't retrieve verification key from your identity provider,  please reference "
            "AssumeRoleWithWebIdentity documentation for requirements"
        )


class InvalidInput(errors.AwsError):
    """A SAML provider's metadata document IAM cannot use (CreateSAMLProvider,
    UpdateSAMLProvider)."""

    code = "InvalidInput"
    status = 400

    @classmethod
    def saml_metadata(cls) -> Self:
        # Wording unconfirmed.
        return cls("Could not parse metadata")
