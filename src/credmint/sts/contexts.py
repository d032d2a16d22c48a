"""Workload identity contexts: sealing the assertion IssueWorkloadIdentityContext returns,
and opening it when AssumeRole is given ``ProvidedContexts`` (``sts/workload_identity.py``
describes the flow). Apart from the operations so that AssumeRole (``sts/service.py``) can
use it without importing them."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any

from credmint.access.principal import Principal
from credmint.api import Call
from credmint.identity_providers import workload_identity_issuer as issuer
from credmint.sealing import UnsealError
from credmint.store.iam import CachedRole
from credmint.sts import errors as sts_errors
from credmint.sts import sessions

#: The session facts that carry a workload identity.
FACT_SUBJECT = "workload_identity"
FACT_PROVIDER = "workload_identity_provider"
FACT_TEMPLATE = "workload_identity_template"
_CONTEXT_AAD = b"credmint:workload-context:v1"
#: The model's bound on a ContextAssertion.
MAX_ASSERTION_CHARS = 3072


def seal_context(call: Call, claims: Mapping[str, Any]) -> str:
    sealed = call.master.seal(json.dumps(claims, separators=(",", ":")).encode(), _CONTEXT_AAD)
    return base64.b64encode(sealed).decode("ascii")


# --- the calling session's workload identity -----------------------------------------------


def _open_context(call: Call, text: str) -> dict[str, Any]:
    if len(text) > MAX_ASSERTION_CHARS:
        raise sts_errors.InvalidContextAssertion()
    try:
        plain = call.master.open(base64.b64decode(text, validate=True), _CONTEXT_AAD)
        claims = json.loads(plain)
    except (binascii.Error, ValueError, UnsealError):
        raise sts_errors.InvalidContextAssertion() from None
    if not isinstance(claims, dict):
        raise sts_errors.InvalidContextAssertion()
    return claims


def redeem(
    call: Call, p: Principal, role: CachedRole, contexts: Sequence[Mapping[str, str]]
) -> tuple[tuple[tuple[str, str], ...], int | None]:
    """AssumeRole's ``ProvidedContexts``: the session facts of the one workload identity
    context, and the latest epoch second the session may end at (``None``: no bound).

    A context credmint did not issue — another provider's ARN (such as IAM Identity
    Center's, which credmint does not serve), a forged or expired assertion, one for
    another role or another caller — is refused, never ignored: a caller that passed a
    context expects the session to carry it."""
    if len(contexts) != 1:
        raise sts_errors.InvalidContextAssertion()
    given = contexts[0]
    claims = _open_context(call, given.get("ContextAssertion") or "")
    now = sessions.epoch(call.now)
    try:
        if (
            claims["e"] <= now
            or claims["r"] != role.role_id
            or claims["c"] != p.user_id
            or ("se" in claims and claims["se"] <= now)
        ):
            raise sts_errors.InvalidContextAssertion()
        with call.store.read() as conn:
            provider = issuer.provider_by_id(conn, claims["p"])
        if provider is None or provider.arn != given.get("ProviderArn"):
            raise sts_errors.InvalidContextAssertion()
        facts = (
            (FACT_SUBJECT, str(claims["s"])),
            (FACT_PROVIDER, str(claims["p"])),
            (FACT_TEMPLATE, str(claims["t"])),
        )
        return facts, (int(claims["se"]) if "se" in claims else None)
    except (KeyError, TypeError):
        raise sts_errors.InvalidContextAssertion() from None
