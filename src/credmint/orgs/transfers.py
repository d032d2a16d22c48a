"""Responsibility transfers (billing responsibility moved between organizations).

credmint has no billing, so no organization here has, sends or receives a transfer. The
operations answer as AWS answers an organization with none: the listings are empty, a
transfer named by id is ``ResponsibilityTransferNotFoundException``, and an invitation
to transfer is refused because the billing prerequisite can never be met. Each checks
the caller's organization and role and authorizes the IAM action first, as AWS does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credmint.api import Call, operation
from credmint.orgs import errors as orgs_errors
from credmint.orgs.calls import authorize, management, paginate
from credmint.orgs.ops import OPERATIONS


def _managed(call: Call, action: str) -> None:
    authorize(call, action)
    with call.store.read() as conn:
        management(call, conn)


@operation(OPERATIONS, "ListInboundResponsibilityTransfers")
def list_inbound_responsibility_transfers(call: Call) -> Mapping[str, Any]:
    _managed(call, "ListInboundResponsibilityTransfers")
    if call.params.get("Id"):
        raise orgs_errors.ResponsibilityTransferNotFound()
    page, more = paginate([], call.params)
    return {"ResponsibilityTransfers": list(page), **more}


@operation(OPERATIONS, "ListOutboundResponsibilityTransfers")
def list_outbound_responsibility_transfers(call: Call) -> Mapping[str, Any]:
    _managed(call, "ListOutboundResponsibilityTransfers")
    page, more = paginate([], call.params)
    return {"ResponsibilityTransfers": list(page), **more}


@operation(OPERATIONS, "DescribeResponsibilityTransfer")
def describe_responsibility_transfer(call: Call) -> Mapping[str, Any]:
    _managed(call, "DescribeResponsibilityTransfer")
    raise orgs_errors.ResponsibilityTransferNotFound()


@operation(OPERATIONS, "UpdateResponsibilityTransfer")
def update_responsibility_transfer(call: Call) -> Mapping[str, Any]:
    _managed(call, "UpdateResponsibilityTransfer")
    raise orgs_errors.ResponsibilityTransferNotFound()


@operation(OPERATIONS, "TerminateResponsibilityTransfer")
def terminate_responsibility_transfer(call: Call) -> Mapping[str, Any]:
    _managed(call, "TerminateResponsibilityTransfer")
    raise orgs_errors.ResponsibilityTransferNotFound()


@operation(OPERATIONS, "InviteOrganizationToTransferResponsibility")
def invite_organization_to_transfer_responsibility(call: Call) -> Mapping[str, Any]:
    _managed(call, "InviteOrganizationToTransferResponsibility")
    raise orgs_errors.ConstraintViolation.billing_prerequisite()
