"""JSON-lines files: one per process, rotated by size and age, lines never split."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from credmint.audit.sink import FileSink, audit_files

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def line(n: int, size: int = 50) -> bytes:
    return (json.dumps({"n": n, "pad": "x" * size}) + "\n").encode()


def test_lines_are_appended_whole_to_a_private_file(tmp_path: Path) -> None:
    sink = FileSink(tmp_path / "audit", max_bytes=10_000, rotate_seconds=3600)
    for n in range(10):
        sink.write(line(n), T0)
    sink.close()
    [path] = audit_files(tmp_path / "audit")
    assert [json.loads(x)["n"] for x in path.read_text().splitlines()] == list(range(10))
    assert path.stat().st_mode & 0o777 == 0o600
    assert f"-{os.getpid()}-" in path.name


def test_rotation_by_size(tmp_path: Path) -> None:
    sink = FileSink(tmp_path, max_bytes=300, rotate_seconds=3600)
    for n in range(20):
        sink.write(line(n), T0)
    sink.close()
    files = audit_files(tmp_path)
    assert len(files) > 1
    assert all(f.stat().st_size <= 300 for f in files)
    numbers = [json.loads(x)["n"] for f in files for x in f.read_text().splitlines()]
    assert numbers == list(range(20))


def test_a_line_larger_than_the_limit_gets_a_file_of_its_own(tmp_path: Path) -> None:
    sink = FileSink(tmp_path, max_bytes=100, rotate_seconds=3600)
    sink.write(line(1, 10), T0)
    sink.write(line(2, 500), T0)
    sink.write(line(3, 10), T0)
    sink.close()
    assert [len(f.read_text().splitlines()) for f in audit_files(tmp_path)] == [1, 1, 1]


def test_rotation_by_age(tmp_path: Path) -> None:
    sink = FileSink(tmp_path, max_bytes=10**9, rotate_seconds=60)
    sink.write(line(1), T0)
    sink.write(line(2), T0 + timedelta(seconds=59))
    sink.write(line(3), T0 + timedelta(seconds=60))
    sink.close()
    assert [len(f.read_text().splitlines()) for f in audit_files(tmp_path)] == [2, 1]


def test_audit_files_ignores_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "audit-x.jsonl.gz").write_text("x")
    assert audit_files(tmp_path) == []
    assert audit_files(tmp_path / "missing") == []
