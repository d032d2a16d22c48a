"""Account-creation requests, trusted access, delegated administrators and the accounts' emails."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization, client, error_of, unique
from tests.sts.helpers import aws_cli

IAM = "iam.amazonaws.com"


@pytest.fixture
def org(server: Server) -> Organization:
    return Organization.create(server)


def _all(orgs: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    pages = orgs.get_paginator(operation).paginate(**kwargs, PaginationConfig={"PageSize": 1})
    return [item for page in pages for item in page[key]]


def _refused(call: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        call()
    return error_of(exc)


def test_list_create_account_status(server: Server, org: Organization) -> None:
    first, second = org.add_member(name="first"), org.add_member(name="second")
    email = f"{unique('dup')}@example.com"
    org.orgs.create_account(Email=email, AccountName="third")
    failed_id = org.orgs.create_account(Email=email, AccountName="fourth")["CreateAccountStatus"]["Id"]

    statuses = _all(org.orgs, "list_create_account_status", "CreateAccountStatuses")
    assert [s["AccountName"] for s in statuses] == ["first", "second", "third", "fourth"]
    assert [s.get("AccountId") for s in statuses[:2]] == [first, second]
    assert statuses[3]["State"] == "FAILED" and statuses[3]["FailureReason"] == "EMAIL_ALREADY_EXISTS"
    assert (
        statuses[3] == org.orgs.describe_create_account_status(CreateAccountRequestId=failed_id)["CreateAccountStatus"]
    )
    failed = org.orgs.list_create_account_status(States=["FAILED"])["CreateAccountStatuses"]
    assert [s["Id"] for s in failed] == [failed_id]
    done = org.orgs.list_create_account_status(States=["SUCCEEDED", "IN_PROGRESS"])["CreateAccountStatuses"]
    assert [s["AccountName"] for s in done] == ["first", "second", "third"]
    page = org.orgs.list_create_account_status(MaxResults=3)
    assert len(page["CreateAccountStatuses"]) == 3 and page["NextToken"]
    assert _refused(lambda: org.orgs.list_create_account_status(States=["DONE"]))[0] == "InvalidInputException"
    # Another organization's requests are not listed.
    assert Organization.create(server).orgs.list_create_account_status()["CreateAccountStatuses"] == []


def test_service_access(server: Server, org: Organization) -> None:
    assert org.orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"] == []
    org.orgs.enable_aws_service_access(ServicePrincipal=IAM)
    org.orgs.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    enabled = _all(org.orgs, "list_aws_service_access_for_organization", "EnabledServicePrincipals")
    assert [e["ServicePrincipal"] for e in enabled] == ["config.amazonaws.com", IAM]
    assert all(e["DateEnabled"].year >= 2024 for e in enabled)

    org.orgs.disable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    org.orgs.disable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    enabled = org.orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert [e["ServicePrincipal"] for e in enabled] == [IAM]

    # Without trusted access, IAM's centralized root access is refused again.
    iam = client(server, "iam", org.management.root)
    iam.enable_organizations_root_credentials_management()
    org.orgs.disable_aws_service_access(ServicePrincipal=IAM)
    with pytest.raises(ClientError) as exc:
        iam.enable_organizations_root_sessions()
    assert error_of(exc)[0] == "ServiceAccessNotEnabledException"
    member = org.add_member()
    assert (
        _refused(lambda: org.orgs.register_delegated_administrator(AccountId=member, ServicePrincipal=IAM))[0]
        == "ConstraintViolationException"
    )


def test_delegated_administrators(server: Server, org: Organization) -> None:
    first, second = org.add_member(name="first"), org.add_member(name="second")
    assert org.orgs.list_delegated_administrators()["DelegatedAdministrators"] == []
    org.orgs.enable_aws_service_access(ServicePrincipal=IAM)
    org.orgs.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    org.orgs.register_delegated_administrator(AccountId=first, ServicePrincipal=IAM)
    org.orgs.register_delegated_administrator(AccountId=second, ServicePrincipal="config.amazonaws.com")
    org.orgs.register_delegated_administrator(AccountId=first, ServicePrincipal="config.amazonaws.com")

    admins = _all(org.orgs, "list_delegated_administrators", "DelegatedAdministrators")
    assert [a["Id"] for a in admins] == [first, second]
    described = org.orgs.describe_account(AccountId=first)["Account"]
    assert {k: v for k, v in admins[0].items() if k != "DelegationEnabledDate"} == {
        k: v for k, v in described.items() if k != "Paths"
    }
    assert admins[0]["DelegationEnabledDate"] >= described["JoinedTimestamp"]
    for_iam = org.orgs.list_delegated_administrators(ServicePrincipal=IAM)["DelegatedAdministrators"]
    assert [a["Id"] for a in for_iam] == [first]
    # A delegated administrator may list them too.
    delegated = client(server, "organizations", org.enter(first))
    assert [a["Id"] for a in delegated.list_delegated_administrators()["DelegatedAdministrators"]] == [first, second]

    assert _refused(lambda: org.orgs.deregister_delegated_administrator(AccountId=second, ServicePrincipal=IAM)) == (
        "AccountNotRegisteredException",
        "The provided account is not a registered delegated administrator for this service.",
        400,
    )
    assert (
        _refused(lambda: org.orgs.deregister_delegated_administrator(AccountId="999999999999", ServicePrincipal=IAM))[0]
        == "AccountNotFoundException"
    )
    assert (
        _refused(lambda: delegated.deregister_delegated_administrator(AccountId=first, ServicePrincipal=IAM))[0]
        == "AccessDeniedException"
    )

    org.orgs.deregister_delegated_administrator(AccountId=first, ServicePrincipal=IAM)
    assert org.orgs.list_delegated_administrators(ServicePrincipal=IAM)["DelegatedAdministrators"] == []
    # Still the administrator of another service: still reads the organization.
    assert delegated.list_accounts()["Accounts"]
    org.orgs.deregister_delegated_administrator(AccountId=first, ServicePrincipal="config.amazonaws.com")
    # The last delegation gone, so is the read access, on the very next request.
    assert _refused(delegated.list_accounts)[0] == "AccessDeniedException"
    assert [a["Id"] for a in org.orgs.list_delegated_administrators()["DelegatedAdministrators"]] == [second]


def test_admin_operations_refuse_members_and_outsiders(server: Server, org: Organization) -> None:
    member = client(server, "organizations", org.enter(org.add_member()))
    for call in (
        member.list_create_account_status,
        member.list_delegated_administrators,
        member.list_aws_service_access_for_organization,
        lambda: member.disable_aws_service_access(ServicePrincipal=IAM),
    ):
        assert _refused(call)[0] == "AccessDeniedException"
    lone = client(server, "organizations", Account.create(server).root)
    assert _refused(lone.list_delegated_administrators)[0] == "AWSOrganizationsNotInUseException"


def test_admin_listings_with_the_cli(server: Server, org: Organization) -> None:
    org.add_member()
    org.orgs.enable_aws_service_access(ServicePrincipal=IAM)
    out = aws_cli(server, "organizations", "list-create-account-status", creds=org.management.root)
    assert out.returncode == 0, out.stderr
    assert [s["State"] for s in json.loads(out.stdout)["CreateAccountStatuses"]] == ["SUCCEEDED"]
    out = aws_cli(server, "organizations", "list-aws-service-access-for-organization", creds=org.management.root)
    assert out.returncode == 0, out.stderr
    assert [e["ServicePrincipal"] for e in json.loads(out.stdout)["EnabledServicePrincipals"]] == [IAM]
