"""Verifying a SAML 2.0 ``<samlp:Response>`` for AssumeRoleWithSAML, purely.

Nothing here reads a clock, the store or the network: the caller passes the IdP's
entityID and signing certificates (from the SAML provider's metadata), the
acceptable recipients and audiences, and ``now``.

Defences, in the order they apply:

* The XML is parsed with a hardened lxml parser (no DTD, no entities, no network,
  no huge trees), and a document that declares a DOCTYPE is refused outright.
* The signature is verified with ``signxml`` against the metadata certificates
  only (never a key carried in the message), with SHA-1 refused unless asked for,
  and no HMAC.
* Everything read afterwards comes from the element the signature covers, as
  ``signxml`` re-parses it from the canonical bytes that were signed: an assertion
  moved, copied or wrapped beside the signed one is never read (signature
  wrapping), and comments, which exclusive c14n drops, cannot truncate a NameID
  or attribute value. The unsigned envelope is only ever used to *refuse*
  (Destination, Status).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidInput, InvalidSignature
from signxml.verifier import SignatureConfiguration, XMLVerifier

from credmint.federation import errors as federation_errors
from credmint.federation import session_rules

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
_NS = {"samlp": SAMLP, "saml": SAML, "ds": DS}

STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
NAMEID_FORMAT_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:"

AWS_ATTR = "https://aws.amazon.com/SAML/Attributes/"
ROLE_ATTR = AWS_ATTR + "Role"
SESSION_NAME_ATTR = AWS_ATTR + "RoleSessionName"
SESSION_DURATION_ATTR = AWS_ATTR + "SessionDuration"
SOURCE_IDENTITY_ATTR = AWS_ATTR + "SourceIdentity"
TRANSITIVE_TAGS_ATTR = AWS_ATTR + "TransitiveTagKeys"
PRINCIPAL_TAG_PREFIX = AWS_ATTR + "PrincipalTag:"

#: Clock skew tolerated on every SAML time check.
DEFAULT_SKEW = timedelta(minutes=5)
#: AWS: "Token must be redeemed within 5 minutes of issuance" (observed), on top of the skew.
DEFAULT_MAX_AGE = timedelta(minutes=5)

_ASYMMETRIC_METHODS = frozenset(
    m
    for m in SignatureMethod
    if not m.name.startswith(("HMAC", "DSA"))  # a public certificate must never verify an HMAC
)
_SHA1_METHODS = frozenset({SignatureMethod.RSA_SHA1, SignatureMethod.ECDSA_SHA1})
_DIGESTS = frozenset(d for d in DigestAlgorithm if d is not DigestAlgorithm.SHA1)


def aws_recipients(region: str | None = None) -> frozenset[str]:
    """The ACS URLs AWS accepts as Recipient / Destination (global and, if given, regional)."""
    out = {"https://signin.aws.amazon.com/saml"}
    if region:
        out.add(f"https://{region}.signin.aws.amazon.com/saml")
    return frozenset(out)


def aws_audiences(region: str | None = None) -> frozenset[str]:
    """Audiences AWS accepts: its SP entity ids (``urn:amazon:webservices``) and the ACS URLs."""
    out = set(aws_recipients(region)) | {"urn:amazon:webservices"}
    if region:
        out.add(f"urn:amazon:webservices:{region}")
    return frozenset(out)


# --- errors (AWS's wording where observed) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class SamlAssertion:
    """What a verified assertion says (read only from the signed element)."""

    issuer: str
    subject: str
    #: The NameID Format attribute as sent (empty when absent).
    subject_format: str
    #: = SubjectConfirmationData Recipient (AWS reports it as ``Audience``).
    recipient: str
    audiences: tuple[str, ...]
    issue_instant: datetime
    #: The earliest NotOnOrAfter of the conditions and the bearer confirmation.
    not_on_or_after: datetime
    session_not_on_or_after: datetime | None
    #: Attribute Name -> values, in document order.
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def subject_type(self) -> str:
        """AWS's SubjectType: the nameid-format URN suffix (``persistent``, ``transient``) or the URI."""
        fmt = self.subject_format
        if fmt.startswith(NAMEID_FORMAT_PREFIX):
            return fmt[len(NAMEID_FORMAT_PREFIX) :]
        return fmt or "unspecified"


# --- parsing -------------------------------------------------------------------------------


def decode_response(saml_response: str | bytes) -> bytes:
    """The XML bytes of a base64 SAMLResponse (whitespace allowed, as IdPs wrap lines)."""
    raw = saml_response.encode("ascii", "replace") if isinstance(saml_response, str) else saml_response
    try:
        xml = base64.b64decode(b"".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        raise federation_errors.InvalidIdentityToken.invalid_base64() from None
    if not xml.lstrip().startswith(b"<"):
        raise federation_errors.InvalidIdentityToken.invalid_base64()
    return xml


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(xml: bytes) -> etree._Element:
    """Parse untrusted XML; refuse any DTD (and with it every entity trick)."""
    if b"<!DOCTYPE" in xml.upper() or b"<!ENTITY" in xml.upper():
        raise federation_errors.InvalidIdentityToken.invalid_saml_response()
    try:
        root = etree.fromstring(xml, parser=_parser())
    except etree.XMLSyntaxError:
        raise federation_errors.InvalidIdentityToken.invalid_saml_response() from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise federation_errors.InvalidIdentityToken.invalid_saml_response()
    return root


# --- signature -----------------------------------------------------------------------------


def verify_signature(
    root: etree._Element, certificates: Sequence[x509.Certificate], *, allow_sha1: bool = False
) -> etree._Element:
    """The element the signature covers (re-parsed from the signed bytes), verified with one
    of ``certificates``; ``InvalidIdentityToken`` when nothing verifies.

    The signature must sit directly in the Response or in an Assertion that is a direct
    child of the Response, and reference that element; anything else is refused.
    """
    if root.tag != f"{{{SAMLP}}}Response":
        raise federation_errors.InvalidIdentityToken.invalid_saml_response()
    sigs = root.findall("ds:Signature", _NS) + [
        s for a in root.findall("saml:Assertion", _NS) for s in a.findall("ds:Signature", _NS)
    ]
    if not sigs:
        raise federation_errors.InvalidIdentityToken.response_signature_invalid()
    methods = _ASYMMETRIC_METHODS if allow_sha1 else _ASYMMETRIC_METHODS - _SHA1_METHODS
    digests = _DIGESTS | {DigestAlgorithm.SHA1} if allow_sha1 else _DIGESTS
    # The Response's own signature wins when both are present: it covers the assertion too.
    target_sig = sigs[0]
    signed_parent = target_sig.getparent()
    assert signed_parent is not None
    for cert in certificates:
        config = SignatureConfiguration(
            require_x509=True,
            location="./",
            expect_references=1,
            signature_methods=methods,
            digest_algorithms=digests,
            ignore_ambiguous_key_info=True,
            # AWS does not reject an IdP certificate for its validity dates (the metadata is
            # the trust anchor, rotated by updating it), so check at a time inside its window.
            verification_time=cert.not_valid_before_utc + timedelta(seconds=1),
        )
        try:
            result = XMLVerifier().verify(
                root if signed_parent is root else _detached(signed_parent),
                x509_cert=cert,
                expect_config=config,
            )
        except (InvalidSignature, InvalidInput, etree.Error, ValueError, TypeError, LookupError):
            # Schema-invalid signatures, unknown algorithms, bad digests: all "not verified".
            continue
        assert not isinstance(result, list)
        signed: etree._Element = result.signed_xml
        # The reference must cover the element holding the signature, nothing else.
        if signed is None or signed.tag != signed_parent.tag or signed.get("ID") != signed_parent.get("ID"):
            continue
        return signed
    raise federation_errors.InvalidIdentityToken.response_signature_invalid()


def _detached(assertion: etree._Element) -> etree._Element:
    """A copy of an assertion as its own document: its signature's reference can then only
    resolve inside it, never to a look-alike elsewhere in the response."""
    copy = etree.fromstring(etree.tostring(assertion), parser=_parser())
    return copy


# --- reading -------------------------------------------------------------------------------


def _time(value: str | None, what: str) -> datetime:
    if not value:
        raise federation_errors.InvalidIdentityToken.missing_element(what)
    text = value.strip()
    try:
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        t = datetime.fromisoformat(text)
    except ValueError:
        raise federation_errors.InvalidIdentityToken.invalid_element(what) from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC)


def _text(el: etree._Element | None) -> str:
    """An element's text; refused if it has child elements (no nested-value tricks)."""
    if el is None:
        return ""
    if len(el):
        raise federation_errors.InvalidIdentityToken.invalid_saml_response()
    return (el.text or "").strip()


def _one(parent: etree._Element, path: str) -> etree._Element | None:
    found = parent.findall(path, _NS)
    if len(found) > 1:
        raise federation_errors.InvalidIdentityToken.invalid_saml_response()
    return found[0] if found else None


def verify_response(
    saml_response: str | bytes,
    *,
    idp_entity_id: str,
    certificates: Sequence[x509.Certificate],
    now: datetime,
    recipients: Iterable[str],
    audiences: Iterable[str],
    skew: timedelta = DEFAULT_SKEW,
    max_age: timedelta | None = DEFAULT_MAX_AGE,
    allow_sha1: bool = False,
) -> SamlAssertion:
    """Verify a base64 SAMLResponse and return what its signed assertion says.

    ``recipients``: acceptable Destination / SubjectConfirmationData Recipient values;
    ``audiences``: acceptable AudienceRestriction values; ``max_age``: how long after
    IssueInstant an assertion may still be redeemed (``None``: no limit).
    """
    root = parse_xml(decode_response(saml_response))
    return verify_document(
        root,
        idp_entity_id=idp_entity_id,
        certificates=certificates,
        now=now,
        recipients=recipients,
        audiences=audiences,
        skew=skew,
        max_age=max_age,
        allow_sha1=allow_sha1,
    )


def verify_document(
    root: etree._Element,
    *,
    idp_entity_id: str,
    certificates: Sequence[x509.Certificate],
    now: datetime,
    recipients: Iterable[str],
    audiences: Iterable[str],
    skew: timedelta = DEFAULT_SKEW,
    max_age: timedelta | None = DEFAULT_MAX_AGE,
    allow_sha1: bool = False,
) -> SamlAssertion:
    recipients = frozenset(recipients)
    audiences = frozenset(audiences)
    if root.tag != f"{{{SAMLP}}}Response":
        raise federation_errors.InvalidIdentityToken.invalid_saml_response()
    # Exactly one assertion, in clear, directly in the Response.
    if root.findall(".//saml:EncryptedAssertion", _NS):
        raise federation_errors.InvalidIdentityToken.encrypted_assertions()
    if len(root.findall(".//saml:Assertion", _NS)) != 1 or len(root.findall("saml:Assertion", _NS)) != 1:
        raise federation_errors.InvalidIdentityToken.invalid_saml_response()

    signed = verify_signature(root, certificates, allow_sha1=allow_sha1)
    if signed.tag == f"{{{SAMLP}}}Response":
        envelope = signed
        assertions = signed.findall("saml:Assertion", _NS)
        if len(assertions) != 1:
            raise federation_errors.InvalidIdentityToken.invalid_saml_response()
        assertion = assertions[0]
    else:
        envelope = root  # unsigned: used only to refuse
        assertion = signed

    # Envelope checks (refusals only).
    status = envelope.find("samlp:Status/samlp:StatusCode", _NS)
    if status is None or status.get("Value") != STATUS_SUCCESS:
        raise federation_errors.InvalidIdentityToken.status_not_success()
    destination = envelope.get("Destination")
    if destination is not None and destination not in recipients:
        raise federation_errors.InvalidIdentityToken.invalid_destination()
    response_issuer = _one(envelope, "saml:Issuer")
    if response_issuer is not None and _text(response_issuer) != idp_entity_id:
        raise federation_errors.InvalidIdentityToken.response_issuer()

    # The assertion itself.
    issuer = _text(_one(assertion, "saml:Issuer"))
    if issuer != idp_entity_id:
        raise federation_errors.InvalidIdentityToken.assertion_issuer()
    issue_instant = _time(assertion.get("IssueInstant"), "IssueInstant")
    if issue_instant > now + skew:
        raise federation_errors.InvalidIdentityToken.assertion_issued_in_future()
    if max_age is not None and now - issue_instant > max_age + skew:
        raise federation_errors.ExpiredTokenException.redeem_window()

    subject = _one(assertion, "saml:Subject")
    if subject is None:
        raise federation_errors.InvalidIdentityToken.invalid_saml_response()
    name_id = _one(subject, "saml:NameID")
    if name_id is None or not _text(name_id):
        raise federation_errors.InvalidIdentityToken.missing_name_id()
    confirmations = [c for c in subject.findall("saml:SubjectConfirmation", _NS) if c.get("Method") == BEARER]
    data = [d for c in confirmations for d in c.findall("saml:SubjectConfirmationData", _NS)]
    no_confirmation = federation_errors.InvalidIdentityToken.no_subject_confirmation()
    if len(data) != 1:
        raise no_confirmation
    scd = data[0]
    recipient = scd.get("Recipient")
    if not recipient or not scd.get("NotOnOrAfter"):
        raise no_confirmation
    if recipient not in recipients:
        raise federation_errors.InvalidIdentityToken.invalid_recipient(recipient)
    scd_not_after = _time(scd.get("NotOnOrAfter"), "NotOnOrAfter")
    expired = federation_errors.ExpiredTokenException.assertion()
    if now >= scd_not_after + skew:
        raise expired
    if scd.get("NotBefore") is not None and now + skew < _time(scd.get("NotBefore"), "NotBefore"):
        raise federation_errors.InvalidIdentityToken.assertion_not_yet_valid()

    conditions = _one(assertion, "saml:Conditions")
    if conditions is None:
        raise federation_errors.InvalidIdentityToken.audience_restriction_required()
    not_after = scd_not_after
    if conditions.get("NotOnOrAfter") is not None:
        cond_not_after = _time(conditions.get("NotOnOrAfter"), "NotOnOrAfter")
        if now >= cond_not_after + skew:
            raise expired
        not_after = min(not_after, cond_not_after)
    if conditions.get("NotBefore") is not None and now + skew < _time(conditions.get("NotBefore"), "NotBefore"):
        raise federation_errors.InvalidIdentityToken.assertion_not_yet_valid()
    restrictions = conditions.findall("saml:AudienceRestriction", _NS)
    if not restrictions:
        raise federation_errors.InvalidIdentityToken.audience_restriction_required()
    seen_audiences: list[str] = []
    for r in restrictions:
        values = [_text(a) for a in r.findall("saml:Audience", _NS)]
        seen_audiences.extend(values)
        # SAML core 2.7.2.1: every AudienceRestriction must name the relying party.
        if not any(v in audiences for v in values):
            raise federation_errors.InvalidIdentityToken.incorrect_saml_audience()

    sp_qualifier = name_id.get("SPNameQualifier")
    if sp_qualifier is not None and sp_qualifier not in audiences:
        raise federation_errors.InvalidIdentityToken.invalid_sp_name_qualifier()

    session_not_after: datetime | None = None
    for authn in assertion.findall("saml:AuthnStatement", _NS):
        if authn.get("SessionNotOnOrAfter") is not None:
            t = _time(authn.get("SessionNotOnOrAfter"), "SessionNotOnOrAfter")
            session_not_after = t if session_not_after is None else min(session_not_after, t)
    if session_not_after is not None and now >= session_not_after:
        raise expired

    attributes: dict[str, list[str]] = {}
    for attr in assertion.findall("saml:AttributeStatement/saml:Attribute", _NS):
        name = attr.get("Name")
        if not name:
            continue
        values = attributes.setdefault(name, [])
        for v in attr.findall("saml:AttributeValue", _NS):
            values.append(_text(v))
    if assertion.findall("saml:AttributeStatement/saml:EncryptedAttribute", _NS):
        raise federation_errors.InvalidIdentityToken.encrypted_attributes()

    return SamlAssertion(
        issuer=issuer,
        subject=_text(name_id),
        subject_format=name_id.get("Format") or "",
        recipient=recipient,
        audiences=tuple(seen_audiences),
        issue_instant=issue_instant,
        not_on_or_after=not_after,
        session_not_on_or_after=session_not_after,
        attributes={k: tuple(v) for k, v in attributes.items()},
    )


# --- AWS semantics -------------------------------------------------------------------------


#: SAML's wording of each session-tag refusal (the rules are ``session_rules``'s).
_TAG_REFUSALS: Mapping[session_rules.Refusal, Callable[[str], federation_errors.InvalidIdentityToken]] = {
    session_rules.Refusal.TAG: federation_errors.InvalidIdentityToken.invalid_session_tag,
    session_rules.Refusal.DUPLICATE: federation_errors.InvalidIdentityToken.duplicate_session_tag,
    session_rules.Refusal.TOO_MANY: lambda _key: federation_errors.InvalidIdentityToken.too_many_session_tags(),
    session_rules.Refusal.TRANSITIVE: federation_errors.InvalidIdentityToken.transitive_tag_not_session_tag,
}


@dataclass(frozen=True, slots=True)
class SamlSessionRequest:
    """What the assertion asks of AWS for one role."""

    role_session_name: str
    #: The SessionDuration attribute (the console honours it; STS caps by it too).
    session_duration: int | None
    source_identity: str | None
    principal_tags: tuple[tuple[str, str], ...]
    transitive_tag_keys: tuple[str, ...]


def session_request(assertion: SamlAssertion, role_arn: str, provider_arn: str) -> SamlSessionRequest:
    """Check the requested role/provider pair is among the Role values, and read the AWS attributes."""
    attrs = assertion.attributes
    wanted = {role_arn, provider_arn}
    found = False
    for value in attrs.get(ROLE_ATTR, ()):
        parts = [p.strip() for p in value.split(",")]
        # Either order is accepted (AWS documents both).
        if len(parts) == 2 and set(parts) == wanted and role_arn != provider_arn:
            found = True
            break
    if not found:
        raise federation_errors.InvalidIdentityToken.no_role_attribute()

    names = attrs.get(SESSION_NAME_ATTR, ())
    if len(names) != 1 or not session_rules.role_session_name_ok(names[0]):
        raise federation_errors.InvalidIdentityToken.role_session_name_attribute()

    duration: int | None = None
    durations = attrs.get(SESSION_DURATION_ATTR, ())
    if durations:
        if len(durations) != 1 or not durations[0].isdigit() or not 900 <= int(durations[0]) <= 43200:
            raise federation_errors.InvalidIdentityToken.session_duration_attribute()
        duration = int(durations[0])

    source_identity: str | None = None
    sis = attrs.get(SOURCE_IDENTITY_ATTR, ())
    if sis:
        if len(sis) != 1 or not session_rules.source_identity_ok(sis[0]):
            raise federation_errors.InvalidIdentityToken.source_identity_attribute()
        source_identity = sis[0]

    requested: list[tuple[str, str]] = []
    for name, values in attrs.items():
        if not name.startswith(PRINCIPAL_TAG_PREFIX):
            continue
        key = name[len(PRINCIPAL_TAG_PREFIX) :]
        if len(values) != 1:
            raise federation_errors.InvalidIdentityToken.invalid_session_tag(key)
        requested.append((key, values[0]))
    try:
        tags, transitive = session_rules.session_tags(requested, attrs.get(TRANSITIVE_TAGS_ATTR, ()))
    except session_rules.SessionRuleError as exc:
        raise _TAG_REFUSALS[exc.refusal](exc.key) from None
    return SamlSessionRequest(
        role_session_name=names[0],
        session_duration=duration,
        source_identity=source_identity,
        principal_tags=tags,
        transitive_tag_keys=transitive,
    )


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """AWS: ``BASE64(SHA1(Issuer + AccountId + "/" + ProviderName))``."""
    digest = hashlib.sha1((issuer + account_id + "/" + provider_name).encode("utf-8"), usedforsecurity=False)
    return base64.b64encode(digest.digest()).decode("ascii")


#: SAML attributes AWS exposes as ``saml:<key>`` trust-policy keys, by attribute name
#: (OID or friendly URN). Multi-valued ones are lists.
_ATTRIBUTE_KEYS: dict[str, str] = {
    "urn:oid:2.5.4.3": "cn",
    "urn:oid:2.5.4.42": "givenName",
    "urn:oid:2.5.4.4": "surname",
    "urn:oid:0.9.2342.19200300.100.1.3": "mail",
    "urn:oid:2.5.4.41": "name",
    "urn:oid:0.9.2342.19200300.100.1.1": "uid",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": "edupersonaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.11": "edupersonassurance",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.7": "edupersonentitlement",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.2": "edupersonnickname",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.3": "edupersonorgdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.4": "edupersonorgunitdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.5": "edupersonprimaryaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.8": "edupersonprimaryorgunitdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.6": "edupersonprincipalname",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.9": "edupersonscopedaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.10": "edupersontargetedid",
    "urn:oid:2.16.840.1.113730.3.1.241": "commonName",  # displayName, as AWS maps it
    "urn:oid:1.3.6.1.4.1.25178.1.2.9": "organizationStatus",
    "urn:oid:2.5.4.45": "x500UniqueIdentifier",
}
_SINGLE_VALUED = frozenset(
    {
        "edupersonorgdn",
        "edupersonprimaryaffiliation",
        "edupersonprimaryorgunitdn",
        "edupersonprincipalname",
    }
)


def condition_keys(assertion: SamlAssertion, account_id: str, provider_name: str) -> dict[str, str | list[str]]:
    """The ``saml:*`` keys of the trust-policy evaluation (aws-behavior.md §4.7)."""
    keys: dict[str, str | list[str]] = {
        "saml:aud": assertion.recipient,
        "saml:iss": assertion.issuer,
        "saml:sub": assertion.subject,
        "saml:sub_type": assertion.subject_type,
        "saml:namequalifier": name_qualifier(assertion.issuer, account_id, provider_name),
        "saml:doc": f"{account_id}/{provider_name}",
    }
    for attr_name, values in assertion.attributes.items():
        key = _ATTRIBUTE_KEYS.get(attr_name)
        if key is None or not values:
            continue
        keys[f"saml:{key}"] = values[0] if key in _SINGLE_VALUED else list(values)
    return keys
