"""ChangePassword end to end: the caller's own password, by permission or by the account's
password policy, the old password proven first, the new one held to the policy."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.sts.helpers import allow, aws_cli, doc, error_of, make_role, make_user, sts_as, trust

pytestmark = pytest.mark.e2e

OLD, NEW = "Old-password-1", "New-password-2"


def refused(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    code, _, status = error_of(exc)
    return code, status


def user_with_password(server: Server, policy: str | None) -> Any:
    user = make_user(server, policy=policy)
    server.client("iam").create_login_profile(UserName=user.name, Password=OLD, PasswordResetRequired=True)
    return user


def test_change_own_password_with_permission(server: Server) -> None:
    user = user_with_password(server, doc(allow("iam:ChangePassword", "arn:aws:iam::*:user/${aws:username}")))
    iam = server.client("iam", **user.creds.kwargs())
    assert refused(iam.change_password, OldPassword="wrong-Password-9", NewPassword=NEW) == ("AccessDenied", 403)
    assert refused(iam.change_password, OldPassword=OLD, NewPassword="short") == ("PasswordPolicyViolation", 400)
    iam.change_password(OldPassword=OLD, NewPassword=NEW)
    profile = server.client("iam").get_login_profile(UserName=user.name)["LoginProfile"]
    assert profile["PasswordResetRequired"] is False
    # The old password no longer proves anything; the new one does.
    assert refused(iam.change_password, OldPassword=OLD, NewPassword="Third-password-3") == ("AccessDenied", 403)
    iam.change_password(OldPassword=NEW, NewPassword="Third-password-3")


def test_without_permission_only_when_the_policy_allows(server: Server) -> None:
    user = user_with_password(server, None)
    iam = server.client("iam", **user.creds.kwargs())
    assert refused(iam.change_password, OldPassword=OLD, NewPassword=NEW) == ("AccessDenied", 403)
    root = server.client("iam")
    root.update_account_password_policy(MinimumPasswordLength=8, AllowUsersToChangePassword=True)
    try:
        iam.change_password(OldPassword=OLD, NewPassword=NEW)
    finally:
        root.delete_account_password_policy()


def _bounded_to_s3(server: Server, user: Any) -> None:
    root = server.client("iam")
    arn = root.create_policy(PolicyName=f"s3-only-{user.name}", PolicyDocument=doc(allow("s3:*")))["Policy"]["Arn"]
    root.put_user_permissions_boundary(UserName=user.name, PermissionsBoundary=arn)


@pytest.mark.parametrize(
    ("policy", "bound"),
    [
        # A quarantined user: an explicit Deny of everything.
        (doc({"Effect": "Deny", "Action": "*", "Resource": "*"}), False),
        (None, True),
    ],
    ids=["explicit-deny", "boundary"],
)
def test_the_account_setting_does_not_override_a_deny_or_a_boundary(
    server: Server, policy: str | None, bound: bool
) -> None:
    """AllowUsersToChangePassword grants beside the identity policies: whatever refuses the
    user (a Deny, a boundary that does not allow it) still refuses it."""
    user = user_with_password(server, policy)
    if bound:
        _bounded_to_s3(server, user)
    iam = server.client("iam", **user.creds.kwargs())
    root = server.client("iam")
    root.update_account_password_policy(MinimumPasswordLength=8, AllowUsersToChangePassword=True)
    try:
        assert refused(iam.change_password, OldPassword=OLD, NewPassword=NEW) == ("AccessDenied", 403)
    finally:
        root.delete_account_password_policy()


def test_only_iam_users(server: Server) -> None:
    assert refused(server.client("iam").change_password, OldPassword=OLD, NewPassword=NEW) == ("InvalidUserType", 400)
    caller = make_user(server, policy=doc(allow("sts:AssumeRole")))
    role = make_role(server, doc(trust(caller.arn)), policy=doc(allow("iam:*")))
    r = sts_as(server, caller.creds).assume_role(RoleArn=role["Arn"], RoleSessionName="session")
    c = r["Credentials"]
    session = server.client(
        "iam",
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    )
    assert refused(session.change_password, OldPassword=OLD, NewPassword=NEW) == ("InvalidUserType", 400)


def test_no_login_profile(server: Server) -> None:
    user = make_user(server, policy=doc(allow("iam:ChangePassword")))
    iam = server.client("iam", **user.creds.kwargs())
    assert refused(iam.change_password, OldPassword=OLD, NewPassword=NEW) == ("NoSuchEntity", 404)


def test_aws_cli(server: Server) -> None:
    user = user_with_password(server, doc(allow("iam:ChangePassword")))
    out = aws_cli(server, "iam", "change-password", "--old-password", OLD, "--new-password", NEW, creds=user.creds)
    assert out.returncode == 0, out.stderr
