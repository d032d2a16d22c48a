from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from credmint.sealing import (
    MASTER_KEY_FILENAME,
    MasterKey,
    MasterKeyError,
    UnsealError,
    load_or_create_master_key,
)


def test_round_trip() -> None:
    key = MasterKey.generate()
    for plaintext in [b"", b"x", b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", os.urandom(1000)]:
        blob = key.seal(plaintext, b"row:1")
        assert key.open(blob, b"row:1") == plaintext
        # A one-byte plaintext may appear in random ciphertext by chance; longer ones may not.
        assert len(plaintext) < 16 or plaintext not in blob


def test_nonce_is_fresh() -> None:
    key = MasterKey.generate()
    assert key.seal(b"same", b"") != key.seal(b"same", b"")


def test_every_byte_mutation_refused() -> None:
    key = MasterKey.generate()
    blob = key.seal(b"a secret access key", b"aad")
    for i in range(len(blob)):
        for delta in (1, 0x80, 0xFF):
            mutated = bytearray(blob)
            mutated[i] ^= delta
            with pytest.raises(UnsealError):
                key.open(bytes(mutated), b"aad")
    for n in range(len(blob)):
        with pytest.raises(UnsealError):
            key.open(blob[:n], b"aad")
    with pytest.raises(UnsealError):
        key.open(blob + b"\x00", b"aad")


def test_wrong_aad_or_key_refused() -> None:
    key = MasterKey.generate()
    blob = key.seal(b"payload", b"row:1")
    with pytest.raises(UnsealError):
        key.open(blob, b"row:2")
    with pytest.raises(UnsealError):
        MasterKey.generate().open(blob, b"row:1")


def test_text_round_trip_and_formats() -> None:
    raw = bytes(range(32))
    key = MasterKey(raw)
    text = key.to_text()
    assert text == base64.b64encode(raw).decode()
    assert len(text) == 44
    assert MasterKey.from_text(text) == key
    assert MasterKey.from_text(f"  {text}\n") == key
    assert MasterKey.from_text(text.rstrip("=")) == key
    assert MasterKey.from_text(base64.urlsafe_b64encode(raw).decode()) == key
    # Usable with a key made by `openssl rand -base64 32`
    assert MasterKey.from_text(base64.b64encode(os.urandom(32)).decode()) != key


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "not base64 at all!",
        base64.b64encode(b"x" * 31).decode(),
        base64.b64encode(b"x" * 33).decode(),
    ],
)
def test_from_text_refuses(bad: str) -> None:
    with pytest.raises(MasterKeyError):
        MasterKey.from_text(bad)


def test_repr_hides_key() -> None:
    key = MasterKey.generate()
    assert key.to_text() not in repr(key)
    assert key.fingerprint in repr(key)
    assert len(key.fingerprint) == 16


def test_env_value_wins(tmp_path: Path) -> None:
    key = MasterKey.generate()
    assert load_or_create_master_key(tmp_path, key.to_text()) == key
    assert not (tmp_path / MASTER_KEY_FILENAME).exists()


def test_env_value_invalid_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError):
        load_or_create_master_key(tmp_path, "short")


def test_creates_file_0600_then_reuses_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data" / "nested"
    key = load_or_create_master_key(data_dir, None)
    path = data_dir / MASTER_KEY_FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert MasterKey.from_text(path.read_text()) == key
    assert load_or_create_master_key(data_dir, None) == key
    assert load_or_create_master_key(data_dir, "") == key  # empty env counts as unset
    # No temporary files left behind.
    assert sorted(p.name for p in data_dir.iterdir()) == [MASTER_KEY_FILENAME]


def test_existing_file_is_read(tmp_path: Path) -> None:
    key = MasterKey.generate()
    (tmp_path / MASTER_KEY_FILENAME).write_text(key.to_text() + "\n")
    assert load_or_create_master_key(tmp_path, None) == key


def test_corrupt_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / MASTER_KEY_FILENAME).write_text("garbage")
    with pytest.raises(MasterKeyError):
        load_or_create_master_key(tmp_path, None)


def test_lost_race_uses_the_winners_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    winner = MasterKey.generate()
    real_link = os.link

    def link_after_other_process(src: str, dst: str) -> None:
        # Another process creates the file between our existence check and our link.
        Path(dst).write_text(winner.to_text())
        real_link(src, dst)

    monkeypatch.setattr(os, "link", link_after_other_process)
    assert load_or_create_master_key(tmp_path, None) == winner
    assert sorted(p.name for p in tmp_path.iterdir()) == [MASTER_KEY_FILENAME]
