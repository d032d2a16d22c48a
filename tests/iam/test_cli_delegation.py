"""The AWS CLI against the delegation request operations tests/iam/test_delegation.py drives
only with boto3: ListDelegationRequests, UpdateDelegationRequest, RejectDelegationRequest and
GetHumanReadableSummary, on a server whose operator enabled one partner account, each with the
JSON the CLI prints and its refusals (exit code and AWS error code)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Server, new_account_id, start_server
from tests.iam.test_cli_newest import ok, refused
from tests.iam.test_delegation import create, new_account
from tests.sts.helpers import Creds, aws_cli

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def partner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    account = new_account_id()
    srv = start_server(
        tmp_path_factory.mktemp("cli-delegation"),
        account_id=account,
        extra_env={"CREDMINT_DELEGATION_ACCOUNTS": account},
    )
    yield srv
    srv.stop()


def request(partner: Server) -> tuple[str, Creds]:
    """A request addressed to a new customer account, and that account's root credentials."""
    customer = new_account(partner)
    rid = create(partner, f"cli-{uuid.uuid4().hex[:6]}", OwnerAccountId=customer.account_id)
    return rid, Creds(customer.key, customer.secret)


def shown(partner: Server, rid: str, owner: Creds) -> dict[str, Any]:
    got: dict[str, Any] = ok(partner, "get-delegation-request", "--delegation-request-id", rid, creds=owner)
    return got["DelegationRequest"]  # type: ignore[no-any-return]


def test_list_update_summary_reject(partner: Server) -> None:
    rid, owner = request(partner)
    rid_arg = ("--delegation-request-id", rid)
    ok(partner, "associate-delegation-request", *rid_arg, creds=owner)
    listed = ok(partner, "list-delegation-requests", creds=owner)
    assert [r["DelegationRequestId"] for r in listed["DelegationRequests"]] == [rid]
    assert listed["DelegationRequests"][0]["RequestorId"] == partner.account_id
    assert ok(partner, "update-delegation-request", *rid_arg, "--notes", "please approve", creds=owner) == {}
    assert shown(partner, rid, owner)["State"] == "PENDING_APPROVAL"

    entity = ("--entity-arn", f"arn:aws:iam::{partner.account_id}:delegation-request/{rid}")
    summary = ok(partner, "get-human-readable-summary", *entity, creds=owner)
    assert summary["SummaryState"] == "AVAILABLE"
    assert "Allows iam:ListUsers on *." in summary["SummaryContent"]

    assert ok(partner, "reject-delegation-request", *rid_arg, "--notes", "no thanks", creds=owner) == {}
    got = shown(partner, rid, owner)
    assert (got["State"], got["RejectionReason"]) == ("REJECTED", "no thanks")
    # A rejected request cannot be rejected again, nor updated.
    refused(aws_cli(partner, "iam", "reject-delegation-request", *rid_arg, creds=owner), "InvalidInput")
    refused(aws_cli(partner, "iam", "update-delegation-request", *rid_arg, "--notes", "x", creds=owner), "InvalidInput")


def test_another_account_sees_nothing(partner: Server) -> None:
    rid, owner = request(partner)
    ok(partner, "associate-delegation-request", "--delegation-request-id", rid, creds=owner)
    stranger_account = new_account(partner)
    stranger = Creds(stranger_account.key, stranger_account.secret)
    assert ok(partner, "list-delegation-requests", creds=stranger)["DelegationRequests"] == []
    for op in ("update-delegation-request", "reject-delegation-request"):
        refused(aws_cli(partner, "iam", op, "--delegation-request-id", rid, creds=stranger), "NoSuchEntity")
    arn = f"arn:aws:iam::{partner.account_id}:delegation-request/{rid}"
    refused(aws_cli(partner, "iam", "get-human-readable-summary", "--entity-arn", arn, creds=stranger), "NoSuchEntity")


#: Refusals that need no request: the CLI arguments and the code.
REFUSALS: list[tuple[list[str], str]] = [
    (["update-delegation-request", "--delegation-request-id", "dr-0000000000000000"], "NoSuchEntity"),
    (["reject-delegation-request", "--delegation-request-id", "dr-0000000000000000"], "NoSuchEntity"),
    (["get-human-readable-summary", "--entity-arn", "arn:aws:iam::123456789012:user/alice"], "InvalidInput"),
    (["get-human-readable-summary", "--entity-arn", "delegation-request-not-an-arn"], "InvalidInput"),
]


@pytest.mark.parametrize(("args", "code"), REFUSALS, ids=[f"{a[0]}-{a[-1][:8]}" for a, _ in REFUSALS])
def test_refusals(partner: Server, args: list[str], code: str) -> None:
    refused(aws_cli(partner, "iam", *args), code)
