"""Workload identity providers as issuers: their stored form, their signing keys, the
trust bundles and OIDC documents they publish, and the rotation of their JWT keys.

Shared by the IAM operations that manage providers (``iam/workload_identity.py``) and
the STS operations that issue from them (``sts/workload_identity.py``, which imports IAM, never
the other way round); the SPIFFE
formats themselves are the pure :mod:`credmint.federation.spiffe`.

Keys. Every private key (a JWT signing key, an X.509 signer's CA key) is sealed under
the master key with the signer id as associated data, so a sealed key moved to another
row does not open. The public half is stored beside it (``public_material``: the CA
certificate, or the public JWK), so publishing a bundle opens no key.

JWT signers: one per algorithm credmint signs JWTs with (RS256 and ES384, as
GetWebIdentityToken), created with the provider and rotated by credmint
(:func:`rotate_jwt_keys`, run when a JWT-SVID is requested): once the signing key is
older than :data:`JWT_ROTATION`, a new key is *published* at once but signs only after
:data:`JWT_PUBLISH_LEAD`, and the old key stops signing when the new one starts and stays
published for :data:`JWT_KEEP_PUBLISHED` longer (the longest JWT-SVID lifetime), so every
token it signed can still be verified while it is valid. The rotation is a conditional
write (the old key's ``end_at`` is set only if still unset), so two nodes rotating at once
make one new key, and the loser's key is deleted by the same transaction.

X.509 signers are CAs credmint holds for the operator: AWS attaches an AWS Private CA
named by ``CertificateAuthorityId`` and ``AccountId``; credmint has no Private CA service,
so the first attach of an id creates a root CA under that name (key algorithm from
:func:`ca_key_algorithm`), kept sealed like the JWT keys.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from sqlalchemy import Connection, Row, and_, delete, insert, select, update

from credmint.federation import spiffe
from credmint.sealing import MasterKey
from credmint.store import schema
from credmint.store.db import Store

#: JWS algorithm -> (the key algorithm IAM reports for it, how to make the key).
JWT_ALGORITHMS: dict[str, tuple[str, spiffe.KeyAlgorithm]] = {
    "RS256": ("RSA_2048", spiffe.KEY_ALGORITHMS["RSA_2048"]),
    "ES384": ("ECC_NIST_P384", spiffe.KEY_ALGORITHMS["EC_secp384r1"]),
}
#: A JWT key signs for this long before credmint rotates it.
JWT_ROTATION = timedelta(days=30)
#: A new JWT key is published this long before it signs, so relying parties that refresh
#: the bundle at its hint (:data:`REFRESH_HINT_SECONDS`) see it first.
JWT_PUBLISH_LEAD = timedelta(hours=1)
#: The longest JWT-SVID lifetime (GetWebIdentityToken's DurationSeconds bound).
JWT_KEEP_PUBLISHED = timedelta(seconds=3600)
#: A stopped X.509 signer stays published this long (IAM: "trust material published for
#: 12 hours"), the longest X.509-SVID lifetime.
X509_KEEP_PUBLISHED = timedelta(hours=12)
#: spiffe_refresh_hint of the bundles: five minutes, well inside JWT_PUBLISH_LEAD.
REFRESH_HINT_SECONDS = 300
#: Lifetime of a CA credmint creates for an X.509 signer.
CA_DAYS = 3650
PATH_PREFIX = "/_credmint/workload-identity/"
_KEY_AAD = b"credmint:workload-signer:"
_PATH = re.compile(
    r"\A/_credmint/workload-identity/(AWP[AO][A-Z0-9]{16,29})/"
    r"(\.well-known/openid-configuration|jwks\.json|bundle)\Z"
)


@dataclass(frozen=True, slots=True)
class Provider:
    provider_id: str
    arn: str
    owner_account_id: str
    scope: str
    org_id: str | None
    name: str
    description: str | None
    scheme: str
    domain: str | None
    resource_policy: str | None
    issuer: str
    created_at: datetime

    @classmethod
    def of(cls, row: Row[Any]) -> Provider:
        return cls(
            row.provider_id,
            row.arn,
            row.owner_account_id,
            row.scope,
            row.org_id,
            row.name,
            row.description,
            row.scheme,
            row.domain,
            row.resource_policy,
            row.issuer,
            row.created_at,
        )

    @property
    def bundle_endpoint(self) -> str:
        return f"{self.issuer}/bundle"


@dataclass(frozen=True, slots=True)
class Signer:
    signer_id: str
    provider_id: str
    signer_type: str
    algorithm: str
    ca_id: str | None
    ca_account_id: str | None
    key_sealed: bytes
    public_material: str
    start_at: datetime
    end_at: datetime | None
    discovery_end_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, row: Row[Any]) -> Signer:
        return cls(
            row.signer_id,
            row.provider_id,
            row.signer_type,
            row.algorithm,
            row.ca_id,
            row.ca_account_id,
            bytes(row.key_sealed),
            row.public_material,
            _utc(row.start_at),
            _utc(row.end_at) if row.end_at is not None else None,
            _utc(row.discovery_end_at) if row.discovery_end_at is not None else None,
            _utc(row.created_at),
        )

    def status(self, now: datetime) -> spiffe.SignerStatus:
        return spiffe.signer_status(self.start_at, self.end_at, self.discovery_end_at, now)

    def private_key(self, master: MasterKey) -> spiffe.PrivateKey:
        return spiffe.load_private_key(master.open(self.key_sealed, _KEY_AAD + self.signer_id.encode()))

    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.public_material.encode("ascii"))

    @property
    def key_algorithm(self) -> str:
        return JWT_ALGORITHMS[self.algorithm][0] if self.signer_type == "JWT" else self.algorithm


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def new_id(prefix: str) -> str:
    """An IAM-style unique id: the prefix and 17 characters of ``[A-Z0-9]``."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(17))


def issuer_url(base_url: str, provider_id: str) -> str:
    return f"{base_url.rstrip('/')}{PATH_PREFIX}{provider_id}"


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    template_id: str
    arn: str
    owner_account_id: str
    scope: str
    name: str
    description: str | None
    provider_id: str
    path_prefix: str | None
    path_pattern: str
    attestation_policy: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: Row[Any]) -> Template:
        return cls(
            row.template_id,
            row.arn,
            row.owner_account_id,
            row.scope,
            row.name,
            row.description,
            row.provider_id,
            row.path_prefix,
            row.path_pattern,
            row.attestation_policy,
            row.created_at,
        )


def template_by_arn(conn: Connection, arn: str) -> Template | None:
    t = schema.workload_identity_templates
    row = conn.execute(select(t).where(t.c.arn == arn)).first()
    return Template.of(row) if row is not None else None


def provider_by_arn(conn: Connection, arn: str) -> Provider | None:
    t = schema.workload_identity_providers
    row = conn.execute(select(t).where(t.c.arn == arn)).first()
    return Provider.of(row) if row is not None else None


def provider_by_id(conn: Connection, provider_id: str) -> Provider | None:
    t = schema.workload_identity_providers
    row = conn.execute(select(t).where(t.c.provider_id == provider_id)).first()
    return Provider.of(row) if row is not None else None


def signers_of(conn: Connection, provider_id: str) -> list[Signer]:
    t = schema.workload_identity_signers
    rows = conn.execute(
        select(t).where(t.c.provider_id == provider_id).order_by(t.c.signer_type, t.c.created_at, t.c.signer_id)
    ).all()
    return [Signer.of(r) for r in rows]


def signing(signers: Sequence[Signer], signer_type: str, now: datetime, algorithm: str | None = None) -> Signer | None:
    """The signer of ``signer_type`` (and JWT ``algorithm``) that signs at ``now``: the
    most recently started ACTIVE one."""
    found = [
        s
        for s in signers
        if s.signer_type == signer_type
        and (algorithm is None or s.algorithm == algorithm)
        and spiffe.signs(s.status(now))
    ]
    return max(found, key=lambda s: s.start_at) if found else None


# --- creating keys -------------------------------------------------------------------------


def _seal(master: MasterKey, signer_id: str, key: spiffe.PrivateKey) -> bytes:
    return master.seal(spiffe.private_key_pem(key), _KEY_AAD + signer_id.encode())


def new_jwt_signer(
    master: MasterKey, provider_id: str, algorithm: str, start: datetime, now: datetime
) -> dict[str, Any]:
    """The row of a new JWT signing key for ``algorithm``."""
    signer_id = new_id("AWSJ")
    key = JWT_ALGORITHMS[algorithm][1].generate()
    return {
        "signer_id": signer_id,
        "provider_id": provider_id,
        "signer_type": "JWT",
        "algorithm": algorithm,
        "ca_id": None,
        "ca_account_id": None,
        "key_sealed": _seal(master, signer_id, key),
        "public_material": json.dumps(spiffe.public_jwk(key.public_key()), separators=(",", ":")),
        "start_at": start,
        "end_at": None,
        "discovery_end_at": None,
        "created_at": now,
    }


def ca_key_algorithm(ca_id: str) -> spiffe.KeyAlgorithm:
    """The key algorithm of the CA credmint creates for ``ca_id``: the one the id names
    (``payments-EC_secp384r1``, any case), else ``EC_prime256v1``. AWS reads it from the
    Private CA; credmint has no other place to learn it."""
    lowered = ca_id.lower()
    for name, algorithm in spiffe.KEY_ALGORITHMS.items():
        if name.lower() in lowered:
            return algorithm
    return spiffe.KEY_ALGORITHMS["EC_prime256v1"]


def new_x509_signer(
    master: MasterKey, provider: Provider, ca_id: str, ca_account_id: str, start: datetime, now: datetime
) -> dict[str, Any]:
    """The row of a new X.509 signer: a new root CA named for ``ca_id``."""
    signer_id = new_id("AWSX")
    algorithm = ca_key_algorithm(ca_id)
    key, cert = spiffe.new_ca(algorithm, f"credmint workload identity CA {ca_id}", provider.domain, now, CA_DAYS)
    return {
        "signer_id": signer_id,
        "provider_id": provider.provider_id,
        "signer_type": "X509",
        "algorithm": algorithm.name,
        "ca_id": ca_id,
        "ca_account_id": ca_account_id,
        "key_sealed": _seal(master, signer_id, key),
        "public_material": spiffe.pem(cert),
        "start_at": start,
        "end_at": None,
        "discovery_end_at": None,
        "created_at": now,
    }


def rotate_jwt_keys(store: Store, master: MasterKey, provider_id: str, now: datetime) -> bool:
    """Start a rotation of every JWT key that has signed for :data:`JWT_ROTATION` and has
    no successor yet; drop keys no longer published. True if anything changed."""
    t = schema.workload_identity_signers
    with store.read() as conn:
        current = signers_of(conn, provider_id)
    due = [s for s in current if s.signer_type == "JWT" and s.end_at is None and s.start_at + JWT_ROTATION <= now]
    retired = [s for s in current if s.signer_type == "JWT" and s.status(now) is spiffe.SignerStatus.INACTIVE]
    if not due and not retired:
        return False
    with store.write() as conn:
        for old in due:
            start = now + JWT_PUBLISH_LEAD
            row = new_jwt_signer(master, provider_id, old.algorithm, start, now)
            conn.execute(insert(t).values(**row))
            claimed = conn.execute(
                update(t)
                .where(and_(t.c.signer_id == old.signer_id, t.c.end_at.is_(None)))
                .values(end_at=start, discovery_end_at=start + JWT_KEEP_PUBLISHED)
            ).rowcount
            if claimed != 1:
                # Another node rotated this key first: its successor stands, not ours.
                conn.execute(delete(t).where(t.c.signer_id == row["signer_id"]))
        if retired:
            conn.execute(delete(t).where(t.c.signer_id.in_([s.signer_id for s in retired])))
    return True


# --- publishing ----------------------------------------------------------------------------


def bundle_keys(signers: Sequence[Signer], now: datetime) -> list[dict[str, Any]]:
    """The keys a trust bundle publishes at ``now``: every signer not INACTIVE."""
    keys: list[dict[str, Any]] = []
    for s in signers:
        if not spiffe.published(s.status(now)):
            continue
        if s.signer_type == "X509":
            keys.append(spiffe.x509_bundle_key(s.certificate()))
        else:
            keys.append(spiffe.jwt_bundle_key(json.loads(s.public_material), s.signer_id))
    return keys


def jwks(signers: Sequence[Signer], now: datetime) -> dict[str, Any]:
    """The OIDC JWKS: the published JWT keys, with ``alg`` and ``use: sig`` for OIDC
    clients (the bundle's ``use`` values are SPIFFE's, which OIDC libraries do not know)."""
    out = []
    for s in signers:
        if s.signer_type == "JWT" and spiffe.published(s.status(now)):
            public = json.loads(s.public_material)
            out.append({**public, "kid": s.signer_id, "alg": s.algorithm, "use": "sig"})
    return {"keys": out}


def bundle(provider: Provider, signers: Sequence[Signer], now: datetime) -> str:
    return spiffe.bundle_document(REFRESH_HINT_SECONDS, bundle_keys(signers, now))


def discovery(provider: Provider) -> dict[str, Any]:
    return {
        "issuer": provider.issuer,
        "jwks_uri": provider.issuer + "/jwks.json",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": list(JWT_ALGORITHMS),
        "claims_supported": ["sub", "aud", "iss", "iat", "exp", "jti"],
    }


def handle_internal(
    store: Store, now: datetime, method: str, path: str
) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
    """Serve ``/_credmint/workload-identity/<provider id>/...``: the OIDC discovery
    document, the JWKS and the SPIFFE bundle endpoint. ``None`` for other paths. Blocking
    (store reads): call it on a worker thread."""
    m = _PATH.match(path)
    if m is None:
        return None
    headers = [(b"content-type", b"application/json"), (b"cache-control", f"max-age={REFRESH_HINT_SECONDS}".encode())]
    if method not in ("GET", "HEAD"):
        return 405, [(b"allow", b"GET, HEAD"), *headers], b'{"error":"method not allowed"}'
    with store.read() as conn:
        provider = provider_by_id(conn, m.group(1))
        signers = signers_of(conn, provider.provider_id) if provider is not None else []
    if provider is None:
        return 404, headers, b'{"error":"not found"}'
    what = m.group(2)
    if what == "bundle":
        body = bundle(provider, signers, now).encode()
    else:
        doc = discovery(provider) if what.endswith("openid-configuration") else jwks(signers, now)
        body = json.dumps(doc, separators=(",", ":")).encode()
    return 200, headers, b"" if method == "HEAD" else body
