"""Scope-down policies in session claims: carried intact, and never silently dropped."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from credmint import errors, ids
from credmint.access import tokens
from credmint.access.tokens import IssuingCall, PrincipalKind, SessionClaims, TokenKeyring, open_token, seal_token
from credmint.ids import AccountId

ACCOUNT = AccountId("123456789012")
NOW = 1_700_000_000
SCOPE = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'


def claims(**overrides: object) -> SessionClaims:
    base = SessionClaims(
        kind=IssuingCall.ASSUME_ROLE,
        access_key_id=ids.new_access_key_id(ACCOUNT, temporary=True),
        secret_access_key=ids.new_secret_access_key(),
        account_id=ACCOUNT,
        principal_kind=PrincipalKind.ASSUMED_ROLE,
        principal_arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/r/s",
        principal_id="AROAEXAMPLEEXAMPLE:s",
        issued_at=NOW,
        expires_at=NOW + 3600,
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/r",
        session_name="s",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def payload(c: SessionClaims) -> dict[str, object]:
    decoded: dict[str, object] = json.loads(tokens._encode_claims(c))
    return decoded


def test_scopes_round_trip_in_version_2() -> None:
    ring = TokenKeyring.create(NOW)
    c = claims(scope_policies=(SCOPE, SCOPE))
    assert payload(c)["v"] == tokens.SCOPED_CLAIMS_VERSION
    opened = open_token(seal_token(c, ring), c.access_key_id, ring, NOW + 1)
    assert opened.scope_policies == (SCOPE, SCOPE)


def test_unscoped_tokens_stay_version_1() -> None:
    # Nodes that know only version 1 keep reading every token that has no scope.
    assert payload(claims())["v"] == tokens.CLAIMS_VERSION
    assert "sc" not in payload(claims())


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.update(v=1),  # scopes in a version-1 token: a version-1 reader would drop them
        lambda d: d.pop("sc"),  # version 2 without scopes
        lambda d: d.update(v=3),  # a version this node does not know
    ],
)
def test_scope_and_version_must_agree(monkeypatch: pytest.MonkeyPatch, tamper: object) -> None:
    ring = TokenKeyring.create(NOW)
    c = claims(scope_policies=(SCOPE,))
    encode = tokens._encode_claims

    def tampered(claims: SessionClaims) -> bytes:
        d = json.loads(encode(claims))
        tamper(d)  # type: ignore[operator]
        return json.dumps(d).encode()

    monkeypatch.setattr(tokens, "_encode_claims", tampered)
    token = seal_token(c, ring)
    with pytest.raises(errors.AwsError) as exc:
        open_token(token, c.access_key_id, ring, NOW + 1)
    assert exc.value.code == "InvalidClientTokenId"


def test_at_most_three_layers() -> None:
    with pytest.raises(ValueError):
        claims(scope_policies=(SCOPE,) * (tokens.MAX_SCOPE_POLICIES + 1))


def test_padding_is_carried_and_meaningless() -> None:
    ring = TokenKeyring.create(NOW)
    c = claims(padding="x" * 100)
    opened = open_token(seal_token(c, ring), c.access_key_id, ring, NOW + 1)
    assert replace(opened, padding=None) == replace(c, padding=None)
