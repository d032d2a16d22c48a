from __future__ import annotations

import base64
import random
import re

import pytest

from credmint import ids


def test_known_vector_from_real_aws_key() -> None:
    # A real AWS temporary key id (public research, reference §5).
    assert ids.account_from_access_key_id("ASIAY34FZKBOKMUTVV7A") == "609629065308"


@pytest.mark.parametrize("temporary,prefix", [(False, "AKIA"), (True, "ASIA")])
def test_access_key_id_format(temporary: bool, prefix: str) -> None:
    for _ in range(200):
        key_id = ids.new_access_key_id("123456789012", temporary)
        assert len(key_id) == 20
        assert re.fullmatch(prefix + r"[A-Z2-7]{16}", key_id)
        # New-generation ids have their 5th character in Q-Z or 2-7 (top bit set).
        assert key_id[4] in "QRSTUVWXYZ234567"
        assert ids.is_access_key_id(key_id)
        assert ids.is_temporary_access_key_id(key_id) is temporary
        assert ids.is_long_term_access_key_id(key_id) is not temporary


def test_account_round_trip_many_accounts() -> None:
    rng = random.Random(20240601)
    accounts = ["000000000000", "000000000001", "999999999999", "100000000000", "609629065308"]
    accounts += [f"{rng.randrange(10**12):012d}" for _ in range(2000)]
    for account in accounts:
        for temporary in (False, True):
            assert ids.account_from_access_key_id(ids.new_access_key_id(account, temporary)) == account


def test_reference_decoder_agrees() -> None:
    # The decoder printed in the reference, independently of ours.
    for _ in range(200):
        account = ids.new_account_id()
        key_id = ids.new_access_key_id(account, temporary=True)
        raw = int.from_bytes(base64.b32decode(key_id[4:])[:6], "big")
        assert f"{(raw & 0x7FFFFFFFFF80) >> 7:012d}" == account


def test_key_ids_are_random() -> None:
    assert len({ids.new_access_key_id("123456789012", False) for _ in range(1000)}) == 1000


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "AKIA",
        "AKIAIOSFODNN7EXAMPL",  # 19 chars
        "AKIAIOSFODNN7EXAMPLEX",  # 21 chars
        "AKIAIOSFODNN7EXAMPL0",  # 0 is not base32
        "akiaiosfodnn7example",
        "AIDAIOSFODNN7EXAMPLE",  # not a key prefix
        "AKIAIOSFODNN7EXAMPLE",  # old generation: top bit clear, no account inside
    ],
)
def test_account_from_bad_key_ids(bad: str) -> None:
    assert ids.account_from_access_key_id(bad) is None


@pytest.mark.parametrize(
    "bad", ["", "12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"]
)
def test_new_access_key_id_refuses_bad_accounts(bad: str) -> None:
    with pytest.raises(ValueError):
        ids.new_access_key_id(bad, temporary=False)


def test_secret_access_key() -> None:
    secrets_ = {ids.new_secret_access_key() for _ in range(500)}
    assert len(secrets_) == 500
    for s in secrets_:
        assert re.fullmatch(r"[A-Za-z0-9+/]{40}", s)
        assert ids.is_secret_access_key(s)
    # The whole alphabet shows up (it is base64 of random bytes, not a subset).
    assert set("".join(secrets_)) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    assert ids.is_secret_access_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert not ids.is_secret_access_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE=")


@pytest.mark.parametrize("prefix", ["AIDA", "AROA", "AGPA", "ANPA", "ANVA", "AIPA", "ASCA"])
def test_unique_ids(prefix: str) -> None:
    values = {ids.new_unique_id(prefix) for _ in range(300)}
    assert len(values) == 300
    for v in values:
        assert len(v) == 21
        assert re.fullmatch(prefix + r"[A-Z2-7]{17}", v)
        assert ids.is_unique_id(v)
        assert ids.is_unique_id(v, prefix)
    assert set("".join(v[4:] for v in values)) == set(ids.BASE32_ALPHABET)
    assert ids.is_unique_id("AIDAJQABLZS4A3QDU576Q", "AIDA")
    assert not ids.is_unique_id("AIDAJQABLZS4A3QDU576Q", "AROA")
    assert not ids.is_unique_id("AIDAJQABLZS4A3QDU5760")


@pytest.mark.parametrize("bad", ["", "AID", "AIDAA", "aida", "AID1"])
def test_unique_id_bad_prefix(bad: str) -> None:
    with pytest.raises(ValueError):
        ids.new_unique_id(bad)


def test_account_ids() -> None:
    values = [ids.new_account_id() for _ in range(2000)]
    for v in values:
        assert re.fullmatch(r"[1-9][0-9]{11}", v)
        assert ids.is_account_id(v)
    assert len(set(values)) == 2000
    assert {v[0] for v in values} == set("123456789")
    assert ids.is_account_id("012345678901")
    for bad in ["", "12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"]:
        assert not ids.is_account_id(bad)


@pytest.mark.parametrize(
    "bits",
    [0, 1, 31, 32, 1023, 1024, (1 << 80) - 1, 1 << 79, (1 << 79) - 1, 0x0123456789ABCDEF0123, 0xFEDCBA9876543210FEDC]
    + [random.Random(seed).getrandbits(80) for seed in range(50)],
)
def test_b32_80_is_b32encode_of_the_ten_bytes(bits: int) -> None:
    assert ids.b32_80(bits) == base64.b32encode(bits.to_bytes(10, "big")).decode("ascii")


@pytest.mark.parametrize("bits", [-1, 1 << 80, 1 << 100])
def test_b32_80_refuses_what_is_not_80_bits(bits: int) -> None:
    with pytest.raises(ValueError):
        ids.b32_80(bits)


def test_new_temporary_key() -> None:
    seen: set[str] = set()
    for account in ("123456789012", "000000000001", "999999999999"):
        for extra in (0, 12):
            key_id, secret, more = ids.new_temporary_key(account, extra)
            assert ids.is_temporary_access_key_id(key_id)
            assert ids.account_from_access_key_id(key_id) == account
            assert ids.is_secret_access_key(secret)
            assert len(more) == extra
            seen.add(key_id)
    assert len(seen) == 6
    # Every one of the key id's 39 random bits is drawn.
    low = 0
    high = (1 << 39) - 1
    for _ in range(200):
        key_id, _, _ = ids.new_temporary_key("123456789012")
        bits = int.from_bytes(base64.b32decode(key_id[4:]), "big") & ((1 << 39) - 1)
        low |= bits
        high &= bits
    assert low == (1 << 39) - 1 and high == 0
    with pytest.raises(ValueError):
        ids.new_temporary_key("12345")


@pytest.mark.parametrize("account", ["000000000000", "000000000001", "123456789012", "999999999999"])
def test_key_id_is_the_base32_of_its_80_bits(account: str) -> None:
    rng = random.Random(account)
    for random_bits in (0, 1, (1 << 39) - 1, *(rng.getrandbits(39) for _ in range(50))):
        bits = (1 << 79) | (int(account) << 39) | random_bits
        for temporary, prefix in ((True, "ASIA"), (False, "AKIA")):
            assert ids._key_id(account, temporary, random_bits) == prefix + ids.b32_80(bits)
