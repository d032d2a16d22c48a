"""Every error class, pinned: its code, status, message, extra members and headers, from one table.

A change to any wording or status fails here, and a new error class fails
``test_every_error_class_is_in_the_table`` until its row is added. Each row also renders
through the three protocols' renderers.
"""

from __future__ import annotations

import ast
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
from credmint.orgs import errors as orgs_errors
from credmint.s3 import errors as s3_errors
from credmint.sigv4 import errors as sigv4_errors
from credmint.sts import errors as sts_errors
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
    "credmint.s3.errors",
)
#: Bases that are never raised themselves.
ABSTRACT = {"OrganizationsError"}


class Row(NamedTuple):
    make: Callable[[], AwsError]
    code: str
    status: int
    message: str | None
    extra: tuple[tuple[str, str], ...] = ()
    #: Response headers (S3's 304 validators, a delete marker's headers).
    headers: tuple[tuple[str, str], ...] = ()


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
    "InvalidURI": Row(
        lambda: errors.InvalidURI(),
        "InvalidURI",
        400,
        "Couldn't parse the specified URI.",
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
    "orgs.InvalidInput.tags": Row(
        lambda: orgs_errors.InvalidInput.tags("Duplicate tag keys."),
        "InvalidInputException",
        400,
        "Duplicate tag keys.",
        (("Reason", "INVALID_INPUT"),),
    ),
    "orgs.InvalidInput.tags-default": Row(
        lambda: orgs_errors.InvalidInput.tags(None),
        "InvalidInputException",
        400,
        "Invalid tags.",
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
    "sigv4.BadDigest.checksum": Row(
        lambda: sigv4_errors.BadDigest.checksum("CRC32"),
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
    # --- S3
    "s3.AccessDenied": Row(
        lambda: s3_errors.AccessDenied(),
        "AccessDenied",
        403,
        "Access Denied",
    ),
    "s3.AccessDenied.refusal": Row(
        lambda: s3_errors.AccessDenied.refusal("Explicit deny in a resource-based policy"),
        "AccessDenied",
        403,
        "Explicit deny in a resource-based policy",
    ),
    "s3.AccessDenied.refusal-bare": Row(
        lambda: s3_errors.AccessDenied.refusal(None),
        "AccessDenied",
        403,
        "Access Denied",
    ),
    "s3.AccessDenied.public_policy_blocked": Row(
        lambda: s3_errors.AccessDenied.public_policy_blocked("arn:aws:iam::111122223333:user/u", "amzn-s3-demo-bucket"),
        "AccessDenied",
        403,
        'User: arn:aws:iam::111122223333:user/u is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::amzn-s3-demo-bucket" because public policies are blocked by the BlockPublicPolicy block public access setting.',
    ),
    "s3.AccessDenied.object_locked": Row(
        lambda: s3_errors.AccessDenied.object_locked(),
        "AccessDenied",
        403,
        "Access Denied because object protected by object lock.",
    ),
    "s3.AccessDenied.post_policy": Row(
        lambda: s3_errors.AccessDenied.post_policy('Policy Condition failed: ["eq", "$key", "a"]'),
        "AccessDenied",
        403,
        'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "a"]',
    ),
    "s3.SignatureDoesNotMatch.post_form": Row(
        lambda: s3_errors.SignatureDoesNotMatch.post_form("AKIAEXAMPLE"),
        "SignatureDoesNotMatch",
        403,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        (("AWSAccessKeyId", "AKIAEXAMPLE"),),
    ),
    "s3.NoSuchBucket": Row(
        lambda: s3_errors.NoSuchBucket("amzn-s3-demo-bucket"),
        "NoSuchBucket",
        404,
        "The specified bucket does not exist",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.InvalidBucketName": Row(
        lambda: s3_errors.InvalidBucketName("Bad_Name"),
        "InvalidBucketName",
        400,
        "The specified bucket is not valid.",
        (("BucketName", "Bad_Name"),),
    ),
    "s3.BucketAlreadyExists": Row(
        lambda: s3_errors.BucketAlreadyExists("amzn-s3-demo-bucket"),
        "BucketAlreadyExists",
        409,
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.BucketAlreadyOwnedByYou": Row(
        lambda: s3_errors.BucketAlreadyOwnedByYou("amzn-s3-demo-bucket"),
        "BucketAlreadyOwnedByYou",
        409,
        "Your previous request to create the named bucket succeeded and you already own it.",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.BucketNotEmpty": Row(
        lambda: s3_errors.BucketNotEmpty("amzn-s3-demo-bucket"),
        "BucketNotEmpty",
        409,
        "The bucket you tried to delete is not empty",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.InvalidLocationConstraint": Row(
        lambda: s3_errors.InvalidLocationConstraint("mars-1"),
        "InvalidLocationConstraint",
        400,
        "The specified location-constraint is not valid",
        (("LocationConstraint", "mars-1"),),
    ),
    "s3.IllegalLocationConstraint": Row(
        lambda: s3_errors.IllegalLocationConstraint("eu-west-1"),
        "IllegalLocationConstraintException",
        400,
        "The eu-west-1 location constraint is incompatible for the region specific endpoint this request was sent to.",
    ),
    "s3.IllegalLocationConstraint-unspecified": Row(
        lambda: s3_errors.IllegalLocationConstraint(None),
        "IllegalLocationConstraintException",
        400,
        "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
    ),
    "s3.InvalidBucketState.object_lock_needs_versioning": Row(
        lambda: s3_errors.InvalidBucketState.object_lock_needs_versioning(),
        "InvalidBucketState",
        409,
        "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
    ),
    "s3.InvalidBucketState.versioning_locked": Row(
        lambda: s3_errors.InvalidBucketState.versioning_locked(),
        "InvalidBucketState",
        409,
        "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
    ),
    "s3.NoSuchBucketPolicy": Row(
        lambda: s3_errors.NoSuchBucketPolicy("amzn-s3-demo-bucket"),
        "NoSuchBucketPolicy",
        404,
        "The bucket policy does not exist",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.MalformedPolicy.not_json": Row(
        lambda: s3_errors.MalformedPolicy.not_json(),
        "MalformedPolicy",
        400,
        "Policies must be valid JSON and the first byte must be '{'",
    ),
    "s3.MalformedPolicy.too_large": Row(
        lambda: s3_errors.MalformedPolicy.too_large(),
        "MalformedPolicy",
        400,
        "Policies must be no larger than 20480 bytes",
    ),
    "s3.MalformedPolicy.invalid_principal": Row(
        lambda: s3_errors.MalformedPolicy.invalid_principal(),
        "MalformedPolicy",
        400,
        "Invalid principal in policy",
    ),
    "s3.MalformedPolicy.invalid_action": Row(
        lambda: s3_errors.MalformedPolicy.invalid_action(),
        "MalformedPolicy",
        400,
        "Policy has invalid action",
    ),
    "s3.MalformedPolicy.invalid_resource": Row(
        lambda: s3_errors.MalformedPolicy.invalid_resource(),
        "MalformedPolicy",
        400,
        "Policy has invalid resource",
    ),
    "s3.MalformedPolicy.grammar": Row(
        lambda: s3_errors.MalformedPolicy.grammar("Missing required field Statement"),
        "MalformedPolicy",
        400,
        "Missing required field Statement",
    ),
    "s3.MalformedPolicy.grammar-bare": Row(
        lambda: s3_errors.MalformedPolicy.grammar(None),
        "MalformedPolicy",
        400,
        "Invalid policy",
    ),
    "s3.NoSuchTagSet": Row(
        lambda: s3_errors.NoSuchTagSet("amzn-s3-demo-bucket"),
        "NoSuchTagSet",
        404,
        "The TagSet does not exist",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.NoSuchCORSConfiguration": Row(
        lambda: s3_errors.NoSuchCORSConfiguration("amzn-s3-demo-bucket"),
        "NoSuchCORSConfiguration",
        404,
        "The CORS configuration does not exist",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.NoSuchWebsiteConfiguration": Row(
        lambda: s3_errors.NoSuchWebsiteConfiguration("amzn-s3-demo-bucket"),
        "NoSuchWebsiteConfiguration",
        404,
        "The specified bucket does not have a website configuration",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.NoSuchLifecycleConfiguration": Row(
        lambda: s3_errors.NoSuchLifecycleConfiguration("amzn-s3-demo-bucket"),
        "NoSuchLifecycleConfiguration",
        404,
        "The lifecycle configuration does not exist",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.ReplicationConfigurationNotFound": Row(
        lambda: s3_errors.ReplicationConfigurationNotFound("amzn-s3-demo-bucket"),
        "ReplicationConfigurationNotFoundError",
        404,
        "The replication configuration was not found",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.ObjectLockConfigurationNotFound": Row(
        lambda: s3_errors.ObjectLockConfigurationNotFound("amzn-s3-demo-bucket"),
        "ObjectLockConfigurationNotFoundError",
        404,
        "Object Lock configuration does not exist for this bucket",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.NoSuchPublicAccessBlockConfiguration": Row(
        lambda: s3_errors.NoSuchPublicAccessBlockConfiguration("amzn-s3-demo-bucket"),
        "NoSuchPublicAccessBlockConfiguration",
        404,
        "The public access block configuration was not found",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.OwnershipControlsNotFound": Row(
        lambda: s3_errors.OwnershipControlsNotFound("amzn-s3-demo-bucket"),
        "OwnershipControlsNotFoundError",
        404,
        "The bucket ownership controls were not found",
        (("BucketName", "amzn-s3-demo-bucket"),),
    ),
    "s3.NoSuchObjectLockConfiguration": Row(
        lambda: s3_errors.NoSuchObjectLockConfiguration(),
        "NoSuchObjectLockConfiguration",
        404,
        "The specified object does not have a ObjectLock configuration",
    ),
    "s3.NoSuchKey": Row(
        lambda: s3_errors.NoSuchKey("photos/a.jpg"),
        "NoSuchKey",
        404,
        "The specified key does not exist.",
        (("Key", "photos/a.jpg"),),
    ),
    "s3.NoSuchKey.delete_marker": Row(
        lambda: s3_errors.NoSuchKey.delete_marker("photos/a.jpg", "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"),
        "NoSuchKey",
        404,
        "The specified key does not exist.",
        (("Key", "photos/a.jpg"),),
        (("x-amz-delete-marker", "true"), ("x-amz-version-id", "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd")),
    ),
    "s3.NoSuchVersion": Row(
        lambda: s3_errors.NoSuchVersion("photos/a.jpg", "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"),
        "NoSuchVersion",
        404,
        "The specified version does not exist.",
        (("Key", "photos/a.jpg"), ("VersionId", "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd")),
    ),
    "s3.MethodNotAllowed": Row(
        lambda: s3_errors.MethodNotAllowed("PATCH", "OBJECT"),
        "MethodNotAllowed",
        405,
        "The specified method is not allowed against this resource.",
        (("Method", "PATCH"), ("ResourceType", "OBJECT")),
    ),
    "s3.MethodNotAllowed.delete_marker": Row(
        lambda: s3_errors.MethodNotAllowed.delete_marker("HEAD", "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"),
        "MethodNotAllowed",
        405,
        "The specified method is not allowed against this resource.",
        (("Method", "HEAD"), ("ResourceType", "DeleteMarker")),
        (("x-amz-delete-marker", "true"), ("x-amz-version-id", "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"), ("Allow", "DELETE")),
    ),
    "s3.KeyTooLong": Row(
        lambda: s3_errors.KeyTooLong(1025),
        "KeyTooLongError",
        400,
        "Your key is too long",
        (("MaxSizeAllowed", "1024"), ("Size", "1025")),
    ),
    "s3.MetadataTooLarge": Row(
        lambda: s3_errors.MetadataTooLarge(2049, 2048),
        "MetadataTooLarge",
        400,
        "Your metadata headers exceed the maximum allowed metadata size.",
        (("Size", "2049"), ("MaxSizeAllowed", "2048")),
    ),
    "s3.EntityTooLarge.upload": Row(
        lambda: s3_errors.EntityTooLarge.upload(5368709121, 5368709120),
        "EntityTooLarge",
        400,
        "Your proposed upload exceeds the maximum allowed object size.",
        (("ProposedSize", "5368709121"), ("MaxSizeAllowed", "5368709120")),
    ),
    "s3.EntityTooLarge.body": Row(
        lambda: s3_errors.EntityTooLarge.body(),
        "EntityTooLarge",
        400,
        "Your proposed upload exceeds the maximum allowed object size.",
    ),
    "s3.EntityTooSmall.part": Row(
        lambda: s3_errors.EntityTooSmall.part(1024, 5242880, 1, '"9b2cf535f27731c974343645a3985328"'),
        "EntityTooSmall",
        400,
        "Your proposed upload is smaller than the minimum allowed object size.",
        (
            ("ProposedSize", "1024"),
            ("MinSizeAllowed", "5242880"),
            ("PartNumber", "1"),
            ("ETag", '"9b2cf535f27731c974343645a3985328"'),
        ),
    ),
    "s3.EntityTooSmall.post": Row(
        lambda: s3_errors.EntityTooSmall.post(10, 100),
        "EntityTooSmall",
        400,
        "Your proposed upload is smaller than the minimum allowed size",
        (("ProposedSize", "10"), ("MinSizeAllowed", "100")),
    ),
    "s3.InvalidRange": Row(
        lambda: s3_errors.InvalidRange("bytes=100-", 10),
        "InvalidRange",
        416,
        "The requested range is not satisfiable",
        (("RangeRequested", "bytes=100-"), ("ActualObjectSize", "10")),
    ),
    "s3.InvalidPartNumber": Row(
        lambda: s3_errors.InvalidPartNumber(),
        "InvalidPartNumber",
        416,
        "The requested partnumber is not satisfiable",
    ),
    "s3.PreconditionFailed": Row(
        lambda: s3_errors.PreconditionFailed("If-Match"),
        "PreconditionFailed",
        412,
        "At least one of the pre-conditions you specified did not hold",
        (("Condition", "If-Match"),),
    ),
    "s3.NotModified": Row(
        lambda: s3_errors.NotModified('"9b2cf535f27731c974343645a3985328"', "Wed, 01 Jan 2025 00:00:00 GMT"),
        "NotModified",
        304,
        None,
        (),
        (("ETag", '"9b2cf535f27731c974343645a3985328"'), ("Last-Modified", "Wed, 01 Jan 2025 00:00:00 GMT")),
    ),
    "s3.InvalidDigest": Row(
        lambda: s3_errors.InvalidDigest(),
        "InvalidDigest",
        400,
        "The Content-MD5 you specified was not valid.",
    ),
    "s3.BadDigest.content_md5": Row(
        lambda: s3_errors.BadDigest.content_md5("1B2M2Y8AsgTpgAmY7PhCfg==", "rL0Y20zC+Fzt72VPzMSk2A=="),
        "BadDigest",
        400,
        "The Content-MD5 you specified did not match what we received.",
        (("ExpectedDigest", "1B2M2Y8AsgTpgAmY7PhCfg=="), ("CalculatedDigest", "rL0Y20zC+Fzt72VPzMSk2A==")),
    ),
    "s3.NoSuchUpload": Row(
        lambda: s3_errors.NoSuchUpload("VXBsb2FkSWQ"),
        "NoSuchUpload",
        404,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        (("UploadId", "VXBsb2FkSWQ"),),
    ),
    "s3.InvalidPart": Row(
        lambda: s3_errors.InvalidPart("VXBsb2FkSWQ", 2, '"9b2cf535f27731c974343645a3985328"'),
        "InvalidPart",
        400,
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.",
        (("UploadId", "VXBsb2FkSWQ"), ("PartNumber", "2"), ("ETag", '"9b2cf535f27731c974343645a3985328"')),
    ),
    "s3.InvalidPartOrder": Row(
        lambda: s3_errors.InvalidPartOrder(),
        "InvalidPartOrder",
        400,
        "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
    ),
    "s3.MalformedXML": Row(
        lambda: s3_errors.MalformedXML(),
        "MalformedXML",
        400,
        "The XML you provided was not well-formed or did not validate against our published schema",
    ),
    "s3.MalformedACL": Row(
        lambda: s3_errors.MalformedACL(),
        "MalformedACLError",
        400,
        "The XML you provided was not well-formed or did not validate against our published schema",
    ),
    "s3.UnexpectedContent": Row(
        lambda: s3_errors.UnexpectedContent(),
        "UnexpectedContent",
        400,
        "This request does not support content",
    ),
    "s3.Unimplemented": Row(
        lambda: s3_errors.Unimplemented(),
        "NotImplemented",
        501,
        "A header you provided implies functionality that is not implemented.",
    ),
    "s3.Unimplemented.kms": Row(
        lambda: s3_errors.Unimplemented.kms(),
        "NotImplemented",
        501,
        "Server-side encryption with AWS KMS keys is not implemented.",
    ),
    "s3.Unimplemented.mfa_delete": Row(
        lambda: s3_errors.Unimplemented.mfa_delete(),
        "NotImplemented",
        501,
        "MFA Delete is not implemented.",
    ),
    "s3.InvalidPolicyDocument": Row(
        lambda: s3_errors.InvalidPolicyDocument("Policy missing expiration."),
        "InvalidPolicyDocument",
        400,
        "Invalid Policy: Policy missing expiration.",
    ),
    "s3.InvalidTag.object_tag_count": Row(
        lambda: s3_errors.InvalidTag.object_tag_count(),
        "InvalidTag",
        400,
        "Object tags cannot be greater than 10",
    ),
    "s3.InvalidTag.bucket_tag_count": Row(
        lambda: s3_errors.InvalidTag.bucket_tag_count(),
        "InvalidTag",
        400,
        "Bucket tag count cannot be greater than 50",
    ),
    "s3.InvalidTag.key": Row(
        lambda: s3_errors.InvalidTag.key(),
        "InvalidTag",
        400,
        "The TagKey you have provided is invalid",
    ),
    "s3.InvalidTag.value": Row(
        lambda: s3_errors.InvalidTag.value(),
        "InvalidTag",
        400,
        "The TagValue you have provided is invalid",
    ),
    "s3.InvalidTag.system_tags": Row(
        lambda: s3_errors.InvalidTag.system_tags(),
        "InvalidTag",
        400,
        "System tags cannot be added/updated by requester",
    ),
    "s3.InvalidTag.duplicate_key": Row(
        lambda: s3_errors.InvalidTag.duplicate_key(),
        "InvalidTag",
        400,
        "Cannot provide multiple Tags with the same key",
    ),
    "s3.InvalidRequest.missing_header": Row(
        lambda: s3_errors.InvalidRequest.missing_header("Content-MD5"),
        "InvalidRequest",
        400,
        "Missing required header for this request: Content-MD5",
    ),
    "s3.InvalidRequest.canned_and_grants": Row(
        lambda: s3_errors.InvalidRequest.canned_and_grants(),
        "InvalidRequest",
        400,
        "Specifying both Canned ACLs and Header Grants is not allowed",
    ),
    "s3.InvalidRequest.anonymous_response_headers": Row(
        lambda: s3_errors.InvalidRequest.anonymous_response_headers(),
        "InvalidRequest",
        400,
        "Request specific response headers cannot be used for anonymous GET requests.",
    ),
    "s3.InvalidRequest.sse_c_insecure": Row(
        lambda: s3_errors.InvalidRequest.sse_c_insecure(),
        "InvalidRequest",
        400,
        "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.",
    ),
    "s3.InvalidRequest.sse_c_not_applicable": Row(
        lambda: s3_errors.InvalidRequest.sse_c_not_applicable(),
        "InvalidRequest",
        400,
        "The encryption parameters are not applicable to this object.",
    ),
    "s3.InvalidRequest.sse_c_required": Row(
        lambda: s3_errors.InvalidRequest.sse_c_required(),
        "InvalidRequest",
        400,
        "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.",
    ),
    "s3.InvalidRequest.sse_c_key_mismatch": Row(
        lambda: s3_errors.InvalidRequest.sse_c_key_mismatch(copy_source=False),
        "InvalidRequest",
        400,
        "The provided encryption key does not match the key used to encrypt the object.",
    ),
    "s3.InvalidRequest.sse_c_key_mismatch-copy": Row(
        lambda: s3_errors.InvalidRequest.sse_c_key_mismatch(copy_source=True),
        "InvalidRequest",
        400,
        "The provided encryption key does not match the key used to encrypt the copy source.",
    ),
    "s3.InvalidRequest.upload_encryption_not_applicable": Row(
        lambda: s3_errors.InvalidRequest.upload_encryption_not_applicable(),
        "InvalidRequest",
        400,
        "The encryption parameters are not applicable to this multipart upload.",
    ),
    "s3.InvalidRequest.upload_encryption_required": Row(
        lambda: s3_errors.InvalidRequest.upload_encryption_required(),
        "InvalidRequest",
        400,
        "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.",
    ),
    "s3.InvalidRequest.upload_encryption_mismatch": Row(
        lambda: s3_errors.InvalidRequest.upload_encryption_mismatch(),
        "InvalidRequest",
        400,
        "The provided encryption parameters did not match the ones used originally.",
    ),
    "s3.InvalidRequest.full_object_checksum_needs_key": Row(
        lambda: s3_errors.InvalidRequest.full_object_checksum_needs_key(),
        "InvalidRequest",
        400,
        "A full-object checksum of an upload encrypted with a customer key needs that key on CompleteMultipartUpload.",
    ),
    "s3.InvalidRequest.checksum_algorithm": Row(
        lambda: s3_errors.InvalidRequest.checksum_algorithm(),
        "InvalidRequest",
        400,
        "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
    ),
    "s3.InvalidRequest.checksum_missing": Row(
        lambda: s3_errors.InvalidRequest.checksum_missing(),
        "InvalidRequest",
        400,
        "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.",
    ),
    "s3.InvalidRequest.multiple_checksums": Row(
        lambda: s3_errors.InvalidRequest.multiple_checksums(),
        "InvalidRequest",
        400,
        "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
    ),
    "s3.InvalidRequest.checksum_type_without_algorithm": Row(
        lambda: s3_errors.InvalidRequest.checksum_type_without_algorithm(),
        "InvalidRequest",
        400,
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
    ),
    "s3.InvalidRequest.checksum_type_for_algorithm": Row(
        lambda: s3_errors.InvalidRequest.checksum_type_for_algorithm("COMPOSITE", "CRC64NVME"),
        "InvalidRequest",
        400,
        "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.",
    ),
    "s3.InvalidRequest.checksum_type_mismatch": Row(
        lambda: s3_errors.InvalidRequest.checksum_type_mismatch("SHA256", "CRC32"),
        "InvalidRequest",
        400,
        "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32",
    ),
    "s3.InvalidRequest.copy_source_delete_marker": Row(
        lambda: s3_errors.InvalidRequest.copy_source_delete_marker(),
        "InvalidRequest",
        400,
        "The source of a copy request may not specifically refer to a delete marker by version id.",
    ),
    "s3.InvalidRequest.copy_to_itself": Row(
        lambda: s3_errors.InvalidRequest.copy_to_itself(),
        "InvalidRequest",
        400,
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    ),
    "s3.InvalidRequest.copy_source_too_large": Row(
        lambda: s3_errors.InvalidRequest.copy_source_too_large(5368709120),
        "InvalidRequest",
        400,
        "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120",
    ),
    "s3.InvalidRequest.bucket_without_object_lock": Row(
        lambda: s3_errors.InvalidRequest.bucket_without_object_lock(),
        "InvalidRequest",
        400,
        "Bucket is missing Object Lock Configuration",
    ),
    "s3.InvalidRequest.object_lock_needs_checksum": Row(
        lambda: s3_errors.InvalidRequest.object_lock_needs_checksum("Object"),
        "InvalidRequest",
        400,
        "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters",
    ),
    "s3.InvalidRequest.cors_method": Row(
        lambda: s3_errors.InvalidRequest.cors_method("PATCH"),
        "InvalidRequest",
        400,
        "Found unsupported HTTP method in CORS config. Unsupported method is PATCH",
    ),
    "s3.InvalidRequest.lifecycle_no_action": Row(
        lambda: s3_errors.InvalidRequest.lifecycle_no_action(),
        "InvalidRequest",
        400,
        "At least one action needs to be specified in a rule",
    ),
    "s3.InvalidRequest.lifecycle_abort_with_tags": Row(
        lambda: s3_errors.InvalidRequest.lifecycle_abort_with_tags(),
        "InvalidRequest",
        400,
        "AbortIncompleteMultipartUpload cannot be specified with Tags.",
    ),
    "s3.InvalidRequest.lifecycle_storage_class_repeated": Row(
        lambda: s3_errors.InvalidRequest.lifecycle_storage_class_repeated("Transition"),
        "InvalidRequest",
        400,
        "'StorageClass' must be different for 'Transition' actions in same 'Rule'",
    ),
    "s3.InvalidRequest.lifecycle_date_and_days": Row(
        lambda: s3_errors.InvalidRequest.lifecycle_date_and_days("Expiration", "Days"),
        "InvalidRequest",
        400,
        "Found mixed 'Date' and 'Days' based Expiration actions in rule",
    ),
    "s3.InvalidRequest.checksum_value": Row(
        lambda: s3_errors.InvalidRequest.checksum_value("x-amz-checksum-type", trailing=False),
        "InvalidRequest",
        400,
        "Value for x-amz-checksum-type header is invalid.",
    ),
    "s3.InvalidArgument.not_an_integer": Row(
        lambda: s3_errors.InvalidArgument.not_an_integer("max-keys", "abc"),
        "InvalidArgument",
        400,
        "Provided max-keys not an integer or within integer range",
        (("ArgumentName", "max-keys"), ("ArgumentValue", "abc")),
    ),
    "s3.InvalidArgument.integer_range": Row(
        lambda: s3_errors.InvalidArgument.integer_range("max-parts", "-1"),
        "InvalidArgument",
        400,
        "Argument max-parts must be an integer between 0 and 2147483647",
        (("ArgumentName", "max-parts"), ("ArgumentValue", "-1")),
    ),
    "s3.InvalidArgument.integer_range-bounds": Row(
        lambda: s3_errors.InvalidArgument.integer_range("max-buckets", "0", 1, 10000),
        "InvalidArgument",
        400,
        "Argument max-buckets must be an integer between 1 and 10000",
        (("ArgumentName", "max-buckets"), ("ArgumentValue", "0")),
    ),
    "s3.InvalidArgument.part_number": Row(
        lambda: s3_errors.InvalidArgument.part_number("0"),
        "InvalidArgument",
        400,
        "Part number must be an integer between 1 and 10000, inclusive",
        (("ArgumentName", "partNumber"), ("ArgumentValue", "0")),
    ),
    "s3.InvalidArgument.continuation_token": Row(
        lambda: s3_errors.InvalidArgument.continuation_token("continuation-token", "xyz"),
        "InvalidArgument",
        400,
        "The continuation token provided is incorrect",
        (("ArgumentName", "continuation-token"), ("ArgumentValue", "xyz")),
    ),
    "s3.InvalidArgument.version_id": Row(
        lambda: s3_errors.InvalidArgument.version_id("versionId", "nope"),
        "InvalidArgument",
        400,
        "Invalid version id specified",
        (("ArgumentName", "versionId"), ("ArgumentValue", "nope")),
    ),
    "s3.InvalidArgument.version_id_marker_alone": Row(
        lambda: s3_errors.InvalidArgument.version_id_marker_alone("v1"),
        "InvalidArgument",
        400,
        "A version-id marker cannot be specified without a key marker.",
        (("ArgumentName", "version-id-marker"), ("ArgumentValue", "v1")),
    ),
    "s3.InvalidArgument.encoding_type": Row(
        lambda: s3_errors.InvalidArgument.encoding_type("base64"),
        "InvalidArgument",
        400,
        "Invalid Encoding Method specified in Request",
        (("ArgumentName", "encoding-type"), ("ArgumentValue", "base64")),
    ),
    "s3.InvalidArgument.attribute_name": Row(
        lambda: s3_errors.InvalidArgument.attribute_name("Size"),
        "InvalidArgument",
        400,
        "Invalid attribute name specified.",
        (("ArgumentName", "x-amz-object-attributes"), ("ArgumentValue", "Size")),
    ),
    "s3.InvalidArgument.header_value": Row(
        lambda: s3_errors.InvalidArgument.header_value("response-content-type", "a\r\nb"),
        "InvalidArgument",
        400,
        "Header value contains invalid characters.",
        (("ArgumentName", "response-content-type"), ("ArgumentValue", "a\r\nb")),
    ),
    "s3.InvalidArgument.canned_acl": Row(
        lambda: s3_errors.InvalidArgument.canned_acl("public"),
        "InvalidArgument",
        400,
        "Invalid canned ACL",
        (("ArgumentName", "x-amz-acl"), ("ArgumentValue", "public")),
    ),
    "s3.InvalidArgument.group_uri": Row(
        lambda: s3_errors.InvalidArgument.group_uri("http://acs.example.com/groups/x"),
        "InvalidArgument",
        400,
        "Invalid group uri",
        (("ArgumentName", "uri"), ("ArgumentValue", "http://acs.example.com/groups/x")),
    ),
    "s3.InvalidArgument.canonical_user_id": Row(
        lambda: s3_errors.InvalidArgument.canonical_user_id("nope"),
        "InvalidArgument",
        400,
        "Invalid id",
        (("ArgumentName", "CanonicalUser/ID"), ("ArgumentValue", "nope")),
    ),
    "s3.InvalidArgument.grant_header": Row(
        lambda: s3_errors.InvalidArgument.grant_header("x-amz-grant-read", "bogus"),
        "InvalidArgument",
        400,
        "Invalid grant header",
        (("ArgumentName", "x-amz-grant-read"), ("ArgumentValue", "bogus")),
    ),
    "s3.InvalidArgument.object_ownership": Row(
        lambda: s3_errors.InvalidArgument.object_ownership("Nobody"),
        "InvalidArgument",
        400,
        "Invalid x-amz-object-ownership header",
        (("ArgumentName", "x-amz-object-ownership"), ("ArgumentValue", "Nobody")),
    ),
    "s3.InvalidArgument.copy_source_key": Row(
        lambda: s3_errors.InvalidArgument.copy_source_key("/b"),
        "InvalidArgument",
        400,
        "Invalid copy source object key",
        (("ArgumentName", "x-amz-copy-source"), ("ArgumentValue", "/b")),
    ),
    "s3.InvalidArgument.copy_source_range": Row(
        lambda: s3_errors.InvalidArgument.copy_source_range("bytes=a-b"),
        "InvalidArgument",
        400,
        "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
        (("ArgumentName", "x-amz-copy-source-range"), ("ArgumentValue", "bytes=a-b")),
    ),
    "s3.InvalidArgument.metadata_directive": Row(
        lambda: s3_errors.InvalidArgument.metadata_directive("MERGE"),
        "InvalidArgument",
        400,
        "Unknown metadata directive.",
        (("ArgumentName", "x-amz-metadata-directive"), ("ArgumentValue", "MERGE")),
    ),
    "s3.InvalidArgument.tagging_directive": Row(
        lambda: s3_errors.InvalidArgument.tagging_directive("MERGE"),
        "InvalidArgument",
        400,
        "Unknown tagging directive.",
        (("ArgumentName", "x-amz-tagging-directive"), ("ArgumentValue", "MERGE")),
    ),
    "s3.InvalidArgument.kms_key_not_applicable": Row(
        lambda: s3_errors.InvalidArgument.kms_key_not_applicable(),
        "InvalidArgument",
        400,
        "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
        (("ArgumentName", "ApplyServerSideEncryptionByDefault"), ("ArgumentValue", "null")),
    ),
    "s3.InvalidArgument.sse_method": Row(
        lambda: s3_errors.InvalidArgument.sse_method("AES128"),
        "InvalidArgument",
        400,
        "The encryption method specified is not supported",
        (("ArgumentName", "x-amz-server-side-encryption"), ("ArgumentValue", "AES128")),
    ),
    "s3.InvalidArgument.sse_c_with_sse": Row(
        lambda: s3_errors.InvalidArgument.sse_c_with_sse("AES256"),
        "InvalidArgument",
        400,
        "Server Side Encryption with Customer provided key is incompatible with the encryption method specified",
        (("ArgumentName", "x-amz-server-side-encryption"), ("ArgumentValue", "AES256")),
    ),
    "s3.InvalidArgument.sse_c_algorithm_missing": Row(
        lambda: s3_errors.InvalidArgument.sse_c_algorithm_missing("x-amz-server-side-encryption-customer-algorithm"),
        "InvalidArgument",
        400,
        "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.",
        (("ArgumentName", "x-amz-server-side-encryption-customer-algorithm"), ("ArgumentValue", "null")),
    ),
    "s3.InvalidArgument.sse_c_algorithm": Row(
        lambda: s3_errors.InvalidArgument.sse_c_algorithm("x-amz-server-side-encryption-customer-algorithm", "AES128"),
        "InvalidArgument",
        400,
        "The encryption algorithm specified is not valid.",
        (("ArgumentName", "x-amz-server-side-encryption-customer-algorithm"), ("ArgumentValue", "AES128")),
    ),
    "s3.InvalidArgument.sse_c_key_missing": Row(
        lambda: s3_errors.InvalidArgument.sse_c_key_missing("x-amz-server-side-encryption-customer-key"),
        "InvalidArgument",
        400,
        "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.",
        (("ArgumentName", "x-amz-server-side-encryption-customer-key"), ("ArgumentValue", "null")),
    ),
    "s3.InvalidArgument.sse_c_key": Row(
        lambda: s3_errors.InvalidArgument.sse_c_key("x-amz-server-side-encryption-customer-key"),
        "InvalidArgument",
        400,
        "The secret key was invalid for the specified algorithm.",
        (("ArgumentName", "x-amz-server-side-encryption-customer-key"), ("ArgumentValue", "")),
    ),
    "s3.InvalidArgument.sse_c_key_md5_missing": Row(
        lambda: s3_errors.InvalidArgument.sse_c_key_md5_missing("x-amz-server-side-encryption-customer-key-MD5"),
        "InvalidArgument",
        400,
        "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.",
        (("ArgumentName", "x-amz-server-side-encryption-customer-key-MD5"), ("ArgumentValue", "null")),
    ),
    "s3.InvalidArgument.sse_c_key_md5": Row(
        lambda: s3_errors.InvalidArgument.sse_c_key_md5("x-amz-server-side-encryption-customer-key-MD5", "AAAA"),
        "InvalidArgument",
        400,
        "The calculated MD5 hash of the key did not match the hash that was provided.",
        (("ArgumentName", "x-amz-server-side-encryption-customer-key-MD5"), ("ArgumentValue", "AAAA")),
    ),
    "s3.InvalidArgument.retention_incomplete": Row(
        lambda: s3_errors.InvalidArgument.retention_incomplete(None, "2030-01-01T00:00:00Z"),
        "InvalidArgument",
        400,
        "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
        (("ArgumentName", "x-amz-object-lock-mode"), ("ArgumentValue", "2030-01-01T00:00:00Z")),
    ),
    "s3.InvalidArgument.retention_incomplete-mode": Row(
        lambda: s3_errors.InvalidArgument.retention_incomplete("GOVERNANCE", None),
        "InvalidArgument",
        400,
        "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
        (("ArgumentName", "x-amz-object-lock-retain-until-date"), ("ArgumentValue", "GOVERNANCE")),
    ),
    "s3.InvalidArgument.retention_mode": Row(
        lambda: s3_errors.InvalidArgument.retention_mode("STRICT"),
        "InvalidArgument",
        400,
        "Unknown wormMode directive.",
        (("ArgumentName", "x-amz-object-lock-mode"), ("ArgumentValue", "STRICT")),
    ),
    "s3.InvalidArgument.retain_until_date": Row(
        lambda: s3_errors.InvalidArgument.retain_until_date("RetainUntilDate", "tomorrow"),
        "InvalidArgument",
        400,
        "The retain until date is not a valid date.",
        (("ArgumentName", "RetainUntilDate"), ("ArgumentValue", "tomorrow")),
    ),
    "s3.InvalidArgument.retain_until_past": Row(
        lambda: s3_errors.InvalidArgument.retain_until_past("2020-01-01T00:00:00+00:00"),
        "InvalidArgument",
        400,
        "The retain until date must be in the future!",
        (("ArgumentName", "RetainUntilDate"), ("ArgumentValue", "2020-01-01T00:00:00+00:00")),
    ),
    "s3.InvalidArgument.default_retention_period": Row(
        lambda: s3_errors.InvalidArgument.default_retention_period("0"),
        "InvalidArgument",
        400,
        "Default retention period must be a positive integer value",
        (("ArgumentName", "DefaultRetention"), ("ArgumentValue", "0")),
    ),
    "s3.InvalidArgument.legal_hold": Row(
        lambda: s3_errors.InvalidArgument.legal_hold("MAYBE"),
        "InvalidArgument",
        400,
        "Legal Hold must be either of 'ON' or 'OFF'",
        (("ArgumentName", "x-amz-object-lock-legal-hold"), ("ArgumentValue", "MAYBE")),
    ),
    "s3.InvalidArgument.lifecycle_not_positive": Row(
        lambda: s3_errors.InvalidArgument.lifecycle_not_positive("Days", "Expiration", "0"),
        "InvalidArgument",
        400,
        "'Days' for Expiration action must be a positive integer",
        (("ArgumentName", "Days"), ("ArgumentValue", "0")),
    ),
    "s3.InvalidArgument.lifecycle_date": Row(
        lambda: s3_errors.InvalidArgument.lifecycle_date("2030-01-01T01:00:00Z"),
        "InvalidArgument",
        400,
        "'Date' must be at midnight GMT",
        (("ArgumentName", "Date"), ("ArgumentValue", "2030-01-01T01:00:00Z")),
    ),
    "s3.InvalidArgument.lifecycle_rule_id_length": Row(
        lambda: s3_errors.InvalidArgument.lifecycle_rule_id_length("xxxxxxxx"),
        "InvalidArgument",
        400,
        "ID length should not exceed allowed limit of 255",
        (("ArgumentName", "ID"), ("ArgumentValue", "xxxxxxxx")),
    ),
    "s3.InvalidArgument.lifecycle_rule_id_repeated": Row(
        lambda: s3_errors.InvalidArgument.lifecycle_rule_id_repeated("rule-1"),
        "InvalidArgument",
        400,
        "Rule ID must be unique. Found same ID for more than one rule",
        (("ArgumentName", "ID"), ("ArgumentValue", "rule-1")),
    ),
    "s3.InvalidArgument.lifecycle_expiration_days": Row(
        lambda: s3_errors.InvalidArgument.lifecycle_expiration_days(30),
        "InvalidArgument",
        400,
        "'Days' in the Expiration action must be greater than 'Days' in the Transition action",
        (("ArgumentName", "Days"), ("ArgumentValue", "30")),
    ),
    "s3.InvalidArgument.lifecycle_transition_days": Row(
        lambda: s3_errors.InvalidArgument.lifecycle_transition_days("Days", "Transition", "STANDARD_IA", 10),
        "InvalidArgument",
        400,
        "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'",
        (("ArgumentName", "Days"), ("ArgumentValue", "10")),
    ),
    "s3.InvalidArgument.post_file_count": Row(
        lambda: s3_errors.InvalidArgument.post_file_count(),
        "InvalidArgument",
        400,
        "POST requires exactly one file upload per request.",
        (("ArgumentName", "file"), ("ArgumentValue", "0")),
    ),
    "s3.InvalidArgument.post_field_missing": Row(
        lambda: s3_errors.InvalidArgument.post_field_missing("policy"),
        "InvalidArgument",
        400,
        "Bucket POST must contain a field named 'policy'. If it is specified, please check the order of the fields.",
        (("ArgumentName", "policy"), ("ArgumentValue", "")),
    ),
    "s3.InvalidArgument.post_algorithm": Row(
        lambda: s3_errors.InvalidArgument.post_algorithm("AWS4-HMAC-SHA1"),
        "InvalidArgument",
        400,
        "POST form fields do not name a supported signing algorithm",
        (("ArgumentName", "x-amz-algorithm"), ("ArgumentValue", "AWS4-HMAC-SHA1")),
    ),
    "s3.InvalidArgument.post_credential": Row(
        lambda: s3_errors.InvalidArgument.post_credential("AKIA/20250101"),
        "InvalidArgument",
        400,
        "Invalid credential in POST form",
        (("ArgumentName", "x-amz-credential"), ("ArgumentValue", "AKIA/20250101")),
    ),
    "s3.InvalidArgument.post_date": Row(
        lambda: s3_errors.InvalidArgument.post_date(),
        "InvalidArgument",
        400,
        "x-amz-date does not match the credential's date",
        (("ArgumentName", "x-amz-date"), ("ArgumentValue", "")),
    ),
    "s3.UnresolvableGrantByEmailAddress": Row(
        lambda: s3_errors.UnresolvableGrantByEmailAddress("nobody@example.com"),
        "UnresolvableGrantByEmailAddress",
        400,
        "The e-mail address you provided does not match any account on record.",
        (("EmailAddress", "nobody@example.com"),),
    ),
    "s3.AccessControlListNotSupported": Row(
        lambda: s3_errors.AccessControlListNotSupported(),
        "AccessControlListNotSupported",
        400,
        "The bucket does not allow ACLs",
    ),
    "s3.InvalidBucketAclWithObjectOwnership": Row(
        lambda: s3_errors.InvalidBucketAclWithObjectOwnership(),
        "InvalidBucketAclWithObjectOwnership",
        400,
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
    ),
    "s3.BadRequest.origin_missing": Row(
        lambda: s3_errors.BadRequest.origin_missing(),
        "BadRequest",
        400,
        "Insufficient information. Origin request header needed.",
    ),
    "s3.BadRequest.request_method": Row(
        lambda: s3_errors.BadRequest.request_method("BREW"),
        "BadRequest",
        400,
        "Invalid Access-Control-Request-Method: BREW",
    ),
    "s3.BadRequest.request_method-missing": Row(
        lambda: s3_errors.BadRequest.request_method(None),
        "BadRequest",
        400,
        "Invalid Access-Control-Request-Method: null",
    ),
    "s3.CORSResponse.not_enabled": Row(
        lambda: s3_errors.CORSResponse.not_enabled(),
        "CORSResponse",
        403,
        "CORS is not enabled for this bucket.",
    ),
    "s3.CORSResponse.not_allowed": Row(
        lambda: s3_errors.CORSResponse.not_allowed(),
        "CORSResponse",
        403,
        "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
    ),
    "s3.SlowDown": Row(
        lambda: s3_errors.SlowDown(),
        "SlowDown",
        503,
        "Please reduce your request rate.",
    ),
    "s3.InternalError": Row(
        lambda: s3_errors.InternalError(),
        "InternalError",
        500,
        "We encountered an internal error. Please try again.",
    ),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_error_is_pinned(row: Row) -> None:
    err = row.make()
    assert (err.code, err.status, err.message, err.extra, err.headers) == (
        row.code,
        row.status,
        row.message,
        row.extra,
        row.headers,
    )
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
    "orgs",
    "s3",
    "server/s3api.py",
    "server/s3_routes.py",
    "server/bodies.py",
    "sigv4",
    "sts",
    "sigv2.py",
    "wire/s3.py",
)

#: Branches on a code string not yet replaced by an ``except``: none are left.
CODE_BRANCHES_LEFT: set[str] = set()

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


@pytest.mark.parametrize("part", CONVERTED)
def test_converted_parts_import_no_catalogue_function(part: str) -> None:
    """A catalogue function imported by name (``from credmint.errors import x``) is called
    without the ``errors.`` the test above looks for."""
    imported = [
        f"{path.relative_to(SRC)}: {alias.name}"
        for path in _sources(part)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module == "credmint.errors"
        for alias in node.names
        if alias.name[0].islower() or alias.name == "CodedError"
    ]
    assert imported == []


def test_nothing_branches_on_a_code_string() -> None:
    branches = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if any(_CODE_BRANCH.search(line) for line in path.read_text().splitlines())
    }
    assert branches <= CODE_BRANCHES_LEFT, sorted(branches - CODE_BRANCHES_LEFT)
