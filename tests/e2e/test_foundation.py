"""The foundation, driven from outside: the real server, boto3, the AWS CLI and raw signed HTTP."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from credmint import ids
from tests.conftest import Server, new_account_id, start_server

pytestmark = pytest.mark.e2e

FORM = "application/x-www-form-urlencoded; charset=utf-8"


def signed(
    server: Server,
    body: str,
    *,
    secret: str | None = None,
    key: str | None = None,
    when: dt.datetime | None = None,
    service: str = "sts",
) -> AWSRequest:
    creds = Credentials(key or server.access_key_id, secret or server.secret_access_key)
    req = AWSRequest(method="POST", url=server.url + "/", data=body, headers={"Content-Type": FORM})
    auth = SigV4Auth(creds, service, "us-east-1")
    if when is not None:
        # botocore reads the time from datetime.datetime.now inside add_auth.
        import botocore.auth as ba

        frozen = when

        class _Frozen(dt.datetime):
            @classmethod
            def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
                return frozen

            @classmethod
            def utcnow(cls) -> dt.datetime:  # type: ignore[override]
                return frozen.replace(tzinfo=None)

        original = ba.datetime.datetime
        ba.datetime.datetime = _Frozen
        try:
            auth.add_auth(req)
        finally:
            ba.datetime.datetime = original
    else:
        auth.add_auth(req)
    return req


def send(server: Server, req: AWSRequest, body: bytes | None = None) -> httpx.Response:
    headers = {k: v for k, v in req.headers.items()}
    data = body if body is not None else (req.body if isinstance(req.body, bytes) else str(req.body).encode())
    return httpx.post(server.url + "/", headers=headers, content=data)


GCI = "Action=GetCallerIdentity&Version=2011-06-15"


def error_code(resp: httpx.Response) -> tuple[str, str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(resp.content)
    ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    err = root.find(f"{ns}Error")
    assert err is not None
    code = err.findtext(f"{ns}Code") or ""
    message = err.findtext(f"{ns}Message") or ""
    return code, message


def test_health(server: Server) -> None:
    resp = httpx.get(server.url + "/_credmint/health")
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"


def test_get_caller_identity_root_boto3(server: Server) -> None:
    ident = server.client("sts").get_caller_identity()
    assert ident["Account"] == server.account_id
    assert ident["Arn"] == f"arn:aws:iam::{server.account_id}:root"
    assert ident["UserId"] == server.account_id
    assert ident["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] == ident["ResponseMetadata"]["RequestId"]


def test_request_ids_are_distinct_version_4_uuids(server: Server) -> None:
    sts = server.client("sts")
    rids = [sts.get_caller_identity()["ResponseMetadata"]["RequestId"] for _ in range(20)]
    assert len(set(rids)) == len(rids)
    for rid in rids:
        u = uuid.UUID(rid)
        assert (str(u), u.version, u.variant) == (rid, 4, uuid.RFC_4122)


def test_get_caller_identity_aws_cli(server: Server) -> None:
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID=server.access_key_id,
        AWS_SECRET_ACCESS_KEY=server.secret_access_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    out = subprocess.run(
        ["aws", "--endpoint-url", server.url, "sts", "get-caller-identity", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    ident = json.loads(out.stdout)
    assert ident["Arn"] == f"arn:aws:iam::{server.account_id}:root"


def test_get_access_key_info(server: Server) -> None:
    other = new_account_id()
    key = ids.new_access_key_id(other, temporary=False)
    assert server.client("sts").get_access_key_info(AccessKeyId=key)["Account"] == other
    assert server.client("sts").get_access_key_info(AccessKeyId=server.access_key_id)["Account"] == server.account_id


def test_validation_error_message(server: Server) -> None:
    with pytest.raises(ClientError) as exc:
        server.client("sts").get_access_key_info(AccessKeyId="AKIA!!!!!!!!!!!!!!!!")
    err = exc.value.response["Error"]
    assert err["Code"] == "ValidationError"
    assert err["Message"] == (
        "1 validation error detected: Value 'AKIA!!!!!!!!!!!!!!!!' at 'accessKeyId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w]*"
    )


def test_wrong_secret(server: Server) -> None:
    with pytest.raises(ClientError) as exc:
        server.client("sts", aws_secret_access_key="x" * 40).get_caller_identity()
    err = exc.value.response["Error"]
    assert err["Code"] == "SignatureDoesNotMatch"
    assert err["Message"].startswith("The request signature we calculated does not match")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unknown_key(server: Server) -> None:
    key = ids.new_access_key_id(server.account_id, temporary=False)
    with pytest.raises(ClientError) as exc:
        server.client("sts", aws_access_key_id=key).get_caller_identity()
    assert exc.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert exc.value.response["Error"]["Message"] == "The security token included in the request is invalid."


def test_tampered_body(server: Server) -> None:
    req = signed(server, GCI)
    assert send(server, req).status_code == 200
    resp = send(server, req, (GCI + "&x=1").encode())
    assert resp.status_code == 403
    assert error_code(resp)[0] == "SignatureDoesNotMatch"


def test_skewed_clock(server: Server) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    resp = send(server, signed(server, GCI, when=past))
    assert resp.status_code == 403
    code, message = error_code(resp)
    assert code == "SignatureDoesNotMatch"
    assert message.startswith("Signature expired: ")
    future = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20)
    code, message = error_code(send(server, signed(server, GCI, when=future)))
    assert code == "SignatureDoesNotMatch"
    assert message.startswith("Signature not yet current: ")


def test_unsigned_call(server: Server) -> None:
    resp = httpx.post(server.url + "/", content=GCI, headers={"Content-Type": FORM})
    assert resp.status_code == 403
    assert error_code(resp) == ("MissingAuthenticationToken", "Request is missing Authentication Token")


def test_invalid_action_and_version(server: Server) -> None:
    resp = send(server, signed(server, "Action=NoSuchThing&Version=2011-06-15"))
    assert resp.status_code == 400
    assert error_code(resp) == ("InvalidAction", "Could not find operation NoSuchThing for version 2011-06-15")
    resp = send(server, signed(server, "Action=GetCallerIdentity"))
    assert error_code(resp) == (
        "InvalidAction",
        "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED",
    )


def test_missing_action_redirects(server: Server) -> None:
    resp = httpx.post(server.url + "/", content="Version=2011-06-15", headers={"Content-Type": FORM})
    assert resp.status_code == 302
    assert resp.headers["location"] == "https://aws.amazon.com/iam"


def test_body_too_large(server: Server) -> None:
    big = GCI + "&Pad=" + "a" * 10_000_001
    resp = httpx.post(server.url + "/", content=big, headers={"Content-Type": FORM})
    assert resp.status_code == 413
    assert resp.content == b""


def test_presigned_get_caller_identity(server: Server) -> None:
    # What aws-iam-authenticator and Vault do: a presigned GET of GetCallerIdentity.
    from botocore.auth import SigV4QueryAuth

    creds = Credentials(server.access_key_id, server.secret_access_key)
    req = AWSRequest(method="GET", url=server.url + "/?Action=GetCallerIdentity&Version=2011-06-15")
    SigV4QueryAuth(creds, "sts", "us-east-1", expires=60).add_auth(req)
    resp = httpx.get(req.url)
    assert resp.status_code == 200, resp.text
    assert f"arn:aws:iam::{server.account_id}:root" in resp.text
    tampered = req.url.replace("Version=2011-06-15", "Version=2011-06-15&Extra=1")
    assert httpx.get(tampered).status_code == 403


def test_s3_error_shape(server: Server) -> None:
    s3 = server.client("s3", aws_secret_access_key="y" * 40)
    with pytest.raises(ClientError) as exc:
        s3.list_buckets()
    err = exc.value.response["Error"]
    assert err["Code"] == "SignatureDoesNotMatch"
    assert "StringToSign" in err


def _run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "credmint.cli.main", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_generated_bootstrap_and_restart(tmp_path: Path) -> None:
    """No fixed credentials: they are generated, stored 0600 (the key id printed once, the
    secret not printed), and survive a restart."""
    data = tmp_path / "data"
    first = start_server(data, fixed_credentials=False)
    try:
        assert first.client("sts").get_caller_identity()["Account"] == first.account_id
    finally:
        first.stop()
    log = first.log.read_text() if first.log else ""
    assert log.count("Root credentials of account") == 1
    assert f"access key id {first.access_key_id}" in log
    assert first.secret_access_key not in log
    assert stat.S_IMODE((data / "root-credentials").stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "master.key").stat().st_mode) == 0o600
    again = start_server(data, fixed_credentials=False, port=None)
    try:
        log = again.log.read_text() if again.log else ""
        assert "Root credentials of account" not in log  # printed by the first start only
        assert again.client("sts").get_caller_identity()["Account"] == first.account_id
    finally:
        again.stop()
    # No secret in clear in the database.
    for f in data.glob("credmint.db*"):
        assert first.secret_access_key.encode() not in f.read_bytes()


def _accounts_survive_restart(tmp_path: Path, database_url: str | None) -> None:
    data = tmp_path / "data"
    srv = start_server(data, database_url=database_url)
    try:
        env = dict(srv.env)
        out = _run_cli(env, "account", "create", "--name", "second")
        assert out.returncode == 0, out.stderr
        lines = dict(
            line.strip().removeprefix("export ").split("=", 1) for line in out.stdout.splitlines() if "export" in line
        )
        second = boto3.client(
            "sts",
            endpoint_url=srv.url,
            region_name="us-east-1",
            aws_access_key_id=lines["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=lines["AWS_SECRET_ACCESS_KEY"],
        )
        acct = second.get_caller_identity()["Account"]
        assert acct != srv.account_id
        listed = _run_cli(env, "account", "list").stdout
        assert acct in listed and srv.account_id in listed
        srv.process.send_signal(signal.SIGKILL)
        srv.process.wait(10)
        # The same env (same fixed root credentials) must not bootstrap twice.
        srv2 = start_server(
            data,
            database_url=database_url,
            account_id=srv.account_id,
            access_key_id=srv.access_key_id,
            secret_access_key=srv.secret_access_key,
        )
        try:
            assert srv2.client("sts").get_caller_identity()["Account"] == srv.account_id
            second2 = boto3.client(
                "sts",
                endpoint_url=srv2.url,
                region_name="us-east-1",
                aws_access_key_id=lines["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=lines["AWS_SECRET_ACCESS_KEY"],
            )
            assert second2.get_caller_identity()["Account"] == acct
        finally:
            srv2.stop()
    finally:
        srv.stop()


def test_state_survives_restart_sqlite(tmp_path: Path) -> None:
    _accounts_survive_restart(tmp_path, None)


@pytest.mark.postgres
def test_state_survives_restart_postgres(tmp_path: Path, pg_url: str) -> None:
    _accounts_survive_restart(tmp_path, pg_url)
