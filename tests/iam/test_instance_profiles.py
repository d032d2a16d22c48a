"""Instance profiles end to end: boto3 and the AWS CLI against the real server."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.iam.fixtures_a import iam_env, user_env
from tests.iam.fixtures_b import TRUST_EC2, aws_cli, error_of, iam, unique

pytestmark = pytest.mark.e2e
__all__ = ["iam", "iam_env"]

IN_PROFILE = "Cannot delete entity, must remove roles from instance profile first."


def test_create_get_list_delete_shapes(iam: Any, server: Server) -> None:
    name = unique("ip")
    created = iam.create_instance_profile(
        InstanceProfileName=name, Path="/fleet/", Tags=[{"Key": "team", "Value": "blue"}]
    )["InstanceProfile"]
    assert created["Arn"] == f"arn:aws:iam::{server.account_id}:instance-profile/fleet/{name}"
    assert re.fullmatch(r"AIPA[A-Z2-7]{17}", created["InstanceProfileId"])
    assert created["Path"] == "/fleet/" and created["Roles"] == []
    assert created["Tags"] == [{"Key": "team", "Value": "blue"}]

    got = iam.get_instance_profile(InstanceProfileName=name.upper())["InstanceProfile"]  # case-insensitive
    assert got["InstanceProfileName"] == name and got["InstanceProfileId"] == created["InstanceProfileId"]
    assert got["Tags"] == [{"Key": "team", "Value": "blue"}]

    listed = [p for p in iam.list_instance_profiles(PathPrefix="/fleet/")["InstanceProfiles"]]
    assert [p["InstanceProfileName"] for p in listed if p["InstanceProfileName"] == name] == [name]
    assert all("Tags" not in p for p in listed)
    assert not [
        p
        for p in iam.list_instance_profiles(PathPrefix="/other/")["InstanceProfiles"]
        if p["InstanceProfileName"] == name
    ]
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["InstanceProfiles"] >= 1

    iam.delete_instance_profile(InstanceProfileName=name)
    with pytest.raises(ClientError) as exc:
        iam.get_instance_profile(InstanceProfileName=name)
    assert error_of(exc) == ("NoSuchEntity", f"Instance Profile {name} cannot be found.", 404)


def test_role_in_profile_and_conflicts(iam: Any) -> None:
    profile, role, other = unique("ip"), unique("role"), unique("role")
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_EC2)
    iam.create_role(RoleName=other, AssumeRolePolicyDocument=TRUST_EC2)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)

    roles = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"]
    assert [r["RoleName"] for r in roles] == [role]
    # The trust policy travels URL-encoded and boto3 decodes it, as for GetRole.
    assert roles[0]["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)
    assert roles[0]["RoleId"].startswith("AROA") and "RoleLastUsed" not in roles[0]

    # One role per profile: a second one, or the same one again, exceeds the quota.
    for name in (other, role):
        with pytest.raises(ClientError) as exc:
            iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=name)
        assert error_of(exc) == (
            "LimitExceeded",
            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
            409,
        )
    with pytest.raises(ClientError) as exc:
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName="missing-" + role)
    assert error_of(exc) == ("NoSuchEntity", f"The role with name missing-{role} cannot be found.", 404)
    with pytest.raises(ClientError) as exc:
        iam.add_role_to_instance_profile(InstanceProfileName="missing-" + profile, RoleName=role)
    assert error_of(exc) == ("NoSuchEntity", f"Instance Profile missing-{profile} cannot be found.", 404)

    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=role)
    assert error_of(exc) == ("DeleteConflict", IN_PROFILE, 409)
    with pytest.raises(ClientError) as exc:
        iam.delete_instance_profile(InstanceProfileName=profile)
    assert error_of(exc) == ("DeleteConflict", IN_PROFILE, 409)
    # Nothing changed by the refusals.
    assert iam.get_role(RoleName=role)["Role"]["RoleName"] == role
    got = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == [role]
    assert [
        p["InstanceProfileName"] for p in iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]
    ] == [profile]

    with pytest.raises(ClientError) as exc:
        iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=other)
    assert error_of(exc)[0::2] == ("NoSuchEntity", 404)
    iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
    assert iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"] == []
    iam.delete_role(RoleName=role)
    iam.delete_instance_profile(InstanceProfileName=profile)
    iam.delete_role(RoleName=other)


def test_create_errors(iam: Any) -> None:
    name = unique("ip")
    iam.create_instance_profile(InstanceProfileName=name)
    with pytest.raises(ClientError) as exc:
        iam.create_instance_profile(InstanceProfileName=name.upper(), Path="/x/")
    assert error_of(exc) == ("EntityAlreadyExists", f"Instance Profile {name.upper()} already exists.", 409)
    with pytest.raises(ClientError) as exc:
        iam.create_instance_profile(InstanceProfileName="bad/name")
    assert error_of(exc)[0::2] == ("ValidationError", 400)
    assert iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Path"] == "/"
    with pytest.raises(ClientError) as exc:
        iam.delete_instance_profile(InstanceProfileName="missing-" + name)
    assert error_of(exc) == ("NoSuchEntity", f"Instance Profile missing-{name} cannot be found.", 404)
    with pytest.raises(ClientError) as exc:
        iam.list_instance_profiles_for_role(RoleName="missing-" + name)
    assert error_of(exc) == ("NoSuchEntity", f"The role with name missing-{name} cannot be found.", 404)
    iam.delete_instance_profile(InstanceProfileName=name)


def test_instance_profile_tags(iam: Any) -> None:
    name = unique("ip")
    iam.create_instance_profile(InstanceProfileName=name)
    iam.tag_instance_profile(
        InstanceProfileName=name, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "red"}]
    )
    page = iam.list_instance_profile_tags(InstanceProfileName=name, MaxItems=1)
    assert page["IsTruncated"] is True and page["Tags"] == [{"Key": "env", "Value": "dev"}]
    rest = iam.list_instance_profile_tags(InstanceProfileName=name, Marker=page["Marker"])
    assert rest == {**rest, "Tags": [{"Key": "team", "Value": "red"}], "IsTruncated": False}
    iam.untag_instance_profile(InstanceProfileName=name, TagKeys=["ENV"])
    assert iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"] == [{"Key": "team", "Value": "red"}]
    with pytest.raises(ClientError) as exc:
        iam.tag_instance_profile(InstanceProfileName=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert error_of(exc)[0] == "LimitExceeded"
    assert iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"] == [{"Key": "team", "Value": "red"}]
    with pytest.raises(ClientError) as exc:
        iam.list_instance_profile_tags(InstanceProfileName="missing-" + name)
    assert error_of(exc)[0] == "NoSuchEntity"
    iam.delete_instance_profile(InstanceProfileName=name)
    # Tags go with the profile.
    iam.create_instance_profile(InstanceProfileName=name)
    assert iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"] == []
    iam.delete_instance_profile(InstanceProfileName=name)


def test_paginators(iam: Any) -> None:
    path = f"/{unique('p')}/"
    names = sorted(unique("ip") for _ in range(5))
    for n in names:
        iam.create_instance_profile(InstanceProfileName=n, Path=path)
    pages = list(
        iam.get_paginator("list_instance_profiles").paginate(PathPrefix=path, PaginationConfig={"PageSize": 2})
    )
    assert [len(p["InstanceProfiles"]) for p in pages] == [2, 2, 1]
    assert [p["InstanceProfileName"] for page in pages for p in page["InstanceProfiles"]] == names

    # A role may sit in many profiles (each holds one role).
    role = unique("role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_EC2)
    for n in names[:3]:
        iam.add_role_to_instance_profile(InstanceProfileName=n, RoleName=role)
    pages = list(
        iam.get_paginator("list_instance_profiles_for_role").paginate(RoleName=role, PaginationConfig={"PageSize": 2})
    )
    assert [len(p["InstanceProfiles"]) for p in pages] == [2, 1]
    assert [p["InstanceProfileName"] for page in pages for p in page["InstanceProfiles"]] == names[:3]
    for n in names[:3]:
        iam.remove_role_from_instance_profile(InstanceProfileName=n, RoleName=role)
    iam.delete_role(RoleName=role)
    for n in names:
        iam.delete_instance_profile(InstanceProfileName=n)


def test_user_without_permissions_is_refused(iam_env: Any) -> None:
    admin = iam_env.client()
    profile, role = unique("ip"), unique("role")
    admin.create_instance_profile(InstanceProfileName=profile)
    admin.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_EC2)
    as_user, _ = user_env(iam_env, unique("nobody"))
    client = as_user.client()
    calls: list[Callable[[], object]] = [
        lambda: client.create_instance_profile(InstanceProfileName=unique("ip")),
        lambda: client.get_instance_profile(InstanceProfileName=profile),
        lambda: client.list_instance_profiles(),
        lambda: client.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role),
        lambda: client.delete_instance_profile(InstanceProfileName=profile),
        lambda: client.tag_instance_profile(InstanceProfileName=profile, Tags=[{"Key": "k", "Value": "v"}]),
        lambda: client.list_instance_profiles_for_role(RoleName=role),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[0::2] == ("AccessDenied", 403)
    got = admin.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]
    assert got["Roles"] == [] and "Tags" not in got

    # AddRoleToInstanceProfile alone is not enough: AWS also wants iam:PassRole on the role.
    user_name = as_user.client("sts").get_caller_identity()["Arn"].rsplit("/", 1)[1]
    only_add: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:AddRoleToInstanceProfile", "Resource": "*"}],
    }
    admin.put_user_policy(UserName=user_name, PolicyName="add", PolicyDocument=json.dumps(only_add))
    with pytest.raises(ClientError) as exc:
        client.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    code, message, _ = error_of(exc)
    assert code == "AccessDenied" and "iam:PassRole" in message
    assert admin.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"] == []
    only_add["Statement"][0]["Action"] = ["iam:AddRoleToInstanceProfile", "iam:PassRole"]
    admin.put_user_policy(UserName=user_name, PolicyName="add", PolicyDocument=json.dumps(only_add))
    client.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    admin.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
    admin.delete_instance_profile(InstanceProfileName=profile)
    admin.delete_role(RoleName=role)


def test_instance_profiles_with_the_aws_cli(server: Server) -> None:
    name, role = unique("cliip"), unique("clirole")
    made = aws_cli(server, "iam", "create-instance-profile", "--instance-profile-name", name)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["InstanceProfile"]["InstanceProfileId"].startswith("AIPA")
    assert (
        aws_cli(
            server, "iam", "create-role", "--role-name", role, "--assume-role-policy-document", TRUST_EC2
        ).returncode
        == 0
    )
    added = aws_cli(server, "iam", "add-role-to-instance-profile", "--instance-profile-name", name, "--role-name", role)
    assert added.returncode == 0, added.stderr
    got = json.loads(aws_cli(server, "iam", "get-instance-profile", "--instance-profile-name", name).stdout)
    assert got["InstanceProfile"]["Roles"][0]["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)
    refused = aws_cli(server, "iam", "delete-role", "--role-name", role)
    assert refused.returncode != 0
    assert f"(DeleteConflict) when calling the DeleteRole operation: {IN_PROFILE}" in refused.stderr
    for args in (
        ("remove-role-from-instance-profile", "--instance-profile-name", name, "--role-name", role),
        ("delete-role", "--role-name", role),
        ("delete-instance-profile", "--instance-profile-name", name),
    ):
        done = aws_cli(server, "iam", *args)
        assert done.returncode == 0, done.stderr
