"""Login profiles and the account password policy, end to end.

The password policy is account-wide, so these tests run in accounts of their own
(``iam_env.new_account``) and leave the shared one alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.iam.fixtures_a import Env, iam_env, user_env
from tests.iam.fixtures_b import error_of, unique

pytestmark = pytest.mark.e2e
__all__ = ["iam_env"]

VIOLATION = ("PasswordPolicyViolation", "Password does not conform to the account password policy.", 400)


def own_account(env: Env) -> tuple[Any, str, Any]:
    """A client of a new account, its id, and a second client with boto3's own parameter
    validation off (to reach the server's)."""
    assert env.new_account is not None
    account_id, key_id, secret = env.new_account()
    creds = {"aws_access_key_id": key_id, "aws_secret_access_key": secret}
    raw = env.client(**creds, config={"parameter_validation": False})
    return env.client(**creds), account_id, raw


def test_password_policy_lifecycle(iam_env: Env) -> None:
    iam, account_id, raw = own_account(iam_env)
    missing = ("NoSuchEntity", f"The Password Policy with domain name {account_id} cannot be found.", 404)
    with pytest.raises(ClientError) as exc:
        iam.get_account_password_policy()
    assert error_of(exc) == missing
    with pytest.raises(ClientError) as exc:
        iam.delete_account_password_policy()
    # Delete words it otherwise than Get.
    assert error_of(exc) == ("NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.", 404)

    # An empty update stores AWS's documented defaults.
    iam.update_account_password_policy()
    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "MinimumPasswordLength": 6,
        "RequireSymbols": False,
        "RequireNumbers": False,
        "RequireUppercaseCharacters": False,
        "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": False,
        "ExpirePasswords": False,
    }
    iam.update_account_password_policy(
        MinimumPasswordLength=12, RequireSymbols=True, MaxPasswordAge=90, PasswordReusePrevention=5, HardExpiry=True
    )
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 12 and policy["RequireSymbols"] is True
    assert policy["MaxPasswordAge"] == 90 and policy["ExpirePasswords"] is True
    assert policy["PasswordReusePrevention"] == 5 and policy["HardExpiry"] is True

    # The model's bounds, checked by the server before anything is stored (boto3's own
    # check is turned off to reach it).
    for bad in ({"MinimumPasswordLength": 5}, {"MaxPasswordAge": 1096}, {"PasswordReusePrevention": 25}):
        with pytest.raises(ClientError) as exc:
            raw.update_account_password_policy(**bad)
        assert error_of(exc)[0::2] == ("ValidationError", 400)
    assert iam.get_account_password_policy()["PasswordPolicy"] == policy

    # A later update replaces the whole policy.
    iam.update_account_password_policy(RequireNumbers=True)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 6 and policy["RequireSymbols"] is False
    assert "MaxPasswordAge" not in policy and policy["ExpirePasswords"] is False
    iam.delete_account_password_policy()
    with pytest.raises(ClientError) as exc:
        iam.get_account_password_policy()
    assert error_of(exc) == missing


def test_login_profile_lifecycle(iam_env: Env) -> None:
    iam, _, _ = own_account(iam_env)
    name = unique("console")
    iam.create_user(UserName=name)
    with pytest.raises(ClientError) as exc:
        iam.get_login_profile(UserName=name)
    assert error_of(exc) == ("NoSuchEntity", f"Login Profile for User {name} cannot be found.", 404)

    made = iam.create_login_profile(UserName=name, Password="Correct-Horse-9", PasswordResetRequired=True)
    assert made["LoginProfile"]["UserName"] == name
    assert made["LoginProfile"]["PasswordResetRequired"] is True
    got = iam.get_login_profile(UserName=name)["LoginProfile"]
    assert got["CreateDate"] == made["LoginProfile"]["CreateDate"] and got["PasswordResetRequired"] is True

    with pytest.raises(ClientError) as exc:
        iam.create_login_profile(UserName=name, Password="Another-Horse-9")
    assert error_of(exc) == ("EntityAlreadyExists", f"Login Profile for user {name} already exists.", 409)

    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=name)
    assert error_of(exc) == ("DeleteConflict", "Cannot delete entity, must delete login profile first.", 409)
    assert iam.get_user(UserName=name)["User"]["UserName"] == name
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is True

    iam.update_login_profile(UserName=name, PasswordResetRequired=False)
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is False
    iam.update_login_profile(UserName=name, Password="Brand-New-Pass-7")
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is False

    iam.delete_login_profile(UserName=name)
    with pytest.raises(ClientError) as exc:
        iam.delete_login_profile(UserName=name)
    assert error_of(exc) == ("NoSuchEntity", f"Login Profile for User {name} cannot be found.", 404)
    with pytest.raises(ClientError) as exc:
        iam.update_login_profile(UserName=name, PasswordResetRequired=True)
    assert error_of(exc)[0] == "NoSuchEntity"
    iam.delete_user(UserName=name)
    with pytest.raises(ClientError) as exc:
        iam.create_login_profile(UserName=name, Password="Correct-Horse-9")
    assert error_of(exc) == ("NoSuchEntity", f"The user with name {name} cannot be found.", 404)


def test_passwords_follow_the_policy(iam_env: Env) -> None:
    iam, _, _ = own_account(iam_env)
    name = unique("pw")
    iam.create_user(UserName=name)
    # No policy set: AWS's default one (8 characters, three of four character classes).
    for weak in ("Sh0rt!", "alllowercaseletters", "lowercase123"):
        with pytest.raises(ClientError) as exc:
            iam.create_login_profile(UserName=name, Password=weak)
        assert error_of(exc) == VIOLATION
    with pytest.raises(ClientError) as exc:
        iam.get_login_profile(UserName=name)
    assert error_of(exc)[0] == "NoSuchEntity"  # nothing was stored

    iam.update_account_password_policy(MinimumPasswordLength=10, RequireNumbers=True, RequireSymbols=True)
    for weak in ("Ab1!", "NoNumbersHere!", "NoSymbols1234"):
        with pytest.raises(ClientError) as exc:
            iam.create_login_profile(UserName=name, Password=weak)
        assert error_of(exc) == VIOLATION
    iam.create_login_profile(UserName=name, Password="lower-case-1")  # case is not required by this policy
    with pytest.raises(ClientError) as exc:
        iam.update_login_profile(UserName=name, Password="short1!")
    assert error_of(exc) == VIOLATION
    iam.update_login_profile(UserName=name, Password="long-enough-2")
    iam.delete_login_profile(UserName=name)
    iam.delete_user(UserName=name)
    iam.delete_account_password_policy()


def test_password_is_stored_only_as_a_hash() -> None:
    from credmint.iam import passwords

    stored = passwords.hash_password("Correct-Horse-9")
    assert "Correct-Horse-9" not in stored and stored.startswith("scrypt$")
    assert stored != passwords.hash_password("Correct-Horse-9")  # salted
    assert passwords.verify_password("Correct-Horse-9", stored)
    assert not passwords.verify_password("correct-horse-9", stored)


def test_user_without_permissions_is_refused(iam_env: Env) -> None:
    iam = iam_env.client()
    target = unique("target")
    iam.create_user(UserName=target)
    as_user, _ = user_env(iam_env, unique("nobody"))
    client = as_user.client()
    calls: list[Callable[[], object]] = [
        lambda: client.create_login_profile(UserName=target, Password="Correct-Horse-9"),
        lambda: client.get_login_profile(UserName=target),
        lambda: client.update_login_profile(UserName=target, PasswordResetRequired=True),
        lambda: client.delete_login_profile(UserName=target),
        lambda: client.get_account_password_policy(),
        lambda: client.update_account_password_policy(MinimumPasswordLength=20),
        lambda: client.delete_account_password_policy(),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[0::2] == ("AccessDenied", 403)
    with pytest.raises(ClientError) as exc:
        iam.get_login_profile(UserName=target)
    assert error_of(exc)[0] == "NoSuchEntity"
    iam.delete_user(UserName=target)


def test_login_profiles_with_the_aws_cli(iam_env: Env) -> None:
    import os
    import subprocess
    import sys

    assert iam_env.cli is not None
    url, env = iam_env.cli
    name = unique("clipw")
    iam_env.client().create_user(UserName=name)
    aws = os.path.join(os.path.dirname(sys.executable), "aws")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [aws, "iam", *args, "--endpoint-url", url, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    made = cli(
        "create-login-profile", "--user-name", name, "--password", "Correct-Horse-9", "--password-reset-required"
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["LoginProfile"]["PasswordResetRequired"] is True
    refused = cli("delete-user", "--user-name", name)
    assert (
        "(DeleteConflict) when calling the DeleteUser operation: Cannot delete entity, must delete login profile first."
        in (refused.stderr)
    )
    assert cli("delete-login-profile", "--user-name", name).returncode == 0
    assert cli("delete-user", "--user-name", name).returncode == 0
