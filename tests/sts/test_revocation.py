"""Revoking a role's active sessions the way IAM's console does: an inline Deny on
``aws:TokenIssueTime``; sessions issued later are unaffected, and a deleted role or user
ends its sessions at once."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.sts.helpers import Creds, allow, doc, make_role, make_user, sts_as, trust

pytestmark = pytest.mark.e2e


def _session(server: Server, user_creds: Creds, role_arn: str) -> Creds:
    c = sts_as(server, user_creds).assume_role(RoleArn=role_arn, RoleSessionName="revocable")["Credentials"]
    return Creds(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


def test_revoke_older_sessions_by_token_issue_time(server: Server) -> None:
    user = make_user(server, policy=doc(allow("sts:AssumeRole")))
    role = make_role(server, doc(trust(user.arn)), policy=doc(allow("iam:ListRoles")))
    old = _session(server, user.creds, role["Arn"])
    server.client("iam", **old.kwargs()).list_roles(MaxItems=1)
    time.sleep(1.1)  # token issue times have one-second resolution
    cutoff = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    server.client("iam").put_role_policy(
        RoleName=role["RoleName"],
        PolicyName="AWSRevokeOlderSessions",
        PolicyDocument=doc(
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}},
            }
        ),
    )
    with pytest.raises(ClientError) as exc:
        server.client("iam", **old.kwargs()).list_roles(MaxItems=1)
    assert exc.value.response["Error"]["Code"] == "AccessDenied"
    assert "with an explicit deny in an identity-based policy" in exc.value.response["Error"]["Message"]
    time.sleep(1.1)
    fresh = _session(server, user.creds, role["Arn"])
    server.client("iam", **fresh.kwargs()).list_roles(MaxItems=1)


def test_deleted_role_ends_its_sessions(server: Server) -> None:
    user = make_user(server, policy=doc(allow("sts:AssumeRole")))
    role = make_role(server, doc(trust(user.arn)))
    session = _session(server, user.creds, role["Arn"])
    sts = server.client("sts", **session.kwargs())
    assert sts.get_caller_identity()["Arn"].endswith(f":assumed-role/{role['RoleName']}/revocable")
    server.client("iam").delete_role(RoleName=role["RoleName"])
    with pytest.raises(ClientError) as exc:
        sts.get_caller_identity()
    assert exc.value.response["Error"]["Code"] == "InvalidClientTokenId"


def _delete_user(server: Server, name: str, key_id: str) -> None:
    iam = server.client("iam")
    iam.delete_access_key(UserName=name, AccessKeyId=key_id)
    iam.delete_user_policy(UserName=name, PolicyName="p")
    iam.delete_user(UserName=name)


@pytest.mark.parametrize(
    "issue",
    [
        pytest.param(lambda sts: sts.get_session_token(), id="GetSessionToken"),
        # A federated user's session is bounded by the user who asked for it: a resource
        # policy naming the federated user must not outlive that user.
        pytest.param(lambda sts: sts.get_federation_token(Name="fed", Policy=doc(allow("*"))), id="GetFederationToken"),
    ],
)
def test_deleted_user_ends_its_sessions(server: Server, issue: Any) -> None:
    user = make_user(server, policy=doc(allow("*")))
    session = Creds.of(issue(sts_as(server, user.creds)))
    sts = server.client("sts", **session.kwargs())
    sts.get_caller_identity()
    _delete_user(server, user.name, user.creds.access_key_id)
    with pytest.raises(ClientError) as exc:
        sts.get_caller_identity()
    assert exc.value.response["Error"]["Code"] == "InvalidClientTokenId"
