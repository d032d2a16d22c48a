"""The helpers: users, roles and MFA devices made through the real APIs, one account per test."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.testing import Account, CredmintServer

pytestmark = pytest.mark.e2e


def _allow(action: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}


def _trust(principal_arn: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": "sts:AssumeRole"}],
    }


def _error(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_accounts_are_apart(credmint_server: CredmintServer) -> None:
    a, b = credmint_server.new_account(), credmint_server.new_account()
    assert a.account_id != b.account_id
    a.create_user("same-name")
    b.create_user("same-name")  # no clash: another account
    assert [u["UserName"] for u in a.client("iam").list_users()["Users"]] == ["same-name"]
    assert a.client("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{a.account_id}:root"


def test_create_user_with_policies_in_one_call(credmint_account: Account) -> None:
    user = credmint_account.create_user(
        "bob",
        policies={"list": _allow("s3:ListAllMyBuckets")},
        managed_policy_arns=["arn:aws:iam::aws:policy/IAMReadOnlyAccess"],
    )
    iam = credmint_account.client("iam")
    assert iam.list_user_policies(UserName="bob")["PolicyNames"] == ["list"]
    assert [p["PolicyName"] for p in iam.list_attached_user_policies(UserName="bob")["AttachedPolicies"]] == [
        "IAMReadOnlyAccess"
    ]
    user.client("s3").list_buckets()
    user.client("iam").list_users()
    with pytest.raises(ClientError) as exc:
        user.client("iam").create_user(UserName="eve")
    assert _error(exc) == "AccessDenied"


def test_user_without_key(credmint_account: Account) -> None:
    user = credmint_account.create_user(access_key=False)
    assert credmint_account.client("iam").list_access_keys(UserName=user.name)["AccessKeyMetadata"] == []


def test_assume_role_and_a_wrong_trust_policy(credmint_account: Account) -> None:
    user = credmint_account.create_user(policies=[_allow("sts:AssumeRole")])
    trusted = credmint_account.create_role(trust_policy=_trust(user.arn), policies=[_allow("s3:ListAllMyBuckets")])
    session = user.assume_role(trusted)
    assert ":assumed-role/" in session.client("sts").get_caller_identity()["Arn"]
    session.client("s3").list_buckets()

    other = credmint_account.create_user()
    untrusting = credmint_account.create_role(trust_policy=_trust(other.arn))
    with pytest.raises(ClientError) as exc:
        user.assume_role(untrusting)
    assert _error(exc) == "AccessDenied"


def test_assume_role_that_requires_mfa(credmint_account: Account) -> None:
    user = credmint_account.create_user(policies=[_allow("sts:AssumeRole")])
    trust = _trust(user.arn)
    trust["Statement"][0]["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    role = credmint_account.create_role(trust_policy=trust)
    with pytest.raises(ClientError) as exc:
        user.assume_role(role)
    assert _error(exc) == "AccessDenied"
    mfa = credmint_account.enable_mfa(user)
    user.assume_role(role, SerialNumber=mfa.serial_number, TokenCode=mfa.code())
    user.assume_role(role, SerialNumber=mfa.serial_number, TokenCode=mfa.code())  # a second code at once


def test_sessions_and_resources_use_the_server(credmint_account: Account) -> None:
    s3 = credmint_account.boto3_session().resource("s3")
    bucket = s3.create_bucket(Bucket=f"res-{credmint_account.account_id}")
    bucket.put_object(Key="k", Body=b"v")
    assert [o.key for o in bucket.objects.all()] == ["k"]
    assert credmint_account.client("s3") is credmint_account.client("s3")
