"""Verifying an OpenID Connect ID token for AssumeRoleWithWebIdentity, purely.

The caller finds the IAM OIDC provider by the token's ``iss`` (:func:`peek`), fetches its
keys (``jwks.py``) and passes them with ``now``. The signature is checked by ``joserfc``
with an explicit allow-list of asymmetric algorithms: ``none`` and HMAC can never verify
(a JWKS is public, so an ``oct`` key in it would let anyone mint tokens — such keys are
dropped), and no key is ever taken from the token itself (``jwk``, ``jku``, ``x5u``,
``x5c`` headers are ignored: the key comes from the provider's JWKS, selected by ``kid``).

The JWKS is the tenant's document and the token is anyone's, so the work one unsigned
call can cost is bounded: a JWKS gives at most :data:`MAX_JWKS_KEYS` keys, an RSA key
must have a modulus and a public exponent of the sizes signers use (:data:`RSA_MODULUS_BITS`,
:data:`RSA_MAX_EXPONENT`: verifying costs about as many multiplications as the exponent
has bits, so a 3,000-bit exponent costs hundreds of times what 65537 does), and a token
is tried against at most :data:`MAX_CANDIDATE_KEYS` keys. Everything read from a token
before its signature is checked (header and claims, as JSON) is refused with
``InvalidIdentityToken`` however it is malformed, never with a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey

from credmint.federation import errors as federation_errors
from credmint.federation import session_rules

#: What AWS accepts (RS/ES per its documentation; PS as standard asymmetric algorithms).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
#: The model's bound on WebIdentityToken (``clientTokenType`` max 20000).
MAX_TOKEN_CHARS = 20_000
#: Clock skew tolerated on ``exp``/``nbf``/``iat``.
DEFAULT_LEEWAY = 60
#: Keys read from a JWKS, in document order; entries past these are ignored (AWS is
#: reported to use at most 100). Entries that are not usable signing keys count too, so
#: the keys imported per fetch are bounded whatever the document holds.
MAX_JWKS_KEYS = 100
#: RSA modulus sizes accepted, in bits: 2048 is the floor of RFC 7518 §3.3 (and of every
#: current signer); past 8192 a key only makes each verification dearer.
RSA_MODULUS_BITS = (2048, 8192)
#: Largest RSA public exponent accepted. Signers use 65537 (a few use 3); verification
#: costs one multiplication per bit of the exponent, so a key with a 3,000-bit exponent
#: is a way to buy CPU with an unsigned call. It must also be odd and at least 3.
RSA_MAX_EXPONENT = 2**32
#: Keys one token is tried against when its ``kid`` is absent or several keys share it:
#: the first of the matching type and algorithm, in JWKS order. A provider publishes its
#: current key and, around a rotation, the next and the previous one, so three keys of
#: one type is what a real JWKS holds (Google, Microsoft and Okta publish two to four);
#: four covers that with room, and bounds what an unverifiable token costs to four
#: public-key operations. A token signed by a later key fails as a bad signature.
MAX_CANDIDATE_KEYS = 4
#: Providers whose ``azp`` is the token's audience when present ("aud is azp when
#: present"): AWS documents that for Google only (``accounts.google.com:aud``). Elsewhere
#: ``azp`` names the party the token was issued to, and accepting it in place of ``aud``
#: would admit a token meant for another relying party because one of ours asked for it.
AZP_AUDIENCE_PROVIDERS = frozenset({"accounts.google.com"})


@dataclass(frozen=True, slots=True)
class Peek:
    """Header and claims of a token, *unverified*: only for finding the provider and key."""

    alg: str
    kid: str | None
    issuer: str
    claims: Mapping[str, Any]


def _b64json(part: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: deeply nested JSON (``[[[...]]]``), read before any signature.
        raise federation_errors.InvalidIdentityToken.not_a_jwt() from None


def peek(token: str) -> Peek:
    if len(token) > MAX_TOKEN_CHARS:
        raise federation_errors.InvalidIdentityToken.token_too_long()
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise federation_errors.InvalidIdentityToken.not_a_jwt()
    header = _b64json(parts[0])
    claims = _b64json(parts[1])
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise federation_errors.InvalidIdentityToken.not_a_jwt()
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise federation_errors.InvalidIdentityToken.unsupported_algorithm(alg)
    iss = claims.get("iss")
    if not isinstance(iss, str) or not iss:
        raise federation_errors.InvalidIdentityToken.missing_claim("iss")
    kid = header.get("kid")
    return Peek(alg, kid if isinstance(kid, str) else None, iss, claims)


def _b64_chars(octets: int) -> int:
    """Characters of unpadded base64url for ``octets`` bytes."""
    return -(-octets * 4 // 3)


#: Lengths of the ``n`` and ``e`` members read, checked before the key is imported (the
#: numbers themselves are checked after): up to one more octet than the bounds above, for
#: encoders that (wrongly) keep a leading zero.
_RSA_MEMBER_CHARS = {
    "n": (_b64_chars(RSA_MODULUS_BITS[0] // 8), _b64_chars(RSA_MODULUS_BITS[1] // 8 + 1)),
    "e": (1, _b64_chars((RSA_MAX_EXPONENT.bit_length() + 7) // 8 + 1)),
}


def _rsa_key(k: Mapping[str, Any]) -> RSAKey | None:
    """The public RSA key of a JWK, or None if its numbers are outside what signers use."""
    for member, (shortest, longest) in _RSA_MEMBER_CHARS.items():
        value = k.get(member)
        if not isinstance(value, str) or not shortest <= len(value) <= longest:
            return None
    key = RSAKey.import_key({m: k[m] for m in ("kty", "n", "e", "kid", "alg") if m in k})
    numbers = key.public_key.public_numbers()
    low, high = RSA_MODULUS_BITS
    if not low <= numbers.n.bit_length() <= high:
        return None
    if not 3 <= numbers.e <= RSA_MAX_EXPONENT or numbers.e % 2 == 0:
        return None
    return key


def usable_keys(jwks: Mapping[str, Any]) -> KeySet:
    """The signing keys of a JWKS document: public RSA/EC keys only (never ``oct``, never
    encryption keys), each importable, RSA keys of the sizes above, from the first
    :data:`MAX_JWKS_KEYS` entries. Keys that do not parse or pass are skipped."""
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        raise ValueError("a JWKS has a 'keys' list")
    out: list[RSAKey | ECKey] = []
    for k in keys[:MAX_JWKS_KEYS]:
        if not isinstance(k, dict) or k.get("use", "sig") != "sig":
            continue
        kty = k.get("kty")
        # Only the public members: a JWKS that (wrongly) publishes a private key must not
        # turn this server into a signer.
        try:
            if kty == "RSA":
                rsa_key = _rsa_key(k)
                if rsa_key is not None:
                    out.append(rsa_key)
            elif kty == "EC":
                out.append(ECKey.import_key({m: k[m] for m in ("kty", "crv", "x", "y", "kid", "alg") if m in k}))
        except (JoseError, ValueError, TypeError, KeyError):
            continue
    return KeySet(out)  # type: ignore[arg-type]


def has_kid(keys: KeySet, kid: str | None) -> bool:
    if kid is None:
        return bool(keys.keys)
    return any(k.kid == kid for k in keys.keys)


@dataclass(frozen=True, slots=True)
class WebIdentity:
    """What a verified token says."""

    issuer: str
    subject: str
    #: The client id that matched the provider's ClientIDList (``azp`` if it matched, else ``aud``).
    audience: str
    audiences: tuple[str, ...]
    expires_at: int
    issued_at: int | None
    claims: Mapping[str, Any] = field(default_factory=dict)


def _candidates(keys: KeySet, alg: str, kid: str | None) -> list[RSAKey | ECKey]:
    kty = "RSA" if alg.startswith(("RS", "PS")) else "EC"
    out = []
    for k in keys.keys:
        if k.key_type != kty or (kid is not None and k.kid != kid):
            continue
        key_alg = k.alg
        if key_alg and key_alg != alg:
            continue  # a key pinned to another algorithm never verifies this one
        out.append(k)
        if len(out) == MAX_CANDIDATE_KEYS:
            break
    return out  # type: ignore[return-value]


def _numeric(claims: Mapping[str, Any], name: str, required: bool) -> int | None:
    v = claims.get(name)
    if v is None:
        if required:
            raise federation_errors.InvalidIdentityToken.missing_claim(name)
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise federation_errors.InvalidIdentityToken.invalid_claim(name)
    if isinstance(v, float) and not math.isfinite(v):
        # Python's json reads Infinity, NaN and 1e400 (infinite); no time is either.
        raise federation_errors.InvalidIdentityToken.invalid_claim(name)
    return int(v)


def verify(
    token: str,
    *,
    issuer: str,
    client_ids: Iterable[str],
    keys: KeySet,
    now: datetime,
    leeway: int = DEFAULT_LEEWAY,
) -> WebIdentity:
    """Verify ``token`` for the provider at ``issuer`` with its JWKS ``keys`` at ``now``."""
    p = peek(token)
    if p.issuer.rstrip("/") != issuer.rstrip("/"):
        raise federation_errors.InvalidIdentityToken.no_oidc_provider(p.issuer)
    candidates = _candidates(keys, p.alg, p.kid)
    if not candidates:
        raise federation_errors.InvalidIdentityToken.no_verification_key()
    payload: bytes | None = None
    for key in candidates:
        try:
            payload = jws.deserialize_compact(token, key, algorithms=[p.alg]).payload
        except (JoseError, ValueError, TypeError):
            continue
        break
    if payload is None:
        raise federation_errors.InvalidIdentityToken.bad_signature()
    try:
        claims = json.loads(payload)
    except (ValueError, RecursionError):
        raise federation_errors.InvalidIdentityToken.not_a_jwt() from None
    if not isinstance(claims, dict):
        raise federation_errors.InvalidIdentityToken.not_a_jwt()

    now_s = int(now.timestamp())
    exp = _numeric(claims, "exp", True)
    assert exp is not None
    if now_s >= exp + leeway:
        raise federation_errors.ExpiredTokenException.token(now_s, exp)
    nbf = _numeric(claims, "nbf", False)
    if nbf is not None and now_s + leeway < nbf:
        raise federation_errors.InvalidIdentityToken.token_not_yet_valid()
    iat = _numeric(claims, "iat", False)
    if iat is not None and now_s + leeway < iat:
        raise federation_errors.InvalidIdentityToken.token_issued_in_future()

    aud = claims.get("aud")
    audiences: tuple[str, ...]
    if isinstance(aud, str):
        audiences = (aud,)
    elif isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        audiences = tuple(aud)
    else:
        raise federation_errors.InvalidIdentityToken.incorrect_audience()
    matched = _audience(issuer, audiences, claims.get("azp"), set(client_ids))

    sub = claims.get("sub")
    if not isinstance(sub, str) or not 6 <= len(sub) <= 255 or not _text_ok(sub):
        # The output shape bounds SubjectFromWebIdentityToken to 6-255 characters; it is
        # echoed in the XML answer and stored with the session, so it holds no control
        # character (a NUL made the answer unparsable) nor anything XML cannot carry.
        raise federation_errors.InvalidIdentityToken.missing_sub()
    return WebIdentity(
        issuer=p.issuer,
        subject=sub,
        audience=matched,
        audiences=audiences,
        expires_at=exp,
        issued_at=iat,
        claims=dict(claims),
    )


def _audience(issuer: str, audiences: Sequence[str], azp: object, allowed: set[str]) -> str:
    """The client id the token is for: ``azp`` when present for the providers of
    :data:`AZP_AUDIENCE_PROVIDERS`, else the first ``aud`` value the provider lists; it
    must be in the provider's ClientIDList."""
    if isinstance(azp, str) and provider_key(issuer).rstrip("/") in AZP_AUDIENCE_PROVIDERS:
        if azp not in allowed:
            raise federation_errors.InvalidIdentityToken.incorrect_audience()
        return azp
    for aud in audiences:
        if aud in allowed:
            return aud
    raise federation_errors.InvalidIdentityToken.incorrect_audience()


#: Characters XML 1.0 cannot carry beside the controls (``Cc``) and lone surrogates (``Cs``).
_NOT_XML = frozenset("\ufffe\uffff")


def _text_ok(text: str) -> bool:
    """No control character, lone surrogate or non-character: what can be echoed in XML
    and stored as text."""
    return not any(c in _NOT_XML or unicodedata.category(c) in ("Cc", "Cs") for c in text)


def provider_key(issuer_url: str) -> str:
    """The condition-key prefix of a provider: its URL without ``https://`` (``host/path``)."""
    return issuer_url[len("https://") :] if issuer_url.startswith("https://") else issuer_url


def condition_keys(
    identity: WebIdentity, issuer_url: str, claims: Iterable[str] = ()
) -> dict[str, str | list[str]]:
    """The trust-policy keys of a web identity (aws-behavior.md §4.7).

    ``claims`` names the provider-specific claims AWS turns into ``<provider>:<claim>`` keys
    for this provider (GitHub's ``repository``, GitLab's ``project_id``...); each is set
    when the token carries it as a string, number or boolean (``a/b`` names the member
    ``b`` of the object claim ``a``, as Google's ``google/organization_number``).
    """
    prefix = provider_key(issuer_url).rstrip("/")
    keys: dict[str, str | list[str]] = {}
    for claim in claims:
        value: Any = identity.claims
        for part in claim.split("/") if claim not in identity.claims else (claim,):
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, bool):
            keys[f"{prefix}:{claim}"] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            keys[f"{prefix}:{claim}"] = str(value)
    keys.update(
        {
            f"{prefix}:aud": identity.audience,
            f"{prefix}:sub": identity.subject,
            f"{prefix}:iss": identity.issuer,
            # oaud: the token's original audiences (Google documents it; harmless for others).
            f"{prefix}:oaud": list(identity.audiences),
        }
    )
    amr = identity.claims.get("amr")
    if isinstance(amr, list) and all(isinstance(a, str) for a in amr):
        keys[f"{prefix}:amr"] = list(amr)
    elif isinstance(amr, str):
        keys[f"{prefix}:amr"] = [amr]
    return keys


@dataclass(frozen=True, slots=True)
class TokenSession:
    """The AWS-specific claims of a token: session tags, transitive keys, source identity."""

    principal_tags: tuple[tuple[str, str], ...]
    transitive_tag_keys: tuple[str, ...]
    source_identity: str | None


def session_claims(identity: WebIdentity) -> TokenSession:
    """Read ``https://aws.amazon.com/tags`` and ``https://aws.amazon.com/source_identity``,
    under the rules SAML's attributes follow (``session_rules``)."""
    tags_claim = identity.claims.get("https://aws.amazon.com/tags")
    tags: tuple[tuple[str, str], ...] = ()
    transitive: tuple[str, ...] = ()
    if tags_claim is not None:
        if not isinstance(tags_claim, dict):
            raise federation_errors.InvalidIdentityToken.invalid_tags_claim()
        principal_tags = tags_claim.get("principal_tags") or {}
        if not isinstance(principal_tags, dict):
            raise federation_errors.InvalidIdentityToken.invalid_tags_claim()
        requested: list[tuple[str, str]] = []
        for k, v in principal_tags.items():
            # AWS's format: each value is a one-element list.
            value = v[0] if isinstance(v, list) and len(v) == 1 else v
            if not isinstance(value, str):
                raise federation_errors.InvalidIdentityToken.invalid_tags_claim()
            requested.append((k, value))
        raw_transitive = tags_claim.get("transitive_tag_keys") or []
        if not isinstance(raw_transitive, list) or not all(isinstance(t, str) for t in raw_transitive):
            raise federation_errors.InvalidIdentityToken.invalid_tags_claim()
        try:
            tags, transitive = session_rules.session_tags(requested, raw_transitive)
        except session_rules.SessionRuleError:
            raise federation_errors.InvalidIdentityToken.invalid_tags_claim() from None
    si = identity.claims.get("https://aws.amazon.com/source_identity")
    if si is not None and (not isinstance(si, str) or not session_rules.source_identity_ok(si)):
        raise federation_errors.InvalidIdentityToken.invalid_source_identity_claim()
    return TokenSession(tags, transitive, si)


def thumbprint_ok(cert_sha1_hex: str, thumbprints: Sequence[str]) -> bool:
    return cert_sha1_hex.lower() in {t.lower() for t in thumbprints}
