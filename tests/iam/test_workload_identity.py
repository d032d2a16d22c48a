"""IAM workload identity providers, outbound signers, resource policies and templates, end
to end with boto3 (lifecycle, both template modes, and the errors the model documents)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.testing.accounts import Account

pytestmark = pytest.mark.e2e

NS = "aws:WorkloadAttestation/aws/k8s/Namespace"
PATTERN = "ns/{" + NS + "}"


def name(prefix: str = "p") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def refused(fn: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    return str(exc.value.response["Error"]["Code"])


def provider(account: Account, **extra: Any) -> dict[str, Any]:
    args = {"ProviderName": name(), "Scheme": "SPIFFE", "WorkloadIdentityDomain": f"{name('d')}.example.org"}
    args.update(extra)
    out: dict[str, Any] = account.client("iam").create_workload_identity_provider(**args)
    return out


def policy(principal: str) -> str:
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


def test_provider_lifecycle(credmint_account: Account) -> None:
    iam = credmint_account.client("iam")
    created = provider(credmint_account, Description="payments", Tags=[{"Key": "team", "Value": "pay"}])
    assert created["ProviderId"].startswith("AWPA") and created["ResourceScope"] == "ACCOUNT"
    signers = created["OutboundSigners"]
    assert signers["X509"] == []
    assert sorted(j["SigningAlgorithm"] for j in signers["Jwt"]) == ["ES384", "RS256"]
    assert signers["OidcIssuerUri"].endswith("/" + created["ProviderId"])
    got = iam.get_workload_identity_provider(WorkloadIdentityProviderArn=created["Arn"])
    assert got["Description"] == "payments" and got["Tags"] == [{"Key": "team", "Value": "pay"}]
    listed = iam.list_workload_identity_providers()["WorkloadIdentityProviders"]
    assert created["Arn"] in [p["Arn"] for p in listed]
    assert iam.list_workload_identity_providers(ResourceScope="ORGANIZATION")["WorkloadIdentityProviders"] == []
    iam.tag_workload_identity_provider(WorkloadIdentityProviderArn=created["Arn"], Tags=[{"Key": "env", "Value": "p"}])
    iam.untag_workload_identity_provider(WorkloadIdentityProviderArn=created["Arn"], TagKeys=["team"])
    tags = iam.list_workload_identity_provider_tags(WorkloadIdentityProviderArn=created["Arn"])["Tags"]
    assert tags == [{"Key": "env", "Value": "p"}]
    task = iam.delete_workload_identity_provider(WorkloadIdentityProviderArn=created["Arn"])["DeletionTaskId"]
    status = iam.get_workload_identity_provider_deletion_status(DeletionTaskId=task)
    assert status == {"WorkloadIdentityProviderArn": created["Arn"], "Status": "SUCCEEDED", **status}
    assert refused(iam.get_workload_identity_provider, WorkloadIdentityProviderArn=created["Arn"]) == "NoSuchEntity"
    assert refused(iam.delete_workload_identity_provider, WorkloadIdentityProviderArn=created["Arn"]) == "NoSuchEntity"
    assert refused(iam.get_workload_identity_provider_deletion_status, DeletionTaskId="AWPDNOTATASKATALL12") == (
        "NoSuchEntity"
    )


def test_provider_input_errors(credmint_account: Account) -> None:
    iam = credmint_account.client("iam")
    assert refused(iam.create_workload_identity_provider, ProviderName=name(), Scheme="SPIFFE") == "InvalidInput"
    assert (
        refused(iam.create_workload_identity_provider, ProviderName=name(), Scheme="NONE", WorkloadIdentityDomain="a.b")
        == "InvalidInput"
    )
    first = provider(credmint_account)
    assert refused(iam.create_workload_identity_provider, ProviderName=first["ProviderName"], Scheme="NONE") == (
        "EntityAlreadyExists"
    )
    # A trust domain belongs to one provider.
    assert (
        refused(
            iam.create_workload_identity_provider,
            ProviderName=name(),
            Scheme="SPIFFE",
            WorkloadIdentityDomain=first["WorkloadIdentityDomain"],
        )
        == "EntityAlreadyExists"
    )
    # Outside an organization there is no organization scope.
    assert (
        refused(iam.create_workload_identity_provider, ProviderName=name(), Scheme="NONE", ResourceScope="ORGANIZATION")
        == "InvalidInput"
    )


def test_another_account_sees_nothing(credmint_account: Account, credmint_server: Any) -> None:
    created = provider(credmint_account)
    other = credmint_server.new_account().client("iam")
    arn = created["Arn"]
    assert refused(other.get_workload_identity_provider, WorkloadIdentityProviderArn=arn) == "NoSuchEntity"
    assert refused(other.delete_workload_identity_provider, WorkloadIdentityProviderArn=arn) == "NoSuchEntity"
    assert (
        refused(
            other.put_workload_identity_provider_resource_policy,
            WorkloadIdentityProviderArn=arn,
            PolicyDocument=policy("*"),
        )
        == "NoSuchEntity"
    )
    assert arn not in [p["Arn"] for p in other.list_workload_identity_providers()["WorkloadIdentityProviders"]]


def test_x509_signer_slots_rotation_disable_enable(credmint_account: Account) -> None:
    iam = credmint_account.client("iam")
    arn = provider(credmint_account)["Arn"]
    acct = credmint_account.account_id

    def ca(ca_id: str) -> dict[str, Any]:
        return {"X509": {"CertificateAuthorityId": ca_id, "AccountId": acct}}

    def x509s() -> list[dict[str, Any]]:
        out = iam.list_workload_identity_provider_outbound_signers(WorkloadIdentityProviderArn=arn)["OutboundSigners"]
        return [s for s in out if s["SignerType"] == "X509"]

    iam.create_workload_identity_provider_outbound_signer(WorkloadIdentityProviderArn=arn, OutboundSigner=ca("ca-a"))
    assert [s["Status"] for s in x509s()] == ["IN_TRANSITION"]
    # The EC_prime256v1 slot is taken; another algorithm's slot is free.
    assert (
        refused(
            iam.create_workload_identity_provider_outbound_signer,
            WorkloadIdentityProviderArn=arn,
            OutboundSigner=ca("ca-b"),
        )
        == "EntityAlreadyExists"
    )
    iam.create_workload_identity_provider_outbound_signer(
        WorkloadIdentityProviderArn=arn, OutboundSigner=ca("ca-EC_secp384r1")
    )
    credmint_account.advance(3660)
    assert sorted(s["Status"] for s in x509s()) == ["ACTIVE", "ACTIVE"]
    # Rotation: the incoming CA is published at once and signs after the delay.
    iam.update_workload_identity_provider_outbound_signer(
        WorkloadIdentityProviderArn=arn, OutboundSigner=ca("ca-c"), SigningDelayInHours=2
    )
    by_ca = {s["Configuration"]["X509"]["CertificateAuthorityId"]: s for s in x509s()}
    assert by_ca["ca-c"]["Status"] == "IN_TRANSITION"
    assert by_ca["ca-a"]["Status"] == "ACTIVE" and by_ca["ca-a"]["EndSigningTime"] == by_ca["ca-c"]["StartSigningTime"]
    credmint_account.advance(2 * 3600 + 60)
    by_ca = {s["Configuration"]["X509"]["CertificateAuthorityId"]: s for s in x509s()}
    assert (by_ca["ca-a"]["Status"], by_ca["ca-c"]["Status"]) == ("VALIDATING", "ACTIVE")
    # Disable stops every X.509 signer; enable resumes the most recent in each slot.
    iam.disable_workload_identity_provider_outbound_signer(WorkloadIdentityProviderArn=arn, SignerType="X509")
    assert all(s["Status"] in ("VALIDATING", "INACTIVE") for s in x509s())
    iam.disable_workload_identity_provider_outbound_signer(WorkloadIdentityProviderArn=arn, SignerType="X509")
    iam.enable_workload_identity_provider_outbound_signer(WorkloadIdentityProviderArn=arn, SignerType="X509")
    by_ca = {s["Configuration"]["X509"]["CertificateAuthorityId"]: s for s in x509s()}
    assert by_ca["ca-c"]["Status"] == "IN_TRANSITION" and by_ca["ca-EC_secp384r1"]["Status"] == "IN_TRANSITION"
    # JWT signers are IAM's: they cannot be disabled.
    assert (
        refused(
            iam.disable_workload_identity_provider_outbound_signer, WorkloadIdentityProviderArn=arn, SignerType="JWT"
        )
        == "InvalidInput"
    )
    # A provider with X.509 signers cannot be deleted; deleting them frees it.
    assert refused(iam.delete_workload_identity_provider, WorkloadIdentityProviderArn=arn) == "DeleteConflict"
    # A signer that signs or is about to (here IN_TRANSITION) must be disabled first.
    assert (
        refused(
            iam.delete_workload_identity_provider_outbound_signer,
            WorkloadIdentityProviderArn=arn,
            OutboundSigner=ca("ca-c"),
        )
        == "InvalidInput"
    )
    iam.disable_workload_identity_provider_outbound_signer(WorkloadIdentityProviderArn=arn, SignerType="X509")
    for ca_id in ("ca-a", "ca-c", "ca-EC_secp384r1"):
        out = iam.delete_workload_identity_provider_outbound_signer(
            WorkloadIdentityProviderArn=arn, OutboundSigner=ca(ca_id)
        )
        assert out["Status"] == "SUCCEEDED"
    assert (
        refused(
            iam.delete_workload_identity_provider_outbound_signer,
            WorkloadIdentityProviderArn=arn,
            OutboundSigner=ca("ca-a"),
        )
        == "NoSuchEntity"
    )
    iam.delete_workload_identity_provider(WorkloadIdentityProviderArn=arn)


def test_resource_policy(credmint_account: Account) -> None:
    iam = credmint_account.client("iam")
    arn = provider(credmint_account)["Arn"]
    assert refused(iam.get_workload_identity_provider_resource_policy, WorkloadIdentityProviderArn=arn) == (
        "NoSuchEntity"
    )
    user = credmint_account.create_user()
    iam.put_workload_identity_provider_resource_policy(WorkloadIdentityProviderArn=arn, PolicyDocument=policy(user.arn))
    got = iam.get_workload_identity_provider_resource_policy(WorkloadIdentityProviderArn=arn)
    assert got["Arn"] == arn and got["PolicyDocument"] == json.loads(policy(user.arn))
    assert (
        refused(
            iam.put_workload_identity_provider_resource_policy,
            WorkloadIdentityProviderArn=arn,
            PolicyDocument="{not json",
        )
        == "MalformedPolicyDocument"
    )
    assert refused(
        iam.put_workload_identity_provider_resource_policy,
        WorkloadIdentityProviderArn=arn,
        PolicyDocument=policy(f"arn:aws:iam::{credmint_account.account_id}:user/nobody-here"),
    ) == ("MalformedPolicyDocument")
    iam.delete_workload_identity_provider_resource_policy(WorkloadIdentityProviderArn=arn)
    assert refused(iam.delete_workload_identity_provider_resource_policy, WorkloadIdentityProviderArn=arn) == (
        "NoSuchEntity"
    )


def test_templates_direct_mode(credmint_account: Account) -> None:
    iam = credmint_account.client("iam")
    parent = provider(credmint_account)
    user = credmint_account.create_user()
    t = iam.create_workload_identity_template(
        Name=name("t"),
        WorkloadIdentityProviderArn=parent["Arn"],
        PathPrefix="team/pay",
        PathPattern=PATTERN,
        AttestationPolicy=policy(user.arn),
        Description="checkout",
        Tags=[{"Key": "a", "Value": "b"}],
    )
    assert t["TemplateId"].startswith("AWTA") and "AttestationPolicy" in t
    got = iam.get_workload_identity_template(WorkloadIdentityTemplateArn=t["Arn"])
    assert "AttestationPolicy" not in got  # read through its own operation only
    assert got["PathPrefix"] == "team/pay" and got["Tags"] == [{"Key": "a", "Value": "b"}]
    pol = iam.get_workload_identity_template_attestation_policy(WorkloadIdentityTemplateArn=t["Arn"])
    assert pol["AttestationPolicy"] == json.loads(policy(user.arn))
    listed = iam.list_workload_identity_templates(WorkloadIdentityProviderArn=parent["Arn"])
    assert [x["Arn"] for x in listed["WorkloadIdentityTemplates"]] == [t["Arn"]]
    flt = iam.list_workload_identity_templates(
        WorkloadIdentityProviderArn=parent["Arn"], Filter='service_principal = "eks.amazonaws.com"'
    )
    assert flt["WorkloadIdentityTemplates"] == []
    assert (
        refused(iam.list_workload_identity_templates, WorkloadIdentityProviderArn=parent["Arn"], Filter="name = x")
        == "InvalidInput"
    )
    # A provider its templates still reference cannot be deleted.
    assert refused(iam.delete_workload_identity_provider, WorkloadIdentityProviderArn=parent["Arn"]) == (
        "DeleteConflict"
    )
    iam.delete_workload_identity_template_attestation_policy(WorkloadIdentityTemplateArn=t["Arn"])
    assert refused(iam.get_workload_identity_template_attestation_policy, WorkloadIdentityTemplateArn=t["Arn"]) == (
        "NoSuchEntity"
    )
    iam.put_workload_identity_template_attestation_policy(
        WorkloadIdentityTemplateArn=t["Arn"], AttestationPolicy=policy(user.arn)
    )
    out = iam.delete_workload_identity_template(WorkloadIdentityTemplateArn=t["Arn"])
    assert out["Status"] == "SUCCEEDED"
    assert refused(iam.delete_workload_identity_template, WorkloadIdentityTemplateArn=t["Arn"]) == "NoSuchEntity"
    iam.delete_workload_identity_provider(WorkloadIdentityProviderArn=parent["Arn"])


@pytest.mark.parametrize(
    "pattern",
    ["no-placeholder", "{aws:username}", "x{" + NS + "}", "../{" + NS + "}", "a//{" + NS + "}"],
)
def test_template_patterns_are_checked(credmint_account: Account, pattern: str) -> None:
    iam = credmint_account.client("iam")
    parent = provider(credmint_account)
    assert refused(
        iam.create_workload_identity_template,
        Name=name("t"),
        WorkloadIdentityProviderArn=parent["Arn"],
        PathPattern=pattern,
    ) in ("InvalidInput", "ValidationError")


def test_template_mode_rules(credmint_account: Account) -> None:
    iam = credmint_account.client("iam")
    parent = provider(credmint_account)
    assert refused(iam.create_workload_identity_template, Name=name("t"), PathPattern=PATTERN) == "InvalidInput"
    definition: dict[str, Any] = {
        "TemplateDefinitionArn": "arn:aws:iam::aws:workload-identity-template-definition/KubernetesServiceAccount",
        "ReplacementValues": {
            "TemplateName": {"Values": [name("k8s")]},
            "ProviderArn": {"Values": [parent["Arn"]]},
            "Callers": {"Values": [f"arn:aws:iam::{credmint_account.account_id}:root"]},
            "Clusters": {"Values": ["prod-1", "prod-2"]},
        },
    }
    assert refused(iam.create_workload_identity_template, TemplateDefinition=definition, PathPattern=PATTERN) == (
        "InvalidInput"
    )
    t = iam.create_workload_identity_template(TemplateDefinition=definition)
    assert t["Name"] == definition["ReplacementValues"]["TemplateName"]["Values"][0]
    assert t["WorkloadIdentityProviderArn"] == parent["Arn"]
    assert "{aws:WorkloadAttestation/aws/k8s/Cluster}" in t["PathPattern"]
    rendered = t["AttestationPolicy"]
    cond = rendered["Statement"][0]["Condition"]["StringEquals"]["aws:WorkloadAttestation/aws/k8s/Cluster"]
    assert cond == ["prod-1", "prod-2"]
    bad = dict(definition, ReplacementValues={**definition["ReplacementValues"], "Extra": {"Values": ["x"]}})
    assert refused(iam.create_workload_identity_template, TemplateDefinition=bad) == "InvalidInput"
    unknown = dict(definition, TemplateDefinitionArn="arn:aws:iam::aws:workload-identity-template-definition/Nope")
    assert refused(iam.create_workload_identity_template, TemplateDefinition=unknown) == "NoSuchEntity"


def test_identity_policies_govern_the_iam_actions(credmint_account: Account) -> None:
    parent = provider(credmint_account)
    reader = credmint_account.create_user(
        policies=[
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iam:GetWorkloadIdentityProvider", "Resource": "*"}],
            }
        ]
    )
    iam = reader.client("iam")
    iam.get_workload_identity_provider(WorkloadIdentityProviderArn=parent["Arn"])
    assert refused(iam.delete_workload_identity_provider, WorkloadIdentityProviderArn=parent["Arn"]) == "AccessDenied"
    assert refused(iam.create_workload_identity_provider, ProviderName=name(), Scheme="NONE") == "AccessDenied"


NEW_IAM_OPERATIONS = sorted(
    op
    for op in __import__("botocore.session").session.get_session().get_service_model("iam").operation_names
    if "WorkloadIdentity" in op or "Delegation" in op or op == "GetHumanReadableSummary"
)


@pytest.mark.parametrize("operation", NEW_IAM_OPERATIONS)
def test_nonsense_input_is_a_callers_error(credmint_account: Account, operation: str) -> None:
    import botocore

    from tests.sts.test_every_operation import minimal

    iam = credmint_account.client("iam")
    model = iam.meta.service_model.operation_model(operation)
    params = minimal(model.input_shape) if model.input_shape is not None else {}
    try:
        getattr(iam, botocore.xform_name(operation))(**params)
    except ClientError as exc:
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] < 500, exc.response["Error"]
        assert exc.response["Error"]["Code"] != "InvalidAction"


SA = "aws:WorkloadAttestation/aws/k8s/ServiceAccount"


def conditioned(conditions: dict[str, Any]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "sts:IssueWorkloadIdentityContext",
                    "Resource": "*",
                    "Condition": conditions,
                }
            ],
        }
    )


#: (conditions, whether they fit PATTERN, which renders only the namespace).
FIT_CASES = [
    ({"StringEquals": {NS: "payments"}}, True),
    ({"StringEquals": {NS.lower(): "payments"}}, True),
    ({"StringLike": {NS: "pay*"}, "StringEquals": {"aws:PrincipalAccount": "111122223333"}}, True),
    ({"StringEquals": {"aws:SourceAccount": "111122223333"}}, True),
    ({}, True),
    ({"StringEquals": {SA: "checkout"}}, False),
    ({"StringEquals": {NS: "payments"}, "StringLike": {SA: "*"}}, False),
    ({"Null": {"aws:WorkloadAttestation/other/Thing": "false"}}, False),
]


@pytest.mark.parametrize(("conditions", "fits"), FIT_CASES, ids=[str(i) for i in range(len(FIT_CASES))])
def test_the_attestation_policy_must_fit_the_path_pattern(
    credmint_account: Account, conditions: dict[str, Any], fits: bool
) -> None:
    """The model: "The policy's conditions must fit the template's stored PathPattern. A
    policy that does not returns InvalidInputException" (Put, and Create, whose policy is
    "equivalent to one supplied later" by Put)."""
    iam = credmint_account.client("iam")
    parent = provider(credmint_account)
    text = conditioned(conditions)
    t = iam.create_workload_identity_template(
        Name=name("t"), WorkloadIdentityProviderArn=parent["Arn"], PathPattern=PATTERN
    )
    create = {"Name": name("t"), "WorkloadIdentityProviderArn": parent["Arn"], "PathPattern": PATTERN}
    if fits:
        iam.put_workload_identity_template_attestation_policy(
            WorkloadIdentityTemplateArn=t["Arn"], AttestationPolicy=text
        )
        stored = iam.get_workload_identity_template_attestation_policy(WorkloadIdentityTemplateArn=t["Arn"])
        assert stored["AttestationPolicy"] == json.loads(text)
        iam.create_workload_identity_template(**create, AttestationPolicy=text)
        return
    with pytest.raises(ClientError) as exc:
        iam.put_workload_identity_template_attestation_policy(
            WorkloadIdentityTemplateArn=t["Arn"], AttestationPolicy=text
        )
    err = exc.value.response["Error"]
    assert (err["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidInput", 400)
    assert "PathPattern" in err["Message"]
    # Nothing was stored.
    assert refused(iam.get_workload_identity_template_attestation_policy, WorkloadIdentityTemplateArn=t["Arn"]) == (
        "NoSuchEntity"
    )
    assert refused(iam.create_workload_identity_template, **create, AttestationPolicy=text) == "InvalidInput"
    # The same policy fits a template whose pattern renders the service account too.
    wider = iam.create_workload_identity_template(
        Name=name("t"), WorkloadIdentityProviderArn=parent["Arn"], PathPattern=PATTERN + "/sa/{" + SA + "}"
    )
    if "other/Thing" not in text:
        iam.put_workload_identity_template_attestation_policy(
            WorkloadIdentityTemplateArn=wider["Arn"], AttestationPolicy=text
        )
