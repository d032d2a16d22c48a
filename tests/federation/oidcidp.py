"""An OpenID Connect issuer inside the tests: HTTPS on 127.0.0.1 with a self-signed
certificate (pinned by its SHA-1 thumbprint), discovery, a JWKS that can rotate, and
tokens signed with its keys."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import ssl
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey


def _self_signed() -> tuple[bytes, bytes, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem, hashlib.sha1(der).hexdigest()


class OidcIssuer:
    def __init__(self, path: str = "") -> None:
        cert_pem, key_pem, self.thumbprint = _self_signed()
        self._dir = tempfile.TemporaryDirectory()
        d = Path(self._dir.name)
        (d / "cert.pem").write_bytes(cert_pem)
        (d / "key.pem").write_bytes(key_pem)
        self.keys: list[RSAKey | ECKey] = [RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})]
        self.requests: list[str] = []
        self.fail = False
        #: JWKS entries served after the keys, as given (hostile documents).
        self.raw_keys: list[dict[str, Any]] = []
        #: Served instead of the JWKS when set.
        self.raw_jwks: bytes | None = None
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.requests.append(self.path)
                if issuer.fail:
                    self.send_response(503)
                    self.end_headers()
                    return
                if self.path == f"{path}/.well-known/openid-configuration":
                    body: Any = {"issuer": issuer.url, "jwks_uri": issuer.url + "/keys"}
                elif self.path == f"{path}/keys" and issuer.raw_jwks is not None:
                    body = None
                elif self.path == f"{path}/keys":
                    body = {"keys": [k.as_dict(private=False) for k in issuer.keys] + issuer.raw_keys}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = issuer.raw_jwks if body is None and issuer.raw_jwks is not None else json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}{path}"
        self.host_path = self.url[len("https://") :]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._dir.cleanup()

    def rotate(self, kid: str, *, keep_old: bool = False, alg: str = "RS256") -> None:
        new: RSAKey | ECKey = (
            RSAKey.generate_key(2048, parameters={"kid": kid, "alg": alg})
            if alg.startswith(("RS", "PS"))
            else ECKey.generate_key("P-256" if alg == "ES256" else "P-384", parameters={"kid": kid, "alg": alg})
        )
        self.keys = [*self.keys, new] if keep_old else [new]

    def token(
        self,
        *,
        sub: str = "user-123456",
        aud: str | list[str] = "client-1",
        lifetime: int = 600,
        now: float | None = None,
        key: RSAKey | ECKey | None = None,
        header: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        key = key or self.keys[-1]
        iat = int(now if now is not None else time.time())
        payload = {"iss": self.url, "sub": sub, "aud": aud, "iat": iat, "exp": iat + lifetime, **claims}
        alg = key.alg or "RS256"
        hdr = {"alg": alg, "kid": key.kid, "typ": "JWT", **(header or {})}
        return jwt.encode(hdr, payload, key, algorithms=[alg])
