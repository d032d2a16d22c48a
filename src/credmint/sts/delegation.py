"""STS GetDelegatedAccessToken: a partner exchanges a delegation request's trade-in token,
once, for credentials of the identity that accepted the request. The lifecycle, the token
and its delivery are described in :mod:`credmint.store.delegation_requests`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from credmint import arns, settings
from credmint.access.tokens import IssuingCall, PrincipalKind
from credmint.api import Call, operation
from credmint.store import schema
from credmint.store.delegation_requests import token_hash, utc
from credmint.sts import errors as sts_errors
from credmint.sts import sessions
from credmint.sts.service import OPERATIONS

# --- GetDelegatedAccessToken ---------------------------------------------------------------


@operation(OPERATIONS, "GetDelegatedAccessToken")
def get_delegated_access_token(call: Call) -> Mapping[str, Any]:
    p = sessions.caller(call)
    sessions.refuse_limited_session(p, "sts:GetDelegatedAccessToken", "*")
    if not settings.delegation_partner(call.settings, p.account_id):
        # AWS: "not available for general use" without partner onboarding (wording unconfirmed).
        raise sts_errors.AccessDenied.delegation_not_enabled(p.account_id)
    call.authorize("sts:GetDelegatedAccessToken", "*")
    token: str = call.params["TradeInToken"]
    if len(token) > 512:
        raise sts_errors.ExpiredTradeInToken()
    digest = token_hash(token)
    t = schema.delegation_requests
    now = call.now
    with call.store.write() as conn:
        row = conn.execute(select(t).where(t.c.token_sha256 == digest)).first()
        if (
            row is None
            or row.requestor_account_id != p.account_id
            or row.state != "FINALIZED"
            or row.token_used_at is not None
            or (utc(row.token_expires_at) or now) <= now
        ):
            raise sts_errors.ExpiredTradeInToken()
        used = conn.execute(
            update(t).where(t.c.request_id == row.request_id, t.c.token_used_at.is_(None)).values(token_used_at=now)
        ).rowcount
        if used != 1:
            raise sts_errors.ExpiredTradeInToken()
    principal = json.loads(row.accepted_principal)
    duration = int(row.session_duration)
    policy = str(row.permission_policy)
    policies = sessions.SessionPolicies(policy=policy, arns=())
    sessions.check_packed_size(policies, ())
    if principal["kind"] == "role":
        ref = sessions.parse_role_arn(principal["arn"])
        role = sessions.find_role(call, ref)
        if role is None or role.role_id != principal["id"]:
            raise sts_errors.ExpiredTradeInToken()
        out = sessions.role_session(
            call,
            role,
            f"delegation-{row.request_id[3:15]}",
            # Never longer than the role allows its own sessions.
            min(duration, role.max_session_duration),
            kind=IssuingCall.ASSUME_ROLE,
            assumed_by_arn=principal["arn"],
            policies=policies,
            tags=(),
            transitive_tag_keys=(),
            source_identity=None,
            packed=0,
        )
        return {"Credentials": out["Credentials"], "AssumedPrincipal": principal["arn"]}
    # An IAM user: a federated-user session bounded by the user's policies and the
    # request's permission policy, as GetFederationToken's.
    name = f"delegation-{row.request_id[3:15]}"
    minted = sessions.mint(
        call,
        principal["account"],
        duration,
        kind=IssuingCall.GET_FEDERATION_TOKEN,
        principal_kind=PrincipalKind.FEDERATED_USER,
        principal_arn=arns.federated_user(principal["account"], name),
        principal_id=f"{principal['account']}:{name}",
        assumed_by_arn=principal["arn"],
        session_name=name,
        session_policy=policy,
        federation=sessions.entity_fact(principal["id"]),
    )
    return {"Credentials": minted.credentials(), "AssumedPrincipal": principal["arn"]}
