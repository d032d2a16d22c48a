"""Handshakes end to end with boto3 and the AWS CLI: invitations (Invite, Accept, Decline,
Cancel, Describe, the two listings) and the all-features migration (EnableAllFeatures)."""

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
    reason = exc.value.response.get("Reason", "")
    return code, status, reason


def invite(org: Organization, account: Account, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = org.orgs.invite_account_to_organization(
        Target={"Type": "ACCOUNT", "Id": account.account_id}, **extra
    )["Handshake"]
    return out


def test_invite_and_accept_joins_the_account(server: Server, org: Organization) -> None:
    guest = Account.create(server)
    hs = invite(org, guest, Notes="welcome", Tags=[{"Key": "team", "Value": "data"}])
    assert hs["State"] == "OPEN" and hs["Action"] == "INVITE"
    assert hs["Id"].startswith("h-")
    assert hs["Arn"] == f"arn:aws:organizations::{org.management.account_id}:handshake/{org.org_id}/invite/{hs['Id']}"
    assert {"Id": org.org_id, "Type": "ORGANIZATION"} in hs["Parties"]
    assert {"Id": guest.account_id, "Type": "ACCOUNT"} in hs["Parties"]
    types = [r["Type"] for r in hs["Resources"]]
    assert types == ["ORGANIZATION", "ACCOUNT", "NOTES"]
    assert (hs["ExpirationTimestamp"] - hs["RequestedTimestamp"]).days == 15

    guest_orgs = client(server, "organizations", guest.root)
    listed = guest_orgs.list_handshakes_for_account()["Handshakes"]
    assert [h["Id"] for h in listed] == [hs["Id"]]
    assert guest_orgs.describe_handshake(HandshakeId=hs["Id"])["Handshake"]["State"] == "OPEN"
    # Before joining, the guest is in no organization.
    assert refused(guest_orgs.describe_organization)[0] == "AWSOrganizationsNotInUseException"

    accepted = guest_orgs.accept_handshake(HandshakeId=hs["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"
    assert guest_orgs.describe_organization()["Organization"]["Id"] == org.org_id
    account = org.orgs.describe_account(AccountId=guest.account_id)["Account"]
    assert account["JoinedMethod"] == "INVITED" and account["Status"] == "ACTIVE"
    assert org.orgs.list_tags_for_resource(ResourceId=guest.account_id)["Tags"] == [{"Key": "team", "Value": "data"}]
    # The SCP every account gets once the type is enabled is attached at join time too.
    org.orgs.enable_policy_type(RootId=org.root_id, PolicyType="SERVICE_CONTROL_POLICY")
    newcomer = Account.create(server)
    client(server, "organizations", newcomer.root).accept_handshake(HandshakeId=invite(org, newcomer)["Id"])
    policies = org.orgs.list_policies_for_target(TargetId=newcomer.account_id, Filter="SERVICE_CONTROL_POLICY")
    assert [p["Name"] for p in policies["Policies"]] == ["FullAWSAccess"]

    # Answering again: the same state, or a move out of a finished one.
    assert refused(lambda: guest_orgs.accept_handshake(HandshakeId=hs["Id"]))[0] == "HandshakeAlreadyInStateException"
    assert refused(lambda: guest_orgs.decline_handshake(HandshakeId=hs["Id"]))[0] == (
        "InvalidHandshakeTransitionException"
    )
    assert refused(lambda: org.orgs.cancel_handshake(HandshakeId=hs["Id"]))[0] == "InvalidHandshakeTransitionException"
    listed_org = org.orgs.list_handshakes_for_organization()["Handshakes"]
    assert {h["Id"]: h["State"] for h in listed_org}[hs["Id"]] == "ACCEPTED"


def test_decline_and_cancel(server: Server, org: Organization) -> None:
    guest = Account.create(server)
    guest_orgs = client(server, "organizations", guest.root)
    first = invite(org, guest)
    # Only the recipient declines; only the sender cancels.
    assert refused(lambda: org.orgs.decline_handshake(HandshakeId=first["Id"]))[0] == "AccessDeniedException"
    assert refused(lambda: guest_orgs.cancel_handshake(HandshakeId=first["Id"]))[0] == "AccessDeniedException"
    assert guest_orgs.decline_handshake(HandshakeId=first["Id"])["Handshake"]["State"] == "DECLINED"
    assert refused(lambda: guest_orgs.decline_handshake(HandshakeId=first["Id"]))[0] == (
        "HandshakeAlreadyInStateException"
    )
    assert refused(lambda: guest_orgs.accept_handshake(HandshakeId=first["Id"]))[0] == (
        "InvalidHandshakeTransitionException"
    )
    second = invite(org, guest)
    assert org.orgs.cancel_handshake(HandshakeId=second["Id"])["Handshake"]["State"] == "CANCELED"
    assert refused(lambda: guest_orgs.accept_handshake(HandshakeId=second["Id"]))[0] == (
        "InvalidHandshakeTransitionException"
    )
    assert refused(lambda: guest_orgs.describe_organization())[0] == "AWSOrganizationsNotInUseException"
    states = {h["Id"]: h["State"] for h in guest_orgs.list_handshakes_for_account()["Handshakes"]}
    assert states == {first["Id"]: "DECLINED", second["Id"]: "CANCELED"}


def test_invite_by_email(server: Server, org: Organization) -> None:
    """An invitation addressed to an email reaches the account with that address (any case)."""
    other = Organization.create(server)
    email = f"Guest-{other.org_id}@Example.com"
    status = other.orgs.create_account(Email=email, AccountName="guest")["CreateAccountStatus"]
    account_id = other.orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"][
        "AccountId"
    ]
    guest_creds = other.enter(account_id)
    other.orgs.remove_account_from_organization(AccountId=account_id)
    hs = org.orgs.invite_account_to_organization(Target={"Type": "EMAIL", "Id": email.lower()})["Handshake"]
    assert {"Id": email.lower(), "Type": "EMAIL"} in hs["Parties"]
    guest = client(server, "organizations", guest_creds)
    assert [h["Id"] for h in guest.list_handshakes_for_account()["Handshakes"]] == [hs["Id"]]
    guest.accept_handshake(HandshakeId=hs["Id"])
    assert org.orgs.describe_account(AccountId=account_id)["Account"]["Email"] == email


def test_invitation_errors(server: Server, org: Organization) -> None:
    guest = Account.create(server)
    invite(org, guest)
    assert refused(lambda: invite(org, guest))[0] == "DuplicateHandshakeException"
    # An account already in an organization (here, the management account of another).
    other = Organization.create(server)
    assert refused(lambda: invite(org, other.management))[:3:2] == (
        "HandshakeConstraintViolationException",
        "ALREADY_IN_AN_ORGANIZATION",
    )
    member = org.add_member()
    assert refused(lambda: org.orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": member}))[::2] == (
        "HandshakeConstraintViolationException",
        "ALREADY_IN_AN_ORGANIZATION",
    )
    assert refused(
        lambda: org.orgs.invite_account_to_organization(Target={"Type": "ORGANIZATION", "Id": "o-abcdefghij"})
    )[::2] == ("InvalidInputException", "INVALID_PARTY_TYPE_TARGET")
    assert refused(lambda: org.orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": "12"}))[::2] == (
        "InvalidInputException",
        "INVALID_PATTERN_TARGET_ID",
    )
    assert refused(lambda: org.orgs.invite_account_to_organization(Target={"Type": "EMAIL", "Id": "nobody"}))[::2] == (
        "InvalidInputException",
        "INVALID_EMAIL_ADDRESS_TARGET",
    )
    # Members cannot invite; outsiders are in no organization.
    as_member = client(server, "organizations", org.enter(member))
    assert (
        refused(lambda: as_member.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": guest.account_id}))[0]
        == "AccessDeniedException"
    )
    outsider = client(server, "organizations", Account.create(server).root)
    assert refused(lambda: outsider.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": guest.account_id}))[
        0
    ] == ("AWSOrganizationsNotInUseException")
    # Strangers cannot see, accept or cancel a handshake: it does not exist for them.
    hs_id = org.orgs.list_handshakes_for_organization()["Handshakes"][0]["Id"]
    for call in (outsider.describe_handshake, outsider.accept_handshake, outsider.cancel_handshake):
        assert refused(lambda call=call: call(HandshakeId=hs_id))[0] == "HandshakeNotFoundException"
    assert refused(lambda: org.orgs.describe_handshake(HandshakeId="h-00000000000000000000000000000000"))[0] == (
        "HandshakeNotFoundException"
    )
    assert refused(
        lambda: org.orgs.list_handshakes_for_organization(
            Filter={"ActionType": "INVITE", "ParentHandshakeId": "h-00000000000000000000000000000000"}
        )
    )[::2] == ("InvalidInputException", "MAX_LIMIT_EXCEEDED_FILTER")


def test_invitation_rate_limit(server: Server, org: Organization) -> None:
    """AWS's quota of 20 invitations a day bounds what one organization can write."""
    for n in range(20):
        org.orgs.invite_account_to_organization(Target={"Type": "EMAIL", "Id": f"guest{n}@example.com"})
    assert refused(
        lambda: org.orgs.invite_account_to_organization(Target={"Type": "EMAIL", "Id": "one-more@example.com"})
    )[::2] == ("HandshakeConstraintViolationException", "HANDSHAKE_RATE_LIMIT_EXCEEDED")


def test_enable_all_features(server: Server) -> None:
    management = Account.create(server)
    orgs = client(server, "organizations", management.root)
    org_id = orgs.create_organization(FeatureSet="CONSOLIDATED_BILLING")["Organization"]["Id"]
    guest = Account.create(server)
    guest_orgs = client(server, "organizations", guest.root)
    hs = orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": guest.account_id})["Handshake"]
    guest_orgs.accept_handshake(HandshakeId=hs["Id"])

    # A second invited member leaves before approving: its approval is no longer needed.
    leaver = Account.create(server)
    leaver_orgs = client(server, "organizations", leaver.root)
    leaver_hs = orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": leaver.account_id})["Handshake"]
    leaver_orgs.accept_handshake(HandshakeId=leaver_hs["Id"])

    parent = orgs.enable_all_features()["Handshake"]
    assert parent["Action"] == "ENABLE_ALL_FEATURES" and parent["State"] == "REQUESTED"
    assert refused(orgs.enable_all_features)[::2] == (
        "HandshakeConstraintViolationException",
        "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION",
    )
    # No invitations while the migration runs.
    assert refused(lambda: orgs.invite_account_to_organization(Target={"Type": "EMAIL", "Id": "later@example.com"}))[
        ::2
    ] == ("HandshakeConstraintViolationException", "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES")
    # The management account cannot finish before the invited member approved.
    assert refused(lambda: orgs.accept_handshake(HandshakeId=parent["Id"]))[0] == "InvalidHandshakeTransitionException"
    approvals = guest_orgs.list_handshakes_for_account(Filter={"ActionType": "APPROVE_ALL_FEATURES"})["Handshakes"]
    assert len(approvals) == 1
    children = orgs.list_handshakes_for_organization(Filter={"ParentHandshakeId": parent["Id"]})["Handshakes"]
    assert len(children) == 2 and approvals[0]["Id"] in [c["Id"] for c in children]
    guest_orgs.accept_handshake(HandshakeId=approvals[0]["Id"])
    assert orgs.describe_handshake(HandshakeId=parent["Id"])["Handshake"]["State"] == "REQUESTED"
    leaver_orgs.leave_organization()
    assert orgs.describe_handshake(HandshakeId=parent["Id"])["Handshake"]["State"] == "OPEN"
    assert orgs.accept_handshake(HandshakeId=parent["Id"])["Handshake"]["State"] == "ACCEPTED"
    assert orgs.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    assert refused(orgs.enable_all_features)[::2] == (
        "HandshakeConstraintViolationException",
        "ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
    )
    assert org_id.startswith("o-")


def test_aws_cli(server: Server, org: Organization) -> None:
    guest = Account.create(server)
    out = aws_cli(
        server,
        "organizations",
        "invite-account-to-organization",
        "--target",
        f"Type=ACCOUNT,Id={guest.account_id}",
        creds=org.management.root,
    )
    assert out.returncode == 0, out.stderr
    hs_id = json.loads(out.stdout)["Handshake"]["Id"]
    listed = aws_cli(server, "organizations", "list-handshakes-for-account", creds=guest.root)
    assert [h["Id"] for h in json.loads(listed.stdout)["Handshakes"]] == [hs_id]
    accepted = aws_cli(server, "organizations", "accept-handshake", "--handshake-id", hs_id, creds=guest.root)
    assert json.loads(accepted.stdout)["Handshake"]["State"] == "ACCEPTED"
    again = aws_cli(server, "organizations", "accept-handshake", "--handshake-id", hs_id, creds=guest.root)
    assert again.returncode != 0 and "HandshakeAlreadyInStateException" in again.stderr
    missing = aws_cli(server, "organizations", "describe-handshake", "--handshake-id", "h-0000000000", creds=guest.root)
    assert missing.returncode != 0 and "HandshakeNotFoundException" in missing.stderr


def test_aws_cli_decline_cancel_and_enable_all_features(server: Server, org: Organization) -> None:
    guest, other = Account.create(server), Account.create(server)
    declined = invite(org, guest)["Id"]
    out = aws_cli(server, "organizations", "decline-handshake", "--handshake-id", declined, creds=guest.root)
    assert out.returncode == 0 and json.loads(out.stdout)["Handshake"]["State"] == "DECLINED", out.stderr
    again = aws_cli(server, "organizations", "decline-handshake", "--handshake-id", declined, creds=guest.root)
    assert again.returncode != 0 and "HandshakeAlreadyInStateException" in again.stderr
    canceled = invite(org, other)["Id"]
    as_management = org.management.root
    out = aws_cli(server, "organizations", "cancel-handshake", "--handshake-id", canceled, creds=as_management)
    assert out.returncode == 0 and json.loads(out.stdout)["Handshake"]["State"] == "CANCELED", out.stderr
    # The organization already has all features (the CLI prints the code and message, not the reason).
    refused_all = aws_cli(server, "organizations", "enable-all-features", creds=as_management)
    assert refused_all.returncode != 0 and "HandshakeConstraintViolationException" in refused_all.stderr
    billing = Account.create(server)
    feature_set = ("--feature-set", "CONSOLIDATED_BILLING")
    made = aws_cli(server, "organizations", "create-organization", *feature_set, creds=billing.root)
    assert made.returncode == 0, made.stderr
    out = aws_cli(server, "organizations", "enable-all-features", creds=billing.root)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Handshake"]["Action"] == "ENABLE_ALL_FEATURES"


def test_aws_cli_effective_policy_validation_errors(server: Server, org: Organization) -> None:
    as_management = org.management.root
    listed = aws_cli(
        server, "organizations", "list-accounts-with-invalid-effective-policy", "--policy-type", "TAG_POLICY",
        creds=as_management,
    )  # fmt: skip
    assert listed.returncode == 0 and json.loads(listed.stdout)["Accounts"] == [], listed.stderr
    unknown = aws_cli(
        server, "organizations", "list-effective-policy-validation-errors", "--account-id", "999999999999",
        "--policy-type", "TAG_POLICY", creds=as_management,
    )  # fmt: skip
    assert unknown.returncode != 0 and "AccountNotFoundException" in unknown.stderr
