"""Effective policies: DescribeEffectivePolicy, ListAccountsWithInvalidEffectivePolicy,
ListEffectivePolicyValidationErrors.

Effective policies are those of the management policy types (tag, backup, AI services
opt-out, chatbot, declarative and the rest of ``EffectivePolicyType``). credmint offers
only service and resource control policies, which have no effective-policy view, so no
account here ever has an effective policy. Each operation checks what AWS checks
(organization membership, who may ask about whom, the target's existence, the IAM
action) and then answers as AWS answers for an account with no policy of the type:
no effective policy, no account with an invalid one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credmint.api import Call, operation
from credmint.orgs import data
from credmint.orgs import errors as orgs_errors
from credmint.orgs.calls import administrator, authorize, caller, entity_arn, membership, paginate
from credmint.orgs.lookups import require_member
from credmint.orgs.ops import OPERATIONS


@operation(OPERATIONS, "DescribeEffectivePolicy")
def describe_effective_policy(call: Call) -> Mapping[str, Any]:
    """Any member may ask about its own account; other targets need the management account
    or a delegated administrator (AWS's rule)."""
    own = caller(call).account_id
    target: str = call.params.get("TargetId") or own
    with call.store.read() as conn:
        org = membership(call, conn) if target == own else administrator(call, conn)
        authorize(call, "DescribeEffectivePolicy", entity_arn(org, target), own=target == own)
        if not target.isdigit():
            # Roots and OUs have no effective policy, only accounts (AWS: TargetId is an account).
            raise orgs_errors.InvalidInput.target_not_supported()
        if not data.is_target(conn, org, target):
            raise orgs_errors.TargetNotFound()
    raise orgs_errors.EffectivePolicyNotFound()


@operation(OPERATIONS, "ListAccountsWithInvalidEffectivePolicy")
def list_accounts_with_invalid_effective_policy(call: Call) -> Mapping[str, Any]:
    policy_type: str = call.params["PolicyType"]
    authorize(call, "ListAccountsWithInvalidEffectivePolicy")
    with call.store.read() as conn:
        administrator(call, conn)
    page, more = paginate([], call.params)
    return {"Accounts": list(page), "PolicyType": policy_type, **more}


@operation(OPERATIONS, "ListEffectivePolicyValidationErrors")
def list_effective_policy_validation_errors(call: Call) -> Mapping[str, Any]:
    account_id: str = call.params["AccountId"]
    with call.store.read() as conn:
        org = administrator(call, conn)
        authorize(call, "ListEffectivePolicyValidationErrors", entity_arn(org, account_id))
        require_member(conn, org, account_id)
    # No policy of the type applies to the account, so there is no effective policy to
    # validate; what AWS answers here (this error or an empty list) is unconfirmed, and the
    # error is the answer DescribeEffectivePolicy gives for the same account.
    raise orgs_errors.EffectivePolicyNotFound()
