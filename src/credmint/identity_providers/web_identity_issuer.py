"""Outbound identity federation: credmint as an OIDC issuer (GetWebIdentityToken).

Each account that turns the feature on gets an issuer URL on this server,
``<base>/_credmint/oidc/<account>``, with its discovery document at
``/.well-known/openid-configuration`` and its JWKS at ``/jwks.json`` (also at
``/.well-known/jwks.json``, where the IAM documentation says AWS publishes it), and two
signing keys, RS256 (RSA 2048) and ES384 (P-384). The private keys are stored sealed under
the master key in ``account_settings`` (no table of their own: no schema change), bound by
the associated data to the account and key id, so a sealed key copied elsewhere does not open.

Disabling the feature stops issuance but keeps the issuer and its keys published, so tokens
issued before stay verifiable until they expire (AWS: disabling "does not affect tokens
that were issued before").
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from sqlalchemy import insert, select, update

from credmint.sealing import MasterKey
from credmint.store import schema
from credmint.store.db import Store

SETTING = "outbound_web_identity_federation"
ALGORITHMS = ("RS256", "ES384")
#: The signed payload may not exceed this (JWTPayloadSizeExceededException past it; AWS's
#: own bound is undocumented).
MAX_PAYLOAD_BYTES = 8192
PATH_PREFIX = "/_credmint/oidc/"
_AAD = b"credmint:outbound-key:"
_PATH = re.compile(
    r"\A/_credmint/oidc/(\d{12})/(\.well-known/openid-configuration|jwks\.json|\.well-known/jwks\.json)\Z"
)


@dataclass(frozen=True)
class IssuerState:
    account_id: str
    enabled: bool
    issuer: str
    #: alg -> (kid, sealed private key PEM).
    keys: dict[str, tuple[str, bytes]]

    def to_json(self) -> str:
        return json.dumps(
            {
                "enabled": self.enabled,
                "issuer": self.issuer,
                "keys": {
                    alg: {"kid": kid, "sealed": base64.b64encode(sealed).decode()}
                    for alg, (kid, sealed) in self.keys.items()
                },
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, account_id: str, text: str) -> IssuerState:
        d = json.loads(text)
        return cls(
            account_id=account_id,
            enabled=bool(d["enabled"]),
            issuer=str(d["issuer"]),
            keys={alg: (str(v["kid"]), base64.b64decode(v["sealed"])) for alg, v in d["keys"].items()},
        )

    def private_key(self, master: MasterKey, alg: str) -> RSAKey | ECKey:
        kid, sealed = self.keys[alg]
        pem = master.open(sealed, _aad(self.account_id, kid))
        params = {"kid": kid, "alg": alg, "use": "sig"}
        if alg == "RS256":
            return RSAKey.import_key(pem, parameters=params)  # type: ignore[arg-type]
        return ECKey.import_key(pem, parameters=params)  # type: ignore[arg-type]

    def jwks(self, master: MasterKey) -> dict[str, Any]:
        return {"keys": [self.private_key(master, alg).as_dict(private=False) for alg in sorted(self.keys)]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": self.issuer + "/jwks.json",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": list(ALGORITHMS),
            "claims_supported": ["aud", "exp", "iat", "iss", "jti", "nbf", "sub", "https://sts.amazonaws.com/"],
        }


def _aad(account_id: str, kid: str) -> bytes:
    return _AAD + f"{account_id}/{kid}".encode("ascii")


def issuer_url(base_url: str, account_id: str) -> str:
    return f"{base_url.rstrip('/')}{PATH_PREFIX}{account_id}"


def new_state(master: MasterKey, account_id: str, base_url: str) -> IssuerState:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    keys: dict[str, tuple[str, bytes]] = {}
    for alg in ALGORITHMS:
        private = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if alg == "RS256"
            else ec.generate_private_key(ec.SECP384R1())
        )
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        kid = f"{alg.lower()}-{secrets.token_hex(8)}"
        keys[alg] = (kid, master.seal(pem, _aad(account_id, kid)))
    return IssuerState(account_id, True, issuer_url(base_url, account_id), keys)


# --- store ---------------------------------------------------------------------------------


def load(store: Store, account_id: str) -> IssuerState | None:
    s = schema.account_settings
    with store.read() as conn:
        value = conn.execute(
            select(s.c.value).where(s.c.account_id == account_id, s.c.name == SETTING)
        ).scalar_one_or_none()
    return IssuerState.from_json(account_id, value) if value is not None else None


def set_enabled(
    store: Store, master: MasterKey, account_id: str, base_url: str, enabled: bool
) -> tuple[IssuerState | None, bool]:
    """Turn the feature on or off. Returns (state, changed); the first enablement creates
    the issuer and its keys, later ones reuse them (tokens already issued stay verifiable)."""
    s = schema.account_settings
    with store.write() as conn:
        value = conn.execute(
            select(s.c.value).where(s.c.account_id == account_id, s.c.name == SETTING)
        ).scalar_one_or_none()
        if value is None:
            if not enabled:
                return None, False
            state = new_state(master, account_id, base_url)
            conn.execute(insert(s).values(account_id=account_id, name=SETTING, value=state.to_json()))
            return state, True
        state = IssuerState.from_json(account_id, value)
        if state.enabled == enabled:
            return state, False
        state = IssuerState(account_id, enabled, state.issuer, state.keys)
        conn.execute(update(s).where(s.c.account_id == account_id, s.c.name == SETTING).values(value=state.to_json()))
        return state, True


# --- tokens --------------------------------------------------------------------------------


class PayloadTooLarge(ValueError):
    pass


def mint_token(
    state: IssuerState,
    master: MasterKey,
    *,
    subject: str,
    audience: list[str],
    algorithm: str,
    now: datetime,
    duration: int,
    extra: dict[str, Any],
) -> tuple[str, datetime]:
    """A signed JWT for ``subject`` and its expiry."""
    iat = int(now.timestamp())
    expires = iat + duration
    claims: dict[str, Any] = {
        "iss": state.issuer,
        "sub": subject,
        "aud": audience[0] if len(audience) == 1 else audience,
        "iat": iat,
        "nbf": iat,
        "exp": expires,
        "jti": secrets.token_hex(16),
        **extra,
    }
    if len(json.dumps(claims, separators=(",", ":")).encode()) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge("payload too large")
    key = state.private_key(master, algorithm)
    header = {"alg": algorithm, "kid": key.kid, "typ": "JWT"}
    token = jwt.encode(header, claims, key, algorithms=[algorithm])
    return token, datetime.fromtimestamp(iat, now.tzinfo) + timedelta(seconds=duration)


# --- the published documents -----------------------------------------------------------------


def handle_internal(
    store: Store, master: MasterKey, method: str, path: str
) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
    """Serve ``/_credmint/oidc/<account>/...``; ``None`` for paths that are not these.
    Blocking (one store read): call it on a worker thread."""
    m = _PATH.match(path)
    if m is None:
        return None
    headers = [(b"content-type", b"application/json"), (b"cache-control", b"max-age=300")]
    if method not in ("GET", "HEAD"):
        return 405, [(b"allow", b"GET, HEAD"), *headers], b'{"error":"method not allowed"}'
    state = load(store, m.group(1))
    if state is None:
        return 404, headers, b'{"error":"not found"}'
    doc = state.discovery() if m.group(2).endswith("openid-configuration") else state.jwks(master)
    body = json.dumps(doc, separators=(",", ":")).encode()
    return 200, headers, b"" if method == "HEAD" else body
