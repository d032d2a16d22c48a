"""Cross-account role assumption: trust policy in B and identity policy in A must both allow,
with MFA and ExternalId conditions (the confused-deputy pattern); the session acts in B."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Account, client, error_of, make_user, unique
from tests.sts.helpers import Creds, aws_cli


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def accounts(server: Server) -> tuple[Account, Account]:
    return Account.create(server), Account.create(server)


def _role_in_b(server: Server, b: Account, trusted_arn: str, external_id: str) -> str:
    iam = client(server, "iam", b.root)
    name = unique("partner")
    trust = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": trusted_arn},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"sts:ExternalId": external_id},
                "Bool": {"aws:MultiFactorAuthPresent": "true"},
            },
        }
    )
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(
        RoleName=name, PolicyName="s3", PolicyDocument=_doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    )
    arn: str = role["Arn"]
    return arn


def test_cross_account_with_mfa_and_external_id(server: Server, accounts: tuple[Account, Account]) -> None:
    a, b = accounts
    external_id = unique("ext")
    user = make_user(server, a.root, policy=None, with_mfa=True)
    assert user.mfa is not None
    role_arn = _role_in_b(server, b, user.arn, external_id)
    sts = client(server, "sts", user.creds)

    def assume(**kwargs: Any) -> Any:
        return sts.assume_role(RoleArn=role_arn, RoleSessionName="partner", **kwargs)

    denied = f"User: {user.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    # B trusts the user, but A's identity policy does not allow it yet.
    assert user.mfa is not None
    with pytest.raises(ClientError) as exc:
        assume(ExternalId=external_id, SerialNumber=user.mfa.serial, TokenCode=user.mfa.code())
    assert error_of(exc) == ("AccessDenied", denied, 403)

    client(server, "iam", a.root).put_user_policy(
        UserName=user.name,
        PolicyName="assume",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}),
    )
    for kwargs in (
        {"ExternalId": external_id},  # no MFA
        {"SerialNumber": user.mfa.serial, "TokenCode": user.mfa.code()},  # no ExternalId: the confused deputy
        {"ExternalId": "someone-else", "SerialNumber": user.mfa.serial, "TokenCode": user.mfa.code()},
    ):
        with pytest.raises(ClientError) as exc:
            assume(**kwargs)
        assert error_of(exc) == ("AccessDenied", denied, 403), kwargs

    out = aws_cli(
        server,
        "sts",
        "assume-role",
        "--role-arn",
        role_arn,
        "--role-session-name",
        "partner",
        "--external-id",
        external_id,
        "--serial-number",
        user.mfa.serial,
        "--token-code",
        user.mfa.code(),
        creds=user.creds,
    )
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    role_name = role_arn.rsplit("/", 1)[1]
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{b.account_id}:assumed-role/{role_name}/partner"
    session = Creds.of(answer)
    assert client(server, "sts", session).get_caller_identity()["Account"] == b.account_id
    # The session acts in B: what it creates belongs to B, and B's root sees it.
    bucket = unique("xacct")
    client(server, "s3", session).create_bucket(Bucket=bucket)
    assert bucket in {x["Name"] for x in client(server, "s3", b.root).list_buckets()["Buckets"]}
    assert bucket not in {x["Name"] for x in client(server, "s3", a.root).list_buckets()["Buckets"]}
    # ... and it has only the role's permissions there.
    with pytest.raises(ClientError) as exc:
        client(server, "iam", session).list_users()
    assert error_of(exc)[0] == "AccessDenied"
    client(server, "s3", session).delete_bucket(Bucket=bucket)


def test_trust_in_b_is_required(server: Server, accounts: tuple[Account, Account]) -> None:
    a, b = accounts
    other = make_user(server, a.root)  # AdministratorAccess in A, not trusted by B
    trusted = make_user(server, a.root, policy=None)
    role_arn = _role_in_b(server, b, trusted.arn, "xx")
    with pytest.raises(ClientError) as exc:
        client(server, "sts", other.creds).assume_role(RoleArn=role_arn, RoleSessionName="ss", ExternalId="xx")
    assert error_of(exc)[0] == "AccessDenied"
