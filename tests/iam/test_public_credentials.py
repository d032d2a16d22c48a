"""SSH public keys and signing certificates end to end: boto3 and the AWS CLI on one side,
keys and certificates made (and fingerprints recomputed) with ``cryptography`` on the other."""

from __future__ import annotations

import base64
import hashlib
import json
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
from tests.sts.helpers import allow, aws_cli, doc, error_of, make_user, unique

pytestmark = pytest.mark.e2e

RSA_KEYS = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(6)]


def ssh_line(key: rsa.RSAPrivateKey, comment: str = "") -> str:
    line = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return f"{line} {comment}".strip()


def pem(key: Any) -> str:
    return str(
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def md5_fingerprint(line: str) -> str:
    digest = hashlib.md5(base64.b64decode(line.split()[1])).digest()
    return ":".join(f"{b:02x}" for b in digest)


def certificate(days_from: int = -1, days_to: int = 30, key: Any = None) -> str:
    key = key or RSA_KEYS[0]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, unique("signer"))])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=days_from))
        .not_valid_after(now + timedelta(days=days_to))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def new_user(server: Server) -> str:
    name = unique("pk")
    server.client("iam").create_user(UserName=name)
    return name


def refused(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    code, _, status = error_of(exc)
    return code, status


# --- SSH public keys ---------------------------------------------------------------------


def test_ssh_key_lifecycle(server: Server) -> None:
    iam = server.client("iam")
    name = new_user(server)
    line = ssh_line(RSA_KEYS[0], "alice@laptop")
    up = iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=line)["SSHPublicKey"]
    key_id = up["SSHPublicKeyId"]
    assert key_id.startswith("APKA") and up["Status"] == "Active" and up["UserName"] == name
    assert up["Fingerprint"] == md5_fingerprint(line)
    assert up["SSHPublicKeyBody"] == ssh_line(RSA_KEYS[0])  # canonical form, comment dropped
    got = iam.get_ssh_public_key(UserName=name, SSHPublicKeyId=key_id, Encoding="PEM")["SSHPublicKey"]
    loaded = serialization.load_pem_public_key(got["SSHPublicKeyBody"].encode())
    assert loaded.public_numbers() == RSA_KEYS[0].public_key().public_numbers()  # type: ignore[union-attr]
    iam.update_ssh_public_key(UserName=name, SSHPublicKeyId=key_id, Status="Inactive")
    listed = iam.list_ssh_public_keys(UserName=name)["SSHPublicKeys"]
    assert [(k["SSHPublicKeyId"], k["Status"]) for k in listed] == [(key_id, "Inactive")]
    assert refused(iam.delete_user, UserName=name) == ("DeleteConflict", 409)
    iam.delete_ssh_public_key(UserName=name, SSHPublicKeyId=key_id)
    assert refused(iam.get_ssh_public_key, UserName=name, SSHPublicKeyId=key_id, Encoding="SSH") == (
        "NoSuchEntity",
        404,
    )
    iam.delete_user(UserName=name)


def test_ssh_pem_upload_is_the_same_key(server: Server) -> None:
    iam = server.client("iam")
    name = new_user(server)
    up = iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=pem(RSA_KEYS[1]))["SSHPublicKey"]
    assert up["Fingerprint"] == md5_fingerprint(ssh_line(RSA_KEYS[1]))
    assert refused(iam.upload_ssh_public_key, UserName=name, SSHPublicKeyBody=ssh_line(RSA_KEYS[1], "again")) == (
        "DuplicateSSHPublicKey",
        400,
    )


def test_ssh_quota(server: Server) -> None:
    iam = server.client("iam")
    name = new_user(server)
    for key in RSA_KEYS[:5]:
        iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=ssh_line(key))
    assert refused(iam.upload_ssh_public_key, UserName=name, SSHPublicKeyBody=ssh_line(RSA_KEYS[5])) == (
        "LimitExceeded",
        409,
    )
    page = iam.list_ssh_public_keys(UserName=name, MaxItems=2)
    assert page["IsTruncated"] and len(page["SSHPublicKeys"]) == 2


HOSTILE_SSH_BODIES = {
    "garbage": "not a key at all",
    "truncated base64": ssh_line(RSA_KEYS[0])[:60],
    "bad base64": "ssh-rsa !!!!notbase64!!!!",
    "wrong type prefix": "ssh-rsa " + base64.b64encode(b"\x00\x00\x00\x07ssh-dss\x00").decode(),
    "short rsa": ssh_line(rsa.generate_private_key(public_exponent=65537, key_size=1024)),
    "ecdsa": ec.generate_private_key(ec.SECP256R1())
    .public_key()
    .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    .decode(),
    "private key": RSA_KEYS[0]
    .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    .decode(),
    "pem garbage": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    "huge": "ssh-rsa " + "A" * 16000,
}


@pytest.mark.parametrize("body", HOSTILE_SSH_BODIES.values(), ids=HOSTILE_SSH_BODIES.keys())
def test_ssh_hostile_bodies(server: Server, body: str) -> None:
    iam = server.client("iam")
    name = new_user(server)
    code, status = refused(iam.upload_ssh_public_key, UserName=name, SSHPublicKeyBody=body)
    assert status == 400 and code in ("InvalidPublicKey", "UnrecognizedPublicKeyEncoding")
    assert iam.list_ssh_public_keys(UserName=name)["SSHPublicKeys"] == []


def test_ssh_keys_need_permission(server: Server) -> None:
    target = new_user(server)
    user = make_user(server, policy=doc(allow("iam:ListSSHPublicKeys")))
    iam = server.client("iam", **user.creds.kwargs())
    assert iam.list_ssh_public_keys(UserName=target)["SSHPublicKeys"] == []
    assert refused(iam.upload_ssh_public_key, UserName=target, SSHPublicKeyBody=ssh_line(RSA_KEYS[2])) == (
        "AccessDenied",
        403,
    )


# --- signing certificates ----------------------------------------------------------------


def test_signing_certificate_lifecycle(server: Server) -> None:
    iam = server.client("iam")
    name = new_user(server)
    body = certificate()
    cert = iam.upload_signing_certificate(UserName=name, CertificateBody=body)["Certificate"]
    assert cert["UserName"] == name and cert["Status"] == "Active" and len(cert["CertificateId"]) >= 24
    assert x509.load_pem_x509_certificate(cert["CertificateBody"].encode()) == x509.load_pem_x509_certificate(
        body.encode()
    )
    assert refused(iam.upload_signing_certificate, UserName=name, CertificateBody=body) == ("DuplicateCertificate", 409)
    iam.update_signing_certificate(UserName=name, CertificateId=cert["CertificateId"], Status="Inactive")
    listed = iam.list_signing_certificates(UserName=name)["Certificates"]
    assert [(c["CertificateId"], c["Status"]) for c in listed] == [(cert["CertificateId"], "Inactive")]
    iam.upload_signing_certificate(UserName=name, CertificateBody=certificate(key=RSA_KEYS[1]))
    assert refused(iam.upload_signing_certificate, UserName=name, CertificateBody=certificate(key=RSA_KEYS[2])) == (
        "LimitExceeded",
        409,
    )
    assert refused(iam.delete_user, UserName=name) == ("DeleteConflict", 409)
    for c in iam.list_signing_certificates(UserName=name)["Certificates"]:
        iam.delete_signing_certificate(UserName=name, CertificateId=c["CertificateId"])
    iam.delete_user(UserName=name)


def test_root_signing_certificates_are_the_roots(server: Server) -> None:
    iam = server.client("iam")
    cert = iam.upload_signing_certificate(CertificateBody=certificate(key=RSA_KEYS[3]))["Certificate"]
    assert "UserName" not in cert
    assert cert["CertificateId"] in [c["CertificateId"] for c in iam.list_signing_certificates()["Certificates"]]
    iam.delete_signing_certificate(CertificateId=cert["CertificateId"])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("not a certificate", "MalformedCertificate"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "MalformedCertificate"),
        (certificate(days_from=-30, days_to=-1), "InvalidCertificate"),
        (certificate(days_from=2, days_to=30), "InvalidCertificate"),
    ],
    ids=["garbage", "pem garbage", "expired", "not yet valid"],
)
def test_signing_certificate_refusals(server: Server, body: str, code: str) -> None:
    iam = server.client("iam")
    name = new_user(server)
    assert refused(iam.upload_signing_certificate, UserName=name, CertificateBody=body) == (code, 400)


def test_aws_cli(server: Server) -> None:
    name = new_user(server)
    up = aws_cli(
        server, "iam", "upload-ssh-public-key", "--user-name", name, "--ssh-public-key-body", ssh_line(RSA_KEYS[4])
    )
    assert up.returncode == 0, up.stderr
    key_id = json.loads(up.stdout)["SSHPublicKey"]["SSHPublicKeyId"]
    got = aws_cli(
        server, "iam", "get-ssh-public-key", "--user-name", name, "--ssh-public-key-id", key_id, "--encoding", "SSH"
    )
    assert json.loads(got.stdout)["SSHPublicKey"]["SSHPublicKeyBody"] == ssh_line(RSA_KEYS[4])
    cert = aws_cli(
        server, "iam", "upload-signing-certificate", "--user-name", name, "--certificate-body", certificate()
    )
    assert cert.returncode == 0, cert.stderr
    bad = aws_cli(server, "iam", "upload-signing-certificate", "--user-name", name, "--certificate-body", "nope")
    assert bad.returncode != 0 and "MalformedCertificate" in bad.stderr
    # Status changes, listings and deletion, for both kinds, and their refusals.
    ssh = ("--user-name", name, "--ssh-public-key-id", key_id)
    assert aws_cli(server, "iam", "update-ssh-public-key", *ssh, "--status", "Inactive").returncode == 0
    listed = aws_cli(server, "iam", "list-ssh-public-keys", "--user-name", name)
    assert [k["Status"] for k in json.loads(listed.stdout)["SSHPublicKeys"]] == ["Inactive"], listed.stderr
    unknown = aws_cli(server, "iam", "update-ssh-public-key", "--user-name", name, "--ssh-public-key-id",
                      "APKA" + "A" * 17, "--status", "Active")  # fmt: skip
    assert unknown.returncode != 0 and "NoSuchEntity" in unknown.stderr
    assert aws_cli(server, "iam", "delete-ssh-public-key", *ssh).returncode == 0
    cert_id = json.loads(cert.stdout)["Certificate"]["CertificateId"]
    signing = ("--user-name", name, "--certificate-id", cert_id)
    assert aws_cli(server, "iam", "update-signing-certificate", *signing, "--status", "Inactive").returncode == 0
    listed = aws_cli(server, "iam", "list-signing-certificates", "--user-name", name)
    assert [c["Status"] for c in json.loads(listed.stdout)["Certificates"]] == ["Inactive"], listed.stderr
    assert aws_cli(server, "iam", "delete-signing-certificate", *signing).returncode == 0
    gone = aws_cli(server, "iam", "delete-signing-certificate", *signing)
    assert gone.returncode != 0 and "NoSuchEntity" in gone.stderr


def test_another_account_cannot_reach_them(server: Server) -> None:
    """The same user name in another account names another user: nothing of this one's is
    readable, changeable or deletable from there, even with its key and certificate ids."""
    name = new_user(server)
    iam = server.client("iam")
    key_id = iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=ssh_line(RSA_KEYS[0]))["SSHPublicKey"][
        "SSHPublicKeyId"
    ]
    cert_id = iam.upload_signing_certificate(UserName=name, CertificateBody=certificate(key=RSA_KEYS[1]))[
        "Certificate"
    ]["CertificateId"]
    _, other_key, other_secret = new_account(server)
    other = server.client("iam", aws_access_key_id=other_key, aws_secret_access_key=other_secret)
    other.create_user(UserName=name)
    assert refused(other.get_ssh_public_key, UserName=name, SSHPublicKeyId=key_id, Encoding="SSH") == (
        "NoSuchEntity",
        404,
    )
    assert refused(other.delete_ssh_public_key, UserName=name, SSHPublicKeyId=key_id) == ("NoSuchEntity", 404)
    assert refused(other.update_signing_certificate, UserName=name, CertificateId=cert_id, Status="Inactive") == (
        "NoSuchEntity",
        404,
    )
    assert other.list_ssh_public_keys(UserName=name)["SSHPublicKeys"] == []
    # Still there, unchanged, in the owner's account.
    assert iam.get_ssh_public_key(UserName=name, SSHPublicKeyId=key_id, Encoding="SSH")["SSHPublicKey"]["Status"] == (
        "Active"
    )
    assert iam.list_signing_certificates(UserName=name)["Certificates"][0]["Status"] == "Active"
