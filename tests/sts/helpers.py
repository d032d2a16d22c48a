"""What the STS tests share: users with keys and virtual MFA devices, roles, clients."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.mfa import totp
from tests.conftest import Server, aws_cli_data_path

AWS = os.path.join(os.path.dirname(sys.executable), "aws")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response["Error"]
    return err["Code"], err.get("Message", ""), exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def doc(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal: str | list[str], action: str | list[str] = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, **extra}


@dataclass
class Creds:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    @classmethod
    def of(cls, response: Mapping[str, Any]) -> Creds:
        c = response["Credentials"]
        return cls(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])

    def kwargs(self) -> dict[str, Any]:
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "aws_session_token": self.session_token,
        }


@dataclass
class MfaDevice:
    serial: str
    seed: str
    #: The last TOTP step this test used (or enabling used); a step is accepted once.
    last_step: int = 0

    def code(self) -> str:
        """A code the server has not seen: the next unused step within its ±1 window,
        waiting for the clock when both the current and the next step are used up."""
        while True:
            now = totp.time_step(int(time.time()))
            step = max(self.last_step + 1, now - 1)
            if step <= now + 1:
                self.last_step = step
                return totp.code_at_step(self.seed, step)
            time.sleep(1)

    def used_code(self) -> str:
        return totp.code_at_step(self.seed, self.last_step)


@dataclass
class User:
    name: str
    arn: str
    user_id: str
    creds: Creds
    mfa: MfaDevice | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def make_user(
    server: Server,
    *,
    policy: str | None = None,
    with_mfa: bool = False,
    path: str = "/",
    tags: Sequence[Mapping[str, str]] = (),
) -> User:
    iam = server.client("iam")
    name = unique("u")
    kwargs: dict[str, Any] = {"UserName": name, "Path": path}
    if tags:
        kwargs["Tags"] = list(tags)
    u = iam.create_user(**kwargs)["User"]
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user = User(name, u["Arn"], u["UserId"], Creds(key["AccessKeyId"], key["SecretAccessKey"]))
    if with_mfa:
        user.mfa = add_mfa(server, name)
    return user


def add_mfa(server: Server, user_name: str) -> MfaDevice:
    iam = server.client("iam")
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("mfa"))["VirtualMFADevice"]
    seed = dev["Base32StringSeed"].decode("ascii")
    # Enable with the two steps before the current one, so the current and the next
    # step stay free for the test.
    step = totp.time_step(int(time.time()))
    iam.enable_mfa_device(
        UserName=user_name,
        SerialNumber=dev["SerialNumber"],
        AuthenticationCode1=totp.code_at_step(seed, step - 2),
        AuthenticationCode2=totp.code_at_step(seed, step - 1),
    )
    return MfaDevice(dev["SerialNumber"], seed, step - 1)


def make_role(
    server: Server,
    trust_doc: str,
    *,
    path: str = "/",
    max_session: int | None = None,
    policy: str | None = None,
    tags: Sequence[Mapping[str, str]] = (),
) -> dict[str, Any]:
    iam = server.client("iam")
    name = unique("r")
    kwargs: dict[str, Any] = {"RoleName": name, "AssumeRolePolicyDocument": trust_doc, "Path": path}
    if max_session is not None:
        kwargs["MaxSessionDuration"] = max_session
    if tags:
        kwargs["Tags"] = list(tags)
    role: dict[str, Any] = iam.create_role(**kwargs)["Role"]
    if policy is not None:
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=policy)
    return role


def sts_as(server: Server, creds: Creds, *, validate: bool = True) -> Any:
    """An STS client as ``creds``; ``validate=False`` sends what botocore would refuse."""
    config = {} if validate else {"config": {"parameter_validation": False}}
    return server.client("sts", **creds.kwargs(), **config)


def aws_cli(
    server: Server,
    *args: str,
    creds: Creds | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``aws <args>`` against the server, as ``creds`` (default: the root user)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    c = creds or Creds(server.access_key_id, server.secret_access_key)
    full.update(
        AWS_ACCESS_KEY_ID=c.access_key_id,
        AWS_SECRET_ACCESS_KEY=c.secret_access_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    if c.session_token:
        full["AWS_SESSION_TOKEN"] = c.session_token
    full.update(env or {})
    aws_cli_data_path(full)
    return subprocess.run(
        [AWS, *args, "--endpoint-url", server.url, "--output", "json"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
