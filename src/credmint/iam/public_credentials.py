"""IAM: the public halves users hand to IAM — SSH public keys and X.509 signing certificates.

Both are per-user lists with a status, checked on the way in with ``cryptography`` and
never trusted as text:

* **SSH public keys** (CodeCommit-style). IAM takes an ``ssh-rsa`` line or a PEM public
  key, RSA of at least 2048 bits (IAM User Guide, "Use SSH keys and SSH with
  CodeCommit"), and answers in either encoding (``Encoding=SSH|PEM``). The fingerprint is
  the MD5 digest of the key's SSH wire form in colon-separated hex, as ``ssh-keygen -E md5``
  prints it. The key is stored in its canonical SSH form, so a comment or a PEM wrapper
  does not make the same key a second one. At most 5 per user.
* **Signing certificates**: one PEM X.509 certificate each, parsed, refused when outside
  its validity period at upload; the same certificate twice for one user is
  ``DuplicateCertificate``. At most 2 per user; the root user (no ``UserName``, root
  credentials) has its own.

Texts of the refusals are IAM's where known; those marked unconfirmed are not published.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.hashes import SHA256
from sqlalchemy import Connection, Row, delete, insert, select, update

from credmint import ids
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, owned_by, paginate, settable_status
from credmint.iam.entities import USER
from credmint.iam.ops import OPERATIONS
from credmint.iam.user_credentials import CredentialType
from credmint.iam.users import target_user
from credmint.store import schema

#: IAM quotas (IAM User Guide, "IAM and AWS STS quotas").
MAX_SSH_KEYS_PER_USER = 5
MAX_SIGNING_CERTIFICATES_PER_USER = 2
#: IAM takes RSA SSH keys of at least this many bits.
MIN_RSA_BITS = 2048

sk = schema.ssh_public_keys
sc = schema.signing_certificates


# --- SSH public keys --------------------------------------------------------------------


def parse_ssh_public_key(body: str) -> rsa.RSAPublicKey:
    """The RSA key in an ``ssh-rsa`` line or a PEM public key (``InvalidPublicKey`` /
    ``UnrecognizedPublicKeyEncoding`` otherwise)."""
    text = body.strip()
    raw = text.encode("latin-1")
    try:
        if text.startswith("-----BEGIN"):
            key: Any = serialization.load_pem_public_key(raw)
        elif text.startswith("ssh-"):
            key = serialization.load_ssh_public_key(raw)
        else:
            # Unconfirmed wording.
            raise iam_errors.UnrecognizedPublicKeyEncoding.key_format()
    except (ValueError, UnsupportedAlgorithm, binascii.Error, TypeError):
        raise iam_errors.InvalidPublicKey() from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        raise iam_errors.InvalidPublicKey()
    return key


def ssh_line(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode("ascii")


def fingerprint(key: rsa.RSAPublicKey) -> str:
    blob = base64.b64decode(ssh_line(key).split()[1])
    return ":".join(f"{b:02x}" for b in hashlib.md5(blob, usedforsecurity=False).digest())


def _ssh_view(row: Row[Any], user_name: str, encoding: str) -> dict[str, Any]:
    body: str = row.body
    if encoding == "PEM":
        key = serialization.load_ssh_public_key(body.encode("ascii"))
        body = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return {
        "UserName": user_name,
        "SSHPublicKeyId": row.key_id,
        "Fingerprint": row.fingerprint,
        "SSHPublicKeyBody": body,
        "Status": row.status,
        "UploadDate": row.uploaded_at,
    }


def _ssh_row(conn: Connection, user_id: str, key_id: str) -> Row[Any]:
    row = conn.execute(select(sk).where(sk.c.key_id == key_id, sk.c.user_id == user_id)).first()
    if row is None:
        # Unconfirmed wording.
        raise iam_errors.NoSuchEntity.public_key(key_id)
    return row


@operation(OPERATIONS, "UploadSSHPublicKey")
def upload_ssh_public_key(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        user = USER.authorized(call, conn, "iam:UploadSSHPublicKey", call.params["UserName"])
        key = parse_ssh_public_key(call.params["SSHPublicKeyBody"])
        line, print_ = ssh_line(key), fingerprint(key)
        mine = conn.execute(select(sk.c.fingerprint).where(sk.c.user_id == user.user_id)).scalars().all()
        if print_ in mine:
            # Unconfirmed wording.
            raise iam_errors.DuplicateSSHPublicKey()
        if len(mine) >= MAX_SSH_KEYS_PER_USER:
            raise iam_errors.LimitExceeded.quota("PublicKeysPerUser", MAX_SSH_KEYS_PER_USER)
        key_id = ids.new_unique_id("APKA")
        conn.execute(
            insert(sk).values(
                key_id=key_id,
                account_id=account_of(call),
                user_id=user.user_id,
                body=line,
                fingerprint=print_,
                status="Active",
                uploaded_at=call.now,
            )
        )
        row = _ssh_row(conn, user.user_id, key_id)
    return {"SSHPublicKey": _ssh_view(row, user.name, "SSH")}


@operation(OPERATIONS, "GetSSHPublicKey")
def get_ssh_public_key(call: Call) -> Mapping[str, Any] | None:
    encoding: str = call.params["Encoding"]
    if encoding not in ("SSH", "PEM"):
        raise iam_errors.UnrecognizedPublicKeyEncoding.encoding(encoding)
    with call.store.read() as conn:
        user = USER.authorized(call, conn, "iam:GetSSHPublicKey", call.params["UserName"])
        row = _ssh_row(conn, user.user_id, call.params["SSHPublicKeyId"])
    return {"SSHPublicKey": _ssh_view(row, user.name, encoding)}


@operation(OPERATIONS, "ListSSHPublicKeys")
def list_ssh_public_keys(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        user = target_user(call, conn, "iam:ListSSHPublicKeys")
        if user is None:  # the root user has no SSH public keys
            return {"SSHPublicKeys": [], "IsTruncated": False}
        rows = conn.execute(
            select(sk).where(sk.c.user_id == user.user_id).order_by(sk.c.uploaded_at, sk.c.key_id)
        ).all()
    page, more = paginate(rows, call.params)
    return {
        "SSHPublicKeys": [
            {"UserName": user.name, "SSHPublicKeyId": r.key_id, "Status": r.status, "UploadDate": r.uploaded_at}
            for r in page
        ],
        **more,
    }


@operation(OPERATIONS, "UpdateSSHPublicKey")
def update_ssh_public_key(call: Call) -> Mapping[str, Any] | None:
    status = settable_status(call.params["Status"])
    with call.store.write() as conn:
        user = USER.authorized(call, conn, "iam:UpdateSSHPublicKey", call.params["UserName"])
        row = _ssh_row(conn, user.user_id, call.params["SSHPublicKeyId"])
        conn.execute(update(sk).where(sk.c.key_id == row.key_id).values(status=status))
    return None


@operation(OPERATIONS, "DeleteSSHPublicKey")
def delete_ssh_public_key(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        user = USER.authorized(call, conn, "iam:DeleteSSHPublicKey", call.params["UserName"])
        row = _ssh_row(conn, user.user_id, call.params["SSHPublicKeyId"])
        conn.execute(delete(sk).where(sk.c.key_id == row.key_id))
    return None


# --- signing certificates ----------------------------------------------------------------


def parse_certificate(body: str, now: datetime) -> x509.Certificate:
    """One PEM X.509 certificate, valid at ``now``."""
    try:
        cert = x509.load_pem_x509_certificate(body.strip().encode("latin-1"))
    except (ValueError, TypeError):
        # Unconfirmed wording.
        raise iam_errors.MalformedCertificate.signing_certificate() from None
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        # Unconfirmed wording.
        raise iam_errors.InvalidCertificate()
    return cert


def _cert_view(row: Row[Any], user: Row[Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "CertificateId": row.certificate_id,
        "CertificateBody": row.body,
        "Status": row.status,
        "UploadDate": row.uploaded_at,
    }
    if user is not None:  # the root user's certificates carry no user name, as its access keys
        out["UserName"] = user.name
    return out


SIGNING_CERTIFICATES = CredentialType(
    sc,
    "certificate_id",
    "CertificateId",
    "uploaded_at",
    iam_errors.NoSuchEntity.signing_certificate,
    "SigningCertificate",
)


@operation(OPERATIONS, "UploadSigningCertificate")
def upload_signing_certificate(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    body: str = call.params["CertificateBody"]
    with call.store.write() as conn:
        user = target_user(call, conn, "iam:UploadSigningCertificate")
        cert = parse_certificate(body, call.now)
        digest = cert.fingerprint(SHA256()).hex()
        mine = conn.execute(select(sc.c.sha256).where(owned_by(sc, account_id, user))).scalars().all()
        if digest in mine:
            # Unconfirmed wording.
            raise iam_errors.DuplicateCertificate()
        if len(mine) >= MAX_SIGNING_CERTIFICATES_PER_USER:
            raise iam_errors.LimitExceeded.quota("CertificatesPerUser", MAX_SIGNING_CERTIFICATES_PER_USER)
        certificate_id = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
        conn.execute(
            insert(sc).values(
                certificate_id=certificate_id,
                account_id=account_id,
                user_id=None if user is None else user.user_id,
                body=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                sha256=digest,
                status="Active",
                uploaded_at=call.now,
            )
        )
        row = SIGNING_CERTIFICATES.owned(conn, account_id, user, certificate_id)
    return {"Certificate": _cert_view(row, user)}


@operation(OPERATIONS, "ListSigningCertificates")
def list_signing_certificates(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    with call.store.read() as conn:
        user = target_user(call, conn, "iam:ListSigningCertificates")
        rows = SIGNING_CERTIFICATES.listed(conn, account_id, user)
    page, more = paginate(rows, call.params)
    return {"Certificates": [_cert_view(r, user) for r in page], **more}


SIGNING_CERTIFICATES.register_update_and_delete()
