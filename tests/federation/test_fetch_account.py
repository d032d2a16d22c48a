"""AssumeRoleWithWebIdentity charges a provider's fetches to the account that owns it (the
role's), so ``JwksCache``'s per-account shares (tests/unit/federation/test_jwks.py) bound
what one account's providers hold."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from credmint.errors import AwsError
from credmint.federation import errors as federation_errors
from credmint.sts import federation as sts_federation

OWNER = "123456789012"


def _b64(doc: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()


class _Jwks:
    def __init__(self) -> None:
        self.accounts: list[str] = []

    def keys(self, issuer: str, thumbprints: Any, kid: str | None, *, account: str = "") -> Any:
        self.accounts.append(account)
        raise federation_errors.IDPCommunicationError.no_verification_key()


@pytest.mark.parametrize("provider_id", [None, "idp.example.com"])
def test_the_fetch_is_charged_to_the_providers_account(
    monkeypatch: pytest.MonkeyPatch, provider_id: str | None
) -> None:
    provider = SimpleNamespace(url="https://idp.example.com", thumbprints=[], client_ids=["c"])
    owners: list[str] = []

    def lookup(store: Any, url: str, account_id: str) -> Any:
        owners.append(account_id)
        return provider

    monkeypatch.setattr(sts_federation, "oidc_provider", lookup)
    token = ".".join([_b64({"alg": "RS256", "kid": "k1"}), _b64({"iss": provider.url, "sub": "s", "aud": "c"}), "c2ln"])
    params = {"WebIdentityToken": token, **({"ProviderId": provider_id} if provider_id else {})}
    jwks = _Jwks()
    call: Any = SimpleNamespace(params=params, store=None, jwks=jwks, now=datetime.now(UTC))
    with pytest.raises(AwsError) as e:
        sts_federation._verify_web_identity(call, OWNER)
    assert e.value.code == "IDPCommunicationError"
    assert owners == [OWNER] and jwks.accounts == [OWNER]
