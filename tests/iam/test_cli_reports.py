"""The AWS CLI on IAM's reports: the credential report, the Organizations access report and
ListPoliciesGrantingServiceAccess, each with its refusals (the boto3 tests are in
test_credential_report.py and test_access_advisor.py)."""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
import time
from typing import Any

import pytest

from credmint.iam.credential_report import COLUMNS
from tests.conftest import Server
from tests.orgs.helpers import Account, Organization, client
from tests.sts.helpers import allow, aws_cli, doc, make_user, unique

pytestmark = pytest.mark.e2e


def _json(out: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert out.returncode == 0, out.stderr
    loaded: dict[str, Any] = json.loads(out.stdout)
    return loaded


def test_credential_report(server: Server) -> None:
    account = Account.create(server)  # a fresh account: no report yet
    refused = aws_cli(server, "iam", "get-credential-report", creds=account.root)
    assert refused.returncode != 0 and "ReportNotPresent" in refused.stderr
    state = _json(aws_cli(server, "iam", "generate-credential-report", creds=account.root))["State"]
    assert state in ("STARTED", "INPROGRESS", "COMPLETE")
    deadline = time.monotonic() + 30
    while True:
        got = aws_cli(server, "iam", "get-credential-report", creds=account.root)
        if got.returncode == 0 or time.monotonic() > deadline:
            break
        assert "ReportInProgress" in got.stderr, got.stderr
        time.sleep(0.2)
    report = _json(got)
    assert report["ReportFormat"] == "text/csv"
    # The CLI prints the blob as base64, as it arrives.
    reader = csv.DictReader(io.StringIO(base64.b64decode(str(report["Content"])).decode()))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    first = next(reader)
    assert first["user"] == "<root_account>" and first["arn"] == f"arn:aws:iam::{account.account_id}:root"


def test_credential_report_needs_permission(server: Server) -> None:
    user = make_user(server, policy=doc(allow("sts:GetCallerIdentity")))
    refused = aws_cli(server, "iam", "generate-credential-report", creds=user.creds)
    assert refused.returncode != 0 and "AccessDenied" in refused.stderr


def test_list_policies_granting_service_access(server: Server) -> None:
    user = make_user(server, policy=doc(allow("iam:ListUsers")))
    got = _json(
        aws_cli(
            server,
            "iam",
            "list-policies-granting-service-access",
            "--arn",
            user.arn,
            "--service-namespaces",
            "iam",
            "s3",
        )
    )
    entries = {e["ServiceNamespace"]: e["Policies"] for e in got["PoliciesGrantingServiceAccess"]}
    assert {"PolicyName": "p", "PolicyType": "INLINE", "EntityType": "USER", "EntityName": user.name} in entries["iam"]
    assert entries["s3"] == []
    iam = server.client("iam")
    policy = iam.create_policy(PolicyName=unique("p"), PolicyDocument=doc(allow("iam:*")))["Policy"]["Arn"]
    refused = aws_cli(
        server, "iam", "list-policies-granting-service-access", "--arn", policy, "--service-namespaces", "iam"
    )
    assert refused.returncode != 0 and "InvalidInput" in refused.stderr


def test_organizations_access_report(server: Server) -> None:
    org = Organization.create(server)
    member = org.add_member()
    client(server, "iam", org.enter(member)).list_users()  # a use of IAM in the member account
    path = f"{org.org_id}/{org.root_id}"
    as_management = org.management.root
    job = _json(
        aws_cli(server, "iam", "generate-organizations-access-report", "--entity-path", path, creds=as_management)
    )["JobId"]
    got = _json(aws_cli(server, "iam", "get-organizations-access-report", "--job-id", str(job), creds=as_management))
    assert got["JobStatus"] == "COMPLETED"
    details = {d["ServiceNamespace"]: d for d in got["AccessDetails"]}
    assert details["iam"]["TotalAuthenticatedEntities"] >= 1
    unknown = aws_cli(server, "iam", "get-organizations-access-report", "--job-id", "0" * 36, creds=as_management)
    assert unknown.returncode != 0 and "NoSuchEntity" in unknown.stderr
