"""Every error class, pinned: its code, status, message and extra members, from one table.

A change to any wording or status fails here, and a new error class fails
``test_every_error_class_is_in_the_table`` until its row is added. Each row also renders
through the three protocols' renderers.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import NamedTuple

import pytest

from credmint import errors
from credmint.errors import AwsError
from credmint.sts import errors as sts_errors
from credmint.wire import json_protocol, render_error
from credmint.wire.s3 import render_s3_error

#: The modules that hold error classes; a class defined anywhere else is not looked for.
ERROR_MODULES = ("credmint.errors", "credmint.sts.errors")
#: Bases that are never raised themselves.
ABSTRACT: set[str] = set()


class Row(NamedTuple):
    make: Callable[[], AwsError]
    code: str
    status: int
    message: str | None
    extra: tuple[tuple[str, str], ...] = ()


ROWS: dict[str, Row] = {
    # --- the protocol's own errors
    "InvalidAction": Row(
        lambda: errors.InvalidAction("Nope", "2011-06-15"),
        "InvalidAction",
        400,
        "Could not find operation Nope for version 2011-06-15",
    ),
    "InvalidAction-no-version": Row(
        lambda: errors.InvalidAction("Nope", None),
        "InvalidAction",
        400,
        "Could not find operation Nope for version NO_VERSION_SPECIFIED",
    ),
    "ValidationError": Row(lambda: errors.ValidationError("bad value"), "ValidationError", 400, "bad value"),
    "MalformedInput": Row(lambda: errors.MalformedInput(), "MalformedInput", 400, None),
    "MalformedInput-decimal": Row(
        lambda: errors.MalformedInput(missing_decimal=True), "MalformedInput", 400, "missing value for decimal type"
    ),
    "MissingParameter": Row(
        lambda: errors.MissingParameter("RoleArn"),
        "MissingParameter",
        400,
        "The request must contain the parameter RoleArn",
    ),
    "MalformedQueryString-trailing": Row(
        lambda: errors.MalformedQueryString("%4"),
        "MalformedQueryString",
        400,
        "Incomplete trailing escape % sequence",
    ),
    "MalformedQueryString-hex": Row(
        lambda: errors.MalformedQueryString("%zz"),
        "MalformedQueryString",
        400,
        "Illegal hex character in escape % pattern: %zz",
    ),
    "SerializationException": Row(lambda: errors.SerializationException(), "SerializationException", 400, None),
    "RequestEntityTooLarge": Row(lambda: errors.RequestEntityTooLarge(), "RequestEntityTooLarge", 413, None),
    "RequestTimeout": Row(
        lambda: errors.RequestTimeout(),
        "RequestTimeout",
        400,
        "Your socket connection to the server was not read from or written to within the timeout period. "
        "Idle connections will be closed.",
    ),
    "RequestHeaderSectionTooLarge": Row(
        lambda: errors.RequestHeaderSectionTooLarge(),
        "RequestHeaderSectionTooLarge",
        400,
        "Your request header section exceeds the maximum allowed size.",
    ),
    "InternalFailure": Row(
        lambda: errors.InternalFailure(),
        "InternalFailure",
        500,
        "The request processing has failed because of an unknown error, exception or failure.",
    ),
    "ServiceUnavailable": Row(
        lambda: errors.ServiceUnavailable(),
        "ServiceUnavailable",
        503,
        "The request has failed due to a temporary failure of the server.",
    ),
    "UnknownOperation": Row(lambda: errors.UnknownOperation(), "UnknownOperationException", 404, None),
    "UnknownOperation-target": Row(
        lambda: errors.UnknownOperation(unknown_target=True), "UnknownOperationException", 400, None
    ),
    "MissingAuthenticationToken": Row(
        lambda: errors.MissingAuthenticationToken(),
        "MissingAuthenticationToken",
        403,
        "Request is missing Authentication Token",
    ),
    "InvalidClientTokenId": Row(
        lambda: errors.InvalidClientTokenId(),
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid.",
    ),
    "InvalidClientTokenId-iam": Row(
        lambda: errors.InvalidClientTokenId(period=False),
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid",
    ),
    "ExpiredToken": Row(
        lambda: errors.ExpiredToken(), "ExpiredToken", 403, "The security token included in the request is expired"
    ),
    "AccessDenied": Row(lambda: errors.AccessDenied("no"), "AccessDenied", 403, "no"),
    # --- STS
    "sts.AccessDenied.not_authorized": Row(
        lambda: sts_errors.AccessDenied.not_authorized(
            "arn:aws:iam::111122223333:user/u", "sts:AssumeRole", "arn:aws:iam::111122223333:role/r"
        ),
        "AccessDenied",
        403,
        "User: arn:aws:iam::111122223333:user/u is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/r",
    ),
    "sts.AccessDenied.federation_not_authorized": Row(
        lambda: sts_errors.AccessDenied.federation_not_authorized("sts:AssumeRoleWithSAML"),
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithSAML",
    ),
    "sts.AccessDenied.session_credentials": Row(
        lambda: sts_errors.AccessDenied.session_credentials("GetSessionToken"),
        "AccessDenied",
        403,
        "Cannot call GetSessionToken with session credentials",
    ),
    "sts.AccessDenied.root_assumes_role": Row(
        lambda: sts_errors.AccessDenied.root_assumes_role(),
        "AccessDenied",
        403,
        "Roles may not be assumed by root accounts.",
    ),
    "sts.AccessDenied.root_credentials_assume_root": Row(
        lambda: sts_errors.AccessDenied.root_credentials_assume_root(),
        "AccessDenied",
        403,
        "AssumeRoot may not be called with root user credentials.",
    ),
    "sts.AccessDenied.mfa_invalid_code": Row(
        lambda: sts_errors.AccessDenied.mfa_invalid_code(),
        "AccessDenied",
        403,
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    ),
    "sts.AccessDenied.mfa_locked": Row(
        lambda: sts_errors.AccessDenied.mfa_locked("2026-01-01T00:00:00Z"),
        "AccessDenied",
        403,
        "MultiFactorAuthentication failed: too many invalid MFA one time pass codes for this device; the code was not checked. Try again after 2026-01-01T00:00:00Z.",
    ),
    "sts.AccessDenied.mfa_unknown_serial": Row(
        lambda: sts_errors.AccessDenied.mfa_unknown_serial(),
        "AccessDenied",
        403,
        "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.",
    ),
    "sts.AccessDenied.mfa_incomplete": Row(
        lambda: sts_errors.AccessDenied.mfa_incomplete(),
        "AccessDenied",
        403,
        "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
    ),
    "sts.AccessDenied.delegation_not_enabled": Row(
        lambda: sts_errors.AccessDenied.delegation_not_enabled("111122223333"),
        "AccessDenied",
        403,
        "Account 111122223333 is not enabled for delegation.",
    ),
    "sts.AccessDenied.scope_policies_full": Row(
        lambda: sts_errors.AccessDenied.scope_policies_full(3),
        "AccessDenied",
        403,
        "The session already has 3 scope-down policies, the most allowed.",
    ),
    "sts.AccessDenied.no_workload_identity": Row(
        lambda: sts_errors.AccessDenied.no_workload_identity("GetCertificate"),
        "AccessDenied",
        403,
        "GetCertificate requires a role session that has a workload identity.",
    ),
    "sts.AccessDenied.workload_identity_gone": Row(
        lambda: sts_errors.AccessDenied.workload_identity_gone(),
        "AccessDenied",
        403,
        "The workload identity template or provider of the session no longer exists.",
    ),
    "sts.AccessDenied.workload_identity_not_spiffe": Row(
        lambda: sts_errors.AccessDenied.workload_identity_not_spiffe(),
        "AccessDenied",
        403,
        "The workload identity provider of the session does not use the SPIFFE scheme.",
    ),
    "sts.ValidationError.invalid": Row(
        lambda: sts_errors.ValidationError.invalid("AKIA"), "ValidationError", 400, "AKIA is invalid"
    ),
    "sts.ValidationError.duration_exceeds_role_max": Row(
        lambda: sts_errors.ValidationError.duration_exceeds_role_max(),
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    ),
    "sts.ValidationError.duration_exceeds_chaining_limit": Row(
        lambda: sts_errors.ValidationError.duration_exceeds_chaining_limit(),
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    ),
    "sts.ValidationError.source_identity_already_set": Row(
        lambda: sts_errors.ValidationError.source_identity_already_set(),
        "ValidationError",
        400,
        "The source identity is already set for this assume role session",
    ),
    "sts.ValidationError.assume_root_global_endpoint": Row(
        lambda: sts_errors.ValidationError.assume_root_global_endpoint(),
        "ValidationError",
        400,
        "AssumeRoot is not supported on the global STS endpoint. Send the request to a Regional STS endpoint.",
    ),
    "sts.ValidationError.root_task_policy": Row(
        lambda: sts_errors.ValidationError.root_task_policy("arn:aws:iam::aws:policy/x"),
        "ValidationError",
        400,
        "The TaskPolicyArn arn:aws:iam::aws:policy/x is not a valid root task policy.",
    ),
    "sts.ValidationError.token_type_with_subject_mode": Row(
        lambda: sts_errors.ValidationError.token_type_with_subject_mode(),
        "ValidationError",
        400,
        "TokenType can't be specified together with SubjectMode or Scope.",
    ),
    "sts.ValidationError.jwt_svid_tags": Row(
        lambda: sts_errors.ValidationError.jwt_svid_tags(),
        "ValidationError",
        400,
        "Tags can't be specified when TokenType is JWT_SVID.",
    ),
    "sts.ValidationError.jwt_svid_audience": Row(
        lambda: sts_errors.ValidationError.jwt_svid_audience(),
        "ValidationError",
        400,
        "Exactly one Audience must be specified when TokenType is JWT_SVID.",
    ),
    "sts.ValidationError.signing_algorithm": Row(
        lambda: sts_errors.ValidationError.signing_algorithm("HS256"),
        "ValidationError",
        400,
        "1 validation error detected: Value 'HS256' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]",
    ),
    "sts.ValidationError.too_many_policy_arns": Row(
        lambda: sts_errors.ValidationError.too_many_policy_arns(10),
        "ValidationError",
        400,
        "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10",
    ),
    "sts.ValidationError.template_arn_missing": Row(
        lambda: sts_errors.ValidationError.template_arn_missing(),
        "ValidationError",
        400,
        "1 validation error detected: Value null at 'workloadIdentityTemplateArn' failed to satisfy constraint: Member must not be null",
    ),
    "sts.ValidationError.scoped_nothing_requested": Row(
        lambda: sts_errors.ValidationError.scoped_nothing_requested(),
        "ValidationError",
        400,
        "A request must provide at least one of Policy or DurationSeconds.",
    ),
    "sts.InvalidParameterValue.transitive_tag_not_requested": Row(
        lambda: sts_errors.InvalidParameterValue.transitive_tag_not_requested(),
        "InvalidParameterValue",
        400,
        "The specified transitive tag key must be included in the requested tags.",
    ),
    "sts.InvalidParameterValue.transitive_tag_conflict": Row(
        lambda: sts_errors.InvalidParameterValue.transitive_tag_conflict(),
        "InvalidParameterValue",
        400,
        "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    ),
    "sts.InvalidParameterValue.duplicate_tag_keys": Row(
        lambda: sts_errors.InvalidParameterValue.duplicate_tag_keys(),
        "InvalidParameterValue",
        400,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    ),
    "sts.InvalidParameterValue.unknown_policy": Row(
        lambda: sts_errors.InvalidParameterValue.unknown_policy("arn:aws:iam::aws:policy/x"),
        "InvalidParameterValue",
        400,
        "Policy arn:aws:iam::aws:policy/x does not exist or is not attachable.",
    ),
    "sts.PackedPolicyTooLarge.consumes": Row(
        lambda: sts_errors.PackedPolicyTooLarge.consumes(101),
        "PackedPolicyTooLarge",
        400,
        "Packed policy consumes 101% of allotted space",
    ),
    "sts.PackedPolicyTooLarge.token_too_large": Row(
        lambda: sts_errors.PackedPolicyTooLarge.token_too_large(4096),
        "PackedPolicyTooLarge",
        400,
        "The session token would exceed the maximum allowed size of 4096 bytes.",
    ),
    "sts.Throttling": Row(lambda: sts_errors.Throttling(), "Throttling", 400, "Rate exceeded"),
    "sts.InvalidAuthorizationMessage": Row(
        lambda: sts_errors.InvalidAuthorizationMessage(),
        "InvalidAuthorizationMessageException",
        400,
        "The message is invalid.",
    ),
    "sts.InvalidIdentityToken.no_saml_provider": Row(
        lambda: sts_errors.InvalidIdentityToken.no_saml_provider(),
        "InvalidIdentityToken",
        400,
        "Specified provider doesn't exist",
    ),
    "sts.InvalidIdentityToken.no_oidc_provider": Row(
        lambda: sts_errors.InvalidIdentityToken.no_oidc_provider("example.com"),
        "InvalidIdentityToken",
        400,
        "No OpenIDConnect provider found in your account for example.com",
    ),
    "sts.OutboundWebIdentityFederationDisabled": Row(
        lambda: sts_errors.OutboundWebIdentityFederationDisabled(),
        "OutboundWebIdentityFederationDisabledException",
        403,
        "Outbound web identity federation is disabled for this account.",
    ),
    "sts.SessionDurationEscalation": Row(
        lambda: sts_errors.SessionDurationEscalation(),
        "SessionDurationEscalationException",
        403,
        "The requested DurationSeconds exceeds the remaining duration of the calling session.",
    ),
    "sts.JWTPayloadSizeExceeded": Row(
        lambda: sts_errors.JWTPayloadSizeExceeded(),
        "JWTPayloadSizeExceededException",
        400,
        "The JWT payload exceeds the maximum allowed size.",
    ),
    "sts.InvalidSubjectCredentials": Row(
        lambda: sts_errors.InvalidSubjectCredentials(),
        "InvalidSubjectCredentials",
        400,
        "GetScopedCredentials can only be called with temporary security credentials.",
    ),
    "sts.InsufficientSessionLifetime": Row(
        lambda: sts_errors.InsufficientSessionLifetime(3600, 120),
        "InsufficientSessionLifetime",
        400,
        "The requested DurationSeconds (3600) exceeds the remaining lifetime of the calling session (120 seconds).",
    ),
    "sts.InvalidContextAssertion": Row(
        lambda: sts_errors.InvalidContextAssertion(),
        "InvalidContextAssertion",
        400,
        "The provided context assertion is invalid or has expired.",
    ),
    "sts.InvalidAttestationDocument": Row(
        lambda: sts_errors.InvalidAttestationDocument("no value for x"),
        "InvalidAttestationDocument",
        400,
        "The attestation document is not valid: no value for x.",
    ),
    "sts.InvalidWorkloadIdentityConfiguration.unrenderable": Row(
        lambda: sts_errors.InvalidWorkloadIdentityConfiguration.unrenderable("no value"),
        "InvalidWorkloadIdentityConfiguration",
        400,
        "The template cannot render an identifier: no value.",
    ),
    "sts.InvalidWorkloadIdentityConfiguration.identifier_too_long": Row(
        lambda: sts_errors.InvalidWorkloadIdentityConfiguration.identifier_too_long(2048),
        "InvalidWorkloadIdentityConfiguration",
        400,
        "The rendered identifier is longer than 2048 characters.",
    ),
    "sts.InvalidWorkloadIdentityConfiguration.provider_gone": Row(
        lambda: sts_errors.InvalidWorkloadIdentityConfiguration.provider_gone(),
        "InvalidWorkloadIdentityConfiguration",
        400,
        "The provider of the template no longer exists.",
    ),
    "sts.SignerNotConfigured": Row(
        lambda: sts_errors.SignerNotConfigured("X.509"),
        "SignerNotConfiguredException",
        404,
        "The workload identity provider of the calling session has no X.509 signer.",
    ),
    "sts.RegionalSignerUnavailable": Row(
        lambda: sts_errors.RegionalSignerUnavailable("JWT"),
        "RegionalSignerUnavailableException",
        404,
        "No JWT signer of the workload identity provider can sign right now.",
    ),
    "sts.MalformedCertificateSigningRequest": Row(
        lambda: sts_errors.MalformedCertificateSigningRequest("not a CSR"),
        "MalformedCertificateSigningRequestException",
        400,
        "not a CSR",
    ),
    "sts.ResourceNotFound.provider": Row(
        lambda: sts_errors.ResourceNotFound.provider("arn:aws:iam::111122223333:workload-identity-provider/p"),
        "ResourceNotFoundException",
        404,
        "Workload identity provider arn:aws:iam::111122223333:workload-identity-provider/p not found.",
    ),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_error_is_pinned(row: Row) -> None:
    err = row.make()
    assert (err.code, err.status, err.message, err.extra) == (row.code, row.status, row.message, row.extra)
    assert err.fault == ("Receiver" if row.status >= 500 else "Sender")


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_every_protocol_renders_it(row: Row) -> None:
    err = row.make()
    query = render_error(err, "https://sts.amazonaws.com/doc/2011-06-15/", "req")
    s3 = render_s3_error(err, "req", "host")
    status, code, body = json_protocol.encode_error(err)
    assert json.loads(body)["__type"] == code
    if err.empty_body:
        assert query == s3 == b""
        return
    assert row.code.encode() in query
    assert f"<Code>{row.code}</Code>".encode() in s3
    assert status in (400, row.status)


def _classes(base: type[AwsError]) -> set[type[AwsError]]:
    found: set[type[AwsError]] = set()
    for sub in base.__subclasses__():
        found |= {sub} | _classes(sub)
    return found


def test_every_error_class_is_in_the_table() -> None:
    for name in ERROR_MODULES:
        importlib.import_module(name)
    defined = {
        c
        for c in _classes(AwsError)
        if c.__module__ in ERROR_MODULES
        and c is not errors.CodedError
        and not c.__name__.startswith("_")
        and c.__name__ not in ABSTRACT
    }
    pinned = {type(row.make()) for row in ROWS.values()}
    assert sorted(c.__qualname__ for c in defined - pinned) == []
