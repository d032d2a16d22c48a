"""Two ``credmint serve`` nodes on one PostgreSQL: each accepts the other's tokens, an MFA
code used on one is refused on the other, and a key rotated by the CLI reaches both."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from credmint.access import keystore
from credmint.mfa import totp
from credmint.sealing import MasterKey
from tests.conftest import Server, start_server
from tests.sts.helpers import Creds, doc, error_of, make_role, make_user, sts_as, trust

pytestmark = pytest.mark.postgres


def _two_nodes(pg_url: str, tmp_path: Path, env: dict[str, str]) -> tuple[Server, Server]:
    master = MasterKey.generate().to_text()
    a = start_server(tmp_path / "a", database_url=pg_url, extra_env={"CREDMINT_MASTER_KEY": master, **env})
    b = start_server(
        tmp_path / "b",
        database_url=pg_url,
        account_id=a.account_id,
        access_key_id=a.access_key_id,
        secret_access_key=a.secret_access_key,
        extra_env={"CREDMINT_MASTER_KEY": master, **env},
    )
    return a, b


@pytest.fixture
def nodes(pg_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    a, b = _two_nodes(pg_url, tmp_path, {})
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


@pytest.fixture
def strict_nodes(pg_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two nodes whose MFA devices wait 10 minutes after a second wrong code."""
    env = {"CREDMINT_MFA_BACKOFF_AFTER": "2", "CREDMINT_MFA_BACKOFF_BASE_SECONDS": "600"}
    a, b = _two_nodes(pg_url, tmp_path, env)
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_nodes_share_tokens_and_mfa_replay_guard(nodes: tuple[Server, Server]) -> None:
    a, b = nodes
    user = make_user(a, with_mfa=True)
    assert user.mfa is not None
    role = make_role(a, doc(trust(user.arn)))
    # Tokens minted on one node open on the other, both ways.
    on_a = Creds.of(sts_as(a, user.creds).get_session_token(DurationSeconds=900))
    on_b = Creds.of(sts_as(b, user.creds).get_session_token(DurationSeconds=900))
    assert keystore.token_key_id(on_a.session_token or "") == keystore.token_key_id(on_b.session_token or "")
    assert sts_as(b, on_a).get_caller_identity()["Arn"] == user.arn
    assert sts_as(a, on_b).get_caller_identity()["Arn"] == user.arn
    assumed = Creds.of(sts_as(a, user.creds).assume_role(RoleArn=role["Arn"], RoleSessionName="xn"))
    assert sts_as(b, assumed).get_caller_identity()["Arn"].endswith(f"/{role['RoleName']}/xn")
    # A code accepted by one node is refused by the other.
    code = user.mfa.code()
    sts_as(a, user.creds).get_session_token(SerialNumber=user.mfa.serial, TokenCode=code)
    with pytest.raises(ClientError) as exc:
        sts_as(b, user.creds).get_session_token(SerialNumber=user.mfa.serial, TokenCode=code)
    assert error_of(exc) == (
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        403,
    )


def test_wrong_codes_on_one_node_make_the_other_wait(strict_nodes: tuple[Server, Server]) -> None:
    a, b = strict_nodes
    user = make_user(a, with_mfa=True)
    assert user.mfa is not None
    right = user.mfa.code()
    near = {totp.code_at_step(user.mfa.seed, user.mfa.last_step + d) for d in (-2, -1, 0, 1, 2)}
    wrong = [c for c in ("000000", "111111", "222222", "333333", "444444", "555555", "666666") if c not in near]
    for node, code in ((a, wrong[0]), (b, wrong[1])):
        with pytest.raises(ClientError) as exc:
            sts_as(node, user.creds).get_session_token(SerialNumber=user.mfa.serial, TokenCode=code)
        assert error_of(exc)[1] == "MultiFactorAuthentication failed with invalid MFA one time pass code."
    # Two wrong codes, one on each node: both nodes now refuse even the right code unchecked.
    for node in (a, b):
        with pytest.raises(ClientError) as exc:
            sts_as(node, user.creds).get_session_token(SerialNumber=user.mfa.serial, TokenCode=right)
        code, message, status = error_of(exc)
        assert (code, status) == ("AccessDenied", 403)
        assert "the code was not checked" in message


def test_rotation_reaches_every_node(nodes: tuple[Server, Server], pg_url: str) -> None:
    a, b = nodes
    before = Creds.of(a.client("sts").get_session_token(DurationSeconds=900))
    old_key = keystore.token_key_id(before.session_token or "")
    done = subprocess.run(
        [sys.executable, "-m", "credmint.cli.main", "keys", "rotate", "--database-url", pg_url],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "CREDMINT_MASTER_KEY": a.env["CREDMINT_MASTER_KEY"]},
    )
    assert done.returncode == 0, done.stderr
    for node in (a, b):
        deadline = time.monotonic() + 5
        while True:
            fresh = Creds.of(node.client("sts").get_session_token(DurationSeconds=900))
            if keystore.token_key_id(fresh.session_token or "") != old_key:
                break
            assert time.monotonic() < deadline, "a node kept sealing with the retired key"
            time.sleep(0.1)
        # New tokens open on the other node, and the old one still opens everywhere.
        other = b if node is a else a
        assert sts_as(other, fresh).get_caller_identity()["Account"] == a.account_id
        assert sts_as(node, before).get_caller_identity()["Account"] == a.account_id


def test_policy_change_on_one_node_reaches_the_other(nodes: tuple[Server, Server]) -> None:
    """A policy removed through node B is enforced by node A, whose caches held the old one.

    The bound is the PostgreSQL notification's trip (measured by bench/propagation.py and
    recorded in docs/benchmarks.md); the test allows 5 s so a loaded CI machine passes.
    """
    import json
    import uuid

    a, b = nodes
    name = f"prop-{uuid.uuid4().hex[:8]}"
    root_b = b.client("iam")
    root_b.create_user(UserName=name)
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}
    root_b.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = root_b.create_access_key(UserName=name)["AccessKey"]
    iam_a = a.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    deadline = time.monotonic() + 5
    while True:  # node A learns of the new key and policy through the notification
        try:
            iam_a.list_users(MaxItems=1)
            break
        except ClientError:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    root_b.delete_user_policy(UserName=name, PolicyName="p")
    deadline = time.monotonic() + 5
    while True:
        try:
            iam_a.list_users(MaxItems=1)
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "AccessDenied"
            break
        assert time.monotonic() < deadline, "node A still allows after 5 s"
        time.sleep(0.01)
