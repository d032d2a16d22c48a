"""Handshakes expire and age out on the dev server's clock: an invitation is EXPIRED after 15
days and can no longer be accepted; a finished handshake is listed for 30 days, then dropped."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from credmint.testing import Account
from credmint.testing.node import CredmintServer

pytestmark = pytest.mark.e2e

DAY = 86_400


def test_invitation_expires_and_ages_out(credmint_server: CredmintServer) -> None:
    management: Account = credmint_server.new_account()
    guest: Account = credmint_server.new_account()
    orgs = management.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    hs = orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": guest.account_id})["Handshake"]

    management.advance(15 * DAY + 1)
    guest_orgs = guest.client("organizations")
    assert guest_orgs.describe_handshake(HandshakeId=hs["Id"])["Handshake"]["State"] == "EXPIRED"
    with pytest.raises(ClientError) as exc:
        guest_orgs.accept_handshake(HandshakeId=hs["Id"])
    assert exc.value.response["Error"]["Code"] == "InvalidHandshakeTransitionException"
    # An expired invitation is no longer a duplicate: the account can be invited again.
    again = orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": guest.account_id})["Handshake"]
    listed = {h["Id"]: h["State"] for h in orgs.list_handshakes_for_organization()["Handshakes"]}
    assert listed == {hs["Id"]: "EXPIRED", again["Id"]: "OPEN"}

    management.advance(31 * DAY)
    listed = {h["Id"]: h["State"] for h in orgs.list_handshakes_for_organization()["Handshakes"]}
    assert listed == {again["Id"]: "EXPIRED"}
