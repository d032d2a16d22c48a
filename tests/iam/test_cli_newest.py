"""The AWS CLI against the newest IAM operations: workload identity providers and templates,
role templates, account properties, UpdateOpenIDConnectProvider and organization-level
resources, each with its success path (the JSON the CLI prints) and its refusals (the CLI's
exit code and the AWS error code it prints).

The CLI knows these operations through ``AWS_DATA_PATH`` (set by ``tests.sts.helpers.aws_cli``):
its vendored botocore predates them.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization
from tests.s3.helpers import new_account
from tests.sts.helpers import Creds, aws_cli, make_user

pytestmark = pytest.mark.e2e

#: The exit codes the AWS CLI gives a service error: v2 exits 254, v1 (this one) 255.
SERVICE_ERROR = frozenset({254, 255})
READER = "arn:aws:iam::aws:role-template/ec2.amazonaws.com/S3BucketReader:1"
PATTERN = "ns/{aws:WorkloadAttestation/aws/k8s/Namespace}/sa/{aws:WorkloadAttestation/aws/k8s/ServiceAccount}"


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def ok(server: Server, *args: str, creds: Creds | None = None) -> dict[str, Any]:
    """``aws iam <args>``; its JSON output ({} for an operation that prints nothing)."""
    out = aws_cli(server, "iam", *args, creds=creds)
    assert out.returncode == 0, out.stderr
    parsed: dict[str, Any] = json.loads(out.stdout) if out.stdout.strip() else {}
    return parsed


def refused(out: subprocess.CompletedProcess[str], code: str) -> None:
    assert out.returncode in SERVICE_ERROR, (out.returncode, out.stderr)
    assert f"({code})" in out.stderr, out.stderr


def issue_policy(principal: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": principal},
                    "Action": "sts:IssueWorkloadIdentityContext",
                    "Resource": "*",
                }
            ],
        }
    )


# --- workload identity providers and templates ------------------------------------------------


@dataclass
class Workload:
    provider: str
    template: str
    domain: str
    principal: str


@pytest.fixture
def workload(server: Server) -> Workload:
    """A provider and a template made with the CLI; the success paths are asserted here."""
    domain = f"{name('d')}.example.org"
    provider_name = name("p")
    created = ok(
        server,
        "create-workload-identity-provider",
        "--provider-name",
        provider_name,
        "--scheme",
        "SPIFFE",
        "--workload-identity-domain",
        domain,
        "--description",
        "payments",
    )
    assert created["ProviderId"].startswith("AWPA") and created["ResourceScope"] == "ACCOUNT"
    assert created["Arn"].startswith(f"arn:aws:iam::{server.account_id}:")
    template = ok(
        server,
        "create-workload-identity-template",
        "--name",
        name("t"),
        "--workload-identity-provider-arn",
        created["Arn"],
        "--path-pattern",
        PATTERN,
    )
    assert template["TemplateId"].startswith("AWTA")
    user = make_user(server)
    return Workload(created["Arn"], template["Arn"], domain, user.arn)


def test_provider_and_template_lifecycle(server: Server, workload: Workload) -> None:
    got = ok(server, "get-workload-identity-provider", "--workload-identity-provider-arn", workload.provider)
    assert got["Arn"] == workload.provider and got["Description"] == "payments"
    listed = ok(server, "list-workload-identity-providers")["WorkloadIdentityProviders"]
    assert workload.provider in [p["Arn"] for p in listed]

    policy = issue_policy(workload.principal)
    args = ("--workload-identity-provider-arn", workload.provider)
    ok(server, "put-workload-identity-provider-resource-policy", *args, "--policy-document", policy)
    got_policy = ok(server, "get-workload-identity-provider-resource-policy", *args)
    assert got_policy["Arn"] == workload.provider and got_policy["PolicyDocument"] == json.loads(policy)

    t_args = ("--workload-identity-template-arn", workload.template)
    template = ok(server, "get-workload-identity-template", *t_args)
    assert template["Arn"] == workload.template and "AttestationPolicy" not in template
    templates = ok(server, "list-workload-identity-templates", *args)["WorkloadIdentityTemplates"]
    assert [t["Arn"] for t in templates] == [workload.template]
    ok(server, "put-workload-identity-template-attestation-policy", *t_args, "--attestation-policy", policy)
    got_attestation = ok(server, "get-workload-identity-template-attestation-policy", *t_args)
    assert got_attestation["AttestationPolicy"] == json.loads(policy)
    ok(server, "delete-workload-identity-template-attestation-policy", *t_args)

    assert ok(server, "delete-workload-identity-template", *t_args)["Status"] == "SUCCEEDED"
    ok(server, "delete-workload-identity-provider", *args)
    refused(aws_cli(server, "iam", "get-workload-identity-provider", *args), "NoSuchEntity")


#: Refusals: the CLI arguments ({provider}, {template} filled in from the fixture) and the code.
WORKLOAD_REFUSALS: list[tuple[list[str], str]] = [
    (["get-workload-identity-provider", "--workload-identity-provider-arn", "{provider}-gone"], "NoSuchEntity"),
    (["create-workload-identity-provider", "--provider-name", "{name}", "--scheme", "SPIFFE"], "InvalidInput"),
    (
        [
            "create-workload-identity-provider",
            "--provider-name",
            "{name}",
            "--scheme",
            "SPIFFE",
            "--workload-identity-domain",
            "{domain}",
        ],
        "EntityAlreadyExists",
    ),
    (
        [
            "put-workload-identity-provider-resource-policy",
            "--workload-identity-provider-arn",
            "{provider}",
            "--policy-document",
            "{not json",
        ],
        "MalformedPolicyDocument",
    ),
    (
        ["get-workload-identity-provider-resource-policy", "--workload-identity-provider-arn", "{provider}"],
        "NoSuchEntity",
    ),
    (["delete-workload-identity-provider", "--workload-identity-provider-arn", "{provider}"], "DeleteConflict"),
    (
        ["get-workload-identity-template-attestation-policy", "--workload-identity-template-arn", "{template}"],
        "NoSuchEntity",
    ),
    (["get-workload-identity-template", "--workload-identity-template-arn", "{template}-gone"], "NoSuchEntity"),
    (
        [
            "list-workload-identity-templates",
            "--workload-identity-provider-arn",
            "{provider}",
            "--filter",
            "name = x",
        ],
        "InvalidInput",
    ),
]


@pytest.mark.parametrize(("args", "code"), WORKLOAD_REFUSALS, ids=[f"{a[0]}-{c}" for a, c in WORKLOAD_REFUSALS])
def test_workload_identity_refusals(server: Server, workload: Workload, args: list[str], code: str) -> None:
    values = {"provider": workload.provider, "template": workload.template, "domain": workload.domain}
    # The provider's own name is in its ARN: the duplicate case reuses it.
    values["name"] = workload.provider.rsplit("/", 1)[1] if code == "EntityAlreadyExists" else name("p")
    filled = [a.replace("{provider}", values["provider"]).replace("{template}", values["template"]) for a in args]
    filled = [a.replace("{name}", values["name"]).replace("{domain}", values["domain"]) for a in filled]
    refused(aws_cli(server, "iam", *filled), code)


# --- role templates --------------------------------------------------------------------------


def test_role_templates(server: Server) -> None:
    version = ok(server, "get-role-template-version", "--template-arn", READER)["RoleTemplateVersion"]
    assert version["MinorVersion"] == version["DefaultMinorVersion"] == 2
    assert version["TemplateName"] == "S3BucketReader" and version["ManagedByValue"] == "ec2.amazonaws.com"
    first = ok(server, "get-role-template-version", "--template-arn", READER, "--minor-version", "1")
    assert first["RoleTemplateVersion"]["MinorVersion"] == 1

    suffix = name("cli")
    values = json.dumps({"BucketName": {"Values": ["reports"]}, "RoleSuffix": {"Values": [suffix]}})
    role = ok(server, "acquire-role", "--template-arn", READER, "--replacement-values", values)["Role"]
    assert role["RoleName"] == f"S3Reader-{suffix}" and role["Path"] == "/templated/"
    assert role["SourceRoleTemplate"] == {"TemplateArn": READER, "TemplateMinorVersion": 2}
    again = aws_cli(server, "iam", "acquire-role", "--template-arn", READER, "--replacement-values", values)
    refused(again, "NameConflict")
    missing = READER.replace("S3BucketReader", "NoSuchTemplate")
    refused(aws_cli(server, "iam", "get-role-template-version", "--template-arn", missing), "NoSuchEntity")
    refused(
        aws_cli(server, "iam", "get-role-template-version", "--template-arn", READER, "--minor-version", "9"),
        "NoSuchEntity",
    )


# --- account properties ----------------------------------------------------------------------


def test_account_properties(server: Server) -> None:
    _, key, secret = new_account(server)
    root = Creds(key, secret)
    assert ok(server, "get-account-properties", creds=root) == {"Properties": {}}
    ok(server, "put-account-properties", "--properties", "RoleManager/Enabled=true,RoleManager/Mode=strict", creds=root)
    got = ok(server, "get-account-properties", creds=root)
    assert got == {"Properties": {"RoleManager/Enabled": "true", "RoleManager/Mode": "strict"}}
    two_namespaces = aws_cli(
        server,
        "iam",
        "put-account-properties",
        "--properties",
        "RoleManager/Enabled=true,Other/Enabled=true",
        creds=root,
    )
    refused(two_namespaces, "InvalidInput")
    refused(aws_cli(server, "iam", "put-account-properties", "--properties", "NoSlash=x", creds=root), "InvalidInput")


# --- UpdateOpenIDConnectProvider ---------------------------------------------------------------


def test_update_open_id_connect_provider(server: Server) -> None:
    url = f"https://{name('tip')}.example.com"
    arn = ok(server, "create-open-id-connect-provider", "--url", url, "--client-id-list", "c")[
        "OpenIDConnectProviderArn"
    ]
    context = {"SubjectSourceKey": "sub", "KeyDefinitionList": [{"SourceKey": "email", "TargetKey": "mail"}]}
    instance = "arn:aws:sso:::instance/ssoins-1111222233334444"
    args = ("--open-id-connect-provider-arn", arn)
    ok(server, "update-open-id-connect-provider", *args, "--context-provider", json.dumps(context))
    ok(server, "update-open-id-connect-provider", *args, "--identity-center-instance-arn", instance)
    got = ok(server, "get-open-id-connect-provider", *args)
    assert got["ContextProvider"] == context and got["IdentityCenterInstanceArn"] == instance
    # The context provider goes only once the Identity Center association is gone.
    refused(
        aws_cli(server, "iam", "update-open-id-connect-provider", *args, "--remove-context-provider"), "InvalidInput"
    )
    ok(server, "update-open-id-connect-provider", *args, "--remove-identity-center-instance")
    ok(server, "update-open-id-connect-provider", *args, "--remove-context-provider")
    got = ok(server, "get-open-id-connect-provider", *args)
    assert "ContextProvider" not in got and "IdentityCenterInstanceArn" not in got
    ok(server, "delete-open-id-connect-provider", *args)
    gone = aws_cli(server, "iam", "update-open-id-connect-provider", *args, "--context-provider", json.dumps(context))
    refused(gone, "NoSuchEntity")


# --- organization-level resources ----------------------------------------------------------------


def test_organization_level_resources(server: Server) -> None:
    org = Organization.create(server)
    root = org.management.root
    refused(
        aws_cli(server, "iam", "enable-organization-level-resources", creds=root), "ServiceAccessNotEnabledException"
    )
    org.orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    enabled = ok(server, "enable-organization-level-resources", creds=root)
    assert enabled == {"OrganizationId": org.org_id, "EnabledFeatures": ["OrganizationIamResources"]}
    member = org.enter(org.add_member())
    refused(
        aws_cli(server, "iam", "disable-organization-level-resources", creds=member),
        "CallerIsNotManagementAccountException",
    )
    disabled = ok(server, "disable-organization-level-resources", creds=root)
    assert disabled["OrganizationId"] == org.org_id and disabled["EnabledFeatures"] == []
    alone = Account.create(server)
    refused(
        aws_cli(server, "iam", "enable-organization-level-resources", creds=alone.root), "OrganizationNotFoundException"
    )
