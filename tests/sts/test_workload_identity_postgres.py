"""Workload identity and delegation on PostgreSQL, across two nodes sharing the database:
what one node issues, the other verifies and publishes, and a trade-in token sent through
one node is exchanged once, whichever node sees the replay."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from credmint.sealing import MasterKey
from tests.conftest import new_account_id, start_server
from tests.sts.helpers import Creds, make_role, make_user

pytestmark = pytest.mark.e2e


def test_two_nodes_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    account = new_account_id()
    # Both nodes: one master key, and the same partner account enabled.
    env = {"CREDMINT_MASTER_KEY": MasterKey.generate().to_text(), "CREDMINT_DELEGATION_ACCOUNTS": account}
    first = start_server(tmp_path / "a", database_url=pg_url, account_id=account, extra_env=env)
    try:
        second = start_server(
            tmp_path / "b",
            database_url=pg_url,
            account_id=first.account_id,
            access_key_id=first.access_key_id,
            secret_access_key=first.secret_access_key,
            extra_env=env,
        )
    except Exception:
        first.stop()
        raise
    try:
        iam = first.client("iam")
        domain = f"{uuid.uuid4().hex[:12]}.example.org"
        provider = iam.create_workload_identity_provider(
            ProviderName="pg", Scheme="SPIFFE", WorkloadIdentityDomain=domain
        )
        orchestrator = make_user(
            first,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["sts:IssueWorkloadIdentityContext", "sts:AssumeRole"],
                            "Resource": "*",
                        }
                    ],
                }
            ),
        )
        role = make_role(
            first,
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"AWS": orchestrator.arn}, "Action": "sts:AssumeRole"}
                    ],
                }
            ),
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sts:GetWebIdentityToken", "Resource": "*"}],
                }
            ),
        )
        template = iam.create_workload_identity_template(
            Name="pg",
            WorkloadIdentityProviderArn=provider["Arn"],
            PathPattern="ns/{aws:WorkloadAttestation/aws/k8s/Namespace}",
            AttestationPolicy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": orchestrator.arn},
                            "Action": "sts:IssueWorkloadIdentityContext",
                            "Resource": "*",
                        }
                    ],
                }
            ),
        )
        # Issued on the first node, redeemed on the second.
        ctx = first.client("sts", **orchestrator.creds.kwargs()).issue_workload_identity_context(
            WorkloadIdentityTemplateArn=template["Arn"],
            AttestationDocument='{"k8s/Namespace": "pay"}',
            TargetRoleArn=role["Arn"],
        )
        out = second.client("sts", **orchestrator.creds.kwargs()).assume_role(
            RoleArn=role["Arn"], RoleSessionName="pg", ProvidedContexts=[ctx["ProvidedContext"]]
        )
        session = Creds.of(out)
        token = second.client("sts", **session.kwargs()).get_web_identity_token(
            Audience=["a"], SigningAlgorithm="ES384", TokenType="JWT_SVID"
        )["WebIdentityToken"]
        kid = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]
        bundle = json.loads(
            first.client("sts").get_trust_bundles(ProviderArn=provider["Arn"])["TrustBundles"][0]["Bundle"]
        )
        assert kid in {k.get("kid") for k in bundle["keys"]}

        # Delegation: sent through the second node, exchanged through the first, replayed on both.
        arn = iam.create_policy(
            PolicyName="tpl",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
                }
            ),
        )["Policy"]["Arn"]
        rid = second.client("iam").create_delegation_request(
            Description="d",
            Permissions={"PolicyTemplateArn": arn},
            RequestorWorkflowId="wf-pg-1",
            NotificationChannel="pg",
            SessionDuration=900,
        )["DelegationRequestId"]
        approver = make_user(
            first,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "iam:*DelegationRequest*",
                                "iam:SendDelegationToken",
                                "iam:ListUsers",
                                "sts:AssumeRole",
                            ],
                            "Resource": "*",
                        }
                    ],
                }
            ),
        )
        approver_iam = first.client("iam", **approver.creds.kwargs())
        approver_iam.associate_delegation_request(DelegationRequestId=rid)
        approver_iam.accept_delegation_request(DelegationRequestId=rid)
        second.client("iam", **approver.creds.kwargs()).send_delegation_token(DelegationRequestId=rid)
        line = (tmp_path / "b" / "notifications" / "pg.jsonl").read_text().splitlines()[-1]
        trade_in = json.loads(line)["TradeInToken"]
        first.client("sts").get_delegated_access_token(TradeInToken=trade_in)
        for node in (first, second):
            with pytest.raises(ClientError) as exc:
                node.client("sts").get_delegated_access_token(TradeInToken=trade_in)
            assert exc.value.response["Error"]["Code"] == "ExpiredTradeInTokenException"
    finally:
        second.stop()
        first.stop()
