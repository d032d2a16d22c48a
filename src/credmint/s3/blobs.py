"""Object data on disk: immutable files under ``<data_dir>/objects/``, named by random ids.

A blob is written to ``objects/tmp/``, flushed with ``fsync`` and only then renamed into
``objects/<xx>/<name>`` (and the directory fsynced), so a file that a metadata row names is
always complete: a crash leaves at most an orphan in ``tmp/``, never a partial object.

A *sealed* blob (its name ends in ``.s1``) holds the object encrypted at rest in the
format of ``segments.py``; a blob named without it was written before objects were
encrypted and holds the plaintext. The name says it so that parts and objects stored by
an older version stay readable and nothing else needs to record it.

Blobs are never modified. Overwriting an object writes a new blob, points the row at it in
the same transaction, and unlinks the old file after the commit; a reader that opened the
old file keeps reading it (POSIX unlink semantics), and one that raced the unlink retries
its metadata lookup (see :class:`BlobGone`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from credmint.s3 import segments

_COPY_CHUNK = 1024 * 1024
#: Suffix of the names of sealed blobs.
SEALED = ".s1"


def is_sealed(name: str) -> bool:
    return name.endswith(SEALED)


class BlobGone(Exception):
    """The blob a row named was unlinked in between (a concurrent overwrite or delete)."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        # Two hex characters of fan-out keep directories small at millions of objects.
        return self.root / name[:2] / name

    def _commit(self, tmp_path: Path) -> str:
        # Every blob written now is sealed; plaintext ones come only from older versions.
        name = secrets.token_hex(16) + SEALED
        final = self.path(name)
        final.parent.mkdir(exist_ok=True)
        os.replace(tmp_path, final)
        _fsync_dir(final.parent)
        return name

    def writer(self) -> BlobWriter:
        """A new sealed blob, written piece by piece (see :class:`BlobWriter`)."""
        return BlobWriter(self)

    def open(self, name: str, sizes: list[int], key: bytes | None, start: int, length: int) -> BlobReader:
        """A reader of plaintext bytes ``[start, start + length)`` of blob ``name``, whose
        segments hold ``sizes`` plaintext bytes (sealed blobs only) under base ``key``.
        Opened now: BlobGone here, not later, if the blob was unlinked."""
        try:
            f = self.path(name).open("rb")
        except FileNotFoundError:
            raise BlobGone(name) from None
        return BlobReader(f, sizes if is_sealed(name) else None, key, start, length)

    def delete(self, names: Iterable[str | None]) -> None:
        """Unlink blobs whose rows are gone; called after the commit that dropped them."""
        for name in names:
            if name:
                with contextlib.suppress(FileNotFoundError):
                    self.path(name).unlink()


class BlobWriter:
    """A sealed blob written as its plaintext arrives: segments of ``segments.py``, each
    begun with :meth:`begin` under a base key, or copied whole from another sealed blob
    with :meth:`copy_sealed`. Memory: one chunk per segment plus what one call passes.

    Nothing is visible until :meth:`commit` (fsync, rename); :meth:`discard` removes the
    temporary file, and must be called on every path that does not commit."""

    def __init__(self, store: BlobStore) -> None:
        self._store = store
        fd, tmp_name = _mkstemp(store.tmp)
        self.path = Path(tmp_name)
        self._file: BinaryIO | None = os.fdopen(fd, "wb")
        self._sealer: segments.Sealer | None = None
        #: Plaintext bytes of each finished segment.
        self.sizes: list[int] = []

    def _out(self) -> BinaryIO:
        if self._file is None:
            raise ValueError("the blob was committed or discarded")
        return self._file

    def begin(self, key: bytes) -> None:
        self.end()
        self._sealer = segments.Sealer(key)
        self._out().write(self._sealer.header)

    def write(self, data: bytes) -> None:
        if self._sealer is None:
            raise ValueError("no segment begun")
        sealed = self._sealer.feed(data)
        if sealed:
            self._out().write(sealed)

    def end(self) -> None:
        if self._sealer is not None:
            self._out().write(self._sealer.finish())
            self.sizes.append(self._sealer.size)
            self._sealer = None

    def copy_sealed(self, store: BlobStore, name: str, sizes: list[int]) -> None:
        """Append the segments of sealed blob ``name`` as they are (no key needed)."""
        self.end()
        try:
            f = store.path(name).open("rb")
        except FileNotFoundError:
            raise BlobGone(name) from None
        out = self._out()
        with f:
            while chunk := f.read(_COPY_CHUNK):
                out.write(chunk)
        self.sizes.extend(sizes)

    def commit(self) -> str:
        self.end()
        f = self._out()
        try:
            f.flush()
            os.fsync(f.fileno())
            f.close()
            self._file = None
            return self._store._commit(self.path)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class BlobReader:
    """Plaintext of a range of a blob, in pieces of about a mebibyte: what a GET streams.
    Sealed chunks are authenticated as they are decrypted; a failure raises
    :class:`segments.SegmentCorrupt` (the response is then cut, as the status is sent)."""

    def __init__(self, f: BinaryIO, sizes: list[int] | None, key: bytes | None, start: int, length: int) -> None:
        self._file = f
        self.length = length
        self._pieces = self._plain(start, length) if sizes is None else self._sealed(sizes, key, start, length)

    def _plain(self, start: int, length: int) -> Iterator[bytes]:
        self._file.seek(start)
        left = length
        while left > 0:
            chunk = self._file.read(min(left, _COPY_CHUNK))
            if not chunk:
                raise segments.SegmentCorrupt("blob shorter than its object")
            left -= len(chunk)
            yield chunk

    def _sealed(self, sizes: list[int], key: bytes | None, start: int, length: int) -> Iterator[bytes]:
        if key is None:
            raise ValueError("a sealed blob needs its key")
        left = length
        for index, offset, first, last, skip in segments.plan(sizes, start, length):
            self._file.seek(offset)
            opener = segments.Opener(key, self._file.read(segments.HEADER_BYTES), sizes[index])
            self._file.seek(offset + segments.chunk_offset(first))
            out = bytearray()
            for i in range(first, last + 1):
                sealed = self._file.read(segments.sealed_chunk_size(opener.size, i))
                plain = opener.open(i, sealed)
                if i == first and skip:
                    plain = plain[skip:]
                if len(plain) > left:
                    plain = plain[:left]
                left -= len(plain)
                out += plain
                if len(out) >= _COPY_CHUNK:
                    yield bytes(out)
                    out.clear()
            if out:
                yield bytes(out)

    def read(self) -> bytes:
        """The next piece; b"" at the end."""
        return next(self._pieces, b"")

    def read_all(self) -> bytes:
        """Everything left (for small objects only)."""
        out = b"".join(self._pieces)
        self.close()
        return out

    def close(self) -> None:
        self._file.close()


def _mkstemp(directory: Path) -> tuple[int, str]:
    return tempfile.mkstemp(dir=directory, prefix="blob-", suffix=".tmp")
