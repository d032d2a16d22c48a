"""The organization's resource-based delegation policy end to end with boto3 and the AWS CLI:
Put/Describe/DeleteResourcePolicy, and the policy evaluated for member accounts' calls."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Organization, client, error_of
from tests.sts.helpers import aws_cli

pytestmark = pytest.mark.e2e

SCP = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def delegation(account_id: str, actions: list[str] | str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Delegate",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                    "Action": actions,
                    "Resource": "*",
                }
            ],
        }
    )


@pytest.fixture
def org(server: Server) -> Organization:
    return Organization.create(server)


def refused(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as exc:
        call()
    code, _, status = error_of(exc)
    return code, status, exc.value.response.get("Reason", "")


def test_put_describe_delete(server: Server, org: Organization) -> None:
    member = org.add_member()
    assert refused(org.orgs.describe_resource_policy)[0] == "ResourcePolicyNotFoundException"
    assert refused(org.orgs.delete_resource_policy)[0] == "ResourcePolicyNotFoundException"
    put = org.orgs.put_resource_policy(
        Content=delegation(member, ["organizations:Describe*", "organizations:List*"]),
        Tags=[{"Key": "k", "Value": "v"}],
    )["ResourcePolicy"]
    summary = put["ResourcePolicySummary"]
    assert summary["Id"].startswith("rp-")
    mgmt = org.management.account_id
    assert summary["Arn"] == f"arn:aws:organizations::{mgmt}:resourcepolicy/{org.org_id}/{summary['Id']}"
    described = org.orgs.describe_resource_policy()["ResourcePolicy"]
    assert described["ResourcePolicySummary"] == summary
    assert json.loads(described["Content"])["Statement"][0]["Sid"] == "Delegate"
    # Putting again replaces the content and keeps the id.
    again = org.orgs.put_resource_policy(Content=delegation(member, "organizations:ListAccounts"))["ResourcePolicy"]
    assert again["ResourcePolicySummary"]["Id"] == summary["Id"]
    org.orgs.delete_resource_policy()
    assert refused(org.orgs.describe_resource_policy)[0] == "ResourcePolicyNotFoundException"


def test_content_is_checked(server: Server, org: Organization) -> None:
    member = org.add_member()
    cases = [
        ("not json", "INVALID_RESOURCE_POLICY_JSON"),
        (
            json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "organizations:ListAccounts"}]}
            ),
            "INVALID_RESOURCE_POLICY_JSON",
        ),
        (delegation(member, "organizations:CreateAccount"), "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
        (delegation(member, "organizations:*"), "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
        (delegation(member, "*"), "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
        (delegation(member, "s3:GetObject"), "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
        (delegation(member, "organizations:NoSuchThing*"), "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
        (
            delegation(member, "organizations:ListAccounts").replace(f"{member}:root", f"{member}:user/nobody"),
            "INVALID_PRINCIPAL",
        ),
    ]
    for content, reason in cases:
        assert refused(lambda content=content: org.orgs.put_resource_policy(Content=content))[::2] == (
            "InvalidInputException",
            reason,
        ), content
    # Hostile input: nesting deep enough to exhaust a recursive parser, and one character past the quota.
    assert refused(lambda: org.orgs.put_resource_policy(Content="[" * 20_000 + "]" * 20_000))[::2] == (
        "InvalidInputException",
        "INVALID_RESOURCE_POLICY_JSON",
    )
    assert refused(lambda: org.orgs.put_resource_policy(Content=" " * 40_001))[:2] == ("InvalidInputException", 400)
    statement = json.loads(delegation(member, "organizations:ListAccounts"))
    statement["Statement"][0]["NotAction"] = statement["Statement"][0].pop("Action")
    assert refused(lambda: org.orgs.put_resource_policy(Content=json.dumps(statement)))[2] == (
        "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"
    )


def test_only_the_management_account_manages_it(server: Server, org: Organization) -> None:
    member = org.add_member()
    as_member = client(server, "organizations", org.enter(member))
    org.orgs.put_resource_policy(Content=delegation(member, ["organizations:Describe*", "organizations:List*"]))
    assert (
        refused(lambda: as_member.put_resource_policy(Content=delegation(member, "organizations:ListAccounts")))[0]
        == "AccessDeniedException"
    )
    assert refused(as_member.delete_resource_policy)[0] == "AccessDeniedException"
    # Granted Describe*, the member reads it.
    assert as_member.describe_resource_policy()["ResourcePolicy"]["ResourcePolicySummary"]["Id"].startswith("rp-")


def test_delegation_is_evaluated_for_members(server: Server, org: Organization) -> None:
    delegate, other = org.add_member(), org.add_member()
    as_delegate = client(server, "organizations", org.enter(delegate))
    as_other = client(server, "organizations", org.enter(other))
    assert refused(as_delegate.list_accounts)[0] == "AccessDeniedException"
    org.orgs.put_resource_policy(
        Content=delegation(
            delegate,
            [
                "organizations:List*",
                "organizations:Describe*",
                "organizations:CreatePolicy",
                "organizations:AttachPolicy",
            ],
        )
    )
    assert delegate in {a["Id"] for a in as_delegate.list_accounts()["Accounts"]}
    created = as_delegate.create_policy(Content=SCP, Description="d", Name="by-delegate", Type="SERVICE_CONTROL_POLICY")
    assert created["Policy"]["PolicySummary"]["Name"] == "by-delegate"
    # What the policy does not grant stays the management account's.
    assert refused(lambda: as_delegate.delete_policy(PolicyId=created["Policy"]["PolicySummary"]["Id"]))[0] == (
        "AccessDeniedException"
    )
    assert refused(lambda: as_delegate.create_account(Email="x@example.com", AccountName="x"))[0] == (
        "AccessDeniedException"
    )
    # Another member is not named by the policy.
    assert refused(as_other.list_accounts)[0] == "AccessDeniedException"
    # What every member may do for itself stays allowed, whatever the delegation policy names.
    assert as_other.describe_organization()["Organization"]["Id"] == org.org_id
    assert refused(lambda: as_other.describe_effective_policy(PolicyType="TAG_POLICY"))[0] == (
        "EffectivePolicyNotFoundException"
    )
    # The delegate's own identity policies must allow the call too (cross-account evaluation).
    iam = client(server, "iam", org.enter(delegate))
    key = iam.create_access_key(UserName=iam.create_user(UserName="no-policy")["User"]["UserName"])["AccessKey"]
    bare = server.client(
        "organizations", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    assert refused(bare.list_accounts)[0] == "AccessDeniedException"
    # Deleting the policy ends the delegation.
    org.orgs.delete_resource_policy()
    assert refused(as_delegate.list_accounts)[0] == "AccessDeniedException"


def test_aws_cli(server: Server, org: Organization) -> None:
    member = org.add_member()
    mgmt = org.management.root
    put = aws_cli(
        server,
        "organizations",
        "put-resource-policy",
        "--content",
        delegation(member, "organizations:ListAccounts"),
        creds=mgmt,
    )
    assert put.returncode == 0, put.stderr
    described = aws_cli(server, "organizations", "describe-resource-policy", creds=mgmt)
    assert json.loads(described.stdout)["ResourcePolicy"]["ResourcePolicySummary"]["Id"].startswith("rp-")
    bad = aws_cli(server, "organizations", "put-resource-policy", "--content", delegation(member, "*"), creds=mgmt)
    assert bad.returncode != 0 and "InvalidInputException" in bad.stderr
    deleted = aws_cli(server, "organizations", "delete-resource-policy", creds=mgmt)
    assert deleted.returncode == 0, deleted.stderr
    gone = aws_cli(server, "organizations", "describe-resource-policy", creds=mgmt)
    assert gone.returncode != 0 and "ResourcePolicyNotFoundException" in gone.stderr
