"""Every request is authorized by the policy engine, live, with AWS's denial messages."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import new_account

pytestmark = pytest.mark.e2e


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _user_with_key(server: Server, policy: str | None = None) -> tuple[str, Any]:
    iam = server.client("iam")
    name = f"authz-{uuid.uuid4().hex[:10]}"
    iam.create_user(UserName=name)
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return name, server.client(
        "iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )


def _encoded(server: Server, iam: Any) -> str:
    """An encoded authorization message: STS's denials carry one (IAM's do not), so the
    user behind ``iam`` is refused sts:GetFederationToken."""
    creds = iam._request_signer._credentials.get_frozen_credentials()
    sts = server.client("sts", aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key)
    with pytest.raises(ClientError) as exc:
        sts.get_federation_token(Name="decoded")
    message: str = exc.value.response["Error"]["Message"]
    return message.split("Encoded authorization failure message: ", 1)[1]


def test_no_policy_is_denied_with_aws_message(server: Server) -> None:
    name, iam = _user_with_key(server)
    with pytest.raises(ClientError) as exc:
        iam.list_users()
    err = exc.value.response["Error"]
    assert err["Code"] == "AccessDenied"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert err["Message"] == (
        f"User: arn:aws:iam::{server.account_id}:user/{name} is not authorized to perform: iam:ListUsers "
        f"on resource: arn:aws:iam::{server.account_id}:user/ because no identity-based policy allows the "
        "iam:ListUsers action"
    )
    # IAM's denials carry no encoded authorization message (credmint.authz.PLAIN_DENIAL_SERVICES).
    assert "Encoded authorization failure message" not in err["Message"]


def test_allow_then_explicit_deny_then_removed_live(server: Server) -> None:
    name, iam = _user_with_key(server, _doc({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))
    assert "Users" in iam.list_users()
    root = server.client("iam")
    root.put_user_policy(
        UserName=name,
        PolicyName="deny",
        PolicyDocument=_doc({"Effect": "Deny", "Action": "iam:List*", "Resource": "*"}),
    )
    with pytest.raises(ClientError) as exc:
        iam.list_users()
    assert "with an explicit deny in an identity-based policy" in exc.value.response["Error"]["Message"]
    root.delete_user_policy(UserName=name, PolicyName="deny")
    assert "Users" in iam.list_users()


def test_group_policy_and_managed_policy_grant(server: Server) -> None:
    root = server.client("iam")
    name, iam = _user_with_key(server)
    group = f"g-{uuid.uuid4().hex[:8]}"
    root.create_group(GroupName=group)
    root.add_user_to_group(GroupName=group, UserName=name)
    root.attach_group_policy(GroupName=group, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    assert "Roles" in iam.list_roles()
    with pytest.raises(ClientError):
        iam.create_user(UserName=f"x-{uuid.uuid4().hex[:6]}")
    root.detach_group_policy(GroupName=group, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    with pytest.raises(ClientError):
        iam.list_roles()


def test_permissions_boundary_limits(server: Server) -> None:
    root = server.client("iam")
    name, iam = _user_with_key(server, _doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}))
    root.put_user_permissions_boundary(
        UserName=name, PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    )
    with pytest.raises(ClientError) as exc:
        iam.list_users()
    assert "because no permissions boundary allows the iam:ListUsers action" in exc.value.response["Error"]["Message"]


def test_a_boundary_policy_cannot_be_deleted_while_it_bounds(server: Server) -> None:
    """IAM refuses to delete a policy that is a user's or role's permissions boundary (as it
    refuses one attached): deleting it would lift the bound off every entity it bounds."""
    root = server.client("iam")
    boundary = root.create_policy(
        PolicyName=f"bound-{uuid.uuid4().hex[:8]}",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}),
    )["Policy"]["Arn"]
    name, iam = _user_with_key(server, _doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}))
    root.put_user_permissions_boundary(UserName=name, PermissionsBoundary=boundary)
    role = f"bounded-{uuid.uuid4().hex[:8]}"
    trust = _doc({"Effect": "Allow", "Principal": {"AWS": server.account_id}, "Action": "sts:AssumeRole"})
    root.create_role(RoleName=role, AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary)
    for still_bounded in ("user and role", "role"):
        with pytest.raises(ClientError) as exc:
            root.delete_policy(PolicyArn=boundary)
        assert exc.value.response["Error"]["Code"] == "DeleteConflict", still_bounded
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
        if still_bounded == "user and role":
            with pytest.raises(ClientError) as exc:
                iam.create_user(UserName=f"escape-{uuid.uuid4().hex[:8]}")
            assert exc.value.response["Error"]["Code"] == "AccessDenied"
            root.delete_user_permissions_boundary(UserName=name)
        else:
            root.delete_role_permissions_boundary(RoleName=role)
    root.delete_policy(PolicyArn=boundary)


def test_a_boundary_that_cannot_be_read_allows_nothing(server: Server) -> None:
    """A boundary whose policy is gone (IAM refuses that delete; a row can still go) bounds
    the entity to nothing, never to everything."""
    database = server.data_dir / "credmint.db"
    if not database.exists():
        pytest.skip("the server's store is not SQLite in its data dir")
    root = server.client("iam")
    name = f"authz-{uuid.uuid4().hex[:10]}"
    root.create_user(UserName=name)
    root.put_user_policy(
        UserName=name, PolicyName="p", PolicyDocument=_doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"})
    )
    root.put_user_permissions_boundary(UserName=name, PermissionsBoundary="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    gone = f"arn:aws:iam::{server.account_id}:policy/gone-{uuid.uuid4().hex[:8]}"
    with sqlite3.connect(database) as db:
        db.execute("UPDATE users SET permissions_boundary_arn = ? WHERE name = ?", (gone, name))
    key = root.create_access_key(UserName=name)["AccessKey"]
    iam = server.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    with pytest.raises(ClientError) as exc:
        iam.list_users()
    assert exc.value.response["Error"]["Code"] == "AccessDenied"


def test_a_users_tags_reach_its_temporary_credentials(server: Server) -> None:
    """GetSessionToken and GetFederationToken credentials carry their IAM user's tags as
    aws:PrincipalTag (a federation token's own tags override those of the same key)."""
    root = server.client("iam")
    name = f"authz-{uuid.uuid4().hex[:10]}"
    root.create_user(UserName=name, Tags=[{"Key": "status", "Value": "suspended"}])
    root.put_user_policy(
        UserName=name,
        PolicyName="p",
        PolicyDocument=_doc(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "s3:ListAllMyBuckets",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/status": "suspended"}},
            },
        ),
    )
    key = root.create_access_key(UserName=name)["AccessKey"]
    long_term = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    sts = server.client("sts", **long_term)
    everything = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    sessions = {
        "long-term key": long_term,
        "GetSessionToken": sts.get_session_token()["Credentials"],
        "GetFederationToken": sts.get_federation_token(Name="fed", Policy=everything)["Credentials"],
    }
    for kind, creds in sessions.items():
        if "AccessKeyId" in creds:
            creds = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            }
        with pytest.raises(ClientError) as exc:
            server.client("s3", **creds).list_buckets()
        assert exc.value.response["Error"]["Code"] == "AccessDenied", kind
    retagged = sts.get_federation_token(
        Name="fed", Policy=everything, Tags=[{"Key": "status", "Value": "active"}]
    )["Credentials"]
    s3 = server.client(
        "s3",
        aws_access_key_id=retagged["AccessKeyId"],
        aws_secret_access_key=retagged["SecretAccessKey"],
        aws_session_token=retagged["SessionToken"],
    )
    s3.list_buckets()


def test_deleted_key_and_inactive_key_refused_at_once(server: Server) -> None:
    root = server.client("iam")
    name = f"authz-{uuid.uuid4().hex[:10]}"
    root.create_user(UserName=name)
    key = root.create_access_key(UserName=name)["AccessKey"]
    sts = server.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"].endswith(f":user/{name}")
    root.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as exc:
        sts.get_caller_identity()
    assert exc.value.response["Error"]["Code"] == "InvalidClientTokenId"
    root.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Active")
    assert sts.get_caller_identity()["Account"] == server.account_id
    root.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    with pytest.raises(ClientError):
        sts.get_caller_identity()


def test_caller_identity_needs_no_permission_even_with_explicit_deny(server: Server) -> None:
    name, _ = _user_with_key(server, _doc({"Effect": "Deny", "Action": "*", "Resource": "*"}))
    key = server.client("iam").create_access_key(UserName=name)["AccessKey"]
    sts = server.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    ident = sts.get_caller_identity()
    assert ident["Arn"] == f"arn:aws:iam::{server.account_id}:user/{name}"
    assert ident["UserId"].startswith("AIDA")


def test_decode_authorization_message(server: Server) -> None:
    name, iam = _user_with_key(server)
    encoded = _encoded(server, iam)
    decoded = json.loads(server.client("sts").decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
    assert decoded["allowed"] is False
    assert decoded["explicitDeny"] is False
    assert decoded["context"]["principal"]["arn"] == f"arn:aws:iam::{server.account_id}:user/{name}"
    assert decoded["context"]["action"] == "GetFederationToken"
    keys = {c["key"] for c in decoded["context"]["conditions"]["items"]}
    assert "aws:username" in keys
    # The user itself may not decode it without sts:DecodeAuthorizationMessage...
    sts_user_key = server.client("iam").create_access_key(UserName=name)["AccessKey"]
    sts_user = server.client(
        "sts", aws_access_key_id=sts_user_key["AccessKeyId"], aws_secret_access_key=sts_user_key["SecretAccessKey"]
    )
    with pytest.raises(ClientError) as exc2:
        sts_user.decode_authorization_message(EncodedMessage=encoded)
    assert exc2.value.response["Error"]["Code"] == "AccessDenied"
    # ...and a tampered message is refused.
    tampered = encoded[:-3] + ("AAA" if encoded[-3:] != "AAA" else "BBB")
    with pytest.raises(ClientError) as exc3:
        server.client("sts").decode_authorization_message(EncodedMessage=tampered)
    assert exc3.value.response["Error"]["Code"] == "InvalidAuthorizationMessageException"


def test_decode_authorization_message_is_refused_to_other_accounts(server: Server) -> None:
    # The message names the caller, its unique id, tags and source IP: only the
    # account whose call was denied may read it.
    _, iam = _user_with_key(server)
    encoded = _encoded(server, iam)
    _, key, secret = new_account(server)
    other = server.client("sts", aws_access_key_id=key, aws_secret_access_key=secret)
    with pytest.raises(ClientError) as exc2:
        other.decode_authorization_message(EncodedMessage=encoded)
    err = exc2.value.response["Error"]
    assert (err["Code"], err["Message"]) == ("InvalidAuthorizationMessageException", "The message is invalid.")
    assert exc2.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # The denied account still reads it.
    assert server.client("sts").decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"]


def test_decoded_message_lists_the_matched_statements_actions_and_resources(server: Server) -> None:
    # AWS's documented DecodedMessage names each matched statement's actions and
    # resources: {"actions":{"items":[{"value":"ec2:RunInstances"}]},"resources":{"items":[{"value":"*"}]}}.
    deny = {"Sid": "NoGroups", "Effect": "Deny", "Action": ["sts:GetFederationToken", "iam:GetGroup"], "Resource": "*"}
    _, iam = _user_with_key(server, _doc(deny))
    encoded = _encoded(server, iam)
    decoded = json.loads(server.client("sts").decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
    assert decoded["explicitDeny"] is True
    (matched,) = decoded["matchedStatements"]["items"]
    assert matched["statementId"] == "NoGroups"
    assert matched["effect"] == "DENY"
    assert matched["actions"] == {"items": [{"value": "sts:GetFederationToken"}, {"value": "iam:GetGroup"}]}
    assert matched["resources"] == {"items": [{"value": "*"}]}


def test_decode_via_cli(server: Server) -> None:
    import os
    import subprocess

    _, iam = _user_with_key(server)
    encoded = _encoded(server, iam)
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID=server.access_key_id,
        AWS_SECRET_ACCESS_KEY=server.secret_access_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    out = subprocess.run(
        [
            "aws",
            "--endpoint-url",
            server.url,
            "sts",
            "decode-authorization-message",
            "--encoded-message",
            encoded,
            "--output",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    decoded = json.loads(json.loads(out.stdout)["DecodedMessage"])
    assert decoded["context"]["action"] == "GetFederationToken"


def test_policy_change_reaches_other_worker_processes(tmp_path: Any) -> None:
    """With several workers on one SQLite file, a change made through one is enforced by all."""
    from tests.conftest import start_server

    srv = start_server(tmp_path / "data", workers=2)
    try:
        name, iam = _user_with_key(srv, _doc({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))
        for _ in range(10):
            iam.list_users()  # warm the caches of both workers
        srv.client("iam").delete_user_policy(UserName=name, PolicyName="p")
        time.sleep(0.3)  # the watcher polls data_version every 50 ms
        for _ in range(10):
            with pytest.raises(ClientError):
                iam.list_users()
    finally:
        srv.stop()


def test_iam_tag_condition_keys(server: Server) -> None:
    """aws:RequestTag / aws:TagKeys on tagging calls, aws:ResourceTag from the target's tags."""
    root = server.client("iam")
    policy = _doc(
        {
            "Effect": "Allow",
            "Action": "iam:CreateUser",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:RequestTag/team": "red"},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
            },
        },
        {
            "Effect": "Allow",
            "Action": ["iam:GetUser", "iam:DeleteUser"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "red"}},
        },
    )
    _, iam = _user_with_key(server, policy)
    red = f"red-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=red, Tags=[{"Key": "team", "Value": "red"}])
    with pytest.raises(ClientError):
        iam.create_user(UserName=f"blue-{uuid.uuid4().hex[:8]}", Tags=[{"Key": "team", "Value": "blue"}])
    with pytest.raises(ClientError):
        iam.create_user(
            UserName=f"x-{uuid.uuid4().hex[:8]}", Tags=[{"Key": "team", "Value": "red"}, {"Key": "cost", "Value": "1"}]
        )
    assert iam.get_user(UserName=red)["User"]["UserName"] == red
    other = f"plain-{uuid.uuid4().hex[:8]}"
    root.create_user(UserName=other)
    with pytest.raises(ClientError) as exc:
        iam.get_user(UserName=other)
    assert exc.value.response["Error"]["Code"] == "AccessDenied"
    iam.delete_user(UserName=red)
