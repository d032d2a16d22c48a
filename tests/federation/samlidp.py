"""A SAML 2.0 identity provider inside the tests: a generated key and certificate, metadata
naming them, and AWS-shaped responses signed with signxml."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
AWS_ACS = "https://signin.aws.amazon.com/saml"


def make_cert(cn: str = "test-idp") -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SamlIdp:
    entity_id: str = field(default_factory=lambda: f"https://idp-{uuid.uuid4().hex[:8]}.example.com/saml")
    key: rsa.RSAPrivateKey | None = None
    cert: x509.Certificate | None = None

    def __post_init__(self) -> None:
        if self.key is None or self.cert is None:
            self.key, self.cert = make_cert()

    @property
    def cert_b64(self) -> str:
        assert self.cert is not None
        return base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()

    def metadata(self, *extra_certs: x509.Certificate) -> str:
        certs = [self.cert_b64] + [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in extra_certs
        ]
        kds = "".join(
            f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{c}'
            "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            for c in certs
        )
        return (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{self.entity_id}">'
            '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            f"{kds}"
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            'Location="https://idp.example.com/sso"/>'
            "</md:IDPSSODescriptor></md:EntityDescriptor>"
        )

    def response_xml(
        self,
        *,
        roles: list[str],
        session_name: str | None = "alice",
        subject: str = "alice@example.com",
        subject_format: str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        now: datetime | None = None,
        lifetime: timedelta = timedelta(minutes=5),
        recipient: str = AWS_ACS,
        audience: str = "urn:amazon:webservices",
        destination: str | None = AWS_ACS,
        issuer: str | None = None,
        attributes: dict[str, list[str]] | None = None,
        session_not_on_or_after: datetime | None = None,
        not_before: datetime | None = None,
    ) -> etree._Element:
        now = now or datetime.now(UTC)
        issuer = issuer or self.entity_id
        attrs: dict[str, list[str]] = {"https://aws.amazon.com/SAML/Attributes/Role": roles}
        if session_name is not None:
            attrs["https://aws.amazon.com/SAML/Attributes/RoleSessionName"] = [session_name]
        attrs.update(attributes or {})
        attr_xml = "".join(
            f'<saml:Attribute Name="{name}">'
            + "".join(f"<saml:AttributeValue>{v}</saml:AttributeValue>" for v in values)
            + "</saml:Attribute>"
            for name, values in attrs.items()
        )
        aid = "_" + uuid.uuid4().hex
        rid = "_" + uuid.uuid4().hex
        dest = f' Destination="{destination}"' if destination is not None else ""
        snoa = f' SessionNotOnOrAfter="{_iso(session_not_on_or_after)}"' if session_not_on_or_after else ""
        nb = _iso(not_before or now - timedelta(seconds=5))
        xml = (
            f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{rid}" Version="2.0" '
            f'IssueInstant="{_iso(now)}"{dest}>'
            f"<saml:Issuer>{issuer}</saml:Issuer>"
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
            f'<saml:Assertion ID="{aid}" Version="2.0" IssueInstant="{_iso(now)}">'
            f"<saml:Issuer>{issuer}</saml:Issuer>"
            f'<saml:Subject><saml:NameID Format="{subject_format}">{subject}</saml:NameID>'
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{_iso(now + lifetime)}" Recipient="{recipient}"/>'
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{nb}" NotOnOrAfter="{_iso(now + lifetime)}">'
            f"<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>"
            "</saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{_iso(now)}" SessionIndex="{aid}"{snoa}>'
            "<saml:AuthnContext><saml:AuthnContextClassRef>"
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            f"<saml:AttributeStatement>{attr_xml}</saml:AttributeStatement>"
            "</saml:Assertion></samlp:Response>"
        )
        return etree.fromstring(xml.encode())

    def sign(
        self,
        root: etree._Element,
        *,
        what: str = "assertion",
        key: rsa.RSAPrivateKey | None = None,
        cert: x509.Certificate | None = None,
    ) -> etree._Element:
        """Sign the Assertion (in place in the Response) or the whole Response."""
        signer = XMLSigner(
            signature_algorithm=SignatureMethod.RSA_SHA256,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
        )
        signer.namespaces = {"ds": "http://www.w3.org/2000/09/xmldsig#"}
        key = key or self.key
        cert = cert or self.cert
        assert key is not None and cert is not None
        pem_cert = cert.public_bytes(serialization.Encoding.PEM)
        if what == "response":
            signed = signer.sign(root, key=key, cert=[cert], reference_uri=root.get("ID"))
            _move_signature_after_issuer(signed)
            return signed
        assertion = root.find(f"{{{SAML}}}Assertion")
        assert assertion is not None
        signed_a = signer.sign(assertion, key=key, cert=[cert], reference_uri=assertion.get("ID"))
        _move_signature_after_issuer(signed_a)
        root.replace(assertion, signed_a)
        del pem_cert
        return root

    def encode(self, root: etree._Element) -> str:
        return base64.b64encode(etree.tostring(root)).decode()

    def signed_response(self, **kwargs: object) -> str:
        what = str(kwargs.pop("what", "assertion"))
        return self.encode(self.sign(self.response_xml(**kwargs), what=what))  # type: ignore[arg-type]


def _move_signature_after_issuer(el: etree._Element) -> None:
    # The SAML schema puts ds:Signature right after Issuer; signxml appends it last.
    sig = el.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    issuer = el.find(f"{{{SAML}}}Issuer")
    if sig is not None and issuer is not None:
        el.remove(sig)
        issuer.addnext(sig)
