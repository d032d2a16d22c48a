"""Which IAM action each IAM and STS operation is authorized with, and on what resource.

One readable table, following the AWS Service Authorization Reference: the first
action of an entry is the one the operation needs; later ones are needed only when
the call asks for more (``sts:TagSession`` when tags are passed,
``sts:SetSourceIdentity`` with a source identity), or on a second resource
(``iam:PassRole`` on the role AddRoleToInstanceProfile puts in a profile). The
resource column names the ARN type the handler passes (``user`` = ``arn:aws:iam::ACCT:user/path/name``,
``*`` = no resource-level permissions; alternatives separated by ``|``). Operations
with no action need no permission: AWS lets any caller ask who it is
(GetCallerIdentity) or get a session token (GetSessionToken), and the federation
calls are authorized by the role's trust policy alone.

S3's table is ``credmint.s3.actions.ACTIONS``. ``Runtime.authorize`` refuses, as an
internal failure, an IAM or STS operation authorized with an action this table does
not list for it, so the table and the handlers cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    actions: tuple[str, ...]
    resource: str


TABLE: dict[tuple[str, str], Entry] = {
    ("iam", "AddClientIDToOpenIDConnectProvider"): Entry(("iam:AddClientIDToOpenIDConnectProvider",), "oidc-provider"),
    ("iam", "AddRoleToInstanceProfile"): Entry(
        ("iam:AddRoleToInstanceProfile", "iam:PassRole"), "instance-profile|role"
    ),
    ("iam", "AddUserToGroup"): Entry(("iam:AddUserToGroup",), "group"),
    ("iam", "AttachGroupPolicy"): Entry(("iam:AttachGroupPolicy",), "group"),
    ("iam", "AttachRolePolicy"): Entry(("iam:AttachRolePolicy",), "role"),
    ("iam", "AttachUserPolicy"): Entry(("iam:AttachUserPolicy",), "user"),
    ("iam", "ChangePassword"): Entry(("iam:ChangePassword",), "user"),
    ("iam", "CreateAccessKey"): Entry(("iam:CreateAccessKey",), "user"),
    ("iam", "CreateAccountAlias"): Entry(("iam:CreateAccountAlias",), "*"),
    ("iam", "CreateGroup"): Entry(("iam:CreateGroup",), "group"),
    ("iam", "CreateInstanceProfile"): Entry(("iam:CreateInstanceProfile",), "instance-profile"),
    ("iam", "CreateLoginProfile"): Entry(("iam:CreateLoginProfile",), "user"),
    ("iam", "CreateOpenIDConnectProvider"): Entry(("iam:CreateOpenIDConnectProvider",), "oidc-provider"),
    ("iam", "CreatePolicy"): Entry(("iam:CreatePolicy",), "policy"),
    ("iam", "CreatePolicyVersion"): Entry(("iam:CreatePolicyVersion",), "policy"),
    ("iam", "CreateRole"): Entry(("iam:CreateRole",), "role"),
    ("iam", "CreateSAMLProvider"): Entry(("iam:CreateSAMLProvider",), "saml-provider"),
    ("iam", "CreateServiceLinkedRole"): Entry(("iam:CreateServiceLinkedRole",), "role"),
    ("iam", "CreateServiceSpecificCredential"): Entry(("iam:CreateServiceSpecificCredential",), "user"),
    ("iam", "CreateUser"): Entry(("iam:CreateUser",), "user"),
    ("iam", "CreateVirtualMFADevice"): Entry(("iam:CreateVirtualMFADevice",), "mfa"),
    ("iam", "DeactivateMFADevice"): Entry(("iam:DeactivateMFADevice",), "user"),
    ("iam", "DeleteAccessKey"): Entry(("iam:DeleteAccessKey",), "user"),
    ("iam", "DeleteAccountAlias"): Entry(("iam:DeleteAccountAlias",), "*"),
    ("iam", "DeleteAccountPasswordPolicy"): Entry(("iam:DeleteAccountPasswordPolicy",), "*"),
    ("iam", "DeleteGroup"): Entry(("iam:DeleteGroup",), "group"),
    ("iam", "DeleteGroupPolicy"): Entry(("iam:DeleteGroupPolicy",), "group"),
    ("iam", "DeleteInstanceProfile"): Entry(("iam:DeleteInstanceProfile",), "instance-profile"),
    ("iam", "DeleteLoginProfile"): Entry(("iam:DeleteLoginProfile",), "user"),
    ("iam", "DeleteOpenIDConnectProvider"): Entry(("iam:DeleteOpenIDConnectProvider",), "oidc-provider"),
    ("iam", "DeletePolicy"): Entry(("iam:DeletePolicy",), "policy"),
    ("iam", "DeletePolicyVersion"): Entry(("iam:DeletePolicyVersion",), "policy"),
    ("iam", "DeleteRole"): Entry(("iam:DeleteRole",), "role"),
    ("iam", "DeleteRolePermissionsBoundary"): Entry(("iam:DeleteRolePermissionsBoundary",), "role"),
    ("iam", "DeleteRolePolicy"): Entry(("iam:DeleteRolePolicy",), "role"),
    ("iam", "DeleteSAMLProvider"): Entry(("iam:DeleteSAMLProvider",), "saml-provider"),
    ("iam", "DeleteSSHPublicKey"): Entry(("iam:DeleteSSHPublicKey",), "user"),
    ("iam", "DeleteServerCertificate"): Entry(("iam:DeleteServerCertificate",), "server-certificate"),
    ("iam", "DeleteServiceLinkedRole"): Entry(("iam:DeleteServiceLinkedRole",), "role"),
    ("iam", "DeleteServiceSpecificCredential"): Entry(("iam:DeleteServiceSpecificCredential",), "user"),
    ("iam", "DeleteSigningCertificate"): Entry(("iam:DeleteSigningCertificate",), "user"),
    ("iam", "DeleteUser"): Entry(("iam:DeleteUser",), "user"),
    ("iam", "DeleteUserPermissionsBoundary"): Entry(("iam:DeleteUserPermissionsBoundary",), "user"),
    ("iam", "DeleteUserPolicy"): Entry(("iam:DeleteUserPolicy",), "user"),
    ("iam", "DeleteVirtualMFADevice"): Entry(("iam:DeleteVirtualMFADevice",), "mfa"),
    ("iam", "DetachGroupPolicy"): Entry(("iam:DetachGroupPolicy",), "group"),
    ("iam", "DetachRolePolicy"): Entry(("iam:DetachRolePolicy",), "role"),
    ("iam", "DetachUserPolicy"): Entry(("iam:DetachUserPolicy",), "user"),
    ("iam", "DisableOrganizationsRootCredentialsManagement"): Entry(
        ("iam:DisableOrganizationsRootCredentialsManagement",), "*"
    ),
    ("iam", "DisableOrganizationsRootSessions"): Entry(("iam:DisableOrganizationsRootSessions",), "*"),
    ("iam", "DisableOutboundWebIdentityFederation"): Entry(("iam:DisableOutboundWebIdentityFederation",), "*"),
    ("iam", "EnableMFADevice"): Entry(("iam:EnableMFADevice",), "user"),
    ("iam", "EnableOrganizationsRootCredentialsManagement"): Entry(
        ("iam:EnableOrganizationsRootCredentialsManagement",), "*"
    ),
    ("iam", "EnableOrganizationsRootSessions"): Entry(("iam:EnableOrganizationsRootSessions",), "*"),
    ("iam", "EnableOutboundWebIdentityFederation"): Entry(("iam:EnableOutboundWebIdentityFederation",), "*"),
    ("iam", "GenerateCredentialReport"): Entry(("iam:GenerateCredentialReport",), "*"),
    ("iam", "GetAccessKeyLastUsed"): Entry(("iam:GetAccessKeyLastUsed",), "user"),
    ("iam", "GetAccountAuthorizationDetails"): Entry(("iam:GetAccountAuthorizationDetails",), "*"),
    ("iam", "GetAccountPasswordPolicy"): Entry(("iam:GetAccountPasswordPolicy",), "*"),
    ("iam", "GetAccountSummary"): Entry(("iam:GetAccountSummary",), "*"),
    ("iam", "GetContextKeysForCustomPolicy"): Entry(("iam:GetContextKeysForCustomPolicy",), "*"),
    ("iam", "GetContextKeysForPrincipalPolicy"): Entry(("iam:GetContextKeysForPrincipalPolicy",), "user|group|role"),
    ("iam", "GetCredentialReport"): Entry(("iam:GetCredentialReport",), "*"),
    ("iam", "GetGroup"): Entry(("iam:GetGroup",), "group"),
    ("iam", "GetGroupPolicy"): Entry(("iam:GetGroupPolicy",), "group"),
    ("iam", "GetInstanceProfile"): Entry(("iam:GetInstanceProfile",), "instance-profile"),
    ("iam", "GetLoginProfile"): Entry(("iam:GetLoginProfile",), "user"),
    ("iam", "GetMFADevice"): Entry(("iam:GetMFADevice",), "user"),
    ("iam", "GetOpenIDConnectProvider"): Entry(("iam:GetOpenIDConnectProvider",), "oidc-provider"),
    ("iam", "GetOutboundWebIdentityFederationInfo"): Entry(("iam:GetOutboundWebIdentityFederationInfo",), "*"),
    ("iam", "GetPolicy"): Entry(("iam:GetPolicy",), "policy"),
    ("iam", "GetPolicyVersion"): Entry(("iam:GetPolicyVersion",), "policy"),
    ("iam", "GetRole"): Entry(("iam:GetRole",), "role"),
    ("iam", "GetRolePolicy"): Entry(("iam:GetRolePolicy",), "role"),
    ("iam", "GetSAMLProvider"): Entry(("iam:GetSAMLProvider",), "saml-provider"),
    ("iam", "GetSSHPublicKey"): Entry(("iam:GetSSHPublicKey",), "user"),
    ("iam", "GetServerCertificate"): Entry(("iam:GetServerCertificate",), "server-certificate"),
    ("iam", "GetServiceLinkedRoleDeletionStatus"): Entry(("iam:GetServiceLinkedRoleDeletionStatus",), "role"),
    ("iam", "GetUser"): Entry(("iam:GetUser",), "user"),
    ("iam", "GetUserPolicy"): Entry(("iam:GetUserPolicy",), "user"),
    ("iam", "ListAccessKeys"): Entry(("iam:ListAccessKeys",), "user"),
    ("iam", "ListAccountAliases"): Entry(("iam:ListAccountAliases",), "*"),
    ("iam", "ListAttachedGroupPolicies"): Entry(("iam:ListAttachedGroupPolicies",), "group"),
    ("iam", "ListAttachedRolePolicies"): Entry(("iam:ListAttachedRolePolicies",), "role"),
    ("iam", "ListAttachedUserPolicies"): Entry(("iam:ListAttachedUserPolicies",), "user"),
    ("iam", "ListEntitiesForPolicy"): Entry(("iam:ListEntitiesForPolicy",), "policy"),
    ("iam", "ListGroupPolicies"): Entry(("iam:ListGroupPolicies",), "group"),
    ("iam", "ListGroups"): Entry(("iam:ListGroups",), "group"),
    ("iam", "ListGroupsForUser"): Entry(("iam:ListGroupsForUser",), "user"),
    ("iam", "ListInstanceProfileTags"): Entry(("iam:ListInstanceProfileTags",), "instance-profile"),
    ("iam", "ListInstanceProfiles"): Entry(("iam:ListInstanceProfiles",), "instance-profile"),
    ("iam", "ListInstanceProfilesForRole"): Entry(("iam:ListInstanceProfilesForRole",), "role"),
    ("iam", "ListMFADeviceTags"): Entry(("iam:ListMFADeviceTags",), "mfa"),
    ("iam", "ListMFADevices"): Entry(("iam:ListMFADevices",), "user"),
    ("iam", "ListOpenIDConnectProviderTags"): Entry(("iam:ListOpenIDConnectProviderTags",), "oidc-provider"),
    ("iam", "ListOpenIDConnectProviders"): Entry(("iam:ListOpenIDConnectProviders",), "*"),
    ("iam", "ListOrganizationsFeatures"): Entry(("iam:ListOrganizationsFeatures",), "*"),
    ("iam", "ListPolicies"): Entry(("iam:ListPolicies",), "*"),
    ("iam", "ListPolicyTags"): Entry(("iam:ListPolicyTags",), "policy"),
    ("iam", "ListPolicyVersions"): Entry(("iam:ListPolicyVersions",), "policy"),
    ("iam", "ListRolePolicies"): Entry(("iam:ListRolePolicies",), "role"),
    ("iam", "ListRoleTags"): Entry(("iam:ListRoleTags",), "role"),
    ("iam", "ListRoles"): Entry(("iam:ListRoles",), "role"),
    ("iam", "ListSAMLProviderTags"): Entry(("iam:ListSAMLProviderTags",), "saml-provider"),
    ("iam", "ListSAMLProviders"): Entry(("iam:ListSAMLProviders",), "*"),
    ("iam", "ListSSHPublicKeys"): Entry(("iam:ListSSHPublicKeys",), "user"),
    ("iam", "ListServerCertificateTags"): Entry(("iam:ListServerCertificateTags",), "server-certificate"),
    ("iam", "ListServerCertificates"): Entry(("iam:ListServerCertificates",), "*"),
    ("iam", "ListServiceSpecificCredentials"): Entry(("iam:ListServiceSpecificCredentials",), "user"),
    ("iam", "ListSigningCertificates"): Entry(("iam:ListSigningCertificates",), "user"),
    ("iam", "ListUserPolicies"): Entry(("iam:ListUserPolicies",), "user"),
    ("iam", "ListUserTags"): Entry(("iam:ListUserTags",), "user"),
    ("iam", "ListUsers"): Entry(("iam:ListUsers",), "user"),
    ("iam", "ListVirtualMFADevices"): Entry(("iam:ListVirtualMFADevices",), "*"),
    ("iam", "PutGroupPolicy"): Entry(("iam:PutGroupPolicy",), "group"),
    ("iam", "PutRolePermissionsBoundary"): Entry(("iam:PutRolePermissionsBoundary",), "role"),
    ("iam", "PutRolePolicy"): Entry(("iam:PutRolePolicy",), "role"),
    ("iam", "PutUserPermissionsBoundary"): Entry(("iam:PutUserPermissionsBoundary",), "user"),
    ("iam", "PutUserPolicy"): Entry(("iam:PutUserPolicy",), "user"),
    ("iam", "RemoveClientIDFromOpenIDConnectProvider"): Entry(
        ("iam:RemoveClientIDFromOpenIDConnectProvider",), "oidc-provider"
    ),
    ("iam", "RemoveRoleFromInstanceProfile"): Entry(("iam:RemoveRoleFromInstanceProfile",), "instance-profile"),
    ("iam", "RemoveUserFromGroup"): Entry(("iam:RemoveUserFromGroup",), "group"),
    ("iam", "ResetServiceSpecificCredential"): Entry(("iam:ResetServiceSpecificCredential",), "user"),
    ("iam", "ResyncMFADevice"): Entry(("iam:ResyncMFADevice",), "user"),
    ("iam", "SetDefaultPolicyVersion"): Entry(("iam:SetDefaultPolicyVersion",), "policy"),
    ("iam", "SetSecurityTokenServicePreferences"): Entry(("iam:SetSecurityTokenServicePreferences",), "*"),
    ("iam", "SimulateCustomPolicy"): Entry(("iam:SimulateCustomPolicy",), "*"),
    ("iam", "SimulatePrincipalPolicy"): Entry(("iam:SimulatePrincipalPolicy",), "user|group|role"),
    ("iam", "TagInstanceProfile"): Entry(("iam:TagInstanceProfile",), "instance-profile"),
    ("iam", "TagMFADevice"): Entry(("iam:TagMFADevice",), "mfa"),
    ("iam", "TagOpenIDConnectProvider"): Entry(("iam:TagOpenIDConnectProvider",), "oidc-provider"),
    ("iam", "TagPolicy"): Entry(("iam:TagPolicy",), "policy"),
    ("iam", "TagRole"): Entry(("iam:TagRole",), "role"),
    ("iam", "TagSAMLProvider"): Entry(("iam:TagSAMLProvider",), "saml-provider"),
    ("iam", "TagServerCertificate"): Entry(("iam:TagServerCertificate",), "server-certificate"),
    ("iam", "TagUser"): Entry(("iam:TagUser",), "user"),
    ("iam", "UntagInstanceProfile"): Entry(("iam:UntagInstanceProfile",), "instance-profile"),
    ("iam", "UntagMFADevice"): Entry(("iam:UntagMFADevice",), "mfa"),
    ("iam", "UntagOpenIDConnectProvider"): Entry(("iam:UntagOpenIDConnectProvider",), "oidc-provider"),
    ("iam", "UntagPolicy"): Entry(("iam:UntagPolicy",), "policy"),
    ("iam", "UntagRole"): Entry(("iam:UntagRole",), "role"),
    ("iam", "UntagSAMLProvider"): Entry(("iam:UntagSAMLProvider",), "saml-provider"),
    ("iam", "UntagServerCertificate"): Entry(("iam:UntagServerCertificate",), "server-certificate"),
    ("iam", "UntagUser"): Entry(("iam:UntagUser",), "user"),
    ("iam", "UpdateAccessKey"): Entry(("iam:UpdateAccessKey",), "user"),
    ("iam", "UpdateAccountPasswordPolicy"): Entry(("iam:UpdateAccountPasswordPolicy",), "*"),
    ("iam", "UpdateAssumeRolePolicy"): Entry(("iam:UpdateAssumeRolePolicy",), "role"),
    ("iam", "UpdateGroup"): Entry(("iam:UpdateGroup",), "group"),
    ("iam", "UpdateLoginProfile"): Entry(("iam:UpdateLoginProfile",), "user"),
    ("iam", "UpdateOpenIDConnectProviderThumbprint"): Entry(
        ("iam:UpdateOpenIDConnectProviderThumbprint",), "oidc-provider"
    ),
    ("iam", "UpdateRole"): Entry(("iam:UpdateRole",), "role"),
    ("iam", "UpdateRoleDescription"): Entry(("iam:UpdateRoleDescription",), "role"),
    ("iam", "UpdateSAMLProvider"): Entry(("iam:UpdateSAMLProvider",), "saml-provider"),
    ("iam", "UpdateSSHPublicKey"): Entry(("iam:UpdateSSHPublicKey",), "user"),
    ("iam", "UpdateServerCertificate"): Entry(("iam:UpdateServerCertificate",), "server-certificate"),
    ("iam", "UpdateServiceSpecificCredential"): Entry(("iam:UpdateServiceSpecificCredential",), "user"),
    ("iam", "UpdateSigningCertificate"): Entry(("iam:UpdateSigningCertificate",), "user"),
    ("iam", "UpdateUser"): Entry(("iam:UpdateUser",), "user"),
    ("iam", "UploadSSHPublicKey"): Entry(("iam:UploadSSHPublicKey",), "user"),
    ("iam", "UploadServerCertificate"): Entry(("iam:UploadServerCertificate",), "server-certificate"),
    ("iam", "UploadSigningCertificate"): Entry(("iam:UploadSigningCertificate",), "user"),
    ("sts", "AssumeRole"): Entry(("sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"), "role"),
    ("sts", "AssumeRoleWithSAML"): Entry((), "role"),
    ("sts", "AssumeRoleWithWebIdentity"): Entry((), "role"),
    ("sts", "AssumeRoot"): Entry(("sts:AssumeRoot",), "root"),
    ("sts", "DecodeAuthorizationMessage"): Entry(("sts:DecodeAuthorizationMessage",), "*"),
    ("sts", "GetAccessKeyInfo"): Entry(("sts:GetAccessKeyInfo",), "*"),
    ("sts", "GetCallerIdentity"): Entry((), "*"),
    ("sts", "GetFederationToken"): Entry(("sts:GetFederationToken", "sts:TagSession"), "federated-user"),
    ("sts", "GetScopedCredentials"): Entry(("sts:GetScopedCredentials",), "*"),
    ("sts", "GetSessionToken"): Entry((), "*"),
    ("sts", "GetWebIdentityToken"): Entry(("sts:GetWebIdentityToken",), "*"),
}


def allowed_actions(service: str, operation: str) -> tuple[str, ...] | None:
    """The actions ``operation`` may be authorized with; ``None`` if it is not in the table."""
    entry = TABLE.get((service, operation))
    return entry.actions if entry is not None else None
