"""Service-specific credentials end to end with boto3 and the AWS CLI: shown once, stored
hashed, two per user and service, and gone with nothing left that reveals them."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.sts.helpers import allow, aws_cli, doc, error_of, make_user, unique

pytestmark = pytest.mark.e2e

CODECOMMIT = "codecommit.amazonaws.com"


def refused(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    code, _, status = error_of(exc)
    return code, status


def new_user(server: Server) -> str:
    name = unique("ssc")
    server.client("iam").create_user(UserName=name)
    return name


def test_lifecycle_and_secret_shown_once(server: Server) -> None:
    iam = server.client("iam")
    name = new_user(server)
    made = iam.create_service_specific_credential(UserName=name, ServiceName=CODECOMMIT)["ServiceSpecificCredential"]
    cred_id, password = made["ServiceSpecificCredentialId"], made["ServicePassword"]
    assert cred_id.startswith("ACCA") and len(password) == 44
    assert made["ServiceUserName"] == f"{name}-at-{server.account_id}"
    assert made["Status"] == "Active" and made["ServiceName"] == CODECOMMIT
    listed = iam.list_service_specific_credentials(UserName=name)["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in listed] == [cred_id]
    assert "ServicePassword" not in listed[0]
    reset = iam.reset_service_specific_credential(UserName=name, ServiceSpecificCredentialId=cred_id)
    new_password = reset["ServiceSpecificCredential"]["ServicePassword"]
    assert new_password != password
    # Neither password is in the store in any form a reader could use.
    db = sqlite3.connect(server.data_dir / "credmint.db")
    dump = "\n".join(db.iterdump())
    db.close()
    assert password not in dump and new_password not in dump
    iam.update_service_specific_credential(UserName=name, ServiceSpecificCredentialId=cred_id, Status="Inactive")
    assert iam.list_service_specific_credentials(UserName=name)["ServiceSpecificCredentials"][0]["Status"] == "Inactive"
    assert refused(iam.delete_user, UserName=name) == ("DeleteConflict", 409)
    iam.delete_service_specific_credential(UserName=name, ServiceSpecificCredentialId=cred_id)
    assert refused(iam.delete_service_specific_credential, UserName=name, ServiceSpecificCredentialId=cred_id) == (
        "NoSuchEntity",
        404,
    )
    iam.delete_user(UserName=name)


def test_quota_per_service_and_unsupported_services(server: Server) -> None:
    iam = server.client("iam")
    name = new_user(server)
    for _ in range(2):
        iam.create_service_specific_credential(UserName=name, ServiceName=CODECOMMIT)
    assert refused(iam.create_service_specific_credential, UserName=name, ServiceName=CODECOMMIT) == (
        "LimitExceeded",
        409,
    )
    iam.create_service_specific_credential(UserName=name, ServiceName="cassandra.amazonaws.com")
    assert refused(iam.create_service_specific_credential, UserName=name, ServiceName="s3.amazonaws.com") == (
        "NotSupportedService",
        404,
    )
    only = iam.list_service_specific_credentials(UserName=name, ServiceName="cassandra.amazonaws.com")
    assert len(only["ServiceSpecificCredentials"]) == 1


def test_api_keys_expire_and_use_alias_and_secret(server: Server) -> None:
    iam = server.client("iam")
    name = new_user(server)
    made = iam.create_service_specific_credential(
        UserName=name, ServiceName="bedrock.amazonaws.com", CredentialAgeDays=30
    )["ServiceSpecificCredential"]
    assert made["ServiceCredentialSecret"].startswith("ABSK") and "ServicePassword" not in made
    assert made["ServiceCredentialAlias"].endswith(f"-at-{server.account_id}")
    assert 29 <= (made["ExpirationDate"] - made["CreateDate"]).days <= 30
    assert refused(
        iam.create_service_specific_credential, UserName=name, ServiceName=CODECOMMIT, CredentialAgeDays=3
    ) == ("InvalidInput", 400)


def test_all_users_and_permissions(server: Server) -> None:
    iam = server.client("iam")
    a, b = new_user(server), new_user(server)
    for n in (a, b):
        iam.create_service_specific_credential(UserName=n, ServiceName=CODECOMMIT)
    names = {c["UserName"] for c in iam.list_service_specific_credentials(AllUsers=True)["ServiceSpecificCredentials"]}
    assert {a, b} <= names
    reader = make_user(server, policy=doc(allow("iam:ListServiceSpecificCredentials", f"arn:aws:iam::*:user/{a}")))
    limited = server.client("iam", **reader.creds.kwargs())
    assert len(limited.list_service_specific_credentials(UserName=a)["ServiceSpecificCredentials"]) == 1
    assert refused(limited.list_service_specific_credentials, UserName=b) == ("AccessDenied", 403)
    assert refused(limited.list_service_specific_credentials, AllUsers=True) == ("AccessDenied", 403)


def test_aws_cli(server: Server) -> None:
    name = new_user(server)
    out = aws_cli(
        server, "iam", "create-service-specific-credential", "--user-name", name, "--service-name", CODECOMMIT
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ServiceSpecificCredential"]["ServiceUserName"] == f"{name}-at-{server.account_id}"
    listed = aws_cli(server, "iam", "list-service-specific-credentials", "--user-name", name)
    assert len(json.loads(listed.stdout)["ServiceSpecificCredentials"]) == 1
    created = json.loads(out.stdout)["ServiceSpecificCredential"]
    which = ("--user-name", name, "--service-specific-credential-id", created["ServiceSpecificCredentialId"])
    reset = aws_cli(server, "iam", "reset-service-specific-credential", *which)
    assert reset.returncode == 0, reset.stderr
    fresh = json.loads(reset.stdout)["ServiceSpecificCredential"]
    assert fresh["ServicePassword"] and fresh["ServicePassword"] != created["ServicePassword"]
    assert aws_cli(server, "iam", "update-service-specific-credential", *which, "--status", "Inactive").returncode == 0
    assert aws_cli(server, "iam", "delete-service-specific-credential", *which).returncode == 0
    gone = aws_cli(server, "iam", "reset-service-specific-credential", *which)
    assert gone.returncode != 0 and "NoSuchEntity" in gone.stderr


def test_policy_confines_a_caller_to_one_service(server: Server) -> None:
    iam = server.client("iam")
    target = new_user(server)
    commit = iam.create_service_specific_credential(UserName=target, ServiceName=CODECOMMIT)
    keyspaces = iam.create_service_specific_credential(UserName=target, ServiceName="cassandra.amazonaws.com")
    only_codecommit = doc(
        allow(
            ["iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential"],
            "*",
            Condition={"StringEquals": {"iam:ServiceSpecificCredentialServiceName": CODECOMMIT}},
        )
    )
    admin = make_user(server, policy=only_codecommit)
    limited = server.client("iam", **admin.creds.kwargs())
    limited.create_service_specific_credential(UserName=target, ServiceName=CODECOMMIT)
    assert refused(
        limited.create_service_specific_credential, UserName=target, ServiceName="cassandra.amazonaws.com"
    ) == ("AccessDenied", 403)
    cid = commit["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    limited.reset_service_specific_credential(UserName=target, ServiceSpecificCredentialId=cid)
    kid = keyspaces["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    # The stored credential's service decides: a Keyspaces credential is out of reach.
    assert refused(limited.reset_service_specific_credential, UserName=target, ServiceSpecificCredentialId=kid) == (
        "AccessDenied",
        403,
    )
