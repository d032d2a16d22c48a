"""Account summary and account aliases through boto3."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.iam.fixtures_a import Env, consecutive_codes, iam_env, unique

pytestmark = pytest.mark.e2e
__all__ = ["iam_env"]


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    r = exc.value.response
    return r["Error"]["Code"], r["Error"].get("Message", ""), r["ResponseMetadata"]["HTTPStatusCode"]


def test_account_summary_counts(iam_env: Env) -> None:
    iam = iam_env.client()
    before = iam.get_account_summary()["SummaryMap"]
    assert before["AccessKeysPerUserQuota"] == 2
    assert before["UsersQuota"] == 5000
    assert before["AccountAccessKeysPresent"] == 1  # the root key the tests sign with

    user = unique("summary")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=unique("summary"))
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("sum"))["VirtualMFADevice"]
    code1, code2 = consecutive_codes(device["Base32StringSeed"])
    iam.enable_mfa_device(
        UserName=user, SerialNumber=device["SerialNumber"], AuthenticationCode1=code1, AuthenticationCode2=code2
    )
    iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("sum"))
    after = iam.get_account_summary()["SummaryMap"]
    # Tests share the account but run one at a time per server (xdist workers each start
    # their own), so the deltas are exact.
    assert after["Users"] - before["Users"] == 1
    assert after["Groups"] - before["Groups"] == 1
    assert after["MFADevices"] - before["MFADevices"] == 2
    assert after["MFADevicesInUse"] - before["MFADevicesInUse"] == 1
    assert after["AccountMFAEnabled"] == 0


def test_account_alias_lifecycle(iam_env: Env) -> None:
    iam = iam_env.client()
    assert iam.list_account_aliases()["AccountAliases"] == []
    first, second = unique("acme").lower(), unique("acme").lower()
    iam.create_account_alias(AccountAlias=first)
    iam.create_account_alias(AccountAlias=first)  # the same again: no change, no error
    assert iam.list_account_aliases()["AccountAliases"] == [first]
    iam.create_account_alias(AccountAlias=second)  # an account has one alias: replaced
    listed = iam.list_account_aliases()
    assert (listed["AccountAliases"], listed["IsTruncated"]) == ([second], False)

    with pytest.raises(iam.exceptions.NoSuchEntityException) as exc:
        iam.delete_account_alias(AccountAlias=first)
    assert error(exc) == ("NoSuchEntity", f"The account alias {first} cannot be found.", 404)

    with pytest.raises(ClientError) as exc:
        iam.create_account_alias(AccountAlias="Bad_Alias")
    assert error(exc)[0] == "ValidationError"

    iam.delete_account_alias(AccountAlias=second)
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_alias_unique_across_accounts(iam_env: Env) -> None:
    """Another account on the same server cannot take an alias in use."""
    assert iam_env.new_account is not None
    _, key_id, secret = iam_env.new_account()
    theirs = iam_env.client(aws_access_key_id=key_id, aws_secret_access_key=secret)
    alias = unique("taken").lower()
    iam_env.client().create_account_alias(AccountAlias=alias)
    try:
        with pytest.raises(iam_env.client().exceptions.EntityAlreadyExistsException) as exc:
            theirs.create_account_alias(AccountAlias=alias)
        assert error(exc) == ("EntityAlreadyExists", f"The account alias {alias} already exists.", 409)
        with pytest.raises(ClientError) as exc:
            theirs.delete_account_alias(AccountAlias=alias)
        assert error(exc)[0] == "NoSuchEntity"
        # Each account sees only its own entities.
        assert theirs.list_users()["Users"] == []
    finally:
        iam_env.client().delete_account_alias(AccountAlias=alias)
