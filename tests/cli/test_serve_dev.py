"""``credmint serve --dev``: loopback only, a temporary store, the dev root credentials."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config

from credmint.cli.main import dev_refusal, main
from credmint.settings import (
    DEV_ACCOUNT_ID,
    DEV_ROOT_ACCESS_KEY_ID,
    DEV_ROOT_SECRET_ACCESS_KEY,
    Settings,
)
from tests.conftest import free_port

LOOPBACK = ["127.0.0.1", "127.3.4.5", "::1", "localhost"]
NOT_LOOPBACK = ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.com", "127.0.0.1.example.com"]


@pytest.mark.parametrize("host", LOOPBACK)
def test_dev_mode_accepts_loopback(host: str) -> None:
    assert dev_refusal(Settings(host=host, dev=True)) is None


@pytest.mark.parametrize("host", NOT_LOOPBACK)
def test_dev_mode_refuses_other_addresses(host: str) -> None:
    refusal = dev_refusal(Settings(host=host, dev=True))
    assert refusal is not None and "--dev-allow-remote" in refusal
    assert dev_refusal(Settings(host=host, dev=True, dev_allow_remote=True)) is None


def test_dev_mode_refuses_several_workers() -> None:
    assert dev_refusal(Settings(dev=True, workers=2)) is not None


@pytest.mark.parametrize("argv", [["--host", "0.0.0.0"], ["--host", "10.1.2.3", "--port", "1"]])
def test_serve_dev_exits_before_listening_on_a_network(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--dev", *argv]) == 2
    assert "not a loopback address" in capsys.readouterr().err


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("true", True), ("Yes", True), ("0", False), ("off", False)])
def test_dev_setting_from_environment(raw: str, value: bool) -> None:
    assert Settings.from_env({"CREDMINT_DEV": raw}).dev is value


def test_dev_setting_refuses_a_non_boolean() -> None:
    with pytest.raises(ValueError):
        Settings.from_env({"CREDMINT_DEV": "maybe"})


@pytest.mark.e2e
def test_serve_dev_end_to_end(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDMINT_", "AWS_"))}
    out = tmp_path / "out.log"
    with out.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "credmint.cli.main", "serve", "--dev", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, out.read_text()
            try:
                if httpx.get(url + "/_credmint/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.1)
        text = out.read_text()
        assert "DEV MODE" in text
        assert DEV_ROOT_ACCESS_KEY_ID in text and DEV_ROOT_SECRET_ACCESS_KEY in text
        sts = boto3.client(
            "sts",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id=DEV_ROOT_ACCESS_KEY_ID,
            aws_secret_access_key=DEV_ROOT_SECRET_ACCESS_KEY,
            config=Config(retries={"max_attempts": 1}),
        )
        assert sts.get_caller_identity()["Account"] == DEV_ACCOUNT_ID
        assert httpx.get(url + "/_credmint/clock").status_code == 200
        match = re.search(r"also in (\S+)/root-credentials", text)
        assert match is not None
        data_dir = Path(match.group(1))
        assert data_dir.is_dir()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    assert not data_dir.exists()  # the temporary store went with the server
