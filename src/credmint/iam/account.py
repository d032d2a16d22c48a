"""IAM: account-level operations: the account summary, the account alias and the STS
global-endpoint token version preference."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize, paginate
from credmint.iam.ops import OPERATIONS
from credmint.ids import ROOT_USER_ID
from credmint.store import schema

#: The fixed quota members of GetAccountSummary's SummaryMap, at AWS's default values.
QUOTAS: dict[str, int] = {
    "UsersQuota": 5000,
    "GroupsQuota": 300,
    "ServerCertificatesQuota": 20,
    "UserPolicySizeQuota": 2048,
    "GroupPolicySizeQuota": 5120,
    "GroupsPerUserQuota": 10,
    "SigningCertificatesPerUserQuota": 2,
    "AccessKeysPerUserQuota": 2,
    "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 10,
    "AttachedPoliciesPerUserQuota": 10,
    "PoliciesQuota": 1500,
    "PolicySizeQuota": 6144,
    "PolicyVersionsInUseQuota": 10000,
    "VersionsPerPolicyQuota": 5,
    "GlobalEndpointTokenVersion": 1,
    "AssumeRolePolicySizeQuota": 2048,
    "InstanceProfilesQuota": 1000,
    "RolePolicySizeQuota": 10240,
    "RolesQuota": 1000,
}


def _count(conn: Connection, query: Any) -> int:
    return int(conn.execute(query).scalar_one())


@operation(OPERATIONS, "GetAccountSummary")
def get_account_summary(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    authorize(call, "iam:GetAccountSummary", "*")
    s = schema
    with call.store.read() as conn:

        def count(table: Any, *where: Any) -> int:
            return _count(conn, select(func.count()).select_from(table).where(table.c.account_id == account_id, *where))

        summary = dict(QUOTAS)
        summary.update(
            Users=count(s.users),
            Groups=count(s.groups),
            Roles=count(s.roles),
            Policies=count(s.managed_policies),
            # Attachments of customer and AWS managed policies in this account (AWS counts
            # the policy versions in use; each attachment uses the default version).
            PolicyVersionsInUse=count(s.policy_attachments),
            MFADevices=count(s.mfa_devices),
            MFADevicesInUse=count(s.mfa_devices, s.mfa_devices.c.user_id.is_not(None)),
            AccountMFAEnabled=min(1, count(s.mfa_devices, s.mfa_devices.c.user_id == ROOT_USER_ID)),
            AccountAccessKeysPresent=min(1, count(s.access_keys, s.access_keys.c.user_id.is_(None))),
            Providers=count(s.saml_providers) + count(s.oidc_providers),
            InstanceProfiles=count(s.instance_profiles),
            # The root user has no password in credmint (it signs in nowhere).
            AccountPasswordPresent=0,
            AccountSigningCertificatesPresent=min(
                1, count(s.signing_certificates, s.signing_certificates.c.user_id.is_(None))
            ),
            ServerCertificates=count(s.server_certificates),
            GlobalEndpointTokenVersion=token_version(conn, account_id),
        )
    return {"SummaryMap": summary}


@operation(OPERATIONS, "CreateAccountAlias")
def create_account_alias(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    authorize(call, "iam:CreateAccountAlias", "*")
    alias: str = call.params["AccountAlias"]
    a = schema.accounts
    try:
        with call.store.write() as conn:
            # Aliases are unique across the whole server, as they are across AWS (they name
            # the sign-in URL). An account has at most one: a new one replaces the old.
            owner = conn.execute(select(a.c.account_id).where(a.c.alias == alias)).scalar_one_or_none()
            if owner is not None and owner != account_id:
                raise iam_errors.EntityAlreadyExists.account_alias(alias)
            conn.execute(update(a).where(a.c.account_id == account_id).values(alias=alias))
    except IntegrityError:
        # Another node took the alias between the check and the write (the unique index).
        raise iam_errors.EntityAlreadyExists.account_alias(alias) from None
    return None


@operation(OPERATIONS, "DeleteAccountAlias")
def delete_account_alias(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    authorize(call, "iam:DeleteAccountAlias", "*")
    alias: str = call.params["AccountAlias"]
    a = schema.accounts
    with call.store.write() as conn:
        done = conn.execute(update(a).where(a.c.account_id == account_id, a.c.alias == alias).values(alias=None))
        if done.rowcount == 0:
            raise iam_errors.NoSuchEntity.account_alias(alias)
    return None


@operation(OPERATIONS, "ListAccountAliases")
def list_account_aliases(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    authorize(call, "iam:ListAccountAliases", "*")
    a = schema.accounts
    with call.store.read() as conn:
        alias = conn.execute(select(a.c.alias).where(a.c.account_id == account_id)).scalar_one_or_none()
    page, more = paginate([alias] if alias else [], call.params)
    return {"AccountAliases": page, **more}


#: The account setting SetSecurityTokenServicePreferences writes.
TOKEN_VERSION_SETTING = "sts_global_endpoint_token_version"
_TOKEN_VERSIONS = {"v1Token": 1, "v2Token": 2}


def token_version(conn: Connection, account_id: str) -> int:
    """1 or 2: the global endpoint's token version the account chose (AWS's default is 1).
    credmint's session tokens are valid at every region of the endpoint either way, so the
    choice changes what GetAccountSummary reports and nothing else."""
    st = schema.account_settings
    value = conn.execute(
        select(st.c.value).where(st.c.account_id == account_id, st.c.name == TOKEN_VERSION_SETTING)
    ).scalar_one_or_none()
    return _TOKEN_VERSIONS.get(value or "", 1)


@operation(OPERATIONS, "SetSecurityTokenServicePreferences")
def set_security_token_service_preferences(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    authorize(call, "iam:SetSecurityTokenServicePreferences", "*")
    version: str = call.params["GlobalEndpointTokenVersion"]  # the model's enum checked it
    st = schema.account_settings
    with call.store.write() as conn:
        done = conn.execute(
            update(st).where(st.c.account_id == account_id, st.c.name == TOKEN_VERSION_SETTING).values(value=version)
        )
        if done.rowcount == 0:
            conn.execute(insert(st).values(account_id=account_id, name=TOKEN_VERSION_SETTING, value=version))
    return None


# --- account properties ----------------------------------------------------------------------

#: At most this many properties per account (AWS documents no quota; the bound keeps one
#: account from filling the store).
MAX_ACCOUNT_PROPERTIES = 100


def _namespace(name: str) -> str:
    """``Namespace`` of a ``Namespace/PropertyName`` key; the model's pattern checked the characters."""
    namespace, sep, prop = name.partition("/")
    if not sep or not namespace or not prop:
        # Wording unconfirmed: the API reference asks for Namespace/PropertyName.
        raise iam_errors.InvalidInput.property_name(name)
    return namespace


@operation(OPERATIONS, "GetAccountProperties")
def get_account_properties(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    ap = schema.account_properties
    with call.store.read() as conn:
        rows = conn.execute(select(ap.c.name, ap.c.value).where(ap.c.account_id == account_id)).all()
    # iam:AccountPropertyNamespaces: the namespaces the answer holds (the call names none).
    namespaces = sorted({_namespace(n) for n, _ in rows})
    authorize(call, "iam:GetAccountProperties", "*", stored={"iam:AccountPropertyNamespaces": namespaces})
    return {"Properties": {n: v for n, v in sorted(rows)}}


@operation(OPERATIONS, "PutAccountProperties")
def put_account_properties(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    props: Mapping[str, str] = call.params["Properties"]
    if not props:
        raise iam_errors.InvalidInput.no_properties()  # wording unconfirmed
    namespaces = {_namespace(n) for n in props}
    if len(namespaces) > 1:
        # API reference: "All properties in a single request must belong to the same namespace."
        raise iam_errors.InvalidInput.mixed_namespaces()
    authorize(call, "iam:PutAccountProperties", "*", stored={"iam:AccountPropertyNamespaces": sorted(namespaces)})
    ap = schema.account_properties
    with call.store.write() as conn:
        held = set(conn.execute(select(ap.c.name).where(ap.c.account_id == account_id)).scalars())
        if len(held | set(props)) > MAX_ACCOUNT_PROPERTIES:
            raise iam_errors.LimitExceeded.account_properties(MAX_ACCOUNT_PROPERTIES)
        for name, value in props.items():
            if name in held:
                conn.execute(update(ap).where(ap.c.account_id == account_id, ap.c.name == name).values(value=value))
            else:
                conn.execute(insert(ap).values(account_id=account_id, name=name, value=value))
    return None
