"""credmint.federation.saml_metadata: what IAM takes from an IdP's metadata (entityID, signing
certificates, validUntil), and the one ``InvalidInput`` for every document it could not use,
hostile ones included."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization

from credmint.errors import AwsError
from credmint.federation.saml_metadata import parse_saml_metadata
from tests.federation.samlidp import make_cert

MD = 'xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
SAML2 = "urn:oasis:names:tc:SAML:2.0:protocol"
_, CERT = make_cert("signing")
_, OTHER = make_cert("encryption")
DER = CERT.public_bytes(serialization.Encoding.DER)
OTHER_DER = OTHER.public_bytes(serialization.Encoding.DER)


def key(der: bytes = DER, use: str | None = "signing", text: str | None = None) -> str:
    attr = f' use="{use}"' if use is not None else ""
    body = base64.b64encode(der).decode() if text is None else text
    return (
        f"<md:KeyDescriptor{attr}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}"
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
    )


def idp(*keys: str, protocols: str = SAML2) -> str:
    return f'<md:IDPSSODescriptor protocolSupportEnumeration="{protocols}">{"".join(keys)}</md:IDPSSODescriptor>'


def entity(*parts: str, entity_id: str = "https://idp.example.com/saml", attrs: str = "", ns: str = MD) -> str:
    return f'<md:EntityDescriptor {ns} entityID="{entity_id}"{attrs}>{"".join(parts)}</md:EntityDescriptor>'


def test_entity_id_signing_certificates_and_valid_until() -> None:
    meta = parse_saml_metadata(
        entity(idp(key(), key(OTHER_DER, use="encryption")), attrs=' validUntil="2030-01-01T00:00:00Z"')
    )
    assert meta.entity_id == "https://idp.example.com/saml"
    assert meta.certificates == (DER,)
    assert meta.valid_until == datetime(2030, 1, 1, tzinfo=UTC)


def test_a_key_without_use_signs_and_duplicates_count_once() -> None:
    meta = parse_saml_metadata(entity(idp(key(use=None), key(), key(OTHER_DER))))
    assert meta.certificates == (DER, OTHER_DER)
    assert meta.valid_until is None


def test_certificate_text_may_be_wrapped() -> None:
    b64 = base64.b64encode(DER).decode()
    wrapped = "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    assert parse_saml_metadata(entity(idp(key(text=f"\n  {wrapped}\n  ")))).certificates == (DER,)


def test_an_entities_descriptor_of_one_entity() -> None:
    doc = f"<md:EntitiesDescriptor {MD}>{entity(idp(key()), ns='')}</md:EntitiesDescriptor>"
    assert parse_saml_metadata(doc).certificates == (DER,)


def test_only_saml2_idp_descriptors_count() -> None:
    doc = entity(
        idp(key(OTHER_DER), protocols="urn:oasis:names:tc:SAML:1.1:protocol"),
        idp(key(), protocols=f"urn:oasis:names:tc:SAML:1.1:protocol {SAML2}"),
    )
    assert parse_saml_metadata(doc).certificates == (DER,)


BAD = {
    "empty": "",
    "not-xml": "metadata",
    "truncated": entity(idp(key()))[:-10],
    "wrong-root": f"<md:SPSSODescriptor {MD}/>",
    "no-namespace": '<EntityDescriptor entityID="x"><IDPSSODescriptor/></EntityDescriptor>',
    "no-entity-id": entity(idp(key()), entity_id=""),
    "blank-entity-id": entity(idp(key()), entity_id="   "),
    "no-idp": entity(),
    "no-keys": entity(idp()),
    "encryption-only": entity(idp(key(use="encryption"))),
    "saml1-only": entity(idp(key(), protocols="urn:oasis:names:tc:SAML:1.1:protocol")),
    "not-base64": entity(idp(key(text="not base64!"))),
    "not-a-certificate": entity(idp(key(text=base64.b64encode(b"\x30\x03\x02\x01\x00").decode()))),
    "empty-certificate": entity(idp(key(text=""))),
    "two-entities": f"<md:EntitiesDescriptor {MD}>{entity(idp(key()), ns='')}{entity(idp(key()), ns='')}"
    "</md:EntitiesDescriptor>",
    "no-entity": f"<md:EntitiesDescriptor {MD}/>",
    "doctype": f"<!DOCTYPE md [<!ELEMENT md ANY>]>{entity(idp(key()))}",
    "entity-expansion": '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    + entity(idp(key()), entity_id="&b;"),
    "external-entity": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + entity(idp(key()), entity_id="&e;"),
}


@pytest.mark.parametrize("doc", list(BAD.values()), ids=list(BAD))
def test_documents_iam_could_not_use(doc: str) -> None:
    with pytest.raises(AwsError) as info:
        parse_saml_metadata(doc)
    assert (info.value.code, info.value.message, info.value.status) == ("InvalidInput", "Could not parse metadata", 400)


@pytest.mark.parametrize(
    ("stated", "expected"),
    [
        ("2030-01-01T00:00:00", datetime(2030, 1, 1, tzinfo=UTC)),  # SAML times are UTC
        ("2030-01-01T02:00:00+02:00", datetime(2030, 1, 1, tzinfo=UTC)),
        ("2030-01-01T00:00:00.123Z", datetime(2030, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)),
    ],
    ids=["no-zone", "offset", "fraction"],
)
def test_valid_until_is_an_aware_utc_instant(stated: str, expected: datetime) -> None:
    meta = parse_saml_metadata(entity(idp(key()), attrs=f' validUntil="{stated}"'))
    assert meta.valid_until == expected and meta.valid_until.tzinfo is UTC


UNREADABLE = [
    "",
    "tomorrow",
    "2030-13-01T00:00:00Z",
    "9" * 400,
    "2030-01-01T00:00:00Zjunk",
    "9999-12-31T23:00:00-02:00",
]


@pytest.mark.parametrize("stated", UNREADABLE)
def test_an_unreadable_valid_until_makes_the_document_unusable(stated: str) -> None:
    """Not a provider that never expires: the document is refused, like any IAM cannot read."""
    with pytest.raises(AwsError) as info:
        parse_saml_metadata(entity(idp(key()), attrs=f' validUntil="{stated}"'))
    assert (info.value.code, info.value.message) == ("InvalidInput", "Could not parse metadata")
