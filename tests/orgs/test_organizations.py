"""The Organizations API over the JSON protocol, with boto3 and the AWS CLI."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization, client, error_of, make_user, unique
from tests.sts.helpers import aws_cli

SCP_DENY_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
)


@pytest.fixture
def org(server: Server) -> Organization:
    return Organization.create(server)


def test_create_and_describe_organization(server: Server, org: Organization) -> None:
    described = org.orgs.describe_organization()["Organization"]
    mgmt = org.management.account_id
    assert described["Id"] == org.org_id and described["Id"].startswith("o-") and len(described["Id"]) == 12
    assert described["Arn"] == f"arn:aws:organizations::{mgmt}:organization/{org.org_id}"
    assert described["MasterAccountId"] == mgmt
    assert described["FeatureSet"] == "ALL"
    with pytest.raises(ClientError) as exc:
        org.orgs.create_organization()
    assert error_of(exc)[0] == "AlreadyInOrganizationException"
    roots = org.orgs.list_roots()["Roots"]
    assert roots == [
        {
            "Id": org.root_id,
            "Arn": f"arn:aws:organizations::{mgmt}:root/{org.org_id}/{org.root_id}",
            "Name": "Root",
            "PolicyTypes": [],
        }
    ]


def test_two_account_organization_with_the_cli(server: Server) -> None:
    """A newcomer's path: create the organization, a member account, an OU, and move it."""
    mgmt = Account.create(server)
    created = aws_cli(server, "organizations", "create-organization", "--feature-set", "ALL", creds=mgmt.root)
    assert created.returncode == 0, created.stderr
    org_id = json.loads(created.stdout)["Organization"]["Id"]
    out = aws_cli(
        server,
        "organizations",
        "create-account",
        "--email",
        f"{unique('dev')}@example.com",
        "--account-name",
        "Development",
        creds=mgmt.root,
    )
    assert out.returncode == 0, out.stderr
    request = json.loads(out.stdout)["CreateAccountStatus"]
    assert request["State"] == "IN_PROGRESS" and request["Id"].startswith("car-")
    out = aws_cli(
        server,
        "organizations",
        "describe-create-account-status",
        "--create-account-request-id",
        request["Id"],
        creds=mgmt.root,
    )
    status = json.loads(out.stdout)["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED"
    member = status["AccountId"]

    accounts = json.loads(aws_cli(server, "organizations", "list-accounts", creds=mgmt.root).stdout)["Accounts"]
    assert {a["Id"] for a in accounts} == {mgmt.account_id, member}
    by_id = {a["Id"]: a for a in accounts}
    assert by_id[member]["JoinedMethod"] == "CREATED" and by_id[member]["Status"] == "ACTIVE"
    assert by_id[member]["Arn"] == f"arn:aws:organizations::{mgmt.account_id}:account/{org_id}/{member}"

    root_id = json.loads(aws_cli(server, "organizations", "list-roots", creds=mgmt.root).stdout)["Roots"][0]["Id"]
    out = aws_cli(
        server,
        "organizations",
        "create-organizational-unit",
        "--parent-id",
        root_id,
        "--name",
        "Workloads",
        creds=mgmt.root,
    )
    assert out.returncode == 0, out.stderr
    ou = json.loads(out.stdout)["OrganizationalUnit"]
    assert ou["Id"].startswith(f"ou-{root_id[2:]}-") and ou["Name"] == "Workloads"
    moved = aws_cli(
        server,
        "organizations",
        "move-account",
        "--account-id",
        member,
        "--source-parent-id",
        root_id,
        "--destination-parent-id",
        ou["Id"],
        creds=mgmt.root,
    )
    assert moved.returncode == 0, moved.stderr
    out = aws_cli(server, "organizations", "describe-account", "--account-id", member, creds=mgmt.root)
    assert json.loads(out.stdout)["Account"]["Paths"] == [f"{org_id}/{root_id}/{ou['Id']}/{member}/"]
    out = aws_cli(
        server, "organizations", "list-organizational-units-for-parent", "--parent-id", root_id, creds=mgmt.root
    )
    assert [u["Id"] for u in json.loads(out.stdout)["OrganizationalUnits"]] == [ou["Id"]]
    again = aws_cli(
        server,
        "organizations",
        "move-account",
        "--account-id",
        member,
        "--source-parent-id",
        ou["Id"],
        "--destination-parent-id",
        ou["Id"],
        creds=mgmt.root,
    )
    assert again.returncode != 0 and "DuplicateAccountException" in again.stderr


def test_member_account_is_a_real_account_entered_through_its_role(server: Server, org: Organization) -> None:
    member = org.add_member()
    creds = org.enter(member)
    identity = client(server, "sts", creds).get_caller_identity()
    assert identity["Account"] == member
    assert identity["Arn"] == f"arn:aws:sts::{member}:assumed-role/OrganizationAccountAccessRole/admin"
    # The role's AdministratorAccess lets the session work in the member account.
    iam = client(server, "iam", creds)
    name = unique("u")
    assert iam.create_user(UserName=name)["User"]["Arn"] == f"arn:aws:iam::{member}:user/{name}"
    role = iam.get_role(RoleName="OrganizationAccountAccessRole")["Role"]
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{org.management.account_id}:root"}
    # A member account may describe its organization but not administer it.
    orgs = client(server, "organizations", creds)
    assert orgs.describe_organization()["Organization"]["Id"] == org.org_id
    for call in (orgs.list_accounts, orgs.list_roots):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[0] == "AccessDeniedException"
    with pytest.raises(ClientError) as exc:
        orgs.create_account(Email=f"{unique('x')}@example.com", AccountName="x")
    assert error_of(exc)[0] == "AccessDeniedException"


def test_account_outside_any_organization(server: Server) -> None:
    lone = Account.create(server)
    orgs = client(server, "organizations", lone.root)
    with pytest.raises(ClientError) as exc:
        orgs.describe_organization()
    assert error_of(exc) == (
        "AWSOrganizationsNotInUseException",
        "Your account is not a member of an organization.",
        400,
    )


def test_duplicate_email_fails_the_request(server: Server, org: Organization) -> None:
    email = f"{unique('dup')}@example.com"
    org.orgs.create_account(Email=email, AccountName="first")
    request = org.orgs.create_account(Email=email.upper(), AccountName="second")["CreateAccountStatus"]
    status = org.orgs.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]
    assert status["State"] == "FAILED" and status["FailureReason"] == "EMAIL_ALREADY_EXISTS"
    assert "AccountId" not in status
    with pytest.raises(ClientError) as exc:
        org.orgs.describe_create_account_status(CreateAccountRequestId="car-" + "0" * 32)
    assert error_of(exc)[0] == "CreateAccountStatusNotFoundException"


def test_iam_user_of_management_account_needs_permission(server: Server, org: Organization) -> None:
    reader = make_user(
        server,
        org.management.root,
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "organizations:List*", "Resource": "*"}],
            }
        ),
    )
    orgs = client(server, "organizations", reader.creds)
    assert orgs.list_accounts()["Accounts"]
    with pytest.raises(ClientError) as exc:
        orgs.create_organizational_unit(ParentId=org.root_id, Name="nope")
    code, message, status = error_of(exc)
    assert code == "AccessDeniedException" and status == 400
    assert f"User: {reader.arn} is not authorized to perform: organizations:CreateOrganizationalUnit" in message


def test_policies_lifecycle_and_refusals(server: Server, org: Organization) -> None:
    orgs = org.orgs
    with pytest.raises(ClientError) as exc:
        orgs.create_policy(Content="{not json", Description="d", Name=unique("p"), Type="SERVICE_CONTROL_POLICY")
    assert error_of(exc)[0] == "MalformedPolicyDocumentException"
    name = unique("deny-s3")
    created = orgs.create_policy(Content=SCP_DENY_S3, Description="no s3", Name=name, Type="SERVICE_CONTROL_POLICY")
    summary = created["Policy"]["PolicySummary"]
    assert summary["Id"].startswith("p-") and summary["AwsManaged"] is False
    assert summary["Arn"] == (
        f"arn:aws:organizations::{org.management.account_id}:policy/{org.org_id}/service_control_policy/{summary['Id']}"
    )
    with pytest.raises(ClientError) as exc:
        orgs.create_policy(Content=SCP_DENY_S3, Description="again", Name=name, Type="SERVICE_CONTROL_POLICY")
    assert error_of(exc)[0] == "DuplicatePolicyException"
    with pytest.raises(ClientError) as exc:
        orgs.attach_policy(PolicyId=summary["Id"], TargetId=org.root_id)
    assert error_of(exc)[0] == "PolicyTypeNotEnabledException"

    root = orgs.enable_policy_type(RootId=org.root_id, PolicyType="SERVICE_CONTROL_POLICY")["Root"]
    assert root["PolicyTypes"] == [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]
    with pytest.raises(ClientError) as exc:
        orgs.enable_policy_type(RootId=org.root_id, PolicyType="SERVICE_CONTROL_POLICY")
    assert error_of(exc)[0] == "PolicyTypeAlreadyEnabledException"
    listed = orgs.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert [p["Name"] for p in listed] == ["FullAWSAccess", name]

    orgs.attach_policy(PolicyId=summary["Id"], TargetId=org.root_id)
    with pytest.raises(ClientError) as exc:
        orgs.attach_policy(PolicyId=summary["Id"], TargetId=org.root_id)
    assert error_of(exc)[0] == "DuplicatePolicyAttachmentException"
    with pytest.raises(ClientError) as exc:
        orgs.attach_policy(PolicyId="p-zzzzzzzz", TargetId=org.root_id)
    assert error_of(exc)[0] == "PolicyNotFoundException"
    with pytest.raises(ClientError) as exc:
        orgs.attach_policy(PolicyId=summary["Id"], TargetId="999999999999")
    assert error_of(exc)[0] == "TargetNotFoundException"
    orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=org.root_id)
    with pytest.raises(ClientError) as exc:
        orgs.detach_policy(PolicyId=summary["Id"], TargetId=org.root_id)
    assert error_of(exc)[0] == "ConstraintViolationException"
    assert exc.value.response["Reason"] == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"

    orgs.enable_policy_type(RootId=org.root_id, PolicyType="RESOURCE_CONTROL_POLICY")
    rcps = orgs.list_policies(Filter="RESOURCE_CONTROL_POLICY")["Policies"]
    assert [p["Id"] for p in rcps] == ["p-RCPFullAWSAccess"]
    with pytest.raises(ClientError) as exc:
        orgs.detach_policy(PolicyId="p-RCPFullAWSAccess", TargetId=org.root_id)
    assert error_of(exc)[0] == "InvalidInputException"
    assert exc.value.response["Reason"] == "NON_DETACHABLE_POLICY"
    with pytest.raises(ClientError) as exc:
        orgs.create_policy(
            Content=SCP_DENY_S3, Description="an SCP is no RCP", Name=unique("r"), Type="RESOURCE_CONTROL_POLICY"
        )
    assert error_of(exc)[0] == "MalformedPolicyDocumentException"


def test_delegated_administrator(server: Server, org: Organization) -> None:
    member = org.add_member()
    orgs = org.orgs
    with pytest.raises(ClientError) as exc:
        orgs.register_delegated_administrator(AccountId=member, ServicePrincipal="iam.amazonaws.com")
    assert exc.value.response["Reason"] == "SERVICE_ACCESS_NOT_ENABLED"
    orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    with pytest.raises(ClientError) as exc:
        orgs.register_delegated_administrator(AccountId=org.management.account_id, ServicePrincipal="iam.amazonaws.com")
    assert exc.value.response["Reason"] == "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"
    with pytest.raises(ClientError) as exc:
        orgs.register_delegated_administrator(AccountId="999999999999", ServicePrincipal="iam.amazonaws.com")
    assert error_of(exc)[0] == "AccountNotFoundException"
    orgs.register_delegated_administrator(AccountId=member, ServicePrincipal="iam.amazonaws.com")
    with pytest.raises(ClientError) as exc:
        orgs.register_delegated_administrator(AccountId=member, ServicePrincipal="iam.amazonaws.com")
    assert error_of(exc)[0] == "AccountAlreadyRegisteredException"
    # A delegated administrator may read the organization.
    delegated = client(server, "organizations", org.enter(member))
    assert {a["Id"] for a in delegated.list_accounts()["Accounts"]} == {org.management.account_id, member}


def test_pagination(server: Server, org: Organization) -> None:
    for _ in range(3):
        org.add_member()
    first = org.orgs.list_accounts(MaxResults=2)
    assert len(first["Accounts"]) == 2 and first["NextToken"]
    rest = org.orgs.list_accounts(MaxResults=2, NextToken=first["NextToken"])
    assert len(rest["Accounts"]) == 2 and "NextToken" not in rest
    with pytest.raises(ClientError) as exc:
        org.orgs.list_accounts(NextToken="garbage")
    assert error_of(exc)[0] == "InvalidInputException"


def test_every_account_reports_an_email(server: Server, org: Organization) -> None:
    mgmt = org.management.account_id
    # The management account was made without an email; Organizations always reports one.
    described = org.orgs.describe_organization()["Organization"]
    assert described["MasterAccountEmail"] == f"{mgmt}@credmint.invalid"
    accounts = {a["Id"]: a for a in org.orgs.list_accounts()["Accounts"]}
    assert accounts[mgmt]["Email"] == described["MasterAccountEmail"]
    assert org.orgs.describe_account(AccountId=mgmt)["Account"]["Email"] == described["MasterAccountEmail"]
    email = f"{unique('member')}@example.com"
    request = org.orgs.create_account(Email=email, AccountName="member")["CreateAccountStatus"]["Id"]
    member = org.orgs.describe_create_account_status(CreateAccountRequestId=request)["CreateAccountStatus"]["AccountId"]
    assert org.orgs.describe_account(AccountId=member)["Account"]["Email"] == email
    # Members see the same through DescribeOrganization.
    seen = client(server, "organizations", org.enter(member)).describe_organization()["Organization"]
    assert seen["MasterAccountEmail"] == described["MasterAccountEmail"]
