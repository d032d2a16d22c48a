"""IAM's errors: one class per code, the wording of each case in a named constructor.

IAM speaks the Query protocol; its codes are the model's error shape names (``NoSuchEntity``,
``EntityAlreadyExists``...), and the centralized-root-access exceptions keep their
``...Exception`` names. Texts are as AWS sends them where observed (aws-behavior.md, the
API reference, moto's recordings); a comment marks the ones whose wording is unconfirmed.
"""

from __future__ import annotations

from typing import Self

from credmint import errors, policy
from credmint.wire.query import IAM_PATH_MESSAGE


class AccessDenied(errors.AccessDenied):
    """IAM's own refusals; ``except errors.AccessDenied`` catches them with the authorizer's."""

    @classmethod
    def delegation_not_enabled(cls, account_id: str) -> Self:
        return cls(f"Account {account_id} is not enabled for delegation.")

    @classmethod
    def not_request_owner(cls) -> Self:
        return cls("Only the owner of this delegation request can send its token.")

    @classmethod
    def old_password_incorrect(cls) -> Self:
        # Wording unconfirmed; AccessDenied, as for any credential the caller cannot prove.
        return cls("The old password you provided is incorrect.")

    @classmethod
    def organization_scope_management_only(cls) -> Self:
        return cls(
            "Only the organization's management account can manage organization-scoped workload identity resources."
        )

    @classmethod
    def organization_provider_management_only(cls) -> Self:
        return cls("Only the organization's management account can change an organization-scoped provider.")

    @classmethod
    def organization_template_management_only(cls) -> Self:
        return cls("Only the organization's management account can change an organization-scoped template.")


class ValidationError(errors.ValidationError):
    """IAM's own rules on its parameters (the model's constraints are checked by ``wire``)."""

    @classmethod
    def invalid_marker(cls) -> Self:
        return cls("Invalid Marker.")

    @classmethod
    def user_name_required(cls) -> Self:
        """A user-targeting operation called by a caller that is not an IAM user, naming none."""
        return cls("Must specify userName when calling with non-User credentials")

    @classmethod
    def password_required(cls) -> Self:
        return cls("Password is required when creating a login profile for an IAM user.")

    @classmethod
    def invalid_arn(cls) -> Self:
        # Observed for a value that is not an ARN at all (LocalStack snapshot against AWS),
        # two spaces included.
        return cls("Invalid ARN:  Could not be parsed!")


class NoSuchEntity(errors.AwsError):
    code = "NoSuchEntity"
    status = 404

    # --- named entities (entities.py), by name and by ARN
    @classmethod
    def user(cls, name: str) -> Self:
        return cls(f"The user with name {name} cannot be found.")

    @classmethod
    def group(cls, name: str) -> Self:
        return cls(f"The group with name {name} cannot be found.")

    @classmethod
    def role(cls, name: str) -> Self:
        return cls(f"The role with name {name} cannot be found.")

    @classmethod
    def instance_profile(cls, name: str) -> Self:
        return cls(f"Instance Profile {name} cannot be found.")

    @classmethod
    def server_certificate(cls, name: str) -> Self:
        return cls(f"The Server Certificate with name {name} cannot be found.")

    @classmethod
    def entity_arn(cls, arn: str) -> Self:
        return cls(f"The entity with ARN {arn} cannot be found.")

    @classmethod
    def user_arn(cls, arn: str) -> Self:
        return cls(f"The user with ARN {arn} cannot be found.")

    @classmethod
    def role_arn(cls, arn: str) -> Self:
        return cls(f"The role with ARN {arn} cannot be found.")

    @classmethod
    def group_arn(cls, arn: str) -> Self:
        return cls(f"The group with ARN {arn} cannot be found.")

    @classmethod
    def principal(cls, arn: str) -> Self:
        return cls(f"Principal {arn} not found.")

    # --- policies
    @classmethod
    def policy(cls, arn: str) -> Self:
        return cls(f"Policy {arn} was not found.")

    @classmethod
    def policy_not_attachable(cls, arn: str) -> Self:
        return cls(f"Policy {arn} does not exist or is not attachable.")

    @classmethod
    def policy_version(cls, arn: str, version_id: str) -> Self:
        # Unconfirmed wording (the one IAM emulators use, in AWS's attachable-policy style).
        return cls(f"Policy {arn} version {version_id} does not exist or is not attachable.")

    @classmethod
    def policy_id(cls, policy_id: str) -> Self:
        return cls(f"The policy {policy_id} cannot be found.")

    @classmethod
    def inline_policy(cls, kind: str, name: str) -> Self:
        """``kind``: ``user``, ``group`` or ``role``."""
        return cls(f"The {kind} policy with name {name} cannot be found.")

    @classmethod
    def scope_arn(cls, arn: str) -> Self:
        return cls(f"Scope ARN: {arn} does not exist or is not attachable.")

    @classmethod
    def job(cls, job_id: str) -> Self:
        return cls(f"The job with ID {job_id} cannot be found.")

    # --- the account
    @classmethod
    def account_alias(cls, alias: str) -> Self:
        return cls(f"The account alias {alias} cannot be found.")

    @classmethod
    def password_policy(cls, account_id: str) -> Self:
        return cls(f"The Password Policy with domain name {account_id} cannot be found.")

    @classmethod
    def account_password_policy(cls) -> Self:
        return cls("The account policy with name PasswordPolicy cannot be found.")

    # --- credentials
    @classmethod
    def login_profile(cls, user_name: str) -> Self:
        return cls(f"Login Profile for User {user_name} cannot be found.")

    @classmethod
    def access_key(cls, key_id: str) -> Self:
        return cls(f"The Access Key with id {key_id} cannot be found.")

    @classmethod
    def signing_certificate(cls, certificate_id: str) -> Self:
        return cls(f"The Certificate with id {certificate_id} cannot be found.")

    @classmethod
    def public_key(cls, key_id: str) -> Self:
        return cls(f"The Public Key with id {key_id} cannot be found.")

    @classmethod
    def service_credential(cls, credential_id: str, user_name: str) -> Self:
        return cls(f"No such credential {credential_id} exists for user {user_name}.")

    @classmethod
    def virtual_mfa_device(cls, serial: str) -> Self:
        return cls(f"VirtualMFADevice with serial number {serial} doesn't exist.")

    @classmethod
    def mfa_device_for_user(cls) -> Self:
        """A device that exists but is not the named user's (wording reported by emulators
        of AWS; unconfirmed)."""
        return cls("MFA Device invalid for user.")

    # --- identity providers
    @classmethod
    def saml_provider(cls, arn: str) -> Self:
        # Unconfirmed wording; "manifest" is IAM's internal name for a SAML provider.
        return cls(f"Manifest not found for arn {arn}")

    @classmethod
    def oidc_provider(cls, arn: str) -> Self:
        # Unconfirmed wording (as IAM emulators report it).
        return cls(f"OpenIDConnect Provider not found for arn {arn}")

    # --- roles: templates, service-linked roles' deletion
    @classmethod
    def role_template(cls, arn: str) -> Self:
        # Wording unconfirmed.
        return cls(f"The role template with ARN {arn} cannot be found.")

    @classmethod
    def role_template_version(cls, arn: str, minor_version: str) -> Self:
        return cls(f"Minor version {minor_version} of role template {arn} cannot be found.")

    @classmethod
    def service_linked_role_deletion_task(cls, task_id: str) -> Self:
        return cls(f"Deletion task {task_id} cannot be found.")

    @classmethod
    def delegation_request(cls, request_id: str) -> Self:
        # Wording unconfirmed.
        return cls(f"Delegation request {request_id} not found.")

    # --- workload identity (wordings unconfirmed)
    @classmethod
    def workload_identity_provider(cls, arn: str) -> Self:
        return cls(f"Workload identity provider {arn} not found.")

    @classmethod
    def workload_identity_template(cls, arn: str) -> Self:
        return cls(f"Workload identity template {arn} not found.")

    @classmethod
    def workload_identity_deletion_task(cls, task_id: str) -> Self:
        return cls(f"Deletion task {task_id} not found.")

    @classmethod
    def x509_signer(cls, ca_id: str) -> Self:
        return cls(f"The provider has no X.509 signer for certificate authority {ca_id}.")

    @classmethod
    def x509_signer_to_rotate(cls, algorithm: str) -> Self:
        return cls(f"The provider has no {algorithm} X.509 signer to rotate.")

    @classmethod
    def provider_resource_policy(cls, arn: str) -> Self:
        return cls(f"Workload identity provider {arn} has no resource policy.")

    @classmethod
    def template_definition(cls, arn: str) -> Self:
        return cls(f"Template definition {arn} not found.")

    @classmethod
    def attestation_policy(cls, arn: str) -> Self:
        return cls(f"Workload identity template {arn} has no attestation policy.")


class EntityAlreadyExists(errors.AwsError):
    code = "EntityAlreadyExists"
    status = 409

    @classmethod
    def user(cls, name: str) -> Self:
        return cls(f"User with name {name} already exists.")

    @classmethod
    def group(cls, name: str) -> Self:
        return cls(f"Group with name {name} already exists.")

    @classmethod
    def role(cls, name: str) -> Self:
        return cls(f"Role with name {name} already exists.")

    @classmethod
    def instance_profile(cls, name: str) -> Self:
        return cls(f"Instance Profile {name} already exists.")

    @classmethod
    def server_certificate(cls, name: str) -> Self:
        return cls(f"The Server Certificate with name {name} already exists.")

    @classmethod
    def policy(cls, name: str) -> Self:
        return cls(f"A policy called {name} already exists. Duplicate names are not allowed.")

    @classmethod
    def account_alias(cls, alias: str) -> Self:
        return cls(f"The account alias {alias} already exists.")

    @classmethod
    def login_profile(cls, user_name: str) -> Self:
        return cls(f"Login Profile for user {user_name} already exists.")

    @classmethod
    def mfa_device(cls) -> Self:
        return cls("MFADevice entity at the same path and name already exists.")

    @classmethod
    def mfa_device_in_use(cls) -> Self:
        return cls("MFA Device is already in use.")

    @classmethod
    def saml_provider(cls, name: str) -> Self:
        return cls(f"SAMLProvider {name} already exists")

    @classmethod
    def oidc_provider(cls, url: str) -> Self:
        return cls(f"Provider with url {url} already exists.")

    @classmethod
    def delegation_workflow(cls) -> Self:
        return cls("A delegation request with this RequestorWorkflowId already exists.")

    @classmethod
    def workload_identity_provider(cls, name: str) -> Self:
        return cls(f"Workload identity provider {name} already exists.")

    @classmethod
    def workload_identity_domain(cls, domain: str) -> Self:
        return cls(f"The workload identity domain {domain} is already claimed by another provider.")

    @classmethod
    def signer_slot(cls, algorithm: str) -> Self:
        return cls(
            f"The {algorithm} signer slot of the provider is not empty; use "
            "UpdateWorkloadIdentityProviderOutboundSigner to rotate it."
        )

    @classmethod
    def workload_identity_template(cls, name: str) -> Self:
        return cls(f"Workload identity template {name} already exists.")


class DeleteConflict(errors.AwsError):
    code = "DeleteConflict"
    status = 409

    # --- what still hangs off a user, group or role, one reason at a time
    @classmethod
    def _first(cls, step: str) -> Self:
        return cls(f"Cannot delete entity, must {step} first.")

    @classmethod
    def must_detach_policies(cls) -> Self:
        return cls._first("detach all policies")

    @classmethod
    def must_delete_inline_policies(cls) -> Self:
        return cls._first("delete policies")

    @classmethod
    def must_delete_access_keys(cls) -> Self:
        return cls._first("delete access keys")

    @classmethod
    def must_remove_users_from_group(cls) -> Self:
        return cls._first("remove users from group")

    @classmethod
    def must_delete_mfa_device(cls) -> Self:
        return cls._first("delete MFA device")

    @classmethod
    def must_delete_login_profile(cls) -> Self:
        return cls._first("delete login profile")

    # The texts for SSH public keys and signing certificates are unconfirmed.
    @classmethod
    def must_delete_ssh_public_keys(cls) -> Self:
        return cls._first("delete SSH public keys")

    @classmethod
    def must_delete_signing_certificates(cls) -> Self:
        return cls._first("delete signing certificates")

    @classmethod
    def must_delete_service_credentials(cls) -> Self:
        return cls._first("delete service specific credentials")

    @classmethod
    def must_remove_roles_from_instance_profile(cls) -> Self:
        """A role an instance profile holds, and an instance profile that holds a role."""
        return cls._first("remove roles from instance profile")

    # --- policies, MFA devices, workload identity providers
    @classmethod
    def policy_attached(cls) -> Self:
        return cls("Cannot delete a policy attached to entities.")

    @classmethod
    def policy_versions(cls) -> Self:
        return cls(
            "This policy has more than one version. Before you delete a policy, you must delete the "
            "policy's versions. The default version is deleted with the policy."
        )

    @classmethod
    def default_policy_version(cls) -> Self:
        return cls("Cannot delete the default version of a policy.")

    @classmethod
    def mfa_device_in_use(cls) -> Self:
        return cls("MFA Device is still in use.")

    @classmethod
    def provider_has_templates(cls) -> Self:
        return cls("Cannot delete a provider that workload identity templates still reference.")

    @classmethod
    def provider_has_x509_signers(cls) -> Self:
        return cls("Delete every X.509 outbound signer of the provider before the provider.")


class LimitExceeded(errors.AwsError):
    code = "LimitExceeded"
    status = 409

    @classmethod
    def quota(cls, name: str, most: int) -> Self:
        """IAM's answer for every quota but a few: ``name`` as IAM names the quota
        (``UsersPerAccount``, ``PoliciesPerRole``...)."""
        return cls(f"Cannot exceed quota for {name}: {most}")

    @classmethod
    def instance_profiles(cls, most: int) -> Self:
        # The one quota text observed with a final period.
        return cls(f"Cannot exceed quota for InstanceProfilesPerAccount: {most}.")

    @classmethod
    def inline_policy_size(cls, most: int, entity_type: str, entity_name: str) -> Self:
        """The aggregate of one entity's inline policies. User and role texts observed; the
        group one follows the same pattern (unconfirmed)."""
        return cls(f"Maximum policy size of {most} bytes exceeded for {entity_type} {entity_name}")

    @classmethod
    def policy_versions(cls) -> Self:
        return cls(
            "A managed policy can have up to 5 versions. Before you create a new version, you must "
            "delete an existing version."
        )

    @classmethod
    def account_properties(cls, most: int) -> Self:
        return cls(f"An account can hold at most {most} properties.")

    @classmethod
    def tags(cls, most: int) -> Self:
        return cls(f"The number of tags has reached the maximum limit of {most}.")


class InvalidInput(errors.AwsError):
    code = "InvalidInput"
    status = 400

    # --- shared by several operations
    @classmethod
    def status_value(cls, value: str) -> Self:
        return cls(f"Invalid status: {value}. Status must be Active or Inactive.")

    @classmethod
    def duplicate_tag_keys(cls) -> Self:
        return cls("Duplicate tag keys found. Please note that Tag keys are case insensitive.")

    @classmethod
    def path(cls) -> Self:
        """A path built from a role template's pattern (the Query's own check answers
        ValidationError with the same text)."""
        return cls(IAM_PATH_MESSAGE)

    # --- access advisor
    @classmethod
    def arn(cls, arn: str) -> Self:
        # Wording unconfirmed; AWS answers InvalidInput for an ARN that names no IAM entity.
        return cls(f"ARN {arn} is not valid.")

    @classmethod
    def not_management_account(cls) -> Self:
        return cls("The caller must be the management account of an organization.")

    @classmethod
    def entity_path(cls, path: str) -> Self:
        return cls(f"Entity path {path} is not valid for this organization.")

    # --- account properties
    @classmethod
    def property_name(cls, name: str) -> Self:
        return cls(f"Property {name} must be in Namespace/PropertyName format.")

    @classmethod
    def no_properties(cls) -> Self:
        return cls("Properties must contain at least one property.")

    @classmethod
    def mixed_namespaces(cls) -> Self:
        return cls("All properties in a single request must belong to the same namespace.")

    # --- delegation requests
    @classmethod
    def delegation_state(cls, state: str, operation: str) -> Self:
        return cls(f"The delegation request is {state}; {operation} is not possible in that state.")

    @classmethod
    def policy_template_missing(cls) -> Self:
        return cls("Permissions must name a PolicyTemplateArn.")

    @classmethod
    def policy_template_not_managed(cls, arn: str) -> Self:
        return cls(f"Policy template {arn} is not a managed policy of the requesting account.")

    @classmethod
    def policy_template_parameters(cls) -> Self:
        return cls("The policy template has parameters the request does not supply.")

    @classmethod
    def string_parameter_values(cls, name: str) -> Self:
        return cls(f"Parameter {name} of type string takes exactly one value.")

    @classmethod
    def delegation_entity_type(cls) -> Self:
        return cls("The only supported entity type is delegation-request.")

    # --- identity providers
    @classmethod
    def saml_encryption(cls) -> Self:
        return cls("SAML assertion encryption is not supported by this server.")

    @classmethod
    def oidc_url(cls) -> Self:
        return cls("Invalid Open ID Connect Provider URL")

    @classmethod
    def too_many_thumbprints(cls) -> Self:
        return cls("Thumbprint list must contain fewer than 5 entries.")

    @classmethod
    def thumbprint(cls, value: str) -> Self:
        return cls(f"Thumbprint {value} is not a 40-character hexadecimal string.")

    # UpdateOpenIDConnectProvider: the rules are the API reference's, the wordings unconfirmed.
    @classmethod
    def context_provider_twice(cls) -> Self:
        return cls("Specify either ContextProvider or RemoveContextProvider, not both.")

    @classmethod
    def identity_center_twice(cls) -> Self:
        return cls("Specify either IdentityCenterInstanceArn or RemoveIdentityCenterInstance, not both.")

    @classmethod
    def context_and_identity_center(cls) -> Self:
        return cls(
            "A request can change either the context provider or the IAM Identity Center association, not both."
        )

    @classmethod
    def nothing_to_update(cls) -> Self:
        return cls("Specify a context provider or an IAM Identity Center instance to set or remove.")

    @classmethod
    def identity_center_arn(cls, arn: str) -> Self:
        return cls(f"Invalid IAM Identity Center instance ARN: {arn}.")

    @classmethod
    def identity_center_still_associated(cls) -> Self:
        return cls("Remove the IAM Identity Center association before removing the context provider.")

    @classmethod
    def context_provider_missing(cls) -> Self:
        return cls("Set a context provider before associating an IAM Identity Center instance.")

    # --- role templates' replacement values: the rules follow the parameter definitions'
    # members, the wordings are unconfirmed.
    @classmethod
    def not_a_number(cls, name: str, value: str) -> Self:
        return cls(f"The value {value} for parameter {name} is not a number.")

    @classmethod
    def not_an_arn(cls, name: str, value: str) -> Self:
        return cls(f"The value {value} for parameter {name} is not a valid ARN.")

    @classmethod
    def unknown_parameter(cls, name: str) -> Self:
        return cls(f"The role template has no parameter named {name}.")

    @classmethod
    def immutable_parameter(cls, name: str) -> Self:
        return cls(f"The parameter {name} is immutable and cannot be given a value.")

    @classmethod
    def required_parameter(cls, name: str) -> Self:
        return cls(f"The required parameter {name} has no value.")

    @classmethod
    def single_value_parameter(cls, name: str, kind: str) -> Self:
        return cls(f"The parameter {name} of type {kind} takes one value.")

    @classmethod
    def one_value_in_text(cls, name: str) -> Self:
        return cls(f"The parameter {name} must have exactly one value where it is used in text.")

    @classmethod
    def role_name(cls, name: str) -> Self:
        return cls(f"The resulting role name {name} is not valid.")

    @classmethod
    def role_description_too_long(cls) -> Self:
        return cls("The resulting role description is longer than 1000 characters.")

    # --- service-specific credentials and service-linked roles
    @classmethod
    def credential_age_days(cls, service: str) -> Self:
        return cls(f"CredentialAgeDays is not supported for service {service}.")

    @classmethod
    def no_service_linked_roles(cls, service: str) -> Self:
        return cls(f"Service {service} does not support service-linked roles.")

    @classmethod
    def custom_suffix(cls, name: str) -> Self:
        return cls(f"Custom suffix is not allowed for {name}")

    @classmethod
    def role_name_too_long(cls, name: str) -> Self:
        return cls(f"The role name {name} is longer than 64 characters.")

    @classmethod
    def service_role_name_taken(cls, name: str) -> Self:
        return cls(f"Service role name {name} has been taken in this account, please try a different suffix.")

    @classmethod
    def not_service_linked(cls, name: str) -> Self:
        return cls(f"Role {name} is not a service-linked role.")

    @classmethod
    def deletion_task_id(cls, task_id: str) -> Self:
        return cls(f"Invalid deletion task id: {task_id}")

    # --- the policy simulator
    @classmethod
    def invalid_policy(cls, policy_id: str, reason: str | None) -> Self:
        """``reason``: the policy engine's MalformedPolicyDocument text."""
        return cls(f"{policy_id} is not a valid policy: {reason}")

    @classmethod
    def caller_arn(cls, arn: str) -> Self:
        return cls(f"Invalid CallerArn: {arn}")

    # --- workload identity (wordings unconfirmed)
    @classmethod
    def not_in_organization(cls) -> Self:
        return cls("The caller's account is not a member of an organization.")

    @classmethod
    def organization_level_resources_disabled(cls) -> Self:
        return cls(
            "Organization-level resources are not enabled for your organization: "
            "the management account enables them with EnableOrganizationLevelResources."
        )

    @classmethod
    def spiffe_domain_required(cls) -> Self:
        return cls("WorkloadIdentityDomain is required when Scheme is SPIFFE.")

    @classmethod
    def domain_without_scheme(cls) -> Self:
        return cls("WorkloadIdentityDomain must not be specified when Scheme is NONE.")

    @classmethod
    def tag_keys_differ_in_case(cls) -> Self:
        return cls("Tag keys that differ only in case are not allowed.")

    @classmethod
    def signer_type_not_x509(cls) -> Self:
        return cls(
            "SignerType must be X509: IAM manages the JWT outbound signers, which cannot be disabled, "
            "enabled or deleted."
        )

    @classmethod
    def outbound_signer_not_x509(cls) -> Self:
        return cls("OutboundSigner must specify the X509 member.")

    @classmethod
    def x509_signer_in_use(cls, ca_id: str) -> Self:
        return cls(
            f"The X.509 signer for certificate authority {ca_id} is signing or about to sign; "
            "disable it with DisableWorkloadIdentityProviderOutboundSigner before deleting it."
        )

    @classmethod
    def not_in_definition_mode(cls, member: str) -> Self:
        return cls(f"{member} must not be specified in template definition mode.")

    @classmethod
    def required_in_direct_mode(cls, member: str) -> Self:
        return cls(f"{member} is required in direct authoring mode.")

    @classmethod
    def no_open_value(cls, name: str) -> Self:
        return cls(f"The template definition leaves no value named {name} open.")

    @classmethod
    def replacement_value_missing(cls, name: str) -> Self:
        return cls(f"ReplacementValues must supply {name}.")

    @classmethod
    def replacement_value_not_single(cls, name: str) -> Self:
        return cls(f"ReplacementValues {name} takes exactly one value.")

    @classmethod
    def path_pattern(cls, reason: str) -> Self:
        return cls(f"Invalid PathPattern: {reason}.")

    @classmethod
    def condition_key_not_placeholder(cls, key: str) -> Self:
        return cls(
            f"The attestation policy's condition key {key} does not fit the template's PathPattern: "
            "it is not one of the pattern's placeholders."
        )

    @classmethod
    def organization_template_provider(cls) -> Self:
        return cls("An organization-scoped template must reference an organization-scoped provider.")

    @classmethod
    def service_principal_filter(cls) -> Self:
        return cls('Filter must read service_principal = "<service principal>".')


class PasswordPolicyViolation(errors.AwsError):
    code = "PasswordPolicyViolation"
    status = 400

    def __init__(self) -> None:
        # AWS's wording for a password its policy refuses (unconfirmed which detail, if any,
        # it adds; this is the text reported for CreateLoginProfile and UpdateLoginProfile).
        super().__init__("Password does not conform to the account password policy.")


class MalformedPolicyDocument(errors.MalformedPolicyDocument):
    """IAM's own policy checks; the policy engine's grammar answers the base class."""

    @classmethod
    def trust_policy_not_json(cls) -> Self:
        return cls("This policy contains invalid Json")

    @classmethod
    def invalid_principal(cls, arn: str) -> Self:
        """An ``AWS`` principal that names no user, role or account of the store."""
        return cls(policy.VALIDATION["principal_invalid"].format(kind="AWS", value=arn))


class InvalidAuthenticationCode(errors.AwsError):
    code = "InvalidAuthenticationCode"
    status = 403

    @classmethod
    def invalid(cls) -> Self:
        return cls("Authentication code for device is not valid.")

    @classmethod
    def locked(cls, retry_at: str) -> Self:
        """The device is in backoff or locked out after wrong codes (wording ours: AWS's is
        unknown)."""
        return cls(
            "Authentication code for device was not checked: too many invalid codes for this device. "
            f"Try again after {retry_at}."
        )


class FeatureEnabled(errors.AwsError):
    code = "FeatureEnabled"
    status = 409

    @classmethod
    def outbound_federation(cls) -> Self:
        return cls("Outbound web identity federation is already enabled for this account.")


class FeatureDisabled(errors.AwsError):
    code = "FeatureDisabled"
    status = 404

    @classmethod
    def outbound_federation(cls) -> Self:
        return cls("Outbound web identity federation is not enabled for this account.")


class ConcurrentModification(errors.AwsError):
    code = "ConcurrentModification"
    status = 409

    @classmethod
    def delegation_state(cls, state: str, operation: str) -> Self:
        return cls(f"The delegation request is {state}; {operation} is not possible in that state.")

    @classmethod
    def delegation_acceptor(cls) -> Self:
        # The root user and federated users are not mapped to delegated credentials (AWS's
        # rule unpublished; an IAM user or role is the safe side).
        return cls("A delegation request must be accepted by an IAM user or a role session.")


# --- the credential report ----------------------------------------------------------------------


class ReportNotPresent(errors.AwsError):
    code = "ReportNotPresent"
    status = 410

    def __init__(self) -> None:
        super().__init__(
            "The request was rejected because the credential report does not exist. To generate a credential "
            "report, use GenerateCredentialReport."
        )


class ReportExpired(errors.AwsError):
    code = "ReportExpired"
    status = 410

    def __init__(self) -> None:
        super().__init__(
            "The request was rejected because the most recent credential report has expired. To generate a new "
            "credential report, use GenerateCredentialReport."
        )


# --- users' credentials ---------------------------------------------------------------------------


class InvalidUserType(errors.AwsError):
    code = "InvalidUserType"
    status = 400

    def __init__(self) -> None:
        # Only IAM users have an IAM password to change (wording unconfirmed).
        super().__init__("Only IAM users can change their own password.")


class UnrecognizedPublicKeyEncoding(errors.AwsError):
    code = "UnrecognizedPublicKeyEncoding"
    status = 400

    @classmethod
    def key_format(cls) -> Self:
        return cls("The public key encoding format is unsupported or unrecognized.")

    @classmethod
    def encoding(cls, encoding: str) -> Self:
        return cls(f"Unrecognized encoding: {encoding}.")


class InvalidPublicKey(errors.AwsError):
    code = "InvalidPublicKey"
    status = 400

    def __init__(self) -> None:
        # Unconfirmed wording.
        super().__init__("The public key is not valid.")


class DuplicateSSHPublicKey(errors.AwsError):
    code = "DuplicateSSHPublicKey"
    status = 400

    def __init__(self) -> None:
        super().__init__("The SSH public key specified is already in use by this user.")


class MalformedCertificate(errors.AwsError):
    code = "MalformedCertificate"
    status = 400

    @classmethod
    def signing_certificate(cls) -> Self:
        return cls("The certificate is malformed or not in PEM format.")

    @classmethod
    def unparsable(cls, what: str) -> Self:
        """A server certificate's body, chain or private key (``what``); unconfirmed wording."""
        return cls(f"Unable to parse {what}.")


class InvalidCertificate(errors.AwsError):
    code = "InvalidCertificate"
    status = 400

    def __init__(self) -> None:
        super().__init__("The certificate is not valid at this time.")


class DuplicateCertificate(errors.AwsError):
    code = "DuplicateCertificate"
    status = 409

    def __init__(self) -> None:
        super().__init__("The certificate is already in use by this user.")


class KeyPairMismatch(errors.AwsError):
    code = "KeyPairMismatch"
    status = 400

    def __init__(self) -> None:
        super().__init__("Unable to validate certificate: the private key does not match the certificate.")


class NotSupportedService(errors.AwsError):
    code = "NotSupportedService"
    status = 404

    def __init__(self, service: str) -> None:
        super().__init__(f"Service {service} is not supported for service-specific credentials.")


# --- roles ------------------------------------------------------------------------------------------


class UnmodifiableEntity(errors.AwsError):
    code = "UnmodifiableEntity"
    status = 400

    def __init__(self, role_name: str) -> None:
        super().__init__(
            f"Cannot perform the operation on the protected role '{role_name}' - this role is only modifiable by AWS"
        )


class RoleTemplateDisabled(errors.AwsError):
    code = "RoleTemplateDisabled"
    status = 400

    def __init__(self, arn: str) -> None:
        # Wording unconfirmed.
        super().__init__(f"The role template {arn} is disabled and cannot be used to create roles.")


class NameConflict(errors.AwsError):
    code = "NameConflict"
    status = 409

    def __init__(self, role_name: str) -> None:
        # Wording unconfirmed.
        super().__init__(f"A role named {role_name} already exists in the account.")


# --- centralized root access: the model's shape names are the codes ---------------------------------


class OrganizationNotFound(errors.AwsError):
    code = "OrganizationNotFoundException"
    status = 400

    def __init__(self) -> None:
        super().__init__("The request was rejected because no organization is associated with your account.")


class CallerIsNotManagementAccount(errors.AwsError):
    code = "CallerIsNotManagementAccountException"
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "The request was rejected because the account making the request is not the management account "
            "for the organization."
        )


class AccountNotManagementOrDelegatedAdministrator(errors.AwsError):
    code = "AccountNotManagementOrDelegatedAdministratorException"
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "The request was rejected because the account making the request is not the management account "
            "or delegated administrator account for centralized root access."
        )


class OrganizationNotInAllFeaturesMode(errors.AwsError):
    code = "OrganizationNotInAllFeaturesModeException"
    status = 400

    def __init__(self) -> None:
        super().__init__("The request was rejected because your organization does not have All features enabled.")


class ServiceAccessNotEnabled(errors.AwsError):
    code = "ServiceAccessNotEnabledException"
    status = 400

    def __init__(self) -> None:
        super().__init__("The request was rejected because trusted access is not enabled for IAM in Organizations.")


class OrganizationLevelResourcesExist(errors.AwsError):
    code = "OrganizationLevelResourcesExistException"
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "The request was rejected because your organization still has organization-level resources. "
            "Delete them before you disable organization-level resources for your organization."
        )
