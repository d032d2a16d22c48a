"""A SAML 2.0 IdP's metadata document, as IAM reads it when a SAML provider is created or
updated: its entityID, its signing certificates and its ``validUntil``. Pure: text in,
facts out, ``InvalidInput`` for a document IAM could not use.

The XML is parsed with defusedxml (no DTD, no entities, no external references). Only
``IDPSSODescriptor`` elements that support the SAML 2.0 protocol count, and only their
signing keys (a ``KeyDescriptor`` without ``use`` serves both signing and encryption).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from cryptography import x509
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from credmint.federation.errors import InvalidInput

MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"


@dataclass(frozen=True)
class SamlMetadata:
    entity_id: str
    #: The IdP's signing certificates, DER.
    certificates: tuple[bytes, ...]
    valid_until: datetime | None


def bad_metadata() -> InvalidInput:
    return InvalidInput.saml_metadata()


def _valid_until(text: str) -> datetime:
    """``validUntil`` as an aware UTC instant. SAML's times are UTC (SAML core §1.3.3), so one
    written without a zone is read as UTC; one that is not an xs:dateTime makes the document
    unusable (InvalidInput) rather than a provider with no expiry."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: past year 9999 once moved to UTC
        raise bad_metadata() from None


def parse_saml_metadata(text: str) -> SamlMetadata:
    """Parse and check a SAML 2.0 metadata document; ``InvalidInput`` if IAM could not use it."""
    try:
        root: Element = SafeET.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError):
        raise bad_metadata() from None
    entity = root
    if root.tag == f"{{{MD_NS}}}EntitiesDescriptor":
        children = root.findall(f"{{{MD_NS}}}EntityDescriptor")
        if len(children) != 1:
            raise bad_metadata()
        entity = children[0]
    if entity.tag != f"{{{MD_NS}}}EntityDescriptor":
        raise bad_metadata()
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise bad_metadata()
    certs: list[bytes] = []
    for idp in entity.findall(f"{{{MD_NS}}}IDPSSODescriptor"):
        if SAML2_PROTOCOL not in (idp.get("protocolSupportEnumeration") or "").split():
            continue
        for kd in idp.findall(f"{{{MD_NS}}}KeyDescriptor"):
            # A KeyDescriptor without "use" serves both signing and encryption.
            if kd.get("use") not in (None, "signing"):
                continue
            for node in kd.iter(f"{{{DS_NS}}}X509Certificate"):
                der = _certificate(node.text or "")
                if der not in certs:
                    certs.append(der)
    if not certs:
        raise bad_metadata()
    stated = entity.get("validUntil")
    valid_until = _valid_until(stated) if stated is not None else None
    return SamlMetadata(entity_id, tuple(certs), valid_until)


def _certificate(text: str) -> bytes:
    try:
        der = base64.b64decode("".join(text.split()), validate=True)
        x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError):
        raise bad_metadata() from None
    return der
