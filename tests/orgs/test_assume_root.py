"""Centralized root access: IAM's feature switches and STS AssumeRoot (the seed's unlock)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization, client, error_of, make_user, unique
from tests.sts.helpers import Creds, aws_cli

UNLOCK = "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"


@pytest.fixture
def org(server: Server) -> Organization:
    org = Organization.create(server)
    org.enable_root_sessions()
    return org


def _assume_root(server: Server, caller: Creds, target: str, task: str = UNLOCK, **kwargs: Any) -> Any:
    sts = client(server, "sts", caller, config={"parameter_validation": False})
    return sts.assume_root(TargetPrincipal=target, TaskPolicyArn={"arn": task}, **kwargs)


def _locked_bucket(server: Server, org: Organization, member: str) -> tuple[str, Any]:
    """A bucket in ``member`` whose policy denies everyone everything."""
    s3 = client(server, "s3", org.enter(member))
    bucket = unique("locked")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data", Body=b"kept")
    lock = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(lock))
    return bucket, s3


def test_seed_assume_root_unlocks_a_bucket(server: Server, org: Organization) -> None:
    member = org.add_member()
    bucket, member_s3 = _locked_bucket(server, org, member)
    calls: list[Callable[[], Any]] = [
        lambda: member_s3.get_object(Bucket=bucket, Key="data"),
        lambda: member_s3.delete_bucket_policy(Bucket=bucket),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[0] == "AccessDenied"

    # The seed's command, run by an administrator of the management account.
    out = aws_cli(
        server,
        "sts",
        "assume-root",
        "--duration-seconds",
        "900",
        "--target-principal",
        member,
        "--task-policy-arn",
        f"arn={UNLOCK}",
        creds=org.admin.creds,
    )
    assert out.returncode == 0, out.stderr
    issued = datetime.now(UTC)
    answer = json.loads(out.stdout)
    assert set(answer) == {"Credentials"}
    root = Creds.of(answer)
    assert root.access_key_id.startswith("ASIA")
    expiration = datetime.fromisoformat(answer["Credentials"]["Expiration"].replace("Z", "+00:00"))
    assert abs((expiration - issued).total_seconds() - 900) < 30

    identity = client(server, "sts", root).get_caller_identity()
    assert identity == {**identity, "Account": member, "Arn": f"arn:aws:iam::{member}:root", "UserId": member}

    deleted = aws_cli(server, "s3api", "delete-bucket-policy", "--bucket", bucket, creds=root)
    assert deleted.returncode == 0, deleted.stderr
    assert member_s3.get_object(Bucket=bucket, Key="data")["Body"].read() == b"kept"


def test_root_session_can_do_nothing_but_its_task(server: Server, org: Organization) -> None:
    member = org.add_member()
    bucket, _ = _locked_bucket(server, org, member)
    root = Creds.of(_assume_root(server, org.admin.creds, member))
    s3 = client(server, "s3", root)
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Effect"] == "Deny"
    s3.list_buckets()
    calls: list[Callable[[], Any]] = [
        lambda: s3.get_object(Bucket=bucket, Key="data"),
        lambda: s3.put_object(Bucket=bucket, Key="x", Body=b"x"),
        lambda: s3.create_bucket(Bucket=unique("nope")),
        lambda: client(server, "iam", root).create_user(UserName=unique("nope")),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[0] == "AccessDenied"
    # Another task's session may not touch bucket policies at all.
    audit = Creds.of(
        _assume_root(server, org.admin.creds, member, "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")
    )
    with pytest.raises(ClientError) as exc:
        client(server, "s3", audit).delete_bucket_policy(Bucket=bucket)
    assert error_of(exc)[0] == "AccessDenied"
    # A root session cannot start other sessions.
    with pytest.raises(ClientError) as exc:
        _assume_root(server, root, member)
    assert error_of(exc)[0] == "AccessDenied"


def test_refusals(server: Server, org: Organization) -> None:
    member = org.add_member()
    admin = org.admin.creds
    cases: list[tuple[Creds, dict[str, Any], str]] = [
        # Root user credentials may not call AssumeRoot.
        (org.management.root, {}, "AccessDenied"),
        # Only the root-task policies.
        (admin, {"task": "arn:aws:iam::aws:policy/AdministratorAccess"}, "ValidationError"),
        (admin, {"task": "arn:aws:iam::aws:policy/root-task/Nonexistent"}, "ValidationError"),
        # At most 900 seconds (the model's bound).
        (admin, {"DurationSeconds": 901}, "ValidationError"),
        # Not the management account itself, nor an account outside the organization.
        (admin, {"target": org.management.account_id}, "AccessDenied"),
        (admin, {"target": "999999999999"}, "AccessDenied"),
    ]
    for caller, extra, code in cases:
        target = extra.pop("target", member)
        task = extra.pop("task", UNLOCK)
        with pytest.raises(ClientError) as exc:
            _assume_root(server, caller, target, task, **extra)
        assert error_of(exc)[0] == code, (extra, error_of(exc))

    # A principal of the management account without sts:AssumeRoot.
    limited = make_user(
        server,
        org.management.root,
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
    )
    with pytest.raises(ClientError) as exc:
        _assume_root(server, limited.creds, member)
    assert error_of(exc)[1] == (
        f"User: {limited.arn} is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::{member}:root"
    )
    # sts:TaskPolicyArn scopes what a principal may ask for.
    scoped = make_user(
        server,
        org.management.root,
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRoot",
                        "Resource": f"arn:aws:iam::{member}:root",
                        "Condition": {"StringEquals": {"sts:TaskPolicyArn": UNLOCK}},
                    }
                ],
            }
        ),
    )
    _assume_root(server, scoped.creds, member)
    with pytest.raises(ClientError) as exc:
        _assume_root(server, scoped.creds, member, "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials")
    assert error_of(exc)[0] == "AccessDenied"
    # A member account's principals are neither management nor delegated administrator.
    with pytest.raises(ClientError) as exc:
        _assume_root(server, org.enter(member), member)
    assert error_of(exc)[0] == "AccessDenied"


def test_refused_until_root_sessions_are_enabled(server: Server) -> None:
    org = Organization.create(server)
    member = org.add_member()
    iam = client(server, "iam", org.management.root)
    with pytest.raises(ClientError) as exc:
        iam.enable_organizations_root_sessions()
    assert error_of(exc)[0] == "ServiceAccessNotEnabledException"
    org.orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    assert iam.list_organizations_features()["EnabledFeatures"] == []
    iam.enable_organizations_root_credentials_management()
    with pytest.raises(ClientError) as exc:
        _assume_root(server, org.admin.creds, member)
    assert error_of(exc)[0] == "AccessDenied"
    answer = iam.enable_organizations_root_sessions()
    assert answer["OrganizationId"] == org.org_id
    assert answer["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    _assume_root(server, org.admin.creds, member)
    assert iam.disable_organizations_root_sessions()["EnabledFeatures"] == ["RootCredentialsManagement"]
    with pytest.raises(ClientError) as exc:
        _assume_root(server, org.admin.creds, member)
    assert error_of(exc)[0] == "AccessDenied"


def test_root_access_features_need_the_management_account(server: Server, org: Organization) -> None:
    member = org.add_member()
    member_iam = client(server, "iam", org.enter(member))
    with pytest.raises(ClientError) as exc:
        member_iam.enable_organizations_root_sessions()
    assert error_of(exc)[0] == "CallerIsNotManagementAccountException"
    with pytest.raises(ClientError) as exc:
        member_iam.list_organizations_features()
    assert error_of(exc)[0] == "AccountNotManagementOrDelegatedAdministratorException"
    lone = Account.create(server)
    with pytest.raises(ClientError) as exc:
        client(server, "iam", lone.root).list_organizations_features()
    assert error_of(exc)[0] == "OrganizationNotFoundException"


def test_delegated_administrator_may_assume_root(server: Server, org: Organization) -> None:
    security = org.add_member("security")
    workload = org.add_member("workload")
    org.orgs.register_delegated_administrator(AccountId=security, ServicePrincipal="iam.amazonaws.com")
    delegated = org.enter(security)
    assert client(server, "iam", delegated).list_organizations_features()["EnabledFeatures"] == [
        "RootCredentialsManagement",
        "RootSessions",
    ]
    root = Creds.of(_assume_root(server, delegated, workload, DurationSeconds=60))
    assert client(server, "sts", root).get_caller_identity()["Arn"] == f"arn:aws:iam::{workload}:root"


def test_not_on_the_global_endpoint(server: Server, org: Organization) -> None:
    """A request addressed to sts.amazonaws.com (a node answering for AWS's global name) is refused."""
    member = org.add_member()
    body = (
        "Action=AssumeRoot&Version=2011-06-15&TargetPrincipal="
        f"{member}&TaskPolicyArn.arn={UNLOCK.replace(':', '%3A').replace('/', '%2F')}"
    )
    request = AWSRequest(
        method="POST",
        url="https://sts.amazonaws.com/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    creds = org.admin.creds
    SigV4Auth(Credentials(creds.access_key_id, creds.secret_access_key), "sts", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = "sts.amazonaws.com"
    answer = httpx.post(server.url + "/", content=body, headers=headers)
    assert answer.status_code == 400, answer.text
    assert "<Code>ValidationError</Code>" in answer.text and "global STS endpoint" in answer.text
    # The same request addressed to this node's own name is a Regional call and succeeds.
    assert "Credentials" in _assume_root(server, creds, member)
