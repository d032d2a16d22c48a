"""Encoded authorization messages: what a denial carries, sealed by the server, and what
``sts:DecodeAuthorizationMessage`` opens.

A message is AWS's JSON (the matched statements and the request context), sealed under
the master key with the denied caller's account as associated data.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from credmint import errors
from credmint.policy import Decision, RequestContext, access_denied_message
from credmint.sealing import MasterKey, UnsealError

#: Associated data binding encoded authorization messages to their purpose.
_MESSAGE_AAD = b"credmint/authorization-message/v1"


def encode_message(master: MasterKey, decision: Decision, ctx: RequestContext) -> str:
    """The ``Encoded authorization failure message``: AWS's JSON, sealed by the server."""

    def items(values: Sequence[Any]) -> dict[str, Any]:
        return {"items": list(values)}

    matched = [
        {
            "statementId": m.sid or "",
            "effect": m.effect.upper(),
            "principals": items([]),
            "principalGroups": items([]),
            # AWS's documented example lists the statement's actions and resources.
            "actions": items([{"value": a} for a in m.actions]),
            "resources": items([{"value": r} for r in m.resources]),
            "conditions": items([]),
            "policyType": m.policy_type,
            "policyId": m.policy_id,
        }
        for m in decision.matched_statements
    ]
    body = {
        "allowed": decision.allowed,
        "explicitDeny": decision.explicit_deny,
        "matchedStatements": items(matched),
        "failures": items([]),
        "context": {
            "principal": {"id": ctx.principal.unique_id or "", "arn": ctx.principal.arn},
            # AWS's documented example names the action without its service prefix.
            "action": ctx.action.split(":", 1)[-1],
            "resource": ctx.resource,
            "conditions": items(
                [{"key": k, "values": items([{"value": v} for v in vs])} for k, vs in sorted(ctx.keys.items())]
            ),
        },
    }
    sealed = master.seal(json.dumps(body, separators=(",", ":")).encode(), _message_aad(ctx.principal.account))
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def _message_aad(account: str | None) -> bytes:
    """A message is bound to the account whose call was denied.

    It names the caller, its unique id, tags and source IP: only that account may
    read it (AWS: a caller decodes messages of its own account only). An anonymous
    caller has no account; its messages bind to the empty name, which no caller of
    DecodeAuthorizationMessage has, so no one can open them.
    """
    return _MESSAGE_AAD + b"/" + (account or "").encode()


def decode_message(master: MasterKey, encoded: str, account: str) -> str | None:
    """The JSON text inside an encoded message of ``account``, or ``None`` if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        return master.open(raw, _message_aad(account)).decode()
    except (ValueError, UnsealError):
        return None


#: Services whose AccessDenied text carries no ``Encoded authorization failure message``.
#: STS's DecodeAuthorizationMessage reference: "Only certain Amazon Web Services operations
#: return an encoded authorization message. The documentation for an individual operation
#: indicates whether that operation returns an encoded message" -- EC2's operations do
#: (UnauthorizedOperation, "You are not authorized to perform this operation. Encoded
#: authorization failure message: ..."), IAM's and S3's API references say no such thing,
#: and the IAM User Guide's access denied examples ("Troubleshoot access denied error
#: messages") end with "because no identity-based policy allows the <action> action", as
#: do IAM and S3 denials quoted from AWS in public issue trackers. So IAM and S3 answer the
#: plain text; the other services keep the message (their evidence was not reviewed here).
PLAIN_DENIAL_SERVICES = frozenset({"iam", "s3"})


def denial(
    master: MasterKey,
    decision: Decision,
    ctx: RequestContext,
    *,
    short: bool = False,
    encoded: bool = True,
) -> errors.AwsError:
    if short:
        # STS AssumeRole* denials use the form without "because ..." (observed).
        on = "" if ctx.resource == "*" else f" on resource: {ctx.resource}"
        text = f"User: {ctx.principal.arn} is not authorized to perform: {ctx.action}{on}"
    else:
        text = access_denied_message(
            ctx.principal.arn, ctx.action, ctx.resource, decision.denied_by, decision.explicit_deny
        )
    if not encoded:
        return errors.AccessDenied(text)
    return errors.AccessDenied(
        f"{text}. Encoded authorization failure message: {encode_message(master, decision, ctx)}"
    )
