"""STS operations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credmint import errors, ids
from credmint.api import Call, Operation, operation

OPERATIONS: dict[str, Operation] = {}


def _caller(call: Call) -> Any:
    if call.principal is None:  # unsigned calls never reach these handlers
        raise errors.missing_authentication_token()
    return call.principal


@operation(OPERATIONS, "GetCallerIdentity", blocking=False)
def get_caller_identity(call: Call) -> Mapping[str, Any]:
    # No permission is needed and an explicit deny does not apply (AWS documents this).
    p = _caller(call)
    return {"UserId": p.user_id, "Account": p.account_id, "Arn": p.arn}


@operation(OPERATIONS, "GetAccessKeyInfo", blocking=False)
def get_access_key_info(call: Call) -> Mapping[str, Any]:
    _caller(call)
    call.runtime.authorize(call, "sts:GetAccessKeyInfo", "*")
    key_id: str = call.params["AccessKeyId"]
    # Like AWS: derived from the key id alone, whatever the key's state.
    account = ids.account_from_access_key_id(key_id)
    if account is None:
        raise errors.validation_error(f"{key_id} is invalid")
    return {"Account": account}
