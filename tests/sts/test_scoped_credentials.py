"""GetScopedCredentials end to end: the same identity, never more permissions, never more time."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.sts.helpers import Creds, allow, aws_cli, doc, error_of, make_role, make_user, sts_as, trust

pytestmark = pytest.mark.e2e

ROLE_POLICY = doc(allow(["iam:ListUsers", "iam:ListRoles", "iam:GetUser", "sts:GetScopedCredentials"]))
ONLY_LIST_USERS = doc(allow("iam:ListUsers"))


def role_session(server: Server, policy: str = ROLE_POLICY, **assume: Any) -> tuple[dict[str, Any], Creds]:
    actions = ["sts:AssumeRole", "sts:SetSourceIdentity"]
    caller = make_user(server, policy=doc(allow(actions)))
    role = make_role(server, doc(trust(caller.arn, actions)), policy=policy)
    r = sts_as(server, caller.creds).assume_role(RoleArn=role["Arn"], RoleSessionName="agent", **assume)
    return r, Creds.of(r)


def iam_as(server: Server, creds: Creds) -> Any:
    return server.client("iam", **creds.kwargs())


def scoped(server: Server, creds: Creds, **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = sts_as(server, creds).get_scoped_credentials(**params)
    return result


def denied(fn: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    return error_of(exc)[0]


def test_keeps_identity_and_narrows(server: Server) -> None:
    assumed, creds = role_session(server, SourceIdentity="alice-src")
    r = scoped(server, creds, Policy=ONLY_LIST_USERS, ScopedSessionDescription="read-only agent")
    new = Creds.of(r)
    assert new.access_key_id.startswith("ASIA") and new.access_key_id != creds.access_key_id
    arn = assumed["AssumedRoleUser"]["Arn"]
    assert r["SessionInfo"] == {"ScopedSessionId": assumed["AssumedRoleUser"]["AssumedRoleId"], "Arn": arn}
    assert r["ScopedPoliciesCount"] == 1
    assert r["SourceIdentity"] == "alice-src"
    assert r["SessionTokenSize"] == len(new.session_token or "")
    assert 0 < r["SessionTokenUtilization"] <= 100
    # Without a DurationSeconds the scoped credentials expire with the caller's.
    assert r["Credentials"]["Expiration"] == assumed["Credentials"]["Expiration"]
    ident = sts_as(server, new).get_caller_identity()
    assert (ident["Arn"], ident["UserId"]) == (arn, assumed["AssumedRoleUser"]["AssumedRoleId"])
    iam_as(server, new).list_users()  # inside both the role's policy and the scope
    assert denied(iam_as(server, new).list_roles) == "AccessDenied"  # the role may; the scope may not
    iam_as(server, creds).list_roles()  # the calling session keeps its permissions


def test_scope_cannot_widen(server: Server) -> None:
    _, creds = role_session(server)
    r = scoped(server, creds, Policy=doc(allow("*")))
    new = Creds.of(r)
    iam_as(server, new).list_users()
    assert denied(iam_as(server, new).create_user, UserName="not-granted-by-the-role") == "AccessDenied"


def test_layers_intersect_and_stop_at_three(server: Server) -> None:
    _, creds = role_session(server)
    first = Creds.of(scoped(server, creds, Policy=doc(allow(["iam:ListUsers", "iam:ListRoles", "sts:*"]))))
    second_r = scoped(server, first, Policy=doc(allow(["iam:ListRoles", "sts:*"])))
    assert second_r["ScopedPoliciesCount"] == 2
    second = Creds.of(second_r)
    iam_as(server, second).list_roles()
    # The first layer allows ListUsers, the second does not: every layer must allow.
    assert denied(iam_as(server, second).list_users) == "AccessDenied"
    third = Creds.of(scoped(server, second, Policy=doc(allow(["iam:ListRoles", "sts:*"]))))
    assert denied(sts_as(server, third).get_scoped_credentials, Policy=doc(allow("iam:ListRoles"))) == "AccessDenied"
    # Shortening without a new policy is still possible on the third layer.
    assert scoped(server, third, DurationSeconds=60)["ScopedPoliciesCount"] == 3


def test_explicit_deny_in_scope_wins(server: Server) -> None:
    _, creds = role_session(server)
    scope = doc(allow("*"), {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"})
    new = Creds.of(scoped(server, creds, Policy=scope))
    assert denied(iam_as(server, new).list_users) == "AccessDenied"
    iam_as(server, new).list_roles()


def test_duration_shortens_but_never_extends(server: Server) -> None:
    assumed, creds = role_session(server, DurationSeconds=900)
    r = scoped(server, creds, DurationSeconds=60)
    lifetime = (r["Credentials"]["Expiration"] - assumed["Credentials"]["Expiration"]).total_seconds()
    assert -900 < lifetime < -800
    with pytest.raises(ClientError) as exc:
        scoped(server, creds, DurationSeconds=3600)
    assert error_of(exc)[0::2] == ("InsufficientSessionLifetime", 400)


def test_refused_for_long_term_and_root_credentials(server: Server) -> None:
    user = make_user(server, policy=doc(allow("sts:GetScopedCredentials")))
    for client in (sts_as(server, user.creds), server.client("sts")):
        with pytest.raises(ClientError) as exc:
            client.get_scoped_credentials(Policy=ONLY_LIST_USERS)
        assert error_of(exc)[0::2] == ("InvalidSubjectCredentials", 400)


def test_get_session_token_sessions_may_scope(server: Server) -> None:
    user = make_user(server, policy=doc(allow(["sts:GetScopedCredentials", "iam:ListUsers"])))
    session = Creds.of(sts_as(server, user.creds).get_session_token())
    r = scoped(server, session, DurationSeconds=120)
    assert sts_as(server, Creds.of(r)).get_caller_identity()["Arn"] == user.arn


def test_needs_permission_and_parameters(server: Server) -> None:
    _, creds = role_session(server, policy=doc(allow("iam:ListUsers")))
    assert denied(sts_as(server, creds).get_scoped_credentials, Policy=ONLY_LIST_USERS) == "AccessDenied"
    _, creds = role_session(server)
    with pytest.raises(ClientError) as exc:
        sts_as(server, creds).get_scoped_credentials()
    assert error_of(exc)[0::2] == ("ValidationError", 400)
    with pytest.raises(ClientError) as exc:
        scoped(server, creds, Policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}')
    assert error_of(exc)[0::2] == ("MalformedPolicyDocument", 400)


def test_minimum_session_token_size(server: Server) -> None:
    _, creds = role_session(server)
    r = scoped(server, creds, DurationSeconds=300, MinimumSessionTokenSize=4096)
    token = r["Credentials"]["SessionToken"]
    assert len(token) >= 4096 and r["SessionTokenSize"] == len(token)
    # The padded token still works.
    assert sts_as(server, Creds.of(r)).get_caller_identity()["Arn"].startswith("arn:aws:sts::")


def test_deleted_role_ends_scoped_sessions(server: Server) -> None:
    assumed, creds = role_session(server)
    new = Creds.of(scoped(server, creds, Policy=ONLY_LIST_USERS))
    role_name = assumed["AssumedRoleUser"]["Arn"].split("/")[1]
    iam = server.client("iam")
    iam.delete_role_policy(RoleName=role_name, PolicyName="p")
    iam.delete_role(RoleName=role_name)
    assert denied(iam_as(server, new).list_users) == "InvalidClientTokenId"


def test_aws_cli_uses_scoped_credentials(server: Server) -> None:
    # Scoped credentials work in the AWS CLI like any others (the CLI requesting them is in
    # tests/sts/test_cli_newest.py).
    assumed, creds = role_session(server)
    new = Creds.of(scoped(server, creds, Policy=ONLY_LIST_USERS))
    ident = aws_cli(server, "sts", "get-caller-identity", creds=new)
    assert ident.returncode == 0, ident.stderr
    assert json.loads(ident.stdout)["Arn"] == assumed["AssumedRoleUser"]["Arn"]
    assert aws_cli(server, "iam", "list-users", creds=new).returncode == 0
    refused = aws_cli(server, "iam", "list-roles", creds=new)
    assert refused.returncode != 0 and "AccessDenied" in refused.stderr


def test_audit_trail_shows_the_scoped_session(server: Server) -> None:
    _, creds = role_session(server)
    r = scoped(server, creds, Policy=ONLY_LIST_USERS, ScopedSessionDescription="nightly report")
    new = Creds.of(r)
    trail = "".join(p.read_text() for p in (server.data_dir / "audit").glob("audit-*.jsonl"))
    found = [json.loads(line) for line in trail.splitlines() if r["ResponseMetadata"]["RequestId"] in line]
    assert len(found) == 1
    rec = found[0]
    assert rec["eventName"] == "GetScopedCredentials"
    assert rec["userIdentity"]["accessKeyId"] == creds.access_key_id
    assert rec["requestParameters"]["scopedSessionDescription"] == "nightly report"
    assert rec["responseElements"]["credentials"]["accessKeyId"] == new.access_key_id
    assert new.secret_access_key not in trail and (new.session_token or "") not in trail
