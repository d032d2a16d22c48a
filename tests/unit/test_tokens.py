from __future__ import annotations

import base64
import json
import random
import re
import string
import zlib
from dataclasses import replace
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from credmint import ids
from credmint.access.tokens import (
    MAX_SESSION_SECONDS,
    MAX_TOKEN_CHARS,
    IssuingCall,
    PrincipalKind,
    SessionClaims,
    TokenKeyRecord,
    TokenKeyring,
    TokenTooLargeError,
    keyring_from_records,
    keyring_to_records,
    open_token,
    seal_token,
)
from credmint.errors import AwsError
from credmint.ids import AccountId
from credmint.sealing import MasterKey, UnsealError

ACCOUNT = AccountId("123456789012")
T0 = 1_717_243_200  # 2024-06-01T12:00:00Z


S3_ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "s3:GetObjectTagging",
    "s3:PutObjectAcl",
    "s3:GetBucketLocation",
    "s3:ListBucketVersions",
    "s3:AbortMultipartUpload",
]


def _policy_2kb() -> str:
    """A session policy of exactly 2048 characters (the documented plaintext limit), with
    random bucket names and prefixes so it compresses no better than a real one."""
    rng = random.Random(2048)

    def word(n: int) -> str:
        return "".join(rng.choice(string.ascii_lowercase + string.digits + "-") for _ in range(n))

    statements: list[dict[str, object]] = []
    while True:
        bucket = word(rng.randrange(8, 24))
        statements.append(
            {
                "Effect": rng.choice(["Allow", "Deny"]),
                "Action": rng.sample(S3_ACTIONS, rng.randrange(1, 4)),
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/{word(10)}/*"],
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": word(6)}},
            }
        )
        doc = json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))
        if len(doc) > 2048 - 20:
            statements.pop()
            break
    doc = json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))
    # Pad with a Sid on the first statement to land on exactly 2048 characters.
    statements[0] = {"Sid": "", **statements[0]}
    short = len(json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":")))
    statements[0]["Sid"] = word(2048 - short).replace("-", "x")
    doc = json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))
    assert len(doc) == 2048
    return doc


def role_claims(**overrides: object) -> SessionClaims:
    akid = ids.new_access_key_id(ACCOUNT, temporary=True)
    role_id = ids.new_unique_id("AROA")
    base: dict[str, object] = {
        "kind": IssuingCall.ASSUME_ROLE,
        "access_key_id": akid,
        "secret_access_key": ids.new_secret_access_key(),
        "account_id": ACCOUNT,
        "principal_kind": PrincipalKind.ASSUMED_ROLE,
        "principal_arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/ci-run-42",
        "principal_id": f"{role_id}:ci-run-42",
        "role_arn": f"arn:aws:iam::{ACCOUNT}:role/team/deploy",
        "assumed_by_arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "session_name": "ci-run-42",
        "issued_at": T0,
        "expires_at": T0 + 3600,
        "session_tags": (("team", "blue"), ("cost-center", "42")),
        "transitive_tag_keys": ("team",),
        "source_identity": "alice",
    }
    base.update(overrides)
    return SessionClaims(**base)  # type: ignore[arg-type]


@pytest.fixture
def keyring() -> TokenKeyring:
    return TokenKeyring.create(T0 - 86400)


def _code(exc: pytest.ExceptionInfo[AwsError]) -> str:
    return exc.value.code


# --- round trip -------------------------------------------------------------------------


def test_round_trip_role_session(keyring: TokenKeyring) -> None:
    claims = role_claims(session_policy=_policy_2kb(), policy_arns=(f"arn:aws:iam::{ACCOUNT}:policy/p",))
    token = seal_token(claims, keyring)
    assert re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", token)
    assert open_token(token, claims.access_key_id, keyring, T0 + 10) == claims


def test_round_trip_every_field(keyring: TokenKeyring) -> None:
    claims = SessionClaims(
        kind=IssuingCall.ASSUME_ROLE_WITH_SAML,
        access_key_id=ids.new_access_key_id(ACCOUNT, temporary=True),
        secret_access_key=ids.new_secret_access_key(),
        account_id=ACCOUNT,
        principal_kind=PrincipalKind.ASSUMED_ROLE,
        principal_arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/sso/jdoe@example.com",
        principal_id="AROAJQABLZS4A3QDU576Q:jdoe@example.com",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/sso",
        assumed_by_arn=f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta",
        session_name="jdoe@example.com",
        issued_at=T0,
        expires_at=T0 + 43200,
        mfa_authenticated=True,
        mfa_auth_time=T0 - 5,
        session_policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
        policy_arns=("arn:aws:iam::aws:policy/ReadOnlyAccess", f"arn:aws:iam::{ACCOUNT}:policy/x"),
        session_tags=(("Département", "Recherche & Dév"), ("empty", "")),
        transitive_tag_keys=("Département",),
        source_identity="jdoe",
        role_chained=True,
        federation=(
            ("subject", "jdoe"),
            ("issuer", "https://idp.example.com"),
            ("subject_type", "persistent"),
        ),
    )
    token = seal_token(claims, keyring)
    opened = open_token(token, claims.access_key_id, keyring, T0 + 1)
    assert opened == claims
    assert opened.federation_map == {
        "issuer": "https://idp.example.com",
        "subject": "jdoe",
        "subject_type": "persistent",
    }
    assert hash(opened) == hash(claims)


def test_round_trip_minimal_user_and_root(keyring: TokenKeyring) -> None:
    for kind, arn, pid in [
        (PrincipalKind.USER, f"arn:aws:iam::{ACCOUNT}:user/alice", "AIDAJQABLZS4A3QDU576Q"),
        (PrincipalKind.ROOT, f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT),
        (PrincipalKind.FEDERATED_USER, f"arn:aws:sts::{ACCOUNT}:federated-user/bob", f"{ACCOUNT}:bob"),
    ]:
        claims = SessionClaims(
            kind=IssuingCall.GET_SESSION_TOKEN,
            access_key_id=ids.new_access_key_id(ACCOUNT, temporary=True),
            secret_access_key=ids.new_secret_access_key(),
            account_id=ACCOUNT,
            principal_kind=kind,
            principal_arn=arn,
            principal_id=pid,
            issued_at=T0,
            expires_at=T0 + MAX_SESSION_SECONDS,
        )
        token = seal_token(claims, keyring)
        assert open_token(token, claims.access_key_id, keyring, T0) == claims


def test_tokens_differ_for_same_claims(keyring: TokenKeyring) -> None:
    claims = role_claims()
    assert seal_token(claims, keyring) != seal_token(claims, keyring)


def test_secret_not_visible_in_token(keyring: TokenKeyring) -> None:
    claims = role_claims()
    blob = base64.b64decode(seal_token(claims, keyring))
    assert claims.secret_access_key.encode() not in blob
    assert b"alice" not in blob and b"deploy" not in blob


# --- tampering --------------------------------------------------------------------------


def test_every_byte_mutation_refused(keyring: TokenKeyring) -> None:
    claims = role_claims()
    token = seal_token(claims, keyring)
    blob = base64.b64decode(token)
    for i in range(len(blob)):
        for delta in (0x01, 0x02, 0x10, 0x80, 0xFF):
            mutated = bytearray(blob)
            mutated[i] ^= delta
            with pytest.raises(AwsError) as exc:
                open_token(base64.b64encode(mutated).decode(), claims.access_key_id, keyring, T0)
            assert _code(exc) == "InvalidClientTokenId"


def test_every_character_mutation_refused(keyring: TokenKeyring) -> None:
    # At the text level too: including changes that only touch base64's unused padding bits.
    claims = role_claims()
    token = seal_token(claims, keyring)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n"
    for i in range(len(token)):
        for ch in alphabet:
            if ch == token[i]:
                continue
            mutated = token[:i] + ch + token[i + 1 :]
            with pytest.raises(AwsError) as exc:
                open_token(mutated, claims.access_key_id, keyring, T0)
            assert _code(exc) == "InvalidClientTokenId", (i, ch)


def test_truncation_and_extension_refused(keyring: TokenKeyring) -> None:
    claims = role_claims()
    token = seal_token(claims, keyring)
    for n in range(len(token)):
        with pytest.raises(AwsError) as exc:
            open_token(token[:n], claims.access_key_id, keyring, T0)
        assert _code(exc) == "InvalidClientTokenId"
    for extra in ("A", "AAAA", "====", token):
        with pytest.raises(AwsError):
            open_token(token + extra, claims.access_key_id, keyring, T0)


@pytest.mark.parametrize(
    "junk", ["", "x", "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ", "\u00e9" * 40]
)
def test_junk_refused(keyring: TokenKeyring, junk: str) -> None:
    with pytest.raises(AwsError) as exc:
        open_token(junk, ids.new_access_key_id(ACCOUNT, True), keyring, T0)
    assert _code(exc) == "InvalidClientTokenId"


def test_token_with_another_key_id_refused(keyring: TokenKeyring) -> None:
    a, b = role_claims(), role_claims()
    token_a = seal_token(a, keyring)
    for other in (b.access_key_id, ids.new_access_key_id("210987654321", True)):
        with pytest.raises(AwsError) as exc:
            open_token(token_a, other, keyring, T0)
        assert _code(exc) == "InvalidClientTokenId"
    # Even an expired token with the wrong key id is "invalid", not "expired".
    with pytest.raises(AwsError) as exc:
        open_token(token_a, b.access_key_id, keyring, T0 + 10**6)
    assert _code(exc) == "InvalidClientTokenId"
    # A long-term key id (AKIA with the same random part) never opens a session token.
    with pytest.raises(AwsError) as exc:
        open_token(token_a, "AKIA" + a.access_key_id[4:], keyring, T0)
    assert _code(exc) == "InvalidClientTokenId"


def test_other_keyring_refused(keyring: TokenKeyring) -> None:
    claims = role_claims()
    token = seal_token(claims, keyring)
    with pytest.raises(AwsError) as exc:
        open_token(token, claims.access_key_id, TokenKeyring.create(T0), T0)
    assert _code(exc) == "InvalidClientTokenId"


def test_error_shapes(keyring: TokenKeyring) -> None:
    claims = role_claims()
    with pytest.raises(AwsError) as exc:
        open_token("AAAA", claims.access_key_id, keyring, T0)
    assert (exc.value.status, exc.value.message) == (
        403,
        "The security token included in the request is invalid.",
    )
    with pytest.raises(AwsError) as exc:
        open_token(seal_token(claims, keyring), claims.access_key_id, keyring, claims.expires_at)
    assert (exc.value.code, exc.value.status) == ("ExpiredToken", 403)
    assert exc.value.message == "The security token included in the request is expired"


# --- expiry -----------------------------------------------------------------------------


def test_expiry_boundary(keyring: TokenKeyring) -> None:
    claims = role_claims(issued_at=T0, expires_at=T0 + 900)
    token = seal_token(claims, keyring)
    assert open_token(token, claims.access_key_id, keyring, T0 + 899) == claims
    for now in (T0 + 900, T0 + 901, T0 + 10**7):
        with pytest.raises(AwsError) as exc:
            open_token(token, claims.access_key_id, keyring, now)
        assert _code(exc) == "ExpiredToken"


# --- rotation ---------------------------------------------------------------------------


def test_rotation_old_key_opens_until_retire_after() -> None:
    ring = TokenKeyring.create(T0)
    old_claims = role_claims(issued_at=T0 + 100, expires_at=T0 + 100 + MAX_SESSION_SECONDS)
    old_token = seal_token(old_claims, ring)

    rotated_at = T0 + 200
    ring2 = ring.rotate(rotated_at)
    assert ring2.active_key_id != ring.active_key_id
    assert len(ring2.keys) == 2
    old_key = ring2.get(ring.active_key_id)
    assert old_key is not None and old_key.retire_after == rotated_at + MAX_SESSION_SECONDS
    assert ring2.active.retire_after is None

    # New tokens use the new key; the old token still opens.
    new_claims = role_claims(issued_at=rotated_at, expires_at=rotated_at + 3600)
    new_token = seal_token(new_claims, ring2)
    assert open_token(new_token, new_claims.access_key_id, ring2, rotated_at + 1) == new_claims
    with pytest.raises(AwsError):
        open_token(new_token, new_claims.access_key_id, ring, rotated_at + 1)  # old ring lacks the new key
    assert open_token(old_token, old_claims.access_key_id, ring2, old_claims.expires_at - 1) == old_claims

    # prune keeps the old key until retire_after …
    assert ring2.prune(rotated_at + MAX_SESSION_SECONDS - 1) == ring2
    # … at retire_after its tokens are expired (still authentic, so ExpiredToken) …
    with pytest.raises(AwsError) as exc:
        open_token(old_token, old_claims.access_key_id, ring2, rotated_at + MAX_SESSION_SECONDS)
    assert _code(exc) == "ExpiredToken"
    # … and once pruned they no longer open at all.
    pruned = ring2.prune(rotated_at + MAX_SESSION_SECONDS)
    assert [k.key_id for k in pruned.keys] == [ring2.active_key_id]
    with pytest.raises(AwsError) as exc:
        open_token(old_token, old_claims.access_key_id, pruned, rotated_at + MAX_SESSION_SECONDS)
    assert _code(exc) == "InvalidClientTokenId"


def test_retired_key_refuses_even_if_claims_say_otherwise() -> None:
    # Defence in depth: a key past retire_after opens nothing, whatever the claims say.
    ring = TokenKeyring.create(T0)
    claims = role_claims(issued_at=T0, expires_at=T0 + 3600)
    token = seal_token(claims, ring)
    retiring = ring.rotate(T0)
    old = retiring.get(ring.active_key_id)
    assert old is not None
    early = TokenKeyring(
        tuple(replace(k, retire_after=T0 + 10) if k.key_id == old.key_id else k for k in retiring.keys),
        retiring.active_key_id,
    )
    assert open_token(token, claims.access_key_id, early, T0 + 9) == claims
    with pytest.raises(AwsError) as exc:
        open_token(token, claims.access_key_id, early, T0 + 10)
    assert _code(exc) == "ExpiredToken"


def test_repeated_rotation_keeps_earliest_retire_dates() -> None:
    ring = TokenKeyring.create(T0)
    r1 = ring.rotate(T0 + 10)
    r2 = r1.rotate(T0 + 20)
    r3 = r2.rotate(T0 + 30)
    assert len({k.key_id for k in r3.keys}) == 4
    assert [k.retire_after for k in r3.keys] == [
        T0 + 10 + MAX_SESSION_SECONDS,
        T0 + 20 + MAX_SESSION_SECONDS,
        T0 + 30 + MAX_SESSION_SECONDS,
        None,
    ]
    assert [k.key_id for k in r3.prune(T0 + 25 + MAX_SESSION_SECONDS).keys] == [
        r2.active_key_id,
        r3.active_key_id,
    ]
    assert r3.needs_rotation(T0 + 30 + 86400, 86400)
    assert not r3.needs_rotation(T0 + 30 + 86399, 86400)


def test_keyring_invariants() -> None:
    ring = TokenKeyring.create(T0)
    key = ring.active
    with pytest.raises(ValueError):
        TokenKeyring((key, key), key.key_id)
    with pytest.raises(ValueError):
        TokenKeyring((key,), "missing")
    with pytest.raises(ValueError):
        TokenKeyring((replace(key, secret=b"short"),), key.key_id)
    with pytest.raises(ValueError):
        TokenKeyring((replace(key, retire_after=T0),), key.key_id)
    assert key.secret.hex() not in repr(ring)


# --- records under the master key -------------------------------------------------------


def test_records_round_trip() -> None:
    master = MasterKey.generate()
    ring = TokenKeyring.create(T0).rotate(T0 + 10).rotate(T0 + 20)
    records = keyring_to_records(ring, master)
    assert [r.active for r in records] == [False, False, True]
    for record, key in zip(records, ring.keys):
        assert key.secret not in record.sealed_key
        assert (record.key_id, record.created_at, record.retire_after) == (
            key.key_id,
            key.created_at,
            key.retire_after,
        )
    assert keyring_from_records(records, master) == ring
    # Tokens sealed before the store round trip still open after it.
    claims = role_claims()
    token = seal_token(claims, ring)
    assert open_token(token, claims.access_key_id, keyring_from_records(records, master), T0) == claims


def test_records_refuse_wrong_master_and_swapped_rows() -> None:
    master = MasterKey.generate()
    ring = TokenKeyring.create(T0).rotate(T0 + 10)
    records = keyring_to_records(ring, master)
    with pytest.raises(UnsealError):
        keyring_from_records(records, MasterKey.generate())
    a, b = records
    swapped = [replace(a, sealed_key=b.sealed_key), replace(b, sealed_key=a.sealed_key)]
    with pytest.raises(UnsealError):
        keyring_from_records(swapped, master)
    with pytest.raises(ValueError):
        keyring_from_records([replace(r, active=True) for r in records], master)
    with pytest.raises(ValueError):
        keyring_from_records([replace(r, active=False) for r in records], master)
    assert isinstance(records[0], TokenKeyRecord)


# --- claims validation and size ---------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"access_key_id": "AKIAIOSFODNN7EXAMPLE"},
        {"account_id": "12345"},
        {"expires_at": T0},
        {"expires_at": T0 + MAX_SESSION_SECONDS + 1},
        {"mfa_auth_time": T0},
        {"kind": "Bogus"},
        {"principal_kind": "alien"},
    ],
)
def test_claims_validation(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        role_claims(**overrides)


def test_claims_coerce_lists_to_tuples() -> None:
    claims = role_claims(
        policy_arns=["arn:aws:iam::aws:policy/A"],
        session_tags=[["k", "v"]],
        transitive_tag_keys=["k"],
        federation=[("b", "2"), ("a", "1")],
        kind="AssumeRole",
    )
    assert claims.policy_arns == ("arn:aws:iam::aws:policy/A",)
    assert claims.session_tags == (("k", "v"),)
    assert claims.transitive_tag_keys == ("k",)
    assert claims.federation == (("a", "1"), ("b", "2"))
    assert claims.kind is IssuingCall.ASSUME_ROLE
    hash(claims)


def test_token_size(keyring: TokenKeyring) -> None:
    policy = _policy_2kb()
    assert len(policy) == 2048
    plain = seal_token(role_claims(), keyring)
    with_policy = seal_token(
        role_claims(
            session_policy=policy,
            policy_arns=tuple(f"arn:aws:iam::{ACCOUNT}:policy/path/managed-policy-{i}" for i in range(10)),
        ),
        keyring,
    )
    print(f"token sizes: plain={len(plain)} with 2KB policy + 10 ARNs={len(with_policy)}")
    assert len(plain) < 700
    assert len(with_policy) < 2048  # well under AWS's "typically < 4096"


def _open_payload(blob: bytes, keyring: TokenKeyring, access_key_id: str) -> bytes:
    header_len = 2 + blob[1]
    nonce, sealed = blob[header_len : header_len + 12], blob[header_len + 12 :]
    return AESGCM(keyring.active.secret).decrypt(nonce, sealed, blob[:header_len] + access_key_id.encode())


@pytest.mark.parametrize(
    ("extra", "token_format"),
    [({}, 0x02), ({"session_policy": "x" * 600}, 0x01)],
    ids=["small-claims-plain", "large-claims-deflated"],
)
def test_payload_layout(keyring: TokenKeyring, extra: dict[str, Any], token_format: int) -> None:
    # White-box check of the documented layout: header, nonce, JSON claims as they are
    # up to 512 bytes, raw-deflated past that.
    claims = role_claims(**extra)
    blob = base64.b64decode(seal_token(claims, keyring))
    assert blob[0] == token_format
    assert blob[2 : 2 + blob[1]].decode() == keyring.active_key_id
    payload = _open_payload(blob, keyring, claims.access_key_id)
    data = json.loads(payload if token_format == 0x02 else zlib.decompress(payload, -15))
    assert data["v"] == 1 and data["s"] == claims.secret_access_key
    assert "access_key_id" not in data and claims.access_key_id not in json.dumps(data)


def test_deflated_small_claims_still_open(keyring: TokenKeyring) -> None:
    # Tokens sealed before small claims went uncompressed (format 0x01 throughout) keep
    # opening until they expire.
    claims = role_claims()
    blob = base64.b64decode(seal_token(claims, keyring))
    assert blob[0] == 0x02
    header = bytes((0x01,)) + blob[1 : 2 + blob[1]]
    nonce = bytes(12)
    raw = _open_payload(blob, keyring, claims.access_key_id)
    compressor = zlib.compressobj(6, zlib.DEFLATED, -12, 4)
    sealed = AESGCM(keyring.active.secret).encrypt(
        nonce, compressor.compress(raw) + compressor.flush(), header + claims.access_key_id.encode()
    )
    token = base64.b64encode(header + nonce + sealed).decode()
    assert open_token(token, claims.access_key_id, keyring, T0) == claims


@pytest.mark.parametrize("extra", [{}, {"session_policy": "x" * 600}], ids=["plain", "deflated"])
def test_format_byte_cannot_be_switched(keyring: TokenKeyring, extra: dict[str, Any]) -> None:
    # The format byte is authenticated: a plain token relabelled deflated (or the reverse)
    # is refused as forged, not inflated or read as JSON.
    claims = role_claims(**extra)
    blob = bytearray(base64.b64decode(seal_token(claims, keyring)))
    blob[0] ^= 0x03
    with pytest.raises(AwsError) as exc:
        open_token(base64.b64encode(blob).decode(), claims.access_key_id, keyring, T0)
    assert _code(exc) == "InvalidClientTokenId"


def test_realistic_tags_fit_and_oversized_claims_are_refused(keyring: TokenKeyring) -> None:
    rng = random.Random(50)

    def word(n: int) -> str:
        return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))

    tagged = role_claims(
        session_policy=_policy_2kb(), session_tags=tuple((word(20), word(40)) for _ in range(50))
    )
    token = seal_token(tagged, keyring)
    print(f"token size with 2KB policy + 50 tags (20/40 chars): {len(token)}")
    assert len(token) < 6000
    assert open_token(token, tagged.access_key_id, keyring, T0) == tagged
    # 50 maximal random tags cannot be packed (AWS: PackedPolicyTooLarge); sealing refuses.
    huge = role_claims(session_tags=tuple((word(128), word(256)) for _ in range(50)))
    with pytest.raises(TokenTooLargeError):
        seal_token(huge, keyring)
    with pytest.raises(AwsError) as exc:
        open_token("A" * (MAX_TOKEN_CHARS + 4), huge.access_key_id, keyring, T0)
    assert _code(exc) == "InvalidClientTokenId"


@pytest.mark.parametrize(
    "given",
    [
        {"kind": "AssumeRole", "principal_kind": "assumed-role"},
        {"policy_arns": [], "session_tags": [], "transitive_tag_keys": [], "federation": [], "scope_policies": []},
        {"policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"], "session_tags": [["team", "blue"]]},
        {"federation": [("subject", "jdoe"), ("aud", "x")], "scope_policies": ['{"Version":"2012-10-17"}']},
        {"session_tags": [], "federation": []},
    ],
    ids=["strings", "empty-lists", "lists", "unsorted-federation", "only-empty"],
)
def test_claims_are_coerced_to_their_hashable_forms(given: dict[str, object]) -> None:
    """Claims given lists and strings are stored as enums, tuples and sorted pairs, whichever
    of them the caller passed already in that form (the common case skips the rebuilding)."""
    claims = role_claims(**given)
    assert type(claims.kind) is IssuingCall and type(claims.principal_kind) is PrincipalKind
    for name in ("policy_arns", "session_tags", "transitive_tag_keys", "federation", "scope_policies"):
        assert type(getattr(claims, name)) is tuple, name
    assert all(type(pair) is tuple for pair in claims.session_tags)
    assert list(claims.federation) == sorted(claims.federation)
    hash(claims)


# --- the claims' bytes --------------------------------------------------------------------


def _reference_claims_json(c: SessionClaims) -> bytes:
    """The claims as the format defines them: every member, ``None`` ones dropped, in this order."""
    d: dict[str, Any] = {
        "v": 2 if c.scope_policies else 1,
        "k": c.kind.value,
        "s": c.secret_access_key,
        "a": c.account_id,
        "pk": c.principal_kind.value,
        "pa": c.principal_arn,
        "pi": c.principal_id,
        "ia": c.issued_at,
        "d": c.expires_at - c.issued_at,
    }
    optional: dict[str, Any] = {
        "ra": c.role_arn,
        "ab": c.assumed_by_arn,
        "sn": c.session_name,
        "m": 1 if c.mfa_authenticated else None,
        "mt": c.mfa_auth_time,
        "p": c.session_policy,
        "pr": list(c.policy_arns) or None,
        "t": [list(kv) for kv in c.session_tags] or None,
        "tt": list(c.transitive_tag_keys) or None,
        "si": c.source_identity,
        "rc": 1 if c.role_chained else None,
        "f": dict(c.federation) or None,
        "sc": list(c.scope_policies) or None,
        "z": c.padding,
    }
    d.update((k, v) for k, v in optional.items() if v is not None)
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"session_policy": None, "session_tags": (), "transitive_tag_keys": (), "source_identity": None},
        {"mfa_authenticated": True, "mfa_auth_time": T0 - 3, "role_chained": True},
        {"federation": (("subject", "jdoe"), ("issuer", "https://idp.example.com/ü"))},
        {
            "session_tags": (("Département", "Recherche & Dév"), ("empty", "")),
            "policy_arns": ("arn:aws:iam::aws:policy/x",),
        },
        {"scope_policies": ('{"Version":"2012-10-17"}',), "padding": "xyz"},
        {"role_arn": None, "assumed_by_arn": None, "session_name": None, "principal_kind": PrincipalKind.USER},
    ],
)
def test_claims_bytes_are_the_formats(overrides: dict[str, object]) -> None:
    # Tokens sealed by earlier releases open as before, and theirs by this one: the
    # claims' JSON stays byte for byte what the format defines.
    from credmint.access import tokens

    claims = role_claims(**overrides)
    assert tokens._encode_claims(claims) == _reference_claims_json(claims)


def test_seal_with_a_given_nonce(keyring: TokenKeyring) -> None:
    claims = role_claims()
    nonce = bytes(range(12))
    token = seal_token(claims, keyring, nonce)
    blob = base64.b64decode(token)
    header_end = 2 + blob[1]
    assert blob[header_end : header_end + 12] == nonce
    assert open_token(token, claims.access_key_id, keyring, T0 + 1) == claims
    with pytest.raises(ValueError, match="12 bytes"):
        seal_token(claims, keyring, b"short")
