"""Organizations' identifiers, ARNs and AWS managed policies, in AWS's formats."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from credmint import arns

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
#: The policy types credmint evaluates; the other types of the model are not offered.
CONTROL_TYPES = (SCP, RCP)

FEATURE_ALL = "ALL"
FEATURE_BILLING = "CONSOLIDATED_BILLING"

#: Quotas AWS documents for SCPs and RCPs.
MAX_POLICY_CHARS = 5120
MAX_ATTACHED_PER_TARGET = 5
MAX_OU_DEPTH = 5

DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"

#: CloseAccount's quota: 10% of the member accounts, between 10 and 1000, per rolling 30 days.
MIN_CLOSED_PER_30_DAYS = 10
MAX_CLOSED_PER_30_DAYS = 1000
CLOSE_QUOTA_DAYS = 30

_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def _random(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def new_org_id() -> str:
    return "o-" + _random(10)


def new_root_id() -> str:
    return "r-" + _random(4)


def new_ou_id(root_id: str) -> str:
    # AWS repeats the root's suffix inside every OU id of the organization.
    return f"ou-{root_id[2:]}-{_random(8)}"


def new_policy_id() -> str:
    return "p-" + _random(8)


def new_create_account_request_id() -> str:
    return "car-" + secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class AwsManagedPolicy:
    policy_id: str
    name: str
    policy_type: str
    description: str
    content: str

    @property
    def arn(self) -> str:
        return arns.org_aws_policy(self.policy_type, self.policy_id)


FULL_AWS_ACCESS = AwsManagedPolicy(
    "p-FullAWSAccess",
    "FullAWSAccess",
    SCP,
    "Allows access to every operation",
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
)
RCP_FULL_AWS_ACCESS = AwsManagedPolicy(
    "p-RCPFullAWSAccess",
    "RCPFullAWSAccess",
    RCP,
    "Allows access to every operation",
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
)
AWS_MANAGED = {p.policy_id: p for p in (FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS)}
#: The full-access policy AWS attaches to every root, OU and account once its type is enabled.
FULL_ACCESS_BY_TYPE = {SCP: FULL_AWS_ACCESS, RCP: RCP_FULL_AWS_ACCESS}
#: AWS refuses to detach RCPFullAWSAccess (FullAWSAccess may be replaced by an allow list).
NON_DETACHABLE = frozenset({RCP_FULL_AWS_ACCESS.policy_id})

#: Trusted access of IAM is what centralized root access needs.
IAM_SERVICE_PRINCIPAL = "iam.amazonaws.com"
FEATURE_ROOT_CREDENTIALS = "RootCredentialsManagement"
FEATURE_ROOT_SESSIONS = "RootSessions"
#: Organization-level IAM resources (Enable/DisableOrganizationLevelResources).
FEATURE_ORGANIZATION_IAM_RESOURCES = "OrganizationIamResources"


# --- handshakes -------------------------------------------------------------------------------

INVITE = "INVITE"
ENABLE_ALL_FEATURES = "ENABLE_ALL_FEATURES"
APPROVE_ALL_FEATURES = "APPROVE_ALL_FEATURES"

#: Handshake states (AWS's): a handshake waits ``OPEN`` (the all-features parent
#: ``REQUESTED`` until every member approved) and ends in one of the other four.
OPEN = "OPEN"
REQUESTED = "REQUESTED"
ACCEPTED = "ACCEPTED"
DECLINED = "DECLINED"
CANCELED = "CANCELED"
EXPIRED = "EXPIRED"
WAITING = frozenset({OPEN, REQUESTED})

#: AWS: an invitation expires after 15 days, the all-features request after 90.
HANDSHAKE_DAYS = {INVITE: 15, ENABLE_ALL_FEATURES: 90, APPROVE_ALL_FEATURES: 90}
#: AWS lists a finished (accepted, declined, canceled, expired) handshake for 30 days.
FINISHED_LISTED_DAYS = 30
#: AWS's quota: at most 20 invitations a day per organization.
MAX_INVITES_PER_DAY = 20


def new_handshake_id() -> str:
    return "h-" + _random(32)


# --- the resource-based delegation policy -----------------------------------------------------

#: AWS: "Maximum size of resource-based delegation policy: 40,000 characters" (also the model's max).
MAX_RESOURCE_POLICY_CHARS = 40_000

#: The actions a resource-based delegation policy may grant (AWS Organizations User Guide,
#: "Delegated administrator for AWS Organizations": the read operations and policy
#: management). Anything else in a policy is UNSUPPORTED_ACTION_IN_RESOURCE_POLICY.
#: DescribeOrganization and DescribeHandshake are not here: every member may describe its
#: organization, and a handshake only its parties, whatever a delegation policy says.
DELEGABLE_ACTIONS = frozenset(
    {
        "AttachPolicy",
        "CreatePolicy",
        "DeletePolicy",
        "DescribeAccount",
        "DescribeCreateAccountStatus",
        "DescribeEffectivePolicy",
        "DescribeOrganizationalUnit",
        "DescribePolicy",
        "DescribeResourcePolicy",
        "DetachPolicy",
        "DisablePolicyType",
        "EnablePolicyType",
        "ListAccounts",
        "ListAccountsForParent",
        "ListAccountsWithInvalidEffectivePolicy",
        "ListAWSServiceAccessForOrganization",
        "ListChildren",
        "ListCreateAccountStatus",
        "ListDelegatedAdministrators",
        "ListDelegatedServicesForAccount",
        "ListEffectivePolicyValidationErrors",
        "ListHandshakesForOrganization",
        "ListOrganizationalUnitsForParent",
        "ListParents",
        "ListPolicies",
        "ListPoliciesForTarget",
        "ListRoots",
        "ListTagsForResource",
        "ListTargetsForPolicy",
        "TagResource",
        "UntagResource",
        "UpdatePolicy",
    }
)


def new_resource_policy_id() -> str:
    return "rp-" + _random(8)
