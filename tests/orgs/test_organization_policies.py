"""Managing SCPs and RCPs after creation: describe, update, delete, where they are attached,
disabling a policy type, and that each change binds the affected accounts on their next request."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Organization, client, error_of, make_user, unique
from tests.sts.helpers import aws_cli

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


DENY_CREATE_USER = policy({"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"})
DENY_LIST_USERS = policy({"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"})


@pytest.fixture
def org(server: Server) -> Organization:
    org = Organization.create(server)
    org.orgs.enable_policy_type(RootId=org.root_id, PolicyType=SCP)
    return org


def _scp(org: Organization, content: str, name: str | None = None) -> str:
    created = org.orgs.create_policy(Content=content, Description="test", Name=name or unique("scp"), Type=SCP)
    policy_id: str = created["Policy"]["PolicySummary"]["Id"]
    return policy_id


def _all(orgs: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    pages = orgs.get_paginator(operation).paginate(**kwargs, PaginationConfig={"PageSize": 1})
    return [item for page in pages for item in page[key]]


def _refused(call: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        call()
    return error_of(exc)


def _reason(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call()
    return error_of(exc)[0], exc.value.response.get("Reason", "")


def test_describe_policy(server: Server, org: Organization) -> None:
    name = unique("deny")
    policy_id = _scp(org, DENY_CREATE_USER, name)
    described = org.orgs.describe_policy(PolicyId=policy_id)["Policy"]
    assert described == {
        "PolicySummary": {
            "Id": policy_id,
            "Arn": f"arn:aws:organizations::{org.management.account_id}:policy/{org.org_id}/service_control_policy/"
            f"{policy_id}",
            "Name": name,
            "Description": "test",
            "Type": SCP,
            "AwsManaged": False,
        },
        "Content": DENY_CREATE_USER,
    }
    managed = org.orgs.describe_policy(PolicyId="p-FullAWSAccess")["Policy"]
    assert managed["PolicySummary"]["AwsManaged"] is True
    assert managed["PolicySummary"]["Arn"] == "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
    assert json.loads(managed["Content"])["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    assert _refused(lambda: org.orgs.describe_policy(PolicyId="p-zzzzzzzz")) == (
        "PolicyNotFoundException",
        "We can't find a policy with the PolicyId that you specified.",
        400,
    )
    # Another organization's policy does not exist here.
    other = Organization.create(server)
    assert _refused(lambda: other.orgs.describe_policy(PolicyId=policy_id))[0] == "PolicyNotFoundException"


def test_update_policy(server: Server, org: Organization) -> None:
    name = unique("deny")
    policy_id = _scp(org, DENY_CREATE_USER, name)
    taken = unique("taken")
    _scp(org, DENY_LIST_USERS, taken)

    renamed = org.orgs.update_policy(PolicyId=policy_id, Name=name + "-2", Description="renamed")["Policy"]
    assert renamed["PolicySummary"]["Name"] == name + "-2"
    assert renamed["PolicySummary"]["Description"] == "renamed"
    assert renamed["Content"] == DENY_CREATE_USER
    changed = org.orgs.update_policy(PolicyId=policy_id, Content=DENY_LIST_USERS)["Policy"]
    assert changed["Content"] == DENY_LIST_USERS and changed["PolicySummary"]["Name"] == name + "-2"
    assert org.orgs.describe_policy(PolicyId=policy_id)["Policy"] == changed
    # Nothing given: nothing changes.
    assert org.orgs.update_policy(PolicyId=policy_id)["Policy"] == changed
    assert org.orgs.update_policy(PolicyId=policy_id, Name=name + "-2")["Policy"] == changed

    assert _refused(lambda: org.orgs.update_policy(PolicyId=policy_id, Name=taken))[0] == "DuplicatePolicyException"
    assert (
        _refused(lambda: org.orgs.update_policy(PolicyId=policy_id, Content="{not json"))[0]
        == "MalformedPolicyDocumentException"
    )
    # Content is checked against the policy's own type: an SCP has no Principal.
    rcp_shaped = policy({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    assert (
        _refused(lambda: org.orgs.update_policy(PolicyId=policy_id, Content=rcp_shaped))[0]
        == "MalformedPolicyDocumentException"
    )
    huge = policy({"Effect": "Deny", "Action": [f"iam:Get{'X' * 40}{i}" for i in range(120)], "Resource": "*"})
    assert _reason(lambda: org.orgs.update_policy(PolicyId=policy_id, Content=huge)) == (
        "ConstraintViolationException",
        "POLICY_CONTENT_LIMIT_EXCEEDED",
    )
    assert org.orgs.describe_policy(PolicyId=policy_id)["Policy"] == changed
    assert _reason(lambda: org.orgs.update_policy(PolicyId="p-FullAWSAccess", Description="mine")) == (
        "InvalidInputException",
        "IMMUTABLE_POLICY",
    )
    assert _refused(lambda: org.orgs.update_policy(PolicyId="p-zzzzzzzz", Name="x"))[0] == "PolicyNotFoundException"


def test_delete_policy(server: Server, org: Organization) -> None:
    member = org.add_member()
    policy_id = _scp(org, DENY_CREATE_USER)
    org.orgs.attach_policy(PolicyId=policy_id, TargetId=member)
    assert _refused(lambda: org.orgs.delete_policy(PolicyId=policy_id)) == (
        "PolicyInUseException",
        "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts "
        "before performing this operation.",
        400,
    )
    org.orgs.detach_policy(PolicyId=policy_id, TargetId=member)
    org.orgs.delete_policy(PolicyId=policy_id)
    assert _refused(lambda: org.orgs.describe_policy(PolicyId=policy_id))[0] == "PolicyNotFoundException"
    assert _refused(lambda: org.orgs.delete_policy(PolicyId=policy_id))[0] == "PolicyNotFoundException"
    assert _refused(lambda: org.orgs.attach_policy(PolicyId=policy_id, TargetId=member))[0] == "PolicyNotFoundException"
    assert policy_id not in {p["Id"] for p in org.orgs.list_policies(Filter=SCP)["Policies"]}
    assert _reason(lambda: org.orgs.delete_policy(PolicyId="p-FullAWSAccess")) == (
        "InvalidInputException",
        "IMMUTABLE_POLICY",
    )


def test_list_policies_for_target_and_targets_for_policy(server: Server, org: Organization) -> None:
    member = org.add_member(name="alpha")
    ou = org.orgs.create_organizational_unit(ParentId=org.root_id, Name="beta")["OrganizationalUnit"]["Id"]
    names = sorted(unique(f"p{i}") for i in range(3))
    ids = [_scp(org, DENY_CREATE_USER, name) for name in names]
    for policy_id in ids:
        org.orgs.attach_policy(PolicyId=policy_id, TargetId=member)
    org.orgs.attach_policy(PolicyId=ids[0], TargetId=ou)
    org.orgs.attach_policy(PolicyId=ids[0], TargetId=org.root_id)

    listed = _all(org.orgs, "list_policies_for_target", "Policies", TargetId=member, Filter=SCP)
    assert [p["Id"] for p in listed] == ["p-FullAWSAccess", *ids]
    assert listed[1] == org.orgs.describe_policy(PolicyId=ids[0])["Policy"]["PolicySummary"]
    assert org.orgs.list_policies_for_target(TargetId=member, Filter=RCP)["Policies"] == []
    page = org.orgs.list_policies_for_target(TargetId=member, Filter=SCP, MaxResults=3)
    assert len(page["Policies"]) == 3 and page["NextToken"]

    mgmt = org.management.account_id
    targets = _all(org.orgs, "list_targets_for_policy", "Targets", PolicyId=ids[0])
    assert targets == [
        {
            "TargetId": org.root_id,
            "Arn": f"arn:aws:organizations::{mgmt}:root/{org.org_id}/{org.root_id}",
            "Name": "Root",
            "Type": "ROOT",
        },
        {
            "TargetId": ou,
            "Arn": f"arn:aws:organizations::{mgmt}:ou/{org.org_id}/{ou}",
            "Name": "beta",
            "Type": "ORGANIZATIONAL_UNIT",
        },
        {
            "TargetId": member,
            "Arn": f"arn:aws:organizations::{mgmt}:account/{org.org_id}/{member}",
            "Name": "alpha",
            "Type": "ACCOUNT",
        },
    ]
    assert [t["TargetId"] for t in org.orgs.list_targets_for_policy(PolicyId=ids[1])["Targets"]] == [member]
    # FullAWSAccess is everywhere in this organization, and only this organization's targets are listed.
    full = {t["TargetId"] for t in _all(org.orgs, "list_targets_for_policy", "Targets", PolicyId="p-FullAWSAccess")}
    assert full == {org.root_id, ou, mgmt, member}

    assert _refused(lambda: org.orgs.list_policies_for_target(TargetId="999999999999", Filter=SCP)) == (
        "TargetNotFoundException",
        "We can't find a root, OU, account, or policy with the TargetId that you specified.",
        400,
    )
    assert _refused(lambda: org.orgs.list_targets_for_policy(PolicyId="p-zzzzzzzz"))[0] == "PolicyNotFoundException"


def test_full_access_targets_are_per_organization(server: Server, org: Organization) -> None:
    other = Organization.create(server)
    other.orgs.enable_policy_type(RootId=other.root_id, PolicyType=SCP)
    mine = {t["TargetId"] for t in org.orgs.list_targets_for_policy(PolicyId="p-FullAWSAccess")["Targets"]}
    assert mine == {org.root_id, org.management.account_id}


def test_deleted_ou_loses_its_policy_attachments(server: Server, org: Organization) -> None:
    ou = org.orgs.create_organizational_unit(ParentId=org.root_id, Name="doomed")["OrganizationalUnit"]["Id"]
    targets = org.orgs.list_targets_for_policy(PolicyId="p-FullAWSAccess")["Targets"]
    assert ou in {t["TargetId"] for t in targets}
    org.orgs.delete_organizational_unit(OrganizationalUnitId=ou)
    targets = org.orgs.list_targets_for_policy(PolicyId="p-FullAWSAccess")["Targets"]
    assert ou not in {t["TargetId"] for t in targets}


def test_disable_policy_type(server: Server, org: Organization) -> None:
    member = org.add_member()
    policy_id = _scp(org, DENY_CREATE_USER)
    org.orgs.attach_policy(PolicyId=policy_id, TargetId=member)
    root = org.orgs.disable_policy_type(RootId=org.root_id, PolicyType=SCP)["Root"]
    assert root["Id"] == org.root_id and root["PolicyTypes"] == []
    assert org.orgs.list_roots()["Roots"][0]["PolicyTypes"] == []
    # Every SCP is detached; the policies themselves remain.
    assert org.orgs.list_policies_for_target(TargetId=member, Filter=SCP)["Policies"] == []
    assert org.orgs.list_targets_for_policy(PolicyId=policy_id)["Targets"] == []
    assert org.orgs.describe_policy(PolicyId=policy_id)["Policy"]["Content"] == DENY_CREATE_USER
    assert _refused(lambda: org.orgs.disable_policy_type(RootId=org.root_id, PolicyType=SCP)) == (
        "PolicyTypeNotEnabledException",
        "This operation can be performed only for enabled policy types.",
        400,
    )
    assert _refused(lambda: org.orgs.disable_policy_type(RootId="r-zzzz", PolicyType=SCP))[0] == "RootNotFoundException"
    assert _refused(lambda: org.orgs.attach_policy(PolicyId=policy_id, TargetId=member))[0] == (
        "PolicyTypeNotEnabledException"
    )
    # Enabling again starts from FullAWSAccess alone on every root, OU and account.
    org.orgs.enable_policy_type(RootId=org.root_id, PolicyType=SCP)
    listed = org.orgs.list_policies_for_target(TargetId=member, Filter=SCP)["Policies"]
    assert [p["Id"] for p in listed] == ["p-FullAWSAccess"]
    org.orgs.delete_policy(PolicyId=policy_id)


def test_policy_operations_need_the_management_account(server: Server, org: Organization) -> None:
    member = org.add_member()
    policy_id = _scp(org, DENY_CREATE_USER)
    orgs = client(server, "organizations", org.enter(member))
    calls = (
        lambda: orgs.describe_policy(PolicyId=policy_id),
        lambda: orgs.update_policy(PolicyId=policy_id, Name="mine"),
        lambda: orgs.delete_policy(PolicyId=policy_id),
        lambda: orgs.list_policies_for_target(TargetId=member, Filter=SCP),
        lambda: orgs.list_targets_for_policy(PolicyId=policy_id),
        lambda: orgs.disable_policy_type(RootId=org.root_id, PolicyType=SCP),
    )
    for call in calls:
        assert _refused(call)[0] == "AccessDeniedException"
    # An IAM user of the management account needs the action, on the policy's ARN.
    reader = make_user(
        server,
        org.management.root,
        policy({"Effect": "Allow", "Action": "organizations:Describe*", "Resource": "*"}),
    )
    readers = client(server, "organizations", reader.creds)
    assert readers.describe_policy(PolicyId=policy_id)["Policy"]["Content"] == DENY_CREATE_USER
    code, message, _ = _refused(lambda: readers.delete_policy(PolicyId=policy_id))
    assert code == "AccessDeniedException"
    assert f"organizations:DeletePolicy on resource: arn:aws:organizations::{org.management.account_id}:policy/" in (
        message
    )
    # Without the permission, an unknown id is refused before it is looked up.
    assert _refused(lambda: readers.list_targets_for_policy(PolicyId="p-zzzzzzzz"))[0] == "AccessDeniedException"


# --- changes bind the affected accounts on their next request ------------------------------------


def _member_admin(server: Server, org: Organization) -> tuple[str, Any]:
    member = org.add_member()
    admin = make_user(server, org.enter(member))  # AdministratorAccess in the member account
    return member, client(server, "iam", admin.creds)


def _denied(call: Any) -> bool:
    with pytest.raises(ClientError) as exc:
        call()
    code, message, status = error_of(exc)
    assert (code, status) == ("AccessDenied", 403)
    return "service control policy" in message


def test_update_policy_content_applies_at_once(server: Server, org: Organization) -> None:
    member, iam = _member_admin(server, org)
    policy_id = _scp(org, DENY_CREATE_USER)
    org.orgs.attach_policy(PolicyId=policy_id, TargetId=member)
    assert _denied(lambda: iam.create_user(UserName=unique("u")))
    iam.list_users()

    org.orgs.update_policy(PolicyId=policy_id, Content=DENY_LIST_USERS)
    iam.create_user(UserName=unique("u"))
    assert _denied(iam.list_users)

    # Renaming changes nothing about what the policy does.
    org.orgs.update_policy(PolicyId=policy_id, Name=unique("renamed"))
    assert _denied(iam.list_users)


def test_detach_and_delete_lift_the_fence_at_once(server: Server, org: Organization) -> None:
    member, iam = _member_admin(server, org)
    ou = org.orgs.create_organizational_unit(ParentId=org.root_id, Name="fenced")["OrganizationalUnit"]["Id"]
    org.orgs.move_account(AccountId=member, SourceParentId=org.root_id, DestinationParentId=ou)
    policy_id = _scp(org, DENY_CREATE_USER)
    org.orgs.attach_policy(PolicyId=policy_id, TargetId=ou)
    assert _denied(lambda: iam.create_user(UserName=unique("u")))
    org.orgs.detach_policy(PolicyId=policy_id, TargetId=ou)
    iam.create_user(UserName=unique("u"))
    org.orgs.delete_policy(PolicyId=policy_id)
    iam.create_user(UserName=unique("u"))


def test_allow_list_policy_rewritten_widens_what_an_account_may_do(server: Server, org: Organization) -> None:
    member, iam = _member_admin(server, org)
    only_sts = _scp(org, policy({"Effect": "Allow", "Action": "sts:*", "Resource": "*"}))
    org.orgs.attach_policy(PolicyId=only_sts, TargetId=member)
    org.orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=member)
    assert _denied(iam.list_users)
    org.orgs.update_policy(PolicyId=only_sts, Content=policy({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    iam.list_users()


def test_disable_policy_type_lifts_every_scp_at_once(server: Server, org: Organization) -> None:
    member, iam = _member_admin(server, org)
    org.orgs.attach_policy(PolicyId=_scp(org, DENY_CREATE_USER), TargetId=org.root_id)
    org.orgs.attach_policy(PolicyId=_scp(org, DENY_LIST_USERS), TargetId=member)
    assert _denied(lambda: iam.create_user(UserName=unique("u")))
    assert _denied(iam.list_users)
    org.orgs.disable_policy_type(RootId=org.root_id, PolicyType=SCP)
    iam.create_user(UserName=unique("u"))
    iam.list_users()
    # Re-enabled, the old attachments are gone: FullAWSAccess alone allows everything.
    org.orgs.enable_policy_type(RootId=org.root_id, PolicyType=SCP)
    iam.create_user(UserName=unique("u"))
    iam.list_users()


def test_disable_rcp_type_lifts_resource_fences(server: Server, org: Organization) -> None:
    member = org.add_member()
    s3 = client(server, "s3", org.enter(member))
    bucket = unique("rcp-off")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    org.orgs.enable_policy_type(RootId=org.root_id, PolicyType=RCP)
    rcp = org.orgs.create_policy(
        Content=policy({"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"}),
        Description="keep objects",
        Name=unique("rcp"),
        Type=RCP,
    )["Policy"]["PolicySummary"]["Id"]
    org.orgs.attach_policy(PolicyId=rcp, TargetId=member)
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=bucket, Key="k")
    assert error_of(exc)[0] == "AccessDenied"
    org.orgs.disable_policy_type(RootId=org.root_id, PolicyType=RCP)
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def test_policies_with_the_cli(server: Server, org: Organization) -> None:
    policy_id = _scp(org, DENY_CREATE_USER)
    org.orgs.attach_policy(PolicyId=policy_id, TargetId=org.root_id)
    out = aws_cli(server, "organizations", "describe-policy", "--policy-id", policy_id, creds=org.management.root)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Policy"]["Content"] == DENY_CREATE_USER
    out = aws_cli(
        server, "organizations", "list-targets-for-policy", "--policy-id", policy_id, creds=org.management.root
    )
    assert out.returncode == 0, out.stderr
    assert [t["TargetId"] for t in json.loads(out.stdout)["Targets"]] == [org.root_id]
    out = aws_cli(server, "organizations", "delete-policy", "--policy-id", policy_id, creds=org.management.root)
    assert out.returncode != 0 and "PolicyInUseException" in out.stderr
