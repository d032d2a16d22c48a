"""Smaller holes: a spoofable aws:SourceIp, world-readable data files, the root secret in
standard output, and GetAccessKeyInfo for keys whose id does not encode their account."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint import ids
from tests.conftest import Server, free_port, new_account_id, start_server

pytestmark = pytest.mark.e2e

SPOOFED = "203.0.113.7"


def _user_limited_to(server: Server, cidr: str) -> Any:
    """An IAM client for a new user whose only permission requires aws:SourceIp in ``cidr``."""
    iam = server.client("iam")
    name = f"ip-{os.urandom(4).hex()}"
    iam.create_user(UserName=name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:GetUser",
                "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": cidr}},
            }
        ],
    }
    iam.put_user_policy(UserName=name, PolicyName="ip", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    client = server.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])

    def forwarded(request: Any, **_: Any) -> None:
        request.headers["X-Forwarded-For"] = SPOOFED

    client.meta.events.register("before-send.iam.*", forwarded)
    return client, name


def _allowed(client: Any, name: str) -> bool:
    try:
        client.get_user(UserName=name)
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "AccessDenied"
        return False
    return True


def test_forwarded_for_from_loopback_does_not_set_source_ip(server: Server) -> None:
    spoofing, name = _user_limited_to(server, f"{SPOOFED}/32")
    assert not _allowed(spoofing, name)
    honest, name = _user_limited_to(server, "127.0.0.1/32")
    assert _allowed(honest, name)  # the TCP peer's address is what counts


def test_forwarded_for_from_a_trusted_proxy_sets_source_ip(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "data", extra_env={"CREDMINT_TRUSTED_PROXIES": "127.0.0.0/8, ::1"})
    try:
        client, name = _user_limited_to(srv, f"{SPOOFED}/32")
        assert _allowed(client, name)
    finally:
        srv.stop()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_dir_and_its_files_are_private_and_the_secret_is_not_printed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    srv = start_server(data, fixed_credentials=False)
    try:
        srv.client("iam").create_user(UserName="writer")  # the WAL exists once something is written
        assert _mode(data) == 0o700
        for name in ("credmint.db", "credmint.db-wal", "credmint.db-shm", "master.key", "root-credentials"):
            assert _mode(data / name) == 0o600, name
        assert srv.log is not None
        printed = srv.log.read_text()
        assert srv.secret_access_key not in printed
        assert srv.access_key_id in printed
        assert str(data / "root-credentials") in printed
    finally:
        srv.stop()


def test_existing_world_readable_install_is_narrowed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    srv.stop()
    os.chmod(data, 0o755)
    os.chmod(data / "credmint.db", 0o644)
    srv = start_server(data)
    try:
        assert _mode(data) == 0o700
        assert _mode(data / "credmint.db") == 0o600
    finally:
        srv.stop()


def test_print_root_secret_prints_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDMINT_", "AWS_"))}
    env.update(CREDMINT_PORT=str(port), CREDMINT_DATA_DIR=str(data))
    log = tmp_path / "out.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "credmint.cli.main", "serve", "--print-root-secret"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "serving on" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.1)
        secret = (data / "root-credentials").read_text().split("aws_secret_access_key = ")[1].split()[0]
        assert f"AWS_SECRET_ACCESS_KEY={secret}" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(10)


def test_get_access_key_info_answers_from_the_store_for_a_fixed_key(tmp_path: Path) -> None:
    account, elsewhere = new_account_id(), new_account_id()
    # A root key whose id encodes another account (any fixed id may): the store knows better.
    key = ids.new_access_key_id(elsewhere, temporary=False)
    srv = start_server(tmp_path / "data", account_id=account, access_key_id=key)
    try:
        sts = srv.client("sts")
        assert sts.get_access_key_info(AccessKeyId=key)["Account"] == account
        # Keys it does not hold are still decoded from the id.
        other = ids.new_access_key_id(elsewhere, temporary=False)
        assert sts.get_access_key_info(AccessKeyId=other)["Account"] == elsewhere
    finally:
        srv.stop()
