"""IAM: identity providers for federation, SAML 2.0 and OpenID Connect.

SAML metadata documents are parsed by :mod:`credmint.federation.saml_metadata` (no DTDs,
no entities, no network access: a metadata document is attacker-supplied text) and must
name an ``entityID`` and at least one IdP signing certificate; AssumeRoleWithSAML and
AssumeRoleWithWebIdentity read providers back through
:mod:`credmint.identity_providers.trusted`.

Not implemented: SAML assertion encryption (``AssertionEncryptionMode``,
``AddPrivateKey``/``RemovePrivateKey``): the store has no place for the private keys
yet. Calls that ask for them are refused rather than silently half-done.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from credmint import arns
from credmint.api import Call, operation
from credmint.federation.saml_metadata import parse_saml_metadata
from credmint.iam import errors as iam_errors
from credmint.iam.common import (
    account_of,
    authorize,
    put_tags,
    register_tag_operations,
    tags_param,
)
from credmint.iam.ops import OPERATIONS
from credmint.store import schema
from credmint.store.tags import drop_all_tags, get_tags

MAX_PROVIDERS = 100
MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5


# --- SAML metadata --------------------------------------------------------------------------


# --- SAML providers -------------------------------------------------------------------------


def _saml_row(call: Call, conn: Connection, action: str, arn: str) -> Row[Any]:
    authorize(call, action, arn)
    sp = schema.saml_providers
    row = conn.execute(select(sp).where(sp.c.arn == arn, sp.c.account_id == account_of(call))).first()
    if row is None:
        raise iam_errors.NoSuchEntity.saml_provider(arn)
    return row


def _refuse_encryption(params: Mapping[str, Any]) -> None:
    if (
        params.get("AddPrivateKey")
        or params.get("RemovePrivateKey")
        or params.get("AssertionEncryptionMode") == "Required"
    ):
        raise iam_errors.InvalidInput.saml_encryption()


@operation(OPERATIONS, "CreateSAMLProvider")
def create_saml_provider(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    account_id = account_of(call)
    name: str = p["Name"]
    arn = arns.saml_provider(account_id, name)
    authorize(call, "iam:CreateSAMLProvider", arn)
    _refuse_encryption(p)
    text: str = p["SAMLMetadataDocument"]
    meta = parse_saml_metadata(text)
    tags = tags_param(p)
    sp = schema.saml_providers
    with call.store.write() as conn:
        if conn.execute(select(sp.c.arn).where(sp.c.arn == arn)).first() is not None:
            raise iam_errors.EntityAlreadyExists.saml_provider(name)  # unconfirmed wording
        count = conn.execute(select(func.count()).select_from(sp).where(sp.c.account_id == account_id)).scalar_one()
        if count >= MAX_PROVIDERS:
            raise iam_errors.LimitExceeded.quota("SamlProvidersPerAccount", MAX_PROVIDERS)
        conn.execute(
            insert(sp).values(
                arn=arn,
                account_id=account_id,
                name=name,
                metadata_document=text,
                saml_provider_uuid=f"p-{uuid.uuid4()}",
                created_at=call.now,
                valid_until=meta.valid_until,
            )
        )
        if tags:
            put_tags(conn, arn, tags)
    out: dict[str, Any] = {"SAMLProviderArn": arn}
    if tags:
        out["Tags"] = tags
    return out


@operation(OPERATIONS, "GetSAMLProvider")
def get_saml_provider(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        row = _saml_row(call, conn, "iam:GetSAMLProvider", call.params["SAMLProviderArn"])
        tags = get_tags(conn, row.arn)
    out: dict[str, Any] = {
        "SAMLProviderUUID": row.saml_provider_uuid,
        "SAMLMetadataDocument": row.metadata_document,
        "CreateDate": row.created_at,
    }
    if row.valid_until is not None:
        out["ValidUntil"] = row.valid_until
    if tags:
        out["Tags"] = tags
    return out


@operation(OPERATIONS, "ListSAMLProviders")
def list_saml_providers(call: Call) -> Mapping[str, Any] | None:
    authorize(call, "iam:ListSAMLProviders", "*")
    sp = schema.saml_providers
    with call.store.read() as conn:
        rows = conn.execute(select(sp).where(sp.c.account_id == account_of(call)).order_by(sp.c.arn)).all()
    out = []
    for row in rows:
        item: dict[str, Any] = {"Arn": row.arn, "CreateDate": row.created_at}
        if row.valid_until is not None:
            item["ValidUntil"] = row.valid_until
        out.append(item)
    return {"SAMLProviderList": out}


@operation(OPERATIONS, "UpdateSAMLProvider")
def update_saml_provider(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    _refuse_encryption(p)
    text: str | None = p.get("SAMLMetadataDocument")
    meta = parse_saml_metadata(text) if text is not None else None
    sp = schema.saml_providers
    with call.store.write() as conn:
        row = _saml_row(call, conn, "iam:UpdateSAMLProvider", p["SAMLProviderArn"])
        if meta is not None:
            conn.execute(
                update(sp).where(sp.c.arn == row.arn).values(metadata_document=text, valid_until=meta.valid_until)
            )
    return {"SAMLProviderArn": row.arn}


@operation(OPERATIONS, "DeleteSAMLProvider")
def delete_saml_provider(call: Call) -> Mapping[str, Any] | None:
    sp = schema.saml_providers
    with call.store.write() as conn:
        row = _saml_row(call, conn, "iam:DeleteSAMLProvider", call.params["SAMLProviderArn"])
        conn.execute(delete(sp).where(sp.c.arn == row.arn))
        drop_all_tags(conn, row.arn)
    return None


def _tagged_saml(call: Call, conn: Connection, action: str) -> str:
    return str(_saml_row(call, conn, action, call.params["SAMLProviderArn"]).arn)


register_tag_operations("SAMLProvider", _tagged_saml)





# --- OpenID Connect providers ---------------------------------------------------------------


def _strip_scheme(url: str) -> str:
    return url[len("https://") :] if url.lower().startswith("https://") else url


def _check_url(url: str) -> str:
    rest = _strip_scheme(url)
    if rest == url or not rest or "?" in rest or "#" in rest or rest.startswith("/"):
        raise iam_errors.InvalidInput.oidc_url()  # unconfirmed wording
    return rest


def _check_thumbprints(values: list[str]) -> list[str]:
    if len(values) > MAX_THUMBPRINTS:
        raise iam_errors.InvalidInput.too_many_thumbprints()  # unconfirmed
    for v in values:
        if len(v) != 40 or any(c not in "0123456789abcdefABCDEF" for c in v):
            raise iam_errors.InvalidInput.thumbprint(v)  # unconfirmed
    return values


def _oidc_row(call: Call, conn: Connection, action: str, arn: str) -> Row[Any]:
    authorize(call, action, arn)
    op = schema.oidc_providers
    row = conn.execute(select(op).where(op.c.arn == arn, op.c.account_id == account_of(call))).first()
    if row is None:
        raise iam_errors.NoSuchEntity.oidc_provider(arn)
    return row


def _client_ids(row: Row[Any]) -> list[str]:
    return list(json.loads(row.client_ids))


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


@operation(OPERATIONS, "CreateOpenIDConnectProvider")
def create_open_id_connect_provider(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    account_id = account_of(call)
    url: str = p["Url"]
    host_path = _check_url(url)
    arn = arns.oidc_provider(account_id, url)
    authorize(call, "iam:CreateOpenIDConnectProvider", arn)
    client_ids = _dedupe(list(p.get("ClientIDList") or []))
    if len(client_ids) > MAX_CLIENT_IDS:
        raise iam_errors.LimitExceeded.quota("ClientIdsPerOpenIdConnectProvider", MAX_CLIENT_IDS)
    thumbprints = _check_thumbprints(_dedupe(list(p.get("ThumbprintList") or [])))
    tags = tags_param(p)
    op = schema.oidc_providers
    with call.store.write() as conn:
        if conn.execute(select(op.c.arn).where(op.c.arn == arn)).first() is not None:
            raise iam_errors.EntityAlreadyExists.oidc_provider(url)
        count = conn.execute(select(func.count()).select_from(op).where(op.c.account_id == account_id)).scalar_one()
        if count >= MAX_PROVIDERS:
            raise iam_errors.LimitExceeded.quota("OpenIdConnectProvidersPerAccount", MAX_PROVIDERS)
        conn.execute(
            insert(op).values(
                arn=arn,
                account_id=account_id,
                url=host_path,
                client_ids=json.dumps(client_ids),
                thumbprints=json.dumps(thumbprints),
                created_at=call.now,
            )
        )
        if tags:
            put_tags(conn, arn, tags)
    out: dict[str, Any] = {"OpenIDConnectProviderArn": arn}
    if tags:
        out["Tags"] = tags
    return out


@operation(OPERATIONS, "GetOpenIDConnectProvider")
def get_open_id_connect_provider(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        row = _oidc_row(call, conn, "iam:GetOpenIDConnectProvider", call.params["OpenIDConnectProviderArn"])
        tags = get_tags(conn, row.arn)
        oc = schema.oidc_provider_configs
        config = conn.execute(select(oc).where(oc.c.arn == row.arn)).first()
    # IAM reports the URL without its scheme.
    out: dict[str, Any] = {
        "Url": row.url,
        "ClientIDList": _client_ids(row),
        "ThumbprintList": list(json.loads(row.thumbprints)),
        "CreateDate": row.created_at,
    }
    if tags:
        out["Tags"] = tags
    if config is not None:
        if config.context_provider:
            out["ContextProvider"] = json.loads(config.context_provider)
        if config.identity_center_instance_arn:
            # AWS also reports the instance's IdentityStoreArn, resolved through IAM Identity
            # Center, which credmint does not serve: it is left out rather than made up.
            out["IdentityCenterInstanceArn"] = config.identity_center_instance_arn
    return out


@operation(OPERATIONS, "ListOpenIDConnectProviders")
def list_open_id_connect_providers(call: Call) -> Mapping[str, Any] | None:
    authorize(call, "iam:ListOpenIDConnectProviders", "*")
    op = schema.oidc_providers
    with call.store.read() as conn:
        arns = conn.execute(select(op.c.arn).where(op.c.account_id == account_of(call)).order_by(op.c.arn)).scalars()
        return {"OpenIDConnectProviderList": [{"Arn": a} for a in arns]}


@operation(OPERATIONS, "DeleteOpenIDConnectProvider")
def delete_open_id_connect_provider(call: Call) -> Mapping[str, Any] | None:
    # Idempotent: "does not fail or return an error if you call the operation for a
    # provider that does not exist" (IAM API reference). Authorized all the same.
    op = schema.oidc_providers
    arn: str = call.params["OpenIDConnectProviderArn"]
    authorize(call, "iam:DeleteOpenIDConnectProvider", arn)
    with call.store.write() as conn:
        if conn.execute(select(op.c.arn).where(op.c.arn == arn, op.c.account_id == account_of(call))).first():
            conn.execute(delete(schema.oidc_provider_configs).where(schema.oidc_provider_configs.c.arn == arn))
        conn.execute(delete(op).where(op.c.arn == arn, op.c.account_id == account_of(call)))
        drop_all_tags(conn, arn)
    return None


@operation(OPERATIONS, "AddClientIDToOpenIDConnectProvider")
def add_client_id(call: Call) -> Mapping[str, Any] | None:
    op = schema.oidc_providers
    client_id: str = call.params["ClientID"]
    with call.store.write() as conn:
        row = _oidc_row(call, conn, "iam:AddClientIDToOpenIDConnectProvider", call.params["OpenIDConnectProviderArn"])
        ids = _client_ids(row)
        if client_id in ids:
            return None  # adding a client id twice is not an error
        if len(ids) >= MAX_CLIENT_IDS:
            raise iam_errors.LimitExceeded.quota("ClientIdsPerOpenIdConnectProvider", MAX_CLIENT_IDS)
        conn.execute(update(op).where(op.c.arn == row.arn).values(client_ids=json.dumps([*ids, client_id])))
    return None


@operation(OPERATIONS, "RemoveClientIDFromOpenIDConnectProvider")
def remove_client_id(call: Call) -> Mapping[str, Any] | None:
    op = schema.oidc_providers
    client_id: str = call.params["ClientID"]
    with call.store.write() as conn:
        row = _oidc_row(
            call, conn, "iam:RemoveClientIDFromOpenIDConnectProvider", call.params["OpenIDConnectProviderArn"]
        )
        # Removing a client id that is not there is not an error (documented).
        ids = [c for c in _client_ids(row) if c != client_id]
        conn.execute(update(op).where(op.c.arn == row.arn).values(client_ids=json.dumps(ids)))
    return None


@operation(OPERATIONS, "UpdateOpenIDConnectProviderThumbprint")
def update_thumbprint(call: Call) -> Mapping[str, Any] | None:
    op = schema.oidc_providers
    thumbprints = _check_thumbprints(_dedupe(list(call.params.get("ThumbprintList") or [])))
    with call.store.write() as conn:
        row = _oidc_row(
            call, conn, "iam:UpdateOpenIDConnectProviderThumbprint", call.params["OpenIDConnectProviderArn"]
        )
        conn.execute(update(op).where(op.c.arn == row.arn).values(thumbprints=json.dumps(thumbprints)))
    return None


def _tagged_oidc(call: Call, conn: Connection, action: str) -> str:
    return str(_oidc_row(call, conn, action, call.params["OpenIDConnectProviderArn"]).arn)


register_tag_operations("OpenIDConnectProvider", _tagged_oidc)





@operation(OPERATIONS, "UpdateOpenIDConnectProvider")
def update_open_id_connect_provider(call: Call) -> Mapping[str, Any] | None:
    """Set, change or remove an OIDC provider's trusted identity propagation context
    provider and its IAM Identity Center association (never its thumbprints).

    The API reference's rules, checked before anything is written: a value and its Remove
    flag never together; one request changes either the context provider or the Identity
    Center association, not both; the context provider is removed only once no Identity
    Center instance is associated. An association needs a context provider in place
    (implied by that last rule; refusing the other order is the safe side).
    """
    p = call.params
    arn: str = p["OpenIDConnectProviderArn"]
    context = p.get("ContextProvider")
    remove_context = bool(p.get("RemoveContextProvider"))
    instance = p.get("IdentityCenterInstanceArn")
    remove_instance = bool(p.get("RemoveIdentityCenterInstance"))
    if context is not None and remove_context:
        raise iam_errors.InvalidInput.context_provider_twice()
    if instance is not None and remove_instance:
        raise iam_errors.InvalidInput.identity_center_twice()
    changes_context = context is not None or remove_context
    changes_instance = instance is not None or remove_instance
    if changes_context and changes_instance:
        raise iam_errors.InvalidInput.context_and_identity_center()
    if not changes_context and not changes_instance:
        raise iam_errors.InvalidInput.nothing_to_update()
    if instance is not None and not instance.startswith("arn:aws:sso:::instance/"):
        raise iam_errors.InvalidInput.identity_center_arn(instance)
    op, oc = schema.oidc_providers, schema.oidc_provider_configs
    with call.store.write() as conn:
        row = conn.execute(select(op).where(op.c.arn == arn, op.c.account_id == account_of(call))).first()
        config = conn.execute(select(oc).where(oc.c.arn == arn)).first() if row is not None else None
        stored_instance = config.identity_center_instance_arn if config is not None else None
        keys: dict[str, str | list[str]] = {
            "iam:EnableIdentityPropagation": "true" if context is not None else "false",
            "iam:EnableIdentityCenterAssociation": "true" if instance is not None else "false",
        }
        if instance is not None:
            keys["iam:RequestIdentityCenterInstanceArn"] = instance
        if stored_instance:
            keys["iam:ResourceIdentityCenterInstanceArn"] = stored_instance
        if row is not None:
            keys["iam:ResourceIdentityProviderIssuers"] = [f"https://{row.url}"]
        authorize(call, "iam:UpdateOpenIDConnectProvider", arn, stored=keys)
        if row is None:
            raise iam_errors.NoSuchEntity.oidc_provider(arn)
        new_context = config.context_provider if config is not None else None
        new_instance = stored_instance
        if context is not None:
            new_context = json.dumps(context, separators=(",", ":"))
        elif remove_context:
            if stored_instance:
                raise iam_errors.InvalidInput.identity_center_still_associated()
            new_context = None
        if instance is not None:
            if new_context is None:
                raise iam_errors.InvalidInput.context_provider_missing()
            new_instance = instance
        elif remove_instance:
            new_instance = None
        if config is None:
            conn.execute(
                insert(oc).values(arn=arn, context_provider=new_context, identity_center_instance_arn=new_instance)
            )
        else:
            conn.execute(
                update(oc)
                .where(oc.c.arn == arn)
                .values(context_provider=new_context, identity_center_instance_arn=new_instance)
            )
    return None
