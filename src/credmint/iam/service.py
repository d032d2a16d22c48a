"""All IAM operations, registered by importing their modules."""

from __future__ import annotations

from credmint.iam import (  # noqa: F401
    account,
    groups,
    keys,
    managed,
    mfa,
    outbound,
    policies,
    providers,
    roles,
    rootaccess,
    simulate,
    users,
)
from credmint.iam.ops import OPERATIONS

__all__ = ["OPERATIONS"]
