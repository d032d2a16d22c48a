"""sts:DecodeAuthorizationMessage: open the encoded message of an AccessDenied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credmint import authz, errors
from credmint.api import Call, operation
from credmint.sts import sessions
from credmint.sts.service import OPERATIONS


@operation(OPERATIONS, "DecodeAuthorizationMessage", blocking=True)
def decode_authorization_message(call: Call) -> Mapping[str, Any]:
    sessions.refuse_limited_session(sessions.caller(call), "sts:DecodeAuthorizationMessage", "*")
    call.runtime.authorize(call, "sts:DecodeAuthorizationMessage", "*")
    decoded = authz.decode_message(call.runtime.master, call.params["EncodedMessage"])
    if decoded is None:
        raise errors.AwsError(
            "InvalidAuthorizationMessageException",
            "The encoded authorization message is invalid or was not issued by this server.",
            400,
        )
    return {"DecodedMessage": decoded}
