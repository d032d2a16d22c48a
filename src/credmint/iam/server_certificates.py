"""IAM: server certificates (the certificates IAM keeps for load balancers and CloudFront).

Upload checks what IAM checks, with ``cryptography``: the body is one PEM X.509
certificate, the chain is PEM certificates, the private key is an unencrypted PEM RSA or
EC key **that matches the certificate's public key** (``KeyPairMismatch`` otherwise). The
private key is sealed under the master key, bound to the certificate's id, and never
returned by any operation. ``Expiration`` is the certificate's ``notAfter``. Names are
unique per account whatever the path; at most 20 per account (IAM's default quota).
Refusal texts not published by AWS are marked unconfirmed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import Connection, Row, delete, func, insert, select, update

from credmint import arns, ids
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import (
    account_of,
    authorize,
    paginate,
    put_tags,
    register_tag_operations,
    tags_param,
)
from credmint.iam.entities import SERVER_CERTIFICATE
from credmint.iam.ops import OPERATIONS
from credmint.store import schema
from credmint.store.tags import drop_all_tags, get_tags

MAX_SERVER_CERTIFICATES = 20
_KEY_AAD = b"credmint:server-certificate-key:"

t = schema.server_certificates


def parse_certificate(body: str, what: str = "certificate body") -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(body.strip().encode("latin-1"))
    except (ValueError, TypeError):
        raise iam_errors.MalformedCertificate.unparsable(what) from None


def parse_chain(text: str) -> list[x509.Certificate]:
    try:
        chain = x509.load_pem_x509_certificates(text.strip().encode("latin-1"))
    except (ValueError, TypeError):
        raise iam_errors.MalformedCertificate.unparsable("certificate chain") from None
    return chain


def parse_private_key(text: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(text.strip().encode("latin-1"), password=None)
    except (ValueError, TypeError):
        # An encrypted key also lands here: IAM takes unencrypted keys only.
        raise iam_errors.MalformedCertificate.unparsable("private key") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise iam_errors.MalformedCertificate.unparsable("private key")
    return key


def _same_public_key(cert: x509.Certificate, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bool:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return bool(cert.public_key().public_bytes(*spki) == key.public_key().public_bytes(*spki))


def _metadata(row: Row[Any]) -> dict[str, Any]:
    return {
        "Path": row.path,
        "ServerCertificateName": row.name,
        "ServerCertificateId": row.server_certificate_id,
        "Arn": row.arn,
        "UploadDate": row.uploaded_at,
        "Expiration": row.expires_at,
    }


@operation(OPERATIONS, "UploadServerCertificate")
def upload_server_certificate(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    account_id = account_of(call)
    name: str = p["ServerCertificateName"]
    path: str = p.get("Path") or "/"
    arn = arns.server_certificate(account_id, path, name)
    authorize(call, "iam:UploadServerCertificate", arn)
    tags = tags_param(p)
    cert = parse_certificate(p["CertificateBody"])
    key = parse_private_key(p["PrivateKey"])
    chain = parse_chain(p["CertificateChain"]) if p.get("CertificateChain") else []
    if not _same_public_key(cert, key):
        # Unconfirmed wording.
        raise iam_errors.KeyPairMismatch()
    cert_id = ids.new_unique_id("ASCA")
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with call.store.write() as conn:
        if SERVER_CERTIFICATE.find(conn, account_id, name) is not None:
            raise iam_errors.EntityAlreadyExists.server_certificate(name)
        count = conn.execute(select(func.count()).select_from(t).where(t.c.account_id == account_id)).scalar_one()
        if count >= MAX_SERVER_CERTIFICATES:
            raise iam_errors.LimitExceeded.quota("ServerCertificatesPerAccount", MAX_SERVER_CERTIFICATES)
        conn.execute(
            insert(t).values(
                server_certificate_id=cert_id,
                account_id=account_id,
                name=name,
                path=path,
                arn=arn,
                body=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                chain="".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in chain) or None,
                key_sealed=call.master.seal(private_pem, _KEY_AAD + cert_id.encode()),
                uploaded_at=call.now,
                expires_at=cert.not_valid_after_utc,
            )
        )
        if tags:
            put_tags(conn, cert_id, tags)
        row = conn.execute(select(t).where(t.c.server_certificate_id == cert_id)).one()
    out: dict[str, Any] = {"ServerCertificateMetadata": _metadata(row)}
    if tags:
        out["Tags"] = tags
    return out


@operation(OPERATIONS, "GetServerCertificate")
def get_server_certificate(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        name = call.params["ServerCertificateName"]
        row = SERVER_CERTIFICATE.authorized(call, conn, "iam:GetServerCertificate", name)
        tags = get_tags(conn, row.server_certificate_id)
    out: dict[str, Any] = {"ServerCertificateMetadata": _metadata(row), "CertificateBody": row.body, "Tags": tags}
    if row.chain:
        out["CertificateChain"] = row.chain
    return {"ServerCertificate": out}


@operation(OPERATIONS, "ListServerCertificates")
def list_server_certificates(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    prefix: str = call.params.get("PathPrefix") or "/"
    authorize(call, "iam:ListServerCertificates", "*")
    with call.store.read() as conn:
        rows = conn.execute(select(t).where(t.c.account_id == account_id).order_by(t.c.name)).all()
    matching = [r for r in rows if r.path.startswith(prefix)]
    page, more = paginate(matching, call.params)
    return {"ServerCertificateMetadataList": [_metadata(r) for r in page], **more}


@operation(OPERATIONS, "UpdateServerCertificate")
def update_server_certificate(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    account_id = account_of(call)
    with call.store.write() as conn:
        row = SERVER_CERTIFICATE.authorized(call, conn, "iam:UpdateServerCertificate", p["ServerCertificateName"])
        new_name: str = p.get("NewServerCertificateName") or row.name
        new_path: str = p.get("NewPath") or row.path
        new_arn = arns.server_certificate(account_id, new_path, new_name)
        # IAM authorizes a rename on the new name too.
        authorize(call, "iam:UpdateServerCertificate", new_arn)
        clash = SERVER_CERTIFICATE.find(conn, account_id, new_name)
        if clash is not None and clash.server_certificate_id != row.server_certificate_id:
            raise iam_errors.EntityAlreadyExists.server_certificate(new_name)
        conn.execute(
            update(t)
            .where(t.c.server_certificate_id == row.server_certificate_id)
            .values(name=new_name, path=new_path, arn=new_arn)
        )
    return None


@operation(OPERATIONS, "DeleteServerCertificate")
def delete_server_certificate(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        name = call.params["ServerCertificateName"]
        row = SERVER_CERTIFICATE.authorized(call, conn, "iam:DeleteServerCertificate", name)
        drop_all_tags(conn, row.server_certificate_id)
        conn.execute(delete(t).where(t.c.server_certificate_id == row.server_certificate_id))
    return None


def _tagged(call: Call, conn: Connection, action: str) -> str:
    row = SERVER_CERTIFICATE.authorized(call, conn, action, call.params["ServerCertificateName"])
    return str(row.server_certificate_id)


register_tag_operations("ServerCertificate", _tagged)
