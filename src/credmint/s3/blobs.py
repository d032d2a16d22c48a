"""Object data on disk: immutable files under ``<data_dir>/objects/``, named by random ids.

A blob is written to ``objects/tmp/``, flushed with ``fsync`` and only then renamed into
``objects/<xx>/<name>`` (and the directory fsynced), so a file that a metadata row names is
always complete: a crash leaves at most an orphan in ``tmp/``, never a partial object.

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
from collections.abc import Callable, Iterable
from pathlib import Path

_COPY_CHUNK = 1024 * 1024


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
        name = secrets.token_hex(16)
        final = self.path(name)
        final.parent.mkdir(exist_ok=True)
        os.replace(tmp_path, final)
        _fsync_dir(final.parent)
        return name

    def write(self, data: bytes) -> str:
        """Store ``data`` durably; returns the blob's name."""
        return self.write_chunks((data,))

    def write_chunks(self, chunks: Iterable[bytes], observe: Callable[[bytes], None] | None = None) -> str:
        fd, tmp_name = _mkstemp(self.tmp)
        tmp_path = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in chunks:
                    if observe is not None:
                        observe(chunk)
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            return self._commit(tmp_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
            raise

    def concat(self, names: Iterable[str], observe: Callable[[bytes], None] | None = None) -> str:
        """A new blob holding the given blobs one after another (completing a multipart upload)."""
        return self.write_chunks(self._stream_many(names), observe)

    def stream(self, name: str) -> Iterable[bytes]:
        """The blob's bytes in chunks (BlobGone at the first read if it was unlinked)."""
        return self._stream_many((name,))

    def _stream_many(self, names: Iterable[str]) -> Iterable[bytes]:
        for name in names:
            try:
                f = self.path(name).open("rb")
            except FileNotFoundError:
                raise BlobGone(name) from None
            with f:
                while chunk := f.read(_COPY_CHUNK):
                    yield chunk

    def read(self, name: str, start: int = 0, length: int | None = None) -> bytes:
        try:
            f = self.path(name).open("rb")
        except FileNotFoundError:
            raise BlobGone(name) from None
        with f:
            if start:
                f.seek(start)
            return f.read() if length is None else f.read(length)

    def delete(self, names: Iterable[str | None]) -> None:
        """Unlink blobs whose rows are gone; called after the commit that dropped them."""
        for name in names:
            if name:
                with contextlib.suppress(FileNotFoundError):
                    self.path(name).unlink()


def _mkstemp(directory: Path) -> tuple[int, str]:
    return tempfile.mkstemp(dir=directory, prefix="blob-", suffix=".tmp")
