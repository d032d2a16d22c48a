"""Principals in stored resource policies are bound to entities, not names.

A user or role named in a bucket policy or a trust policy, deleted and recreated
under the same name, is a new entity: it gets nothing the old one was granted, and
the stored policies show the old entity's bare unique id.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import error_of, make_bucket, policy

pytestmark = pytest.mark.e2e


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _eventually(fn: Callable[[], Any]) -> Any:
    """A new access key reaches the server's cache on the next change signal."""
    deadline = time.monotonic() + 5
    while True:
        try:
            return fn()
        except ClientError as err:
            code = err.response["Error"]["Code"]
            if code not in ("InvalidAccessKeyId", "InvalidClientTokenId") or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def bucket(server: Server) -> Iterator[str]:
    yield from make_bucket(server.client("s3"))


def _new_user(server: Server, name: str) -> tuple[str, str, dict[str, str]]:
    """(ARN, unique id, client credentials) of a new user with an access key."""
    iam = server.client("iam")
    user = iam.create_user(UserName=name)["User"]
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return (
        user["Arn"],
        user["UserId"],
        {
            "aws_access_key_id": key["AccessKeyId"],
            "aws_secret_access_key": key["SecretAccessKey"],
        },
    )


def _delete_user(server: Server, name: str) -> None:
    iam = server.client("iam")
    for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"])
    iam.delete_user(UserName=name)


def _aws_principals(doc: Any) -> list[Any]:
    return [st["Principal"]["AWS"] for st in doc["Statement"]]


def test_recreated_user_gets_nothing_the_deleted_one_had(server: Server, bucket: str) -> None:
    s3, iam = server.client("s3"), server.client("iam")
    name = _name("bound")
    arn, old_id, creds = _new_user(server, name)
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret")
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": arn},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ),
    )
    role = _name("bound-role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": [arn]}, "Action": "sts:AssumeRole"}],
    }
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    # While the user exists: it is granted, and the policies show its ARN.
    user_s3 = server.client("s3", **creds)
    assert _eventually(lambda: user_s3.get_object(Bucket=bucket, Key="k"))["Body"].read() == b"secret"
    server.client("sts", **creds).assume_role(RoleArn=role_arn, RoleSessionName="sess")
    assert _aws_principals(json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])) == [arn]
    assert _aws_principals(iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]) == [[arn]]

    _delete_user(server, name)
    # Deleted: the policies show the bare unique id, as AWS does.
    assert _aws_principals(json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])) == [old_id]
    assert _aws_principals(iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]) == [[old_id]]
    listed = [r for r in iam.list_roles()["Roles"] if r["RoleName"] == role]
    assert _aws_principals(listed[0]["AssumeRolePolicyDocument"]) == [[old_id]]

    # Recreated under the same name: a new entity, granted nothing.
    new_arn, new_id, new_creds = _new_user(server, name)
    assert (new_arn, new_id != old_id) == (arn, True)
    new_s3 = server.client("s3", **new_creds)
    with pytest.raises(ClientError) as e:
        _eventually(lambda: new_s3.get_object(Bucket=bucket, Key="k"))
    assert error_of(e)[0] == "AccessDenied"
    with pytest.raises(ClientError) as e:
        server.client("sts", **new_creds).assume_role(RoleArn=role_arn, RoleSessionName="sess")
    assert error_of(e)[0] == "AccessDenied"
    # ...and the stored policies still show the old, deleted entity.
    assert _aws_principals(json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])) == [old_id]
    iam.delete_role(RoleName=role)
    _delete_user(server, name)


def test_recreated_role_sessions_get_nothing_the_deleted_role_had(server: Server, bucket: str) -> None:
    s3, iam = server.client("s3"), server.client("iam")
    account = server.client("sts").get_caller_identity()["Account"]
    trust = policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}
    )
    name = _name("bound-role")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": role["Arn"]},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ),
    )

    assumer = _name("assumer")
    _, _, assumer_creds = _new_user(server, assumer)
    allow_assume = policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    iam.put_user_policy(UserName=assumer, PolicyName="assume", PolicyDocument=allow_assume)
    sts = server.client("sts", **assumer_creds)

    def session_s3() -> Any:
        c = _eventually(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess"))["Credentials"]
        return server.client(
            "s3",
            aws_access_key_id=c["AccessKeyId"],
            aws_secret_access_key=c["SecretAccessKey"],
            aws_session_token=c["SessionToken"],
        )

    assert session_s3().get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    iam.delete_role(RoleName=name)
    assert _aws_principals(json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])) == [role["RoleId"]]
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    with pytest.raises(ClientError) as e:
        session_s3().get_object(Bucket=bucket, Key="k")
    assert error_of(e)[0] == "AccessDenied"
    iam.delete_role(RoleName=name)
    iam.delete_user_policy(UserName=assumer, PolicyName="assume")
    _delete_user(server, assumer)


def test_principal_naming_no_entity_is_refused(server: Server, bucket: str) -> None:
    s3, iam = server.client("s3"), server.client("iam")
    account = server.client("sts").get_caller_identity()["Account"]
    ghost = f"arn:aws:iam::{account}:user/{_name('ghost')}"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(
            Bucket=bucket,
            Policy=policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": ghost},
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ),
        )
    assert error_of(e) == ("MalformedPolicy", "Invalid principal in policy", 400)
    for kind in ("user", "role"):
        missing = f"arn:aws:iam::{account}:{kind}/{_name('ghost')}"
        trust = policy({"Effect": "Allow", "Principal": {"AWS": missing}, "Action": "sts:AssumeRole"})
        with pytest.raises(ClientError) as e:
            iam.create_role(RoleName=_name("r"), AssumeRolePolicyDocument=trust)
        assert error_of(e) == ("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{missing}"', 400)


@pytest.mark.parametrize("principal", ["{account}", "arn:aws:iam::{account}:root", "*"])
def test_account_and_wildcard_principals_are_stored_as_written(server: Server, bucket: str, principal: str) -> None:
    s3, iam = server.client("s3"), server.client("iam")
    account = server.client("sts").get_caller_identity()["Account"]
    value = principal.format(account=account)
    doc = policy(
        {
            "Effect": "Deny",
            "Principal": {"AWS": value},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/x",
        }
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=doc)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == doc
    trust = policy({"Effect": "Allow", "Principal": {"AWS": value}, "Action": "sts:AssumeRole"})
    name = _name("r")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == json.loads(trust)
    iam.delete_role(RoleName=name)
