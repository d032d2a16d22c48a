"""IAM's policy simulator and context-key APIs, through boto3 and the AWS CLI."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.conftest import Server

pytestmark = pytest.mark.e2e

DENY_LIST_BUCKETS = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": "s3:ListAllMyBuckets",
            "Resource": "*"
        }
    ]
}"""


def test_simulate_custom_policy_explicit_deny_with_position(server: Server) -> None:
    res = server.client("iam").simulate_custom_policy(
        PolicyInputList=[DENY_LIST_BUCKETS], ActionNames=["s3:ListAllMyBuckets"]
    )["EvaluationResults"]
    assert len(res) == 1
    r = res[0]
    assert r["EvalActionName"] == "s3:ListAllMyBuckets"
    assert r["EvalResourceName"] == "*"
    assert r["EvalDecision"] == "explicitDeny"
    assert r["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"
    assert r["MatchedStatements"][0]["StartPosition"] == {"Line": 4, "Column": 9}
    assert r["MatchedStatements"][0]["EndPosition"] == {"Line": 8, "Column": 10}
    assert r["MissingContextValues"] == []


def test_simulate_custom_policy_context_entries_and_missing(server: Server) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": "arn:aws:s3:::teambucket",
                    "Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}},
                }
            ],
        }
    )
    iam = server.client("iam")
    missing = iam.simulate_custom_policy(
        PolicyInputList=[policy], ActionNames=["s3:ListBucket"], ResourceArns=["arn:aws:s3:::teambucket"]
    )["EvaluationResults"][0]
    assert missing["EvalDecision"] == "implicitDeny"
    assert "s3:prefix" in missing["MissingContextValues"]
    allowed = iam.simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["s3:ListBucket"],
        ResourceArns=["arn:aws:s3:::teambucket"],
        ContextEntries=[
            {"ContextKeyName": "s3:prefix", "ContextKeyValues": ["bob/reports"], "ContextKeyType": "string"},
            {"ContextKeyName": "aws:username", "ContextKeyValues": ["bob"], "ContextKeyType": "string"},
        ],
    )["EvaluationResults"][0]
    assert allowed["EvalDecision"] == "allowed"
    assert allowed["MissingContextValues"] == []


def test_simulate_custom_policy_boundary_and_pagination(server: Server) -> None:
    allow_all = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    boundary = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    )
    iam = server.client("iam")
    pages = iam.get_paginator("simulate_custom_policy").paginate(
        PolicyInputList=[allow_all],
        PermissionsBoundaryPolicyInputList=[boundary],
        ActionNames=["s3:GetObject", "iam:ListUsers", "s3:PutObject"],
        PaginationConfig={"PageSize": 1},
    )
    results = [r for page in pages for r in page["EvaluationResults"]]
    assert [(r["EvalActionName"], r["EvalDecision"]) for r in results] == [
        ("s3:GetObject", "allowed"),
        ("iam:ListUsers", "implicitDeny"),
        ("s3:PutObject", "allowed"),
    ]
    assert results[1]["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}


def test_simulate_principal_policy_user_and_groups(server: Server) -> None:
    iam = server.client("iam")
    name = f"sim-{uuid.uuid4().hex[:8]}"
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    group = f"simg-{uuid.uuid4().hex[:8]}"
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=name)
    iam.attach_group_policy(GroupName=group, PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    res = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject", "s3:PutObject"])
    decisions = {r["EvalActionName"]: r for r in res["EvaluationResults"]}
    assert decisions["s3:GetObject"]["EvalDecision"] == "allowed"
    assert decisions["s3:GetObject"]["MatchedStatements"][0]["SourcePolicyId"] == (
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    )
    assert decisions["s3:GetObject"]["MatchedStatements"][0]["SourcePolicyType"] == "aws-managed"
    assert decisions["s3:PutObject"]["EvalDecision"] == "implicitDeny"


def test_context_keys(server: Server) -> None:
    iam = server.client("iam")
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {
                        "Bool": {"aws:MultiFactorAuthPresent": "true"},
                        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                    },
                }
            ],
        }
    )
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[policy])["ContextKeyNames"]
    assert sorted(k.lower() for k in keys) == ["aws:multifactorauthpresent", "aws:sourceip"]
    name = f"ctx-{uuid.uuid4().hex[:8]}"
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    keys2 = iam.get_context_keys_for_principal_policy(PolicySourceArn=arn)["ContextKeyNames"]
    assert sorted(k.lower() for k in keys2) == ["aws:multifactorauthpresent", "aws:sourceip"]


def test_simulate_custom_policy_cli(server: Server, tmp_path: Path) -> None:
    # The list parameter takes a JSON list of policy documents (AWS CLI v1 would split a bare
    # document into characters).
    (tmp_path / "policy.json").write_text(json.dumps([DENY_LIST_BUCKETS]))
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID=server.access_key_id,
        AWS_SECRET_ACCESS_KEY=server.secret_access_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    out = subprocess.run(
        [
            "aws",
            "--endpoint-url",
            server.url,
            "iam",
            "simulate-custom-policy",
            "--policy-input-list",
            f"file://{tmp_path / 'policy.json'}",
            "--action-names",
            "s3:ListAllMyBuckets",
            "--output",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(out.stdout)["EvaluationResults"][0]
    assert result["EvalDecision"] == "explicitDeny"
