"""TLS for the endpoint: the operator's certificate, or a self-signed one for a first try.

Every STS answer carries a secret access key and a session token, so an endpoint reached
over a network should speak HTTPS. Three ways, checked before the server starts
(:func:`server_options` turns them into uvicorn's ``ssl_*`` options, or raises
:class:`TlsError` with a message naming the file):

=====================================  ==============================================
settings                               served
=====================================  ==============================================
none                                   plain HTTP (``aws:SecureTransport`` is false)
``tls_cert`` + ``tls_key``             HTTPS with the operator's PEM chain and key
``tls_self_signed``                    HTTPS with a certificate from a local CA made
                                       here, in ``<data-dir>/tls/``
``tls_client_ca`` (with either)        and every client must present a certificate
                                       that CA signed (mutual TLS)
=====================================  ==============================================

The self-signed pair (:func:`ensure_self_signed`) is a CA and a server certificate for
``localhost``, ``127.0.0.1``, ``::1`` and the bound host. It is made once and reused while
the server certificate has more than :data:`RENEW_BEFORE` left, covers the names asked for
and still chains to the CA; otherwise a new server certificate is issued by the same CA (a
new CA only when the CA itself is missing, unreadable or near its end), so clients that
trust the CA file keep working across restarts. Private keys are written mode 0600.

Time is passed in (``now``) so that the reuse rules are tested without waiting.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from credmint.settings import Settings

#: Lifetimes of what :func:`ensure_self_signed` makes, and how early it renews them.
CA_LIFETIME = timedelta(days=3650)
SERVER_LIFETIME = timedelta(days=397)
RENEW_BEFORE = timedelta(days=30)

#: Names every self-signed server certificate covers, besides the bound host.
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")

#: Bind addresses that mean "every interface": not a name a client connects to, so the
#: machine's host name is added instead.
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - compared with, not bound to


class TlsError(Exception):
    """TLS settings that cannot be served; the message names the setting or file."""


@dataclass(frozen=True)
class SelfSigned:
    ca_cert: Path
    cert: Path
    key: Path


@dataclass(frozen=True)
class Issued:
    """A certificate and its key, as PEM."""

    cert_pem: bytes
    key_pem: bytes


def server_options(settings: Settings, now: datetime) -> dict[str, Any]:
    """uvicorn's ``ssl_*`` keyword arguments for these settings ({} for plain HTTP)."""
    cert, key = settings.tls_cert, settings.tls_key
    if settings.tls_self_signed:
        if cert is not None or key is not None:
            raise TlsError("tls_self_signed and tls_cert/tls_key exclude each other: choose one")
        made = ensure_self_signed(settings.data_dir / "tls", host_names(settings.host), now)
        cert, key = made.cert, made.key
    if (cert is None) != (key is None):
        raise TlsError("tls_cert and tls_key go together: give both (PEM files) or neither")
    if cert is None or key is None:
        if settings.tls_client_ca is not None:
            raise TlsError("tls_client_ca needs TLS: give tls_cert and tls_key, or tls_self_signed")
        return {}
    check_server_files(cert, key, settings.tls_client_ca)
    options: dict[str, Any] = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    if settings.tls_client_ca is not None:
        options["ssl_ca_certs"] = str(settings.tls_client_ca)
        options["ssl_cert_reqs"] = ssl.CERT_REQUIRED
    return options


def check_server_files(cert: Path, key: Path, client_ca: Path | None) -> None:
    """Load the files as the server will, so a wrong one is reported by name, not a traceback."""
    for path in (cert, key, client_ca):
        if path is not None and not path.is_file():
            raise TlsError(f"{path}: no such file")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as exc:
        raise TlsError(f"{cert} / {key}: not a usable PEM certificate chain and matching key ({exc})") from None
    if client_ca is not None:
        try:
            context.load_verify_locations(cafile=client_ca)
        except (ssl.SSLError, OSError) as exc:
            raise TlsError(f"{client_ca}: not a usable PEM CA bundle ({exc})") from None


def host_names(bound: str) -> list[str]:
    """The names a self-signed certificate covers for a server bound to ``bound``."""
    names = list(LOCAL_NAMES)
    extra = socket.gethostname() if bound.strip("[]") in _WILDCARDS else bound.strip("[]")
    if extra and extra not in names:
        names.append(extra)
    return names


def ensure_self_signed(directory: Path, names: Sequence[str], now: datetime) -> SelfSigned:
    """The CA and server certificate in ``directory``, made or renewed as needed."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = SelfSigned(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    ca_key_path = directory / "ca.key"
    ca = _load(paths.ca_cert, ca_key_path)
    if ca is None or not _valid(ca[0], now, ()):
        ca_pem = issue_ca("credmint local CA", now)
        _write(ca_key_path, ca_pem.key_pem, 0o600)
        _write(paths.ca_cert, ca_pem.cert_pem, 0o644)
        ca = _load(paths.ca_cert, ca_key_path)
        assert ca is not None
        server = None
    else:
        server = _load(paths.cert, paths.key)
    ca_cert, ca_key = ca
    if server is None or not _valid(server[0], now, names) or not _signed_by(server[0], ca_cert):
        issued = issue(ca_cert, ca_key, names, now, client=False)
        _write(paths.key, issued.key_pem, 0o600)
        _write(paths.cert, issued.cert_pem, 0o644)
    return paths


def issue_ca(common_name: str, now: datetime) -> Issued:
    """A new CA certificate and key (EC P-256)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def issue(
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    names: Iterable[str],
    now: datetime,
    *,
    client: bool,
) -> Issued:
    """A leaf certificate for ``names`` (DNS names or IP addresses) signed by the CA: a server
    certificate, or with ``client`` one for mutual TLS."""
    key = ec.generate_private_key(ec.SECP256R1())
    names = list(names)
    alt: list[x509.GeneralName] = []
    for n in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(n)))
        except ValueError:
            alt.append(x509.DNSName(n))
    public = key.public_key()
    usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(min(now + SERVER_LIFETIME, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return Issued(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load(cert_path: Path, key_path: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    """A certificate and its EC key from PEM files; None when either is missing or unusable."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        return None
    return cert, key


def _valid(cert: x509.Certificate, now: datetime, names: Sequence[str]) -> bool:
    """In its validity period with :data:`RENEW_BEFORE` to spare, and covering ``names``."""
    if not (cert.not_valid_before_utc <= now and now + RENEW_BEFORE < cert.not_valid_after_utc):
        return False
    if not names:
        return True
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    covered = {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    covered.update(san.get_values_for_type(x509.DNSName))
    wanted = set()
    for n in names:
        try:
            wanted.add(str(ipaddress.ip_address(n)))
        except ValueError:
            wanted.add(n)
    return wanted <= covered


def _signed_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _write(path: Path, data: bytes, mode: int) -> None:
    """Replace ``path`` atomically; the file is created with ``mode`` (keys are never readable
    by others, not even for a moment)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, mode)  # the umask may have narrowed a public certificate's mode
    os.replace(tmp, path)
