"""TLS: the self-signed CA and certificate, the settings checks, and HTTPS end to end
(boto3 and the AWS CLI verifying the certificate, mutual TLS, ``aws:SecureTransport``)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError
from cryptography import x509

from credmint.server import tls
from credmint.settings import Settings
from tests.conftest import Server, start_server

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
NAMES = ["localhost", "127.0.0.1", "::1"]
AWS_CLI = Path(sys.executable).with_name("aws")


def _sans(path: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(v) for v in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))


# --- the self-signed pair -------------------------------------------------------------------


def test_self_signed_files_and_modes(tmp_path: Path) -> None:
    made = tls.ensure_self_signed(tmp_path, [*NAMES, "credmint.test"], NOW)
    for key in (made.key, tmp_path / "ca.key"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert _sans(made.cert) == {"localhost", "127.0.0.1", "::1", "credmint.test"}
    leaf = x509.load_pem_x509_certificate(made.cert.read_bytes())
    leaf.verify_directly_issued_by(x509.load_pem_x509_certificate(made.ca_cert.read_bytes()))


def test_self_signed_is_reused_while_valid(tmp_path: Path) -> None:
    first = tls.ensure_self_signed(tmp_path, NAMES, NOW)
    before = {p: p.read_bytes() for p in (first.cert, first.key, first.ca_cert)}
    tls.ensure_self_signed(tmp_path, NAMES, NOW + timedelta(days=300))
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.parametrize(
    "later,names",
    [
        (tls.SERVER_LIFETIME - tls.RENEW_BEFORE + timedelta(days=1), NAMES),  # near its end
        (timedelta(0), [*NAMES, "other.example"]),  # a new bound host
    ],
)
def test_server_certificate_renewed_by_the_same_ca(tmp_path: Path, later: timedelta, names: list[str]) -> None:
    first = tls.ensure_self_signed(tmp_path, NAMES, NOW)
    ca, cert = first.ca_cert.read_bytes(), first.cert.read_bytes()
    tls.ensure_self_signed(tmp_path, names, NOW + later)
    assert first.ca_cert.read_bytes() == ca  # clients trusting the CA keep working
    assert first.cert.read_bytes() != cert
    assert set(names) <= _sans(first.cert)


@pytest.mark.parametrize("damage", ["ca.pem", "ca.key", "server.pem", "server.key"])
def test_damaged_files_are_replaced(tmp_path: Path, damage: str) -> None:
    first = tls.ensure_self_signed(tmp_path, NAMES, NOW)
    (tmp_path / damage).write_bytes(b"-----BEGIN CERTIFICATE-----\n\x00garbage\n")
    tls.ensure_self_signed(tmp_path, NAMES, NOW)
    context = ssl.create_default_context(cafile=first.ca_cert)
    context.load_verify_locations(cafile=first.ca_cert)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(first.cert, first.key)  # a matching, loadable pair again
    leaf = x509.load_pem_x509_certificate(first.cert.read_bytes())
    leaf.verify_directly_issued_by(x509.load_pem_x509_certificate(first.ca_cert.read_bytes()))


def test_certificate_from_another_ca_is_reissued(tmp_path: Path) -> None:
    first = tls.ensure_self_signed(tmp_path / "a", NAMES, NOW)
    other = tls.ensure_self_signed(tmp_path / "b", NAMES, NOW)
    first.cert.write_bytes(other.cert.read_bytes())
    first.key.write_bytes(other.key.read_bytes())
    tls.ensure_self_signed(tmp_path / "a", NAMES, NOW)
    leaf = x509.load_pem_x509_certificate(first.cert.read_bytes())
    leaf.verify_directly_issued_by(x509.load_pem_x509_certificate(first.ca_cert.read_bytes()))


@pytest.mark.parametrize(
    "bound,extra", [("127.0.0.1", None), ("credmint.internal", "credmint.internal"), ("[::1]", None)]
)
def test_host_names(bound: str, extra: str | None) -> None:
    names = tls.host_names(bound)
    assert names[:3] == list(tls.LOCAL_NAMES)
    assert names[3:] == ([extra] if extra else [])


def test_wildcard_bind_names_the_machine() -> None:
    assert tls.host_names("0.0.0.0")[3:] == [socket.gethostname()]


# --- settings checks ------------------------------------------------------------------------


@pytest.fixture
def pair(tmp_path: Path) -> tls.SelfSigned:
    return tls.ensure_self_signed(tmp_path / "pair", NAMES, NOW)


def test_plain_http_without_tls_settings(tmp_path: Path) -> None:
    assert tls.server_options(Settings(data_dir=tmp_path), NOW) == {}


def test_operator_certificate_options(tmp_path: Path, pair: tls.SelfSigned) -> None:
    s = Settings(data_dir=tmp_path, tls_cert=pair.cert, tls_key=pair.key, tls_client_ca=pair.ca_cert)
    assert tls.server_options(s, NOW) == {
        "ssl_certfile": str(pair.cert),
        "ssl_keyfile": str(pair.key),
        "ssl_ca_certs": str(pair.ca_cert),
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
    }


@pytest.mark.parametrize(
    "fields,needle",
    [
        ({"tls_cert": "cert"}, "tls_cert and tls_key go together"),
        ({"tls_key": "key"}, "tls_cert and tls_key go together"),
        ({"tls_client_ca": "ca"}, "tls_client_ca needs TLS"),
        ({"tls_self_signed": True, "tls_cert": "cert", "tls_key": "key"}, "exclude each other"),
        ({"tls_cert": "key", "tls_key": "key"}, "not a usable PEM certificate chain"),  # swapped
        ({"tls_cert": "garbage", "tls_key": "key"}, "not a usable PEM certificate chain"),
        ({"tls_cert": "missing", "tls_key": "key"}, "missing: no such file"),
        ({"tls_cert": "cert", "tls_key": "key", "tls_client_ca": "garbage"}, "not a usable PEM CA bundle"),
        ({"tls_cert": "cert", "tls_key": "key", "tls_client_ca": "missing"}, "missing: no such file"),
    ],
)
def test_unusable_settings_refused(
    tmp_path: Path, pair: tls.SelfSigned, fields: dict[str, object], needle: str
) -> None:
    files = {"cert": pair.cert, "key": pair.key, "ca": pair.ca_cert}
    (tmp_path / "garbage").write_bytes(b"\x00\xff not PEM at all")
    files["garbage"] = tmp_path / "garbage"
    files["missing"] = tmp_path / "missing"
    values = {k: files[v] if isinstance(v, str) else v for k, v in fields.items()}
    with pytest.raises(tls.TlsError, match=needle):
        tls.server_options(Settings(data_dir=tmp_path, **values), NOW)  # type: ignore[arg-type]


# --- end to end -----------------------------------------------------------------------------


def _client_context(ca: Path, cert: Path | None = None, key: Path | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca))
    if cert is not None and key is not None:
        context.load_cert_chain(cert, key)
    return context


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("credmint-tls")
    # The pair is made by the server itself; the test reads its CA from the data dir.
    ca = data / "tls" / "ca.pem"
    made = tls.ensure_self_signed(data / "tls", tls.host_names("127.0.0.1"), datetime.now(UTC))
    assert made.ca_cert == ca
    srv = start_server(data, extra_env={"CREDMINT_TLS_SELF_SIGNED": "true"}, tls=_client_context(ca))
    yield srv
    srv.stop()


@pytest.mark.e2e
def test_boto3_verifies_the_self_signed_certificate(tls_server: Server) -> None:
    ca = str(tls_server.data_dir / "tls" / "ca.pem")
    sts = tls_server.client("sts", verify=ca)
    assert sts.get_caller_identity()["Account"] == tls_server.account_id
    creds = sts.get_session_token()["Credentials"]
    assert creds["SessionToken"]
    # Without the CA, the certificate is refused: nothing was served in the clear.
    with pytest.raises(BotoCoreError):
        tls_server.client("sts").get_caller_identity()


@pytest.mark.e2e
def test_audit_record_names_the_negotiated_tls_version_and_cipher(tls_server: Server) -> None:
    ca = tls_server.data_dir / "tls" / "ca.pem"
    body = "Action=GetCallerIdentity&Version=2011-06-15"
    host = tls_server.url.removeprefix("https://")
    req = AWSRequest(
        method="POST",
        url=tls_server.url + "/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(tls_server.access_key_id, tls_server.secret_access_key), "sts", "us-east-1").add_auth(req)
    conn = http.client.HTTPSConnection(host, context=_client_context(ca), timeout=10)
    conn.request("POST", "/", body=body, headers=dict(req.headers.items()))
    answer = conn.getresponse()
    answer.read()
    assert answer.status == 200
    request_id = answer.getheader("x-amzn-requestid")
    sock = conn.sock
    assert isinstance(sock, ssl.SSLSocket)
    negotiated = {"tlsVersion": sock.version(), "cipherSuite": sock.cipher()[0]}  # type: ignore[index]
    conn.close()
    records = [
        json.loads(line)
        for f in sorted((tls_server.data_dir / "audit").glob("*.jsonl"))
        for line in f.read_text().splitlines()
    ]
    (record,) = [r for r in records if r["requestID"] == request_id]
    assert record["tlsDetails"] == {**negotiated, "clientProvidedHostHeader": host}


@pytest.mark.e2e
def test_aws_cli_verifies_with_ca_bundle(tls_server: Server) -> None:
    ca = str(tls_server.data_dir / "tls" / "ca.pem")
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID=tls_server.access_key_id,
        AWS_SECRET_ACCESS_KEY=tls_server.secret_access_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    env.pop("AWS_CA_BUNDLE", None)
    base = [str(AWS_CLI), "--endpoint-url", tls_server.url, "--output", "json"]
    out = subprocess.run(
        [*base, "--ca-bundle", ca, "sts", "get-caller-identity"], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Account"] == tls_server.account_id
    # The same through AWS_CA_BUNDLE, as the README shows.
    out = subprocess.run(
        [*base, "sts", "get-caller-identity"],
        env={**env, "AWS_CA_BUNDLE": ca},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    refused = subprocess.run([*base, "sts", "get-caller-identity"], env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "SSL" in refused.stderr or "certificate" in refused.stderr


@pytest.mark.e2e
def test_secure_transport_condition_both_ways(tls_server: Server, tmp_path: Path) -> None:
    """One user whose policy denies everything over plain HTTP, reached through an HTTPS node
    and a plain-HTTP node on the same data."""
    ca = str(tls_server.data_dir / "tls" / "ca.pem")
    iam = tls_server.client("iam", verify=ca)
    iam.create_user(UserName="tls-only")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
    iam.put_user_policy(UserName="tls-only", PolicyName="tls", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="tls-only")["AccessKey"]
    user = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    assert tls_server.client("iam", verify=ca, **user).get_user()["User"]["UserName"] == "tls-only"

    plain = start_server(
        tls_server.data_dir,
        account_id=tls_server.account_id,
        access_key_id=tls_server.access_key_id,
        secret_access_key=tls_server.secret_access_key,
    )
    try:
        with pytest.raises(ClientError) as info:
            plain.client("iam", **user).get_user()
        assert info.value.response["Error"]["Code"] == "AccessDenied"
    finally:
        plain.stop()


@pytest.mark.e2e
def test_mutual_tls(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    client_ca = tls.issue_ca("test client CA", now)
    (tmp_path / "client-ca.pem").write_bytes(client_ca.cert_pem)
    ca_cert = x509.load_pem_x509_certificate(client_ca.cert_pem)
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    ca_key = load_pem_private_key(client_ca.key_pem, None)
    client = tls.issue(ca_cert, ca_key, ["client.test"], now, client=True)  # type: ignore[arg-type]
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    cert.write_bytes(client.cert_pem)
    key.write_bytes(client.key_pem)
    data = tmp_path / "data"
    server_ca = data / "tls" / "ca.pem"
    tls.ensure_self_signed(data / "tls", tls.host_names("127.0.0.1"), now)
    srv = start_server(
        data,
        extra_env={"CREDMINT_TLS_SELF_SIGNED": "1", "CREDMINT_TLS_CLIENT_CA": str(tmp_path / "client-ca.pem")},
        tls=_client_context(server_ca, cert, key),
    )
    try:
        with_cert = srv.client("sts", verify=str(server_ca), config={"client_cert": (str(cert), str(key))})
        assert with_cert.get_caller_identity()["Account"] == srv.account_id
        with pytest.raises(BotoCoreError):
            srv.client("sts", verify=str(server_ca)).get_caller_identity()
        # A certificate from another CA (the server's own) is refused too.
        stranger = tls.ensure_self_signed(tmp_path / "stranger", ["client.test"], now)
        with pytest.raises(BotoCoreError):
            srv.client(
                "sts", verify=str(server_ca), config={"client_cert": (str(stranger.cert), str(stranger.key))}
            ).get_caller_identity()
    finally:
        srv.stop()


@pytest.mark.e2e
def test_serve_refuses_unusable_tls_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDMINT_")}
    env.update(CREDMINT_DATA_DIR=str(tmp_path), CREDMINT_TLS_CERT=str(tmp_path / "absent.pem"))
    out = subprocess.run(
        [sys.executable, "-m", "credmint.cli.main", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert "tls_cert and tls_key go together" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.e2e
def test_a_client_sending_its_whole_refused_upload_over_tls_reads_the_refusal(tls_server: Server) -> None:
    """A refusal that leaves the body unread, over TLS (whose write side cannot be shut
    alone; the TLS layer's own closing handshake reads on as well): the client's send
    completes, it reads the refusal, and the connection ends soon after."""

    context = _client_context(tls_server.data_dir / "tls" / "ca.pem")
    host = tls_server.url.removeprefix("https://")
    started = time.monotonic()
    connection = http.client.HTTPSConnection(host, context=context, timeout=15)
    connection.request("PUT", "/some-bucket/big", body=bytes(8 * 1024**2))
    answer = connection.getresponse()
    assert answer.status == 400 and b"<Code>EntityTooLarge</Code>" in answer.read()
    connection.close()
    assert time.monotonic() - started < 10
