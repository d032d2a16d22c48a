"""SAML and OpenID Connect identity providers, end to end, and the read functions federation uses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.federation.saml_metadata import parse_saml_metadata
from tests.conftest import Server
from tests.iam.fixtures_b import aws_cli, error_of, iam, saml_metadata, self_signed_cert, unique

pytestmark = pytest.mark.e2e
__all__ = ["iam"]

THUMB = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


# --- SAML -----------------------------------------------------------------------------------


def test_saml_provider_lifecycle(iam: Any, server: Server) -> None:
    name = unique("idp")
    doc = saml_metadata(valid_until="2030-01-01T00:00:00Z")
    created = iam.create_saml_provider(Name=name, SAMLMetadataDocument=doc, Tags=[{"Key": "k", "Value": "v"}])
    arn = f"arn:aws:iam::{server.account_id}:saml-provider/{name}"
    assert created["SAMLProviderArn"] == arn and created["Tags"] == [{"Key": "k", "Value": "v"}]
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == doc
    assert got["ValidUntil"].year == 2030 and got["SAMLProviderUUID"]
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    listed = [p for p in iam.list_saml_providers()["SAMLProviderList"] if p["Arn"] == arn]
    assert len(listed) == 1 and "CreateDate" in listed[0]

    with pytest.raises(ClientError) as exc:
        iam.create_saml_provider(Name=name, SAMLMetadataDocument=doc)
    assert error_of(exc)[0] == "EntityAlreadyExists"

    newer = saml_metadata(entity_id="https://idp2.example.com/saml")
    assert iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=newer)["SAMLProviderArn"] == arn
    assert iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == newer

    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "x", "Value": "y"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["k"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [{"Key": "x", "Value": "y"}]

    iam.delete_saml_provider(SAMLProviderArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.get_saml_provider(SAMLProviderArn=arn)
    assert error_of(exc) == ("NoSuchEntity", f"Manifest not found for arn {arn}", 404)


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param("<not xml" + " " * 1000, id="not-xml"),
        pytest.param(saml_metadata(entity_id=""), id="no-entity-id"),
        pytest.param(saml_metadata(use="encryption"), id="encryption-key-only"),
        pytest.param(saml_metadata(cert="bm90IGEgY2VydGlmaWNhdGU="), id="not-a-certificate"),
        pytest.param(
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + saml_metadata().split("?>", 1)[1].replace("https://idp.example.com/saml", "&e;"),
            id="external-entity",
        ),
        pytest.param(
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            + saml_metadata().split("?>", 1)[1].replace("https://idp.example.com/saml", "&b;"),
            id="entity-expansion",
        ),
    ],
)
def test_saml_bad_metadata(iam: Any, doc: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_saml_provider(Name=unique("idp"), SAMLMetadataDocument=doc)
    assert error_of(exc) == ("InvalidInput", "Could not parse metadata", 400)


def test_saml_metadata_parsing_keeps_entity_and_signing_certs() -> None:
    signing, other = self_signed_cert("a"), self_signed_cert("b")
    extra = f"""
    <md:KeyDescriptor use="encryption"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
      <ds:X509Certificate>{other}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"""
    meta = parse_saml_metadata(saml_metadata(entity_id="urn:idp", cert=signing, use=None, extra=extra))
    assert meta.entity_id == "urn:idp"
    import base64

    assert meta.certificates == (base64.b64decode(signing),)


def test_saml_provider_read_function(iam: Any, server: Server) -> None:
    from credmint.identity_providers.trusted import saml_provider
    from credmint.store.db import Store, sqlite_url

    name = unique("idp")
    doc = saml_metadata(entity_id="https://read.example.com/saml")
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=doc)["SAMLProviderArn"]
    store = Store(sqlite_url(server.data_dir))
    found = saml_provider(store, arn)
    assert found is not None
    metadata, entity_id, certs = found
    assert metadata == doc and entity_id == "https://read.example.com/saml" and len(certs) == 1
    assert saml_provider(store, arn + "-none") is None
    iam.delete_saml_provider(SAMLProviderArn=arn)


# --- OpenID Connect -------------------------------------------------------------------------


def test_oidc_provider_lifecycle(iam: Any, server: Server) -> None:
    host = f"{unique('oidc')}.example.com/path"
    url = f"https://{host}"
    out = iam.create_open_id_connect_provider(
        Url=url, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMB], Tags=[{"Key": "k", "Value": "v"}]
    )
    arn = f"arn:aws:iam::{server.account_id}:oidc-provider/{host}"
    assert out["OpenIDConnectProviderArn"] == arn
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == host
    assert got["ClientIDList"] == ["sts.amazonaws.com"] and got["ThumbprintList"] == [THUMB]
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    assert {"Arn": arn} in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]

    with pytest.raises(ClientError) as exc:
        iam.create_open_id_connect_provider(Url=url, ClientIDList=["x"])
    assert error_of(exc) == ("EntityAlreadyExists", f"Provider with url {url} already exists.", 409)

    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app-2")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app-2")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="sts.amazonaws.com")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="never-there")
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == ["app-2"]

    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["a" * 40])
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == ["a" * 40]

    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "x", "Value": "y"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["k"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == [{"Key": "x", "Value": "y"}]

    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert error_of(exc) == ("NoSuchEntity", f"OpenIDConnect Provider not found for arn {arn}", 404)


def test_oidc_without_thumbprints_and_bad_input(iam: Any) -> None:
    url = f"https://{unique('oidc')}.example.com"
    arn = iam.create_open_id_connect_provider(Url=url, ClientIDList=["c"])["OpenIDConnectProviderArn"]
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == []
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)

    with pytest.raises(ClientError) as exc:
        iam.create_open_id_connect_provider(Url=f"http://{unique('oidc')}.example.com", ClientIDList=["c"])
    assert error_of(exc)[0] == "InvalidInput"
    with pytest.raises(ClientError) as exc:
        iam.create_open_id_connect_provider(Url=url, ThumbprintList=[f"{i:040x}" for i in range(6)])
    assert error_of(exc)[0] in ("InvalidInput", "ValidationError")
    with pytest.raises(ClientError) as exc:
        iam.create_open_id_connect_provider(Url=url, ThumbprintList=["z" * 40])
    assert error_of(exc)[0] == "InvalidInput"


def test_oidc_read_function(iam: Any, server: Server) -> None:
    from credmint.identity_providers.trusted import oidc_provider
    from credmint.store.db import Store, sqlite_url

    url = f"https://{unique('oidc')}.example.com"
    arn = iam.create_open_id_connect_provider(Url=url, ClientIDList=["aud"])["OpenIDConnectProviderArn"]
    store = Store(sqlite_url(server.data_dir))
    by_arn = oidc_provider(store, arn, server.account_id)
    by_url = oidc_provider(store, url, server.account_id)
    assert by_arn == by_url and by_arn is not None
    assert by_arn.url == url and by_arn.client_ids == ("aud",)
    assert oidc_provider(store, url, "000000000000") is None
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)


def test_providers_with_the_aws_cli(server: Server) -> None:
    url = f"https://{unique('oidc')}.example.com"
    made = aws_cli(
        server, "iam", "create-open-id-connect-provider", "--url", url, "--client-id-list", "sts.amazonaws.com"
    )
    assert made.returncode == 0, made.stderr
    arn = json.loads(made.stdout)["OpenIDConnectProviderArn"]
    got = aws_cli(server, "iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", arn)
    assert json.loads(got.stdout)["ClientIDList"] == ["sts.amazonaws.com"]
    assert (
        aws_cli(server, "iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn", arn).returncode == 0
    )


# --- UpdateOpenIDConnectProvider (trusted identity propagation) ----------------------------------

CONTEXT = {"SubjectSourceKey": "sub", "KeyDefinitionList": [{"SourceKey": "email", "TargetKey": "mail"}]}
INSTANCE = "arn:aws:sso:::instance/ssoins-1111222233334444"


def _oidc(iam: Any) -> str:
    url = f"https://{unique('tip')}.example.com"
    return str(iam.create_open_id_connect_provider(Url=url, ClientIDList=["c"])["OpenIDConnectProviderArn"])


def test_update_oidc_provider_context_and_identity_center(iam: Any) -> None:
    arn = _oidc(iam)
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert "ContextProvider" not in got and "IdentityCenterInstanceArn" not in got
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, ContextProvider=CONTEXT)
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, IdentityCenterInstanceArn=INSTANCE)
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["ContextProvider"] == CONTEXT and got["IdentityCenterInstanceArn"] == INSTANCE
    assert got["ClientIDList"] == ["c"]  # nothing else about the provider changed
    # The context provider goes only once the association is gone.
    with pytest.raises(ClientError) as exc:
        iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, RemoveContextProvider=True)
    assert error_of(exc)[0] == "InvalidInput"
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, RemoveIdentityCenterInstance=True)
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, RemoveContextProvider=True)
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert "ContextProvider" not in got and "IdentityCenterInstanceArn" not in got
    # Deleting the provider takes its settings along.
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, ContextProvider=CONTEXT)
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, ContextProvider=CONTEXT)
    assert error_of(exc)[0] == "NoSuchEntity"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ContextProvider": CONTEXT, "RemoveContextProvider": True},
        {"IdentityCenterInstanceArn": INSTANCE, "RemoveIdentityCenterInstance": True},
        {"ContextProvider": CONTEXT, "IdentityCenterInstanceArn": INSTANCE},
        {},
        {"IdentityCenterInstanceArn": INSTANCE},  # no context provider in place yet
        {"IdentityCenterInstanceArn": "arn:aws:iam::123456789012:role/not-an-instance"},
    ],
)
def test_update_oidc_provider_refusals(iam: Any, kwargs: dict[str, Any]) -> None:
    arn = _oidc(iam)
    with pytest.raises(ClientError) as exc:
        iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, **kwargs)
    assert error_of(exc)[:1] == ("InvalidInput",)


def test_update_oidc_provider_condition_keys(server: Server) -> None:
    from tests.sts.helpers import make_user

    owner = server.client("iam")
    arn = _oidc(owner)
    deny_propagation = {
        "Effect": "Deny",
        "Action": "iam:UpdateOpenIDConnectProvider",
        "Resource": "*",
        "Condition": {"Bool": {"iam:EnableIdentityPropagation": "true"}},
    }
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}, deny_propagation],
        }
    )
    user = make_user(server, policy=policy)
    as_user = server.client("iam", **user.creds.kwargs())
    with pytest.raises(ClientError) as exc:
        as_user.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, ContextProvider=CONTEXT)
    assert error_of(exc)[0] == "AccessDenied"
    owner.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, ContextProvider=CONTEXT)
    as_user.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, RemoveContextProvider=True)
