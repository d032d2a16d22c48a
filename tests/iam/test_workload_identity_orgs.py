"""Organization-scoped workload identity providers and templates on a real server: the
management account owns them, every member reads them and uses them, no one else sees them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization, client, make_user, unique

pytestmark = pytest.mark.e2e

NS = "aws:WorkloadAttestation/aws/k8s/Namespace"


def refused(fn: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    return str(exc.value.response["Error"]["Code"])


def _enable_organization_level_resources(org: Organization, mgmt_iam: Any) -> None:
    org.orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    mgmt_iam.enable_organization_level_resources()


def test_organization_scope_needs_the_capability_and_holds_off_disabling_it(server: Server) -> None:
    org = Organization.create(server)
    mgmt_iam = client(server, "iam", org.management.root)
    create = {"ProviderName": unique("p"), "Scheme": "NONE", "ResourceScope": "ORGANIZATION"}
    # Not enabled yet: no organization-level resource can be created.
    assert refused(mgmt_iam.create_workload_identity_provider, **create) == "InvalidInput"
    _enable_organization_level_resources(org, mgmt_iam)
    provider = mgmt_iam.create_workload_identity_provider(**create)
    # While it exists, the capability cannot be switched off.
    assert refused(mgmt_iam.disable_organization_level_resources) == "OrganizationLevelResourcesExistException"
    mgmt_iam.delete_workload_identity_provider(WorkloadIdentityProviderArn=provider["Arn"])
    mgmt_iam.disable_organization_level_resources()
    assert refused(mgmt_iam.create_workload_identity_provider, **create) == "InvalidInput"
    # Account-scoped providers never depended on it.
    mgmt_iam.create_workload_identity_provider(ProviderName=unique("p"), Scheme="NONE", ResourceScope="ACCOUNT")


def test_organization_scope(server: Server) -> None:
    org = Organization.create(server)
    member = org.add_member()
    mgmt_iam = client(server, "iam", org.management.root)
    _enable_organization_level_resources(org, mgmt_iam)
    domain = f"{unique('org')}.example.org"
    provider = mgmt_iam.create_workload_identity_provider(
        ProviderName=unique("p"), Scheme="SPIFFE", WorkloadIdentityDomain=domain, ResourceScope="ORGANIZATION"
    )
    assert provider["Arn"].startswith(f"arn:aws:iam::{org.org_id}:workload-identity-provider/")
    assert provider["ProviderId"].startswith("AWPO")

    admin = org.enter(member)
    member_iam = client(server, "iam", admin)
    assert (
        member_iam.get_workload_identity_provider(WorkloadIdentityProviderArn=provider["Arn"])["Arn"]
        == (provider["Arn"])
    )
    listed = member_iam.list_workload_identity_providers(ResourceScope="ORGANIZATION")["WorkloadIdentityProviders"]
    assert [p["Arn"] for p in listed] == [provider["Arn"]]
    assert member_iam.list_workload_identity_providers()["WorkloadIdentityProviders"] == []
    # Members read; only the management account changes it.
    assert refused(member_iam.delete_workload_identity_provider, WorkloadIdentityProviderArn=provider["Arn"]) == (
        "AccessDenied"
    )
    assert (
        refused(
            member_iam.create_workload_identity_provider,
            ProviderName=unique("p"),
            Scheme="NONE",
            ResourceScope="ORGANIZATION",
        )
        == "AccessDenied"
    )
    outsider = client(server, "iam", Account.create(server).root)
    assert refused(outsider.get_workload_identity_provider, WorkloadIdentityProviderArn=provider["Arn"]) == (
        "NoSuchEntity"
    )

    # A member's orchestrator uses the organization's template for a role of its own account.
    member_root_like = admin
    orchestrator = make_user(
        server,
        member_root_like,
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["sts:IssueWorkloadIdentityContext", "sts:AssumeRole", "sts:GetTrustBundles"],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    role = member_iam.create_role(
        RoleName=unique("w"),
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": orchestrator.arn}, "Action": "sts:AssumeRole"}],
            }
        ),
    )["Role"]
    member_iam.put_role_policy(
        RoleName=role["RoleName"],
        PolicyName="p",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:GetWebIdentityToken", "Resource": "*"}],
            }
        ),
    )
    template = mgmt_iam.create_workload_identity_template(
        Name=unique("t"),
        ResourceScope="ORGANIZATION",
        WorkloadIdentityProviderArn=provider["Arn"],
        PathPattern="ns/{" + NS + "}",
        AttestationPolicy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": orchestrator.arn},
                        "Action": "sts:IssueWorkloadIdentityContext",
                        "Resource": "*",
                        # The source account is the member; its organization comes with it.
                        "Condition": {"StringEquals": {"aws:SourceOrgID": org.org_id, "aws:SourceAccount": member}},
                    }
                ],
            }
        ),
    )
    assert template["Arn"].startswith(f"arn:aws:iam::{org.org_id}:workload-identity-template/")
    sts = client(server, "sts", orchestrator.creds)
    ctx = sts.issue_workload_identity_context(
        WorkloadIdentityTemplateArn=template["Arn"],
        AttestationDocument='{"k8s/Namespace": "payments"}',
        TargetRoleArn=role["Arn"],
    )
    assert ctx["Subject"] == f"spiffe://{domain}/ns/payments"
    bundles = sts.get_trust_bundles(ProviderArn=provider["Arn"])["TrustBundles"]
    assert [b["TrustDomain"] for b in bundles] == [domain]
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ww", ProvidedContexts=[ctx["ProvidedContext"]])
    c = out["Credentials"]
    token = server.client(
        "sts",
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    ).get_web_identity_token(Audience=["a"], SigningAlgorithm="ES384", TokenType="JWT_SVID")
    assert token["WebIdentityToken"].count(".") == 2
    # A role of another account (here the management account's) is not the source account's.
    other_role = mgmt_iam.create_role(
        RoleName=unique("w"),
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": orchestrator.arn}, "Action": "sts:AssumeRole"}],
            }
        ),
    )["Role"]
    assert refused(
        sts.issue_workload_identity_context,
        WorkloadIdentityTemplateArn=template["Arn"],
        AttestationDocument='{"k8s/Namespace": "payments"}',
        TargetRoleArn=other_role["Arn"],
    ) == ("AccessDenied")
    outsider_sts = client(server, "sts", Account.create(server).root)
    assert refused(outsider_sts.get_trust_bundles, ProviderArn=provider["Arn"]) == "ResourceNotFoundException"
