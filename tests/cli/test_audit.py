"""``credmint audit tail`` and ``credmint audit search``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from credmint.cli import audit as audit_cli
from credmint.cli.main import main
from tests.conftest import start_server

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", NOW - timedelta(minutes=30)),
        ("2d", NOW - timedelta(days=2)),
        ("2026-01-01T10:00:00Z", datetime(2026, 1, 1, 10, tzinfo=UTC)),
        ("2026-01-01T10:00:00", datetime(2026, 1, 1, 10, tzinfo=UTC)),
        ("2026-01-01T11:00:00+01:00", datetime(2026, 1, 1, 10, tzinfo=UTC)),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    assert audit_cli.parse_time(text, NOW) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "9999999d", "999999d", "-5m", "1w", "2026-13-01", "\x00"])
def test_parse_time_refuses(text: str) -> None:
    with pytest.raises(audit_cli.UsageError):
        audit_cli.parse_time(text, NOW)


def write(directory: Path, name: str, records: list[dict[str, object]], partial: str = "") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r) + "\n" for r in records) + partial
    (directory / name).write_text(text)


def test_tail_prints_the_last_complete_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audit = tmp_path / "audit"
    write(audit, "audit-20260101T000000Z-h-1-1.jsonl", [{"n": 1}, {"n": 2}])
    write(audit, "audit-20260101T010000Z-h-2-1.jsonl", [{"n": 3}], partial='{"n": 4')
    assert main(["audit", "tail", "-n", "2", "--data-dir", str(tmp_path)]) == 0
    assert [json.loads(x)["n"] for x in capsys.readouterr().out.splitlines()] == [2, 3]


def test_search_reads_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    srv = start_server(tmp_path / "d", extra_env={"CREDMINT_AUDIT_FLUSH_MS": "50"})
    try:
        srv.client("iam").create_user(UserName="searched")
        srv.client("sts").get_caller_identity()
    finally:
        srv.stop()  # shutdown stores what is queued
    env = {k: v for k, v in srv.env.items() if k.startswith("CREDMINT_")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        assert main(["audit", "search", "--event-name", "CreateUser", "--user", "root", "--since", "1h"]) == 0
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    found = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["requestParameters"]["userName"] for r in found] == ["searched"]
    assert main(["audit", "search", "--since", "not a time", "--data-dir", str(srv.data_dir)]) == 2


def test_tail_follow_prints_appended_and_new_files(tmp_path: Path) -> None:
    audit = tmp_path / "audit"
    write(audit, "audit-20260101T000000Z-h-1-1.jsonl", [{"n": 1}])
    proc = subprocess.Popen(
        [sys.executable, "-m", "credmint.cli.main", "audit", "tail", "-n", "5", "-f", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert json.loads(proc.stdout.readline())["n"] == 1
        with (audit / "audit-20260101T000000Z-h-1-1.jsonl").open("a") as fh:
            fh.write('{"n": 2}\n{"n": ')  # the second line is still being written
        write(audit, "audit-20260101T010000Z-h-2-1.jsonl", [{"n": 3}])
        got = {json.loads(proc.stdout.readline())["n"] for _ in range(2)}
        assert got == {2, 3}
        with (audit / "audit-20260101T000000Z-h-1-1.jsonl").open("a") as fh:
            fh.write("4}\n")
        assert json.loads(proc.stdout.readline())["n"] == 4
    finally:
        proc.kill()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
