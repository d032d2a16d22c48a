"""AWS Organizations operations (the subset of the ``organizations`` model credmint serves).

A management account creates an organization; its root holds OUs and accounts. Member
accounts created here are real credmint accounts with no root credentials (as AWS's)
and an ``OrganizationAccountAccessRole`` that the management account may assume.
Service control policies and resource control policies attached here take part in
every authorization decision (:mod:`credmint.orgs.control`).

Who may call: the management account (its root user, or IAM principals allowed the
``organizations:*`` action); the read operations also delegated administrators; any
member may describe its organization. Everyone else gets ``AccessDeniedException``, an
account outside any organization ``AWSOrganizationsNotInUseException``.

The operations live by concern — :mod:`~credmint.orgs.organization`,
:mod:`~credmint.orgs.accounts`, :mod:`~credmint.orgs.units`,
:mod:`~credmint.orgs.policies`, :mod:`~credmint.orgs.delegation`,
:mod:`~credmint.orgs.tags`, :mod:`~credmint.orgs.handshakes`,
:mod:`~credmint.orgs.resource_policy`, :mod:`~credmint.orgs.effective`,
:mod:`~credmint.orgs.transfers` — on shared caller checks (:mod:`~credmint.orgs.calls`),
lookups (:mod:`~credmint.orgs.lookups`) and response views (:mod:`~credmint.orgs.views`);
importing them here fills the one table, :data:`credmint.orgs.ops.OPERATIONS`.
"""

from __future__ import annotations

from credmint.orgs import (  # noqa: F401
    accounts,
    delegation,
    effective,
    handshakes,
    organization,
    policies,
    resource_policy,
    tags,
    transfers,
    units,
)
from credmint.orgs.ops import OPERATIONS

__all__ = ["OPERATIONS"]
