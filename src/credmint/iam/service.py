"""All IAM operations, registered by importing their modules."""

from __future__ import annotations

from credmint.iam import (  # noqa: F401 - imported to register their operations
    access_advisor,
    account,
    authdetails,
    credential_report,
    delegation,
    groups,
    inline_policies,
    instance_profiles,
    keys,
    managed_policies,
    mfa,
    outbound,
    passwords,
    policy_attachments,
    policy_versions,
    providers,
    public_credentials,
    role_templates,
    roles,
    rootaccess,
    server_certificates,
    service_credentials,
    service_linked_roles,
    simulate,
    users,
    workload_identity,
)
from credmint.iam.ops import OPERATIONS

__all__ = ["OPERATIONS"]
