"""The access advisor end to end: service last accessed reports (user, role, group, policy;
service and action level), the entities behind a service, the policies granting a service,
and Organizations access reports, fed by the calls the test makes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Organization, client
from tests.s3.helpers import new_account
from tests.sts.helpers import allow, aws_cli, doc, error_of, make_role, make_user, trust, unique

pytestmark = pytest.mark.e2e

ALLOW_IAM_AND_S3 = doc(allow(["iam:ListUsers", "iam:GetUser"]), allow("s3:ListAllMyBuckets"))


def refused(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    code, _, status = error_of(exc)
    return code, status


def report(server: Server, arn: str, granularity: str = "SERVICE_LEVEL") -> dict[str, Any]:
    iam = server.client("iam")
    job = iam.generate_service_last_accessed_details(Arn=arn, Granularity=granularity)["JobId"]
    assert len(job) == 36
    got: dict[str, Any] = iam.get_service_last_accessed_details(JobId=job)
    assert got["JobStatus"] == "COMPLETED" and got["JobType"] == granularity
    got["JobId"] = job
    return got


def by_namespace(got: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["ServiceNamespace"]: s for s in got["ServicesLastAccessed"]}


def test_user_report_lists_allowed_services_with_the_latest_attempt(server: Server) -> None:
    user = make_user(server, policy=ALLOW_IAM_AND_S3)
    server.client("iam", **user.creds.kwargs()).list_users()
    server.client("s3", **user.creds.kwargs(), region_name="eu-west-1").list_buckets()
    got = by_namespace(report(server, user.arn))
    # Allowed services only: STS and Organizations are not granted by the policy.
    assert set(got) == {"iam", "s3"}
    assert got["iam"]["ServiceName"] == "AWS Identity and Access Management"
    assert got["iam"]["LastAuthenticatedEntity"] == user.arn
    # IAM is global: botocore signs its calls for us-east-1, and that is where they land.
    assert got["iam"]["LastAuthenticatedRegion"] == "us-east-1"
    assert got["iam"]["TotalAuthenticatedEntities"] == got["s3"]["TotalAuthenticatedEntities"] == 1
    assert "LastAuthenticated" in got["iam"]


def test_a_service_never_attempted_is_listed_without_an_attempt(server: Server) -> None:
    user = make_user(server, policy=ALLOW_IAM_AND_S3)
    got = by_namespace(report(server, user.arn))
    assert "LastAuthenticated" not in got["s3"] and got["s3"]["TotalAuthenticatedEntities"] == 0


def test_denied_attempts_count_as_aws_counts_them(server: Server) -> None:
    user = make_user(server, policy=doc(allow("iam:GetUser")))
    with pytest.raises(ClientError):
        server.client("iam", **user.creds.kwargs()).list_users()
    got = by_namespace(report(server, user.arn))
    assert "LastAuthenticated" in got["iam"]


def test_action_level_lists_tracked_actions(server: Server) -> None:
    user = make_user(server, policy=ALLOW_IAM_AND_S3)
    server.client("iam", **user.creds.kwargs()).get_user()
    got = by_namespace(report(server, user.arn, "ACTION_LEVEL"))
    actions = {a["ActionName"]: a for a in got["iam"]["TrackedActionsLastAccessed"]}
    assert set(actions) == {"ListUsers", "GetUser"}
    assert actions["GetUser"]["LastAccessedEntity"] == user.arn
    assert "LastAccessedTime" in actions["GetUser"] and "LastAccessedTime" not in actions["ListUsers"]


def test_role_sessions_are_reported_under_the_role(server: Server) -> None:
    caller = make_user(server, policy=doc(allow("sts:AssumeRole")))
    role = make_role(server, doc(trust(caller.arn)), policy=ALLOW_IAM_AND_S3)
    creds = server.client("sts", **caller.creds.kwargs()).assume_role(RoleArn=role["Arn"], RoleSessionName="advisor")[
        "Credentials"
    ]
    server.client(
        "iam",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    ).list_users()
    got = by_namespace(report(server, role["Arn"]))
    assert got["iam"]["LastAuthenticatedEntity"] == role["Arn"]


def test_group_report_and_its_entities(server: Server) -> None:
    iam = server.client("iam")
    group = unique("g")
    arn = iam.create_group(GroupName=group)["Group"]["Arn"]
    iam.put_group_policy(GroupName=group, PolicyName="gp", PolicyDocument=ALLOW_IAM_AND_S3)
    active, idle = make_user(server), make_user(server)
    for u in (active, idle):
        iam.add_user_to_group(GroupName=group, UserName=u.name)
    server.client("iam", **active.creds.kwargs()).list_users()
    got = report(server, arn)
    assert by_namespace(got)["iam"]["TotalAuthenticatedEntities"] == 1
    entities = iam.get_service_last_accessed_details_with_entities(JobId=got["JobId"], ServiceNamespace="iam")
    listed = entities["EntityDetailsList"]
    assert [e["EntityInfo"]["Name"] for e in listed] == [active.name, idle.name]  # most recent first
    assert listed[0]["EntityInfo"]["Type"] == "USER" and "LastAuthenticated" in listed[0]
    assert "LastAuthenticated" not in listed[1]


def test_managed_policy_report_covers_entities_it_is_attached_to(server: Server) -> None:
    iam = server.client("iam")
    policy = iam.create_policy(PolicyName=unique("p"), PolicyDocument=ALLOW_IAM_AND_S3)["Policy"]["Arn"]
    user = make_user(server)
    iam.attach_user_policy(UserName=user.name, PolicyArn=policy)
    server.client("iam", **user.creds.kwargs()).list_users()
    got = report(server, policy)
    assert by_namespace(got)["iam"]["LastAuthenticatedEntity"] == user.arn
    entities = iam.get_service_last_accessed_details_with_entities(JobId=got["JobId"], ServiceNamespace="iam")
    assert [e["EntityInfo"]["Arn"] for e in entities["EntityDetailsList"]] == [user.arn]


def test_errors(server: Server) -> None:
    iam = server.client("iam")
    missing = f"arn:aws:iam::{server.account_id}:user/{unique('nobody')}"
    assert refused(iam.generate_service_last_accessed_details, Arn=missing) == ("NoSuchEntity", 404)
    bad = f"arn:aws:iam::{server.account_id}:instance-profile/x"
    assert refused(iam.generate_service_last_accessed_details, Arn=bad) == ("InvalidInput", 400)
    unknown_job = "00000000-0000-4000-8000-000000000000"
    assert refused(iam.get_service_last_accessed_details, JobId=unknown_job) == ("NoSuchEntity", 404)
    assert refused(iam.get_service_last_accessed_details_with_entities, JobId=unknown_job, ServiceNamespace="iam") == (
        "NoSuchEntity",
        404,
    )
    assert refused(iam.get_organizations_access_report, JobId=unknown_job) == ("NoSuchEntity", 404)
    policy = iam.create_policy(PolicyName=unique("p"), PolicyDocument=ALLOW_IAM_AND_S3)["Policy"]["Arn"]
    assert refused(iam.list_policies_granting_service_access, Arn=policy, ServiceNamespaces=["iam"]) == (
        "InvalidInput",
        400,
    )


def test_another_account_cannot_read_the_report_or_its_entities(server: Server) -> None:
    user = make_user(server, policy=ALLOW_IAM_AND_S3)
    job = server.client("iam").generate_service_last_accessed_details(Arn=user.arn)["JobId"]
    _, key, secret = new_account(server)
    other = server.client("iam", aws_access_key_id=key, aws_secret_access_key=secret)
    assert refused(other.get_service_last_accessed_details, JobId=job) == ("NoSuchEntity", 404)
    assert refused(other.get_service_last_accessed_details_with_entities, JobId=job, ServiceNamespace="iam") == (
        "NoSuchEntity",
        404,
    )
    # Nor report on this account's user.
    assert refused(other.generate_service_last_accessed_details, Arn=user.arn) == ("NoSuchEntity", 404)


def test_list_policies_granting_service_access(server: Server) -> None:
    iam = server.client("iam")
    user = make_user(server, policy=doc(allow("iam:ListUsers")))
    group = unique("g")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="gp", PolicyDocument=doc(allow("s3:*")))
    iam.add_user_to_group(GroupName=group, UserName=user.name)
    managed = iam.create_policy(PolicyName=unique("m"), PolicyDocument=doc(allow("*")))["Policy"]
    iam.attach_user_policy(UserName=user.name, PolicyArn=managed["Arn"])
    got = iam.list_policies_granting_service_access(Arn=user.arn, ServiceNamespaces=["iam", "s3", "ec2"])
    entries = {e["ServiceNamespace"]: e["Policies"] for e in got["PoliciesGrantingServiceAccess"]}
    assert {"PolicyName": "p", "PolicyType": "INLINE", "EntityType": "USER", "EntityName": user.name} in entries["iam"]
    assert {"PolicyName": "gp", "PolicyType": "INLINE", "EntityType": "GROUP", "EntityName": group} in entries["s3"]
    assert entries["ec2"] == [
        {"PolicyName": managed["PolicyName"], "PolicyType": "MANAGED", "PolicyArn": managed["Arn"]}
    ]
    assert got["IsTruncated"] is False


def test_aws_cli(server: Server) -> None:
    user = make_user(server, policy=ALLOW_IAM_AND_S3)
    out = aws_cli(server, "iam", "generate-service-last-accessed-details", "--arn", user.arn)
    assert out.returncode == 0, out.stderr
    job = json.loads(out.stdout)["JobId"]
    out = aws_cli(server, "iam", "get-service-last-accessed-details", "--job-id", job)
    assert out.returncode == 0, out.stderr
    assert {s["ServiceNamespace"] for s in json.loads(out.stdout)["ServicesLastAccessed"]} == {"iam", "s3"}
    out = aws_cli(server, "iam", "get-service-last-accessed-details", "--job-id", "0" * 36)
    assert out.returncode != 0 and "NoSuchEntity" in out.stderr
    out = aws_cli(
        server, "iam", "get-service-last-accessed-details-with-entities", "--job-id", job, "--service-namespace", "iam"
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["JobStatus"] == "COMPLETED"
    out = aws_cli(
        server, "iam", "get-service-last-accessed-details-with-entities", "--job-id", "0" * 36,
        "--service-namespace", "iam",
    )  # fmt: skip
    assert out.returncode != 0 and "NoSuchEntity" in out.stderr


def test_organizations_access_report(server: Server) -> None:
    org = Organization.create(server)
    member = org.add_member()
    ou = org.orgs.create_organizational_unit(ParentId=org.root_id, Name=unique("ou"))["OrganizationalUnit"]["Id"]
    org.orgs.move_account(AccountId=member, SourceParentId=org.root_id, DestinationParentId=ou)
    # A principal of the member account (the management administrator's session in it) uses IAM.
    creds = org.enter(member)
    client(server, "iam", creds).list_users()
    iam = client(server, "iam", org.management.root)
    path = f"{org.org_id}/{org.root_id}"
    job = iam.generate_organizations_access_report(EntityPath=path)["JobId"]
    got = iam.get_organizations_access_report(JobId=job)
    assert got["JobStatus"] == "COMPLETED"
    details = {d["ServiceNamespace"]: d for d in got["AccessDetails"]}
    assert set(details) == {"iam", "organizations", "s3", "sts"}  # FullAWSAccess allows all
    # The latest IAM attempt is the management account's own report request; two accounts used IAM.
    assert details["iam"]["EntityPath"] == f"{path}/{org.management.account_id}"
    assert details["iam"]["TotalAuthenticatedEntities"] == 2 and details["iam"]["Region"] == "us-east-1"
    assert got["NumberOfServicesAccessible"] == 4
    assert got["NumberOfServicesNotAccessed"] == sum(1 for d in details.values() if "LastAuthenticatedTime" not in d)
    ordered = iam.get_organizations_access_report(JobId=job, SortKey="SERVICE_NAMESPACE_DESCENDING")["AccessDetails"]
    assert [d["ServiceNamespace"] for d in ordered] == sorted(details, reverse=True)
    # The OU's report covers the member; the management account alone is not under the OU.
    under_ou = iam.get_organizations_access_report(
        JobId=iam.generate_organizations_access_report(EntityPath=f"{path}/{ou}")["JobId"]
    )
    ou_iam = next(d for d in under_ou["AccessDetails"] if d["ServiceNamespace"] == "iam")
    assert ou_iam["EntityPath"] == f"{path}/{ou}/{member}" and ou_iam["TotalAuthenticatedEntities"] == 1
    # A report for one SCP lists the services that policy allows.
    org.orgs.enable_policy_type(RootId=org.root_id, PolicyType="SERVICE_CONTROL_POLICY")
    scp = org.orgs.create_policy(
        Name=unique("scp"), Description="s3 only", Type="SERVICE_CONTROL_POLICY", Content=doc(allow("s3:*"))
    )["Policy"]["PolicySummary"]["Id"]
    only = iam.get_organizations_access_report(
        JobId=iam.generate_organizations_access_report(EntityPath=path, OrganizationsPolicyId=scp)["JobId"]
    )
    assert [d["ServiceNamespace"] for d in only["AccessDetails"]] == ["s3"]
    # Refusals: a path not in the organization; a member account is not the management account.
    assert refused(iam.generate_organizations_access_report, EntityPath=f"{org.org_id}/r-zzzz") == ("InvalidInput", 400)
    as_member = client(server, "iam", creds)
    assert refused(as_member.generate_organizations_access_report, EntityPath=path) == ("InvalidInput", 400)
    # Another account cannot read the management account's report.
    assert refused(as_member.get_organizations_access_report, JobId=job) == ("NoSuchEntity", 404)


def error_of_code(err: ClientError) -> str:
    return str(err.response["Error"]["Code"])


def test_organizations_policy_id_condition_key(server: Server) -> None:
    """iam:OrganizationsPolicyId carries the report's policy: a user allowed only for
    another policy id is refused."""
    user = make_user(
        server,
        policy=doc(
            allow(
                "iam:GenerateOrganizationsAccessReport",
                Condition={"StringEquals": {"iam:OrganizationsPolicyId": "p-allowedonly1"}},
            )
        ),
    )
    iam = server.client("iam", **user.creds.kwargs())
    code, _ = refused(
        iam.generate_organizations_access_report, EntityPath="o-aaaaaaaaaa/r-aaaa", OrganizationsPolicyId="p-12345678"
    )
    assert code == "AccessDenied"
    # The matching id passes authorization (and then fails: the caller is no management account).
    code, _ = refused(
        iam.generate_organizations_access_report,
        EntityPath="o-aaaaaaaaaa/r-aaaa",
        OrganizationsPolicyId="p-allowedonly1",
    )
    assert code == "InvalidInput"
