"""Real clients against credmint's STS: the AWS CLI (incl. an MFA-prompting role profile
driven through a pty), boto3 sessions with assume-role profiles, and the AWS SDK for
JavaScript v3."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.credentials import AssumeRoleProvider

from tests.conftest import ROOT, Server
from tests.sts.helpers import AWS, Creds, User, allow, aws_cli, doc, make_role, make_user, trust

JS_DIR = ROOT / "tests" / "js"
S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
SEED_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
        {"Effect": "Allow", "Action": "elasticloadbalancing:Describe*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["cloudwatch:ListMetrics", "cloudwatch:GetMetricStatistics", "cloudwatch:Describe*"],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": "autoscaling:Describe*", "Resource": "*"},
    ],
}


def cli_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def mfa_role(server: Server, user: User) -> dict[str, Any]:
    return make_role(server, doc(trust(user.arn, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})))


# --- the seed's CLI examples (003) -------------------------------------------------------------


def test_cli_get_session_token_with_mfa(server: Server) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    out = cli_json(
        aws_cli(
            server,
            "sts",
            "get-session-token",
            "--duration-seconds",
            "900",
            "--serial-number",
            user.mfa.serial,
            "--token-code",
            user.mfa.code(),
            creds=user.creds,
        )
    )
    assert set(out["Credentials"]) == {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    session = Creds.of(out)
    ident = cli_json(aws_cli(server, "sts", "get-caller-identity", creds=session))
    assert ident["Arn"] == user.arn
    again = aws_cli(
        server,
        "sts",
        "get-session-token",
        "--serial-number",
        user.mfa.serial,
        "--token-code",
        user.mfa.used_code(),
        creds=user.creds,
    )
    assert again.returncode != 0
    assert "MultiFactorAuthentication failed with invalid MFA one time pass code." in again.stderr


def test_cli_assume_role(server: Server) -> None:
    user = make_user(server)
    role = make_role(server, doc(trust(user.arn)))
    out = cli_json(
        aws_cli(
            server,
            "sts",
            "assume-role",
            "--role-arn",
            role["Arn"],
            "--role-session-name",
            "s3-access-example",
            creds=user.creds,
        )
    )
    assert out["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:s3-access-example",
        "Arn": f"arn:aws:sts::{server.account_id}:assumed-role/{role['RoleName']}/s3-access-example",
    }
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_cli_get_federation_token_with_policy_file_and_arns(server: Server, tmp_path: Path) -> None:
    user = make_user(server, policy=doc(allow("sts:GetFederationToken")))
    (tmp_path / "myfile.json").write_text(json.dumps(SEED_POLICY, indent=4))
    out = cli_json(
        aws_cli(
            server,
            "sts",
            "get-federation-token",
            "--name",
            "Bob",
            "--policy",
            "file://myfile.json",
            "--policy-arns",
            f"arn={S3_READ_ONLY}",
            "--duration-seconds",
            "900",
            creds=user.creds,
            cwd=tmp_path,
        )
    )
    assert out["FederatedUser"] == {
        "FederatedUserId": f"{server.account_id}:Bob",
        "Arn": f"arn:aws:sts::{server.account_id}:federated-user/Bob",
    }
    assert out["PackedPolicySize"] == 36


# --- profiles: role_arn + source_profile (+ mfa_serial) -----------------------------------------


def write_config(path: Path, server: Server, user: User, role_arn: str, mfa: bool) -> None:
    lines = [
        "[profile src]",
        f"aws_access_key_id = {user.creds.access_key_id}",
        f"aws_secret_access_key = {user.creds.secret_access_key}",
        "region = us-east-1",
        f"endpoint_url = {server.url}",
        "",
        "[profile r]",
        f"role_arn = {role_arn}",
        "source_profile = src",
        "role_session_name = profile-session",
        "region = us-east-1",
        f"endpoint_url = {server.url}",
    ]
    if mfa:
        assert user.mfa is not None
        lines.append(f"mfa_serial = {user.mfa.serial}")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def profile_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    config = tmp_path / "config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return config


def test_boto3_session_with_assume_role_profile(server: Server, profile_env: Path) -> None:
    user = make_user(server)
    role = make_role(server, doc(trust(user.arn)))
    write_config(profile_env, server, user, role["Arn"], mfa=False)
    ident = boto3.Session(profile_name="r").client("sts").get_caller_identity()
    assert ident["Arn"] == f"arn:aws:sts::{server.account_id}:assumed-role/{role['RoleName']}/profile-session"


def test_boto3_session_with_mfa_profile_and_prompter(server: Server, profile_env: Path) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    role = mfa_role(server, user)
    write_config(profile_env, server, user, role["Arn"], mfa=True)
    prompts: list[str] = []
    mfa = user.mfa

    def prompter(prompt: str) -> str:
        prompts.append(prompt)
        return mfa.code()

    core = botocore.session.Session(profile="r")
    resolver = core.get_component("credential_provider")
    default = resolver.get_provider("assume-role")
    # The provider hook botocore offers: an AssumeRoleProvider with its own MFA prompter.
    resolver.insert_before(
        "assume-role",
        AssumeRoleProvider(
            load_config=lambda: core.full_config,
            client_creator=core.create_client,
            cache={},
            profile_name="r",
            prompter=prompter,
            profile_provider_builder=default._profile_provider_builder,
        ),
    )
    ident = boto3.Session(botocore_session=core).client("sts").get_caller_identity()
    assert ident["Arn"].endswith(f":assumed-role/{role['RoleName']}/profile-session")
    assert prompts == [f"Enter MFA code for {user.mfa.serial}: "]


def test_cli_mfa_profile_prompts_for_the_code(server: Server, tmp_path: Path) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    role = mfa_role(server, user)
    config = tmp_path / "config"
    write_config(config, server, user, role["Arn"], mfa=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_ENDPOINT_URL=server.url,
        HOME=str(tmp_path),
    )
    # The CLI reads the code with getpass from the controlling terminal: give it a pty.
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execve(AWS, [AWS, "sts", "get-caller-identity", "--profile", "r", "--output", "json"], env)
    transcript = b""
    sent = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        transcript += chunk
        if not sent and b"Enter MFA code for" in transcript:
            os.write(fd, user.mfa.code().encode() + b"\n")
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = transcript.decode(errors="replace")
    assert f"Enter MFA code for {user.mfa.serial}:" in text
    assert os.waitstatus_to_exitcode(status) == 0, text
    ident = json.loads(text[text.index("{") :])
    assert ident["Arn"] == f"arn:aws:sts::{server.account_id}:assumed-role/{role['RoleName']}/profile-session"


# --- the AWS SDK for JavaScript v3 -----------------------------------------------------------------


@pytest.fixture(scope="session")
def js_sdk() -> Path:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("node/npm are not installed: the JavaScript SDK test needs them")
    if not (JS_DIR / "node_modules" / "@aws-sdk" / "client-sts").exists():
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund"], cwd=JS_DIR, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr
    return JS_DIR


def test_javascript_sdk_v3(server: Server, js_sdk: Path) -> None:
    user = make_user(server, with_mfa=True, policy=doc(allow("sts:GetFederationToken")))
    assert user.mfa is not None
    role = mfa_role(server, user)
    code1 = user.mfa.code()
    code2 = user.mfa.code()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        CREDMINT_ENDPOINT=server.url,
        AWS_ACCESS_KEY_ID=user.creds.access_key_id,
        AWS_SECRET_ACCESS_KEY=user.creds.secret_access_key,
        MFA_SERIAL=user.mfa.serial,
        MFA_CODE_1=code1,
        MFA_CODE_2=code2,
        ROLE_ARN=role["Arn"],
    )
    done = subprocess.run(["node", "sts_flow.mjs"], cwd=js_sdk, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    session_arn = f"arn:aws:sts::{server.account_id}:assumed-role/{role['RoleName']}/js-session"
    assert out["sessionKeyId"].startswith("ASIA")
    assert out["sessionIdentity"] == user.arn
    assert out["refusedWithoutMfa"]["name"] == "AccessDenied"
    assert out["refusedWithoutMfa"]["status"] == 403
    assert out["assumedRoleUser"] == {"AssumedRoleId": f"{role['RoleId']}:js-session", "Arn": session_arn}
    assert out["roleIdentity"]["Arn"] == session_arn
    assert out["replayed"] == {
        "name": "AccessDenied",
        "message": "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        "status": 403,
    }
    assert out["federatedUser"]["Arn"] == f"arn:aws:sts::{server.account_id}:federated-user/js-fed"
    assert 0 < out["packedPolicySize"] <= 100
