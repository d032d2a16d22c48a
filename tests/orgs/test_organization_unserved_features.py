"""Operations on features credmint's organizations never have, end to end with boto3 and the
AWS CLI: effective policies of the management policy types, responsibility transfers and
AWS GovCloud (US) accounts. Each answers as AWS answers an organization without them,
after the same membership and permission checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization, client, error_of
from tests.sts.helpers import aws_cli

pytestmark = pytest.mark.e2e


@pytest.fixture
def org(server: Server) -> Organization:
    return Organization.create(server)


def refused(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as exc:
        call()
    code, _, status = error_of(exc)
    return code, status, exc.value.response.get("Reason", "")


def test_effective_policies(server: Server, org: Organization) -> None:
    member = org.add_member()
    as_member = client(server, "organizations", org.enter(member))
    outsider = client(server, "organizations", Account.create(server).root)
    assert refused(lambda: org.orgs.describe_effective_policy(PolicyType="TAG_POLICY"))[0] == (
        "EffectivePolicyNotFoundException"
    )
    assert refused(lambda: org.orgs.describe_effective_policy(PolicyType="BACKUP_POLICY", TargetId=member))[0] == (
        "EffectivePolicyNotFoundException"
    )
    # A member asks about itself; about another account only an administrator may ask.
    assert refused(lambda: as_member.describe_effective_policy(PolicyType="TAG_POLICY"))[0] == (
        "EffectivePolicyNotFoundException"
    )
    mgmt = org.management.account_id
    assert refused(lambda: as_member.describe_effective_policy(PolicyType="TAG_POLICY", TargetId=mgmt))[0] == (
        "AccessDeniedException"
    )
    assert refused(lambda: org.orgs.describe_effective_policy(PolicyType="TAG_POLICY", TargetId=org.root_id))[::2] == (
        "InvalidInputException",
        "TARGET_NOT_SUPPORTED",
    )
    assert refused(lambda: org.orgs.describe_effective_policy(PolicyType="TAG_POLICY", TargetId="999999999999"))[0] == (
        "TargetNotFoundException"
    )
    assert refused(lambda: outsider.describe_effective_policy(PolicyType="TAG_POLICY"))[0] == (
        "AWSOrganizationsNotInUseException"
    )
    listed = org.orgs.list_accounts_with_invalid_effective_policy(PolicyType="TAG_POLICY")
    assert (listed["Accounts"], listed["PolicyType"]) == ([], "TAG_POLICY")
    assert refused(lambda: as_member.list_accounts_with_invalid_effective_policy(PolicyType="TAG_POLICY"))[0] == (
        "AccessDeniedException"
    )
    assert (
        refused(lambda: org.orgs.list_effective_policy_validation_errors(AccountId=member, PolicyType="TAG_POLICY"))[0]
        == "EffectivePolicyNotFoundException"
    )
    assert (
        refused(
            lambda: org.orgs.list_effective_policy_validation_errors(AccountId="999999999999", PolicyType="TAG_POLICY")
        )[0]
        == "AccountNotFoundException"
    )


def test_responsibility_transfers(server: Server, org: Organization) -> None:
    assert org.orgs.list_inbound_responsibility_transfers(Type="BILLING")["ResponsibilityTransfers"] == []
    assert org.orgs.list_outbound_responsibility_transfers(Type="BILLING")["ResponsibilityTransfers"] == []
    rt = "rt-0123456789"
    assert refused(lambda: org.orgs.list_inbound_responsibility_transfers(Type="BILLING", Id=rt))[0] == (
        "ResponsibilityTransferNotFoundException"
    )
    for call in (
        lambda: org.orgs.describe_responsibility_transfer(Id=rt),
        lambda: org.orgs.update_responsibility_transfer(Id=rt, Name="n"),
        lambda: org.orgs.terminate_responsibility_transfer(Id=rt),
    ):
        assert refused(call)[0] == "ResponsibilityTransferNotFoundException"
    other = Organization.create(server)
    invited = refused(
        lambda: org.orgs.invite_organization_to_transfer_responsibility(
            Type="BILLING",
            Target={"Type": "ACCOUNT", "Id": other.management.account_id},
            StartTimestamp="2030-01-01T00:00:00Z",
            SourceName="billing",
        )
    )
    assert invited[::2] == ("ConstraintViolationException", "UNMET_BILLING_PREREQUISITE")
    member = org.add_member()
    as_member = client(server, "organizations", org.enter(member))
    assert refused(lambda: as_member.list_outbound_responsibility_transfers(Type="BILLING"))[0] == (
        "AccessDeniedException"
    )


def test_gov_cloud_account(server: Server, org: Organization) -> None:
    assert refused(lambda: org.orgs.create_gov_cloud_account(Email="g@example.com", AccountName="gov"))[::2] == (
        "ConstraintViolationException",
        "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED",
    )
    member = org.add_member()
    as_member = client(server, "organizations", org.enter(member))
    assert refused(lambda: as_member.create_gov_cloud_account(Email="g@example.com", AccountName="gov"))[0] == (
        "AccessDeniedException"
    )


def test_aws_cli(server: Server, org: Organization) -> None:
    mgmt = org.management.root
    listed = aws_cli(server, "organizations", "list-outbound-responsibility-transfers", "--type", "BILLING", creds=mgmt)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["ResponsibilityTransfers"] == []
    effective = aws_cli(server, "organizations", "describe-effective-policy", "--policy-type", "TAG_POLICY", creds=mgmt)
    assert effective.returncode != 0 and "EffectivePolicyNotFoundException" in effective.stderr
    invalid = aws_cli(
        server,
        "organizations",
        "list-accounts-with-invalid-effective-policy",
        "--policy-type",
        "TAG_POLICY",
        creds=mgmt,
    )
    assert json.loads(invalid.stdout)["Accounts"] == []
