"""sts:DecodeAuthorizationMessage: open the encoded message of an AccessDenied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credmint.access.messages import decode_message
from credmint.api import Call, operation
from credmint.sts import errors as sts_errors
from credmint.sts import sessions
from credmint.sts.service import OPERATIONS


@operation(OPERATIONS, "DecodeAuthorizationMessage", blocking=True)
def decode_authorization_message(call: Call) -> Mapping[str, Any]:
    caller = sessions.caller(call)
    sessions.refuse_limited_session(caller, "sts:DecodeAuthorizationMessage", "*")
    call.authorize("sts:DecodeAuthorizationMessage", "*")
    # A message of another account does not open: the same answer as a forged one,
    # so a caller learns nothing about messages that are not its account's.
    decoded = decode_message(call.master, call.params["EncodedMessage"], caller.account_id)
    if decoded is None:
        raise sts_errors.InvalidAuthorizationMessage()
    return {"DecodedMessage": decoded}
