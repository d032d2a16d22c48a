"""Workload identity contexts: sealing the assertion IssueWorkloadIdentityContext returns,
and opening it when AssumeRole is given ``ProvidedContexts`` (``sts/workload_identity.py``
describes the flow). Apart from the operations so that AssumeRole (``sts/service.py``) can
use it without importing them."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credmint.access.principal import Principal
from credmint.api import Call
from credmint.identity_providers import workload_identity_issuer as issuer
from credmint.sealing import UnsealError
from credmint.sigv4 import parse_auth
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


# --- the account and resource the calling service acts for ---------------------------------

#: The headers an AWS service sends STS to name the account and the resource it acts for
#: (what STS makes ``aws:SourceAccount`` and ``aws:SourceArn`` of).
SOURCE_ACCOUNT_HEADER = "x-amz-source-account"
SOURCE_ARN_HEADER = "x-amz-source-arn"
#: An ARN: partition, service, region (may be empty), account (may be empty: an S3 bucket's
#: is), resource; the model's arnType bounds it to 2048 characters.
_SOURCE_ARN = re.compile(r"\Aarn:aws[a-z-]*:[a-z0-9-]{1,64}:[a-z0-9-]{0,32}:(\d{12})?:[\x21-\x7e]{1,1900}\Z")


@dataclass(frozen=True, slots=True)
class Source:
    """The account and (when named) the resource the calling service acts for."""

    account: str
    arn: str | None

    def keys(self) -> dict[str, str]:
        out = {"aws:SourceAccount": self.account}
        if self.arn is not None:
            out["aws:SourceArn"] = self.arn
        return out


def source_of(call: Call, p: Principal) -> Source:
    """IssueWorkloadIdentityContext: "The service must also name the account and the resource
    that it acts for, which AWS STS makes available as the aws:SourceAccount and aws:SourceArn
    condition keys"; an AWS service names them in the ``x-amz-source-account`` and
    ``x-amz-source-arn`` headers of its request. In credmint the calling service is an IAM
    principal, so:

    * the source account is the caller's own account; a header naming another one is refused
      (a principal acting for an account it does not belong to is the confused deputy these
      keys exist to stop);
    * the source ARN is optional (when absent, a policy that requires ``aws:SourceArn`` does
      not match, the safe side); when named, it must be an ARN of the source account (or of
      no account, like a bucket's);
    * either header counts only when the request's signature covers it: a header added on
      the way would otherwise choose what a policy sees. Refused, not ignored, when it does not.
    """
    named_account = call.request.header(SOURCE_ACCOUNT_HEADER)
    named_arn = call.request.header(SOURCE_ARN_HEADER)
    if named_account is None and named_arn is None:
        return Source(p.account_id, None)
    for header in (SOURCE_ACCOUNT_HEADER, SOURCE_ARN_HEADER):
        if sum(1 for name, _ in call.request.headers if name == header) > 1:
            # Repeated headers read as one comma-joined value: never one source.
            raise sts_errors.InvalidParameterValue.source_header_repeated(header)
    signed = parse_auth(call.request, "query")
    covered = set(signed.signed_headers) if signed is not None else set()
    for header, value in ((SOURCE_ACCOUNT_HEADER, named_account), (SOURCE_ARN_HEADER, named_arn)):
        if value is not None and header not in covered:
            raise sts_errors.InvalidParameterValue.source_header_unsigned(header)
    if named_account is not None and named_account != p.account_id:
        raise sts_errors.AccessDenied.source_account_not_own(p.arn, p.account_id, named_account)
    if named_arn is not None:
        m = _SOURCE_ARN.match(named_arn)
        if m is None:
            raise sts_errors.InvalidParameterValue.source_arn_invalid(SOURCE_ARN_HEADER)
        if m.group(1) is not None and m.group(1) != p.account_id:
            raise sts_errors.AccessDenied.source_arn_not_own(p.arn, p.account_id, named_arn)
    return Source(p.account_id, named_arn)


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
) -> tuple[tuple[tuple[str, str], ...], int | None, dict[str, str]]:
    """AssumeRole's ``ProvidedContexts``: the session facts of the one workload identity
    context, the latest epoch second the session may end at (``None``: no bound), and the
    ``aws:SourceAccount``/``aws:SourceArn`` keys the role's trust policy sees.

    The model: "A context can be redeemed only by the service that requested it, with the
    same source account and source ARN", so the AssumeRole request must name the source the
    context was issued for (:func:`source_of`), and the trust policy sees it.

    A context credmint did not issue — another provider's ARN (such as IAM Identity
    Center's, which credmint does not serve), a forged or expired assertion, one for
    another role or another caller — is refused, never ignored: a caller that passed a
    context expects the session to carry it."""
    if len(contexts) != 1:
        raise sts_errors.InvalidContextAssertion()
    given = contexts[0]
    claims = _open_context(call, given.get("ContextAssertion") or "")
    now = sessions.epoch(call.now)
    source = source_of(call, p)
    try:
        if (
            claims["e"] <= now
            or claims["r"] != role.role_id
            or claims["c"] != p.user_id
            or ("se" in claims and claims["se"] <= now)
            or claims.get("sa") != source.arn
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
        return facts, (int(claims["se"]) if "se" in claims else None), source.keys()
    except (KeyError, TypeError):
        raise sts_errors.InvalidContextAssertion() from None
