"""The AWS CLI against Organizations operations that had only boto3 tests: the organization's
handshake listing and the responsibility transfer operations (answered as AWS answers an
organization with no transfers), each with the JSON the CLI prints and its refusals (the CLI's
exit code and the AWS error code it prints)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization
from tests.sts.helpers import aws_cli

pytestmark = pytest.mark.e2e

#: The exit codes the AWS CLI gives a service error: v2 exits 254, v1 255.
SERVICE_ERROR = frozenset({254, 255})
RT = "rt-0123456789"


@pytest.fixture
def org(server: Server) -> Organization:
    return Organization.create(server)


def refused(out: subprocess.CompletedProcess[str], code: str) -> None:
    assert out.returncode in SERVICE_ERROR, (out.returncode, out.stderr)
    assert f"({code})" in out.stderr, out.stderr


def printed(out: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert out.returncode == 0, out.stderr
    parsed: dict[str, Any] = json.loads(out.stdout)
    return parsed


def test_list_handshakes_for_organization(server: Server, org: Organization) -> None:
    mgmt = org.management.root
    assert printed(aws_cli(server, "organizations", "list-handshakes-for-organization", creds=mgmt))["Handshakes"] == []
    guest = Account.create(server)
    sent = org.orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": guest.account_id})["Handshake"]
    listed = printed(aws_cli(server, "organizations", "list-handshakes-for-organization", creds=mgmt))["Handshakes"]
    assert [(h["Id"], h["State"], h["Action"]) for h in listed] == [(sent["Id"], "OPEN", "INVITE")]
    assert {"Type": "ACCOUNT", "Id": guest.account_id} in [p for p in listed[0]["Parties"]]
    filtered = aws_cli(
        server,
        "organizations",
        "list-handshakes-for-organization",
        "--filter",
        "ActionType=ENABLE_ALL_FEATURES",
        creds=mgmt,
    )
    assert printed(filtered)["Handshakes"] == []
    # A member account is not the management account; an account outside any organization has none.
    member = org.enter(org.add_member())
    refused(aws_cli(server, "organizations", "list-handshakes-for-organization", creds=member), "AccessDeniedException")
    refused(
        aws_cli(server, "organizations", "list-handshakes-for-organization", creds=guest.root),
        "AWSOrganizationsNotInUseException",
    )
    both = "ActionType=INVITE,ParentHandshakeId=h-00000000000000000000000000000000"
    refused(
        aws_cli(server, "organizations", "list-handshakes-for-organization", "--filter", both, creds=mgmt),
        "InvalidInputException",
    )


@pytest.mark.parametrize("direction", ["inbound", "outbound"])
def test_list_responsibility_transfers(server: Server, org: Organization, direction: str) -> None:
    op = f"list-{direction}-responsibility-transfers"
    mgmt = org.management.root
    assert (
        printed(aws_cli(server, "organizations", op, "--type", "BILLING", creds=mgmt))["ResponsibilityTransfers"] == []
    )
    member = org.enter(org.add_member())
    refused(aws_cli(server, "organizations", op, "--type", "BILLING", creds=member), "AccessDeniedException")
    outsider = Account.create(server).root
    refused(
        aws_cli(server, "organizations", op, "--type", "BILLING", creds=outsider), "AWSOrganizationsNotInUseException"
    )


#: Operations on one transfer: with no transfers, every identifier is unknown.
ONE_TRANSFER: list[list[str]] = [
    ["describe-responsibility-transfer", "--id", RT],
    ["update-responsibility-transfer", "--id", RT, "--name", "renamed"],
    ["terminate-responsibility-transfer", "--id", RT],
    ["list-inbound-responsibility-transfers", "--type", "BILLING", "--id", RT],
]


@pytest.mark.parametrize("args", ONE_TRANSFER, ids=[a[0] for a in ONE_TRANSFER])
def test_unknown_transfer(server: Server, org: Organization, args: list[str]) -> None:
    refused(
        aws_cli(server, "organizations", *args, creds=org.management.root), "ResponsibilityTransferNotFoundException"
    )


def test_invite_organization_to_transfer_responsibility(server: Server, org: Organization) -> None:
    other = Organization.create(server)
    args = (
        "invite-organization-to-transfer-responsibility",
        "--type",
        "BILLING",
        "--target",
        f"Type=ACCOUNT,Id={other.management.account_id}",
        "--start-timestamp",
        "2030-01-01T00:00:00Z",
        "--source-name",
        "billing",
    )
    # credmint has no billing: the prerequisite AWS names is never met.
    out = aws_cli(server, "organizations", *args, creds=org.management.root)
    refused(out, "ConstraintViolationException")
    # The CLI prints the message, not the reason (UNMET_BILLING_PREREQUISITE).
    assert "doesn't meet the billing prerequisites" in out.stderr, out.stderr
    member = org.enter(org.add_member())
    refused(aws_cli(server, "organizations", *args, creds=member), "AccessDeniedException")
