"""AWS managed policies: present in every account, readable and attachable."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint import policy
from credmint.store import managed_policies as managed
from tests.conftest import Server
from tests.iam.fixtures_b import TRUST_EC2, allow, aws_cli, error_of, iam, unique

pytestmark = pytest.mark.e2e
__all__ = ["iam"]

REQUIRED = [
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "IAMFullAccess",
    "IAMReadOnlyAccess",
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "SecurityAudit",
    "root-task/IAMAuditRootUserCredentials",
    "root-task/IAMCreateRootUserPassword",
    "root-task/IAMDeleteRootUserCredentials",
    "root-task/S3UnlockBucketPolicy",
    "root-task/SQSUnlockQueuePolicy",
]


def test_data_file_is_complete_and_valid() -> None:
    policies = managed.aws_policies()
    for name in REQUIRED:
        assert f"arn:aws:iam::aws:policy/{name}" in policies
    for p in policies.values():
        policy.validate_policy(p.document, "identity")
        assert p.policy_id.startswith("ANPA") and len(p.policy_id) == 21
        assert p.default_version_id.startswith("v")
        assert p.create_date <= p.update_date
    assert policies["arn:aws:iam::aws:policy/AdministratorAccess"].policy_id == "ANPAIWMBCKSKIEE64ZLYK"


def test_every_policy_the_seeds_name_is_shipped(server: Server) -> None:
    import re

    from tests.vector_data import shared_path

    names: set[str] = set()
    for seed in shared_path("seeds").glob("*.txt"):
        names.update(re.findall(r"arn:aws:iam::aws:policy/[\w+=,.@/-]*\w", seed.read_text()))
    assert names, "the seeds name AWS managed policies"
    assert names <= set(managed.aws_policies())


def test_get_policy_and_default_version(iam: Any) -> None:
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["PolicyId"] == "ANPAIZTJ4DXE7G6AGAE6M"
    assert got["Path"] == "/" and got["IsAttachable"] is True
    assert got["CreateDate"] == datetime.fromisoformat("2015-02-06T18:40:59+00:00")
    version = iam.get_policy_version(PolicyArn=arn, VersionId=got["DefaultVersionId"])["PolicyVersion"]
    assert version["IsDefaultVersion"] is True
    assert "s3:Get*" in version["Document"]["Statement"][0]["Action"]
    with pytest.raises(ClientError) as exc:
        iam.get_policy_version(PolicyArn=arn, VersionId="v1")
    assert error_of(exc)[0] == "NoSuchEntity"
    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in listed] == [got["DefaultVersionId"]]


def test_read_only_access_is_the_real_one(iam: Any) -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["PolicyId"] == "ANPAILL3HVNFSB6DCOWYQ"
    doc = iam.get_policy_version(PolicyArn=arn, VersionId=got["DefaultVersionId"])["PolicyVersion"]["Document"]
    actions = [a for st in doc["Statement"] for a in st["Action"]]
    assert len(actions) > 2000 and "s3:Get*" in actions and "iam:List*" in actions


def test_root_task_policies(iam: Any) -> None:
    arn = "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert (got["Path"], got["PolicyName"], got["PolicyId"]) == (
        "/root-task/",
        "S3UnlockBucketPolicy",
        "ANPAZKAPJZG4OALTIPZOF",
    )
    listed = iam.list_policies(Scope="AWS", PathPrefix="/root-task/")["Policies"]
    assert sorted(p["PolicyName"] for p in listed) == [
        "IAMAuditRootUserCredentials",
        "IAMCreateRootUserPassword",
        "IAMDeleteRootUserCredentials",
        "S3UnlockBucketPolicy",
        "SQSUnlockQueuePolicy",
    ]


def test_list_policies_scope_aws_and_paginator(iam: Any) -> None:
    pages = list(iam.get_paginator("list_policies").paginate(Scope="AWS", PaginationConfig={"PageSize": 5}))
    names = [p["PolicyName"] for page in pages for p in page["Policies"]]
    assert len(pages) >= 3 and all(len(p["Policies"]) <= 5 for p in pages)
    assert set(names) >= {n.split("/")[-1] for n in REQUIRED}
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for page in pages for p in page["Policies"])
    local = unique("pol")
    iam.create_policy(
        PolicyName=local,
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )
    every = [p["PolicyName"] for p in iam.list_policies()["Policies"]]
    assert local in every and "AdministratorAccess" in every
    assert local not in [p["PolicyName"] for p in iam.list_policies(Scope="AWS")["Policies"]]
    iam.delete_policy(
        PolicyArn=next(p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"] if p["PolicyName"] == local)
    )


def test_attach_and_detach_aws_policies_with_counts(iam: Any) -> None:
    arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
    before = iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"]
    role, user = unique("role"), unique("user")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_EC2)
    iam.create_user(UserName=user)
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == before + 2
    listed = [p for p in iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"] if p["Arn"] == arn]
    assert listed and listed[0]["AttachmentCount"] == before + 2
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == [
        {"PolicyName": "AmazonS3FullAccess", "PolicyArn": arn}
    ]
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert role in [r["RoleName"] for r in entities["PolicyRoles"]]
    assert user in [u["UserName"] for u in entities["PolicyUsers"]]
    iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == before
    iam.delete_role(RoleName=role)
    iam.delete_user(UserName=user)


def test_aws_policies_cannot_be_changed(iam: Any) -> None:
    arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
    call: Callable[..., object]
    for call in (
        lambda: iam.delete_policy(PolicyArn=arn),
        lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc),
        lambda: iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "a", "Value": "b"}]),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[0] == "AccessDenied"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"


def test_managed_policies_with_the_aws_cli(server: Server) -> None:
    out = aws_cli(server, "iam", "get-policy", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess")
    assert out.returncode == 0, out.stderr
    policy_ = json.loads(out.stdout)["Policy"]
    assert (policy_["PolicyId"], policy_["DefaultVersionId"]) == ("ANPAIWMBCKSKIEE64ZLYK", "v1")
    version = aws_cli(
        server,
        "iam",
        "get-policy-version",
        "--policy-arn",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "--version-id",
        "v1",
    )
    assert json.loads(version.stdout)["PolicyVersion"]["Document"] == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }


def test_aws_managed_policies_a_scanner_asks_about(server: Server) -> None:
    """Prowler's IAM checks ask ListEntitiesForPolicy about AWSSupportAccess and
    AWSCloudShellFullAccess; AWS answers for its own policies, attached or not."""
    iam = server.client("iam")
    for name in ("AWSSupportAccess", "AWSCloudShellFullAccess"):
        out = iam.list_entities_for_policy(PolicyArn=f"arn:aws:iam::aws:policy/{name}", EntityFilter="Role")
        assert out["PolicyRoles"] == [] and out["IsTruncated"] is False


SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"


def test_security_audit_as_a_scanner_reads_it(iam: Any) -> None:
    """Prowler-style reads of SecurityAudit: GetPolicy, the default version and
    ListEntitiesForPolicy answer with the metadata and document AWS serves."""
    got = iam.get_policy(PolicyArn=SECURITY_AUDIT)["Policy"]
    assert (got["PolicyName"], got["PolicyId"], got["Path"], got["DefaultVersionId"]) == (
        "SecurityAudit",
        "ANPAIX2T3QCXHR2OGGCTO",
        "/",
        "v92",
    )
    assert got["CreateDate"] == datetime.fromisoformat("2015-02-06T18:41:01+00:00")
    assert got["UpdateDate"] == datetime.fromisoformat("2026-08-17T15:27:26+00:00")
    assert got["IsAttachable"] is True and got["Description"].startswith("The security audit template")
    version = iam.get_policy_version(PolicyArn=SECURITY_AUDIT, VersionId="v92")["PolicyVersion"]
    assert version["IsDefaultVersion"] is True
    assert version["CreateDate"] == got["UpdateDate"]
    statements = version["Document"]["Statement"]
    assert [s["Sid"] for s in statements] == ["BaseSecurityAuditStatement", "APIGatewayAccess"]
    assert len(statements[0]["Action"]) == 991 and statements[0]["Resource"] == "*"
    assert {"iam:Get*", "iam:List*", "iam:GenerateCredentialReport"} <= set(statements[0]["Action"])
    assert statements[1]["Action"] == ["apigateway:GET"] and len(statements[1]["Resource"]) == 40
    with pytest.raises(ClientError) as exc:
        iam.get_policy_version(PolicyArn=SECURITY_AUDIT, VersionId="v91")
    assert error_of(exc)[0] == "NoSuchEntity"
    entities = iam.list_entities_for_policy(PolicyArn=SECURITY_AUDIT)
    assert all(entities[k] == [] for k in ("PolicyGroups", "PolicyUsers", "PolicyRoles"))


OWN_KEY = "<the caller's own access key id>"

# What SecurityAudit grants (read-only configuration metadata) and what it does not
# (any write, and object data): each call is made as a user whose only policy it is.
SECURITY_AUDIT_CALLS: list[tuple[str, str, dict[str, Any], bool]] = [
    ("iam", "get_account_authorization_details", {}, True),
    ("iam", "list_users", {}, True),
    ("iam", "get_account_summary", {}, True),
    ("iam", "generate_credential_report", {}, True),
    ("iam", "list_policies", {"Scope": "AWS", "MaxItems": 1}, True),
    ("iam", "create_user", {"UserName": "not-allowed"}, False),
    ("iam", "create_policy", {"PolicyName": "not-allowed", "PolicyDocument": allow()}, False),
    ("iam", "delete_account_password_policy", {}, False),
    ("s3", "list_buckets", {}, True),
    ("s3", "create_bucket", {"Bucket": "security-audit-cannot-create"}, False),
    ("sts", "get_access_key_info", {"AccessKeyId": OWN_KEY}, True),
]


@pytest.mark.parametrize(("service", "operation", "params", "allowed"), SECURITY_AUDIT_CALLS)
def test_security_audit_attached_grants_what_it_grants(
    server: Server, iam: Any, service: str, operation: str, params: dict[str, Any], allowed: bool
) -> None:
    user = unique("auditor")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=SECURITY_AUDIT)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    client = server.client(service, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    params = {k: key["AccessKeyId"] if v == OWN_KEY else v for k, v in params.items()}
    try:
        if allowed:
            getattr(client, operation)(**params)
        else:
            with pytest.raises(ClientError) as exc:
                getattr(client, operation)(**params)
            assert error_of(exc)[0] in {"AccessDenied", "AccessDeniedException"}
    finally:
        iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
        iam.detach_user_policy(UserName=user, PolicyArn=SECURITY_AUDIT)
        iam.delete_user(UserName=user)
