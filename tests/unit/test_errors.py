"""Every error class, pinned: its code, status, message and extra members, from one table.

A change to any wording or status fails here, and a new error class fails
``test_every_error_class_is_in_the_table`` until its row is added. Each row also renders
through the three protocols' renderers.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

import credmint
from credmint import errors
from credmint.cloudtrail import errors as cloudtrail_errors
from credmint.errors import AwsError
from credmint.federation import errors as federation_errors
from credmint.iam import errors as iam_errors
from credmint.orgs import errors as orgs_errors
from credmint.sigv4 import errors as sigv4_errors
from credmint.sts import errors as sts_errors
from credmint.wire import errors as wire_errors
from credmint.wire import json_protocol, render_error
from credmint.wire.s3 import render_s3_error

#: The modules that hold error classes; a class defined anywhere else is not looked for.
ERROR_MODULES = (
    "credmint.errors",
    "credmint.sts.errors",
    "credmint.orgs.errors",
    "credmint.cloudtrail.errors",
    "credmint.sigv4.errors",
    "credmint.federation.errors",
    "credmint.iam.errors",
    "credmint.wire.errors",
)
#: Bases that are never raised themselves.
ABSTRACT = {"OrganizationsError"}


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
    "UnparsableRequest": Row(
        lambda: errors.UnparsableRequest(),
        "BadRequest",
        400,
        "An error occurred when parsing the HTTP request.",
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
    "MalformedPolicyDocument": Row(
        lambda: errors.MalformedPolicyDocument("Syntax errors in policy."),
        "MalformedPolicyDocument",
        400,
        "Syntax errors in policy.",
    ),
    # --- the wire's parsers
    "wire.MalformedPOSTRequest": Row(
        lambda: wire_errors.MalformedPOSTRequest(),
        "MalformedPOSTRequest",
        400,
        "The body of your POST request is not well-formed multipart/form-data.",
    ),
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
    "sts.ExpiredTradeInToken": Row(
        lambda: sts_errors.ExpiredTradeInToken(),
        "ExpiredTradeInTokenException",
        400,
        "The trade-in token has expired or is not valid.",
    ),
    "sts.InvalidAuthorizationMessage": Row(
        lambda: sts_errors.InvalidAuthorizationMessage(),
        "InvalidAuthorizationMessageException",
        400,
        "The message is invalid.",
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
    # --- Organizations
    "orgs.AccessDenied": Row(
        lambda: orgs_errors.AccessDenied(),
        "AccessDeniedException",
        400,
        "You don't have permissions to access this resource.",
    ),
    "orgs.AccessDenied.authorizer": Row(
        lambda: orgs_errors.AccessDenied(
            "User: arn:aws:iam::111122223333:user/u is not authorized to perform: organizations:ListRoots"
        ),
        "AccessDeniedException",
        400,
        "User: arn:aws:iam::111122223333:user/u is not authorized to perform: organizations:ListRoots",
    ),
    "orgs.AccessDenied.own_handshake": Row(
        lambda: orgs_errors.AccessDenied.own_handshake(),
        "AccessDeniedException",
        400,
        "You can't accept a handshake that your organization sent.",
    ),
    "orgs.AccessDenied.decline_not_recipient": Row(
        lambda: orgs_errors.AccessDenied.decline_not_recipient(),
        "AccessDeniedException",
        400,
        "Only the recipient of a handshake can decline it.",
    ),
    "orgs.AccessDenied.cancel_not_sender": Row(
        lambda: orgs_errors.AccessDenied.cancel_not_sender(),
        "AccessDeniedException",
        400,
        "Only the organization that sent a handshake can cancel it.",
    ),
    "orgs.NotInUse": Row(
        lambda: orgs_errors.NotInUse(),
        "AWSOrganizationsNotInUseException",
        400,
        "Your account is not a member of an organization.",
    ),
    "orgs.InvalidInput.value": Row(
        lambda: orgs_errors.InvalidInput.value("Name", "INVALID_PATTERN"),
        "InvalidInputException",
        400,
        "You specified an invalid value for Name.",
        (("Reason", "INVALID_PATTERN"),),
    ),
    "orgs.InvalidInput.next_token": Row(
        lambda: orgs_errors.InvalidInput.next_token(),
        "InvalidInputException",
        400,
        "You specified an invalid value for nextToken.",
        (("Reason", "INVALID_NEXT_TOKEN"),),
    ),
    "orgs.InvalidInput.duplicate_tag_keys": Row(
        lambda: orgs_errors.InvalidInput.duplicate_tag_keys(),
        "InvalidInputException",
        400,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
        (("Reason", "INVALID_INPUT"),),
    ),
    "orgs.InvalidInput.too_many_tags": Row(
        lambda: orgs_errors.InvalidInput.too_many_tags(50),
        "InvalidInputException",
        400,
        "The number of tags has reached the maximum limit of 50.",
        (("Reason", "INVALID_INPUT"),),
    ),
    "orgs.InvalidInput.target_not_supported": Row(
        lambda: orgs_errors.InvalidInput.target_not_supported(),
        "InvalidInputException",
        400,
        "You specified a target that isn't supported for this operation.",
        (("Reason", "TARGET_NOT_SUPPORTED"),),
    ),
    "orgs.InvalidInput.one_filter": Row(
        lambda: orgs_errors.InvalidInput.one_filter(),
        "InvalidInputException",
        400,
        "You can specify only one filter parameter for the operation.",
        (("Reason", "MAX_LIMIT_EXCEEDED_FILTER"),),
    ),
    "orgs.InvalidInput.target_account_id": Row(
        lambda: orgs_errors.InvalidInput.target_account_id(),
        "InvalidInputException",
        400,
        "You specified an invalid value for the target account id.",
        (("Reason", "INVALID_PATTERN_TARGET_ID"),),
    ),
    "orgs.InvalidInput.target_email": Row(
        lambda: orgs_errors.InvalidInput.target_email(),
        "InvalidInputException",
        400,
        "You specified an invalid email address for the invited account.",
        (("Reason", "INVALID_EMAIL_ADDRESS_TARGET"),),
    ),
    "orgs.InvalidInput.target_organization": Row(
        lambda: orgs_errors.InvalidInput.target_organization(),
        "InvalidInputException",
        400,
        "You can't specify an organization as the target of an invitation.",
        (("Reason", "INVALID_PARTY_TYPE_TARGET"),),
    ),
    "orgs.InvalidInput.non_detachable_policy": Row(
        lambda: orgs_errors.InvalidInput.non_detachable_policy(),
        "InvalidInputException",
        400,
        "You can't detach this AWS Managed Policy.",
        (("Reason", "NON_DETACHABLE_POLICY"),),
    ),
    "orgs.InvalidInput.immutable_policy": Row(
        lambda: orgs_errors.InvalidInput.immutable_policy(),
        "InvalidInputException",
        400,
        "You specified a policy that is managed by AWS and can't be modified.",
        (("Reason", "IMMUTABLE_POLICY"),),
    ),
    "orgs.InvalidInput.unsupported_action": Row(
        lambda: orgs_errors.InvalidInput.unsupported_action("organizations:CloseAccount"),
        "InvalidInputException",
        400,
        "The action organizations:CloseAccount is not supported in a resource-based delegation policy.",
        (("Reason", "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),),
    ),
    "orgs.InvalidInput.resource_policy_json": Row(
        lambda: orgs_errors.InvalidInput.resource_policy_json("Syntax errors in policy."),
        "InvalidInputException",
        400,
        "Syntax errors in policy.",
        (("Reason", "INVALID_RESOURCE_POLICY_JSON"),),
    ),
    "orgs.InvalidInput.resource_policy_json-default": Row(
        lambda: orgs_errors.InvalidInput.resource_policy_json(None),
        "InvalidInputException",
        400,
        "The policy is malformed.",
        (("Reason", "INVALID_RESOURCE_POLICY_JSON"),),
    ),
    "orgs.InvalidInput.principal": Row(
        lambda: orgs_errors.InvalidInput.principal("arn:aws:iam::111122223333:user/gone"),
        "InvalidInputException",
        400,
        "Invalid principal in policy: arn:aws:iam::111122223333:user/gone",
        (("Reason", "INVALID_PRINCIPAL"),),
    ),
    "orgs.ConcurrentModification": Row(
        lambda: orgs_errors.ConcurrentModification(),
        "ConcurrentModificationException",
        400,
        "The target of the operation is currently being modified by a different request. Try again later.",
    ),
    "orgs.ConstraintViolation.all_features_required": Row(
        lambda: orgs_errors.ConstraintViolation.all_features_required(),
        "ConstraintViolationException",
        400,
        "The organization must have all features enabled to perform this operation.",
        (("Reason", "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE"),),
    ),
    "orgs.ConstraintViolation.delegated_administrator_member": Row(
        lambda: orgs_errors.ConstraintViolation.delegated_administrator_member(),
        "ConstraintViolationException",
        400,
        "You can't remove an account that is a delegated administrator. Deregister it first.",
        (("Reason", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"),),
    ),
    "orgs.ConstraintViolation.close_management_account": Row(
        lambda: orgs_errors.ConstraintViolation.close_management_account(),
        "ConstraintViolationException",
        400,
        "You can't close the management account with this operation.",
        (("Reason", "CANNOT_CLOSE_MANAGEMENT_ACCOUNT"),),
    ),
    "orgs.ConstraintViolation.close_quota": Row(
        lambda: orgs_errors.ConstraintViolation.close_quota(),
        "ConstraintViolationException",
        400,
        "You have exceeded the number of accounts that you can close in a 30-day period.",
        (("Reason", "CLOSE_ACCOUNT_QUOTA_EXCEEDED"),),
    ),
    "orgs.ConstraintViolation.govcloud_not_enabled": Row(
        lambda: orgs_errors.ConstraintViolation.govcloud_not_enabled(),
        "ConstraintViolationException",
        400,
        "The management account must be associated with an AWS GovCloud (US) account to create GovCloud accounts.",
        (("Reason", "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED"),),
    ),
    "orgs.ConstraintViolation.register_management_account": Row(
        lambda: orgs_errors.ConstraintViolation.register_management_account(),
        "ConstraintViolationException",
        400,
        "You cannot register the management account of the organization as a delegated administrator for an AWS service integrated with Organizations.",
        (("Reason", "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"),),
    ),
    "orgs.ConstraintViolation.service_access_not_enabled": Row(
        lambda: orgs_errors.ConstraintViolation.service_access_not_enabled(),
        "ConstraintViolationException",
        400,
        "You attempted to register a delegated administrator for a service that does not have trusted access enabled in the organization.",
        (("Reason", "SERVICE_ACCESS_NOT_ENABLED"),),
    ),
    "orgs.ConstraintViolation.policy_too_large": Row(
        lambda: orgs_errors.ConstraintViolation.policy_too_large(),
        "ConstraintViolationException",
        400,
        "You attempted to create a policy that is larger than the maximum size.",
        (("Reason", "POLICY_CONTENT_LIMIT_EXCEEDED"),),
    ),
    "orgs.ConstraintViolation.too_many_attached": Row(
        lambda: orgs_errors.ConstraintViolation.too_many_attached(),
        "ConstraintViolationException",
        400,
        "You attempted to exceed the number of policies of a certain type that can be attached to an entity.",
        (("Reason", "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"),),
    ),
    "orgs.ConstraintViolation.too_few_attached": Row(
        lambda: orgs_errors.ConstraintViolation.too_few_attached(),
        "ConstraintViolationException",
        400,
        "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.",
        (("Reason", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"),),
    ),
    "orgs.ConstraintViolation.ou_depth": Row(
        lambda: orgs_errors.ConstraintViolation.ou_depth(),
        "ConstraintViolationException",
        400,
        "You have reached the maximum depth of OUs in your organization.",
        (("Reason", "OU_DEPTH_LIMIT_EXCEEDED"),),
    ),
    "orgs.ConstraintViolation.billing_prerequisite": Row(
        lambda: orgs_errors.ConstraintViolation.billing_prerequisite(),
        "ConstraintViolationException",
        400,
        "The organization doesn't meet the billing prerequisites for a responsibility transfer.",
        (("Reason", "UNMET_BILLING_PREREQUISITE"),),
    ),
    "orgs.AlreadyInOrganization": Row(
        lambda: orgs_errors.AlreadyInOrganization(),
        "AlreadyInOrganizationException",
        400,
        "The AWS account is already a member of an organization.",
    ),
    "orgs.OrganizationNotEmpty": Row(
        lambda: orgs_errors.OrganizationNotEmpty(),
        "OrganizationNotEmptyException",
        400,
        "The organization isn't empty. To delete an organization, you must first remove all member accounts except the management account.",
    ),
    "orgs.AccountNotFound": Row(
        lambda: orgs_errors.AccountNotFound(),
        "AccountNotFoundException",
        400,
        "You specified an account that doesn't exist.",
    ),
    "orgs.CreateAccountStatusNotFound": Row(
        lambda: orgs_errors.CreateAccountStatusNotFound(),
        "CreateAccountStatusNotFoundException",
        400,
        "We can't find an create account request with the CreateAccountRequestId that you specified.",
    ),
    "orgs.SourceParentNotFound": Row(
        lambda: orgs_errors.SourceParentNotFound(),
        "SourceParentNotFoundException",
        400,
        "We can't find a source root or OU with the ParentId that you specified.",
    ),
    "orgs.DestinationParentNotFound": Row(
        lambda: orgs_errors.DestinationParentNotFound(),
        "DestinationParentNotFoundException",
        400,
        "We can't find the destination container (a root or OU) with the ParentId that you specified.",
    ),
    "orgs.DuplicateAccount": Row(
        lambda: orgs_errors.DuplicateAccount(),
        "DuplicateAccountException",
        400,
        "That account is already present in the specified destination.",
    ),
    "orgs.MasterCannotLeaveOrganization": Row(
        lambda: orgs_errors.MasterCannotLeaveOrganization(),
        "MasterCannotLeaveOrganizationException",
        400,
        "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization.",
    ),
    "orgs.AccountAlreadyClosed": Row(
        lambda: orgs_errors.AccountAlreadyClosed(),
        "AccountAlreadyClosedException",
        400,
        "You attempted to close an account that is already closed.",
    ),
    "orgs.AccountAlreadyRegistered": Row(
        lambda: orgs_errors.AccountAlreadyRegistered(),
        "AccountAlreadyRegisteredException",
        400,
        "The provided account is already a delegated administrator for your organization.",
    ),
    "orgs.AccountNotRegistered.for_service": Row(
        lambda: orgs_errors.AccountNotRegistered.for_service(),
        "AccountNotRegisteredException",
        400,
        "The provided account is not a registered delegated administrator for this service.",
    ),
    "orgs.AccountNotRegistered.anywhere": Row(
        lambda: orgs_errors.AccountNotRegistered.anywhere(),
        "AccountNotRegisteredException",
        400,
        "The provided account is not a registered delegated administrator.",
    ),
    "orgs.RootNotFound": Row(
        lambda: orgs_errors.RootNotFound(),
        "RootNotFoundException",
        400,
        "We can't find a root with the RootId that you specified.",
    ),
    "orgs.ParentNotFound": Row(
        lambda: orgs_errors.ParentNotFound(),
        "ParentNotFoundException",
        400,
        "We can't find a root or OU with the ParentId that you specified.",
    ),
    "orgs.ChildNotFound": Row(
        lambda: orgs_errors.ChildNotFound(),
        "ChildNotFoundException",
        400,
        "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
    ),
    "orgs.TargetNotFound": Row(
        lambda: orgs_errors.TargetNotFound(),
        "TargetNotFoundException",
        400,
        "We can't find a root, OU, account, or policy with the TargetId that you specified.",
    ),
    "orgs.OrganizationalUnitNotFound": Row(
        lambda: orgs_errors.OrganizationalUnitNotFound(),
        "OrganizationalUnitNotFoundException",
        400,
        "We can't find an OU with the OrganizationalUnitId that you specified.",
    ),
    "orgs.DuplicateOrganizationalUnit": Row(
        lambda: orgs_errors.DuplicateOrganizationalUnit(),
        "DuplicateOrganizationalUnitException",
        400,
        "An OU with the same name already exists.",
    ),
    "orgs.OrganizationalUnitNotEmpty": Row(
        lambda: orgs_errors.OrganizationalUnitNotEmpty(),
        "OrganizationalUnitNotEmptyException",
        400,
        "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.",
    ),
    "orgs.PolicyNotFound": Row(
        lambda: orgs_errors.PolicyNotFound(),
        "PolicyNotFoundException",
        400,
        "We can't find a policy with the PolicyId that you specified.",
    ),
    "orgs.MalformedPolicyDocument": Row(
        lambda: orgs_errors.MalformedPolicyDocument(),
        "MalformedPolicyDocumentException",
        400,
        "The provided policy document doesn't meet the requirements of the specified policy type.",
    ),
    "orgs.DuplicatePolicy": Row(
        lambda: orgs_errors.DuplicatePolicy(),
        "DuplicatePolicyException",
        400,
        "A policy with the same name already exists.",
    ),
    "orgs.PolicyInUse": Row(
        lambda: orgs_errors.PolicyInUse(),
        "PolicyInUseException",
        400,
        "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.",
    ),
    "orgs.PolicyTypeNotAvailableForOrganization": Row(
        lambda: orgs_errors.PolicyTypeNotAvailableForOrganization(),
        "PolicyTypeNotAvailableForOrganizationException",
        400,
        "You can't use the specified policy type with the feature set currently enabled for this organization.",
    ),
    "orgs.PolicyTypeNotEnabled": Row(
        lambda: orgs_errors.PolicyTypeNotEnabled(),
        "PolicyTypeNotEnabledException",
        400,
        "This operation can be performed only for enabled policy types.",
    ),
    "orgs.PolicyTypeAlreadyEnabled": Row(
        lambda: orgs_errors.PolicyTypeAlreadyEnabled(),
        "PolicyTypeAlreadyEnabledException",
        400,
        "The specified policy type is already enabled in the specified root.",
    ),
    "orgs.DuplicatePolicyAttachment": Row(
        lambda: orgs_errors.DuplicatePolicyAttachment(),
        "DuplicatePolicyAttachmentException",
        400,
        "The selected policy is already attached to the specified target.",
    ),
    "orgs.PolicyNotAttached": Row(
        lambda: orgs_errors.PolicyNotAttached(),
        "PolicyNotAttachedException",
        400,
        "The policy isn't attached to the specified target in the specified root.",
    ),
    "orgs.EffectivePolicyNotFound": Row(
        lambda: orgs_errors.EffectivePolicyNotFound(),
        "EffectivePolicyNotFoundException",
        400,
        "We can't find an effective policy of the type that you specified.",
    ),
    "orgs.ResourcePolicyNotFound": Row(
        lambda: orgs_errors.ResourcePolicyNotFound(),
        "ResourcePolicyNotFoundException",
        400,
        "We can't find a resource policy request with the parameter that you specified.",
    ),
    "orgs.ResponsibilityTransferNotFound": Row(
        lambda: orgs_errors.ResponsibilityTransferNotFound(),
        "ResponsibilityTransferNotFoundException",
        400,
        "We can't find a transfer that you specified.",
    ),
    "orgs.HandshakeNotFound": Row(
        lambda: orgs_errors.HandshakeNotFound(),
        "HandshakeNotFoundException",
        400,
        "We can't find a handshake with the HandshakeId that you specified.",
    ),
    "orgs.DuplicateHandshake": Row(
        lambda: orgs_errors.DuplicateHandshake(),
        "DuplicateHandshakeException",
        400,
        "A handshake with the same action and target already exists.",
    ),
    "orgs.InvalidHandshakeTransition": Row(
        lambda: orgs_errors.InvalidHandshakeTransition(),
        "InvalidHandshakeTransitionException",
        400,
        "You can't perform the operation on the handshake in its current state.",
    ),
    "orgs.HandshakeAlreadyInState": Row(
        lambda: orgs_errors.HandshakeAlreadyInState("ACCEPTED"),
        "HandshakeAlreadyInStateException",
        400,
        "The specified handshake is already in the requested state: ACCEPTED.",
    ),
    "orgs.HandshakeConstraintViolation.already_in_organization": Row(
        lambda: orgs_errors.HandshakeConstraintViolation.already_in_organization(),
        "HandshakeConstraintViolationException",
        400,
        "The account is already a member of an organization.",
        (("Reason", "ALREADY_IN_AN_ORGANIZATION"),),
    ),
    "orgs.HandshakeConstraintViolation.invite_during_migration": Row(
        lambda: orgs_errors.HandshakeConstraintViolation.invite_during_migration(),
        "HandshakeConstraintViolationException",
        400,
        "You can't invite accounts while the organization is migrating to all features.",
        (("Reason", "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES"),),
    ),
    "orgs.HandshakeConstraintViolation.rate_limit": Row(
        lambda: orgs_errors.HandshakeConstraintViolation.rate_limit(),
        "HandshakeConstraintViolationException",
        400,
        "You have sent too many invitations today. Try again tomorrow.",
        (("Reason", "HANDSHAKE_RATE_LIMIT_EXCEEDED"),),
    ),
    "orgs.HandshakeConstraintViolation.already_all_features": Row(
        lambda: orgs_errors.HandshakeConstraintViolation.already_all_features(),
        "HandshakeConstraintViolationException",
        400,
        "The organization already has all features enabled.",
        (("Reason", "ORGANIZATION_ALREADY_HAS_ALL_FEATURES"),),
    ),
    "orgs.HandshakeConstraintViolation.already_migrating": Row(
        lambda: orgs_errors.HandshakeConstraintViolation.already_migrating(),
        "HandshakeConstraintViolationException",
        400,
        "The organization is already migrating to all features.",
        (("Reason", "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION"),),
    ),
    # --- CloudTrail
    "cloudtrail.InvalidLookupAttributes.constraint": Row(
        lambda: cloudtrail_errors.InvalidLookupAttributes.constraint(
            "1 validation error detected: Value 'x' at 'lookupAttributes.1.member.attributeKey' failed to satisfy constraint"
        ),
        "InvalidLookupAttributesException",
        400,
        "1 validation error detected: Value 'x' at 'lookupAttributes.1.member.attributeKey' failed to satisfy constraint",
    ),
    "cloudtrail.InvalidLookupAttributes.more_than_one": Row(
        lambda: cloudtrail_errors.InvalidLookupAttributes.more_than_one(),
        "InvalidLookupAttributesException",
        400,
        "You can specify at most one lookup attribute.",
    ),
    "cloudtrail.InvalidLookupAttributes.incomplete": Row(
        lambda: cloudtrail_errors.InvalidLookupAttributes.incomplete(),
        "InvalidLookupAttributesException",
        400,
        "A lookup attribute needs a key and a value.",
    ),
    "cloudtrail.InvalidLookupAttributes.read_only": Row(
        lambda: cloudtrail_errors.InvalidLookupAttributes.read_only(),
        "InvalidLookupAttributesException",
        400,
        "ReadOnly must be true or false.",
    ),
    "cloudtrail.InvalidMaxResults": Row(
        lambda: cloudtrail_errors.InvalidMaxResults(),
        "InvalidMaxResultsException",
        400,
        "Value for MaxResults must be between 1 and 50.",
    ),
    "cloudtrail.InvalidTimeRange": Row(
        lambda: cloudtrail_errors.InvalidTimeRange(),
        "InvalidTimeRangeException",
        400,
        "StartTime must be before EndTime.",
    ),
    "cloudtrail.InvalidNextToken": Row(
        lambda: cloudtrail_errors.InvalidNextToken(), "InvalidNextTokenException", 400, "Invalid NextToken."
    ),
    "cloudtrail.InvalidEventCategory": Row(
        lambda: cloudtrail_errors.InvalidEventCategory(), "InvalidEventCategoryException", 400, "Invalid EventCategory."
    ),
    # --- the signature (SigV4, SigV2, aws-chunked)
    "sigv4.IncompleteSignature.unsupported_algorithm": Row(
        lambda: sigv4_errors.IncompleteSignature.unsupported_algorithm("AWS4-HMAC-SHA512"),
        "IncompleteSignature",
        400,
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.",
    ),
    "sigv4.IncompleteSignature.not_key_value": Row(
        lambda: sigv4_errors.IncompleteSignature.not_key_value("Credential", "AWS4-HMAC-SHA256 Credential"),
        "IncompleteSignature",
        400,
        "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential'",
    ),
    "sigv4.IncompleteSignature.header_missing": Row(
        lambda: sigv4_errors.IncompleteSignature.header_missing(
            "AWS4-HMAC-SHA256 x=y", credential=True, signature=True, signed_headers=True, date=True
        ),
        "IncompleteSignature",
        400,
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 x=y",
    ),
    "sigv4.IncompleteSignature.header_missing-signature": Row(
        lambda: sigv4_errors.IncompleteSignature.header_missing(
            "AWS4-HMAC-SHA256 x=y", credential=False, signature=True, signed_headers=False, date=False
        ),
        "IncompleteSignature",
        400,
        "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 x=y",
    ),
    "sigv4.IncompleteSignature.query_missing": Row(
        lambda: sigv4_errors.IncompleteSignature.query_missing(["X-Amz-Credential", "X-Amz-Date"]),
        "IncompleteSignature",
        400,
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
    ),
    "sigv4.IncompleteSignature.bad_date": Row(
        lambda: sigv4_errors.IncompleteSignature.bad_date("yesterday"),
        "IncompleteSignature",
        400,
        "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601",
    ),
    "sigv4.IncompleteSignature.credential_elements": Row(
        lambda: sigv4_errors.IncompleteSignature.credential_elements("AKID/20260101"),
        "IncompleteSignature",
        400,
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20260101'",
    ),
    "sigv4.SignatureDoesNotMatch.query": Row(
        lambda: sigv4_errors.SignatureDoesNotMatch.query(),
        "SignatureDoesNotMatch",
        403,
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    ),
    "sigv4.SignatureDoesNotMatch.bare": Row(
        lambda: sigv4_errors.SignatureDoesNotMatch.bare(), "SignatureDoesNotMatch", 403, None
    ),
    "sigv4.SignatureDoesNotMatch.host_not_signed": Row(
        lambda: sigv4_errors.SignatureDoesNotMatch.host_not_signed(),
        "SignatureDoesNotMatch",
        403,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    ),
    "sigv4.SignatureDoesNotMatch.expired": Row(
        lambda: sigv4_errors.SignatureDoesNotMatch.expired("20260101T000000Z", "20260101T004500Z", "20260101T010000Z"),
        "SignatureDoesNotMatch",
        403,
        "Signature expired: 20260101T000000Z is now earlier than 20260101T004500Z (20260101T010000Z - 15 min.)",
    ),
    "sigv4.SignatureDoesNotMatch.not_yet_current": Row(
        lambda: sigv4_errors.SignatureDoesNotMatch.not_yet_current(
            "20260101T020000Z", "20260101T011500Z", "20260101T010000Z"
        ),
        "SignatureDoesNotMatch",
        403,
        "Signature not yet current: 20260101T020000Z is still later than 20260101T011500Z (20260101T010000Z + 15 min.)",
    ),
    "sigv4.SignatureDoesNotMatch.scope": Row(
        lambda: sigv4_errors.SignatureDoesNotMatch.scope(
            "sts",
            "aws4_req",
            "20260102",
            "20260101T000000Z",
            region_ok=False,
            service_ok=False,
            terminator_ok=False,
            date_ok=False,
        ),
        "SignatureDoesNotMatch",
        403,
        "Credential should be scoped to a valid region. Credential should be scoped to correct service: 'sts'. Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_req'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260102' != '20260101', from '20260101T000000Z'. ",
    ),
    "sigv4.SignatureDoesNotMatch.scope-date": Row(
        lambda: sigv4_errors.SignatureDoesNotMatch.scope(
            "sts",
            "aws4_request",
            "20260102",
            "20260101T000000Z",
            region_ok=True,
            service_ok=True,
            terminator_ok=True,
            date_ok=False,
        ),
        "SignatureDoesNotMatch",
        403,
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260102' != '20260101', from '20260101T000000Z'. ",
    ),
    "sigv4.SignatureDoesNotMatch.s3": Row(
        lambda: sigv4_errors.SignatureDoesNotMatch.s3("AKIDEXAMPLE", "AWS4\nx", "abc", "GET\n/"),
        "SignatureDoesNotMatch",
        403,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        (
            ("AWSAccessKeyId", "AKIDEXAMPLE"),
            ("StringToSign", "AWS4\nx"),
            ("SignatureProvided", "abc"),
            ("StringToSignBytes", "41 57 53 34 0a 78"),
            ("CanonicalRequest", "GET\n/"),
            ("CanonicalRequestBytes", "47 45 54 0a 2f"),
        ),
    ),
    "sigv4.SignatureDoesNotMatch.s3_v2": Row(
        lambda: sigv4_errors.SignatureDoesNotMatch.s3_v2("AKIDEXAMPLE", "GET\n\n\n", "abc="),
        "SignatureDoesNotMatch",
        403,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        (
            ("AWSAccessKeyId", "AKIDEXAMPLE"),
            ("StringToSign", "GET\n\n\n"),
            ("SignatureProvided", "abc="),
            ("StringToSignBytes", "47 45 54 0a 0a 0a"),
        ),
    ),
    "sigv4.SignatureDoesNotMatch.s3_chunk": Row(
        lambda: sigv4_errors.SignatureDoesNotMatch.s3_chunk(),
        "SignatureDoesNotMatch",
        403,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    ),
    "sigv4.InvalidArgument.one_auth_mechanism": Row(
        lambda: sigv4_errors.InvalidArgument.one_auth_mechanism("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        "InvalidArgument",
        400,
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
        (("ArgumentName", "X-Amz-Algorithm"), ("ArgumentValue", "AWS4-HMAC-SHA256")),
    ),
    "sigv4.InvalidArgument.authorization_type": Row(
        lambda: sigv4_errors.InvalidArgument.authorization_type("Bearer x"),
        "InvalidArgument",
        400,
        "Unsupported Authorization Type",
        (("ArgumentName", "Authorization"), ("ArgumentValue", "Bearer x")),
    ),
    "sigv4.InvalidArgument.v2_authorization": Row(
        lambda: sigv4_errors.InvalidArgument.v2_authorization("AWS nocolon"),
        "InvalidArgument",
        400,
        "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
        (("ArgumentName", "Authorization"), ("ArgumentValue", "AWS nocolon")),
    ),
    "sigv4.InvalidArgument.payload_hash": Row(
        lambda: sigv4_errors.InvalidArgument.payload_hash("nothex"),
        "InvalidArgument",
        400,
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
        (("ArgumentName", "x-amz-content-sha256"), ("ArgumentValue", "nothex")),
    ),
    "sigv4.AuthorizationHeaderMalformed.component": Row(
        lambda: sigv4_errors.AuthorizationHeaderMalformed.component("Credential"),
        "AuthorizationHeaderMalformed",
        400,
        'The authorization header is malformed; the authorization component "Credential" is malformed.',
    ),
    "sigv4.AuthorizationHeaderMalformed.three_components": Row(
        lambda: sigv4_errors.AuthorizationHeaderMalformed.three_components(),
        "AuthorizationHeaderMalformed",
        400,
        "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.",
    ),
    "sigv4.AuthorizationHeaderMalformed.credential_malformed": Row(
        lambda: sigv4_errors.AuthorizationHeaderMalformed.credential_malformed(),
        "AuthorizationHeaderMalformed",
        400,
        'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    ),
    "sigv4.AuthorizationHeaderMalformed.wrong_region": Row(
        lambda: sigv4_errors.AuthorizationHeaderMalformed.wrong_region("eu-west-1", "us-east-1"),
        "AuthorizationHeaderMalformed",
        400,
        "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
        (("Region", "us-east-1"),),
    ),
    "sigv4.AuthorizationHeaderMalformed.wrong_service": Row(
        lambda: sigv4_errors.AuthorizationHeaderMalformed.wrong_service("sts", "s3"),
        "AuthorizationHeaderMalformed",
        400,
        'The authorization header is malformed; incorrect service "sts". This endpoint belongs to "s3".',
    ),
    "sigv4.AuthorizationHeaderMalformed.wrong_terminal": Row(
        lambda: sigv4_errors.AuthorizationHeaderMalformed.wrong_terminal("aws4_req"),
        "AuthorizationHeaderMalformed",
        400,
        'The authorization header is malformed; incorrect terminal "aws4_req". This endpoint uses "aws4_request".',
    ),
    "sigv4.AuthorizationHeaderMalformed.wrong_date": Row(
        lambda: sigv4_errors.AuthorizationHeaderMalformed.wrong_date(),
        "AuthorizationHeaderMalformed",
        400,
        "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.",
    ),
    "sigv4.AuthorizationQueryParametersError.algorithm": Row(
        lambda: sigv4_errors.AuthorizationQueryParametersError.algorithm(),
        "AuthorizationQueryParametersError",
        400,
        'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
    ),
    "sigv4.AuthorizationQueryParametersError.missing": Row(
        lambda: sigv4_errors.AuthorizationQueryParametersError.missing(),
        "AuthorizationQueryParametersError",
        400,
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    ),
    "sigv4.AuthorizationQueryParametersError.date": Row(
        lambda: sigv4_errors.AuthorizationQueryParametersError.date(),
        "AuthorizationQueryParametersError",
        400,
        "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
    ),
    "sigv4.AuthorizationQueryParametersError.expires_not_number": Row(
        lambda: sigv4_errors.AuthorizationQueryParametersError.expires_not_number(),
        "AuthorizationQueryParametersError",
        400,
        "X-Amz-Expires should be a number",
    ),
    "sigv4.AuthorizationQueryParametersError.expires_negative": Row(
        lambda: sigv4_errors.AuthorizationQueryParametersError.expires_negative(),
        "AuthorizationQueryParametersError",
        400,
        "X-Amz-Expires must be non-negative",
    ),
    "sigv4.AuthorizationQueryParametersError.expires_too_long": Row(
        lambda: sigv4_errors.AuthorizationQueryParametersError.expires_too_long(),
        "AuthorizationQueryParametersError",
        400,
        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
    ),
    "sigv4.AuthorizationQueryParametersError.credential_malformed": Row(
        lambda: sigv4_errors.AuthorizationQueryParametersError.credential_malformed(),
        "AuthorizationQueryParametersError",
        400,
        'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    ),
    "sigv4.AuthorizationQueryParametersError.wrong_region": Row(
        lambda: sigv4_errors.AuthorizationQueryParametersError.wrong_region("eu-west-1", "us-east-1"),
        "AuthorizationQueryParametersError",
        400,
        "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
        (("Region", "us-east-1"),),
    ),
    "sigv4.AuthorizationQueryParametersError.wrong_service": Row(
        lambda: sigv4_errors.AuthorizationQueryParametersError.wrong_service("sts", "s3"),
        "AuthorizationQueryParametersError",
        400,
        'Error parsing the X-Amz-Credential parameter; incorrect service "sts". This endpoint belongs to "s3".',
    ),
    "sigv4.AuthorizationQueryParametersError.wrong_terminal": Row(
        lambda: sigv4_errors.AuthorizationQueryParametersError.wrong_terminal("aws4_req"),
        "AuthorizationQueryParametersError",
        400,
        'Error parsing the X-Amz-Credential parameter; incorrect terminal "aws4_req". This endpoint uses "aws4_request".',
    ),
    "sigv4.AuthorizationQueryParametersError.wrong_date": Row(
        lambda: sigv4_errors.AuthorizationQueryParametersError.wrong_date(),
        "AuthorizationQueryParametersError",
        400,
        "Error parsing the X-Amz-Credential parameter; Invalid credential date. Date is not the same as X-Amz-Date.",
    ),
    "sigv4.AccessDenied.missing_date": Row(
        lambda: sigv4_errors.AccessDenied.missing_date(),
        "AccessDenied",
        403,
        "AWS authentication requires a valid Date or x-amz-date header",
    ),
    "sigv4.AccessDenied.expired": Row(
        lambda: sigv4_errors.AccessDenied.expired("3600", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"),
        "AccessDenied",
        403,
        "Request has expired",
        (("X-Amz-Expires", "3600"), ("Expires", "2026-01-01T01:00:00Z"), ("ServerTime", "2026-01-01T02:00:00Z")),
    ),
    "sigv4.AccessDenied.expired_v2": Row(
        lambda: sigv4_errors.AccessDenied.expired_v2("2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"),
        "AccessDenied",
        403,
        "Request has expired",
        (("Expires", "2026-01-01T01:00:00Z"), ("ServerTime", "2026-01-01T02:00:00Z")),
    ),
    "sigv4.AccessDenied.not_yet_valid": Row(
        lambda: sigv4_errors.AccessDenied.not_yet_valid(), "AccessDenied", 403, "Request is not valid yet"
    ),
    "sigv4.AccessDenied.headers_not_signed": Row(
        lambda: sigv4_errors.AccessDenied.headers_not_signed("x-amz-acl, x-amz-meta-a"),
        "AccessDenied",
        403,
        "There were headers present in the request which were not signed",
        (("HeadersNotSigned", "x-amz-acl, x-amz-meta-a"),),
    ),
    "sigv4.AccessDenied.v2_query_parameters": Row(
        lambda: sigv4_errors.AccessDenied.v2_query_parameters(),
        "AccessDenied",
        403,
        "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
    ),
    "sigv4.AccessDenied.v2_expires": Row(
        lambda: sigv4_errors.AccessDenied.v2_expires("tomorrow"),
        "AccessDenied",
        403,
        "Invalid date (should be seconds since epoch): tomorrow",
    ),
    "sigv4.RequestTimeTooSkewed": Row(
        lambda: sigv4_errors.RequestTimeTooSkewed("20260101T000000Z", "2026-01-01T01:00:00Z"),
        "RequestTimeTooSkewed",
        403,
        "The difference between the request time and the current time is too large.",
        (
            ("RequestTime", "20260101T000000Z"),
            ("ServerTime", "2026-01-01T01:00:00Z"),
            ("MaxAllowedSkewMilliseconds", "900000"),
        ),
    ),
    "sigv4.InvalidRequest.missing_content_sha256": Row(
        lambda: sigv4_errors.InvalidRequest.missing_content_sha256(),
        "InvalidRequest",
        400,
        "Missing required header for this request: x-amz-content-sha256",
    ),
    "sigv4.InvalidRequest.checksum_value": Row(
        lambda: sigv4_errors.InvalidRequest.checksum_value("x-amz-checksum-crc32", trailing=False),
        "InvalidRequest",
        400,
        "Value for x-amz-checksum-crc32 header is invalid.",
    ),
    "sigv4.InvalidRequest.checksum_value-trailing": Row(
        lambda: sigv4_errors.InvalidRequest.checksum_value("x-amz-checksum-crc32", trailing=True),
        "InvalidRequest",
        400,
        "Value for x-amz-checksum-crc32 trailing header is invalid.",
    ),
    "sigv4.XAmzContentSHA256Mismatch": Row(
        lambda: sigv4_errors.XAmzContentSHA256Mismatch("aa", "bb"),
        "XAmzContentSHA256Mismatch",
        400,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        (("ClientComputedContentSHA256", "aa"), ("S3ComputedContentSHA256", "bb")),
    ),
    "sigv4.IncompleteBody": Row(
        lambda: sigv4_errors.IncompleteBody(),
        "IncompleteBody",
        400,
        "You did not provide the number of bytes specified by the Content-Length HTTP header",
    ),
    "sigv4.MissingContentLength": Row(
        lambda: sigv4_errors.MissingContentLength(),
        "MissingContentLength",
        411,
        "You must provide the Content-Length HTTP header.",
    ),
    "sigv4.InvalidChunkSize": Row(
        lambda: sigv4_errors.InvalidChunkSize(2, 100),
        "InvalidChunkSizeError",
        400,
        "Only the last chunk is allowed to have a size less than 8192 bytes",
        (("Chunk", "2"), ("BadChunkSize", "100")),
    ),
    "sigv4.MalformedTrailer": Row(
        lambda: sigv4_errors.MalformedTrailer(),
        "MalformedTrailerError",
        400,
        "The request contained trailing data that was not well-formed or did not conform to our published schema.",
    ),
    "sigv4.BadDigest": Row(
        lambda: sigv4_errors.BadDigest("CRC32"),
        "BadDigest",
        400,
        "The CRC32 you specified did not match the calculated checksum.",
    ),
    "sigv4.InvalidAccessKeyId": Row(
        lambda: sigv4_errors.InvalidAccessKeyId("AKIAEXAMPLE"),
        "InvalidAccessKeyId",
        403,
        "The AWS Access Key Id you provided does not exist in our records.",
        (("AWSAccessKeyId", "AKIAEXAMPLE"),),
    ),
    "sigv4.InvalidToken": Row(
        lambda: sigv4_errors.InvalidToken(),
        "InvalidToken",
        400,
        "The provided token is malformed or otherwise invalid.",
    ),
    "sigv4.ExpiredToken": Row(
        lambda: sigv4_errors.ExpiredToken(), "ExpiredToken", 400, "The provided token has expired."
    ),
    # --- federation (SAML, OIDC, JWKS)
    "federation.InvalidIdentityToken.not_a_jwt": Row(
        lambda: federation_errors.InvalidIdentityToken.not_a_jwt(),
        "InvalidIdentityToken",
        400,
        "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
    ),
    "federation.InvalidIdentityToken.token_too_long": Row(
        lambda: federation_errors.InvalidIdentityToken.token_too_long(),
        "InvalidIdentityToken",
        400,
        "The web identity token is too long",
    ),
    "federation.InvalidIdentityToken.bad_signature": Row(
        lambda: federation_errors.InvalidIdentityToken.bad_signature(),
        "InvalidIdentityToken",
        400,
        "The signature of the web identity token is invalid",
    ),
    "federation.InvalidIdentityToken.token_not_yet_valid": Row(
        lambda: federation_errors.InvalidIdentityToken.token_not_yet_valid(),
        "InvalidIdentityToken",
        400,
        "Token is not yet valid",
    ),
    "federation.InvalidIdentityToken.token_issued_in_future": Row(
        lambda: federation_errors.InvalidIdentityToken.token_issued_in_future(),
        "InvalidIdentityToken",
        400,
        "Token was issued in the future",
    ),
    "federation.InvalidIdentityToken.incorrect_audience": Row(
        lambda: federation_errors.InvalidIdentityToken.incorrect_audience(),
        "InvalidIdentityToken",
        400,
        "Incorrect token audience",
    ),
    "federation.InvalidIdentityToken.missing_sub": Row(
        lambda: federation_errors.InvalidIdentityToken.missing_sub(),
        "InvalidIdentityToken",
        400,
        "Missing or invalid claim: sub",
    ),
    "federation.InvalidIdentityToken.invalid_tags_claim": Row(
        lambda: federation_errors.InvalidIdentityToken.invalid_tags_claim(),
        "InvalidIdentityToken",
        400,
        "Invalid https://aws.amazon.com/tags claim",
    ),
    "federation.InvalidIdentityToken.invalid_source_identity_claim": Row(
        lambda: federation_errors.InvalidIdentityToken.invalid_source_identity_claim(),
        "InvalidIdentityToken",
        400,
        "Invalid https://aws.amazon.com/source_identity claim",
    ),
    "federation.InvalidIdentityToken.no_verification_key": Row(
        lambda: federation_errors.InvalidIdentityToken.no_verification_key(),
        "InvalidIdentityToken",
        400,
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
    ),
    "federation.InvalidIdentityToken.thumbprint_mismatch": Row(
        lambda: federation_errors.InvalidIdentityToken.thumbprint_mismatch(),
        "InvalidIdentityToken",
        400,
        "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
    ),
    "federation.InvalidIdentityToken.no_saml_provider": Row(
        lambda: federation_errors.InvalidIdentityToken.no_saml_provider(),
        "InvalidIdentityToken",
        400,
        "Specified provider doesn't exist",
    ),
    "federation.InvalidIdentityToken.invalid_saml_response": Row(
        lambda: federation_errors.InvalidIdentityToken.invalid_saml_response(),
        "InvalidIdentityToken",
        400,
        "Invalid SAML response",
    ),
    "federation.InvalidIdentityToken.invalid_base64": Row(
        lambda: federation_errors.InvalidIdentityToken.invalid_base64(),
        "InvalidIdentityToken",
        400,
        "Invalid base64 SAMLResponse",
    ),
    "federation.InvalidIdentityToken.response_signature_invalid": Row(
        lambda: federation_errors.InvalidIdentityToken.response_signature_invalid(),
        "InvalidIdentityToken",
        400,
        "Response signature invalid",
    ),
    "federation.InvalidIdentityToken.encrypted_assertions": Row(
        lambda: federation_errors.InvalidIdentityToken.encrypted_assertions(),
        "InvalidIdentityToken",
        400,
        "Encrypted assertions are not supported by this provider",
    ),
    "federation.InvalidIdentityToken.status_not_success": Row(
        lambda: federation_errors.InvalidIdentityToken.status_not_success(),
        "InvalidIdentityToken",
        400,
        "The SAML response status is not Success",
    ),
    "federation.InvalidIdentityToken.invalid_destination": Row(
        lambda: federation_errors.InvalidIdentityToken.invalid_destination(),
        "InvalidIdentityToken",
        400,
        "Invalid Destination in the SAML response",
    ),
    "federation.InvalidIdentityToken.response_issuer": Row(
        lambda: federation_errors.InvalidIdentityToken.response_issuer(),
        "InvalidIdentityToken",
        400,
        "Issuer of the SAML response does not match the provider metadata",
    ),
    "federation.InvalidIdentityToken.assertion_issuer": Row(
        lambda: federation_errors.InvalidIdentityToken.assertion_issuer(),
        "InvalidIdentityToken",
        400,
        "Issuer of the SAML assertion does not match the provider metadata",
    ),
    "federation.InvalidIdentityToken.assertion_issued_in_future": Row(
        lambda: federation_errors.InvalidIdentityToken.assertion_issued_in_future(),
        "InvalidIdentityToken",
        400,
        "SAML assertion was issued in the future",
    ),
    "federation.InvalidIdentityToken.missing_name_id": Row(
        lambda: federation_errors.InvalidIdentityToken.missing_name_id(),
        "InvalidIdentityToken",
        400,
        "Subject NameID is missing in the SAML assertion",
    ),
    "federation.InvalidIdentityToken.no_subject_confirmation": Row(
        lambda: federation_errors.InvalidIdentityToken.no_subject_confirmation(),
        "InvalidIdentityToken",
        400,
        "Responses must contain SubjectConfirmatonData with a Recipient and NotOnOrAfter",
    ),
    "federation.InvalidIdentityToken.assertion_not_yet_valid": Row(
        lambda: federation_errors.InvalidIdentityToken.assertion_not_yet_valid(),
        "InvalidIdentityToken",
        400,
        "Assertion is not yet valid",
    ),
    "federation.InvalidIdentityToken.audience_restriction_required": Row(
        lambda: federation_errors.InvalidIdentityToken.audience_restriction_required(),
        "InvalidIdentityToken",
        400,
        "Conditions with an AudienceRestriction are required",
    ),
    "federation.InvalidIdentityToken.incorrect_saml_audience": Row(
        lambda: federation_errors.InvalidIdentityToken.incorrect_saml_audience(),
        "InvalidIdentityToken",
        400,
        "Incorrect Audience in the SAML assertion",
    ),
    "federation.InvalidIdentityToken.invalid_sp_name_qualifier": Row(
        lambda: federation_errors.InvalidIdentityToken.invalid_sp_name_qualifier(),
        "InvalidIdentityToken",
        400,
        "Invalid SPNameQualifier in the SAML assertion",
    ),
    "federation.InvalidIdentityToken.encrypted_attributes": Row(
        lambda: federation_errors.InvalidIdentityToken.encrypted_attributes(),
        "InvalidIdentityToken",
        400,
        "Encrypted attributes are not supported by this provider",
    ),
    "federation.InvalidIdentityToken.no_role_attribute": Row(
        lambda: federation_errors.InvalidIdentityToken.no_role_attribute(),
        "InvalidIdentityToken",
        400,
        "SAML Assertion doesn't contain the requested Role and Metadata in the attributes",
    ),
    "federation.InvalidIdentityToken.role_session_name_attribute": Row(
        lambda: federation_errors.InvalidIdentityToken.role_session_name_attribute(),
        "InvalidIdentityToken",
        400,
        "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
    ),
    "federation.InvalidIdentityToken.session_duration_attribute": Row(
        lambda: federation_errors.InvalidIdentityToken.session_duration_attribute(),
        "InvalidIdentityToken",
        400,
        "SessionDuration in AuthnResponse must be an integer between 900 and 43200",
    ),
    "federation.InvalidIdentityToken.source_identity_attribute": Row(
        lambda: federation_errors.InvalidIdentityToken.source_identity_attribute(),
        "InvalidIdentityToken",
        400,
        "SourceIdentity in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
    ),
    "federation.InvalidIdentityToken.too_many_session_tags": Row(
        lambda: federation_errors.InvalidIdentityToken.too_many_session_tags(),
        "InvalidIdentityToken",
        400,
        "Too many session tags in AuthnResponse",
    ),
    "federation.InvalidIdentityToken.unsupported_algorithm": Row(
        lambda: federation_errors.InvalidIdentityToken.unsupported_algorithm("HS256"),
        "InvalidIdentityToken",
        400,
        "Unsupported token signing algorithm: HS256",
    ),
    "federation.InvalidIdentityToken.missing_claim": Row(
        lambda: federation_errors.InvalidIdentityToken.missing_claim("exp"),
        "InvalidIdentityToken",
        400,
        "Missing a required claim: exp",
    ),
    "federation.InvalidIdentityToken.invalid_claim": Row(
        lambda: federation_errors.InvalidIdentityToken.invalid_claim("exp"),
        "InvalidIdentityToken",
        400,
        "Invalid claim: exp",
    ),
    "federation.InvalidIdentityToken.no_oidc_provider": Row(
        lambda: federation_errors.InvalidIdentityToken.no_oidc_provider("https://idp.example.com"),
        "InvalidIdentityToken",
        400,
        "No OpenIDConnect provider found in your account for https://idp.example.com",
    ),
    "federation.InvalidIdentityToken.missing_element": Row(
        lambda: federation_errors.InvalidIdentityToken.missing_element("IssueInstant"),
        "InvalidIdentityToken",
        400,
        "Missing IssueInstant",
    ),
    "federation.InvalidIdentityToken.invalid_element": Row(
        lambda: federation_errors.InvalidIdentityToken.invalid_element("IssueInstant"),
        "InvalidIdentityToken",
        400,
        "Invalid IssueInstant",
    ),
    "federation.InvalidIdentityToken.invalid_recipient": Row(
        lambda: federation_errors.InvalidIdentityToken.invalid_recipient("https://example.com/saml"),
        "InvalidIdentityToken",
        400,
        "Invalid Recipient: https://example.com/saml",
    ),
    "federation.InvalidIdentityToken.invalid_session_tag": Row(
        lambda: federation_errors.InvalidIdentityToken.invalid_session_tag("Project"),
        "InvalidIdentityToken",
        400,
        "Invalid session tag in AuthnResponse: Project",
    ),
    "federation.InvalidIdentityToken.duplicate_session_tag": Row(
        lambda: federation_errors.InvalidIdentityToken.duplicate_session_tag("Project"),
        "InvalidIdentityToken",
        400,
        "Duplicate session tag in AuthnResponse: Project",
    ),
    "federation.InvalidIdentityToken.transitive_tag_not_session_tag": Row(
        lambda: federation_errors.InvalidIdentityToken.transitive_tag_not_session_tag("Project"),
        "InvalidIdentityToken",
        400,
        "Transitive tag key Project is not a session tag in AuthnResponse",
    ),
    "federation.ExpiredTokenException.token": Row(
        lambda: federation_errors.ExpiredTokenException.token(1767225600, 1767222000),
        "ExpiredTokenException",
        400,
        "Token expired: current date/time 1767225600 must be before the expiration date/time 1767222000",
    ),
    "federation.ExpiredTokenException.redeem_window": Row(
        lambda: federation_errors.ExpiredTokenException.redeem_window(),
        "ExpiredTokenException",
        400,
        "Token must be redeemed within 5 minutes of issuance",
    ),
    "federation.ExpiredTokenException.assertion": Row(
        lambda: federation_errors.ExpiredTokenException.assertion(),
        "ExpiredTokenException",
        400,
        "Assertion has expired",
    ),
    "federation.IDPCommunicationError.no_verification_key": Row(
        lambda: federation_errors.IDPCommunicationError.no_verification_key(),
        "IDPCommunicationError",
        400,
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
    ),
    "federation.InvalidInput.saml_metadata": Row(
        lambda: federation_errors.InvalidInput.saml_metadata(), "InvalidInput", 400, "Could not parse metadata"
    ),
    # --- IAM
    "iam.AccessDenied.delegation_not_enabled": Row(
        lambda: iam_errors.AccessDenied.delegation_not_enabled("111122223333"),
        "AccessDenied",
        403,
        "Account 111122223333 is not enabled for delegation.",
    ),
    "iam.AccessDenied.not_request_owner": Row(
        lambda: iam_errors.AccessDenied.not_request_owner(),
        "AccessDenied",
        403,
        "Only the owner of this delegation request can send its token.",
    ),
    "iam.AccessDenied.old_password_incorrect": Row(
        lambda: iam_errors.AccessDenied.old_password_incorrect(),
        "AccessDenied",
        403,
        "The old password you provided is incorrect.",
    ),
    "iam.AccessDenied.organization_scope_management_only": Row(
        lambda: iam_errors.AccessDenied.organization_scope_management_only(),
        "AccessDenied",
        403,
        "Only the organization's management account can manage organization-scoped workload identity resources.",
    ),
    "iam.AccessDenied.organization_provider_management_only": Row(
        lambda: iam_errors.AccessDenied.organization_provider_management_only(),
        "AccessDenied",
        403,
        "Only the organization's management account can change an organization-scoped provider.",
    ),
    "iam.AccessDenied.organization_template_management_only": Row(
        lambda: iam_errors.AccessDenied.organization_template_management_only(),
        "AccessDenied",
        403,
        "Only the organization's management account can change an organization-scoped template.",
    ),
    "iam.ValidationError.invalid_marker": Row(
        lambda: iam_errors.ValidationError.invalid_marker(),
        "ValidationError",
        400,
        "Invalid Marker.",
    ),
    "iam.ValidationError.user_name_required": Row(
        lambda: iam_errors.ValidationError.user_name_required(),
        "ValidationError",
        400,
        "Must specify userName when calling with non-User credentials",
    ),
    "iam.ValidationError.password_required": Row(
        lambda: iam_errors.ValidationError.password_required(),
        "ValidationError",
        400,
        "Password is required when creating a login profile for an IAM user.",
    ),
    "iam.ValidationError.invalid_arn": Row(
        lambda: iam_errors.ValidationError.invalid_arn(),
        "ValidationError",
        400,
        "Invalid ARN:  Could not be parsed!",
    ),
    "iam.NoSuchEntity.user": Row(
        lambda: iam_errors.NoSuchEntity.user("alice"),
        "NoSuchEntity",
        404,
        "The user with name alice cannot be found.",
    ),
    "iam.NoSuchEntity.group": Row(
        lambda: iam_errors.NoSuchEntity.group("alice"),
        "NoSuchEntity",
        404,
        "The group with name alice cannot be found.",
    ),
    "iam.NoSuchEntity.role": Row(
        lambda: iam_errors.NoSuchEntity.role("alice"),
        "NoSuchEntity",
        404,
        "The role with name alice cannot be found.",
    ),
    "iam.NoSuchEntity.instance_profile": Row(
        lambda: iam_errors.NoSuchEntity.instance_profile("alice"),
        "NoSuchEntity",
        404,
        "Instance Profile alice cannot be found.",
    ),
    "iam.NoSuchEntity.server_certificate": Row(
        lambda: iam_errors.NoSuchEntity.server_certificate("alice"),
        "NoSuchEntity",
        404,
        "The Server Certificate with name alice cannot be found.",
    ),
    "iam.NoSuchEntity.entity_arn": Row(
        lambda: iam_errors.NoSuchEntity.entity_arn("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "The entity with ARN arn:aws:iam::111122223333:policy/p cannot be found.",
    ),
    "iam.NoSuchEntity.user_arn": Row(
        lambda: iam_errors.NoSuchEntity.user_arn("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "The user with ARN arn:aws:iam::111122223333:policy/p cannot be found.",
    ),
    "iam.NoSuchEntity.role_arn": Row(
        lambda: iam_errors.NoSuchEntity.role_arn("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "The role with ARN arn:aws:iam::111122223333:policy/p cannot be found.",
    ),
    "iam.NoSuchEntity.group_arn": Row(
        lambda: iam_errors.NoSuchEntity.group_arn("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "The group with ARN arn:aws:iam::111122223333:policy/p cannot be found.",
    ),
    "iam.NoSuchEntity.principal": Row(
        lambda: iam_errors.NoSuchEntity.principal("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "Principal arn:aws:iam::111122223333:policy/p not found.",
    ),
    "iam.NoSuchEntity.policy": Row(
        lambda: iam_errors.NoSuchEntity.policy("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "Policy arn:aws:iam::111122223333:policy/p was not found.",
    ),
    "iam.NoSuchEntity.policy_not_attachable": Row(
        lambda: iam_errors.NoSuchEntity.policy_not_attachable("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "Policy arn:aws:iam::111122223333:policy/p does not exist or is not attachable.",
    ),
    "iam.NoSuchEntity.policy_version": Row(
        lambda: iam_errors.NoSuchEntity.policy_version("arn:aws:iam::111122223333:policy/p", "v2"),
        "NoSuchEntity",
        404,
        "Policy arn:aws:iam::111122223333:policy/p version v2 does not exist or is not attachable.",
    ),
    "iam.NoSuchEntity.policy_id": Row(
        lambda: iam_errors.NoSuchEntity.policy_id("ANPAEXAMPLE"),
        "NoSuchEntity",
        404,
        "The policy ANPAEXAMPLE cannot be found.",
    ),
    "iam.NoSuchEntity.inline_policy": Row(
        lambda: iam_errors.NoSuchEntity.inline_policy("user", "alice"),
        "NoSuchEntity",
        404,
        "The user policy with name alice cannot be found.",
    ),
    "iam.NoSuchEntity.scope_arn": Row(
        lambda: iam_errors.NoSuchEntity.scope_arn("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "Scope ARN: arn:aws:iam::111122223333:policy/p does not exist or is not attachable.",
    ),
    "iam.NoSuchEntity.job": Row(
        lambda: iam_errors.NoSuchEntity.job("job-1"),
        "NoSuchEntity",
        404,
        "The job with ID job-1 cannot be found.",
    ),
    "iam.NoSuchEntity.account_alias": Row(
        lambda: iam_errors.NoSuchEntity.account_alias("example"),
        "NoSuchEntity",
        404,
        "The account alias example cannot be found.",
    ),
    "iam.NoSuchEntity.password_policy": Row(
        lambda: iam_errors.NoSuchEntity.password_policy("111122223333"),
        "NoSuchEntity",
        404,
        "The Password Policy with domain name 111122223333 cannot be found.",
    ),
    "iam.NoSuchEntity.account_password_policy": Row(
        lambda: iam_errors.NoSuchEntity.account_password_policy(),
        "NoSuchEntity",
        404,
        "The account policy with name PasswordPolicy cannot be found.",
    ),
    "iam.NoSuchEntity.login_profile": Row(
        lambda: iam_errors.NoSuchEntity.login_profile("alice"),
        "NoSuchEntity",
        404,
        "Login Profile for User alice cannot be found.",
    ),
    "iam.NoSuchEntity.access_key": Row(
        lambda: iam_errors.NoSuchEntity.access_key("APKAEXAMPLE"),
        "NoSuchEntity",
        404,
        "The Access Key with id APKAEXAMPLE cannot be found.",
    ),
    "iam.NoSuchEntity.signing_certificate": Row(
        lambda: iam_errors.NoSuchEntity.signing_certificate("CERTEXAMPLE"),
        "NoSuchEntity",
        404,
        "The Certificate with id CERTEXAMPLE cannot be found.",
    ),
    "iam.NoSuchEntity.public_key": Row(
        lambda: iam_errors.NoSuchEntity.public_key("APKAEXAMPLE"),
        "NoSuchEntity",
        404,
        "The Public Key with id APKAEXAMPLE cannot be found.",
    ),
    "iam.NoSuchEntity.service_credential": Row(
        lambda: iam_errors.NoSuchEntity.service_credential("ACCAEXAMPLE", "alice"),
        "NoSuchEntity",
        404,
        "No such credential ACCAEXAMPLE exists for user alice.",
    ),
    "iam.NoSuchEntity.virtual_mfa_device": Row(
        lambda: iam_errors.NoSuchEntity.virtual_mfa_device("arn:aws:iam::111122223333:mfa/d"),
        "NoSuchEntity",
        404,
        "VirtualMFADevice with serial number arn:aws:iam::111122223333:mfa/d doesn't exist.",
    ),
    "iam.NoSuchEntity.mfa_device_for_user": Row(
        lambda: iam_errors.NoSuchEntity.mfa_device_for_user(),
        "NoSuchEntity",
        404,
        "MFA Device invalid for user.",
    ),
    "iam.NoSuchEntity.saml_provider": Row(
        lambda: iam_errors.NoSuchEntity.saml_provider("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "Manifest not found for arn arn:aws:iam::111122223333:policy/p",
    ),
    "iam.NoSuchEntity.oidc_provider": Row(
        lambda: iam_errors.NoSuchEntity.oidc_provider("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "OpenIDConnect Provider not found for arn arn:aws:iam::111122223333:policy/p",
    ),
    "iam.NoSuchEntity.role_template": Row(
        lambda: iam_errors.NoSuchEntity.role_template("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "The role template with ARN arn:aws:iam::111122223333:policy/p cannot be found.",
    ),
    "iam.NoSuchEntity.role_template_version": Row(
        lambda: iam_errors.NoSuchEntity.role_template_version("arn:aws:iam::111122223333:policy/p", "3"),
        "NoSuchEntity",
        404,
        "Minor version 3 of role template arn:aws:iam::111122223333:policy/p cannot be found.",
    ),
    "iam.NoSuchEntity.service_linked_role_deletion_task": Row(
        lambda: iam_errors.NoSuchEntity.service_linked_role_deletion_task("task-1"),
        "NoSuchEntity",
        404,
        "Deletion task task-1 cannot be found.",
    ),
    "iam.NoSuchEntity.delegation_request": Row(
        lambda: iam_errors.NoSuchEntity.delegation_request("dr-1"),
        "NoSuchEntity",
        404,
        "Delegation request dr-1 not found.",
    ),
    "iam.NoSuchEntity.workload_identity_provider": Row(
        lambda: iam_errors.NoSuchEntity.workload_identity_provider("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "Workload identity provider arn:aws:iam::111122223333:policy/p not found.",
    ),
    "iam.NoSuchEntity.workload_identity_template": Row(
        lambda: iam_errors.NoSuchEntity.workload_identity_template("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "Workload identity template arn:aws:iam::111122223333:policy/p not found.",
    ),
    "iam.NoSuchEntity.workload_identity_deletion_task": Row(
        lambda: iam_errors.NoSuchEntity.workload_identity_deletion_task("task-1"),
        "NoSuchEntity",
        404,
        "Deletion task task-1 not found.",
    ),
    "iam.NoSuchEntity.x509_signer": Row(
        lambda: iam_errors.NoSuchEntity.x509_signer("ca-1"),
        "NoSuchEntity",
        404,
        "The provider has no X.509 signer for certificate authority ca-1.",
    ),
    "iam.NoSuchEntity.x509_signer_to_rotate": Row(
        lambda: iam_errors.NoSuchEntity.x509_signer_to_rotate("RSA"),
        "NoSuchEntity",
        404,
        "The provider has no RSA X.509 signer to rotate.",
    ),
    "iam.NoSuchEntity.provider_resource_policy": Row(
        lambda: iam_errors.NoSuchEntity.provider_resource_policy("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "Workload identity provider arn:aws:iam::111122223333:policy/p has no resource policy.",
    ),
    "iam.NoSuchEntity.template_definition": Row(
        lambda: iam_errors.NoSuchEntity.template_definition("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "Template definition arn:aws:iam::111122223333:policy/p not found.",
    ),
    "iam.NoSuchEntity.attestation_policy": Row(
        lambda: iam_errors.NoSuchEntity.attestation_policy("arn:aws:iam::111122223333:policy/p"),
        "NoSuchEntity",
        404,
        "Workload identity template arn:aws:iam::111122223333:policy/p has no attestation policy.",
    ),
    "iam.EntityAlreadyExists.user": Row(
        lambda: iam_errors.EntityAlreadyExists.user("alice"),
        "EntityAlreadyExists",
        409,
        "User with name alice already exists.",
    ),
    "iam.EntityAlreadyExists.group": Row(
        lambda: iam_errors.EntityAlreadyExists.group("alice"),
        "EntityAlreadyExists",
        409,
        "Group with name alice already exists.",
    ),
    "iam.EntityAlreadyExists.role": Row(
        lambda: iam_errors.EntityAlreadyExists.role("alice"),
        "EntityAlreadyExists",
        409,
        "Role with name alice already exists.",
    ),
    "iam.EntityAlreadyExists.instance_profile": Row(
        lambda: iam_errors.EntityAlreadyExists.instance_profile("alice"),
        "EntityAlreadyExists",
        409,
        "Instance Profile alice already exists.",
    ),
    "iam.EntityAlreadyExists.server_certificate": Row(
        lambda: iam_errors.EntityAlreadyExists.server_certificate("alice"),
        "EntityAlreadyExists",
        409,
        "The Server Certificate with name alice already exists.",
    ),
    "iam.EntityAlreadyExists.policy": Row(
        lambda: iam_errors.EntityAlreadyExists.policy("alice"),
        "EntityAlreadyExists",
        409,
        "A policy called alice already exists. Duplicate names are not allowed.",
    ),
    "iam.EntityAlreadyExists.account_alias": Row(
        lambda: iam_errors.EntityAlreadyExists.account_alias("example"),
        "EntityAlreadyExists",
        409,
        "The account alias example already exists.",
    ),
    "iam.EntityAlreadyExists.login_profile": Row(
        lambda: iam_errors.EntityAlreadyExists.login_profile("alice"),
        "EntityAlreadyExists",
        409,
        "Login Profile for user alice already exists.",
    ),
    "iam.EntityAlreadyExists.mfa_device": Row(
        lambda: iam_errors.EntityAlreadyExists.mfa_device(),
        "EntityAlreadyExists",
        409,
        "MFADevice entity at the same path and name already exists.",
    ),
    "iam.EntityAlreadyExists.mfa_device_in_use": Row(
        lambda: iam_errors.EntityAlreadyExists.mfa_device_in_use(),
        "EntityAlreadyExists",
        409,
        "MFA Device is already in use.",
    ),
    "iam.EntityAlreadyExists.saml_provider": Row(
        lambda: iam_errors.EntityAlreadyExists.saml_provider("alice"),
        "EntityAlreadyExists",
        409,
        "SAMLProvider alice already exists",
    ),
    "iam.EntityAlreadyExists.oidc_provider": Row(
        lambda: iam_errors.EntityAlreadyExists.oidc_provider("idp.example.com"),
        "EntityAlreadyExists",
        409,
        "Provider with url idp.example.com already exists.",
    ),
    "iam.EntityAlreadyExists.delegation_workflow": Row(
        lambda: iam_errors.EntityAlreadyExists.delegation_workflow(),
        "EntityAlreadyExists",
        409,
        "A delegation request with this RequestorWorkflowId already exists.",
    ),
    "iam.EntityAlreadyExists.workload_identity_provider": Row(
        lambda: iam_errors.EntityAlreadyExists.workload_identity_provider("alice"),
        "EntityAlreadyExists",
        409,
        "Workload identity provider alice already exists.",
    ),
    "iam.EntityAlreadyExists.workload_identity_domain": Row(
        lambda: iam_errors.EntityAlreadyExists.workload_identity_domain("example.org"),
        "EntityAlreadyExists",
        409,
        "The workload identity domain example.org is already claimed by another provider.",
    ),
    "iam.EntityAlreadyExists.signer_slot": Row(
        lambda: iam_errors.EntityAlreadyExists.signer_slot("RSA"),
        "EntityAlreadyExists",
        409,
        "The RSA signer slot of the provider is not empty; use UpdateWorkloadIdentityProviderOutboundSigner to rotate it.",
    ),
    "iam.EntityAlreadyExists.workload_identity_template": Row(
        lambda: iam_errors.EntityAlreadyExists.workload_identity_template("alice"),
        "EntityAlreadyExists",
        409,
        "Workload identity template alice already exists.",
    ),
    "iam.DeleteConflict.must_detach_policies": Row(
        lambda: iam_errors.DeleteConflict.must_detach_policies(),
        "DeleteConflict",
        409,
        "Cannot delete entity, must detach all policies first.",
    ),
    "iam.DeleteConflict.must_delete_inline_policies": Row(
        lambda: iam_errors.DeleteConflict.must_delete_inline_policies(),
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete policies first.",
    ),
    "iam.DeleteConflict.must_delete_access_keys": Row(
        lambda: iam_errors.DeleteConflict.must_delete_access_keys(),
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete access keys first.",
    ),
    "iam.DeleteConflict.must_remove_users_from_group": Row(
        lambda: iam_errors.DeleteConflict.must_remove_users_from_group(),
        "DeleteConflict",
        409,
        "Cannot delete entity, must remove users from group first.",
    ),
    "iam.DeleteConflict.must_delete_mfa_device": Row(
        lambda: iam_errors.DeleteConflict.must_delete_mfa_device(),
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete MFA device first.",
    ),
    "iam.DeleteConflict.must_delete_login_profile": Row(
        lambda: iam_errors.DeleteConflict.must_delete_login_profile(),
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete login profile first.",
    ),
    "iam.DeleteConflict.must_delete_ssh_public_keys": Row(
        lambda: iam_errors.DeleteConflict.must_delete_ssh_public_keys(),
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete SSH public keys first.",
    ),
    "iam.DeleteConflict.must_delete_signing_certificates": Row(
        lambda: iam_errors.DeleteConflict.must_delete_signing_certificates(),
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete signing certificates first.",
    ),
    "iam.DeleteConflict.must_delete_service_credentials": Row(
        lambda: iam_errors.DeleteConflict.must_delete_service_credentials(),
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete service specific credentials first.",
    ),
    "iam.DeleteConflict.must_remove_roles_from_instance_profile": Row(
        lambda: iam_errors.DeleteConflict.must_remove_roles_from_instance_profile(),
        "DeleteConflict",
        409,
        "Cannot delete entity, must remove roles from instance profile first.",
    ),
    "iam.DeleteConflict.policy_attached": Row(
        lambda: iam_errors.DeleteConflict.policy_attached(),
        "DeleteConflict",
        409,
        "Cannot delete a policy attached to entities.",
    ),
    "iam.DeleteConflict.policy_versions": Row(
        lambda: iam_errors.DeleteConflict.policy_versions(),
        "DeleteConflict",
        409,
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    ),
    "iam.DeleteConflict.default_policy_version": Row(
        lambda: iam_errors.DeleteConflict.default_policy_version(),
        "DeleteConflict",
        409,
        "Cannot delete the default version of a policy.",
    ),
    "iam.DeleteConflict.mfa_device_in_use": Row(
        lambda: iam_errors.DeleteConflict.mfa_device_in_use(),
        "DeleteConflict",
        409,
        "MFA Device is still in use.",
    ),
    "iam.DeleteConflict.provider_has_templates": Row(
        lambda: iam_errors.DeleteConflict.provider_has_templates(),
        "DeleteConflict",
        409,
        "Cannot delete a provider that workload identity templates still reference.",
    ),
    "iam.DeleteConflict.provider_has_x509_signers": Row(
        lambda: iam_errors.DeleteConflict.provider_has_x509_signers(),
        "DeleteConflict",
        409,
        "Delete every X.509 outbound signer of the provider before the provider.",
    ),
    "iam.LimitExceeded.quota": Row(
        lambda: iam_errors.LimitExceeded.quota("alice", 5),
        "LimitExceeded",
        409,
        "Cannot exceed quota for alice: 5",
    ),
    "iam.LimitExceeded.instance_profiles": Row(
        lambda: iam_errors.LimitExceeded.instance_profiles(5),
        "LimitExceeded",
        409,
        "Cannot exceed quota for InstanceProfilesPerAccount: 5.",
    ),
    "iam.LimitExceeded.inline_policy_size": Row(
        lambda: iam_errors.LimitExceeded.inline_policy_size(5, "user", "alice"),
        "LimitExceeded",
        409,
        "Maximum policy size of 5 bytes exceeded for user alice",
    ),
    "iam.LimitExceeded.policy_versions": Row(
        lambda: iam_errors.LimitExceeded.policy_versions(),
        "LimitExceeded",
        409,
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    ),
    "iam.LimitExceeded.account_properties": Row(
        lambda: iam_errors.LimitExceeded.account_properties(5),
        "LimitExceeded",
        409,
        "An account can hold at most 5 properties.",
    ),
    "iam.LimitExceeded.tags": Row(
        lambda: iam_errors.LimitExceeded.tags(5),
        "LimitExceeded",
        409,
        "The number of tags has reached the maximum limit of 5.",
    ),
    "iam.InvalidInput.status_value": Row(
        lambda: iam_errors.InvalidInput.status_value("Expired"),
        "InvalidInput",
        400,
        "Invalid status: Expired. Status must be Active or Inactive.",
    ),
    "iam.InvalidInput.duplicate_tag_keys": Row(
        lambda: iam_errors.InvalidInput.duplicate_tag_keys(),
        "InvalidInput",
        400,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    ),
    "iam.InvalidInput.path": Row(
        lambda: iam_errors.InvalidInput.path(),
        "InvalidInput",
        400,
        "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
    ),
    "iam.InvalidInput.arn": Row(
        lambda: iam_errors.InvalidInput.arn("arn:aws:iam::111122223333:policy/p"),
        "InvalidInput",
        400,
        "ARN arn:aws:iam::111122223333:policy/p is not valid.",
    ),
    "iam.InvalidInput.not_management_account": Row(
        lambda: iam_errors.InvalidInput.not_management_account(),
        "InvalidInput",
        400,
        "The caller must be the management account of an organization.",
    ),
    "iam.InvalidInput.entity_path": Row(
        lambda: iam_errors.InvalidInput.entity_path("/o-1/r-1/"),
        "InvalidInput",
        400,
        "Entity path /o-1/r-1/ is not valid for this organization.",
    ),
    "iam.InvalidInput.property_name": Row(
        lambda: iam_errors.InvalidInput.property_name("alice"),
        "InvalidInput",
        400,
        "Property alice must be in Namespace/PropertyName format.",
    ),
    "iam.InvalidInput.no_properties": Row(
        lambda: iam_errors.InvalidInput.no_properties(),
        "InvalidInput",
        400,
        "Properties must contain at least one property.",
    ),
    "iam.InvalidInput.mixed_namespaces": Row(
        lambda: iam_errors.InvalidInput.mixed_namespaces(),
        "InvalidInput",
        400,
        "All properties in a single request must belong to the same namespace.",
    ),
    "iam.InvalidInput.delegation_state": Row(
        lambda: iam_errors.InvalidInput.delegation_state("EXPIRED", "AcceptDelegationRequest"),
        "InvalidInput",
        400,
        "The delegation request is EXPIRED; AcceptDelegationRequest is not possible in that state.",
    ),
    "iam.InvalidInput.policy_template_missing": Row(
        lambda: iam_errors.InvalidInput.policy_template_missing(),
        "InvalidInput",
        400,
        "Permissions must name a PolicyTemplateArn.",
    ),
    "iam.InvalidInput.policy_template_not_managed": Row(
        lambda: iam_errors.InvalidInput.policy_template_not_managed("arn:aws:iam::111122223333:policy/p"),
        "InvalidInput",
        400,
        "Policy template arn:aws:iam::111122223333:policy/p is not a managed policy of the requesting account.",
    ),
    "iam.InvalidInput.policy_template_parameters": Row(
        lambda: iam_errors.InvalidInput.policy_template_parameters(),
        "InvalidInput",
        400,
        "The policy template has parameters the request does not supply.",
    ),
    "iam.InvalidInput.string_parameter_values": Row(
        lambda: iam_errors.InvalidInput.string_parameter_values("alice"),
        "InvalidInput",
        400,
        "Parameter alice of type string takes exactly one value.",
    ),
    "iam.InvalidInput.delegation_entity_type": Row(
        lambda: iam_errors.InvalidInput.delegation_entity_type(),
        "InvalidInput",
        400,
        "The only supported entity type is delegation-request.",
    ),
    "iam.InvalidInput.saml_encryption": Row(
        lambda: iam_errors.InvalidInput.saml_encryption(),
        "InvalidInput",
        400,
        "SAML assertion encryption is not supported by this server.",
    ),
    "iam.InvalidInput.oidc_url": Row(
        lambda: iam_errors.InvalidInput.oidc_url(),
        "InvalidInput",
        400,
        "Invalid Open ID Connect Provider URL",
    ),
    "iam.InvalidInput.too_many_thumbprints": Row(
        lambda: iam_errors.InvalidInput.too_many_thumbprints(),
        "InvalidInput",
        400,
        "Thumbprint list must contain fewer than 5 entries.",
    ),
    "iam.InvalidInput.thumbprint": Row(
        lambda: iam_errors.InvalidInput.thumbprint("Expired"),
        "InvalidInput",
        400,
        "Thumbprint Expired is not a 40-character hexadecimal string.",
    ),
    "iam.InvalidInput.context_provider_twice": Row(
        lambda: iam_errors.InvalidInput.context_provider_twice(),
        "InvalidInput",
        400,
        "Specify either ContextProvider or RemoveContextProvider, not both.",
    ),
    "iam.InvalidInput.identity_center_twice": Row(
        lambda: iam_errors.InvalidInput.identity_center_twice(),
        "InvalidInput",
        400,
        "Specify either IdentityCenterInstanceArn or RemoveIdentityCenterInstance, not both.",
    ),
    "iam.InvalidInput.context_and_identity_center": Row(
        lambda: iam_errors.InvalidInput.context_and_identity_center(),
        "InvalidInput",
        400,
        "A request can change either the context provider or the IAM Identity Center association, not both.",
    ),
    "iam.InvalidInput.nothing_to_update": Row(
        lambda: iam_errors.InvalidInput.nothing_to_update(),
        "InvalidInput",
        400,
        "Specify a context provider or an IAM Identity Center instance to set or remove.",
    ),
    "iam.InvalidInput.identity_center_arn": Row(
        lambda: iam_errors.InvalidInput.identity_center_arn("arn:aws:iam::111122223333:policy/p"),
        "InvalidInput",
        400,
        "Invalid IAM Identity Center instance ARN: arn:aws:iam::111122223333:policy/p.",
    ),
    "iam.InvalidInput.identity_center_still_associated": Row(
        lambda: iam_errors.InvalidInput.identity_center_still_associated(),
        "InvalidInput",
        400,
        "Remove the IAM Identity Center association before removing the context provider.",
    ),
    "iam.InvalidInput.context_provider_missing": Row(
        lambda: iam_errors.InvalidInput.context_provider_missing(),
        "InvalidInput",
        400,
        "Set a context provider before associating an IAM Identity Center instance.",
    ),
    "iam.InvalidInput.not_a_number": Row(
        lambda: iam_errors.InvalidInput.not_a_number("alice", "Expired"),
        "InvalidInput",
        400,
        "The value Expired for parameter alice is not a number.",
    ),
    "iam.InvalidInput.not_an_arn": Row(
        lambda: iam_errors.InvalidInput.not_an_arn("alice", "Expired"),
        "InvalidInput",
        400,
        "The value Expired for parameter alice is not a valid ARN.",
    ),
    "iam.InvalidInput.unknown_parameter": Row(
        lambda: iam_errors.InvalidInput.unknown_parameter("alice"),
        "InvalidInput",
        400,
        "The role template has no parameter named alice.",
    ),
    "iam.InvalidInput.immutable_parameter": Row(
        lambda: iam_errors.InvalidInput.immutable_parameter("alice"),
        "InvalidInput",
        400,
        "The parameter alice is immutable and cannot be given a value.",
    ),
    "iam.InvalidInput.required_parameter": Row(
        lambda: iam_errors.InvalidInput.required_parameter("alice"),
        "InvalidInput",
        400,
        "The required parameter alice has no value.",
    ),
    "iam.InvalidInput.single_value_parameter": Row(
        lambda: iam_errors.InvalidInput.single_value_parameter("alice", "user"),
        "InvalidInput",
        400,
        "The parameter alice of type user takes one value.",
    ),
    "iam.InvalidInput.one_value_in_text": Row(
        lambda: iam_errors.InvalidInput.one_value_in_text("alice"),
        "InvalidInput",
        400,
        "The parameter alice must have exactly one value where it is used in text.",
    ),
    "iam.InvalidInput.role_name": Row(
        lambda: iam_errors.InvalidInput.role_name("alice"),
        "InvalidInput",
        400,
        "The resulting role name alice is not valid.",
    ),
    "iam.InvalidInput.role_description_too_long": Row(
        lambda: iam_errors.InvalidInput.role_description_too_long(),
        "InvalidInput",
        400,
        "The resulting role description is longer than 1000 characters.",
    ),
    "iam.InvalidInput.credential_age_days": Row(
        lambda: iam_errors.InvalidInput.credential_age_days("codecommit.amazonaws.com"),
        "InvalidInput",
        400,
        "CredentialAgeDays is not supported for service codecommit.amazonaws.com.",
    ),
    "iam.InvalidInput.no_service_linked_roles": Row(
        lambda: iam_errors.InvalidInput.no_service_linked_roles("codecommit.amazonaws.com"),
        "InvalidInput",
        400,
        "Service codecommit.amazonaws.com does not support service-linked roles.",
    ),
    "iam.InvalidInput.custom_suffix": Row(
        lambda: iam_errors.InvalidInput.custom_suffix("alice"),
        "InvalidInput",
        400,
        "Custom suffix is not allowed for alice",
    ),
    "iam.InvalidInput.role_name_too_long": Row(
        lambda: iam_errors.InvalidInput.role_name_too_long("alice"),
        "InvalidInput",
        400,
        "The role name alice is longer than 64 characters.",
    ),
    "iam.InvalidInput.service_role_name_taken": Row(
        lambda: iam_errors.InvalidInput.service_role_name_taken("alice"),
        "InvalidInput",
        400,
        "Service role name alice has been taken in this account, please try a different suffix.",
    ),
    "iam.InvalidInput.not_service_linked": Row(
        lambda: iam_errors.InvalidInput.not_service_linked("alice"),
        "InvalidInput",
        400,
        "Role alice is not a service-linked role.",
    ),
    "iam.InvalidInput.deletion_task_id": Row(
        lambda: iam_errors.InvalidInput.deletion_task_id("task-1"),
        "InvalidInput",
        400,
        "Invalid deletion task id: task-1",
    ),
    "iam.InvalidInput.invalid_policy": Row(
        lambda: iam_errors.InvalidInput.invalid_policy("ANPAEXAMPLE", "bad"),
        "InvalidInput",
        400,
        "ANPAEXAMPLE is not a valid policy: bad",
    ),
    "iam.InvalidInput.caller_arn": Row(
        lambda: iam_errors.InvalidInput.caller_arn("arn:aws:iam::111122223333:policy/p"),
        "InvalidInput",
        400,
        "Invalid CallerArn: arn:aws:iam::111122223333:policy/p",
    ),
    "iam.InvalidInput.not_in_organization": Row(
        lambda: iam_errors.InvalidInput.not_in_organization(),
        "InvalidInput",
        400,
        "The caller's account is not a member of an organization.",
    ),
    "iam.InvalidInput.organization_level_resources_disabled": Row(
        lambda: iam_errors.InvalidInput.organization_level_resources_disabled(),
        "InvalidInput",
        400,
        "Organization-level resources are not enabled for your organization: the management account enables them with EnableOrganizationLevelResources.",
    ),
    "iam.InvalidInput.spiffe_domain_required": Row(
        lambda: iam_errors.InvalidInput.spiffe_domain_required(),
        "InvalidInput",
        400,
        "WorkloadIdentityDomain is required when Scheme is SPIFFE.",
    ),
    "iam.InvalidInput.domain_without_scheme": Row(
        lambda: iam_errors.InvalidInput.domain_without_scheme(),
        "InvalidInput",
        400,
        "WorkloadIdentityDomain must not be specified when Scheme is NONE.",
    ),
    "iam.InvalidInput.tag_keys_differ_in_case": Row(
        lambda: iam_errors.InvalidInput.tag_keys_differ_in_case(),
        "InvalidInput",
        400,
        "Tag keys that differ only in case are not allowed.",
    ),
    "iam.InvalidInput.signer_type_not_x509": Row(
        lambda: iam_errors.InvalidInput.signer_type_not_x509(),
        "InvalidInput",
        400,
        "SignerType must be X509: IAM manages the JWT outbound signers, which cannot be disabled, enabled or deleted.",
    ),
    "iam.InvalidInput.outbound_signer_not_x509": Row(
        lambda: iam_errors.InvalidInput.outbound_signer_not_x509(),
        "InvalidInput",
        400,
        "OutboundSigner must specify the X509 member.",
    ),
    "iam.InvalidInput.x509_signer_in_use": Row(
        lambda: iam_errors.InvalidInput.x509_signer_in_use("ca-1"),
        "InvalidInput",
        400,
        "The X.509 signer for certificate authority ca-1 is signing or about to sign; disable it with DisableWorkloadIdentityProviderOutboundSigner before deleting it.",
    ),
    "iam.InvalidInput.not_in_definition_mode": Row(
        lambda: iam_errors.InvalidInput.not_in_definition_mode("PathPattern"),
        "InvalidInput",
        400,
        "PathPattern must not be specified in template definition mode.",
    ),
    "iam.InvalidInput.required_in_direct_mode": Row(
        lambda: iam_errors.InvalidInput.required_in_direct_mode("PathPattern"),
        "InvalidInput",
        400,
        "PathPattern is required in direct authoring mode.",
    ),
    "iam.InvalidInput.no_open_value": Row(
        lambda: iam_errors.InvalidInput.no_open_value("alice"),
        "InvalidInput",
        400,
        "The template definition leaves no value named alice open.",
    ),
    "iam.InvalidInput.replacement_value_missing": Row(
        lambda: iam_errors.InvalidInput.replacement_value_missing("alice"),
        "InvalidInput",
        400,
        "ReplacementValues must supply alice.",
    ),
    "iam.InvalidInput.replacement_value_not_single": Row(
        lambda: iam_errors.InvalidInput.replacement_value_not_single("alice"),
        "InvalidInput",
        400,
        "ReplacementValues alice takes exactly one value.",
    ),
    "iam.InvalidInput.path_pattern": Row(
        lambda: iam_errors.InvalidInput.path_pattern("bad"),
        "InvalidInput",
        400,
        "Invalid PathPattern: bad.",
    ),
    "iam.InvalidInput.condition_key_not_placeholder": Row(
        lambda: iam_errors.InvalidInput.condition_key_not_placeholder("aws:x"),
        "InvalidInput",
        400,
        "The attestation policy's condition key aws:x does not fit the template's PathPattern: it is not one of the pattern's placeholders.",
    ),
    "iam.InvalidInput.organization_template_provider": Row(
        lambda: iam_errors.InvalidInput.organization_template_provider(),
        "InvalidInput",
        400,
        "An organization-scoped template must reference an organization-scoped provider.",
    ),
    "iam.InvalidInput.service_principal_filter": Row(
        lambda: iam_errors.InvalidInput.service_principal_filter(),
        "InvalidInput",
        400,
        "Filter must read service_principal = \"<service principal>\".",
    ),
    "iam.PasswordPolicyViolation": Row(
        lambda: iam_errors.PasswordPolicyViolation(),
        "PasswordPolicyViolation",
        400,
        "Password does not conform to the account password policy.",
    ),
    "iam.MalformedPolicyDocument.trust_policy_not_json": Row(
        lambda: iam_errors.MalformedPolicyDocument.trust_policy_not_json(),
        "MalformedPolicyDocument",
        400,
        "This policy contains invalid Json",
    ),
    "iam.MalformedPolicyDocument.invalid_principal": Row(
        lambda: iam_errors.MalformedPolicyDocument.invalid_principal("arn:aws:iam::111122223333:policy/p"),
        "MalformedPolicyDocument",
        400,
        "Invalid principal in policy: \"AWS\":\"arn:aws:iam::111122223333:policy/p\"",
    ),
    "iam.InvalidAuthenticationCode.invalid": Row(
        lambda: iam_errors.InvalidAuthenticationCode.invalid(),
        "InvalidAuthenticationCode",
        403,
        "Authentication code for device is not valid.",
    ),
    "iam.InvalidAuthenticationCode.locked": Row(
        lambda: iam_errors.InvalidAuthenticationCode.locked("2026-01-01T00:00:00Z"),
        "InvalidAuthenticationCode",
        403,
        "Authentication code for device was not checked: too many invalid codes for this device. Try again after 2026-01-01T00:00:00Z.",
    ),
    "iam.FeatureEnabled.outbound_federation": Row(
        lambda: iam_errors.FeatureEnabled.outbound_federation(),
        "FeatureEnabled",
        409,
        "Outbound web identity federation is already enabled for this account.",
    ),
    "iam.FeatureDisabled.outbound_federation": Row(
        lambda: iam_errors.FeatureDisabled.outbound_federation(),
        "FeatureDisabled",
        404,
        "Outbound web identity federation is not enabled for this account.",
    ),
    "iam.ConcurrentModification.delegation_state": Row(
        lambda: iam_errors.ConcurrentModification.delegation_state("EXPIRED", "AcceptDelegationRequest"),
        "ConcurrentModification",
        409,
        "The delegation request is EXPIRED; AcceptDelegationRequest is not possible in that state.",
    ),
    "iam.ConcurrentModification.delegation_acceptor": Row(
        lambda: iam_errors.ConcurrentModification.delegation_acceptor(),
        "ConcurrentModification",
        409,
        "A delegation request must be accepted by an IAM user or a role session.",
    ),
    "iam.ReportNotPresent": Row(
        lambda: iam_errors.ReportNotPresent(),
        "ReportNotPresent",
        410,
        "The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.",
    ),
    "iam.ReportExpired": Row(
        lambda: iam_errors.ReportExpired(),
        "ReportExpired",
        410,
        "The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.",
    ),
    "iam.InvalidUserType": Row(
        lambda: iam_errors.InvalidUserType(),
        "InvalidUserType",
        400,
        "Only IAM users can change their own password.",
    ),
    "iam.UnrecognizedPublicKeyEncoding.key_format": Row(
        lambda: iam_errors.UnrecognizedPublicKeyEncoding.key_format(),
        "UnrecognizedPublicKeyEncoding",
        400,
        "The public key encoding format is unsupported or unrecognized.",
    ),
    "iam.UnrecognizedPublicKeyEncoding.encoding": Row(
        lambda: iam_errors.UnrecognizedPublicKeyEncoding.encoding("DER"),
        "UnrecognizedPublicKeyEncoding",
        400,
        "Unrecognized encoding: DER.",
    ),
    "iam.InvalidPublicKey": Row(
        lambda: iam_errors.InvalidPublicKey(),
        "InvalidPublicKey",
        400,
        "The public key is not valid.",
    ),
    "iam.DuplicateSSHPublicKey": Row(
        lambda: iam_errors.DuplicateSSHPublicKey(),
        "DuplicateSSHPublicKey",
        400,
        "The SSH public key specified is already in use by this user.",
    ),
    "iam.MalformedCertificate.signing_certificate": Row(
        lambda: iam_errors.MalformedCertificate.signing_certificate(),
        "MalformedCertificate",
        400,
        "The certificate is malformed or not in PEM format.",
    ),
    "iam.MalformedCertificate.unparsable": Row(
        lambda: iam_errors.MalformedCertificate.unparsable("certificate chain"),
        "MalformedCertificate",
        400,
        "Unable to parse certificate chain.",
    ),
    "iam.InvalidCertificate": Row(
        lambda: iam_errors.InvalidCertificate(),
        "InvalidCertificate",
        400,
        "The certificate is not valid at this time.",
    ),
    "iam.DuplicateCertificate": Row(
        lambda: iam_errors.DuplicateCertificate(),
        "DuplicateCertificate",
        409,
        "The certificate is already in use by this user.",
    ),
    "iam.KeyPairMismatch": Row(
        lambda: iam_errors.KeyPairMismatch(),
        "KeyPairMismatch",
        400,
        "Unable to validate certificate: the private key does not match the certificate.",
    ),
    "iam.NotSupportedService": Row(
        lambda: iam_errors.NotSupportedService("codecommit.amazonaws.com"),
        "NotSupportedService",
        404,
        "Service codecommit.amazonaws.com is not supported for service-specific credentials.",
    ),
    "iam.UnmodifiableEntity": Row(
        lambda: iam_errors.UnmodifiableEntity("r"),
        "UnmodifiableEntity",
        400,
        "Cannot perform the operation on the protected role 'r' - this role is only modifiable by AWS",
    ),
    "iam.RoleTemplateDisabled": Row(
        lambda: iam_errors.RoleTemplateDisabled("arn:aws:iam::111122223333:policy/p"),
        "RoleTemplateDisabled",
        400,
        "The role template arn:aws:iam::111122223333:policy/p is disabled and cannot be used to create roles.",
    ),
    "iam.NameConflict": Row(
        lambda: iam_errors.NameConflict("r"),
        "NameConflict",
        409,
        "A role named r already exists in the account.",
    ),
    "iam.OrganizationNotFound": Row(
        lambda: iam_errors.OrganizationNotFound(),
        "OrganizationNotFoundException",
        400,
        "The request was rejected because no organization is associated with your account.",
    ),
    "iam.CallerIsNotManagementAccount": Row(
        lambda: iam_errors.CallerIsNotManagementAccount(),
        "CallerIsNotManagementAccountException",
        400,
        "The request was rejected because the account making the request is not the management account for the organization.",
    ),
    "iam.AccountNotManagementOrDelegatedAdministrator": Row(
        lambda: iam_errors.AccountNotManagementOrDelegatedAdministrator(),
        "AccountNotManagementOrDelegatedAdministratorException",
        400,
        "The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.",
    ),
    "iam.OrganizationNotInAllFeaturesMode": Row(
        lambda: iam_errors.OrganizationNotInAllFeaturesMode(),
        "OrganizationNotInAllFeaturesModeException",
        400,
        "The request was rejected because your organization does not have All features enabled.",
    ),
    "iam.ServiceAccessNotEnabled": Row(
        lambda: iam_errors.ServiceAccessNotEnabled(),
        "ServiceAccessNotEnabledException",
        400,
        "The request was rejected because trusted access is not enabled for IAM in Organizations.",
    ),
    "iam.OrganizationLevelResourcesExist": Row(
        lambda: iam_errors.OrganizationLevelResourcesExist(),
        "OrganizationLevelResourcesExistException",
        400,
        "The request was rejected because your organization still has organization-level resources. Delete them before you disable organization-level resources for your organization.",
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


SRC = Path(credmint.__file__).parent

#: The parts whose errors are all classes: none of them calls a catalogue function of
#: ``credmint.errors`` (lower-case ``errors.x(...)``) or builds a ``CodedError``.
CONVERTED = (
    "access",
    "cloudtrail",
    "federation",
    "iam",
    "identity_providers",
    "orgs",
    "policy",
    "sigv4",
    "store",
    "sts",
    "sigv2.py",
    # wire/s3.py is S3's, still on the catalogue.
    *(f"wire/{name}" for name in ("errors.py", "form.py", "form_data.py", "json_protocol.py", "query.py", "xml.py")),
)

#: Branches on a code string not yet replaced by an ``except``: S3's, whose errors are
#: still built by the catalogue functions.
CODE_BRANCHES_LEFT = {"s3/objects.py", "s3/acl_operations.py", "s3/context.py"}

_FACTORY_CALL = re.compile(r"\berrors\.(?:[a-z_0-9]+|CodedError)\(")
_CODE_BRANCH = re.compile(r"\.code\s*(?:==|!=|\bin\b|\bnot in\b)")


def _sources(part: str) -> list[Path]:
    path = SRC / part
    return [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))


@pytest.mark.parametrize("part", CONVERTED)
def test_converted_parts_raise_classes(part: str) -> None:
    calls = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in _sources(part)
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if _FACTORY_CALL.search(line)
    ]
    assert calls == []


def test_nothing_branches_on_a_code_string() -> None:
    branches = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if any(_CODE_BRANCH.search(line) for line in path.read_text().splitlines())
    }
    assert branches <= CODE_BRANCHES_LEFT, sorted(branches - CODE_BRANCHES_LEFT)
