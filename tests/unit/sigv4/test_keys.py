"""credmint.sigv4.keys: the signing key derivation (AWS's documented example), signing with a
key or a keyed HMAC alike, and the bounded key cache."""

from __future__ import annotations

import pytest

from credmint.sigv4 import SigningKeyCache, sign_hex, sign_hex_keyed, signing_key


def test_key_cache_is_bounded() -> None:
    cache = SigningKeyCache(maxsize=3)
    for i in range(10):
        cache.get(f"secret{i}", "20240217", "us-east-1", "sts")
    assert len(cache) == 3
    assert cache.get("s", "20240217", "us-east-1", "sts") == cache.get("s", "20240217", "us-east-1", "sts")


# AWS's "Examples of how to derive a signing key for Signature Version 4" (IAM User Guide).
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
AWS_KEY = "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"


def test_signing_key_of_the_documented_example() -> None:
    assert signing_key(AWS_SECRET, "20150830", "us-east-1", "iam").hex() == AWS_KEY


def test_every_scope_part_changes_the_key() -> None:
    base = signing_key("s", "20240217", "us-east-1", "sts")
    for other in (
        signing_key("t", "20240217", "us-east-1", "sts"),
        signing_key("s", "20240218", "us-east-1", "sts"),
        signing_key("s", "20240217", "us-east-2", "sts"),
        signing_key("s", "20240217", "us-east-1", "iam"),
    ):
        assert other != base and len(other) == 32


def test_a_keyed_hmac_signs_like_the_key_and_is_reusable() -> None:
    cache = SigningKeyCache(maxsize=2)
    key = cache.get("s", "20240217", "us-east-1", "sts")
    assert key == signing_key("s", "20240217", "us-east-1", "sts")
    keyed = cache.keyed("s", "20240217", "us-east-1", "sts")
    for text in ("AWS4-HMAC-SHA256\nfirst", "second, with unicode: é中", ""):
        assert sign_hex_keyed(keyed, text) == sign_hex(key, text)
    # Signing copies the keyed HMAC: the cached one is never updated.
    assert sign_hex_keyed(keyed, "again") == sign_hex(key, "again")


def test_cache_clear_and_size() -> None:
    cache = SigningKeyCache(maxsize=3)
    cache.get("a", "20240217", "us-east-1", "sts")
    cache.get("a", "20240217", "us-east-1", "sts")
    assert len(cache) == 1
    cache.clear()
    assert len(cache) == 0


@pytest.mark.parametrize("size", [0, -1])
def test_a_cache_holds_at_least_one_key(size: int) -> None:
    with pytest.raises(ValueError, match="maxsize"):
        SigningKeyCache(maxsize=size)
