"""Tags on an organization's roots, OUs, accounts and policies, and the services an account
administers, end to end with boto3 and the AWS CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization, client, error_of
from tests.sts.helpers import aws_cli

pytestmark = pytest.mark.e2e

SCP = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@pytest.fixture
def org(server: Server) -> Organization:
    return Organization.create(server)


def refused(call: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as exc:
        call()
    code, _, status = error_of(exc)
    return code, status


def test_tag_every_kind_of_resource(server: Server, org: Organization) -> None:
    member = org.add_member(name="tagged")
    ou = org.orgs.create_organizational_unit(
        ParentId=org.root_id, Name="tagged-ou", Tags=[{"Key": "at", "Value": "birth"}]
    )
    policy = org.orgs.create_policy(Content=SCP, Description="d", Name="tagged-scp", Type="SERVICE_CONTROL_POLICY")[
        "Policy"
    ]["PolicySummary"]["Id"]
    for resource in (org.root_id, ou["OrganizationalUnit"]["Id"], member, policy):
        org.orgs.tag_resource(ResourceId=resource, Tags=[{"Key": "team", "Value": "platform"}])
        tags = {t["Key"]: t["Value"] for t in org.orgs.list_tags_for_resource(ResourceId=resource)["Tags"]}
        assert tags["team"] == "platform"
        org.orgs.untag_resource(ResourceId=resource, TagKeys=["team"])
        assert "team" not in {t["Key"] for t in org.orgs.list_tags_for_resource(ResourceId=resource)["Tags"]}
    assert org.orgs.list_tags_for_resource(ResourceId=ou["OrganizationalUnit"]["Id"])["Tags"] == [
        {"Key": "at", "Value": "birth"}
    ]


def test_tag_rules_are_refused_in_organizations_words(server: Server, org: Organization) -> None:
    """Duplicate keys and a 51st tag are InvalidInputException wherever tags are written:
    TagResource and the operations that create a tagged resource alike."""
    twice = [{"Key": "team", "Value": "a"}, {"Key": "TEAM", "Value": "b"}]
    writers: list[Callable[[], object]] = [
        lambda: org.orgs.tag_resource(ResourceId=org.root_id, Tags=twice),
        lambda: org.orgs.create_organizational_unit(ParentId=org.root_id, Name="twice", Tags=twice),
        lambda: org.orgs.create_policy(
            Content=SCP, Description="d", Name="twice", Type="SERVICE_CONTROL_POLICY", Tags=twice
        ),
    ]
    for call in writers:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (
            "InvalidInputException",
            "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            400,
        )
        assert exc.value.response["Reason"] == "INVALID_INPUT"
    assert org.orgs.list_organizational_units_for_parent(ParentId=org.root_id)["OrganizationalUnits"] == []
    org.orgs.tag_resource(ResourceId=org.root_id, Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)])
    with pytest.raises(ClientError) as exc:
        org.orgs.tag_resource(ResourceId=org.root_id, Tags=[{"Key": "one-more", "Value": ""}])
    assert error_of(exc) == (
        "InvalidInputException",
        "The number of tags has reached the maximum limit of 50.",
        400,
    )


def test_unknown_and_foreign_resources(server: Server, org: Organization) -> None:
    outsider = Account.create(server)
    assert refused(lambda: org.orgs.tag_resource(ResourceId="ou-abcd-abcdefgh", Tags=[{"Key": "k", "Value": "v"}])) == (
        "TargetNotFoundException",
        400,
    )
    assert refused(lambda: org.orgs.list_tags_for_resource(ResourceId=outsider.account_id)) == (
        "TargetNotFoundException",
        400,
    )
    # A member account may not tag its organization's resources.
    member = org.add_member()
    as_member = client(server, "organizations", org.enter(member))
    assert refused(lambda: as_member.tag_resource(ResourceId=member, Tags=[{"Key": "k", "Value": "v"}]))[0] == (
        "AccessDeniedException"
    )


def test_delegated_services_for_account(server: Server, org: Organization) -> None:
    member = org.add_member()
    assert refused(lambda: org.orgs.list_delegated_services_for_account(AccountId=member))[0] == (
        "AccountNotRegisteredException"
    )
    org.orgs.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    org.orgs.register_delegated_administrator(AccountId=member, ServicePrincipal="config.amazonaws.com")
    services = org.orgs.list_delegated_services_for_account(AccountId=member)["DelegatedServices"]
    assert [s["ServicePrincipal"] for s in services] == ["config.amazonaws.com"]
    assert refused(lambda: org.orgs.list_delegated_services_for_account(AccountId="999999999999"))[0] == (
        "AccountNotFoundException"
    )


def test_aws_cli(server: Server, org: Organization) -> None:
    member = org.add_member()
    tagged = aws_cli(
        server,
        "organizations",
        "tag-resource",
        "--resource-id",
        member,
        "--tags",
        "Key=env,Value=prod",
        creds=org.management.root,
    )
    assert tagged.returncode == 0, tagged.stderr
    listed = aws_cli(
        server, "organizations", "list-tags-for-resource", "--resource-id", member, creds=org.management.root
    )
    assert json.loads(listed.stdout)["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_aws_cli_untag_and_delegated_services(server: Server, org: Organization) -> None:
    as_management = org.management.root
    member = org.add_member()
    for args in (
        ("tag-resource", "--tags", "Key=env,Value=prod", "Key=team,Value=id"),
        ("untag-resource", "--tag-keys", "env"),
    ):
        out = aws_cli(server, "organizations", args[0], "--resource-id", member, *args[1:], creds=as_management)
        assert out.returncode == 0, out.stderr
    listed = aws_cli(server, "organizations", "list-tags-for-resource", "--resource-id", member, creds=as_management)
    assert json.loads(listed.stdout)["Tags"] == [{"Key": "team", "Value": "id"}]
    unknown = aws_cli(
        server, "organizations", "untag-resource", "--resource-id", "999999999999", "--tag-keys", "env",
        creds=as_management,
    )  # fmt: skip
    assert unknown.returncode != 0 and "TargetNotFoundException" in unknown.stderr
    unregistered = aws_cli(
        server, "organizations", "list-delegated-services-for-account", "--account-id", member, creds=as_management
    )
    assert unregistered.returncode != 0 and "AccountNotRegisteredException" in unregistered.stderr
    org.orgs.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    org.orgs.register_delegated_administrator(AccountId=member, ServicePrincipal="config.amazonaws.com")
    out = aws_cli(
        server, "organizations", "list-delegated-services-for-account", "--account-id", member, creds=as_management
    )
    assert out.returncode == 0, out.stderr
    assert [s["ServicePrincipal"] for s in json.loads(out.stdout)["DelegatedServices"]] == ["config.amazonaws.com"]
