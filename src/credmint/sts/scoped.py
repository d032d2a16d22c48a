"""GetScopedCredentials: the caller's own session, with fewer permissions or less time.

The new credentials are the calling session's claims re-sealed under a new temporary
key: the same principal (ARN, unique id, session name, tags, source identity, MFA state
and the original issue time, so revocation by ``aws:TokenIssueTime`` reaches scoped
copies too), plus one more scope-down policy and an expiry no later than the caller's.
Every scope-down policy must allow a request on its own (``policy.evaluate``'s
``scopes``), so a chain of calls only ever narrows; at most three layers
(``tokens.MAX_SCOPE_POLICIES``). Tokens that carry scopes are sealed in claims version 2,
which a node knowing only version 1 refuses instead of ignoring the scope.

Only temporary credentials may call it (AWS: "You cannot call it with IAM user
credentials or root credentials"). Wordings for that refusal, for a request with
neither Policy nor DurationSeconds and for a fourth layer are not published by AWS and
are marked unconfirmed below; the codes follow the STS model.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from credmint import ids
from credmint.access.tokens import MAX_SCOPE_POLICIES, MAX_TOKEN_CHARS, SessionClaims, TokenTooLargeError, seal_token
from credmint.api import Call, operation
from credmint.policy import validate_policy
from credmint.sts import errors as sts_errors
from credmint.sts import sessions
from credmint.sts.service import OPERATIONS

#: MinimumSessionTokenSize may ask for at most this many bytes (the STS model's bound).
MAX_MINIMUM_TOKEN_SIZE = 4096


@operation(OPERATIONS, "GetScopedCredentials")
def get_scoped_credentials(call: Call) -> Mapping[str, Any]:
    p = sessions.caller(call)
    claims = p.session
    if claims is None:
        # Unconfirmed wording: the model's error for a caller that is not a valid session.
        raise sts_errors.InvalidSubjectCredentials()
    policy: str | None = call.params.get("Policy")
    duration: int | None = call.params.get("DurationSeconds")
    if policy is None and duration is None:
        # Unconfirmed wording; the model: "you must specify at least one of them".
        raise sts_errors.ValidationError.scoped_nothing_requested()
    sessions.refuse_limited_session(p, "sts:GetScopedCredentials", "*")
    scopes = claims.scope_policies
    if policy is not None:
        validate_policy(policy, "session")
        if len(scopes) >= MAX_SCOPE_POLICIES:
            # The model: a fourth scope-down policy "is denied" (wording unconfirmed).
            raise sts_errors.AccessDenied.scope_policies_full(MAX_SCOPE_POLICIES)
        scopes = (*scopes, policy)
    now = sessions.epoch(call.now)
    expires_at = claims.expires_at
    if duration is not None:
        if now + duration > claims.expires_at:
            raise sts_errors.InsufficientSessionLifetime(duration, max(claims.expires_at - now, 0))
        expires_at = now + duration
    call.authorize("sts:GetScopedCredentials", "*")
    scoped = replace(
        claims,
        access_key_id=ids.new_access_key_id(claims.account_id, temporary=True),
        secret_access_key=ids.new_secret_access_key(),
        expires_at=expires_at,
        scope_policies=scopes,
        padding=None,
    )
    token = _seal(call, scoped, min(call.params.get("MinimumSessionTokenSize") or 0, MAX_MINIMUM_TOKEN_SIZE))
    out: dict[str, Any] = {
        "Credentials": {
            "AccessKeyId": scoped.access_key_id,
            "SecretAccessKey": scoped.secret_access_key,
            "SessionToken": token,
            "Expiration": datetime.fromtimestamp(scoped.expires_at, UTC),
        },
        "SessionInfo": {"ScopedSessionId": scoped.principal_id, "Arn": scoped.principal_arn},
        "SessionTokenSize": len(token),
        "SessionTokenUtilization": math.ceil(100 * len(token) / MAX_TOKEN_CHARS),
        "ScopedPoliciesCount": len(scopes),
    }
    if scoped.source_identity:
        out["SourceIdentity"] = scoped.source_identity
    return out


def _seal(call: Call, claims: SessionClaims, minimum: int) -> str:
    """The sealed token, padded with random characters (which deflate cannot shrink) until
    it is at least ``minimum`` characters long."""
    keyring = call.keyring.current(call.now)
    try:
        token = seal_token(claims, keyring)
        padding = ""
        while len(token) < minimum:
            # Random base64url text adds about one token character per character.
            padding += secrets.token_urlsafe((minimum - len(token)) * 3 // 4 + 8)
            token = seal_token(replace(claims, padding=padding), keyring)
    except TokenTooLargeError:
        raise sts_errors.PackedPolicyTooLarge.token_too_large(MAX_TOKEN_CHARS) from None
    return token
