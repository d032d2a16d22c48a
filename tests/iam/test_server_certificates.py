"""IAM server certificates end to end: a CA, a leaf and its key made with ``cryptography``;
the key checked against the certificate, stored sealed and never given back."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.conftest import Server
from tests.s3.helpers import new_account
from tests.sts.helpers import aws_cli, error_of, unique

pytestmark = pytest.mark.e2e

NOW = datetime.now(UTC)


def _cert(subject: str, key: Any, issuer: str, issuer_key: Any, *, ca: bool) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


CA_KEY = ec.generate_private_key(ec.SECP256R1())
CA = _cert("test ca", CA_KEY, "test ca", CA_KEY, ca=True)
LEAF_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
LEAF = _cert("www.example.test", LEAF_KEY, "test ca", CA_KEY, ca=False)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(obj: Any) -> str:
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM).decode()
    return str(
        obj.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ).decode()
    )


def refused(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    code, _, status = error_of(exc)
    return code, status


def test_lifecycle_and_the_key_never_comes_back(server: Server) -> None:
    iam = server.client("iam")
    name = unique("cert")
    up = iam.upload_server_certificate(
        ServerCertificateName=name,
        Path="/cloudfront/",
        CertificateBody=pem(LEAF),
        PrivateKey=pem(LEAF_KEY),
        CertificateChain=pem(CA),
        Tags=[{"Key": "env", "Value": "test"}],
    )
    meta = up["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{server.account_id}:server-certificate/cloudfront/{name}"
    assert meta["ServerCertificateId"].startswith("ASCA")
    assert abs((meta["Expiration"] - LEAF.not_valid_after_utc).total_seconds()) < 1
    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert x509.load_pem_x509_certificate(got["CertificateBody"].encode()) == LEAF
    assert x509.load_pem_x509_certificates(got["CertificateChain"].encode()) == [CA]
    assert got["Tags"] == [{"Key": "env", "Value": "test"}]
    key_pem = pem(LEAF_KEY)
    assert "PRIVATE KEY" not in json.dumps(got, default=str)
    db = sqlite3.connect(server.data_dir / "credmint.db")
    dump = "\n".join(db.iterdump())
    db.close()
    assert key_pem.splitlines()[1] not in dump  # sealed at rest
    listed = iam.list_server_certificates(PathPrefix="/cloudfront/")["ServerCertificateMetadataList"]
    assert name in [c["ServerCertificateName"] for c in listed]
    assert name not in [
        c["ServerCertificateName"]
        for c in iam.list_server_certificates(PathPrefix="/elb/")["ServerCertificateMetadataList"]
    ]
    iam.update_server_certificate(ServerCertificateName=name, NewServerCertificateName=name + "-2", NewPath="/elb/")
    assert refused(iam.get_server_certificate, ServerCertificateName=name) == ("NoSuchEntity", 404)
    moved = iam.get_server_certificate(ServerCertificateName=name + "-2")["ServerCertificate"]
    assert moved["ServerCertificateMetadata"]["Path"] == "/elb/" and moved["Tags"] == [{"Key": "env", "Value": "test"}]
    iam.tag_server_certificate(ServerCertificateName=name + "-2", Tags=[{"Key": "team", "Value": "edge"}])
    assert len(iam.list_server_certificate_tags(ServerCertificateName=name + "-2")["Tags"]) == 2
    iam.delete_server_certificate(ServerCertificateName=name + "-2")
    assert refused(iam.delete_server_certificate, ServerCertificateName=name + "-2") == ("NoSuchEntity", 404)


def test_names_are_unique(server: Server) -> None:
    iam = server.client("iam")
    name = unique("dup")
    iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=pem(LEAF), PrivateKey=pem(LEAF_KEY))
    assert refused(
        iam.upload_server_certificate, ServerCertificateName=name, CertificateBody=pem(LEAF), PrivateKey=pem(LEAF_KEY)
    ) == ("EntityAlreadyExists", 409)
    iam.delete_server_certificate(ServerCertificateName=name)


ENCRYPTED = LEAF_KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
).decode()


@pytest.mark.parametrize(
    ("body", "key", "chain", "code"),
    [
        (pem(LEAF), pem(OTHER_KEY), None, "KeyPairMismatch"),
        ("not a certificate", pem(LEAF_KEY), None, "MalformedCertificate"),
        (pem(LEAF), "not a key", None, "MalformedCertificate"),
        (pem(LEAF), ENCRYPTED, None, "MalformedCertificate"),
        (
            pem(LEAF),
            pem(LEAF_KEY),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "MalformedCertificate",
        ),
        (pem(LEAF), pem(LEAF), None, "MalformedCertificate"),  # a certificate where the key goes
    ],
    ids=["mismatch", "garbage body", "garbage key", "encrypted key", "garbage chain", "certificate as key"],
)
def test_refusals(server: Server, body: str, key: str, chain: str | None, code: str) -> None:
    iam = server.client("iam")
    name = unique("bad")
    extra = {"CertificateChain": chain} if chain else {}
    assert refused(
        iam.upload_server_certificate, ServerCertificateName=name, CertificateBody=body, PrivateKey=key, **extra
    ) == (code, 400)
    assert refused(iam.get_server_certificate, ServerCertificateName=name) == ("NoSuchEntity", 404)


def test_aws_cli(server: Server, tmp_path: Any) -> None:
    (tmp_path / "cert.pem").write_text(pem(LEAF))
    (tmp_path / "key.pem").write_text(pem(LEAF_KEY))
    name = unique("cli")
    out = aws_cli(
        server,
        "iam",
        "upload-server-certificate",
        "--server-certificate-name",
        name,
        "--certificate-body",
        f"file://{tmp_path / 'cert.pem'}",
        "--private-key",
        f"file://{tmp_path / 'key.pem'}",
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ServerCertificateMetadata"]["ServerCertificateName"] == name
    out = aws_cli(server, "iam", "get-server-certificate", "--server-certificate-name", name)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)["ServerCertificate"]
    assert got["CertificateBody"].strip() == pem(LEAF).strip() and "PrivateKey" not in got
    out = aws_cli(server, "iam", "list-server-certificates")
    assert out.returncode == 0, out.stderr
    assert name in [m["ServerCertificateName"] for m in json.loads(out.stdout)["ServerCertificateMetadataList"]]
    renamed = unique("cli-renamed")
    args = ("--server-certificate-name", name, "--new-server-certificate-name", renamed)
    assert aws_cli(server, "iam", "update-server-certificate", *args).returncode == 0
    tag = ("--server-certificate-name", renamed, "--tags", "Key=team,Value=edge")
    assert aws_cli(server, "iam", "tag-server-certificate", *tag).returncode == 0
    out = aws_cli(server, "iam", "list-server-certificate-tags", "--server-certificate-name", renamed)
    assert out.returncode == 0 and json.loads(out.stdout)["Tags"] == [{"Key": "team", "Value": "edge"}], out.stderr
    untag = aws_cli(
        server, "iam", "untag-server-certificate", "--server-certificate-name", renamed, "--tag-keys", "team"
    )
    assert untag.returncode == 0 and untag.stdout.strip() == "", untag.stderr
    out = aws_cli(server, "iam", "list-server-certificate-tags", "--server-certificate-name", renamed)
    assert out.returncode == 0 and json.loads(out.stdout)["Tags"] == [], out.stderr
    missing = aws_cli(server, "iam", "get-server-certificate", "--server-certificate-name", name)
    assert missing.returncode != 0 and "NoSuchEntity" in missing.stderr
    # The old name is gone: untagging it is refused with AWS's code and the CLI's service-error exit.
    untag = aws_cli(server, "iam", "untag-server-certificate", "--server-certificate-name", name, "--tag-keys", "team")
    assert untag.returncode in (254, 255) and "(NoSuchEntity)" in untag.stderr, untag.stderr
    assert aws_cli(server, "iam", "delete-server-certificate", "--server-certificate-name", renamed).returncode == 0


def test_another_account_cannot_reach_it(server: Server) -> None:
    name = unique("mine")
    server.client("iam").upload_server_certificate(
        ServerCertificateName=name, CertificateBody=pem(LEAF), PrivateKey=pem(LEAF_KEY)
    )
    _, key, secret = new_account(server)
    other = server.client("iam", aws_access_key_id=key, aws_secret_access_key=secret)
    assert refused(other.get_server_certificate, ServerCertificateName=name) == ("NoSuchEntity", 404)
    assert refused(other.delete_server_certificate, ServerCertificateName=name) == ("NoSuchEntity", 404)
    assert name not in [
        c["ServerCertificateName"] for c in other.list_server_certificates()["ServerCertificateMetadataList"]
    ]
    server.client("iam").delete_server_certificate(ServerCertificateName=name)
