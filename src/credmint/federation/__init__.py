"""Federation: SAML and OpenID Connect verification (pure), the JWKS fetcher, and the outbound issuer."""
