"""SCPs and RCPs in every authorization decision: they never grant, they only limit."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Organization, client, error_of, make_user, unique


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


DENY_CREATE_USER = policy({"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"})


@pytest.fixture
def org(server: Server) -> Organization:
    org = Organization.create(server)
    org.orgs.enable_policy_type(RootId=org.root_id, PolicyType="SERVICE_CONTROL_POLICY")
    return org


def _scp(org: Organization, content: str) -> str:
    created = org.orgs.create_policy(
        Content=content, Description="test", Name=unique("scp"), Type="SERVICE_CONTROL_POLICY"
    )
    policy_id: str = created["Policy"]["PolicySummary"]["Id"]
    return policy_id


def _attach_rcp(org: Organization, target: str, statement: dict[str, Any]) -> str:
    """An RCP of one statement, attached to ``target`` (RCPs already enabled): its id."""
    created = org.orgs.create_policy(
        Content=policy(statement), Description="test", Name=unique("rcp"), Type="RESOURCE_CONTROL_POLICY"
    )
    policy_id: str = created["Policy"]["PolicySummary"]["Id"]
    org.orgs.attach_policy(PolicyId=policy_id, TargetId=target)
    return policy_id


def test_scp_deny_overrides_an_administrators_allow(server: Server, org: Organization) -> None:
    member = org.add_member()
    ou = org.orgs.create_organizational_unit(ParentId=org.root_id, Name="fenced")["OrganizationalUnit"]["Id"]
    org.orgs.move_account(AccountId=member, SourceParentId=org.root_id, DestinationParentId=ou)
    admin = make_user(server, org.enter(member))  # AdministratorAccess in the member account
    iam = client(server, "iam", admin.creds)
    iam.create_user(UserName=unique("before"))

    deny = _scp(org, DENY_CREATE_USER)
    org.orgs.attach_policy(PolicyId=deny, TargetId=ou)
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName=unique("fenced"))
    code, message, status = error_of(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert "with an explicit deny in a service control policy" in message
    iam.list_users()  # what the SCP does not deny stays allowed

    # The management account is never limited by SCPs, even attached to the root.
    org.orgs.attach_policy(PolicyId=deny, TargetId=org.root_id)
    client(server, "iam", org.admin.creds).create_user(UserName=unique("mgmt"))

    # Permissions are live: detaching lifts the fence at once.
    org.orgs.detach_policy(PolicyId=deny, TargetId=ou)
    org.orgs.detach_policy(PolicyId=deny, TargetId=org.root_id)
    iam.create_user(UserName=unique("after"))


def test_scp_allow_list_denies_what_it_does_not_name(server: Server, org: Organization) -> None:
    member = org.add_member()
    admin = make_user(server, org.enter(member))
    only_s3 = _scp(org, policy({"Effect": "Allow", "Action": ["s3:*", "sts:*"], "Resource": "*"}))
    org.orgs.attach_policy(PolicyId=only_s3, TargetId=member)
    org.orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=member)
    s3 = client(server, "s3", admin.creds)
    bucket = unique("scp-allow")
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        client(server, "iam", admin.creds).list_users()
    code, message, _ = error_of(exc)
    assert code == "AccessDenied" and "because no service control policy allows" in message
    s3.delete_bucket(Bucket=bucket)


def test_scp_never_grants(server: Server, org: Organization) -> None:
    member = org.add_member()
    nobody = make_user(server, org.enter(member), policy=None)
    org.orgs.attach_policy(
        PolicyId=_scp(org, policy({"Effect": "Allow", "Action": "*", "Resource": "*"})), TargetId=member
    )
    with pytest.raises(ClientError) as exc:
        client(server, "iam", nobody.creds).list_users()
    assert "no identity-based policy allows" in error_of(exc)[1]


def test_scp_limits_member_roles_too(server: Server, org: Organization) -> None:
    member = org.add_member()
    role_creds = org.enter(member)
    org.orgs.attach_policy(PolicyId=_scp(org, DENY_CREATE_USER), TargetId=org.root_id)
    with pytest.raises(ClientError) as exc:
        client(server, "iam", role_creds).create_user(UserName=unique("x"))
    assert "service control policy" in error_of(exc)[1]


def test_simulate_principal_policy_applies_the_scps_the_request_meets(server: Server, org: Organization) -> None:
    # The simulator must agree with the real request: an SCP-denied action is not
    # "allowed", and OrganizationsDecisionDetail says the organization refused it.
    member = org.add_member()
    admin = make_user(server, org.enter(member))
    org.orgs.attach_policy(PolicyId=_scp(org, DENY_CREATE_USER), TargetId=member)
    with pytest.raises(ClientError) as exc:
        client(server, "iam", admin.creds).create_user(UserName=unique("x"))
    assert "service control policy" in error_of(exc)[1]

    results = client(server, "iam", admin.creds).simulate_principal_policy(
        PolicySourceArn=admin.arn, ActionNames=["iam:CreateUser", "iam:ListUsers"]
    )["EvaluationResults"]
    by_action = {r["EvalActionName"]: r for r in results}
    denied, allowed = by_action["iam:CreateUser"], by_action["iam:ListUsers"]
    assert denied["EvalDecision"] == "explicitDeny"
    assert denied["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    # SourcePolicyType has no value for SCPs: only the identity policy is listed.
    assert [m["SourcePolicyType"] for m in denied["MatchedStatements"]] == ["user"]
    assert allowed["EvalDecision"] == "allowed"
    assert allowed["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}

    # The management account is not limited by SCPs, so no organization detail there.
    mgmt = client(server, "iam", org.admin.creds).simulate_principal_policy(
        PolicySourceArn=org.admin.arn, ActionNames=["iam:CreateUser"]
    )["EvaluationResults"][0]
    assert mgmt["EvalDecision"] == "allowed"
    assert "OrganizationsDecisionDetail" not in mgmt


def test_rcp_limits_the_resources_of_member_accounts(server: Server, org: Organization) -> None:
    member = org.add_member()
    creds = org.enter(member)
    s3 = client(server, "s3", creds)
    bucket = unique("rcp")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    org.orgs.enable_policy_type(RootId=org.root_id, PolicyType="RESOURCE_CONTROL_POLICY")
    # RCPFullAWSAccess now sits everywhere: nothing changes until an RCP denies.
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    rcp = _attach_rcp(org, member, {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"})
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=bucket, Key="k")
    assert error_of(exc)[0] == "AccessDenied"
    # RCPs do not apply to IAM, and never to the management account's resources.
    client(server, "iam", creds).create_user(UserName=unique("u"))
    mgmt_s3 = client(server, "s3", org.admin.creds)
    own = unique("rcp-mgmt")
    mgmt_s3.create_bucket(Bucket=own)
    org.orgs.attach_policy(PolicyId=rcp, TargetId=org.root_id)
    mgmt_s3.put_object(Bucket=own, Key="k", Body=b"v")
    mgmt_s3.delete_object(Bucket=own, Key="k")
    mgmt_s3.delete_bucket(Bucket=own)


def test_rcp_limits_federated_role_assumption(server: Server, org: Organization) -> None:
    """A federated caller is no IAM principal, so no SCP applies to it; the role's account's
    RCPs do, as for AssumeRole."""
    from botocore import UNSIGNED

    from tests.federation.samlidp import SamlIdp

    member = org.add_member()
    iam = client(server, "iam", org.enter(member))
    idp = SamlIdp()
    provider = iam.create_saml_provider(Name="corp", SAMLMetadataDocument=idp.metadata())["SAMLProviderArn"]
    trust = {
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    }
    role = iam.create_role(RoleName="saml-admin", AssumeRolePolicyDocument=policy(trust))["Role"]["Arn"]
    sts = server.client("sts", config={"signature_version": UNSIGNED})

    def assume() -> Any:
        assertion = idp.signed_response(roles=[f"{role},{provider}"])
        return sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider, SAMLAssertion=assertion)

    assume()
    org.orgs.enable_policy_type(RootId=org.root_id, PolicyType="RESOURCE_CONTROL_POLICY")
    assume()  # RCPFullAWSAccess changes nothing
    _attach_rcp(org, member, {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRoleWith*", "Resource": "*"})
    with pytest.raises(ClientError) as exc:
        assume()
    assert error_of(exc)[0] == "AccessDenied"


def test_a_buckets_rcps_cover_objects_other_accounts_own(server: Server, org: Organization) -> None:
    """An object another account wrote into an ACL-enabled bucket is decided in its owner's
    context, but it lives in the bucket's account: that account's RCPs still apply."""
    import httpx

    from tests.orgs.helpers import Account

    member = org.add_member()
    s3 = client(server, "s3", org.enter(member))
    partner = client(server, "s3", make_user(server, Account.create(server).root).creds)
    bucket = unique("rcp-foreign")
    s3.create_bucket(Bucket=bucket)
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["s3:PutObject", "s3:PutObjectAcl"],
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(grant))
    partner.put_object(Bucket=bucket, Key="theirs", Body=b"v", ACL="public-read")
    url = f"{server.url}/{bucket}/theirs"
    assert httpx.get(url).status_code == 200
    org.orgs.enable_policy_type(RootId=org.root_id, PolicyType="RESOURCE_CONTROL_POLICY")
    _attach_rcp(org, member, {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
    assert httpx.get(url).status_code == 403
    with pytest.raises(ClientError) as exc:
        partner.get_object(Bucket=bucket, Key="theirs")
    assert error_of(exc)[0] == "AccessDenied"


def test_a_region_scp_sees_the_region_s3_is_called_in(server: Server, org: Organization) -> None:
    """``aws:RequestedRegion`` of an S3 request is the region it is signed for, the region
    a bucket it creates lives in: AWS's data-residency SCP holds."""
    member = org.add_member()
    creds = org.enter(member)
    only_home = policy(
        {
            "Effect": "Deny",
            "NotAction": ["iam:*", "organizations:*", "sts:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
        }
    )
    org.orgs.attach_policy(PolicyId=_scp(org, only_home), TargetId=member)
    home = client(server, "s3", creds, region_name="us-east-1")
    away = client(server, "s3", creds, region_name="eu-west-1")
    home.create_bucket(Bucket=unique("home"))
    with pytest.raises(ClientError) as exc:
        away.create_bucket(Bucket=unique("away"), CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert error_of(exc)[0] == "AccessDenied"
    assert home.list_buckets()["Buckets"]
    with pytest.raises(ClientError) as exc:
        away.list_buckets()
    assert error_of(exc)[0] == "AccessDenied"
