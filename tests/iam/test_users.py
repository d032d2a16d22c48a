"""IAM users through boto3 (and a few through the AWS CLI): AWS's shapes, codes and texts."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from credmint import ids
from tests.iam.fixtures_a import Env, consecutive_codes, iam_env, unique, user_env

pytestmark = pytest.mark.e2e
__all__ = ["iam_env"]


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    r = exc.value.response
    return r["Error"]["Code"], r["Error"].get("Message", ""), r["ResponseMetadata"]["HTTPStatusCode"]


def test_create_get_user_shape(iam_env: Env) -> None:
    iam = iam_env.client()
    name = unique("alice")
    created = iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": "blue"}])["User"]
    assert created["UserName"] == name
    assert created["Path"] == "/"
    assert created["Arn"] == f"arn:aws:iam::{iam_env.account_id}:user/{name}"
    assert ids.is_unique_id(created["UserId"], "AIDA")
    assert created["CreateDate"].tzinfo is not None
    assert created["Tags"] == [{"Key": "team", "Value": "blue"}]

    got = iam.get_user(UserName=name.upper())["User"]  # names are case-insensitive
    assert got["UserId"] == created["UserId"]
    assert got["UserName"] == name
    assert got["Tags"] == [{"Key": "team", "Value": "blue"}]
    assert "PermissionsBoundary" not in got


def test_create_user_with_path(iam_env: Env) -> None:
    iam = iam_env.client()
    name = unique("pathy")
    user = iam.create_user(UserName=name, Path="/division/team/")["User"]
    assert user["Path"] == "/division/team/"
    assert user["Arn"] == f"arn:aws:iam::{iam_env.account_id}:user/division/team/{name}"


def test_duplicate_user_case_insensitive(iam_env: Env) -> None:
    iam = iam_env.client()
    name = unique("dup")
    iam.create_user(UserName=name)
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName=name.upper())
    assert error(exc) == ("EntityAlreadyExists", f"User with name {name.upper()} already exists.", 409)


def test_get_missing_user(iam_env: Env) -> None:
    iam = iam_env.client()
    with pytest.raises(iam.exceptions.NoSuchEntityException) as exc:
        iam.get_user(UserName="nobody-here")
    assert error(exc) == ("NoSuchEntity", "The user with name nobody-here cannot be found.", 404)


def test_get_user_without_name_is_the_caller(iam_env: Env) -> None:
    iam = iam_env.client()
    root = iam.get_user()["User"]
    assert root["UserId"] == iam_env.account_id
    assert root["Arn"] == f"arn:aws:iam::{iam_env.account_id}:root"
    assert "UserName" not in root

    name = unique("self")
    as_user, _ = user_env(iam_env, name)
    # The user has no permissions yet; GetUser on itself is still authorized only by
    # policy, so grant nothing and expect AccessDenied carrying the user's ARN.
    with pytest.raises(ClientError) as exc:
        as_user.client().get_user()
    code, message, status = error(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert f"arn:aws:iam::{iam_env.account_id}:user/{name}" in message


def test_validation_error_for_bad_name(iam_env: Env) -> None:
    iam = iam_env.client()
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName="bad/name")
    code, message, status = error(exc)
    assert (code, status) == ("ValidationError", 400)
    assert "userName" in message


def test_list_users_path_prefix_and_paginator(iam_env: Env) -> None:
    iam = iam_env.client()
    prefix = f"/{unique('p')}/"
    names = sorted(unique(f"lu{i}") for i in range(5))
    for n in names:
        iam.create_user(UserName=n, Path=prefix)
    iam.create_user(UserName=unique("elsewhere"), Path=f"/{unique('q')}/")

    listed = iam.list_users(PathPrefix=prefix)
    assert [u["UserName"] for u in listed["Users"]] == names
    assert listed["IsTruncated"] is False
    assert all("Tags" not in u for u in listed["Users"])

    first = iam.list_users(PathPrefix=prefix, MaxItems=2)
    assert first["IsTruncated"] is True and len(first["Users"]) == 2
    pages = list(iam.get_paginator("list_users").paginate(PathPrefix=prefix, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert [u["UserName"] for p in pages for u in p["Users"]] == names


@pytest.mark.parametrize("marker", ["credmint:-1", "credmint:+1", "credmint: 1", "credmint:", "other:1", "%%%"])
def test_list_users_rejects_a_forged_marker(iam_env: Env, marker: str) -> None:
    iam = iam_env.client()
    sent = marker if marker == "%%%" else base64.b64encode(marker.encode()).decode()
    with pytest.raises(ClientError) as exc:
        iam.list_users(Marker=sent)
    err = exc.value.response["Error"]
    assert (err["Code"], err["Message"]) == ("ValidationError", "Invalid Marker.")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_update_user_rename_and_move(iam_env: Env) -> None:
    iam = iam_env.client()
    old, new = unique("old"), unique("new")
    uid = iam.create_user(UserName=old, Tags=[{"Key": "k", "Value": "v"}])["User"]["UserId"]
    key = iam.create_access_key(UserName=old)["AccessKey"]
    iam.update_user(UserName=old, NewUserName=new, NewPath="/moved/")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_user(UserName=old)
    user = iam.get_user(UserName=new)["User"]
    assert user["UserId"] == uid
    assert user["Path"] == "/moved/"
    assert user["Arn"].endswith(f":user/moved/{new}")
    assert user["Tags"] == [{"Key": "k", "Value": "v"}]
    keys = iam.list_access_keys(UserName=new)["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [key["AccessKeyId"]]
    assert keys[0]["UserName"] == new

    other = unique("other")
    iam.create_user(UserName=other)
    with pytest.raises(ClientError) as exc:
        iam.update_user(UserName=new, NewUserName=other.upper())
    assert error(exc)[:2] == ("EntityAlreadyExists", f"User with name {other.upper()} already exists.")


def test_delete_user_conflicts(iam_env: Env) -> None:
    iam = iam_env.client()
    name = unique("busy")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    with pytest.raises(iam.exceptions.DeleteConflictException) as exc:
        iam.delete_user(UserName=name)
    assert error(exc) == ("DeleteConflict", "Cannot delete entity, must delete access keys first.", 409)
    iam.delete_access_key(UserName=name, AccessKeyId=key)

    group = unique("grp")
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=name)
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=name)
    assert error(exc)[:2] == ("DeleteConflict", "Cannot delete entity, must remove users from group first.")
    iam.remove_user_from_group(GroupName=group, UserName=name)

    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("dev"))["VirtualMFADevice"]
    code1, code2 = consecutive_codes(serial["Base32StringSeed"])
    iam.enable_mfa_device(
        UserName=name, SerialNumber=serial["SerialNumber"], AuthenticationCode1=code1, AuthenticationCode2=code2
    )
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=name)
    assert error(exc)[:2] == ("DeleteConflict", "Cannot delete entity, must delete MFA device first.")
    iam.deactivate_mfa_device(UserName=name, SerialNumber=serial["SerialNumber"])
    iam.delete_virtual_mfa_device(SerialNumber=serial["SerialNumber"])

    iam.delete_user(UserName=name)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_user(UserName=name)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.delete_user(UserName=name)


def test_delete_user_with_policies(iam_env: Env) -> None:
    """Inline and managed policies block DeleteUser (needs part B's policy operations)."""
    iam = iam_env.client()
    name = unique("pol")
    iam.create_user(UserName=name)
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    try:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=doc)
    except ClientError as err:
        if err.response["Error"]["Code"] == "InvalidAction":
            pytest.skip("PutUserPolicy is not implemented yet (part B)")
        raise
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=name)
    assert error(exc)[:2] == ("DeleteConflict", "Cannot delete entity, must delete policies first.")
    iam.delete_user_policy(UserName=name, PolicyName="inline")
    iam.delete_user(UserName=name)


def test_tags(iam_env: Env) -> None:
    iam = iam_env.client()
    name = unique("tagged")
    iam.create_user(UserName=name)
    iam.tag_user(UserName=name, Tags=[{"Key": f"k{i}", "Value": f"v{i}"} for i in range(4)])
    iam.tag_user(UserName=name, Tags=[{"Key": "K1", "Value": "changed"}])  # keys are case-insensitive
    tags = iam.list_user_tags(UserName=name)
    assert tags["Tags"] == [
        {"Key": "k0", "Value": "v0"},
        {"Key": "K1", "Value": "changed"},
        {"Key": "k2", "Value": "v2"},
        {"Key": "k3", "Value": "v3"},
    ]
    assert tags["IsTruncated"] is False
    page = iam.list_user_tags(UserName=name, MaxItems=3)
    assert page["IsTruncated"] is True and len(page["Tags"]) == 3
    rest = iam.list_user_tags(UserName=name, Marker=page["Marker"])
    assert [t["Key"] for t in rest["Tags"]] == ["k3"]

    iam.untag_user(UserName=name, TagKeys=["K0", "k2"])
    assert [t["Key"] for t in iam.list_user_tags(UserName=name)["Tags"]] == ["K1", "k3"]

    with pytest.raises(ClientError) as exc:
        iam.tag_user(UserName=name, Tags=[{"Key": f"x{i}", "Value": ""} for i in range(49)])
    assert error(exc) == ("LimitExceeded", "The number of tags has reached the maximum limit of 50.", 409)
    with pytest.raises(ClientError) as exc:
        iam.tag_user(UserName=name, Tags=[{"Key": "dup", "Value": "a"}, {"Key": "DUP", "Value": "b"}])
    assert error(exc) == (
        "InvalidInput",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
        400,
    )
    assert [t["Key"] for t in iam.list_user_tags(UserName=name)["Tags"]] == ["K1", "k3"]
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.tag_user(UserName=unique("ghost"), Tags=[{"Key": "a", "Value": "b"}])


def test_permissions_boundary(iam_env: Env) -> None:
    iam = iam_env.client()
    name = unique("bounded")
    iam.create_user(UserName=name)
    missing = f"arn:aws:iam::{iam_env.account_id}:policy/{unique('none')}"
    with pytest.raises(iam.exceptions.NoSuchEntityException) as exc:
        iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=missing)
    assert error(exc)[1] == f"Scope ARN: {missing} does not exist or is not attachable."
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.create_user(UserName=unique("bounded2"), PermissionsBoundary=missing)

    arn = _customer_policy(iam_env)
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=arn)
    assert iam.get_user(UserName=name)["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": arn,
    }
    other = iam.create_user(UserName=unique("bounded3"), PermissionsBoundary=arn)["User"]
    assert other["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
    iam.delete_user_permissions_boundary(UserName=name)
    assert "PermissionsBoundary" not in iam.get_user(UserName=name)["User"]


def test_aws_managed_policy_as_boundary(iam_env: Env) -> None:
    iam = iam_env.client()
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    try:
        iam.get_policy(PolicyArn=arn)
    except ClientError:
        pytest.skip("AWS managed policies are not loaded yet (part B)")
    name = unique("awsbound")
    iam.create_user(UserName=name, PermissionsBoundary=arn)
    assert iam.get_user(UserName=name)["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn


def _customer_policy(env: Env) -> str:
    """A customer managed policy: through CreatePolicy when part B has it, else a row."""
    iam = env.client()
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    try:
        return str(iam.create_policy(PolicyName=unique("boundary"), PolicyDocument=doc)["Policy"]["Arn"])
    except ClientError as err:
        if err.response["Error"]["Code"] != "InvalidAction" or env.node is None:
            raise
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from credmint.store import schema

    name = unique("boundary")
    arn = f"arn:aws:iam::{env.account_id}:policy/{name}"
    now = datetime.now(UTC)
    with env.node.store.write() as conn:
        conn.execute(
            insert(schema.managed_policies).values(
                arn=arn,
                policy_id=ids.new_unique_id("ANPA"),
                account_id=env.account_id,
                name=name,
                path="/",
                default_version_id="v1",
                next_version=2,
                created_at=now,
                updated_at=now,
            )
        )
    return arn


def test_cli_create_get_delete_user(iam_env: Env) -> None:
    if iam_env.cli is None:
        pytest.skip("the AWS CLI runs against the real server only")
    url, env = iam_env.cli
    name = unique("cli")

    def aws(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "awscli", "iam", *args, "--endpoint-url", url, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    created = aws("create-user", "--user-name", name)
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["User"]["UserName"] == name
    got = aws("get-user", "--user-name", name)
    assert json.loads(got.stdout)["User"]["Arn"].endswith(f":user/{name}")
    missing = aws("get-user", "--user-name", unique("none"))
    assert missing.returncode != 0
    assert "NoSuchEntity" in missing.stderr and "cannot be found." in missing.stderr
    assert aws("delete-user", "--user-name", name).returncode == 0
