"""Identity providers: the ones an account trusts (registered SAML and OpenID Connect
providers, as federation reads them) and the ones credmint runs (the outbound web identity
issuer and the workload identity issuers). Below the services: IAM writes and serves
them, STS reads and mints with them, the server publishes their keys."""
