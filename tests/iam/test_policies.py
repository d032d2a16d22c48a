"""Inline and customer managed policies, versions and attachments, end to end."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.iam.fixtures_b import TRUST_EC2, allow, aws_cli, error_of, iam, unique

pytestmark = pytest.mark.e2e
__all__ = ["iam"]


def _entities(iam: Any) -> dict[str, str]:
    user, group, role = unique("user"), unique("group"), unique("role")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_EC2)
    return {"User": user, "Group": group, "Role": role}


def _cleanup(iam: Any, names: dict[str, str]) -> None:
    iam.delete_user(UserName=names["User"])
    iam.delete_group(GroupName=names["Group"])
    iam.delete_role(RoleName=names["Role"])


# --- inline policies ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["User", "Group", "Role"])
def test_inline_policy_lifecycle(iam: Any, kind: str) -> None:
    names = _entities(iam)
    low = kind.lower()
    name = names[kind]
    put = getattr(iam, f"put_{low}_policy")
    get = getattr(iam, f"get_{low}_policy")
    lst = getattr(iam, f"list_{low}_policies")
    dele = getattr(iam, f"delete_{low}_policy")
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:ListAllMyBuckets",
                "Resource": "arn:aws:s3:::*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": True}},
            }
        ],
    }
    put(**{f"{kind}Name": name, "PolicyName": "b-policy", "PolicyDocument": json.dumps(doc)})
    put(**{f"{kind}Name": name, "PolicyName": "a-policy", "PolicyDocument": allow()})
    got = get(**{f"{kind}Name": name, "PolicyName": "b-policy"})
    assert got[f"{kind}Name"] == name and got["PolicyName"] == "b-policy"
    assert got["PolicyDocument"] == doc
    assert lst(**{f"{kind}Name": name})["PolicyNames"] == ["a-policy", "b-policy"]
    page = lst(**{f"{kind}Name": name, "MaxItems": 1})
    assert page["PolicyNames"] == ["a-policy"] and page["IsTruncated"] is True

    # Put replaces.
    put(**{f"{kind}Name": name, "PolicyName": "b-policy", "PolicyDocument": allow("s3:GetObject")})
    assert get(**{f"{kind}Name": name, "PolicyName": "b-policy"})["PolicyDocument"]["Statement"][0]["Action"] == (
        "s3:GetObject"
    )

    with pytest.raises(ClientError) as exc:
        get(**{f"{kind}Name": name, "PolicyName": "missing"})
    assert error_of(exc) == ("NoSuchEntity", f"The {low} policy with name missing cannot be found.", 404)
    with pytest.raises(ClientError) as exc:
        put(**{f"{kind}Name": "ghost-" + name, "PolicyName": "p", "PolicyDocument": allow()})
    assert error_of(exc) == ("NoSuchEntity", f"The {low} with name ghost-{name} cannot be found.", 404)

    dele(**{f"{kind}Name": name, "PolicyName": "a-policy"})
    dele(**{f"{kind}Name": name, "PolicyName": "b-policy"})
    assert lst(**{f"{kind}Name": name})["PolicyNames"] == []
    with pytest.raises(ClientError) as exc:
        dele(**{f"{kind}Name": name, "PolicyName": "a-policy"})
    assert error_of(exc) == ("NoSuchEntity", f"The {low} policy with name a-policy cannot be found.", 404)
    _cleanup(iam, names)


def test_inline_policy_validation_and_quotas(iam: Any) -> None:
    names = _entities(iam)
    user, role, group = names["User"], names["Role"], names["Group"]
    with pytest.raises(ClientError) as exc:
        iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument="{nope")
    assert error_of(exc) == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    with_principal = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
    }
    with pytest.raises(ClientError) as exc:
        iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(with_principal))
    assert error_of(exc) == ("MalformedPolicyDocument", "Policy document should not specify a principal.", 400)

    def sized(n: int) -> str:
        # A document of exactly n non-whitespace characters.
        base = allow(resource="arn:aws:s3:::")
        filler = n - len("".join(base.split()))
        return allow(resource="arn:aws:s3:::" + "x" * filler)

    iam.put_user_policy(UserName=user, PolicyName="one", PolicyDocument=sized(1000))
    iam.put_user_policy(UserName=user, PolicyName="two", PolicyDocument=sized(1048))  # 2048 in total: fits
    with pytest.raises(ClientError) as exc:
        iam.put_user_policy(UserName=user, PolicyName="three", PolicyDocument=sized(100))
    assert error_of(exc) == ("LimitExceeded", f"Maximum policy size of 2048 bytes exceeded for user {user}", 409)
    # Replacing a policy counts the new size only.
    iam.put_user_policy(UserName=user, PolicyName="two", PolicyDocument=sized(900))
    iam.put_user_policy(UserName=user, PolicyName="three", PolicyDocument=sized(148))

    iam.put_group_policy(GroupName=group, PolicyName="g", PolicyDocument=sized(5120))
    with pytest.raises(ClientError) as exc:
        iam.put_group_policy(GroupName=group, PolicyName="h", PolicyDocument=sized(200))
    assert error_of(exc) == ("LimitExceeded", f"Maximum policy size of 5120 bytes exceeded for group {group}", 409)

    iam.put_role_policy(RoleName=role, PolicyName="r", PolicyDocument=sized(10240))
    with pytest.raises(ClientError) as exc:
        iam.put_role_policy(RoleName=role, PolicyName="s", PolicyDocument=sized(200))
    assert error_of(exc) == ("LimitExceeded", f"Maximum policy size of 10240 bytes exceeded for role {role}", 409)

    for p in ("one", "two", "three"):
        iam.delete_user_policy(UserName=user, PolicyName=p)
    iam.delete_group_policy(GroupName=group, PolicyName="g")
    iam.delete_role_policy(RoleName=role, PolicyName="r")
    _cleanup(iam, names)


# --- customer managed policies ------------------------------------------------------------


def test_create_get_policy(iam: Any, server: Server) -> None:
    name = unique("pol")
    created = iam.create_policy(
        PolicyName=name,
        Path="/team/",
        PolicyDocument=allow(),
        Description="read buckets",
        Tags=[{"Key": "k", "Value": "v"}],
    )["Policy"]
    arn = f"arn:aws:iam::{server.account_id}:policy/team/{name}"
    assert created["Arn"] == arn
    assert created["PolicyId"].startswith("ANPA") and len(created["PolicyId"]) == 21
    assert (created["DefaultVersionId"], created["AttachmentCount"], created["IsAttachable"]) == ("v1", 0, True)
    assert created["PermissionsBoundaryUsageCount"] == 0
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["Description"] == "read buckets" and got["Tags"] == [{"Key": "k", "Value": "v"}]
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(allow()) and version["IsDefaultVersion"] is True

    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName=name, PolicyDocument=allow())
    assert error_of(exc) == (
        "EntityAlreadyExists",
        f"A policy called {name} already exists. Duplicate names are not allowed.",
        409,
    )
    old = json.dumps({"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName=unique("pol"), PolicyDocument=old)
    assert error_of(exc) == ("MalformedPolicyDocument", "Policy document must be version 2012-10-17 or greater.", 400)
    huge = allow(resource="arn:aws:s3:::" + "x" * 6100)
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName=unique("pol"), PolicyDocument=huge)
    assert error_of(exc) == ("LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)

    missing = f"arn:aws:iam::{server.account_id}:policy/non-existent-policy"
    with pytest.raises(ClientError) as exc:
        iam.get_policy(PolicyArn=missing)
    assert error_of(exc) == ("NoSuchEntity", f"Policy {missing} was not found.", 404)
    with pytest.raises(ClientError) as exc:
        iam.delete_policy(PolicyArn=missing)
    assert error_of(exc) == ("NoSuchEntity", f"Policy {missing} was not found.", 404)
    iam.delete_policy(PolicyArn=arn)


def test_policy_versions(iam: Any) -> None:
    arn = iam.create_policy(PolicyName=unique("pol"), PolicyDocument=allow("s3:A"))["Policy"]["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:B"))["PolicyVersion"]
    assert (v2["VersionId"], v2["IsDefaultVersion"]) == ("v2", False)
    v3 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:C"), SetAsDefault=True)["PolicyVersion"]
    assert (v3["VersionId"], v3["IsDefaultVersion"]) == ("v3", True)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:D"))
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:E"))
    with pytest.raises(ClientError) as exc:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:F"))
    assert error_of(exc) == (
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
        "existing version.",
        409,
    )
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == ["v3"]
    pages = list(iam.get_paginator("list_policy_versions").paginate(PolicyArn=arn, PaginationConfig={"PageSize": 2}))
    assert [len(p["Versions"]) for p in pages] == [2, 2, 1]

    with pytest.raises(ClientError) as exc:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert error_of(exc) == ("DeleteConflict", "Cannot delete the default version of a policy.", 409)
    with pytest.raises(ClientError) as exc:
        iam.get_policy_version(PolicyArn=arn, VersionId="v9")
    assert error_of(exc) == ("NoSuchEntity", f"Policy {arn} version v9 does not exist or is not attachable.", 404)
    with pytest.raises(ClientError) as exc:
        iam.set_default_policy_version(PolicyArn=arn, VersionId="v9")
    assert error_of(exc)[0] == "NoSuchEntity"

    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["IsDefaultVersion"] is True
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    # Version numbers are never reused.
    assert iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:G"))["PolicyVersion"]["VersionId"] == "v6"

    with pytest.raises(ClientError) as exc:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(exc) == (
        "DeleteConflict",
        "This policy has more than one version. Before you delete a policy, you must delete the policy's "
        "versions. The default version is deleted with the policy.",
        409,
    )
    for v in ("v3", "v4", "v5", "v6"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=v)
    iam.delete_policy(PolicyArn=arn)


def test_attachments_and_counts(iam: Any, server: Server) -> None:
    names = _entities(iam)
    arn = iam.create_policy(PolicyName=unique("pol"), PolicyDocument=allow())["Policy"]["Arn"]
    for kind, name in names.items():
        getattr(iam, f"attach_{kind.lower()}_policy")(**{f"{kind}Name": name, "PolicyArn": arn})
    # Attaching again is not an error and does not count twice.
    iam.attach_role_policy(RoleName=names["Role"], PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    for kind, name in names.items():
        listed = getattr(iam, f"list_attached_{kind.lower()}_policies")(**{f"{kind}Name": name})
        assert [p["PolicyArn"] for p in listed["AttachedPolicies"]] == [arn]

    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == [names["User"]]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == [names["Group"]]
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == [names["Role"]]
    assert entities["PolicyUsers"][0]["UserId"].startswith("AIDA")
    only_roles = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert only_roles["PolicyUsers"] == [] and len(only_roles["PolicyRoles"]) == 1
    assert iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="AWSManagedPolicy")["PolicyRoles"] == []

    with pytest.raises(ClientError) as exc:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(exc) == ("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=names["User"])
    assert error_of(exc) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)

    ghost = arn + "123"
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName=names["Role"], PolicyArn=ghost)
    assert error_of(exc) == ("NoSuchEntity", f"Policy {ghost} does not exist or is not attachable.", 404)
    raw = server.client("iam", config={"parameter_validation": False})
    with pytest.raises(ClientError) as exc:
        raw.attach_role_policy(RoleName=names["Role"], PolicyArn="this-is-not-an-arn-at-all")
    assert error_of(exc) == ("ValidationError", "Invalid ARN:  Could not be parsed!", 400)
    with pytest.raises(ClientError) as exc:
        iam.attach_user_policy(UserName="ghost-" + names["User"], PolicyArn=arn)
    assert error_of(exc) == ("NoSuchEntity", f"The user with name ghost-{names['User']} cannot be found.", 404)

    for kind, name in names.items():
        getattr(iam, f"detach_{kind.lower()}_policy")(**{f"{kind}Name": name, "PolicyArn": arn})
    with pytest.raises(ClientError) as exc:
        iam.detach_group_policy(GroupName=names["Group"], PolicyArn=arn)
    assert error_of(exc) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0
    iam.delete_policy(PolicyArn=arn)
    _cleanup(iam, names)


def test_attached_policy_quota(iam: Any) -> None:
    role = unique("role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_EC2)
    arns = [iam.create_policy(PolicyName=unique("pol"), PolicyDocument=allow())["Policy"]["Arn"] for _ in range(11)]
    for arn in arns[:10]:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName=role, PolicyArn=arns[10])
    assert error_of(exc) == ("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10", 409)
    pages = list(
        iam.get_paginator("list_attached_role_policies").paginate(RoleName=role, PaginationConfig={"PageSize": 4})
    )
    assert [len(p["AttachedPolicies"]) for p in pages] == [4, 4, 2]
    for arn in arns[:10]:
        iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    for arn in arns:
        iam.delete_policy(PolicyArn=arn)
    iam.delete_role(RoleName=role)


def test_list_policies_filters_and_paginator(iam: Any) -> None:
    path = f"/{unique('p')}/"
    arns = sorted(
        iam.create_policy(PolicyName=unique("pol"), Path=path, PolicyDocument=allow())["Policy"]["Arn"]
        for _ in range(5)
    )
    local = iam.list_policies(Scope="Local", PathPrefix=path)["Policies"]
    assert sorted(p["Arn"] for p in local) == arns
    assert "Description" not in local[0] and "Tags" not in local[0]
    assert iam.list_policies(Scope="AWS", PathPrefix=path)["Policies"] == []
    pages = list(
        iam.get_paginator("list_policies").paginate(Scope="Local", PathPrefix=path, PaginationConfig={"PageSize": 2})
    )
    assert [len(p["Policies"]) for p in pages] == [2, 2, 1]

    role = unique("role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_EC2, PermissionsBoundary=arns[1])
    iam.attach_role_policy(RoleName=role, PolicyArn=arns[0])
    attached = iam.list_policies(Scope="Local", PathPrefix=path, OnlyAttached=True)["Policies"]
    assert sorted(p["Arn"] for p in attached) == arns[:2]
    as_policy = iam.list_policies(
        Scope="Local", PathPrefix=path, OnlyAttached=True, PolicyUsageFilter="PermissionsPolicy"
    )
    assert [p["Arn"] for p in as_policy["Policies"]] == [arns[0]]
    as_boundary = iam.list_policies(
        Scope="Local", PathPrefix=path, OnlyAttached=True, PolicyUsageFilter="PermissionsBoundary"
    )
    assert [p["Arn"] for p in as_boundary["Policies"]] == [arns[1]]
    assert as_boundary["Policies"][0]["PermissionsBoundaryUsageCount"] == 1

    iam.detach_role_policy(RoleName=role, PolicyArn=arns[0])
    iam.delete_role(RoleName=role)
    for arn in arns:
        iam.delete_policy(PolicyArn=arn)


def test_policy_tags(iam: Any) -> None:
    arn = iam.create_policy(PolicyName=unique("pol"), PolicyDocument=allow())["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    iam.delete_policy(PolicyArn=arn)


def test_policies_with_the_aws_cli(server: Server) -> None:
    name = unique("clipol")
    made = aws_cli(server, "iam", "create-policy", "--policy-name", name, "--policy-document", allow())
    assert made.returncode == 0, made.stderr
    arn = json.loads(made.stdout)["Policy"]["Arn"]
    version = aws_cli(server, "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1")
    assert json.loads(version.stdout)["PolicyVersion"]["Document"] == json.loads(allow())
    assert aws_cli(server, "iam", "delete-policy", "--policy-arn", arn).returncode == 0
    again = aws_cli(server, "iam", "delete-policy", "--policy-arn", arn)
    assert f"(NoSuchEntity) when calling the DeletePolicy operation: Policy {arn} was not found." in again.stderr
