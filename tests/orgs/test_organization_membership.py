"""How accounts leave and organizations end, end to end with boto3 and the AWS CLI:
RemoveAccountFromOrganization, LeaveOrganization, CloseAccount, DeleteOrganization."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Organization, client, error_of
from tests.sts.helpers import aws_cli

pytestmark = pytest.mark.e2e

DENY_LEAVE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}],
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


def test_remove_account(server: Server, org: Organization) -> None:
    member = org.add_member()
    org.orgs.tag_resource(ResourceId=member, Tags=[{"Key": "k", "Value": "v"}])
    org.orgs.remove_account_from_organization(AccountId=member)
    assert refused(lambda: org.orgs.describe_account(AccountId=member))[0] == "AccountNotFoundException"
    assert member not in {a["Id"] for a in org.orgs.list_accounts()["Accounts"]}
    # The account still exists, standalone: its role (trusting the old management account) still works.
    as_member = client(server, "organizations", org.enter(member))
    assert refused(as_member.describe_organization)[0] == "AWSOrganizationsNotInUseException"
    # Errors: again, the management account, a member trying it, a delegated administrator.
    assert refused(lambda: org.orgs.remove_account_from_organization(AccountId=member))[0] == "AccountNotFoundException"
    assert refused(lambda: org.orgs.remove_account_from_organization(AccountId=org.management.account_id))[0] == (
        "MasterCannotLeaveOrganizationException"
    )
    other = org.add_member()
    as_other = client(server, "organizations", org.enter(other))
    assert refused(lambda: as_other.remove_account_from_organization(AccountId=other))[0] == "AccessDeniedException"
    org.orgs.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    org.orgs.register_delegated_administrator(AccountId=other, ServicePrincipal="config.amazonaws.com")
    assert refused(lambda: org.orgs.remove_account_from_organization(AccountId=other))[::2] == (
        "ConstraintViolationException",
        "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
    )


def test_leave_organization(server: Server, org: Organization) -> None:
    org.orgs.enable_policy_type(RootId=org.root_id, PolicyType="SERVICE_CONTROL_POLICY")
    member = org.add_member()
    as_member = client(server, "organizations", org.enter(member))
    # An SCP can forbid leaving: the member's call is subject to its guardrails.
    scp = org.orgs.create_policy(Content=DENY_LEAVE, Description="stay", Name="stay", Type="SERVICE_CONTROL_POLICY")
    org.orgs.attach_policy(PolicyId=scp["Policy"]["PolicySummary"]["Id"], TargetId=member)
    assert refused(as_member.leave_organization)[0] == "AccessDeniedException"
    org.orgs.detach_policy(PolicyId=scp["Policy"]["PolicySummary"]["Id"], TargetId=member)
    as_member.leave_organization()
    assert refused(as_member.describe_organization)[0] == "AWSOrganizationsNotInUseException"
    assert refused(as_member.leave_organization)[0] == "AWSOrganizationsNotInUseException"
    assert refused(org.orgs.leave_organization)[0] == "MasterCannotLeaveOrganizationException"


def test_close_account(server: Server, org: Organization) -> None:
    member = org.add_member()
    creds = org.enter(member)
    iam = client(server, "iam", creds)
    iam.list_users()
    org.orgs.close_account(AccountId=member)
    account = org.orgs.describe_account(AccountId=member)["Account"]
    assert (account["Status"], account["State"]) == ("SUSPENDED", "CLOSED")
    # A closed account is refused every action.
    with pytest.raises(ClientError) as exc:
        iam.list_users()
    assert exc.value.response["Error"]["Code"] == "AccessDenied"
    assert refused(lambda: org.orgs.close_account(AccountId=member))[0] == "AccountAlreadyClosedException"
    assert refused(lambda: org.orgs.close_account(AccountId="999999999999"))[0] == "AccountNotFoundException"
    assert refused(lambda: org.orgs.close_account(AccountId=org.management.account_id))[::2] == (
        "ConstraintViolationException",
        "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
    )
    other = org.add_member()
    as_other = client(server, "organizations", org.enter(other))
    assert refused(lambda: as_other.close_account(AccountId=other))[0] == "AccessDeniedException"


def test_close_account_quota(server: Server, org: Organization) -> None:
    """At most 10 closures in 30 days for an organization of fewer than 100 members (AWS's quota)."""
    members = [org.add_member() for _ in range(11)]
    for member in members[:10]:
        org.orgs.close_account(AccountId=member)
    assert refused(lambda: org.orgs.close_account(AccountId=members[10]))[::2] == (
        "ConstraintViolationException",
        "CLOSE_ACCOUNT_QUOTA_EXCEEDED",
    )


def test_delete_organization(server: Server, org: Organization) -> None:
    member = org.add_member()
    org.orgs.create_organizational_unit(ParentId=org.root_id, Name="ou")
    assert refused(org.orgs.delete_organization)[0] == "OrganizationNotEmptyException"
    as_member = client(server, "organizations", org.enter(member))
    assert refused(as_member.delete_organization)[0] == "AccessDeniedException"
    org.orgs.remove_account_from_organization(AccountId=member)
    org.orgs.delete_organization()
    assert refused(org.orgs.describe_organization)[0] == "AWSOrganizationsNotInUseException"
    assert refused(org.orgs.delete_organization)[0] == "AWSOrganizationsNotInUseException"
    # The management account is free to start over.
    assert org.orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"] != org.org_id


def test_aws_cli(server: Server, org: Organization) -> None:
    member = org.add_member()
    mgmt = org.management.root
    closed = aws_cli(server, "organizations", "close-account", "--account-id", member, creds=mgmt)
    assert closed.returncode == 0, closed.stderr
    again = aws_cli(server, "organizations", "close-account", "--account-id", member, creds=mgmt)
    assert again.returncode != 0 and "AccountAlreadyClosedException" in again.stderr
    removed = aws_cli(server, "organizations", "remove-account-from-organization", "--account-id", member, creds=mgmt)
    assert removed.returncode == 0, removed.stderr
    leave = aws_cli(server, "organizations", "leave-organization", creds=mgmt)
    assert leave.returncode != 0 and "MasterCannotLeaveOrganizationException" in leave.stderr
    deleted = aws_cli(server, "organizations", "delete-organization", creds=mgmt)
    assert deleted.returncode == 0, deleted.stderr
    gone = aws_cli(server, "organizations", "delete-organization", creds=mgmt)
    assert gone.returncode != 0 and "AWSOrganizationsNotInUseException" in gone.stderr
