"""Where records go as JSON lines: a file per process under ``<data-dir>/audit/``, or stdout.

**One file per process.** Every worker process (``--workers N``) and every node writes
its own file, named ``audit-<UTC start>-<host>-<pid>-<n>.jsonl``, so no two writers ever
share a file: a line is never interleaved with another process's line whatever its size.
(``O_APPEND`` alone would not do: a write larger than ``PIPE_BUF`` is not atomic against
other processes appending to the same file, and records with policy documents are larger.)
Within a process a lock orders the writers.

**Durability.** A record is handed to the kernel with ``write(2)`` before the response is
sent, so every call whose response was received is in the file, and stays there if the
process crashes or is killed. Nothing is ``fsync``-ed per record (that would cost a disk
flush per request): an operating-system crash or a power cut can lose what the kernel had
not yet written back (at most the last ~30 s on Linux defaults). A file is ``fsync``-ed
when it is rotated and when the process stops.

**Rotation.** A file is closed and a new one begun when the next line would take it past
``max_bytes``, or when it has been open ``rotate_seconds``. Old files are left in place for
shipping (they are never rewritten).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Protocol

FILE_PREFIX = "audit-"
FILE_SUFFIX = ".jsonl"


class Sink(Protocol):
    def write(self, line: bytes, now: datetime) -> None: ...

    def close(self) -> None: ...


class FileSink:
    """JSON lines in this process's own file, rotated by size and age."""

    def __init__(self, directory: Path, max_bytes: int, rotate_seconds: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.rotate_seconds = rotate_seconds
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._size = 0
        self._opened_at = 0.0
        self._sequence = 0
        self._host = "".join(c if c.isalnum() or c in "-_" else "_" for c in socket.gethostname())[:64] or "node"
        self.path: Path | None = None

    def write(self, line: bytes, now: datetime) -> None:
        with self._lock:
            stamp = now.timestamp()
            if self._fd is None or (
                self._size > 0
                and (self._size + len(line) > self.max_bytes or stamp - self._opened_at >= self.rotate_seconds)
            ):
                self._rotate(now)
            fd = self._fd
            assert fd is not None
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            self._size += len(line)

    def _rotate(self, now: datetime) -> None:
        self._close_file()
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._sequence += 1
        name = f"{FILE_PREFIX}{now:%Y%m%dT%H%M%SZ}-{self._host}-{os.getpid()}-{self._sequence}{FILE_SUFFIX}"
        self.path = self.directory / name
        # Mode 0600: the trail names every caller and what it did.
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._size = os.fstat(self._fd).st_size
        self._opened_at = now.timestamp()

    def _close_file(self) -> None:
        if self._fd is not None:
            try:
                os.fsync(self._fd)
            finally:
                os.close(self._fd)
                self._fd = None

    def close(self) -> None:
        with self._lock:
            self._close_file()


class StdoutSink:
    """JSON lines on standard output (for a log shipper that reads the process's output)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def write(self, line: bytes, now: datetime) -> None:
        with self._lock:
            out = sys.stdout.buffer
            out.write(line)
            out.flush()

    def close(self) -> None:
        pass


def audit_files(directory: Path) -> list[Path]:
    """The audit files of a directory, oldest first (their names begin with the UTC start time)."""
    if not directory.is_dir():
        return []
    return sorted(
        (p for p in directory.iterdir() if p.name.startswith(FILE_PREFIX) and p.name.endswith(FILE_SUFFIX)),
        key=lambda p: (p.name.split("-", 2)[1], p.stat().st_mtime, p.name),
    )
