"""Session tokens on the wire: tampering, key binding, expiry, key rotation (end to end)."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from credmint import ids
from credmint.access import keystore
from credmint.access.tokens import IssuingCall, PrincipalKind, SessionClaims, TokenKeyring, seal_token
from credmint.ids import AccountId
from credmint.sealing import MasterKey
from credmint.store.db import Store
from tests.conftest import Server
from tests.sts.helpers import Creds, error_of, make_user, sts_as

INVALID = ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
EXPIRED = ("ExpiredToken", "The security token included in the request is expired", 403)


def session(server: Server) -> Creds:
    return Creds.of(server.client("sts").get_session_token(DurationSeconds=900))


def refused(server: Server, creds: Creds) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        sts_as(server, creds).get_caller_identity()
    return error_of(exc)


def flip(token: str, index: int) -> str:
    raw = bytearray(base64.b64decode(token))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def test_valid_token_works(server: Server) -> None:
    creds = session(server)
    assert sts_as(server, creds).get_caller_identity()["Account"] == server.account_id


@pytest.mark.parametrize("where", ["header", "nonce", "ciphertext", "tag"])
def test_any_changed_byte_is_invalid(server: Server, where: str) -> None:
    creds = session(server)
    size = len(base64.b64decode(creds.session_token or ""))
    index = {"header": 2, "nonce": 12, "ciphertext": size // 2, "tag": size - 1}[where]
    tampered = Creds(creds.access_key_id, creds.secret_access_key, flip(creds.session_token or "", index))
    assert refused(server, tampered) == INVALID


def test_truncated_extended_and_garbage_tokens_are_invalid(server: Server) -> None:
    creds = session(server)
    token = creds.session_token or ""
    for bad in (token[:-4], token + "AAAA", "x" * 200, token.replace("+", "-").replace("/", "_") + "!"):
        assert refused(server, Creds(creds.access_key_id, creds.secret_access_key, bad)) == INVALID


def test_token_is_bound_to_its_key_id(server: Server) -> None:
    a, b = session(server), session(server)
    # b's key id and secret with a's token: the token names another key id.
    assert refused(server, Creds(b.access_key_id, b.secret_access_key, a.session_token)) == INVALID
    # a's token with a forged key id of the same account.
    forged = ids.new_access_key_id(server.account_id, temporary=True)
    assert refused(server, Creds(forged, a.secret_access_key, a.session_token)) == INVALID


def test_temporary_key_without_token_is_invalid(server: Server) -> None:
    a = session(server)
    assert refused(server, Creds(a.access_key_id, a.secret_access_key, None)) == INVALID


def test_wrong_secret_is_a_signature_mismatch(server: Server) -> None:
    a = session(server)
    code, _, status = refused(server, Creds(a.access_key_id, "A" * 40, a.session_token))
    assert (code, status) == ("SignatureDoesNotMatch", 403)


def _claims(server: Server, issued: int, duration: int) -> SessionClaims:
    return SessionClaims(
        kind=IssuingCall.GET_SESSION_TOKEN,
        access_key_id=ids.new_access_key_id(server.account_id, temporary=True),
        secret_access_key=ids.new_secret_access_key(),
        account_id=AccountId(server.account_id),
        principal_kind=PrincipalKind.ROOT,
        principal_arn=f"arn:aws:iam::{server.account_id}:root",
        principal_id=server.account_id,
        issued_at=issued,
        expires_at=issued + duration,
    )


def _use(server: Server, claims: SessionClaims, token: str) -> tuple[str, str, int] | None:
    creds = Creds(claims.access_key_id, claims.secret_access_key, token)
    try:
        sts_as(server, creds).get_caller_identity()
    except ClientError as exc:
        err = exc.response["Error"]
        return err["Code"], err["Message"], exc.response["ResponseMetadata"]["HTTPStatusCode"]
    return None


def test_expired_token(server: Server, server_store: tuple[Store, MasterKey]) -> None:
    store, master = server_store
    keyring = keystore.ensure(store, master, datetime.now(UTC))
    now = int(time.time())
    expired = _claims(server, now - 1000, 900)
    assert _use(server, expired, seal_token(expired, keyring)) == EXPIRED
    # Expiration is exclusive: a token is over at issue time + duration.
    edge = _claims(server, now - 900, 900)
    assert _use(server, edge, seal_token(edge, keyring)) == EXPIRED
    live = _claims(server, now - 890, 900)
    assert _use(server, live, seal_token(live, keyring)) is None


def test_expired_but_forged_is_invalid_not_expired(server: Server, server_store: tuple[Store, MasterKey]) -> None:
    # Authenticity is checked before expiry: a forged expired token says nothing about expiry.
    store, master = server_store
    keyring = keystore.ensure(store, master, datetime.now(UTC))
    expired = _claims(server, int(time.time()) - 5000, 900)
    token = seal_token(expired, keyring)
    assert _use(server, expired, flip(token, len(base64.b64decode(token)) - 3)) == INVALID


def test_token_sealed_by_an_unknown_key_is_invalid(server: Server) -> None:
    claims = _claims(server, int(time.time()), 900)
    assert _use(server, claims, seal_token(claims, TokenKeyring.create(int(time.time())))) == INVALID


def test_get_session_token_without_mfa_cannot_call_iam(server: Server) -> None:
    user = make_user(server)
    creds = Creds.of(sts_as(server, user.creds).get_session_token())
    with pytest.raises(ClientError) as exc:
        server.client("iam", **creds.kwargs()).get_user()
    # IAM's variant of the message has no final period (§2.5).
    assert error_of(exc) == ("InvalidClientTokenId", "The security token included in the request is invalid", 403)


def test_keys_rotate_command_keeps_old_tokens_valid(server: Server, server_store: tuple[Store, MasterKey]) -> None:
    store, master = server_store
    before = session(server)
    old_key = keystore.token_key_id(before.session_token or "")
    out = subprocess.run(
        [sys.executable, "-m", "credmint.cli.main", "keys", "rotate", "--data-dir", str(server.data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    assert f"retiring token key {old_key}" in out.stdout
    keyring = keystore.load(store, master)
    assert keyring is not None and keyring.active_key_id != old_key
    retired = keyring.get(old_key or "")
    assert retired is not None and retired.retire_after is not None
    assert retired.retire_after >= int(time.time()) + 129_600 - 60
    # The server notices the change (SQLite data_version) and seals with the new key.
    deadline = time.monotonic() + 5
    while True:
        after = session(server)
        if keystore.token_key_id(after.session_token or "") == keyring.active_key_id:
            break
        assert time.monotonic() < deadline, "the server kept sealing with the retired key"
        time.sleep(0.1)
    assert sts_as(server, before).get_caller_identity()["Account"] == server.account_id
    assert sts_as(server, after).get_caller_identity()["Account"] == server.account_id
