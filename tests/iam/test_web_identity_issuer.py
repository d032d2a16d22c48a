"""The outbound issuer in-process: keys sealed in account_settings, the published documents
(handle_internal) and tokens any OIDC library verifies with them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from credmint.accounts import create_account
from credmint.identity_providers import web_identity_issuer
from credmint.sealing import MasterKey, UnsealError
from credmint.store import schema
from credmint.store.db import Store

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[Store, MasterKey, str]]:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    schema.metadata.create_all(store.engine)
    master = MasterKey.generate()
    account = create_account(store, master, NOW).account_id
    yield store, master, account
    store.close()


def test_enable_disable_and_documents(env: tuple[Store, MasterKey, str]) -> None:
    store, master, account = env
    assert web_identity_issuer.handle_internal(store, master, "GET", f"/_credmint/oidc/{account}/jwks.json")[0] == 404  # type: ignore[index]
    state, changed = web_identity_issuer.set_enabled(store, master, account, "https://sts.example.test", True)
    assert changed and state is not None
    assert state.issuer == f"https://sts.example.test/_credmint/oidc/{account}"
    assert web_identity_issuer.set_enabled(store, master, account, "https://other", True)[1] is False
    status, _headers, body = web_identity_issuer.handle_internal(
        store, master, "GET", f"/_credmint/oidc/{account}/.well-known/openid-configuration"
    )  # type: ignore[misc]
    assert status == 200 and json.loads(body)["jwks_uri"] == state.issuer + "/jwks.json"
    status, _, body = web_identity_issuer.handle_internal(store, master, "GET", f"/_credmint/oidc/{account}/jwks.json")  # type: ignore[misc]
    published = json.loads(body)
    assert {k["alg"] for k in published["keys"]} == {"RS256", "ES384"}
    assert all("d" not in k for k in published["keys"])  # public halves only
    assert web_identity_issuer.handle_internal(store, master, "GET", "/_credmint/health") is None

    keys = KeySet.import_key_set(published)
    for alg in ("RS256", "ES384"):
        token, expires = web_identity_issuer.mint_token(
            state,
            master,
            subject=f"arn:aws:iam::{account}:user/u",
            audience=["a", "b"],
            algorithm=alg,
            now=NOW,
            duration=300,
            extra={"https://sts.amazonaws.com/": {"aws_account": account}},
        )
        claims = jwt.decode(token, keys, algorithms=[alg]).claims
        assert claims["aud"] == ["a", "b"] and claims["iss"] == state.issuer
        assert expires.timestamp() - NOW.timestamp() == 300

    # Disabling keeps the keys published (tokens issued before stay verifiable).
    state2, changed = web_identity_issuer.set_enabled(store, master, account, "https://x", False)
    assert changed and state2 is not None and not state2.enabled
    assert web_identity_issuer.handle_internal(store, master, "GET", f"/_credmint/oidc/{account}/jwks.json")[0] == 200  # type: ignore[index]
    state3, _ = web_identity_issuer.set_enabled(store, master, account, "https://x", True)
    assert state3 is not None and state3.issuer == state.issuer and state3.keys == state.keys


def test_private_keys_are_sealed_and_bound(env: tuple[Store, MasterKey, str]) -> None:
    store, master, account = env
    state, _ = web_identity_issuer.set_enabled(store, master, account, "https://sts.example.test", True)
    assert state is not None
    loaded = web_identity_issuer.load(store, account)
    assert loaded is not None
    raw = loaded.to_json()
    assert "PRIVATE KEY" not in raw
    with pytest.raises(UnsealError):
        loaded.private_key(MasterKey.generate(), "RS256")
    moved = web_identity_issuer.IssuerState("999999999999", True, loaded.issuer, loaded.keys)
    with pytest.raises(UnsealError):
        moved.private_key(master, "RS256")


def test_payload_limit(env: tuple[Store, MasterKey, str]) -> None:
    store, master, account = env
    state, _ = web_identity_issuer.set_enabled(store, master, account, "https://sts.example.test", True)
    assert state is not None
    with pytest.raises(web_identity_issuer.PayloadTooLarge):
        web_identity_issuer.mint_token(
            state,
            master,
            subject="s",
            audience=["a"],
            algorithm="RS256",
            now=NOW,
            duration=60,
            extra={"big": "x" * 10_000},
        )
