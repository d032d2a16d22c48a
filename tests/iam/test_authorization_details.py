"""GetAccountAuthorizationDetails: the account's whole IAM configuration, as audit tools read it.

The tests run in an account of their own (``credmint account create`` on the session's
server), so the lists hold exactly what the tests made and pagination can be checked
entry by entry.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.iam.fixtures_b import TRUST_EC2, allow, error_of, unique

pytestmark = pytest.mark.e2e

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
IAM_READ = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


@dataclass
class Account:
    account_id: str
    access_key_id: str
    secret_access_key: str
    iam: Any


@dataclass
class World:
    """What ``world`` made in its account."""

    account: Account
    user: str
    group: str
    role: str
    profile: str
    policy_arn: str


def new_account(server: Server) -> Account:
    out = subprocess.run(
        [sys.executable, "-m", "credmint.cli.main", "account", "create"],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    found = dict(re.findall(r"export (AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)=(\S+)", out))
    account = re.search(r"account (\d{12})", out)
    assert account is not None, out
    key, secret = found["AWS_ACCESS_KEY_ID"], found["AWS_SECRET_ACCESS_KEY"]
    iam = server.client("iam", aws_access_key_id=key, aws_secret_access_key=secret)
    return Account(account.group(1), key, secret, iam)


@pytest.fixture(scope="module")
def world(server: Server) -> World:
    acct = new_account(server)
    iam = acct.iam
    user, group, role, profile = unique("adu"), unique("adg"), unique("adr"), unique("adp")
    v1 = allow("s3:GetObject")
    policy_arn = iam.create_policy(PolicyName=unique("adm"), PolicyDocument=v1, Description="two versions")["Policy"][
        "Arn"
    ]
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=allow("s3:PutObject"), SetAsDefault=True)

    iam.create_user(UserName=user, Path="/audit/", PermissionsBoundary=IAM_READ, Tags=[{"Key": "team", "Value": "a"}])
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="inline-u", PolicyDocument=allow("sqs:ListQueues"))
    iam.attach_user_policy(UserName=user, PolicyArn=policy_arn)
    iam.put_group_policy(GroupName=group, PolicyName="inline-g", PolicyDocument=allow("sns:ListTopics"))
    iam.attach_group_policy(GroupName=group, PolicyArn=S3_READ)

    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_EC2, Tags=[{"Key": "env", "Value": "prod"}])
    iam.put_role_policy(RoleName=role, PolicyName="inline-r", PolicyDocument=allow("ec2:DescribeInstances"))
    iam.attach_role_policy(RoleName=role, PolicyArn=policy_arn)
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    return World(acct, user, group, role, profile, policy_arn)


def everything(iam: Any, **kwargs: Any) -> dict[str, list[dict[str, Any]]]:
    pages = iam.get_paginator("get_account_authorization_details").paginate(**kwargs)
    out: dict[str, list[dict[str, Any]]] = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [],
    }
    for page in pages:
        for key, items in out.items():
            items.extend(page[key])
    return out


def test_user_with_group_inline_attached_and_boundary(world: World) -> None:
    got = world.account.iam.get_account_authorization_details(Filter=["User"])
    assert got["IsTruncated"] is False
    [user] = got["UserDetailList"]
    assert user["UserName"] == world.user and user["Path"] == "/audit/"
    assert user["Arn"] == f"arn:aws:iam::{world.account.account_id}:user/audit/{world.user}"
    assert user["UserId"].startswith("AIDA")
    assert user["GroupList"] == [world.group]
    # boto3 URL-decodes and parses policyDocumentType members: they arrive as dicts.
    assert user["UserPolicyList"] == [{"PolicyName": "inline-u", "PolicyDocument": json.loads(allow("sqs:ListQueues"))}]
    assert user["AttachedManagedPolicies"] == [
        {"PolicyName": world.policy_arn.rsplit("/", 1)[1], "PolicyArn": world.policy_arn}
    ]
    assert user["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": IAM_READ,
    }
    assert user["Tags"] == [{"Key": "team", "Value": "a"}]
    assert got["GroupDetailList"] == got["RoleDetailList"] == got["Policies"] == []


def test_group_detail(world: World) -> None:
    got = world.account.iam.get_account_authorization_details(Filter=["Group"])
    [group] = got["GroupDetailList"]
    assert group["GroupName"] == world.group and group["GroupId"].startswith("AGPA")
    assert group["GroupPolicyList"] == [
        {"PolicyName": "inline-g", "PolicyDocument": json.loads(allow("sns:ListTopics"))}
    ]
    assert group["AttachedManagedPolicies"] == [{"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": S3_READ}]
    assert got["UserDetailList"] == got["RoleDetailList"] == got["Policies"] == []


def test_role_with_trust_inline_profile_and_tags(world: World) -> None:
    got = world.account.iam.get_account_authorization_details(Filter=["Role"])
    [role] = got["RoleDetailList"]
    assert role["RoleName"] == world.role and role["RoleId"].startswith("AROA")
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)
    assert role["RolePolicyList"] == [
        {"PolicyName": "inline-r", "PolicyDocument": json.loads(allow("ec2:DescribeInstances"))}
    ]
    assert [p["PolicyArn"] for p in role["AttachedManagedPolicies"]] == [world.policy_arn]
    assert role["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert role["RoleLastUsed"] == {}
    assert "PermissionsBoundary" not in role
    [profile] = role["InstanceProfileList"]
    assert profile["InstanceProfileName"] == world.profile
    assert [r["RoleName"] for r in profile["Roles"]] == [world.role]
    assert profile["Roles"][0]["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)


def test_customer_managed_policy_with_two_versions(world: World) -> None:
    got = world.account.iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])
    [policy] = got["Policies"]
    assert policy["Arn"] == world.policy_arn and policy["PolicyId"].startswith("ANPA")
    assert policy["DefaultVersionId"] == "v2"
    assert (policy["AttachmentCount"], policy["PermissionsBoundaryUsageCount"]) == (2, 0)
    assert policy["IsAttachable"] is True
    assert policy["Description"] == "two versions"
    versions = policy["PolicyVersionList"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v2", True), ("v1", False)]
    assert versions[0]["Document"] == json.loads(allow("s3:PutObject"))
    assert versions[1]["Document"] == json.loads(allow("s3:GetObject"))
    assert all("CreateDate" in v for v in versions)


def test_aws_managed_policies_only_when_attached(world: World) -> None:
    got = world.account.iam.get_account_authorization_details(Filter=["AWSManagedPolicy"])
    # S3 read-only is attached to the group; IAM read-only is only a boundary, and the
    # hundreds of unattached AWS policies are not the account's configuration.
    [policy] = got["Policies"]
    assert policy["Arn"] == S3_READ
    assert (policy["AttachmentCount"], policy["PermissionsBoundaryUsageCount"]) == (1, 0)
    [version] = policy["PolicyVersionList"]
    assert version["IsDefaultVersion"] is True and version["VersionId"] == policy["DefaultVersionId"]
    assert version["Document"]["Statement"]


def test_filters_combine_and_no_filter_means_all(world: World) -> None:
    iam = world.account.iam
    both = iam.get_account_authorization_details(Filter=["Role", "LocalManagedPolicy"])
    assert [r["RoleName"] for r in both["RoleDetailList"]] == [world.role]
    assert [p["Arn"] for p in both["Policies"]] == [world.policy_arn]
    assert both["UserDetailList"] == both["GroupDetailList"] == []
    full = iam.get_account_authorization_details()
    assert [u["UserName"] for u in full["UserDetailList"]] == [world.user]
    assert [g["GroupName"] for g in full["GroupDetailList"]] == [world.group]
    assert [r["RoleName"] for r in full["RoleDetailList"]] == [world.role]
    # Customer and AWS managed policies in one list, by name.
    names = [p["PolicyName"] for p in full["Policies"]]
    assert sorted(names, key=str.lower) == names
    assert {p["Arn"] for p in full["Policies"]} == {world.policy_arn, S3_READ}


def test_an_unknown_filter_value_is_refused(world: World) -> None:
    with pytest.raises(ClientError) as exc:
        world.account.iam.get_account_authorization_details(Filter=["Bucket"])
    code, _, status = error_of(exc)
    assert (code, status) == ("ValidationError", 400)


def test_paginator_one_entry_per_page(world: World) -> None:
    iam = world.account.iam
    whole = iam.get_account_authorization_details()
    paged = everything(iam, PaginationConfig={"PageSize": 1})
    assert paged == {k: whole[k] for k in paged}
    # Each raw page holds exactly one entry, and the markers walk all five.
    marker: str | None = None
    seen = 0
    while True:
        kwargs: dict[str, Any] = {"MaxItems": 1}
        if marker:
            kwargs["Marker"] = marker
        page = iam.get_account_authorization_details(**kwargs)
        assert sum(len(page[k]) for k in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")) == 1
        seen += 1
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        marker = page["Marker"]
    assert seen == 5  # one user, one group, one role, two managed policies


def test_a_bad_marker_is_refused(world: World) -> None:
    with pytest.raises(ClientError) as exc:
        world.account.iam.get_account_authorization_details(Marker="not-a-marker")
    assert error_of(exc)[0] == "ValidationError"


def test_a_caller_without_the_permission_is_refused(server: Server, world: World) -> None:
    iam = world.account.iam
    name = unique("adnoperm")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    other = server.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    try:
        with pytest.raises(ClientError) as exc:
            other.get_account_authorization_details()
        code, message, status = error_of(exc)
        assert (code, status) == ("AccessDenied", 403)
        # The action has no resource-level permissions, so AWS's message names no resource.
        assert message == (
            f"User: arn:aws:iam::{world.account.account_id}:user/{name} is not authorized to perform: "
            "iam:GetAccountAuthorizationDetails because no identity-based policy allows the "
            "iam:GetAccountAuthorizationDetails action"
        )
        iam.put_user_policy(
            UserName=name, PolicyName="audit", PolicyDocument=allow("iam:GetAccountAuthorizationDetails")
        )
        listed = other.get_account_authorization_details(Filter=["User"])
        assert name in [u["UserName"] for u in listed["UserDetailList"]]
    finally:
        if iam.list_user_policies(UserName=name)["PolicyNames"]:
            iam.delete_user_policy(UserName=name, PolicyName="audit")
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName=name)


def test_with_the_aws_cli(server: Server, world: World) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=world.account.access_key_id,
        AWS_SECRET_ACCESS_KEY=world.account.secret_access_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_DEFAULT_OUTPUT="json",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    # --page-size 1 makes the CLI follow the marker through every entry.
    run = subprocess.run(
        [aws, "iam", "get-account-authorization-details", "--page-size", "1", "--endpoint-url", server.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert [u["UserName"] for u in out["UserDetailList"]] == [world.user]
    assert [r["RoleName"] for r in out["RoleDetailList"]] == [world.role]
    assert out["RoleDetailList"][0]["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)
    assert {p["Arn"] for p in out["Policies"]} == {world.policy_arn, S3_READ}
