"""The credential report through the test plugin's fresh accounts: AWS's columns and
special values, read back with the csv module, and the four-hour rule with time travel."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.iam.credential_report import COLUMNS

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}],
}


def rows(iam: Any) -> list[dict[str, str]]:
    content = iam.get_credential_report()["Content"]
    reader = csv.DictReader(io.StringIO(content.decode()))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_report_rows(credmint_account: Any) -> None:
    iam = credmint_account.client("iam")
    with pytest.raises(ClientError) as exc:
        iam.get_credential_report()
    assert error_code(exc) == ("ReportNotPresent", 410)
    bare = credmint_account.create_user("bare", access_key=False)
    keyed = credmint_account.create_user("keyed", policies=[POLICY])
    keyed.client("sts").get_caller_identity()  # a use of the key, reported below
    iam.create_login_profile(UserName="keyed", Password="Some-password-1")
    credmint_account.enable_mfa(keyed)
    iam.update_account_password_policy(MinimumPasswordLength=8, MaxPasswordAge=90)

    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"  # younger than four hours: kept
    report = rows(iam)
    root, *users = report
    assert root["user"] == "<root_account>"
    assert root["arn"] == f"arn:aws:iam::{credmint_account.account_id}:root"
    assert (root["password_enabled"], root["password_last_changed"]) == ("not_supported", "not_supported")
    assert [u["user"] for u in users] == [bare.name, keyed.name]
    b, k = users
    assert (b["password_enabled"], b["password_last_used"], b["mfa_active"]) == ("false", "N/A", "false")
    assert (b["access_key_1_active"], b["access_key_1_last_rotated"], b["cert_1_active"]) == ("false", "N/A", "false")
    assert (k["password_enabled"], k["password_last_used"], k["mfa_active"]) == ("true", "no_information", "true")
    assert k["password_next_rotation"] != "N/A"
    assert k["access_key_1_active"] == "true" and k["access_key_1_last_used_service"] == "sts"
    assert k["access_key_1_last_rotated"].endswith("+00:00")
    assert k["access_key_2_active"] == "false" and k["access_key_2_last_used_date"] == "N/A"


def test_report_expires_after_four_hours(credmint_account: Any) -> None:
    iam = credmint_account.client("iam")
    iam.generate_credential_report()
    rows(iam)
    credmint_account.advance(4 * 3600 + 1)
    iam = credmint_account.client("iam")  # signs at the moved server time
    with pytest.raises(ClientError) as exc:
        iam.get_credential_report()
    assert error_code(exc) == ("ReportExpired", 410)
    assert iam.generate_credential_report()["State"] == "STARTED"
    rows(iam)


def test_needs_permission(credmint_account: Any) -> None:
    user = credmint_account.create_user(policies=[POLICY])
    with pytest.raises(ClientError) as exc:
        user.client("iam").generate_credential_report()
    assert error_code(exc) == ("AccessDenied", 403)
    assert json.dumps(COLUMNS)  # the table is plain data
