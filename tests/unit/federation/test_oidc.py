"""The web identity verifier and the JWKS fetcher against a real HTTPS issuer on 127.0.0.1;
then hostile JWKS documents and tokens against the pure verifier."""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey

from credmint.errors import AwsError
from credmint.federation import jwks, oidc
from tests.federation.oidcidp import OidcIssuer


@pytest.fixture
def issuer() -> Iterator[OidcIssuer]:
    iss = OidcIssuer("/tenant")
    yield iss
    iss.close()


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def verify(
    iss: OidcIssuer, cache: jwks.JwksCache, token: str, client_ids: tuple[str, ...] = ("client-1",)
) -> oidc.WebIdentity:
    p = oidc.peek(token)
    keys = cache.keys(iss.url, [iss.thumbprint], p.kid)
    return oidc.verify(token, issuer=iss.url, client_ids=client_ids, keys=keys, now=datetime.now(UTC))


def refused(iss: OidcIssuer, cache: jwks.JwksCache, token: str, code: str = "InvalidIdentityToken") -> str:
    with pytest.raises(AwsError) as e:
        verify(iss, cache, token)
    assert e.value.code == code, e.value
    return e.value.message or ""


def test_success_over_pinned_https(issuer: OidcIssuer) -> None:
    cache = jwks.JwksCache(allow_private_networks=True)
    ident = verify(issuer, cache, issuer.token(amr=["authenticated"]))
    assert (ident.subject, ident.audience, ident.issuer) == ("user-123456", "client-1", issuer.url)
    keys = oidc.condition_keys(ident, issuer.url)
    assert keys[f"{issuer.host_path}:sub"] == "user-123456"
    assert keys[f"{issuer.host_path}:aud"] == "client-1"
    assert keys[f"{issuer.host_path}:amr"] == ["authenticated"]
    assert issuer.requests == ["/tenant/.well-known/openid-configuration", "/tenant/keys"]
    verify(issuer, cache, issuer.token())
    assert len(issuer.requests) == 2  # cached


def test_thumbprint_mismatch_and_missing(issuer: OidcIssuer) -> None:
    with pytest.raises(jwks.FetchError, match=r"doesn.t match configured thumbprint"):
        jwks.fetch_keys(issuer.url, ["0" * 40], allow_private_networks=True)
    with pytest.raises(jwks.FetchError, match=r"doesn.t match configured thumbprint"):
        jwks.fetch_keys(issuer.url, [], allow_private_networks=True)
    # The GET goes out (the certificate is checked when the response head arrives), but no
    # document from an unpinned server is ever read or used.


def test_unreachable_provider_is_a_communication_error(issuer: OidcIssuer) -> None:
    issuer.fail = True
    with pytest.raises(AwsError) as e:
        jwks.JwksCache(allow_private_networks=True).keys(issuer.url, [issuer.thumbprint], "k1")
    assert e.value.code == "IDPCommunicationError"
    with pytest.raises(AwsError) as e:
        jwks.JwksCache(allow_private_networks=True).keys("https://127.0.0.1:1", [issuer.thumbprint], "k1")
    assert e.value.code == "IDPCommunicationError"


def test_plain_http_is_refused() -> None:
    with pytest.raises(jwks.FetchError):
        jwks.fetch_json("http://127.0.0.1:1/x", ["0" * 40])


def test_tampered_token(issuer: OidcIssuer) -> None:
    cache = jwks.JwksCache(allow_private_networks=True)
    h, p, s = issuer.token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(p + "=="))
    claims["sub"] = "admin-000000"
    p2 = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert "signature" in refused(issuer, cache, f"{h}.{p2}.{s}")


def test_wrong_signer_with_a_known_kid(issuer: OidcIssuer) -> None:
    cache = jwks.JwksCache(allow_private_networks=True)
    rogue = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
    assert "signature" in refused(issuer, cache, issuer.token(key=rogue))


def test_key_in_the_token_header_is_never_used(issuer: OidcIssuer) -> None:
    cache = jwks.JwksCache(allow_private_networks=True)
    rogue = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
    token = issuer.token(key=rogue, header={"jwk": rogue.as_dict(private=False), "jku": issuer.url + "/evil"})
    refused(issuer, cache, token)


def test_none_and_hmac_are_refused(issuer: OidcIssuer) -> None:
    cache = jwks.JwksCache(allow_private_networks=True)
    body = (
        base64.urlsafe_b64encode(
            json.dumps(
                {"iss": issuer.url, "sub": "user-123456", "aud": "client-1", "exp": int(time.time()) + 60}
            ).encode()
        )
        .rstrip(b"=")
        .decode()
    )
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","kid":"k1"}').rstrip(b"=").decode()
    assert "algorithm" in refused(issuer, cache, f"{none_header}.{body}.")
    # HS256 keyed with the RSA public key's bytes (the classic confusion attack).
    pub = issuer.keys[0].as_dict(private=False)
    hmac_key = OctKey.import_key(json.dumps(pub).encode())
    from joserfc import jwt

    forged = jwt.encode(
        {"alg": "HS256", "kid": "k1"},
        {"iss": issuer.url, "sub": "user-123456", "aud": "client-1", "exp": int(time.time()) + 60},
        hmac_key,
        algorithms=["HS256"],
    )
    refused(issuer, cache, forged)


def test_oct_keys_in_a_jwks_are_dropped() -> None:
    keys = oidc.usable_keys({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}, {"kty": "RSA", "kid": "x"}]})
    assert keys.keys == []


def test_expired_and_not_yet_valid(issuer: OidcIssuer) -> None:
    cache = jwks.JwksCache(allow_private_networks=True)
    old = issuer.token(now=time.time() - 3600, lifetime=600)
    msg = refused(issuer, cache, old, "ExpiredTokenException")
    assert msg.startswith("Token expired: current date/time ") and "must be before the expiration date/time" in msg
    refused(issuer, cache, issuer.token(nbf=int(time.time()) + 3600))
    verify(issuer, cache, issuer.token(now=time.time() - 630, lifetime=600))  # within the leeway


def test_audience_rules(issuer: OidcIssuer) -> None:
    cache = jwks.JwksCache(allow_private_networks=True)
    assert refused(issuer, cache, issuer.token(aud="other")) == "Incorrect token audience"
    ident = verify(issuer, cache, issuer.token(aud=["other", "client-1"]))
    assert ident.audience == "client-1"
    # azp stands for aud only at Google (test_google_aud_is_azp_when_present); this is not Google.
    assert refused(issuer, cache, issuer.token(aud="other", azp="client-1")) == "Incorrect token audience"
    assert refused(issuer, cache, issuer.token(aud=[], azp="client-1")) == "Incorrect token audience"


def test_issuer_must_match(issuer: OidcIssuer) -> None:
    cache = jwks.JwksCache(allow_private_networks=True)
    token = issuer.token(iss="https://evil.example.com")
    keys = cache.keys(issuer.url, [issuer.thumbprint], "k1")
    with pytest.raises(AwsError, match="No OpenIDConnect provider found"):
        oidc.verify(token, issuer=issuer.url, client_ids=["client-1"], keys=keys, now=datetime.now(UTC))


def test_token_size_limit() -> None:
    with pytest.raises(AwsError):
        oidc.peek("a" * 20_001)


def test_key_rotation_at_the_issuer(issuer: OidcIssuer) -> None:
    clock = Clock()
    cache = jwks.JwksCache(allow_private_networks=True, clock=clock, cooldown=30)
    verify(issuer, cache, issuer.token())
    issuer.rotate("k2")
    # Unknown kid: the cache refreshes at once and the new key verifies.
    verify(issuer, cache, issuer.token())
    assert issuer.requests.count("/tenant/keys") == 2


def test_unknown_kid_refresh_has_a_cooldown(issuer: OidcIssuer) -> None:
    clock = Clock()
    cache = jwks.JwksCache(allow_private_networks=True, clock=clock, cooldown=30)
    verify(issuer, cache, issuer.token())
    rogue = RSAKey.generate_key(2048, parameters={"kid": "nope", "alg": "RS256"})
    for _ in range(5):
        assert "verification key" in refused(issuer, cache, issuer.token(key=rogue))
    # The first unknown kid refreshes once; the others fall within the cooldown.
    assert issuer.requests.count("/tenant/keys") == 2
    clock.t += 31
    refused(issuer, cache, issuer.token(key=rogue))
    assert issuer.requests.count("/tenant/keys") == 3


def test_failed_refresh_keeps_known_keys(issuer: OidcIssuer) -> None:
    clock = Clock()
    cache = jwks.JwksCache(allow_private_networks=True, clock=clock, cooldown=30, max_age=60)
    verify(issuer, cache, issuer.token())
    issuer.fail = True
    clock.t += 3600
    verify(issuer, cache, issuer.token())  # stale keys still verify
    rogue = RSAKey.generate_key(2048, parameters={"kid": "zz", "alg": "RS256"})
    clock.t += 60
    refused(issuer, cache, issuer.token(key=rogue))
    issuer.fail = False
    verify(issuer, cache, issuer.token())


def test_ec_keys(issuer: OidcIssuer) -> None:
    issuer.rotate("e1", alg="ES384")
    ident = verify(issuer, jwks.JwksCache(allow_private_networks=True), issuer.token())
    assert ident.subject == "user-123456"


def test_session_claims() -> None:
    ident = oidc.WebIdentity(
        "https://x",
        "user-123456",
        "c",
        ("c",),
        0,
        0,
        {
            "https://aws.amazon.com/tags": {"principal_tags": {"team": ["blue"]}, "transitive_tag_keys": ["team"]},
            "https://aws.amazon.com/source_identity": "alice",
        },
    )
    s = oidc.session_claims(ident)
    assert s.principal_tags == (("team", "blue"),) and s.transitive_tag_keys == ("team",)
    assert s.source_identity == "alice"


@pytest.mark.parametrize(
    ("claim", "claims", "expected"),
    [
        ("repository", {"repository": "acme/app"}, "acme/app"),
        ("repository_id", {"repository_id": 42}, "42"),
        ("ref_protected", {"ref_protected": True}, "true"),
        ("google/organization_number", {"google": {"organization_number": "123"}}, "123"),
        ("oidc.circleci.com/project-id", {"oidc.circleci.com/project-id": "p-1"}, "p-1"),
        # Hostile or absent values give no key: objects, lists, null, a path through a scalar.
        ("repository", {"repository": {"name": "x"}}, None),
        ("repository", {"repository": ["a", "b"]}, None),
        ("repository", {"repository": None}, None),
        ("repository", {}, None),
        ("google/organization_number", {"google": "flat"}, None),
        ("google/organization_number", {"google": {"organization_number": {"deep": 1}}}, None),
    ],
)
def test_provider_claim_keys(claim: str, claims: dict[str, object], expected: str | None) -> None:
    ident = oidc.WebIdentity("https://token.example", "sub-1", "aud-1", ("aud-1",), 0, 0, claims)
    keys = oidc.condition_keys(ident, "https://token.example", (claim,))
    assert keys.get(f"token.example:{claim}") == expected


def test_provider_claims_never_override_the_verified_keys() -> None:
    ident = oidc.WebIdentity("https://t.example", "real-sub", "real-aud", ("real-aud",), 0, 0, {"sub": "forged"})
    keys = oidc.condition_keys(ident, "https://t.example", ("sub", "aud"))
    assert (keys["t.example:sub"], keys["t.example:aud"]) == ("real-sub", "real-aud")


@pytest.mark.parametrize(
    "body",
    [
        b'{"keys": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"keys": [{"kty": "EC", "crv": "P-256", "x": ' + b"[" * 900 + b"]" * 900 + b', "y": "AA"}]}',
        b'{"keys": [{"kty": "RSA", "n": ' + b"[" * 900 + b"]" * 900 + b', "e": "AQAB"}]}',
    ],
)
def test_a_deeply_nested_jwks_is_refused_not_a_500(issuer: OidcIssuer, body: bytes) -> None:
    issuer.raw_jwks = body
    try:
        keys = jwks.fetch_keys(issuer.url, [issuer.thumbprint], allow_private_networks=True)
    except jwks.FetchError as e:
        assert e.error.code == "InvalidIdentityToken"
    else:
        assert keys.keys == []


# --- hostile JWKS documents and tokens, against the pure verifier ------------------------------
# Each case once reached an edge: CPU bought with an unsigned call, a 500, a token accepted
# that names none of the provider's clients, a session value that broke the XML answer.

ISS = "https://idp.example.com/tenant"
GOOGLE = "https://accounts.google.com"
NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
T = int(NOW.timestamp())
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64_int(v: int) -> str:
    return _b64u(v.to_bytes((v.bit_length() + 7) // 8, "big"))


def _claims(**extra: Any) -> dict[str, Any]:
    return {"iss": ISS, "sub": "user-123456", "aud": "client-1", "iat": T, "exp": T + 600, **extra}


def sign(payload: dict[str, Any] | bytes, *, header: dict[str, Any] | None = None, key: RSAKey = KEY) -> str:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return jws.serialize_compact(header or {"alg": "RS256", "kid": "k1"}, raw, key, algorithms=["RS256"])


def verify_pure(token: str, *, issuer: str = ISS, keys: KeySet | None = None) -> oidc.WebIdentity:
    keys = keys or KeySet([RSAKey.import_key(KEY.as_dict(private=False))])
    return oidc.verify(token, issuer=issuer, client_ids=("client-1",), keys=keys, now=NOW)


def refused_pure(token: str, **kw: Any) -> str:
    with pytest.raises(AwsError) as e:
        verify_pure(token, **kw)
    assert e.value.code == "InvalidIdentityToken", e.value
    return e.value.message or ""


def rsa_jwk(bits: int = 2048, e: int = 65537, *, kid: str | None = None, **members: str) -> dict[str, str]:
    """A public RSA JWK with a random modulus of exactly ``bits`` bits: it imports, and no
    signature ever verifies with it — a hostile document's key."""
    n = secrets.randbits(bits) | (1 << (bits - 1)) | 1
    return {"kty": "RSA", "n": _b64_int(n), "e": _b64_int(e), **({"kid": kid} if kid else {}), **members}


# --- the JWKS: how many keys, which RSA keys ---------------------------------------------------


def test_a_jwks_gives_at_most_100_keys() -> None:
    doc = {"keys": [ECKey.generate_key("P-256").as_dict(private=False) for _ in range(130)]}
    assert len(oidc.usable_keys(doc).keys) == oidc.MAX_JWKS_KEYS == 100


def test_entries_past_the_first_100_are_not_read_even_after_unusable_ones() -> None:
    """Entries that give no key count too: the work per fetch is bounded by the document's
    first 100 entries whatever they hold."""
    junk: list[Any] = [{"kty": "oct", "k": "c2VjcmV0"}, "not a key", {"kty": "RSA", "n": "x", "e": "AQAB"}] * 40
    good = RSAKey.import_key(KEY.as_dict(private=False)).as_dict()
    assert oidc.usable_keys({"keys": [*junk[:99], good]}).keys
    assert oidc.usable_keys({"keys": [*junk[:100], good]}).keys == []


@pytest.mark.parametrize(
    ("bits", "e", "usable"),
    [
        (2048, 65537, True),
        (2048, 3, True),
        (8192, 65537, True),
        (4096, 2**32 - 1, True),
        (3072, (1 << 2999) | 1, False),  # the probe's key: a 3,000-bit exponent
        (2048, 2**32 + 1, False),  # odd, just past the bound
        (8200, 65537, False),
        (16384, 65537, False),
        (2040, 65537, False),
        (1024, 65537, False),
    ],
)
def test_rsa_keys_outside_the_sizes_signers_use_are_refused(bits: int, e: int, usable: bool) -> None:
    keys = oidc.usable_keys({"keys": [rsa_jwk(bits, e, kid="x")]}).keys
    assert bool(keys) is usable


@pytest.mark.parametrize("e", [1, 2, 65536, 2**32])
def test_even_or_tiny_exponents_are_refused(e: int) -> None:
    assert oidc.usable_keys({"keys": [rsa_jwk(2048, e)]}).keys == []


def test_a_modulus_with_a_leading_zero_octet_is_read_by_its_value() -> None:
    jwk = KEY.as_dict(private=False)
    jwk["n"] = _b64u(b"\0" + base64.urlsafe_b64decode(str(jwk["n"]) + "=="))
    assert oidc.usable_keys({"keys": [jwk]}).keys


def test_the_probe_jwks_yields_nothing() -> None:
    """480 RSA-3072 keys with ~3,000-bit exponents (probe_jwks_cpu.py): none is kept."""
    doc = {"keys": [rsa_jwk(3072, secrets.randbits(3000) | (1 << 2999) | 1, use="sig") for _ in range(480)]}
    assert oidc.usable_keys(doc).keys == []


# --- candidates: how many keys one token is tried against ---------------------------------------


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every signature verification ``oidc.verify`` makes, by key."""
    tried: list[object] = []
    real: Callable[..., Any] = jws.deserialize_compact

    def counting(value: Any, key: Any, *args: Any, **kwargs: Any) -> Any:
        tried.append(key)
        return real(value, key, *args, **kwargs)

    monkeypatch.setattr(jws, "deserialize_compact", counting)  # the module oidc calls through
    return tried


def _many(n: int, kid: str | None = None) -> KeySet:
    return oidc.usable_keys({"keys": [rsa_jwk(kid=kid, alg="RS256") for _ in range(n)]})


def test_a_kidless_token_is_tried_against_at_most_four_keys(attempts: list[object]) -> None:
    keys = _many(60)
    assert len(keys.keys) == 60
    assert "signature" in refused_pure(sign(_claims(), header={"alg": "RS256"}), keys=keys)
    assert len(attempts) == oidc.MAX_CANDIDATE_KEYS == 4


def test_a_kid_shared_by_many_keys_is_tried_against_at_most_four(attempts: list[object]) -> None:
    keys = _many(60, kid="k1")
    assert "signature" in refused_pure(sign(_claims()), keys=keys)
    assert len(attempts) == 4


def test_kidless_tokens_still_verify_within_the_first_four(attempts: list[object]) -> None:
    public = KEY.as_dict(private=False)
    del public["kid"]
    decoys = [rsa_jwk(alg="RS256") for _ in range(3)]
    token = sign(_claims(), header={"alg": "RS256"})
    assert verify_pure(token, keys=oidc.usable_keys({"keys": [*decoys, public]})).subject == "user-123456"
    assert len(attempts) == 4
    # The documented cost of the bound: a fifth key is never tried.
    refused_pure(token, keys=oidc.usable_keys({"keys": [*decoys, rsa_jwk(alg="RS256"), public]}))


# --- JSON that used to be a 500 ------------------------------------------------------------------


@pytest.mark.parametrize("depth", [3000, 7000])
@pytest.mark.parametrize("part", ["header", "payload"])
def test_deeply_nested_json_is_not_a_jwt(part: str, depth: int) -> None:
    nested = b"[" * depth + b"]" * depth
    header = _b64u(nested) if part == "header" else _b64u(b'{"alg":"RS256"}')
    payload = _b64u(b'{"iss":"x","a":' + nested + b"}") if part == "payload" else _b64u(json.dumps(_claims()).encode())
    token = f"{header}.{payload}.AAAA"
    assert len(token) <= oidc.MAX_TOKEN_CHARS
    with pytest.raises(AwsError) as e:
        oidc.peek(token)
    assert e.value.code == "InvalidIdentityToken" and "not a valid JWT" in (e.value.message or "")
    assert "not a valid JWT" in refused_pure(token)


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN", "1e400", "-1e400"])
def test_non_finite_times_are_invalid_claims(claim: str, literal: str) -> None:
    placeholder = "__time__"
    body = json.dumps(_claims(**{claim: placeholder})).replace(f'"{placeholder}"', literal).encode()
    assert refused_pure(sign(body)) == f"Invalid claim: {claim}"


def test_finite_float_times_still_work() -> None:
    assert verify_pure(sign(_claims(exp=T + 600.5, iat=float(T)))).expires_at == T + 600


# --- the audience: azp is Google's rule only -----------------------------------------------------


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "other", "azp": "client-1"},
        {"aud": [], "azp": "client-1"},
        {"aud": ["other", "another"], "azp": "client-1"},
    ],
)
def test_azp_does_not_stand_in_for_aud(claims: dict[str, Any]) -> None:
    assert refused_pure(sign(_claims(**claims))) == "Incorrect token audience"


def test_aud_with_a_listed_client_is_accepted_whatever_azp_says() -> None:
    ident = verify_pure(sign(_claims(aud=["other", "client-1"], azp="someone-else")))
    assert ident.audience == "client-1" and ident.audiences == ("other", "client-1")


@pytest.mark.parametrize("issuer", [GOOGLE, GOOGLE + "/"])
def test_google_aud_is_azp_when_present(issuer: str) -> None:
    ident = verify_pure(sign(_claims(iss=issuer, aud="server-client", azp="client-1")), issuer=issuer)
    assert ident.audience == "client-1" and ident.audiences == ("server-client",)
    keys = oidc.condition_keys(ident, issuer)
    assert (keys["accounts.google.com:aud"], keys["accounts.google.com:oaud"]) == ("client-1", ["server-client"])
    # azp present is the audience: a listed aud beside an unlisted azp is not enough.
    token = sign(_claims(iss=issuer, aud="client-1", azp="unlisted"))
    assert refused_pure(token, issuer=issuer) == "Incorrect token audience"
    # No azp: aud as for everyone.
    assert verify_pure(sign(_claims(iss=issuer)), issuer=issuer).audience == "client-1"


def test_a_lookalike_google_path_gets_no_azp_rule() -> None:
    issuer = "https://idp.example.com/accounts.google.com"
    refused_pure(sign(_claims(iss=issuer, aud="other", azp="client-1")), issuer=issuer)


# --- the subject -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sub",
    [
        "abc\x00def",
        "abc\ndef12",
        "abcdef\r",
        "tab\there",
        "del\x7fete",
        "c1\x85ctrl",
        "lone\udc80surrogate",
        "nonchar\uffff",
    ],
)
def test_a_subject_with_control_characters_is_refused(sub: str) -> None:
    assert refused_pure(sign(_claims(sub=sub))) == "Missing or invalid claim: sub"


@pytest.mark.parametrize("sub", ["******", "??????", "${aws:username}", "a/../../b", "ユーザー名前です", "x" * 255])
def test_printable_subjects_are_kept_as_sent(sub: str) -> None:
    assert verify_pure(sign(_claims(sub=sub))).subject == sub


# --- session claims: SAML's rules --------------------------------------------------------------


def _session(claims: dict[str, Any]) -> oidc.TokenSession:
    ident = oidc.WebIdentity(ISS, "user-123456", "client-1", ("client-1",), T + 600, T, claims)
    return oidc.session_claims(ident)


def _tags(principal: dict[str, Any], transitive: list[str] | None = None) -> dict[str, Any]:
    claim: dict[str, Any] = {"principal_tags": principal}
    if transitive is not None:
        claim["transitive_tag_keys"] = transitive
    return {"https://aws.amazon.com/tags": claim}


@pytest.mark.parametrize(
    "principal",
    [
        {"team*": ["x"]},
        {"team": ["a*b"]},
        {"te\x00am": ["x"]},
        {"team": ["x\x00y"]},
        {"team": ["<b>"]},
        {"team": ["a&b"]},
        {"team": ["line\nbreak"]},
        {"team\n": ["x"]},
        {"team": ["tab\there"]},
        {"": ["x"]},
        {"k" * 129: ["x"]},
        {"team": ["v" * 257]},
        {"Team": ["eng"], "team": ["admin"]},  # keys that differ only by case
        {"team": ["a", "b"]},  # multi-valued
        {"team": [1]},
        {f"k{i}": [f"v{i}"] for i in range(51)},
    ],
)
def test_principal_tags_outside_the_rules_are_refused(principal: dict[str, Any]) -> None:
    with pytest.raises(AwsError, match=r"Invalid https://aws.amazon.com/tags claim"):
        _session(_tags(principal))


def test_transitive_keys_must_name_a_tag() -> None:
    with pytest.raises(AwsError, match="tags claim"):
        _session(_tags({"team": ["eng"]}, ["project"]))
    assert _session(_tags({"team": ["eng"]}, ["TEAM"])).transitive_tag_keys == ("TEAM",)


def test_tags_within_the_rules_are_kept() -> None:
    principal = {"Team": ["eng"], "cost-center": "42", "Projekt Über": ["α β"], "k:/=+@_.": [""]}
    s = _session(_tags(principal, ["Team"]))
    assert s.principal_tags == (("Team", "eng"), ("cost-center", "42"), ("Projekt Über", "α β"), ("k:/=+@_.", ""))
    assert len(_session(_tags({f"k{i}": [f"v{i}"] for i in range(50)})).principal_tags) == 50


@pytest.mark.parametrize(
    "value",
    ["**", "a\x00b", "alice\n", "al ice", "ålice", "a", "x" * 65, "aws:me", "AWS:me", 42, ["alice"]],
)
def test_source_identity_outside_the_pattern_is_refused(value: object) -> None:
    with pytest.raises(AwsError, match="source_identity claim"):
        _session({"https://aws.amazon.com/source_identity": value})


@pytest.mark.parametrize("value", ["ab", "alice@example.com", "a+b=c,d.e-f_g", "x" * 64, "awsome"])
def test_source_identity_within_the_pattern_is_kept(value: str) -> None:
    assert _session({"https://aws.amazon.com/source_identity": value}).source_identity == value
