"""Roles end to end: boto3 and the AWS CLI against the real server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.iam.fixtures_b import TRUST_EC2, allow, aws_cli, error_of, iam, unique

pytestmark = pytest.mark.e2e
__all__ = ["iam"]


def test_create_get_list_role_shapes(iam: Any, server: Server) -> None:
    name = unique("role")
    created = iam.create_role(RoleName=name, Path="/team/", AssumeRolePolicyDocument=TRUST_EC2)["Role"]
    assert created["Arn"] == f"arn:aws:iam::{server.account_id}:role/team/{name}"
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21
    assert created["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)
    assert created["Path"] == "/team/"
    assert "MaxSessionDuration" not in created  # as AWS answers CreateRole

    got = iam.get_role(RoleName=name.upper())["Role"]  # names are case-insensitive
    assert got["RoleName"] == name
    assert got["MaxSessionDuration"] == 3600
    assert got["RoleLastUsed"] == {}
    assert got["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)

    listed = [r for r in iam.list_roles(PathPrefix="/team/")["Roles"] if r["RoleName"] == name]
    assert len(listed) == 1 and "RoleLastUsed" not in listed[0] and "Tags" not in listed[0]
    assert not [r for r in iam.list_roles(PathPrefix="/other/")["Roles"] if r["RoleName"] == name]
    iam.delete_role(RoleName=name)


def test_policy_document_round_trips_url_encoded(iam: Any) -> None:
    name = unique("role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceArn": "arn%3Aaws%3Aapigateway +&/ünï"}},
            }
        ],
    }
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == trust
    iam.delete_role(RoleName=name)


def test_create_role_errors(iam: Any, server: Server) -> None:
    name = unique("role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_EC2)
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=name.upper(), AssumeRolePolicyDocument=TRUST_EC2)
    assert error_of(exc) == ("EntityAlreadyExists", f"Role with name {name.upper()} already exists.", 409)

    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=unique("role"), AssumeRolePolicyDocument="{not json")
    assert error_of(exc) == ("MalformedPolicyDocument", "This policy contains invalid Json", 400)

    with_resource = json.loads(TRUST_EC2)
    with_resource["Statement"][0]["Resource"] = "*"
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=unique("role"), AssumeRolePolicyDocument=json.dumps(with_resource))
    assert error_of(exc) == ("MalformedPolicyDocument", "Has prohibited field Resource", 400)

    ghost = f"arn:aws:iam::{server.account_id}:role/NonExistent-{name}"
    bad_principal = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ghost}, "Action": "sts:AssumeRole"}],
    }
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=unique("role"), AssumeRolePolicyDocument=json.dumps(bad_principal))
    assert error_of(exc) == ("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{ghost}"', 400)

    big = json.loads(TRUST_EC2)
    big["Statement"][0]["Condition"] = {"StringEquals": {"sts:ExternalId": ["x" * 60] * 40}}
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=unique("role"), AssumeRolePolicyDocument=json.dumps(big))
    assert error_of(exc) == ("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409)

    raw = server.client("iam", config={"parameter_validation": False})
    with pytest.raises(ClientError) as exc:
        raw.create_role(RoleName=unique("role"), AssumeRolePolicyDocument=TRUST_EC2, MaxSessionDuration=100)
    code, message, status = error_of(exc)
    assert (code, status) == ("ValidationError", 400)
    assert message.endswith(
        "at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"
    )

    with pytest.raises(ClientError) as exc:
        iam.get_role(RoleName="no-such-" + name)
    assert error_of(exc) == ("NoSuchEntity", f"The role with name no-such-{name} cannot be found.", 404)
    iam.delete_role(RoleName=name)


def test_trust_policy_naming_an_existing_role_is_accepted(iam: Any) -> None:
    first = iam.create_role(RoleName=unique("role"), AssumeRolePolicyDocument=TRUST_EC2)["Role"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": first["Arn"]}, "Action": "sts:AssumeRole"}],
    }
    second = unique("role")
    iam.create_role(RoleName=second, AssumeRolePolicyDocument=json.dumps(trust))
    iam.delete_role(RoleName=second)
    iam.delete_role(RoleName=first["RoleName"])


def test_update_role_and_description_and_trust(iam: Any, server: Server) -> None:
    name = unique("role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_EC2, Description="first", MaxSessionDuration=7200)
    assert iam.get_role(RoleName=name)["Role"]["MaxSessionDuration"] == 7200
    iam.update_role(RoleName=name, Description="second", MaxSessionDuration=43200)
    role = iam.get_role(RoleName=name)["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("second", 43200)
    with pytest.raises(ClientError) as exc:
        server.client("iam", config={"parameter_validation": False}).update_role(
            RoleName=name, MaxSessionDuration=43201
        )
    assert error_of(exc)[0] == "ValidationError"

    out = iam.update_role_description(RoleName=name, Description="third")["Role"]
    assert out["Description"] == "third" and out["RoleName"] == name

    trust = json.loads(TRUST_EC2)
    trust["Statement"][0]["Principal"] = {"Service": "lambda.amazonaws.com"}
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == trust
    with pytest.raises(ClientError) as exc:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument="[]")
    assert error_of(exc)[0] == "MalformedPolicyDocument"
    with pytest.raises(ClientError) as exc:
        iam.update_assume_role_policy(RoleName="nope-" + name, PolicyDocument=TRUST_EC2)
    assert error_of(exc) == ("NoSuchEntity", f"The role with name nope-{name} cannot be found.", 404)
    iam.delete_role(RoleName=name)


def test_delete_role_conflicts(iam: Any, server: Server) -> None:
    name = unique("role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_EC2)
    iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=allow())
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=name)
    assert error_of(exc) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_role_policy(RoleName=name, PolicyName="inline")

    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=name)
    assert error_of(exc) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")

    iam.delete_role(RoleName=name)
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=name)
    assert error_of(exc)[0] == "NoSuchEntity"


def test_role_tags(iam: Any) -> None:
    name = unique("role")
    created = iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=TRUST_EC2, Tags=[{"Key": "team", "Value": "blue"}]
    )["Role"]
    assert created["Tags"] == [{"Key": "team", "Value": "blue"}]
    iam.tag_role(RoleName=name, Tags=[{"Key": "Team", "Value": "red"}, {"Key": "env", "Value": "dev"}])
    assert iam.get_role(RoleName=name)["Role"]["Tags"] == [
        {"Key": "Team", "Value": "red"},
        {"Key": "env", "Value": "dev"},
    ]
    page = iam.list_role_tags(RoleName=name, MaxItems=1)
    assert page["IsTruncated"] is True and len(page["Tags"]) == 1
    rest = iam.list_role_tags(RoleName=name, Marker=page["Marker"])
    assert rest["Tags"] == [{"Key": "env", "Value": "dev"}] and rest["IsTruncated"] is False
    iam.untag_role(RoleName=name, TagKeys=["TEAM"])
    assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(ClientError) as exc:
        iam.tag_role(RoleName=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert error_of(exc)[0] == "LimitExceeded"
    iam.delete_role(RoleName=name)
    # Tags go with the role: a new role of the same name starts without them.
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_EC2)
    assert iam.list_role_tags(RoleName=name)["Tags"] == []
    iam.delete_role(RoleName=name)


def test_role_permissions_boundary(iam: Any, server: Server) -> None:
    name = unique("role")
    boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
    created = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_EC2, PermissionsBoundary=boundary)
    assert created["Role"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": boundary,
    }
    assert iam.get_policy(PolicyArn=boundary)["Policy"]["PermissionsBoundaryUsageCount"] >= 1

    local = iam.create_policy(PolicyName=unique("boundary"), PolicyDocument=allow("s3:*"))["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=local)
    assert iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == local
    assert iam.get_policy(PolicyArn=local)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    roles = iam.list_entities_for_policy(PolicyArn=local, PolicyUsageFilter="PermissionsBoundary")["PolicyRoles"]
    assert [r["RoleName"] for r in roles] == [name]

    missing = f"arn:aws:iam::{server.account_id}:policy/none-{name}"
    with pytest.raises(ClientError) as exc:
        iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=missing)
    assert error_of(exc) == ("NoSuchEntity", f"Scope ARN: {missing} does not exist or is not attachable.", 404)

    iam.delete_role_permissions_boundary(RoleName=name)
    assert "PermissionsBoundary" not in iam.get_role(RoleName=name)["Role"]
    assert iam.get_policy(PolicyArn=local)["Policy"]["PermissionsBoundaryUsageCount"] == 0
    iam.delete_role(RoleName=name)
    iam.delete_policy(PolicyArn=local)


def test_list_roles_paginator(iam: Any) -> None:
    path = f"/{unique('p')}/"
    names = sorted(unique("role") for _ in range(5))
    for n in names:
        iam.create_role(RoleName=n, Path=path, AssumeRolePolicyDocument=TRUST_EC2)
    pages = list(iam.get_paginator("list_roles").paginate(PathPrefix=path, PaginationConfig={"PageSize": 2}))
    assert [len(p["Roles"]) for p in pages] == [2, 2, 1]
    assert [r["RoleName"] for p in pages for r in p["Roles"]] == names
    for n in names:
        iam.delete_role(RoleName=n)


def test_roles_with_the_aws_cli(server: Server) -> None:
    name = unique("clirole")
    made = aws_cli(
        server,
        "iam",
        "create-role",
        "--role-name",
        name,
        "--assume-role-policy-document",
        TRUST_EC2,
        "--description",
        "from the CLI",
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["Role"]["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)
    got = aws_cli(server, "iam", "get-role", "--role-name", name)
    assert json.loads(got.stdout)["Role"]["Description"] == "from the CLI"
    missing = aws_cli(server, "iam", "get-role", "--role-name", "missing-" + name)
    assert missing.returncode != 0
    assert f"(NoSuchEntity) when calling the GetRole operation: The role with name missing-{name} cannot be found." in (
        missing.stderr
    )
    assert aws_cli(server, "iam", "delete-role", "--role-name", name).returncode == 0
