"""The web identity verifier and the JWKS fetcher against a real HTTPS issuer on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from joserfc.jwk import OctKey, RSAKey

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
    ident = verify(issuer, cache, issuer.token(aud="other", azp="client-1"))
    assert ident.audience == "client-1" and ident.audiences == ("other",)


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
