"""The master key: AES-256-GCM sealing of secrets at rest.

Long-term secret access keys, token keys and MFA seeds are stored sealed under one
master key (``DESIGN.md``: "Long-term secrets are encrypted at rest"). The key comes from
``CREDMINT_MASTER_KEY`` or from ``<data dir>/master.key``, generated on first start.

Text format of a master key (the env variable and the file hold the same text): the
**standard base64 of exactly 32 random bytes** (44 characters, ending in ``=``), e.g. as
produced by ``python -c "import base64,os;print(base64.b64encode(os.urandom(32)).decode())"``
or ``openssl rand -base64 32``. URL-safe base64 and missing padding are accepted too;
surrounding whitespace (the file's trailing newline) is ignored. Anything that does not
decode to exactly 32 bytes is refused rather than stretched: a short or mistyped key
should stop the server, not silently become a weak one.

Sealed blob layout: ``version (1 byte, 0x01) || nonce (12 bytes) || ciphertext || tag (16)``.
The version byte is authenticated as part of the associated data.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MASTER_KEY_ENV = "CREDMINT_MASTER_KEY"
MASTER_KEY_FILENAME = "master.key"

_KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_VERSION = b"\x01"


class MasterKeyError(ValueError):
    """The master key text is not a base64 32-byte key."""


class UnsealError(Exception):
    """A sealed blob failed to open: wrong key, wrong associated data, or tampered bytes.

    Deliberately carries no detail: which of those it was is not something to tell anyone.
    """


class MasterKey:
    """A 32-byte AES-256-GCM key. Its ``repr`` never shows the key."""

    __slots__ = ("_aead", "_derived", "_key")

    def __init__(self, key: bytes) -> None:
        if len(key) != _KEY_BYTES:
            raise MasterKeyError(f"a master key is exactly {_KEY_BYTES} bytes")
        self._key = bytes(key)
        self._aead = AESGCM(self._key)
        self._derived: dict[bytes, bytes] = {}

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(secrets.token_bytes(_KEY_BYTES))

    @classmethod
    def from_text(cls, text: str) -> MasterKey:
        """Parse the text form (see the module docstring)."""
        cleaned = "".join(text.split())
        if not cleaned:
            raise MasterKeyError("the master key is empty")
        # Accept URL-safe base64 as well: people paste keys from various generators.
        cleaned = cleaned.replace("-", "+").replace("_", "/")
        cleaned += "=" * (-len(cleaned) % 4)
        try:
            raw = base64.b64decode(cleaned, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MasterKeyError("the master key is not valid base64") from exc
        if len(raw) != _KEY_BYTES:
            raise MasterKeyError(f"the master key must decode to {_KEY_BYTES} bytes, got {len(raw)}")
        return cls(raw)

    def to_text(self) -> str:
        """Standard base64, 44 characters: what ``from_text`` reads back."""
        return base64.b64encode(self._key).decode("ascii")

    @property
    def fingerprint(self) -> str:
        """A short non-secret id of the key (16 hex chars), to detect a store sealed under
        another master key with a clear message instead of a wall of unseal failures."""
        return hashlib.sha256(b"credmint master key fingerprint\x00" + self._key).hexdigest()[:16]

    def derive(self, label: bytes) -> bytes:
        """A 32-byte key for one purpose (HKDF-SHA256, ``label`` as info): other keys
        come from the master key without ever exposing it."""
        found = self._derived.get(label)
        if found is None:
            found = HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None, info=label).derive(self._key)
            self._derived[label] = found
        return found

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt and authenticate ``plaintext``, bound to ``aad`` (e.g. the row's id, so a
        sealed value copied onto another row does not open)."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, _VERSION + aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        """Decrypt ``blob``; :class:`UnsealError` if anything about it is wrong."""
        if len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES or blob[:1] != _VERSION:
            raise UnsealError("sealed data is malformed")
        nonce = blob[1 : 1 + _NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[1 + _NONCE_BYTES :], _VERSION + aad)
        except InvalidTag:
            raise UnsealError("sealed data failed authentication") from None

    def __repr__(self) -> str:
        return f"MasterKey(fingerprint={self.fingerprint})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MasterKey):
            return NotImplemented
        return secrets.compare_digest(self._key, other._key)

    def __hash__(self) -> int:
        return hash(self.fingerprint)


def load_or_create_master_key(data_dir: Path, env_value: str | None) -> MasterKey:
    """The master key: ``env_value`` (``CREDMINT_MASTER_KEY``) if set, else ``<data_dir>/master.key``.

    A missing file is created with a fresh key, mode 0600, atomically: the key is written
    to a private temporary file, fsynced, then linked into place. ``os.link`` refuses to
    replace an existing file, so two processes starting at once on the same data dir end
    up with the same key (the loser reads the winner's). Where hard links are not
    supported we fall back to ``os.replace``. An empty env value counts as unset, as
    container tooling often defines variables empty.

    This is the only function of ``sealing`` that touches the file system.
    """
    if env_value is not None and env_value.strip():
        return MasterKey.from_text(env_value)

    path = data_dir / MASTER_KEY_FILENAME
    if path.exists():
        return MasterKey.from_text(path.read_text(encoding="ascii"))

    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = MasterKey.generate()
    tmp = data_dir / f".{MASTER_KEY_FILENAME}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)  # the umask can only narrow 0600, but be explicit
            os.write(fd, (key.to_text() + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            # Another process won the race: use its key, not ours.
            return MasterKey.from_text(path.read_text(encoding="ascii"))
        except OSError:
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(data_dir)
    return key


def _fsync_dir(directory: Path) -> None:
    # Make the new directory entry durable; not every platform can open a directory.
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
