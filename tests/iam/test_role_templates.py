"""Role templates end to end: GetRoleTemplateVersion and AcquireRole with replacement values,
the role it makes (GetRole's SourceRoleTemplate, iam:RoleTemplateARN), and the refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.iam.role_templates import fill_document, resolve_values
from tests.conftest import Server
from tests.sts.helpers import allow, aws_cli, doc, error_of, make_user, unique

pytestmark = pytest.mark.e2e

READER = "arn:aws:iam::aws:role-template/ec2.amazonaws.com/S3BucketReader:1"
RETIRED = "arn:aws:iam::aws:role-template/lambda.amazonaws.com/RetiredExecution:1"


def refused(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    code, _, status = error_of(exc)
    return code, status


def values(**kv: str | list[str]) -> dict[str, dict[str, list[str]]]:
    return {k: {"Values": v if isinstance(v, list) else [v]} for k, v in kv.items()}


def test_get_role_template_version(server: Server) -> None:
    iam = server.client("iam")
    default = iam.get_role_template_version(TemplateArn=READER)["RoleTemplateVersion"]
    assert default["MinorVersion"] == default["DefaultMinorVersion"] == 2
    assert default["TemplateName"] == "S3BucketReader" and default["ManagedByValue"] == "ec2.amazonaws.com"
    assert {p["Name"] for p in default["ParametersDefinition"]} >= {"BucketName", "RoleSuffix"}
    first = iam.get_role_template_version(TemplateArn=READER, MinorVersion=1)["RoleTemplateVersion"]
    assert first["MinorVersion"] == 1 and first["ManagedPolicyArns"] == []
    missing = READER.replace("S3BucketReader", "NoSuchTemplate")
    assert refused(iam.get_role_template_version, TemplateArn=missing) == ("NoSuchEntity", 404)
    assert refused(iam.get_role_template_version, TemplateArn=READER, MinorVersion=9) == ("NoSuchEntity", 404)


def test_acquire_role_fills_the_template_in(server: Server) -> None:
    iam = server.client("iam")
    suffix = unique("t")
    role = iam.acquire_role(
        TemplateArn=READER,
        ReplacementValues=values(
            BucketName="reports",
            RoleSuffix=suffix,
            Team="data",
            ExtraResourceArns=["arn:aws:s3:::a/x", "arn:aws:s3:::b/y"],
        ),
    )["Role"]
    name = f"S3Reader-{suffix}"
    assert role["RoleName"] == name and role["Path"] == "/templated/"
    assert role["Arn"] == f"arn:aws:iam::{server.account_id}:role/templated/{name}"
    assert role["Description"] == "Reads bucket reports for team data"
    assert role["SourceRoleTemplate"] == {"TemplateArn": READER, "TemplateMinorVersion": 2}
    assert {t["Key"]: t["Value"] for t in role["Tags"]} == {"team": "data", "owner": "credmint", "session-hours": "1"}
    got = iam.get_role(RoleName=name)["Role"]
    assert got["SourceRoleTemplate"]["TemplateArn"] == READER and got["MaxSessionDuration"] == 7200
    inline = (
        json.loads(iam.get_role_policy(RoleName=name, PolicyName="ReadBucket")["PolicyDocument"]) if False else None
    )
    del inline
    document = iam.get_role_policy(RoleName=name, PolicyName="ReadBucket")["PolicyDocument"]
    resources = (json.loads(document) if isinstance(document, str) else document)["Statement"][0]["Resource"]
    assert resources == ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*", "arn:aws:s3:::a/x", "arn:aws:s3:::b/y"]
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["IAMReadOnlyAccess"]
    # The same name again conflicts.
    assert refused(
        iam.acquire_role, TemplateArn=READER, ReplacementValues=values(BucketName="b", RoleSuffix=suffix)
    ) == ("NameConflict", 409)


@pytest.mark.parametrize(
    ("given", "why"),
    [
        (values(BucketName="b"), "required"),
        (values(BucketName="b", RoleSuffix="x", Nope="1"), "unknown"),
        (values(BucketName="b", RoleSuffix="x", Owner="me"), "immutable"),
        (values(BucketName=["b", "c"], RoleSuffix="x"), "single-valued"),
        (values(BucketName="b", RoleSuffix="x", SessionHours="many"), "number"),
        (values(BucketName="b", RoleSuffix="x", ExtraResourceArns=["not-an-arn"]), "arn"),
        (values(BucketName="b", RoleSuffix="bad/name"), "role name"),
    ],
)
def test_acquire_role_refuses_bad_values(server: Server, given: dict[str, Any], why: str) -> None:
    assert refused(server.client("iam").acquire_role, TemplateArn=READER, ReplacementValues=given) == (
        "InvalidInput",
        400,
    ), why


def test_acquire_role_refusals(server: Server) -> None:
    iam = server.client("iam")
    assert refused(iam.acquire_role, TemplateArn=RETIRED, ReplacementValues=values(RoleSuffix="x")) == (
        "RoleTemplateDisabled",
        400,
    )
    assert refused(iam.acquire_role, TemplateArn=READER.replace("Reader", "Nothing")) == ("NoSuchEntity", 404)


def test_acquire_role_is_authorized_as_the_calls_it_amounts_to(server: Server) -> None:
    """iam:CreateRole alone is not enough (the template also puts a policy, attaches one and
    tags); with all of them, conditioned on iam:RoleTemplateARN, it is."""
    only_create = make_user(server, policy=doc(allow("iam:CreateRole")))
    iam = server.client("iam", **only_create.creds.kwargs())
    given = values(BucketName="b", RoleSuffix=unique("a"))
    assert refused(iam.acquire_role, TemplateArn=READER, ReplacementValues=given)[0] == "AccessDenied"
    cond = {"StringEquals": {"iam:RoleTemplateARN": READER}}
    everything = make_user(
        server,
        policy=doc(
            allow(
                ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:TagRole", "iam:GetRole"],
                Condition=cond,
            )
        ),
    )
    iam = server.client("iam", **everything.creds.kwargs())
    role = iam.acquire_role(TemplateArn=READER, ReplacementValues=given)["Role"]
    # GetRole on the templated role carries iam:RoleTemplateARN too.
    assert iam.get_role(RoleName=role["RoleName"])["Role"]["RoleId"] == role["RoleId"]
    other = server.client("iam").create_role(
        RoleName=unique("plain"),
        AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
    )["Role"]
    assert refused(iam.get_role, RoleName=other["RoleName"])[0] == "AccessDenied"


def test_the_aws_cli_needs_the_newer_models(server: Server) -> None:
    """The AWS CLI v1 bundles a botocore older than role templates: with its own models only
    (an empty ``AWS_DATA_PATH``) it does not know them, with the models beside boto3 (the
    helper's default) it does. The CLI's end-to-end tests are in tests/iam/test_cli_newest.py."""
    bundled = aws_cli(server, "iam", "get-role-template-version", "--template-arn", READER, env={"AWS_DATA_PATH": ""})
    assert bundled.returncode != 0 and "Invalid choice" in bundled.stderr
    newer = aws_cli(server, "iam", "get-role-template-version", "--template-arn", READER)
    assert newer.returncode == 0, newer.stderr
    assert json.loads(newer.stdout)["RoleTemplateVersion"]["TemplateName"] == "S3BucketReader"


def test_values_never_change_a_documents_structure() -> None:
    """Hostile values: a value with quotes and braces lands inside a string, never as JSON."""
    hostile = '"}],"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    filled = fill_document('{"Statement":[{"Resource":"arn:aws:s3:::{{B}}"}]}', {"B": [hostile]})
    assert json.loads(filled) == {"Statement": [{"Resource": "arn:aws:s3:::" + hostile}]}
    definitions = [{"Name": "B", "Type": "String", "IsRequired": True}]
    assert resolve_values(definitions, {"B": {"Values": ["x"]}}) == {"B": ["x"]}
