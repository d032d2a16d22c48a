"""Organizations' identifiers, ARNs and AWS managed policies, in AWS's formats."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

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


def org_arn(mgmt: str, org_id: str) -> str:
    return f"arn:aws:organizations::{mgmt}:organization/{org_id}"


def root_arn(mgmt: str, org_id: str, root_id: str) -> str:
    return f"arn:aws:organizations::{mgmt}:root/{org_id}/{root_id}"


def ou_arn(mgmt: str, org_id: str, ou_id: str) -> str:
    return f"arn:aws:organizations::{mgmt}:ou/{org_id}/{ou_id}"


def account_arn(mgmt: str, org_id: str, account_id: str) -> str:
    return f"arn:aws:organizations::{mgmt}:account/{org_id}/{account_id}"


def policy_arn(mgmt: str, org_id: str, policy_type: str, policy_id: str) -> str:
    return f"arn:aws:organizations::{mgmt}:policy/{org_id}/{policy_type.lower()}/{policy_id}"


@dataclass(frozen=True, slots=True)
class AwsManagedPolicy:
    policy_id: str
    name: str
    policy_type: str
    description: str
    content: str

    @property
    def arn(self) -> str:
        return f"arn:aws:organizations::aws:policy/{self.policy_type.lower()}/{self.policy_id}"


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
