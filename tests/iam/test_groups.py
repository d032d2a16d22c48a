"""IAM groups and memberships through boto3."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from credmint import ids
from tests.iam.fixtures_a import Env, iam_env, unique

pytestmark = pytest.mark.e2e
__all__ = ["iam_env"]


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    r = exc.value.response
    return r["Error"]["Code"], r["Error"].get("Message", ""), r["ResponseMetadata"]["HTTPStatusCode"]


def test_group_lifecycle(iam_env: Env) -> None:
    iam = iam_env.client()
    name = unique("devs")
    group = iam.create_group(GroupName=name, Path="/eng/")["Group"]
    assert group["GroupName"] == name
    assert group["Path"] == "/eng/"
    assert group["Arn"] == f"arn:aws:iam::{iam_env.account_id}:group/eng/{name}"
    assert ids.is_unique_id(group["GroupId"], "AGPA")

    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as exc:
        iam.create_group(GroupName=name.upper())
    assert error(exc) == ("EntityAlreadyExists", f"Group with name {name.upper()} already exists.", 409)

    got = iam.get_group(GroupName=name)
    assert got["Group"]["GroupId"] == group["GroupId"]
    assert got["Users"] == [] and got["IsTruncated"] is False

    new = unique("renamed")
    iam.update_group(GroupName=name, NewGroupName=new, NewPath="/ops/")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as exc:
        iam.get_group(GroupName=name)
    assert error(exc) == ("NoSuchEntity", f"The group with name {name} cannot be found.", 404)
    moved = iam.get_group(GroupName=new)["Group"]
    assert moved["Arn"].endswith(f":group/ops/{new}") and moved["GroupId"] == group["GroupId"]

    iam.delete_group(GroupName=new)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.delete_group(GroupName=new)


def test_membership_and_pagination(iam_env: Env) -> None:
    iam = iam_env.client()
    group = unique("team")
    iam.create_group(GroupName=group)
    users = sorted(unique(f"m{i}") for i in range(5))
    for u in users:
        iam.create_user(UserName=u)
        iam.add_user_to_group(GroupName=group, UserName=u)
    iam.add_user_to_group(GroupName=group, UserName=users[0])  # again: no error, no duplicate

    got = iam.get_group(GroupName=group)
    assert [u["UserName"] for u in got["Users"]] == users
    pages = list(iam.get_paginator("get_group").paginate(GroupName=group, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert [u["UserName"] for p in pages for u in p["Users"]] == users

    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=users[1])["Groups"]] == [group]

    with pytest.raises(iam.exceptions.DeleteConflictException) as exc:
        iam.delete_group(GroupName=group)
    assert error(exc) == ("DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)

    for u in users:
        iam.remove_user_from_group(GroupName=group, UserName=u)
    assert iam.list_groups_for_user(UserName=users[1])["Groups"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.remove_user_from_group(GroupName=group, UserName=users[1])
    iam.delete_group(GroupName=group)


def test_membership_errors_and_quota(iam_env: Env) -> None:
    iam = iam_env.client()
    user = unique("joiner")
    iam.create_user(UserName=user)
    with pytest.raises(iam.exceptions.NoSuchEntityException) as exc:
        iam.add_user_to_group(GroupName="no-such-group-here", UserName=user)
    assert error(exc)[1] == "The group with name no-such-group-here cannot be found."
    group = unique("g")
    iam.create_group(GroupName=group)
    with pytest.raises(iam.exceptions.NoSuchEntityException) as exc:
        iam.add_user_to_group(GroupName=group, UserName="no-such-user-here")
    assert error(exc)[1] == "The user with name no-such-user-here cannot be found."

    groups = [group] + [unique(f"g{i}") for i in range(10)]
    for g in groups[1:]:
        iam.create_group(GroupName=g)
    for g in groups[:10]:
        iam.add_user_to_group(GroupName=g, UserName=user)
    with pytest.raises(iam.exceptions.LimitExceededException) as exc:
        iam.add_user_to_group(GroupName=groups[10], UserName=user)
    assert error(exc) == ("LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10", 409)


def test_list_groups_path_prefix(iam_env: Env) -> None:
    iam = iam_env.client()
    prefix = f"/{unique('gp')}/"
    names = sorted(unique(f"lg{i}") for i in range(3))
    for n in names:
        iam.create_group(GroupName=n, Path=prefix)
    listed = iam.list_groups(PathPrefix=prefix)
    assert [g["GroupName"] for g in listed["Groups"]] == names
    pages = list(iam.get_paginator("list_groups").paginate(PathPrefix=prefix, PaginationConfig={"PageSize": 1}))
    assert [g["GroupName"] for p in pages for g in p["Groups"]] == names
