"""IAM: turning outbound identity federation on and off, and reporting the issuer
(EnableOutboundWebIdentityFederation, DisableOutboundWebIdentityFederation,
GetOutboundWebIdentityFederationInfo). The issuer itself is :mod:`credmint.identity_providers.web_identity_issuer`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize
from credmint.iam.ops import OPERATIONS
from credmint.identity_providers import web_identity_issuer


def _base_url(call: Call) -> str:
    host = call.request.header("host") or f"{call.settings.host}:{call.settings.port}"
    return f"{'https' if call.request.secure else 'http'}://{host}"


@operation(OPERATIONS, "EnableOutboundWebIdentityFederation")
def enable(call: Call) -> Mapping[str, Any] | None:
    authorize(call, "iam:EnableOutboundWebIdentityFederation", "*")
    state, changed = web_identity_issuer.set_enabled(call.store, call.master, account_of(call), _base_url(call), True)
    if not changed:
        # Wording unconfirmed.
        raise iam_errors.FeatureEnabled.outbound_federation()
    assert state is not None
    return {"IssuerIdentifier": state.issuer}


@operation(OPERATIONS, "DisableOutboundWebIdentityFederation")
def disable(call: Call) -> Mapping[str, Any] | None:
    authorize(call, "iam:DisableOutboundWebIdentityFederation", "*")
    _, changed = web_identity_issuer.set_enabled(call.store, call.master, account_of(call), _base_url(call), False)
    if not changed:
        raise iam_errors.FeatureDisabled.outbound_federation()
    return None


@operation(OPERATIONS, "GetOutboundWebIdentityFederationInfo")
def info(call: Call) -> Mapping[str, Any] | None:
    authorize(call, "iam:GetOutboundWebIdentityFederationInfo", "*")
    state = web_identity_issuer.load(call.store, account_of(call))
    if state is None:
        raise iam_errors.FeatureDisabled.outbound_federation()
    return {"IssuerIdentifier": state.issuer, "JwtVendingEnabled": state.enabled}
