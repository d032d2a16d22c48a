"""A workload identity provider's resource policy takes part in the decisions AWS documents
for it: binding a template to the provider (``iam:AssociateWorkloadIdentityTemplate``, on
CreateWorkloadIdentityTemplate) and unbinding it (``iam:DisassociateWorkloadIdentityTemplate``,
on DeleteWorkloadIdentityTemplate). In the provider's own account either its policy or the
caller's identity policy may allow; a member account binding to its organization's provider
needs both; an explicit Deny in either refuses. End to end with boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.testing.accounts import Account
from tests.conftest import Server
from tests.orgs.helpers import Organization, client, make_user, unique

pytestmark = pytest.mark.e2e

NS = "aws:WorkloadAttestation/aws/k8s/Namespace"
ASSOCIATE = "iam:AssociateWorkloadIdentityTemplate"
DISASSOCIATE = "iam:DisassociateWorkloadIdentityTemplate"


def refused(fn: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    return str(exc.value.response["Error"]["Code"])


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions: list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": "*"}


def grant(effect: str, principal: str, actions: list[str]) -> dict[str, Any]:
    return {"Effect": effect, "Principal": {"AWS": principal}, "Action": actions, "Resource": "*"}


def template_args(provider_arn: str) -> dict[str, Any]:
    return {"Name": unique("t"), "WorkloadIdentityProviderArn": provider_arn, "PathPattern": "ns/{" + NS + "}"}


def new_provider(iam: Any, **extra: Any) -> str:
    arn: str = iam.create_workload_identity_provider(
        ProviderName=unique("p"), Scheme="SPIFFE", WorkloadIdentityDomain=f"{unique('d')}.example.org", **extra
    )["Arn"]
    return arn


ALL_TEMPLATE_ACTIONS = [
    "iam:CreateWorkloadIdentityTemplate",
    "iam:DeleteWorkloadIdentityTemplate",
    ASSOCIATE,
    DISASSOCIATE,
]


# --- the provider's own account --------------------------------------------------------------


@pytest.mark.parametrize("denied", [ASSOCIATE, DISASSOCIATE])
def test_a_deny_in_the_provider_policy_refuses_what_the_identity_policy_allows(
    credmint_account: Account, denied: str
) -> None:
    iam = credmint_account.client("iam")
    provider = new_provider(iam)
    user = credmint_account.create_user(policies=[json.loads(document(allow(ALL_TEMPLATE_ACTIONS)))])
    mine = user.client("iam")
    # Allowed by the identity policy alone, with no provider policy at all.
    kept = mine.create_workload_identity_template(**template_args(provider))["Arn"]
    iam.put_workload_identity_provider_resource_policy(
        WorkloadIdentityProviderArn=provider, PolicyDocument=document(grant("Deny", user.arn, [denied]))
    )
    if denied == ASSOCIATE:
        assert refused(mine.create_workload_identity_template, **template_args(provider)) == "AccessDenied"
        mine.delete_workload_identity_template(WorkloadIdentityTemplateArn=kept)
    else:
        assert refused(mine.delete_workload_identity_template, WorkloadIdentityTemplateArn=kept) == "AccessDenied"
        mine.create_workload_identity_template(**template_args(provider))
    # The account's root user is not named by the Deny and binds as before.
    iam.create_workload_identity_template(**template_args(provider))


def test_in_the_same_account_the_provider_policy_alone_may_allow(credmint_account: Account) -> None:
    iam = credmint_account.client("iam")
    provider = new_provider(iam)
    # The identity policy allows creating and deleting templates, not binding them.
    user = credmint_account.create_user(
        policies=[
            json.loads(document(allow(["iam:CreateWorkloadIdentityTemplate", "iam:DeleteWorkloadIdentityTemplate"])))
        ]
    )
    mine = user.client("iam")
    assert refused(mine.create_workload_identity_template, **template_args(provider)) == "AccessDenied"
    iam.put_workload_identity_provider_resource_policy(
        WorkloadIdentityProviderArn=provider, PolicyDocument=document(grant("Allow", user.arn, [ASSOCIATE]))
    )
    made = mine.create_workload_identity_template(**template_args(provider))["Arn"]
    # Unbinding is its own permission: not granted yet.
    assert refused(mine.delete_workload_identity_template, WorkloadIdentityTemplateArn=made) == "AccessDenied"
    iam.put_workload_identity_provider_resource_policy(
        WorkloadIdentityProviderArn=provider,
        PolicyDocument=document(grant("Allow", user.arn, [ASSOCIATE, DISASSOCIATE])),
    )
    mine.delete_workload_identity_template(WorkloadIdentityTemplateArn=made)


def test_the_provider_policy_names_the_user_not_the_name(credmint_account: Account) -> None:
    """A user deleted and recreated under the same name inherits nothing the policy granted."""
    iam = credmint_account.client("iam")
    provider = new_provider(iam)
    creator = ["iam:CreateWorkloadIdentityTemplate"]
    user = credmint_account.create_user(policies=[json.loads(document(allow(creator)))])
    iam.put_workload_identity_provider_resource_policy(
        WorkloadIdentityProviderArn=provider, PolicyDocument=document(grant("Allow", user.arn, [ASSOCIATE]))
    )
    user.client("iam").create_workload_identity_template(**template_args(provider))
    iam.delete_user_policy(UserName=user.name, PolicyName=iam.list_user_policies(UserName=user.name)["PolicyNames"][0])
    for key in iam.list_access_keys(UserName=user.name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=user.name, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=user.name)
    iam.create_user(UserName=user.name)
    iam.put_user_policy(UserName=user.name, PolicyName="p", PolicyDocument=document(allow(creator)))
    key = iam.create_access_key(UserName=user.name)["AccessKey"]
    again = credmint_account.client(
        "iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    assert refused(again.create_workload_identity_template, **template_args(provider)) == "AccessDenied"


# --- a member account and its organization's provider -----------------------------------------


def _organization_provider(server: Server) -> tuple[Organization, str, Any, Any]:
    """An organization with organization-level resources on, its provider, the management
    account's IAM client, and the IAM client of an administrator of a new member account."""
    org = Organization.create(server)
    member = org.add_member()
    mgmt_iam = client(server, "iam", org.management.root)
    org.orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    mgmt_iam.enable_organization_level_resources()
    provider = new_provider(mgmt_iam, ResourceScope="ORGANIZATION")
    return org, provider, mgmt_iam, client(server, "iam", org.enter(member))


def test_a_member_account_binds_only_with_a_provider_policy_grant(server: Server) -> None:
    org, provider, mgmt_iam, member_iam = _organization_provider(server)
    member = org.members[-1]
    # The member's administrator may do anything by its identity policy, but the provider
    # is the organization's: without a grant in the provider's policy it is refused.
    assert refused(member_iam.create_workload_identity_template, **template_args(provider)) == "AccessDenied"
    # A policy that grants some other account changes nothing.
    mgmt_iam.put_workload_identity_provider_resource_policy(
        WorkloadIdentityProviderArn=provider,
        PolicyDocument=document(grant("Allow", "arn:aws:iam::999988887777:root", [ASSOCIATE, DISASSOCIATE])),
    )
    assert refused(member_iam.create_workload_identity_template, **template_args(provider)) == "AccessDenied"
    mgmt_iam.put_workload_identity_provider_resource_policy(
        WorkloadIdentityProviderArn=provider,
        PolicyDocument=document(grant("Allow", f"arn:aws:iam::{member}:root", [ASSOCIATE, DISASSOCIATE])),
    )
    made = member_iam.create_workload_identity_template(**template_args(provider))["Arn"]
    assert made.startswith(f"arn:aws:iam::{member}:workload-identity-template/")
    kept = member_iam.create_workload_identity_template(**template_args(provider))["Arn"]
    member_iam.delete_workload_identity_template(WorkloadIdentityTemplateArn=made)
    # The model's warning: with the policy gone, the member cannot delete its own template.
    mgmt_iam.delete_workload_identity_provider_resource_policy(WorkloadIdentityProviderArn=provider)
    assert refused(member_iam.delete_workload_identity_template, WorkloadIdentityTemplateArn=kept) == "AccessDenied"
    # The management account owns the provider: its own identity policy suffices there.
    mgmt_iam.create_workload_identity_template(**template_args(provider))


def test_a_member_needs_its_own_identity_policy_too(server: Server) -> None:
    org, provider, mgmt_iam, _member_iam = _organization_provider(server)
    member = org.members[-1]
    mgmt_iam.put_workload_identity_provider_resource_policy(
        WorkloadIdentityProviderArn=provider,
        PolicyDocument=document(grant("Allow", f"arn:aws:iam::{member}:root", [ASSOCIATE])),
    )
    # A member user allowed to create templates but not to bind them: across accounts the
    # provider's grant alone is not enough.
    user = make_user(server, org.enter(member), document(allow(["iam:CreateWorkloadIdentityTemplate"])))
    assert (
        refused(client(server, "iam", user.creds).create_workload_identity_template, **template_args(provider))
        == "AccessDenied"
    )
    both = make_user(server, org.enter(member), document(allow(["iam:CreateWorkloadIdentityTemplate", ASSOCIATE])))
    client(server, "iam", both.creds).create_workload_identity_template(**template_args(provider))
