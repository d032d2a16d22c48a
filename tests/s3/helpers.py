"""Shared pieces of the S3 tests: clients, unique buckets, a second account, the AWS CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, aws_cli_data_path

AWS = os.path.join(os.path.dirname(sys.executable), "aws")


def unique_bucket(prefix: str = "b") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response["Error"]
    return err["Code"], err.get("Message", ""), exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def empty_bucket(s3: Any, bucket: str) -> None:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        entries = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        found = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in entries]
        if found:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": found, "Quiet": True})
    for up in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=up["Key"], UploadId=up["UploadId"])


def make_bucket(s3: Any, prefix: str = "b") -> Iterator[str]:
    name = unique_bucket(prefix)
    s3.create_bucket(Bucket=name)
    yield name
    try:
        empty_bucket(s3, name)
        s3.delete_bucket(Bucket=name)
    except ClientError:
        pass


def new_account(server: Server) -> tuple[str, str, str]:
    """Another account on the same server (its id, root key id and secret), via the CLI."""
    env = {k: v for k, v in server.env.items() if k not in ("CREDMINT_ACCOUNT_ID",)}
    out = subprocess.run(
        [sys.executable, "-m", "credmint.cli.main", "account", "create"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    account = re.search(r"account (\d{12})", out)
    key = re.search(r"AWS_ACCESS_KEY_ID=(\S+)", out)
    secret = re.search(r"AWS_SECRET_ACCESS_KEY=(\S+)", out)
    assert account and key and secret, out
    return account.group(1), key.group(1), secret.group(1)


def aws_cli(
    server: Server,
    *args: str,
    key: str | None = None,
    secret: str | None = None,
    token: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``aws <args> --endpoint-url <server>`` with the given (default: root) credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=key or server.access_key_id,
        AWS_SECRET_ACCESS_KEY=secret or server.secret_access_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    if token:
        env["AWS_SESSION_TOKEN"] = token
    env.update(extra_env or {})
    aws_cli_data_path(env)
    return subprocess.run(
        [AWS, *args, "--endpoint-url", server.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
