"""The identity providers an account trusts, as STS's federation reads them: a SAML
provider's metadata (AssumeRoleWithSAML) and an OpenID Connect provider's registration
(AssumeRoleWithWebIdentity). Lookups only; IAM's provider operations write these rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from sqlalchemy import select

from credmint import arns
from credmint.federation.saml_metadata import parse_saml_metadata
from credmint.store import schema
from credmint.store.db import Store


def saml_provider(store: Store, arn: str) -> tuple[str, str, list[x509.Certificate]] | None:
    """For AssumeRoleWithSAML: the provider's metadata document, IdP entityID and signing
    certificates, or ``None`` if there is no such provider."""
    sp = schema.saml_providers
    with store.read() as conn:
        row = conn.execute(select(sp.c.metadata_document).where(sp.c.arn == arn)).first()
    if row is None:
        return None
    meta = parse_saml_metadata(row.metadata_document)
    return (
        row.metadata_document,
        meta.entity_id,
        [x509.load_der_x509_certificate(c) for c in meta.certificates],
    )


@dataclass(frozen=True)
class OidcProvider:
    arn: str
    #: ``https://`` + host[/path], the ``iss`` its tokens must carry.
    url: str
    client_ids: tuple[str, ...]
    thumbprints: tuple[str, ...]
    created_at: datetime


def oidc_provider(store: Store, arn_or_url: str, account_id: str) -> OidcProvider | None:
    """For AssumeRoleWithWebIdentity: the provider registered in ``account_id`` under an
    ARN or an issuer URL (``https://`` optional), or ``None``."""
    arn = arn_or_url if arn_or_url.startswith("arn:") else arns.oidc_provider(account_id, arn_or_url)
    op = schema.oidc_providers
    with store.read() as conn:
        row = conn.execute(select(op).where(op.c.arn == arn, op.c.account_id == account_id)).first()
    if row is None:
        return None
    return OidcProvider(
        arn=row.arn,
        url=f"https://{row.url}",
        client_ids=tuple(json.loads(row.client_ids)),
        thumbprints=tuple(json.loads(row.thumbprints)),
        created_at=row.created_at,
    )
