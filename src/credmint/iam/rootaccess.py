"""IAM: centralized root access for the member accounts of an organization.

``EnableOrganizationsRootCredentialsManagement`` and ``EnableOrganizationsRootSessions``
switch the two features on for the caller's organization; only then may the management
account (or IAM's delegated administrator) manage members' root credentials and open
root sessions with ``sts:AssumeRoot``. Enabling needs the management account, an
organization with all features, and trusted access for ``iam.amazonaws.com``;
disabling and listing also accept the delegated administrator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize
from credmint.iam.ops import OPERATIONS
from credmint.orgs import data, model
from credmint.orgs.data import Org
from credmint.store import schema

_FEATURES = (model.FEATURE_ROOT_CREDENTIALS, model.FEATURE_ROOT_SESSIONS, model.FEATURE_ORGANIZATION_IAM_RESOURCES)


def _organization(conn: Connection, account_id: str, *, enabling: bool) -> Org:
    """The caller's organization once the caller may change (or read) its root access features."""
    access = data.root_access(conn, account_id)
    org = access.org
    if org is None:
        raise iam_errors.OrganizationNotFound()
    if enabling and not access.management:
        raise iam_errors.CallerIsNotManagementAccount()
    if not access.administers:
        raise iam_errors.AccountNotManagementOrDelegatedAdministrator()
    if not org.all_features:
        raise iam_errors.OrganizationNotInAllFeaturesMode()
    if model.IAM_SERVICE_PRINCIPAL not in data.service_access(conn, org.org_id):
        raise iam_errors.ServiceAccessNotEnabled()
    return org


def _answer(conn: Connection, org: Org) -> dict[str, Any]:
    enabled = data.features(conn, org.org_id)
    return {"OrganizationId": org.org_id, "EnabledFeatures": [f for f in _FEATURES if f in enabled]}


def _switch(call: Call, action: str, feature: str, on: bool) -> Mapping[str, Any]:
    account_id = account_of(call)
    authorize(call, f"iam:{action}", "*")
    f = schema.org_features
    with call.store.write() as conn:
        org = _organization(conn, account_id, enabling=on)
        present = feature in data.features(conn, org.org_id)
        if on and not present:
            conn.execute(insert(f).values(org_id=org.org_id, feature=feature))
        elif not on and present:
            conn.execute(delete(f).where(f.c.org_id == org.org_id, f.c.feature == feature))
        return _answer(conn, org)


@operation(OPERATIONS, "EnableOrganizationsRootCredentialsManagement")
def enable_root_credentials_management(call: Call) -> Mapping[str, Any]:
    return _switch(call, "EnableOrganizationsRootCredentialsManagement", model.FEATURE_ROOT_CREDENTIALS, True)


@operation(OPERATIONS, "DisableOrganizationsRootCredentialsManagement")
def disable_root_credentials_management(call: Call) -> Mapping[str, Any]:
    return _switch(call, "DisableOrganizationsRootCredentialsManagement", model.FEATURE_ROOT_CREDENTIALS, False)


@operation(OPERATIONS, "EnableOrganizationsRootSessions")
def enable_root_sessions(call: Call) -> Mapping[str, Any]:
    return _switch(call, "EnableOrganizationsRootSessions", model.FEATURE_ROOT_SESSIONS, True)


@operation(OPERATIONS, "DisableOrganizationsRootSessions")
def disable_root_sessions(call: Call) -> Mapping[str, Any]:
    return _switch(call, "DisableOrganizationsRootSessions", model.FEATURE_ROOT_SESSIONS, False)


def _organization_level_resources(call: Call, on: bool) -> Mapping[str, Any]:
    """Enable/DisableOrganizationLevelResources: the management account only, both ways
    (the API reference: "A delegated administrator for IAM cannot call it").

    Disabling is refused while organization-level resources exist
    (OrganizationLevelResourcesExistException): workload identity providers and templates
    with an ORGANIZATION scope (``iam.workload_identity`` creates them only while the
    capability is on).
    """
    account_id = account_of(call)
    action = "EnableOrganizationLevelResources" if on else "DisableOrganizationLevelResources"
    authorize(call, f"iam:{action}", "*")
    f = schema.org_features
    feature = model.FEATURE_ORGANIZATION_IAM_RESOURCES
    with call.store.write() as conn:
        org = _organization(conn, account_id, enabling=True)
        present = feature in data.features(conn, org.org_id)
        if on and not present:
            conn.execute(insert(f).values(org_id=org.org_id, feature=feature))
        elif not on and present:
            if organization_level_resources(conn, org):
                raise iam_errors.OrganizationLevelResourcesExist()
            conn.execute(delete(f).where(f.c.org_id == org.org_id, f.c.feature == feature))
        return _answer(conn, org)


def organization_level_resources(conn: Connection, org: Org) -> int:
    """How many organization-level resources ``org`` holds (ORGANIZATION-scoped workload
    identity providers and templates; only the management account creates them)."""
    p, t = schema.workload_identity_providers, schema.workload_identity_templates
    providers = conn.execute(
        select(func.count()).select_from(p).where(p.c.scope == "ORGANIZATION", p.c.org_id == org.org_id)
    ).scalar_one()
    templates = conn.execute(
        select(func.count())
        .select_from(t)
        .where(t.c.scope == "ORGANIZATION", t.c.owner_account_id == org.management_account_id)
    ).scalar_one()
    return int(providers) + int(templates)


def organization_level_resources_enabled(conn: Connection, org: Org) -> bool:
    return model.FEATURE_ORGANIZATION_IAM_RESOURCES in data.features(conn, org.org_id)


@operation(OPERATIONS, "EnableOrganizationLevelResources")
def enable_organization_level_resources(call: Call) -> Mapping[str, Any]:
    return _organization_level_resources(call, True)


@operation(OPERATIONS, "DisableOrganizationLevelResources")
def disable_organization_level_resources(call: Call) -> Mapping[str, Any]:
    return _organization_level_resources(call, False)


@operation(OPERATIONS, "ListOrganizationsFeatures")
def list_organizations_features(call: Call) -> Mapping[str, Any]:
    account_id = account_of(call)
    authorize(call, "iam:ListOrganizationsFeatures", "*")
    with call.store.read() as conn:
        org = _organization(conn, account_id, enabling=False)
        return _answer(conn, org)
