"""Fixtures for the IAM part-B tests (roles, policies, AWS managed policies, providers).

Every test drives the real ``credmint serve`` of the session (``tests/conftest.py``'s
``server``) with boto3 or the AWS CLI, and makes its own uniquely named entities.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, aws_cli_data_path


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def iam(server: Server) -> Any:
    return server.client("iam")


TRUST_EC2 = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def allow(action: str = "s3:ListAllMyBuckets", resource: str = "*") -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
    )


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response["Error"]
    return err["Code"], err.get("Message", ""), exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def aws_cli(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    """``aws <args> --endpoint-url <server>`` with the server's root credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=server.access_key_id,
        AWS_SECRET_ACCESS_KEY=server.secret_access_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    aws_cli_data_path(env)
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    return subprocess.run(
        [aws, *args, "--endpoint-url", server.url, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def self_signed_cert(common_name: str = "idp.example.com") -> str:
    """A base64 DER certificate, as it appears inside ds:X509Certificate."""
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
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
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def saml_metadata(
    entity_id: str = "https://idp.example.com/saml",
    cert: str | None = None,
    *,
    use: str | None = "signing",
    valid_until: str | None = None,
    extra: str = "",
) -> str:
    """An IdP metadata document (padded past CreateSAMLProvider's 1000-character minimum)."""
    cert = cert or self_signed_cert()
    use_attr = f' use="{use}"' if use else ""
    until = f' validUntil="{valid_until}"' if valid_until else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}"{until}>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor{use_attr}>
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>{cert}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/sso/redirect"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="https://idp.example.com/sso/post"/>{extra}
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
<!-- {"padding " * 80} -->
"""
