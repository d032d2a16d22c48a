"""Enable/DisableOrganizationLevelResources: the management account switches the feature of
its organization, with the same preconditions as centralized root access."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization, client, error_of

pytestmark = pytest.mark.e2e

IAM = "iam.amazonaws.com"


def _code(call: object) -> str:
    with pytest.raises(ClientError) as exc:
        call()  # type: ignore[operator]
    return error_of(exc)[0]


def test_enable_and_disable(server: Server) -> None:
    org = Organization.create(server)
    iam = client(server, "iam", org.management.root)
    assert _code(iam.enable_organization_level_resources) == "ServiceAccessNotEnabledException"
    org.orgs.enable_aws_service_access(ServicePrincipal=IAM)
    out = iam.enable_organization_level_resources()
    assert out["OrganizationId"] == org.org_id and out["EnabledFeatures"] == ["OrganizationIamResources"]
    assert iam.list_organizations_features()["EnabledFeatures"] == ["OrganizationIamResources"]
    iam.enable_organizations_root_sessions()
    assert iam.list_organizations_features()["EnabledFeatures"] == ["RootSessions", "OrganizationIamResources"]
    # A member account cannot switch it, nor can a delegated administrator.
    member = org.add_member()
    as_member = client(server, "iam", org.enter(member))
    assert _code(as_member.disable_organization_level_resources) == "CallerIsNotManagementAccountException"
    out = iam.disable_organization_level_resources()
    assert out["EnabledFeatures"] == ["RootSessions"]
    assert iam.disable_organization_level_resources()["EnabledFeatures"] == ["RootSessions"]  # idempotent


def test_outside_an_organization(server: Server) -> None:
    alone = Account.create(server)
    iam = client(server, "iam", alone.root)
    assert _code(iam.enable_organization_level_resources) == "OrganizationNotFoundException"
    assert _code(iam.disable_organization_level_resources) == "OrganizationNotFoundException"
