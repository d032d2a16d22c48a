"""Delegation requests end to end on a real ``credmint serve`` whose operator enabled one
partner account: the lifecycle, owner checks, the token delivered on the notification
channel and exchanged exactly once, and the template-based summary."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, new_account_id, start_server

pytestmark = pytest.mark.e2e

TEMPLATE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
    }
)
TEMPLATE_WITH_PARAMS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:ListUsers",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "{{Regions}}"}},
            }
        ],
    }
)


@dataclass
class Acct:
    account_id: str
    key: str
    secret: str


@pytest.fixture(scope="module")
def partner_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    account = new_account_id()
    srv = start_server(
        tmp_path_factory.mktemp("delegation"), account_id=account, extra_env={"CREDMINT_DELEGATION_ACCOUNTS": account}
    )
    yield srv
    srv.stop()


def new_account(server: Server) -> Acct:
    out = subprocess.run(
        [sys.executable, "-m", "credmint.cli.main", "account", "create"],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    found = dict(re.findall(r"export (AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)=(\S+)", out))
    account = re.search(r"account (\d{12})", out)
    assert account is not None, out
    return Acct(account.group(1), found["AWS_ACCESS_KEY_ID"], found["AWS_SECRET_ACCESS_KEY"])


def client(server: Server, service: str, acct: Acct | None = None, **creds: Any) -> Any:
    if acct is not None:
        creds = {"aws_access_key_id": acct.key, "aws_secret_access_key": acct.secret}
    return server.client(service, **creds)


def refused(fn: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    return str(exc.value.response["Error"]["Code"])


def template_arn(server: Server, document: str = TEMPLATE) -> str:
    arn: str = client(server, "iam").create_policy(PolicyName=f"t-{uuid.uuid4().hex[:8]}", PolicyDocument=document)[
        "Policy"
    ]["Arn"]
    return arn


def create(server: Server, channel: str, **extra: Any) -> str:
    args: dict[str, Any] = {
        "Description": "Read your user list",
        "Permissions": {"PolicyTemplateArn": template_arn(server)},
        "RequestorWorkflowId": f"wf-{uuid.uuid4().hex}",
        "NotificationChannel": channel,
        "SessionDuration": 900,
    }
    args.update(extra)
    out: dict[str, Any] = client(server, "iam").create_delegation_request(**args)
    return str(out["DelegationRequestId"])


def customer_admin(server: Server, customer: Acct) -> tuple[Any, str]:
    """An IAM user of the customer account allowed every delegation action; its IAM client."""
    iam = client(server, "iam", customer)
    name = f"admin-{uuid.uuid4().hex[:6]}"
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    iam.put_user_policy(
        UserName=name,
        PolicyName="p",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "iam:*DelegationRequest*",
                            "iam:SendDelegationToken",
                            "iam:GetHumanReadableSummary",
                            "iam:ListUsers",
                        ],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]), arn


def approver_role(server: Server, customer: Acct) -> tuple[Any, str, dict[str, Any]]:
    """A role of the customer account allowed the delegation actions and ListUsers: an IAM
    client of a session of it, the role's ARN, and the session's credentials."""
    iam = client(server, "iam", customer)
    name = f"approver-{uuid.uuid4().hex[:6]}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{customer.account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=name,
        PolicyName="p",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["iam:*DelegationRequest*", "iam:SendDelegationToken", "iam:ListUsers"],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    user = f"u-{name}"
    iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=user,
        PolicyName="p",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn}]}
        ),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    sts = server.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    c = sts.assume_role(RoleArn=arn, RoleSessionName="approver")["Credentials"]
    session = server.client(
        "iam",
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    )
    return session, arn, c


def delivered(server: Server, channel: str) -> list[dict[str, Any]]:
    path = Path(server.data_dir) / "notifications" / (re.sub(r"[^A-Za-z0-9_.-]", "_", channel) + ".jsonl")
    assert path.stat().st_mode & 0o077 == 0
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_lifecycle_and_single_use_token(partner_server: Server) -> None:
    customer = new_account(partner_server)
    channel = f"arn:aws:sns:us-east-1:{partner_server.account_id}:partner-{uuid.uuid4().hex[:6]}"
    rid = create(partner_server, channel, OwnerAccountId=customer.account_id, RequestMessage="ticket 42")
    admin, admin_arn = customer_admin(partner_server, customer)
    got = admin.get_delegation_request(DelegationRequestId=rid)["DelegationRequest"]
    assert got["State"] == "UNASSIGNED" and got["RequestorId"] == partner_server.account_id
    assert json.loads(got["PermissionPolicy"]) == json.loads(TEMPLATE)
    # Another account cannot see a request addressed to this one.
    stranger = new_account(partner_server)
    assert refused(client(partner_server, "iam", stranger).get_delegation_request, DelegationRequestId=rid) == (
        "NoSuchEntity"
    )
    # Accept before association: not in a state that can be accepted.
    assert refused(admin.accept_delegation_request, DelegationRequestId=rid) == "ConcurrentModification"
    admin.associate_delegation_request(DelegationRequestId=rid)
    assert admin.get_delegation_request(DelegationRequestId=rid)["DelegationRequest"]["OwnerId"] == admin_arn
    assert [r["DelegationRequestId"] for r in admin.list_delegation_requests()["DelegationRequests"]] == [rid]
    admin.update_delegation_request(DelegationRequestId=rid, Notes="please approve")
    assert admin.get_delegation_request(DelegationRequestId=rid)["DelegationRequest"]["State"] == "PENDING_APPROVAL"
    summary = admin.get_human_readable_summary(
        EntityArn=f"arn:aws:iam::{partner_server.account_id}:delegation-request/{rid}"
    )
    assert summary["SummaryState"] == "AVAILABLE"
    assert "not by a language model" in summary["SummaryContent"]
    assert "Allows iam:ListUsers on *." in summary["SummaryContent"]
    again = admin.get_human_readable_summary(
        EntityArn=f"arn:aws:iam::{partner_server.account_id}:delegation-request/{rid}"
    )
    assert again["SummaryContent"] == summary["SummaryContent"]  # deterministic
    assert refused(admin.send_delegation_token, DelegationRequestId=rid) == "InvalidInput"  # not accepted yet
    approver, approver_role_arn, _ = approver_role(partner_server, customer)
    approver.accept_delegation_request(DelegationRequestId=rid)
    assert admin.get_delegation_request(DelegationRequestId=rid)["DelegationRequest"]["ApproverId"].endswith(
        "/approver"
    )
    admin.send_delegation_token(DelegationRequestId=rid)
    assert admin.get_delegation_request(DelegationRequestId=rid)["DelegationRequest"]["State"] == "FINALIZED"
    assert refused(admin.reject_delegation_request, DelegationRequestId=rid) == "InvalidInput"  # cannot roll back
    [note] = [n for n in delivered(partner_server, channel) if n["DelegationRequestId"] == rid]
    token = note["TradeInToken"]

    # The customer cannot exchange it; the partner can, once.
    assert refused(client(partner_server, "sts", customer).get_delegated_access_token, TradeInToken=token) == (
        "AccessDenied"
    )
    sts = client(partner_server, "sts")
    out = sts.get_delegated_access_token(TradeInToken=token)
    assert out["AssumedPrincipal"] == approver_role_arn
    assert refused(sts.get_delegated_access_token, TradeInToken=token) == "ExpiredTradeInTokenException"
    c = out["Credentials"]
    delegated = partner_server.client(
        "iam",
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    )
    delegated.list_users()  # in both the role's policy and the permission policy
    assert refused(delegated.create_user, UserName="not-delegated") == "AccessDenied"


def test_reject_and_owner_checks(partner_server: Server) -> None:
    customer = new_account(partner_server)
    channel = f"partner-{uuid.uuid4().hex[:6]}"
    rid = create(partner_server, channel, OnlySendByOwner=True)
    admin, _ = customer_admin(partner_server, customer)
    other_admin, _ = customer_admin(partner_server, customer)
    admin.associate_delegation_request(DelegationRequestId=rid)
    # Owned now: another account's identities no longer see it.
    stranger = new_account(partner_server)
    assert refused(client(partner_server, "iam", stranger).get_delegation_request, DelegationRequestId=rid) == (
        "NoSuchEntity"
    )
    assert refused(other_admin.associate_delegation_request, DelegationRequestId=rid) == "InvalidInput"
    other_admin.accept_delegation_request(DelegationRequestId=rid)
    # OnlySendByOwner: the approver is not the owner.
    assert refused(other_admin.send_delegation_token, DelegationRequestId=rid) == "AccessDenied"
    admin.reject_delegation_request(DelegationRequestId=rid, Notes="no thanks")
    got = admin.get_delegation_request(DelegationRequestId=rid)["DelegationRequest"]
    assert (got["State"], got["RejectionReason"]) == ("REJECTED", "no thanks")
    assert refused(admin.accept_delegation_request, DelegationRequestId=rid) == "ConcurrentModification"


def test_partner_setting_and_parameters(partner_server: Server) -> None:
    customer = new_account(partner_server)
    iam = client(partner_server, "iam", customer)
    # Only accounts the operator enabled are partners.
    assert (
        refused(
            iam.create_delegation_request,
            Description="d",
            Permissions={"PolicyTemplateArn": "x" * 20},
            RequestorWorkflowId="wf-12345",
            NotificationChannel="ch",
            SessionDuration=900,
        )
        == "AccessDenied"
    )
    assert refused(client(partner_server, "sts", customer).get_delegated_access_token, TradeInToken="abc") == (
        "AccessDenied"
    )
    arn = template_arn(partner_server, TEMPLATE_WITH_PARAMS)
    rid = client(partner_server, "iam").create_delegation_request(
        Description="d",
        Permissions={
            "PolicyTemplateArn": arn,
            "Parameters": [{"Name": "Regions", "Values": ["us-east-1", "eu-west-1"], "Type": "stringList"}],
        },
        RequestorWorkflowId=f"wf-{uuid.uuid4().hex}",
        NotificationChannel="ch",
        SessionDuration=900,
    )["DelegationRequestId"]
    got = client(partner_server, "iam").get_delegation_request(DelegationRequestId=rid)["DelegationRequest"]
    rendered = json.loads(got["PermissionPolicy"])["Statement"][0]["Condition"]["StringEquals"]
    assert rendered["aws:RequestedRegion"] == ["us-east-1", "eu-west-1"]
    # A workflow id is unique per partner; a template with an unfilled parameter is refused.
    wf = f"wf-{uuid.uuid4().hex}"
    args = {"Description": "d", "RequestorWorkflowId": wf, "NotificationChannel": "ch", "SessionDuration": 900}
    client(partner_server, "iam").create_delegation_request(
        Permissions={"PolicyTemplateArn": template_arn(partner_server)}, **args
    )
    assert (
        refused(
            client(partner_server, "iam").create_delegation_request,
            Permissions={"PolicyTemplateArn": template_arn(partner_server)},
            **args,
        )
        == "EntityAlreadyExists"
    )
    args["RequestorWorkflowId"] = f"wf-{uuid.uuid4().hex}"
    assert (
        refused(client(partner_server, "iam").create_delegation_request, Permissions={"PolicyTemplateArn": arn}, **args)
        == "InvalidInput"
    )
    assert refused(client(partner_server, "sts").get_delegated_access_token, TradeInToken="forged") == (
        "ExpiredTradeInTokenException"
    )


def test_a_user_acceptor_maps_to_a_federated_session_of_that_user(partner_server: Server) -> None:
    customer = new_account(partner_server)
    channel = f"partner-{uuid.uuid4().hex[:6]}"
    rid = create(partner_server, channel, OwnerAccountId=customer.account_id)
    admin, admin_arn = customer_admin(partner_server, customer)
    admin.associate_delegation_request(DelegationRequestId=rid)
    admin.accept_delegation_request(DelegationRequestId=rid)
    admin.send_delegation_token(DelegationRequestId=rid)
    [note] = [n for n in delivered(partner_server, channel) if n["DelegationRequestId"] == rid]
    out = client(partner_server, "sts").get_delegated_access_token(TradeInToken=note["TradeInToken"])
    assert out["AssumedPrincipal"] == admin_arn
    c = out["Credentials"]
    who = partner_server.client(
        "sts",
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    ).get_caller_identity()
    assert who["Account"] == customer.account_id and ":federated-user/delegation-" in who["Arn"]


def test_with_the_aws_cli(partner_server: Server) -> None:
    """The AWS CLI on the delegation flow (the helper gives it the newest models through
    AWS_DATA_PATH; tests/iam/test_cli_delegation.py covers the request operations)."""
    from tests.sts.helpers import Creds, aws_cli

    customer = new_account(partner_server)
    channel = f"cli-{uuid.uuid4().hex[:6]}"
    permissions = json.dumps({"PolicyTemplateArn": template_arn(partner_server)})
    created = aws_cli(
        partner_server,
        "iam",
        "create-delegation-request",
        "--description",
        "cli",
        "--permissions",
        permissions,
        "--requestor-workflow-id",
        f"wf-{uuid.uuid4().hex}",
        "--notification-channel",
        channel,
        "--session-duration",
        "900",
        "--owner-account-id",
        customer.account_id,
    )
    assert created.returncode == 0, created.stderr
    rid = json.loads(created.stdout)["DelegationRequestId"]
    owner = Creds(customer.key, customer.secret)
    _, _, c = approver_role(partner_server, customer)
    session = Creds(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    for step in ("associate-delegation-request", "accept-delegation-request", "send-delegation-token"):
        done = aws_cli(partner_server, "iam", step, "--delegation-request-id", rid, creds=session)
        assert done.returncode == 0, (step, done.stderr)
    shown = aws_cli(partner_server, "iam", "get-delegation-request", "--delegation-request-id", rid, creds=owner)
    assert json.loads(shown.stdout)["DelegationRequest"]["State"] == "FINALIZED"
    [note] = [n for n in delivered(partner_server, channel) if n["DelegationRequestId"] == rid]
    # One argument with "=": a URL-safe token may begin with "-", which would read as an option.
    token_arg = "--trade-in-token=" + note["TradeInToken"]
    first = aws_cli(partner_server, "sts", "get-delegated-access-token", token_arg)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["Credentials"]["AccessKeyId"].startswith("ASIA")
    replay = aws_cli(partner_server, "sts", "get-delegated-access-token", token_arg)
    assert replay.returncode != 0 and "ExpiredTradeInTokenException" in replay.stderr


BASE = {"Effect": "Allow", "Action": ["iam:*DelegationRequest*"], "Resource": "*"}

#: (what the request asks for, the caller's identity policy statements besides BASE, the
#: boundary's statements or None, the model's answer).
CHECK_CASES: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]] | None, str]] = {
    "covered": (
        [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
        [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}],
        None,
        "ALLOWED",
    ),
    "not-granted": ([{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}], [], None, "DENIED"),
    "explicit-deny": (
        [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
        [
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"},
        ],
        None,
        "DENIED",
    ),
    "granted-under-a-condition": (
        [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
        [
            {
                "Effect": "Allow",
                "Action": "iam:ListUsers",
                "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            }
        ],
        None,
        "UNSURE",
    ),
    "wildcard-action-covered": (
        [{"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}],
        [{"Effect": "Allow", "Action": ["iam:List*"], "Resource": "*"}],
        None,
        "ALLOWED",
    ),
    "wildcard-action-partly-granted": (
        [{"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}],
        [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
        None,
        "DENIED",
    ),
    "wildcard-of-an-unknown-service": (
        [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}],
        [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        None,
        "UNSURE",
    ),
    "resource-set-covered": (
        [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
        [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports*"}],
        None,
        "ALLOWED",
    ),
    "resource-set-partly-granted": (
        [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
        [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/2026/*"}],
        None,
        "DENIED",
    ),
    "a-deny-reaching-part-of-the-set": (
        [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
        [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/secret/*"},
        ],
        None,
        "DENIED",
    ),
    "boundary-refuses": (
        [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
        [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}],
        [{"Effect": "Allow", "Action": ["iam:Get*", "iam:*DelegationRequest*"], "Resource": "*"}],
        "DENIED",
    ),
    "boundary-allows": (
        [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
        [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}],
        [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}],
        "ALLOWED",
    ),
    "open-ended-ask": (
        [{"Effect": "Allow", "NotAction": "iam:DeleteUser", "Resource": "*"}],
        [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        None,
        "UNSURE",
    ),
}


@pytest.mark.parametrize("case", sorted(CHECK_CASES))
def test_the_delegation_permission_check(partner_server: Server, case: str) -> None:
    """GetDelegationRequest with DelegationPermissionCheck: whether the caller's identity
    policies, boundary (and SCPs) cover what the request asks, in the model's three answers."""
    asks, granted, boundary, expected = CHECK_CASES[case]
    customer = new_account(partner_server)
    template = template_arn(partner_server, json.dumps({"Version": "2012-10-17", "Statement": asks}))
    rid = create(
        partner_server,
        f"c-{uuid.uuid4().hex[:6]}",
        OwnerAccountId=customer.account_id,
        Permissions={"PolicyTemplateArn": template},
    )
    iam = client(partner_server, "iam", customer)
    name = f"u-{uuid.uuid4().hex[:6]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name,
        PolicyName="p",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [BASE, *granted]}),
    )
    if boundary is not None:
        arn = iam.create_policy(
            PolicyName=f"b-{uuid.uuid4().hex[:6]}",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": boundary}),
        )["Policy"]["Arn"]
        iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=arn)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    caller = partner_server.client(
        "iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    out = caller.get_delegation_request(DelegationRequestId=rid, DelegationPermissionCheck=True)
    assert (out["PermissionCheckStatus"], out["PermissionCheckResult"]) == ("COMPLETE", expected)
    # Without the flag, no check is made.
    plain = caller.get_delegation_request(DelegationRequestId=rid)
    assert "PermissionCheckResult" not in plain


def test_the_permission_check_of_a_role_session_and_of_root(partner_server: Server) -> None:
    """A role session is checked against its role's policies; the root user, which cannot
    accept a request, holds nothing that can be delegated."""
    customer = new_account(partner_server)
    rid = create(partner_server, f"c-{uuid.uuid4().hex[:6]}", OwnerAccountId=customer.account_id)
    session, _arn, _c = approver_role(partner_server, customer)  # its role allows iam:ListUsers
    out = session.get_delegation_request(DelegationRequestId=rid, DelegationPermissionCheck=True)
    assert out["PermissionCheckResult"] == "ALLOWED"
    root = client(partner_server, "iam", customer)
    assert (
        root.get_delegation_request(DelegationRequestId=rid, DelegationPermissionCheck=True)["PermissionCheckResult"]
        == "DENIED"
    )
