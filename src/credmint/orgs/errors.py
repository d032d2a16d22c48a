"""Organizations' errors: one class per exception of the model, the wording of each case in
the class.

Organizations speaks the JSON protocol: the codes are the model's exception names, and a
few exceptions carry a ``Reason`` member (rendered as a member of the JSON error). The
texts follow the model's documentation of each exception where AWS's exact wording is
unconfirmed.
"""

from __future__ import annotations

from typing import ClassVar, Self

from credmint import errors


class OrganizationsError(errors.AwsError):
    """An Organizations exception, with the ``Reason`` member some of them carry."""

    status = 400

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message, extra=(("Reason", reason),) if reason else ())


class _Worded(OrganizationsError):
    """An exception with one text, its class's ``text``."""

    text: ClassVar[str]

    def __init__(self) -> None:
        super().__init__(self.text)


# --- callers, pagination and input ------------------------------------------------------------


class AccessDenied(OrganizationsError):
    code = "AccessDeniedException"

    def __init__(self, message: str = "You don't have permissions to access this resource.") -> None:
        super().__init__(message)

    @classmethod
    def own_handshake(cls) -> Self:
        return cls("You can't accept a handshake that your organization sent.")

    @classmethod
    def decline_not_recipient(cls) -> Self:
        return cls("Only the recipient of a handshake can decline it.")

    @classmethod
    def cancel_not_sender(cls) -> Self:
        return cls("Only the organization that sent a handshake can cancel it.")


class NotInUse(_Worded):
    code = "AWSOrganizationsNotInUseException"
    text = "Your account is not a member of an organization."


class InvalidInput(OrganizationsError):
    code = "InvalidInputException"

    @classmethod
    def value(cls, path: str, reason: str) -> Self:
        """A parameter that fails the model's constraint at ``path``."""
        return cls(f"You specified an invalid value for {path}.", reason)

    @classmethod
    def next_token(cls) -> Self:
        return cls("You specified an invalid value for nextToken.", "INVALID_NEXT_TOKEN")

    # Tags the shared tag rules refuse, in the texts IAM answers them with. The model
    # documents reasons of their own (DUPLICATE_TAG_KEY; ConstraintViolationException's
    # MAX_TAG_LIMIT_EXCEEDED) whose texts are unconfirmed.
    @classmethod
    def duplicate_tag_keys(cls) -> Self:
        return cls("Duplicate tag keys found. Please note that Tag keys are case insensitive.", "INVALID_INPUT")

    @classmethod
    def too_many_tags(cls, most: int) -> Self:
        return cls(f"The number of tags has reached the maximum limit of {most}.", "INVALID_INPUT")

    @classmethod
    def target_not_supported(cls) -> Self:
        return cls("You specified a target that isn't supported for this operation.", "TARGET_NOT_SUPPORTED")

    @classmethod
    def one_filter(cls) -> Self:
        return cls("You can specify only one filter parameter for the operation.", "MAX_LIMIT_EXCEEDED_FILTER")

    @classmethod
    def target_account_id(cls) -> Self:
        return cls("You specified an invalid value for the target account id.", "INVALID_PATTERN_TARGET_ID")

    @classmethod
    def target_email(cls) -> Self:
        return cls("You specified an invalid email address for the invited account.", "INVALID_EMAIL_ADDRESS_TARGET")

    @classmethod
    def target_organization(cls) -> Self:
        return cls("You can't specify an organization as the target of an invitation.", "INVALID_PARTY_TYPE_TARGET")

    @classmethod
    def non_detachable_policy(cls) -> Self:
        return cls("You can't detach this AWS Managed Policy.", "NON_DETACHABLE_POLICY")

    @classmethod
    def immutable_policy(cls) -> Self:
        return cls("You specified a policy that is managed by AWS and can't be modified.", "IMMUTABLE_POLICY")

    @classmethod
    def unsupported_action(cls, action: str) -> Self:
        return cls(
            f"The action {action} is not supported in a resource-based delegation policy.",
            "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY",
        )

    @classmethod
    def resource_policy_json(cls, message: str | None) -> Self:
        """A resource policy the policy grammar refuses (``message`` is the grammar's)."""
        return cls(message or "The policy is malformed.", "INVALID_RESOURCE_POLICY_JSON")

    @classmethod
    def principal(cls, value: str) -> Self:
        return cls(f"Invalid principal in policy: {value}", "INVALID_PRINCIPAL")


class ConcurrentModification(_Worded):
    code = "ConcurrentModificationException"
    text = "The target of the operation is currently being modified by a different request. Try again later."


# --- organization and accounts --------------------------------------------------------------------


class ConstraintViolation(OrganizationsError):
    code = "ConstraintViolationException"

    @classmethod
    def all_features_required(cls) -> Self:
        return cls(
            "The organization must have all features enabled to perform this operation.",
            "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
        )

    @classmethod
    def delegated_administrator_member(cls) -> Self:
        return cls(
            "You can't remove an account that is a delegated administrator. Deregister it first.",
            "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
        )

    @classmethod
    def close_management_account(cls) -> Self:
        return cls("You can't close the management account with this operation.", "CANNOT_CLOSE_MANAGEMENT_ACCOUNT")

    @classmethod
    def close_quota(cls) -> Self:
        return cls(
            "You have exceeded the number of accounts that you can close in a 30-day period.",
            "CLOSE_ACCOUNT_QUOTA_EXCEEDED",
        )

    @classmethod
    def govcloud_not_enabled(cls) -> Self:
        return cls(
            "The management account must be associated with an AWS GovCloud (US) account to create GovCloud accounts.",
            "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED",
        )

    @classmethod
    def register_management_account(cls) -> Self:
        return cls(
            "You cannot register the management account of the organization as a delegated administrator "
            "for an AWS service integrated with Organizations.",
            "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
        )

    @classmethod
    def service_access_not_enabled(cls) -> Self:
        return cls(
            "You attempted to register a delegated administrator for a service that does not have trusted "
            "access enabled in the organization.",
            "SERVICE_ACCESS_NOT_ENABLED",
        )

    @classmethod
    def policy_too_large(cls) -> Self:
        return cls(
            "You attempted to create a policy that is larger than the maximum size.", "POLICY_CONTENT_LIMIT_EXCEEDED"
        )

    @classmethod
    def too_many_attached(cls) -> Self:
        return cls(
            "You attempted to exceed the number of policies of a certain type that can be attached to an entity.",
            "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
        )

    @classmethod
    def too_few_attached(cls) -> Self:
        return cls(
            "You attempted to detach a policy from an entity that would cause the entity to have fewer than "
            "the minimum number of policies of a certain type required.",
            "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
        )

    @classmethod
    def ou_depth(cls) -> Self:
        return cls("You have reached the maximum depth of OUs in your organization.", "OU_DEPTH_LIMIT_EXCEEDED")

    @classmethod
    def billing_prerequisite(cls) -> Self:
        return cls(
            "The organization doesn't meet the billing prerequisites for a responsibility transfer.",
            "UNMET_BILLING_PREREQUISITE",
        )


class AlreadyInOrganization(_Worded):
    code = "AlreadyInOrganizationException"
    text = "The AWS account is already a member of an organization."


class OrganizationNotEmpty(_Worded):
    code = "OrganizationNotEmptyException"
    text = (
        "The organization isn't empty. To delete an organization, you must first remove all member "
        "accounts except the management account."
    )


class AccountNotFound(_Worded):
    code = "AccountNotFoundException"
    text = "You specified an account that doesn't exist."


class CreateAccountStatusNotFound(_Worded):
    code = "CreateAccountStatusNotFoundException"
    text = "We can't find an create account request with the CreateAccountRequestId that you specified."


class SourceParentNotFound(_Worded):
    code = "SourceParentNotFoundException"
    text = "We can't find a source root or OU with the ParentId that you specified."


class DestinationParentNotFound(_Worded):
    code = "DestinationParentNotFoundException"
    text = "We can't find the destination container (a root or OU) with the ParentId that you specified."


class DuplicateAccount(_Worded):
    code = "DuplicateAccountException"
    text = "That account is already present in the specified destination."


class MasterCannotLeaveOrganization(_Worded):
    code = "MasterCannotLeaveOrganizationException"
    text = (
        "You can't remove a management account from an organization. If you want the management account to "
        "become a member account in another organization, you must first delete the current organization."
    )


class AccountAlreadyClosed(_Worded):
    code = "AccountAlreadyClosedException"
    text = "You attempted to close an account that is already closed."


class AccountAlreadyRegistered(_Worded):
    code = "AccountAlreadyRegisteredException"
    text = "The provided account is already a delegated administrator for your organization."


class AccountNotRegistered(OrganizationsError):
    code = "AccountNotRegisteredException"

    @classmethod
    def for_service(cls) -> Self:
        return cls("The provided account is not a registered delegated administrator for this service.")

    @classmethod
    def anywhere(cls) -> Self:
        return cls("The provided account is not a registered delegated administrator.")


# --- roots, units and targets ----------------------------------------------------------------------


class RootNotFound(_Worded):
    code = "RootNotFoundException"
    text = "We can't find a root with the RootId that you specified."


class ParentNotFound(_Worded):
    code = "ParentNotFoundException"
    text = "We can't find a root or OU with the ParentId that you specified."


class ChildNotFound(_Worded):
    code = "ChildNotFoundException"
    text = "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified."


class TargetNotFound(_Worded):
    code = "TargetNotFoundException"
    text = "We can't find a root, OU, account, or policy with the TargetId that you specified."


class OrganizationalUnitNotFound(_Worded):
    code = "OrganizationalUnitNotFoundException"
    text = "We can't find an OU with the OrganizationalUnitId that you specified."


class DuplicateOrganizationalUnit(_Worded):
    code = "DuplicateOrganizationalUnitException"
    text = "An OU with the same name already exists."


class OrganizationalUnitNotEmpty(_Worded):
    code = "OrganizationalUnitNotEmptyException"
    text = (
        "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all "
        "child OUs, and try the operation again."
    )


# --- policies ---------------------------------------------------------------------------------------


class PolicyNotFound(_Worded):
    code = "PolicyNotFoundException"
    text = "We can't find a policy with the PolicyId that you specified."


class MalformedPolicyDocument(_Worded):
    code = "MalformedPolicyDocumentException"
    text = "The provided policy document doesn't meet the requirements of the specified policy type."


class DuplicatePolicy(_Worded):
    code = "DuplicatePolicyException"
    text = "A policy with the same name already exists."


class PolicyInUse(_Worded):
    code = "PolicyInUseException"
    text = (
        "The policy is attached to one or more entities. You must detach it from all roots, OUs, and "
        "accounts before performing this operation."
    )


class PolicyTypeNotAvailableForOrganization(_Worded):
    code = "PolicyTypeNotAvailableForOrganizationException"
    text = "You can't use the specified policy type with the feature set currently enabled for this organization."


class PolicyTypeNotEnabled(_Worded):
    code = "PolicyTypeNotEnabledException"
    text = "This operation can be performed only for enabled policy types."


class PolicyTypeAlreadyEnabled(_Worded):
    code = "PolicyTypeAlreadyEnabledException"
    text = "The specified policy type is already enabled in the specified root."


class DuplicatePolicyAttachment(_Worded):
    code = "DuplicatePolicyAttachmentException"
    text = "The selected policy is already attached to the specified target."


class PolicyNotAttached(_Worded):
    code = "PolicyNotAttachedException"
    text = "The policy isn't attached to the specified target in the specified root."


class EffectivePolicyNotFound(_Worded):
    code = "EffectivePolicyNotFoundException"
    text = "We can't find an effective policy of the type that you specified."


class ResourcePolicyNotFound(_Worded):
    code = "ResourcePolicyNotFoundException"
    text = "We can't find a resource policy request with the parameter that you specified."


class ResponsibilityTransferNotFound(_Worded):
    code = "ResponsibilityTransferNotFoundException"
    text = "We can't find a transfer that you specified."


# --- handshakes ---------------------------------------------------------------------------------------


class HandshakeNotFound(_Worded):
    code = "HandshakeNotFoundException"
    text = "We can't find a handshake with the HandshakeId that you specified."


class DuplicateHandshake(_Worded):
    code = "DuplicateHandshakeException"
    text = "A handshake with the same action and target already exists."


class InvalidHandshakeTransition(_Worded):
    code = "InvalidHandshakeTransitionException"
    text = "You can't perform the operation on the handshake in its current state."


class HandshakeAlreadyInState(OrganizationsError):
    code = "HandshakeAlreadyInStateException"

    def __init__(self, state: str) -> None:
        super().__init__(f"The specified handshake is already in the requested state: {state}.")


class HandshakeConstraintViolation(OrganizationsError):
    code = "HandshakeConstraintViolationException"

    @classmethod
    def already_in_organization(cls) -> Self:
        return cls("The account is already a member of an organization.", "ALREADY_IN_AN_ORGANIZATION")

    @classmethod
    def invite_during_migration(cls) -> Self:
        return cls(
            "You can't invite accounts while the organization is migrating to all features.",
            "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
        )

    @classmethod
    def rate_limit(cls) -> Self:
        return cls("You have sent too many invitations today. Try again tomorrow.", "HANDSHAKE_RATE_LIMIT_EXCEEDED")

    @classmethod
    def already_all_features(cls) -> Self:
        return cls("The organization already has all features enabled.", "ORGANIZATION_ALREADY_HAS_ALL_FEATURES")

    @classmethod
    def already_migrating(cls) -> Self:
        return cls(
            "The organization is already migrating to all features.",
            "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION",
        )
