"""Walking and reshaping the organization tree: children, parents, accounts of a parent, OUs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization, client, error_of, make_user
from tests.sts.helpers import aws_cli


@pytest.fixture
def org(server: Server) -> Organization:
    return Organization.create(server)


def _ou(org: Organization, name: str, parent: str | None = None) -> str:
    created = org.orgs.create_organizational_unit(ParentId=parent or org.root_id, Name=name)
    ou_id: str = created["OrganizationalUnit"]["Id"]
    return ou_id


def _all(orgs: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item of a paginated list, one item per page (so the tokens are exercised)."""
    pages = orgs.get_paginator(operation).paginate(**kwargs, PaginationConfig={"PageSize": 1})
    return [item for page in pages for item in page[key]]


def test_list_children_and_parents(server: Server, org: Organization) -> None:
    first, second = org.add_member(), org.add_member()
    workloads = _ou(org, "workloads")
    prod = _ou(org, "prod", workloads)
    sandbox = _ou(org, "sandbox")
    org.orgs.move_account(AccountId=second, SourceParentId=org.root_id, DestinationParentId=prod)

    accounts = org.orgs.list_children(ParentId=org.root_id, ChildType="ACCOUNT")["Children"]
    assert accounts == [
        {"Id": org.management.account_id, "Type": "ACCOUNT"},
        {"Id": first, "Type": "ACCOUNT"},
    ]
    ous = _all(org.orgs, "list_children", "Children", ParentId=org.root_id, ChildType="ORGANIZATIONAL_UNIT")
    assert ous == [
        {"Id": sandbox, "Type": "ORGANIZATIONAL_UNIT"},
        {"Id": workloads, "Type": "ORGANIZATIONAL_UNIT"},
    ]
    assert org.orgs.list_children(ParentId=prod, ChildType="ACCOUNT")["Children"] == [{"Id": second, "Type": "ACCOUNT"}]
    assert org.orgs.list_children(ParentId=prod, ChildType="ORGANIZATIONAL_UNIT")["Children"] == []

    assert _all(org.orgs, "list_parents", "Parents", ChildId=second) == [{"Id": prod, "Type": "ORGANIZATIONAL_UNIT"}]
    assert org.orgs.list_parents(ChildId=prod)["Parents"] == [{"Id": workloads, "Type": "ORGANIZATIONAL_UNIT"}]
    assert org.orgs.list_parents(ChildId=workloads)["Parents"] == [{"Id": org.root_id, "Type": "ROOT"}]
    assert org.orgs.list_parents(ChildId=first)["Parents"] == [{"Id": org.root_id, "Type": "ROOT"}]


def test_tree_lookups_refuse_unknown_ids(server: Server, org: Organization) -> None:
    other = Organization.create(server)
    foreign_member = other.add_member()
    foreign_ou = _ou(other, "theirs")
    missing_ou = f"ou-{org.root_id[2:]}-zzzzzzzz"
    call: Callable[..., object]
    for parent in ("r-zzzz", missing_ou, foreign_ou, other.root_id):
        for call in (
            lambda p: org.orgs.list_children(ParentId=p, ChildType="ACCOUNT"),
            lambda p: org.orgs.list_accounts_for_parent(ParentId=p),
        ):
            with pytest.raises(ClientError) as exc:
                call(parent)
            assert error_of(exc) == (
                "ParentNotFoundException",
                "We can't find a root or OU with the ParentId that you specified.",
                400,
            )
    for child in ("999999999999", foreign_member, missing_ou, foreign_ou):
        with pytest.raises(ClientError) as exc:
            org.orgs.list_parents(ChildId=child)
        assert error_of(exc)[0] == "ChildNotFoundException"
    with pytest.raises(ClientError) as exc:
        org.orgs.list_children(ParentId=org.root_id, ChildType="POLICY")
    assert error_of(exc)[0] == "InvalidInputException"
    assert exc.value.response["Reason"] == "INVALID_ENUM"


def test_list_accounts_for_parent(server: Server, org: Organization) -> None:
    members = [org.add_member() for _ in range(3)]
    ou = _ou(org, "team")
    org.orgs.move_account(AccountId=members[1], SourceParentId=org.root_id, DestinationParentId=ou)

    in_root = _all(org.orgs, "list_accounts_for_parent", "Accounts", ParentId=org.root_id)
    assert [a["Id"] for a in in_root] == [org.management.account_id, members[0], members[2]]
    moved = org.orgs.list_accounts_for_parent(ParentId=ou)["Accounts"]
    assert [a["Id"] for a in moved] == [members[1]]
    assert moved[0]["Paths"] == [f"{org.org_id}/{org.root_id}/{ou}/{members[1]}/"]
    assert moved[0]["Email"].endswith("@example.com") and moved[0]["State"] == "ACTIVE"
    first = org.orgs.list_accounts_for_parent(ParentId=org.root_id, MaxResults=2)
    assert len(first["Accounts"]) == 2 and first["NextToken"]
    rest = org.orgs.list_accounts_for_parent(ParentId=org.root_id, NextToken=first["NextToken"])
    assert [a["Id"] for a in rest["Accounts"]] == [members[2]] and "NextToken" not in rest


def test_describe_update_and_delete_organizational_unit(server: Server, org: Organization) -> None:
    parent = _ou(org, "parent")
    child = _ou(org, "child", parent)
    _ou(org, "sibling", parent)
    described = org.orgs.describe_organizational_unit(OrganizationalUnitId=child)["OrganizationalUnit"]
    assert described == {
        "Id": child,
        "Arn": f"arn:aws:organizations::{org.management.account_id}:ou/{org.org_id}/{child}",
        "Name": "child",
        "Path": f"{org.org_id}/{org.root_id}/{parent}/{child}/",
    }

    renamed = org.orgs.update_organizational_unit(OrganizationalUnitId=child, Name="renamed")["OrganizationalUnit"]
    assert renamed == {**described, "Name": "renamed"}
    assert org.orgs.describe_organizational_unit(OrganizationalUnitId=child)["OrganizationalUnit"]["Name"] == "renamed"
    # Same name again, or no name at all: nothing changes.
    assert (
        org.orgs.update_organizational_unit(OrganizationalUnitId=child, Name="renamed")["OrganizationalUnit"] == renamed
    )
    assert org.orgs.update_organizational_unit(OrganizationalUnitId=child)["OrganizationalUnit"] == renamed
    with pytest.raises(ClientError) as exc:
        org.orgs.update_organizational_unit(OrganizationalUnitId=child, Name="sibling")
    assert error_of(exc) == ("DuplicateOrganizationalUnitException", "An OU with the same name already exists.", 400)
    # Names are unique among siblings only.
    _ou(org, "renamed")

    with pytest.raises(ClientError) as exc:
        org.orgs.delete_organizational_unit(OrganizationalUnitId=parent)
    assert error_of(exc)[0] == "OrganizationalUnitNotEmptyException"
    member = org.add_member()
    org.orgs.move_account(AccountId=member, SourceParentId=org.root_id, DestinationParentId=child)
    with pytest.raises(ClientError) as exc:
        org.orgs.delete_organizational_unit(OrganizationalUnitId=child)
    assert error_of(exc)[0] == "OrganizationalUnitNotEmptyException"
    org.orgs.move_account(AccountId=member, SourceParentId=child, DestinationParentId=org.root_id)
    org.orgs.delete_organizational_unit(OrganizationalUnitId=child)

    call: Callable[..., object]
    for call in (
        lambda: org.orgs.describe_organizational_unit(OrganizationalUnitId=child),
        lambda: org.orgs.update_organizational_unit(OrganizationalUnitId=child, Name="again"),
        lambda: org.orgs.delete_organizational_unit(OrganizationalUnitId=child),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (
            "OrganizationalUnitNotFoundException",
            "We can't find an OU with the OrganizationalUnitId that you specified.",
            400,
        )
    with pytest.raises(ClientError) as exc:
        org.orgs.list_parents(ChildId=child)
    assert error_of(exc)[0] == "ChildNotFoundException"
    # A deleted OU's name is free again under its old parent.
    _ou(org, "renamed", parent)


def test_tree_operations_need_the_management_account(server: Server, org: Organization) -> None:
    ou = _ou(org, "guarded")
    member = org.add_member()
    orgs = client(server, "organizations", org.enter(member))
    calls: tuple[Callable[[], object], ...] = (
        lambda: orgs.list_children(ParentId=org.root_id, ChildType="ACCOUNT"),
        lambda: orgs.list_parents(ChildId=member),
        lambda: orgs.list_accounts_for_parent(ParentId=org.root_id),
        lambda: orgs.describe_organizational_unit(OrganizationalUnitId=ou),
        lambda: orgs.update_organizational_unit(OrganizationalUnitId=ou, Name="mine"),
        lambda: orgs.delete_organizational_unit(OrganizationalUnitId=ou),
    )
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[0] == "AccessDeniedException"
    lone = client(server, "organizations", Account.create(server).root)
    with pytest.raises(ClientError) as exc:
        lone.list_children(ParentId=org.root_id, ChildType="ACCOUNT")
    assert error_of(exc)[0] == "AWSOrganizationsNotInUseException"


def test_ou_permissions_name_the_ou(server: Server, org: Organization) -> None:
    ou, other = _ou(org, "theirs"), _ou(org, "other")
    arn = f"arn:aws:organizations::{org.management.account_id}:ou/{org.org_id}/{ou}"
    user = make_user(
        server,
        org.management.root,
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "organizations:DescribeOrganizationalUnit",
                            "organizations:UpdateOrganizationalUnit",
                        ],
                        "Resource": arn,
                    }
                ],
            }
        ),
    )
    orgs = client(server, "organizations", user.creds)
    assert orgs.describe_organizational_unit(OrganizationalUnitId=ou)["OrganizationalUnit"]["Arn"] == arn
    orgs.update_organizational_unit(OrganizationalUnitId=ou, Name="renamed")
    with pytest.raises(ClientError) as exc:
        orgs.update_organizational_unit(OrganizationalUnitId=other, Name="renamed")
    code, message, _ = error_of(exc)
    assert code == "AccessDeniedException"
    assert f"organizations:UpdateOrganizationalUnit on resource: {arn.replace(ou, other)}" in message
    with pytest.raises(ClientError) as exc:
        orgs.delete_organizational_unit(OrganizationalUnitId=ou)
    assert error_of(exc)[0] == "AccessDeniedException"


def test_tree_with_the_cli(server: Server, org: Organization) -> None:
    ou = _ou(org, "cli")
    member = org.add_member()
    org.orgs.move_account(AccountId=member, SourceParentId=org.root_id, DestinationParentId=ou)
    out = aws_cli(
        server,
        "organizations",
        "list-children",
        "--parent-id",
        ou,
        "--child-type",
        "ACCOUNT",
        creds=org.management.root,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Children"] == [{"Id": member, "Type": "ACCOUNT"}]
    out = aws_cli(
        server,
        "organizations",
        "update-organizational-unit",
        "--organizational-unit-id",
        ou,
        "--name",
        "renamed",
        creds=org.management.root,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["OrganizationalUnit"]["Name"] == "renamed"
    out = aws_cli(
        server, "organizations", "delete-organizational-unit", "--organizational-unit-id", ou, creds=org.management.root
    )
    assert out.returncode != 0 and "OrganizationalUnitNotEmptyException" in out.stderr
