"""Metrics and access log end to end: a real server, real clients, ``/metrics`` parsed with
prometheus-client's own parser, and the log searched for every secret the test used."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import boto3
import httpx
import pytest
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Server, start_server

pytestmark = pytest.mark.e2e

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(server: Server, path: str = "/metrics") -> Samples:
    resp = httpx.get(server.url + path, timeout=10)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(resp.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def series(samples: Samples, name: str) -> set[tuple[tuple[str, str], ...]]:
    return {labels for n, labels in samples if n == name}


def access_lines(server: Server) -> list[dict[str, object]]:
    assert server.log is not None
    lines = []
    for raw in server.log.read_text().splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


@pytest.fixture(scope="module")
def obs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("credmint-obs"), extra_env={"CREDMINT_LOG_FORMAT": "json"})
    yield srv
    srv.stop()


def test_requests_failures_and_issuance_are_counted(obs: Server) -> None:
    before = scrape(obs)
    sts = obs.client("sts")
    for _ in range(3):
        sts.get_caller_identity()
    sts.get_session_token()
    bad_secret = obs.client("sts", aws_secret_access_key="x" * 40)
    with pytest.raises(ClientError):
        bad_secret.get_caller_identity()
    unknown = obs.client("sts", aws_access_key_id="AKIAIOSFODNN7EXAMPLE")
    with pytest.raises(ClientError):
        unknown.get_caller_identity()
    serial = f"arn:aws:iam::{obs.account_id}:mfa/none"
    with pytest.raises(ClientError):
        sts.get_session_token(SerialNumber=serial)  # no code: incomplete
    with pytest.raises(ClientError):
        sts.get_session_token(SerialNumber=serial, TokenCode="123456")  # root has no such device
    obs.client("iam").create_user(UserName="metrics-user")
    after = scrape(obs)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    gci = {"service": "sts", "operation": "GetCallerIdentity"}
    assert delta("credmint_request_duration_seconds_count", status="200", **gci) == 3
    assert delta("credmint_request_duration_seconds_count", status="403", **gci) == 2
    assert delta("credmint_credentials_issued_total", operation="GetSessionToken") == 1
    assert delta("credmint_auth_failures_total", reason="SignatureDoesNotMatch") == 1
    assert delta("credmint_auth_failures_total", reason="InvalidClientTokenId") == 1
    assert delta("credmint_mfa_failures_total", reason="incomplete") == 1
    assert delta("credmint_mfa_failures_total", reason="unknown_serial") == 1
    assert delta("credmint_request_duration_seconds_count", service="iam", operation="CreateUser", status="200") == 1
    assert delta("credmint_store_transaction_seconds_count", mode="write") >= 1
    assert delta("credmint_cache_lookups_total", cache="credentials", result="hit") >= 3
    # The families every scrape carries, even before their first event.
    names = {n for n, _ in after}
    assert "credmint_federation_fetch_duration_seconds_count" in names
    assert "credmint_federation_fetch_failures_total" in names


def test_wrong_codes_to_enable_or_resync_a_device_are_counted(obs: Server) -> None:
    iam = obs.client("iam")
    iam.create_user(UserName="metrics-mfa")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="metrics-mfa")["VirtualMFADevice"]["SerialNumber"]
    before = scrape(obs)
    for _ in range(2):
        with pytest.raises(ClientError) as exc:
            iam.enable_mfa_device(
                UserName="metrics-mfa", SerialNumber=serial, AuthenticationCode1="000000", AuthenticationCode2="000001"
            )
        assert exc.value.response["Error"]["Code"] in ("InvalidAuthenticationCode", "AccessDenied")
    after = scrape(obs)
    counted = sum(
        value(after, "credmint_mfa_failures_total", reason=r) - value(before, "credmint_mfa_failures_total", reason=r)
        for r in ("invalid_code", "locked")
    )
    assert value(after, "credmint_mfa_failures_total", reason="invalid_code") > value(
        before, "credmint_mfa_failures_total", reason="invalid_code"
    )
    assert counted == 2


def test_request_input_cannot_add_series(obs: Server) -> None:
    """Label values come from fixed sets: unknown actions and arbitrary paths add no series."""
    scrape(obs)
    before = scrape(obs)
    for i in range(40):
        name = f"Made{secrets.token_hex(4)}{i}"
        httpx.post(obs.url + "/", data={"Action": name, "Version": "2011-06-15"}, timeout=10)
        httpx.get(f"{obs.url}/bucket-{secrets.token_hex(4)}/{name}?{name}=1", timeout=10)
    after = scrape(obs)
    added = series(after, "credmint_request_duration_seconds_count") - series(
        before, "credmint_request_duration_seconds_count"
    )
    assert all(dict(labels)["operation"] in ("-", "GetObject") for labels in added), added
    assert len(added) <= 4


def test_metrics_paths(obs: Server) -> None:
    scrape(obs, "/_credmint/metrics")
    got = scrape(obs, "/_credmint/metrics")
    assert value(got, "credmint_request_duration_seconds_count", service="metrics", operation="-", status="200") >= 1
    # A query string or a signature makes /metrics an S3 request (a bucket may be named so).
    resp = httpx.get(obs.url + "/metrics?list-type=2", timeout=10)
    assert resp.headers.get("x-amz-request-id")
    assert "credmint_request_duration_seconds_count" not in resp.text


def test_access_log_one_line_per_request_and_no_secret(obs: Server) -> None:
    sts = obs.client("sts")
    temp = sts.get_session_token()["Credentials"]
    s3 = obs.client(
        "s3",
        aws_access_key_id=temp["AccessKeyId"],
        aws_secret_access_key=temp["SecretAccessKey"],
        aws_session_token=temp["SessionToken"],
        config={"signature_version": "s3v4", "s3": {"addressing_style": "path"}},
    )
    s3.create_bucket(Bucket="log-bucket")
    s3.put_object(Bucket="log-bucket", Key="k", Body=b"hello")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "log-bucket", "Key": "k"}, ExpiresIn=60)
    assert httpx.get(url, timeout=10).content == b"hello"
    signature = url.split("X-Amz-Signature=", 1)[1].split("&", 1)[0]
    # A SigV2 presigned URL (botocore's default for a custom endpoint) and a presigned GET of
    # GetCallerIdentity carry their secrets in the query string too.
    v2 = boto3.client(
        "s3",
        endpoint_url=obs.url,
        aws_access_key_id=obs.access_key_id,
        aws_secret_access_key=obs.secret_access_key,
        region_name="us-east-1",
        config=Config(signature_version="s3", s3={"addressing_style": "path"}),
    )
    v2_url = v2.generate_presigned_url("get_object", Params={"Bucket": "log-bucket", "Key": "k"}, ExpiresIn=60)
    httpx.get(v2_url, timeout=10)
    v2_signature = v2_url.split("Signature=", 1)[1].split("&", 1)[0]
    req = AWSRequest(method="GET", url=obs.url + "/?Action=GetCallerIdentity&Version=2011-06-15")
    SigV4QueryAuth(
        Credentials(temp["AccessKeyId"], temp["SecretAccessKey"], temp["SessionToken"]), "sts", "us-east-1", 60
    ).add_auth(req)
    gci = httpx.get(req.url, timeout=10)
    assert gci.status_code == 200
    request_id = gci.headers["x-amzn-requestid"]
    time.sleep(0.5)  # lines are written just after the answer

    assert obs.log is not None
    # Everything written after start-up (the bootstrap prints the root credentials once, by design).
    text = obs.log.read_text().split("serving on", 1)[1]
    for secret in (
        obs.secret_access_key,
        temp["SecretAccessKey"],
        temp["SessionToken"],
        signature,
        v2_signature,
    ):
        assert secret not in text
        assert quote(secret, safe="") not in text  # nor as it travels in a URL

    lines = access_lines(obs)
    (line,) = [entry for entry in lines if entry["request_id"] == request_id]
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["service"] == "sts" and line["operation"] == "GetCallerIdentity"
    assert line["access_key_id"] == temp["AccessKeyId"]
    assert str(line["principal_arn"]).startswith("arn:aws:")
    assert "X-Amz-Signature=<redacted>" in str(line["path"])
    assert "X-Amz-Security-Token=<redacted>" in str(line["path"])
    assert line["source"] == "127.0.0.1"
    assert "python-httpx" in str(line["user_agent"])
    assert isinstance(line["duration_ms"], float | int)
    put = [e for e in lines if e.get("operation") == "PutObject"]
    assert put and put[-1]["principal_arn"] and put[-1]["status"] == 200
    # Request ids are unique per line: one line per request.
    ids = [e["request_id"] for e in lines]
    assert len(ids) == len(set(ids))


def test_plain_log_and_workers_share_metrics(tmp_path: Path) -> None:
    stale = tmp_path / "metrics" / "999999999"
    stale.mkdir(parents=True)
    srv = start_server(tmp_path, workers=2)
    try:
        assert not stale.exists()
        runs = list((tmp_path / "metrics").iterdir())
        assert len(runs) == 1 and runs[0].name.isdigit()
        sts = srv.client("sts")
        for _ in range(12):
            sts.get_caller_identity()
        # Whichever worker answers the scrape, it reports the sum over both. Each worker
        # folds its request counts into the shared files every second (and the answering
        # one at the scrape), so the sum is complete within about a second.
        def counted() -> float:
            return value(
                scrape(srv),
                "credmint_request_duration_seconds_count",
                service="sts",
                operation="GetCallerIdentity",
                status="200",
            )

        deadline = time.monotonic() + 5
        while counted() != 12 and time.monotonic() < deadline:
            time.sleep(0.2)
        for _ in range(4):  # and every worker's scrape agrees
            assert counted() == 12
        time.sleep(0.5)
        assert srv.log is not None
        lines = [ln for ln in srv.log.read_text().splitlines() if '"POST /"' in ln and "GetCallerIdentity" in ln]
        assert len(lines) == 12
        assert srv.secret_access_key not in srv.log.read_text().split("serving on", 1)[1]
    finally:
        srv.stop()


def test_metrics_and_access_log_can_be_turned_off(tmp_path: Path) -> None:
    srv = start_server(tmp_path, extra_env={"CREDMINT_METRICS": "false", "CREDMINT_ACCESS_LOG": "false"})
    try:
        assert httpx.get(srv.url + "/_credmint/metrics", timeout=10).status_code == 404
        resp = httpx.get(srv.url + "/metrics", timeout=10)  # S3's now: an anonymous list of bucket "metrics"
        assert resp.headers.get("x-amz-request-id")
        srv.client("sts").get_caller_identity()
        time.sleep(0.3)
        assert srv.log is not None
        assert "GetCallerIdentity" not in srv.log.read_text()
    finally:
        srv.stop()
