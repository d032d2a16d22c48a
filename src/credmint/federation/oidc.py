"""Verifying an OpenID Connect ID token for AssumeRoleWithWebIdentity, purely.

The caller finds the IAM OIDC provider by the token's ``iss`` (:func:`peek`), fetches its
keys (``jwks.py``) and passes them with ``now``. The signature is checked by ``joserfc``
with an explicit allow-list of asymmetric algorithms: ``none`` and HMAC can never verify
(a JWKS is public, so an ``oct`` key in it would let anyone mint tokens — such keys are
dropped), and no key is ever taken from the token itself (``jwk``, ``jku``, ``x5u``,
``x5c`` headers are ignored: the key comes from the provider's JWKS, selected by ``kid``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey

from credmint.federation import errors as federation_errors

#: What AWS accepts (RS/ES per its documentation; PS as standard asymmetric algorithms).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
#: The model's bound on WebIdentityToken (``clientTokenType`` max 20000).
MAX_TOKEN_CHARS = 20_000
#: Clock skew tolerated on ``exp``/``nbf``/``iat``.
DEFAULT_LEEWAY = 60


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
    except (binascii.Error, ValueError, UnicodeDecodeError):
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


def usable_keys(jwks: Mapping[str, Any]) -> KeySet:
    """The signing keys of a JWKS document: public RSA/EC keys only (never ``oct``, never
    encryption keys), each importable. Keys that do not parse are skipped."""
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        raise ValueError("a JWKS has a 'keys' list")
    out: list[RSAKey | ECKey] = []
    for k in keys:
        if not isinstance(k, dict) or k.get("use", "sig") != "sig":
            continue
        kty = k.get("kty")
        # Only the public members: a JWKS that (wrongly) publishes a private key must not
        # turn this server into a signer.
        try:
            if kty == "RSA":
                out.append(RSAKey.import_key({m: k[m] for m in ("kty", "n", "e", "kid", "alg") if m in k}))
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
    return out  # type: ignore[return-value]


def _numeric(claims: Mapping[str, Any], name: str, required: bool) -> int | None:
    v = claims.get(name)
    if v is None:
        if required:
            raise federation_errors.InvalidIdentityToken.missing_claim(name)
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
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
    except ValueError:
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
    allowed = set(client_ids)
    azp = claims.get("azp")
    if isinstance(azp, str) and azp in allowed:
        matched = azp
    else:
        hits = [a for a in audiences if a in allowed]
        if not hits:
            raise federation_errors.InvalidIdentityToken.incorrect_audience()
        matched = hits[0]

    sub = claims.get("sub")
    if not isinstance(sub, str) or not 6 <= len(sub) <= 255:
        # The output shape bounds SubjectFromWebIdentityToken to 6-255 characters.
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
    """Read ``https://aws.amazon.com/tags`` and ``https://aws.amazon.com/source_identity``."""
    tags_claim = identity.claims.get("https://aws.amazon.com/tags")
    tags: list[tuple[str, str]] = []
    transitive: tuple[str, ...] = ()
    if tags_claim is not None:
        if not isinstance(tags_claim, dict):
            raise federation_errors.InvalidIdentityToken.invalid_tags_claim()
        principal_tags = tags_claim.get("principal_tags") or {}
        if not isinstance(principal_tags, dict):
            raise federation_errors.InvalidIdentityToken.invalid_tags_claim()
        for k, v in principal_tags.items():
            # AWS's format: each value is a one-element list.
            value = v[0] if isinstance(v, list) and len(v) == 1 else v
            if not isinstance(k, str) or not isinstance(value, str) or not 1 <= len(k) <= 128 or len(value) > 256:
                raise federation_errors.InvalidIdentityToken.invalid_tags_claim()
            tags.append((k, value))
        raw_transitive = tags_claim.get("transitive_tag_keys") or []
        if not isinstance(raw_transitive, list) or not all(isinstance(t, str) for t in raw_transitive):
            raise federation_errors.InvalidIdentityToken.invalid_tags_claim()
        transitive = tuple(raw_transitive)
        lower = {k.lower() for k, _ in tags}
        if any(t.lower() not in lower for t in transitive) or len(tags) > 50:
            raise federation_errors.InvalidIdentityToken.invalid_tags_claim()
    si = identity.claims.get("https://aws.amazon.com/source_identity")
    if si is not None and (not isinstance(si, str) or not 2 <= len(si) <= 64 or si.lower().startswith("aws:")):
        raise federation_errors.InvalidIdentityToken.invalid_source_identity_claim()
    return TokenSession(tuple(tags), transitive, si)


def thumbprint_ok(cert_sha1_hex: str, thumbprints: Sequence[str]) -> bool:
    return cert_sha1_hex.lower() in {t.lower() for t in thumbprints}
