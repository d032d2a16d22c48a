"""AWS Organizations operations (the subset of the ``organizations`` model credmint serves).

A management account creates an organization; its root holds OUs and accounts. Member
accounts created here are real credmint accounts with no root credentials (as AWS's)
and an ``OrganizationAccountAccessRole`` that the management account may assume.
Service control policies and resource control policies attached here take part in
every authorization decision (:mod:`credmint.orgs.control`).

Who may call: the management account (its root user, or IAM principals allowed the
``organizations:*`` action); the read operations also delegated administrators; any
member may describe its organization. Everyone else gets ``AccessDeniedException``, an
account outside any organization ``AWSOrganizationsNotInUseException``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from credmint import errors, ids, policy
from credmint.access import condition_keys
from credmint.access.principal import Principal
from credmint.api import Call, Operation, operation
from credmint.orgs import data, model
from credmint.orgs.data import Org
from credmint.store import schema
from credmint.store.tags import drop_all_tags, get_tags, put_tags, remove_tags

OPERATIONS: dict[str, Operation] = {}

#: ``MaxResults`` when the caller sends none (the model allows 1-20).
DEFAULT_PAGE = 20

_ADMIN_INLINE_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


# --- callers and permissions ----------------------------------------------------------------


def _caller(call: Call) -> Principal:
    if call.principal is None:
        raise errors.missing_authentication_token()
    return call.principal


#: The request parameter that names the policy type an operation works on.
_POLICY_TYPE_PARAMS = ("PolicyType", "Type", "Filter")


def _request_keys(call: Call, action: str, resource: str) -> dict[str, str | list[str]]:
    """The condition keys of an Organizations call, for the keys the reference lists for
    ``action``: the request's tags, the tags of the resource (stored by ARN), the service
    principal, and the policy type (the request's, else the named policy's)."""
    keys: dict[str, str | list[str]] = {}
    params = call.params
    tags = params.get("Tags")
    if isinstance(tags, list) and tags and condition_keys.takes(action, "aws:TagKeys"):
        for tag in tags:
            keys[f"aws:RequestTag/{tag['Key']}"] = tag.get("Value", "")
        keys["aws:TagKeys"] = [tag["Key"] for tag in tags]
    service = params.get("ServicePrincipal")
    if isinstance(service, str) and condition_keys.takes(action, "organizations:ServicePrincipal"):
        keys["organizations:ServicePrincipal"] = service
    if condition_keys.takes(action, "organizations:PolicyType"):
        policy_type = next((params[n] for n in _POLICY_TYPE_PARAMS if isinstance(params.get(n), str)), None)
        if policy_type is None and isinstance(params.get("PolicyId"), str):
            policy_type = _stored_policy_type(call, params["PolicyId"])
        if policy_type is not None:
            keys["organizations:PolicyType"] = policy_type
    if resource != "*" and condition_keys.takes(action, "aws:ResourceTag/${TagKey}"):
        t = schema.tags
        with call.store.read() as conn:
            rows = conn.execute(select(t.c.key, t.c.value).where(t.c.resource == resource).order_by(t.c.position))
            for k, v in rows.all():
                keys[f"aws:ResourceTag/{k}"] = v
    return keys


def _stored_policy_type(call: Call, policy_id: str) -> str | None:
    managed = model.AWS_MANAGED.get(policy_id)
    if managed is not None:
        return managed.policy_type
    p = schema.org_policies
    with call.store.read() as conn:
        found: str | None = conn.execute(select(p.c.policy_type).where(p.c.policy_id == policy_id)).scalar()
    return found


def _authorize(call: Call, action: str, resource: str = "*") -> None:
    full = f"organizations:{action}"
    try:
        call.authorize(full, resource, extra_keys=_request_keys(call, full, resource))
    except errors.AwsError as exc:
        if exc.code == "AccessDenied":
            raise errors.org_access_denied(exc.message or "") from None
        raise


def _membership(call: Call, conn: Connection) -> Org:
    org = data.org_of_account(conn, _caller(call).account_id)
    if org is None:
        raise errors.org_not_in_use()
    return org


def _management(call: Call, conn: Connection) -> Org:
    """The caller's organization, which the caller's account must manage."""
    org = _membership(call, conn)
    if org.management_account_id != _caller(call).account_id:
        raise errors.org_access_denied()
    return org


def _administrator(call: Call, conn: Connection) -> Org:
    """The caller's organization, read by its management account or a delegated administrator."""
    org = _membership(call, conn)
    account = _caller(call).account_id
    if org.management_account_id != account and not data.delegated_services(conn, account):
        raise errors.org_access_denied()
    return org


def _authorized(
    call: Call, action: str, role: Callable[[Call, Connection], Org], resource: Callable[[Org], str]
) -> None:
    """Check ``action`` on a resource whose ARN needs the caller's organization (read first).

    The operation reads the organization again in its own write transaction.
    """
    with call.store.read() as conn:
        org = role(call, conn)
    _authorize(call, action, resource(org))


def _entity_arn(org: Org, entity_id: str) -> str:
    """The ARN of a root, OU or account of ``org`` (ids are told apart by their prefixes)."""
    mgmt = org.management_account_id
    if entity_id.startswith("r-"):
        return model.root_arn(mgmt, org.org_id, entity_id)
    if entity_id.startswith("ou-"):
        return model.ou_arn(mgmt, org.org_id, entity_id)
    return model.account_arn(mgmt, org.org_id, entity_id)


def _require_all_features(org: Org) -> None:
    if not org.all_features:
        raise errors.org_constraint_violation(
            "The organization must have all features enabled to perform this operation.",
            "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
        )


@contextmanager
def _unique(conflict: Callable[[], errors.AwsError]) -> Iterator[None]:
    """Turn a unique-constraint violation (a concurrent twin of this request on another
    worker or node got there first) into the answer the earlier check gives."""
    try:
        yield
    except IntegrityError:
        raise conflict() from None


# --- pagination -----------------------------------------------------------------------------


def _page(items: Sequence[Any], params: Mapping[str, Any]) -> tuple[Sequence[Any], dict[str, str]]:
    token: str | None = params.get("NextToken")
    start = 0
    if token:
        try:
            prefix, _, index = base64.b64decode(token, validate=True).decode().partition(":")
            if prefix != "credmint-orgs":
                raise ValueError(token)
            start = int(index)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise errors.org_invalid_input(
                "You specified an invalid value for nextToken.", "INVALID_NEXT_TOKEN"
            ) from None
    size: int = params.get("MaxResults") or DEFAULT_PAGE
    page = items[start : start + size]
    more: dict[str, str] = {}
    if start + size < len(items):
        more["NextToken"] = base64.b64encode(f"credmint-orgs:{start + size}".encode()).decode()
    return page, more


# --- views ----------------------------------------------------------------------------------


def _organization_view(conn: Connection, org: Org) -> dict[str, Any]:
    mgmt = org.management_account_id
    out: dict[str, Any] = {
        "Id": org.org_id,
        "Arn": model.org_arn(mgmt, org.org_id),
        "FeatureSet": org.feature_set,
        "MasterAccountArn": model.account_arn(mgmt, org.org_id, mgmt),
        "MasterAccountId": mgmt,
        # Deprecated by AWS but still sent: SCPs are available to organizations with all features.
        "AvailablePolicyTypes": [{"Type": model.SCP, "Status": "ENABLED"}] if org.all_features else [],
    }
    email = conn.execute(
        select(schema.accounts.c.email).where(schema.accounts.c.account_id == mgmt)
    ).scalar_one_or_none()
    out["MasterAccountEmail"] = _email(mgmt, email)
    return out


def _email(account_id: str, stored: str | None) -> str:
    """The account's email address, which Organizations always reports.

    Member accounts carry the address given to CreateAccount. Accounts made with
    ``credmint account create`` (typically the management account) have none, yet every
    AWS account has a root email; they get a stable per-account address in the reserved
    ``.invalid`` domain (RFC 2606), which can never reach anyone.
    """
    return stored or f"{account_id}@credmint.invalid"


def _root_view(conn: Connection, org: Org) -> dict[str, Any]:
    types = sorted(data.enabled_policy_types(conn, org.org_id))
    return {
        "Id": org.root_id,
        "Arn": model.root_arn(org.management_account_id, org.org_id, org.root_id),
        "Name": "Root",
        "PolicyTypes": [{"Type": t, "Status": "ENABLED"} for t in types],
    }


def _ou_view(conn: Connection, org: Org, row: Any) -> dict[str, Any]:
    return {
        "Id": row.ou_id,
        "Arn": model.ou_arn(org.management_account_id, org.org_id, row.ou_id),
        "Name": row.name,
        "Path": data.path_of(org, data.ancestors(conn, org, row.ou_id)),
    }


def _account_view(conn: Connection, org: Org, row: Any) -> dict[str, Any]:
    return {
        "Id": row.account_id,
        "Arn": model.account_arn(org.management_account_id, org.org_id, row.account_id),
        "Name": row.name,
        "Status": "ACTIVE",
        "State": "ACTIVE",
        "Paths": [data.path_of(org, [*data.ancestors(conn, org, row.parent_id), row.account_id])],
        "JoinedMethod": row.joined_method,
        "JoinedTimestamp": row.joined_at,
        "Email": _email(row.account_id, row.email),
    }


def _accounts_query(org: Org) -> Any:
    a, oa = schema.accounts, schema.org_accounts
    return (
        select(a.c.account_id, a.c.name, a.c.email, oa.c.parent_id, oa.c.joined_method, oa.c.joined_at)
        .select_from(oa.join(a, a.c.account_id == oa.c.account_id))
        .where(oa.c.org_id == org.org_id)
    )


def _policy_summary(org: Org | None, row: Any) -> dict[str, Any]:
    if isinstance(row, model.AwsManagedPolicy):
        return {
            "Id": row.policy_id,
            "Arn": row.arn,
            "Name": row.name,
            "Description": row.description,
            "Type": row.policy_type,
            "AwsManaged": True,
        }
    assert org is not None
    return {
        "Id": row.policy_id,
        "Arn": model.policy_arn(org.management_account_id, org.org_id, row.policy_type, row.policy_id),
        "Name": row.name,
        "Description": row.description,
        "Type": row.policy_type,
        "AwsManaged": False,
    }


def _request_view(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Id": row.request_id,
        "AccountName": row.account_name,
        "State": row.state,
        "RequestedTimestamp": row.requested_at,
    }
    if row.completed_at is not None:
        out["CompletedTimestamp"] = row.completed_at
    if row.account_id:
        out["AccountId"] = row.account_id
    if row.failure_reason:
        out["FailureReason"] = row.failure_reason
    return out


# --- attaching full-access policies -----------------------------------------------------------


def _attach_defaults(conn: Connection, org: Org, target_id: str, types: set[str]) -> None:
    """AWS attaches the full-access policy of each enabled type to every new root, OU and account."""
    for t in sorted(types):
        if t in model.FULL_ACCESS_BY_TYPE:
            conn.execute(
                insert(schema.org_policy_attachments).values(
                    policy_id=model.FULL_ACCESS_BY_TYPE[t].policy_id,
                    target_id=target_id,
                    org_id=org.org_id,
                    policy_type=t,
                )
            )


# --- organization ---------------------------------------------------------------------------


def _already_in_organization() -> errors.AwsError:
    return errors.org_error("AlreadyInOrganizationException", "The AWS account is already a member of an organization.")


@operation(OPERATIONS, "CreateOrganization")
def create_organization(call: Call) -> Mapping[str, Any]:
    p = _caller(call)
    feature_set: str = call.params.get("FeatureSet") or model.FEATURE_ALL
    _authorize(call, "CreateOrganization")
    with call.store.write() as conn:
        if data.org_of_account(conn, p.account_id) is not None:
            raise _already_in_organization()
        org = Org(model.new_org_id(), p.account_id, feature_set, model.new_root_id(), call.now)
        with _unique(_already_in_organization):
            conn.execute(
                insert(schema.organizations).values(
                    org_id=org.org_id,
                    management_account_id=org.management_account_id,
                    feature_set=org.feature_set,
                    root_id=org.root_id,
                    created_at=call.now,
                )
            )
        conn.execute(
            insert(schema.org_accounts).values(
                account_id=p.account_id,
                org_id=org.org_id,
                parent_id=org.root_id,
                # The account that creates an organization is listed as having joined by invitation.
                joined_method="INVITED",
                joined_at=call.now,
            )
        )
        conn.execute(
            update(schema.accounts)
            .where(schema.accounts.c.account_id == p.account_id)
            .values(organization_id=org.org_id)
        )
        return {"Organization": _organization_view(conn, org)}


@operation(OPERATIONS, "DescribeOrganization")
def describe_organization(call: Call) -> Mapping[str, Any]:
    _authorize(call, "DescribeOrganization")
    with call.store.read() as conn:
        org = _membership(call, conn)
        return {"Organization": _organization_view(conn, org)}


@operation(OPERATIONS, "ListRoots")
def list_roots(call: Call) -> Mapping[str, Any]:
    _authorize(call, "ListRoots")
    with call.store.read() as conn:
        org = _administrator(call, conn)
        page, more = _page([_root_view(conn, org)], call.params)
        return {"Roots": list(page), **more}


# --- accounts -------------------------------------------------------------------------------


def _member_account(conn: Connection, org: Org, now: datetime, params: Mapping[str, Any]) -> str:
    """A new credmint account in ``org`` with the role the management account uses to enter it.

    As ``accounts.create_account`` does, but without root credentials: AWS creates member
    accounts without any, and centralized root access exists to keep it that way.
    """
    while True:
        account_id = ids.new_account_id()
        taken = conn.execute(
            select(schema.accounts.c.account_id).where(schema.accounts.c.account_id == account_id)
        ).first()
        if taken is None:
            break
    conn.execute(
        insert(schema.accounts).values(
            account_id=account_id,
            name=params["AccountName"],
            email=params["Email"],
            canonical_user_id=hashlib.sha256(account_id.encode() + secrets.token_bytes(16)).hexdigest(),
            organization_id=org.org_id,
            created_at=now,
        )
    )
    conn.execute(
        insert(schema.org_accounts).values(
            account_id=account_id, org_id=org.org_id, parent_id=org.root_id, joined_method="CREATED", joined_at=now
        )
    )
    _attach_defaults(conn, org, account_id, data.enabled_policy_types(conn, org.org_id))
    role_name: str = params.get("RoleName") or model.DEFAULT_ROLE_NAME
    role_id = ids.new_unique_id("AROA")
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{org.management_account_id}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
        separators=(",", ":"),
    )
    conn.execute(
        insert(schema.roles).values(
            role_id=role_id,
            account_id=account_id,
            name=role_name,
            name_key=role_name.lower(),
            path="/",
            arn=f"arn:aws:iam::{account_id}:role/{role_name}",
            trust_policy=trust,
            max_session_duration=3600,
            created_at=now,
        )
    )
    # AWS gives the role an inline policy named AdministratorAccess that allows everything.
    conn.execute(
        insert(schema.inline_policies).values(
            entity_id=role_id,
            name_key="administratoraccess",
            name="AdministratorAccess",
            account_id=account_id,
            entity_type="role",
            document=_ADMIN_INLINE_POLICY,
        )
    )
    tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []]
    if tags:
        put_tags(conn, model.account_arn(org.management_account_id, org.org_id, account_id), tags)
    return account_id


@operation(OPERATIONS, "CreateAccount")
def create_account(call: Call) -> Mapping[str, Any]:
    params = call.params
    _authorize(call, "CreateAccount")
    request_id = model.new_create_account_request_id()
    with call.store.write() as conn:
        org = _management(call, conn)
        email: str = params["Email"]
        a = schema.accounts
        duplicate = conn.execute(select(a.c.account_id).where(func.lower(a.c.email) == email.lower())).first()
        account_id: str | None = None
        failure: str | None = None
        if duplicate is not None:
            # AWS accepts the request and reports the failure through DescribeCreateAccountStatus.
            failure = "EMAIL_ALREADY_EXISTS"
        else:
            account_id = _member_account(conn, org, call.now, params)
        conn.execute(
            insert(schema.org_create_account_requests).values(
                request_id=request_id,
                org_id=org.org_id,
                account_name=params["AccountName"],
                state="FAILED" if failure else "SUCCEEDED",
                account_id=account_id,
                failure_reason=failure,
                requested_at=call.now,
                completed_at=call.now,
            )
        )
    # The account is ready at once, but AWS always answers IN_PROGRESS and clients poll
    # DescribeCreateAccountStatus for the outcome.
    return {
        "CreateAccountStatus": {
            "Id": request_id,
            "AccountName": params["AccountName"],
            "State": "IN_PROGRESS",
            "RequestedTimestamp": call.now,
        }
    }


@operation(OPERATIONS, "DescribeCreateAccountStatus")
def describe_create_account_status(call: Call) -> Mapping[str, Any]:
    _authorize(call, "DescribeCreateAccountStatus")
    r = schema.org_create_account_requests
    with call.store.read() as conn:
        org = _administrator(call, conn)
        row = conn.execute(
            select(r).where(r.c.request_id == call.params["CreateAccountRequestId"], r.c.org_id == org.org_id)
        ).first()
        if row is None:
            raise errors.org_error(
                "CreateAccountStatusNotFoundException",
                "We can't find an create account request with the CreateAccountRequestId that you specified.",
            )
        return {"CreateAccountStatus": _request_view(row)}


@operation(OPERATIONS, "ListCreateAccountStatus")
def list_create_account_status(call: Call) -> Mapping[str, Any]:
    states: list[str] = call.params.get("States") or []
    _authorize(call, "ListCreateAccountStatus")
    r = schema.org_create_account_requests
    with call.store.read() as conn:
        org = _administrator(call, conn)
        query = select(r).where(r.c.org_id == org.org_id)
        if states:
            query = query.where(r.c.state.in_(states))
        rows = conn.execute(query.order_by(r.c.requested_at, r.c.request_id)).all()
        page, more = _page(rows, call.params)
        return {"CreateAccountStatuses": [_request_view(row) for row in page], **more}


def _no_account() -> errors.AwsError:
    return errors.org_error("AccountNotFoundException", "You specified an account that doesn't exist.")


def _require_member(conn: Connection, org: Org, account_id: str) -> None:
    """AccountNotFoundException unless ``account_id`` belongs to ``org``."""
    member = data.org_of_account(conn, account_id)
    if member is None or member.org_id != org.org_id:
        raise _no_account()


@operation(OPERATIONS, "DescribeAccount")
def describe_account(call: Call) -> Mapping[str, Any]:
    account_id: str = call.params["AccountId"]
    with call.store.read() as conn:
        org = _administrator(call, conn)
        _authorize(call, "DescribeAccount", model.account_arn(org.management_account_id, org.org_id, account_id))
        row = conn.execute(_accounts_query(org).where(schema.org_accounts.c.account_id == account_id)).first()
        if row is None:
            raise _no_account()
        return {"Account": _account_view(conn, org, row)}


@operation(OPERATIONS, "ListAccounts")
def list_accounts(call: Call) -> Mapping[str, Any]:
    _authorize(call, "ListAccounts")
    with call.store.read() as conn:
        org = _administrator(call, conn)
        rows = conn.execute(
            _accounts_query(org).order_by(schema.org_accounts.c.joined_at, schema.accounts.c.account_id)
        ).all()
        page, more = _page(rows, call.params)
        return {"Accounts": [_account_view(conn, org, row) for row in page], **more}


@operation(OPERATIONS, "MoveAccount")
def move_account(call: Call) -> Mapping[str, Any]:
    params = call.params
    account_id: str = params["AccountId"]
    source: str = params["SourceParentId"]
    destination: str = params["DestinationParentId"]
    with call.store.read() as conn:
        org = _management(call, conn)
    _authorize(call, "MoveAccount", model.account_arn(org.management_account_id, org.org_id, account_id))
    with call.store.write() as conn:
        org = _management(call, conn)
        if not data.is_parent(conn, org, source):
            raise errors.org_error(
                "SourceParentNotFoundException",
                "We can't find a source root or OU with the ParentId that you specified.",
            )
        if not data.is_parent(conn, org, destination):
            raise errors.org_error(
                "DestinationParentNotFoundException",
                "We can't find the destination container (a root or OU) with the ParentId that you specified.",
            )
        oa = schema.org_accounts
        current = conn.execute(
            select(oa.c.parent_id).where(oa.c.account_id == account_id, oa.c.org_id == org.org_id)
        ).scalar_one_or_none()
        if current is None or current != source:
            # Unconfirmed: AWS's answer for an account that is not in the source parent.
            raise _no_account()
        if destination == current:
            raise errors.org_error(
                "DuplicateAccountException", "That account is already present in the specified destination."
            )
        conn.execute(update(oa).where(oa.c.account_id == account_id).values(parent_id=destination))
    return {}


# --- organizational units ---------------------------------------------------------------------


def _no_parent() -> errors.AwsError:
    return errors.org_error(
        "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified."
    )


def _duplicate_ou() -> errors.AwsError:
    return errors.org_error("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")


@operation(OPERATIONS, "CreateOrganizationalUnit")
def create_organizational_unit(call: Call) -> Mapping[str, Any]:
    params = call.params
    parent: str = params["ParentId"]
    name: str = params["Name"]
    _authorize(call, "CreateOrganizationalUnit")
    u = schema.org_units
    with call.store.write() as conn:
        org = _management(call, conn)
        if not data.is_parent(conn, org, parent):
            raise _no_parent()
        if len(data.ancestors(conn, org, parent)) > model.MAX_OU_DEPTH:
            raise errors.org_constraint_violation(
                "You have reached the maximum depth of OUs in your organization.", "OU_DEPTH_LIMIT_EXCEEDED"
            )
        if conn.execute(select(u.c.ou_id).where(u.c.parent_id == parent, u.c.name == name)).first() is not None:
            raise _duplicate_ou()
        ou_id = model.new_ou_id(org.root_id)
        with _unique(_duplicate_ou):
            conn.execute(
                insert(u).values(ou_id=ou_id, org_id=org.org_id, parent_id=parent, name=name, created_at=call.now)
            )
        _attach_defaults(conn, org, ou_id, data.enabled_policy_types(conn, org.org_id))
        tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []]
        if tags:
            put_tags(conn, model.ou_arn(org.management_account_id, org.org_id, ou_id), tags)
        row = conn.execute(select(u).where(u.c.ou_id == ou_id)).one()
        return {"OrganizationalUnit": _ou_view(conn, org, row)}


@operation(OPERATIONS, "ListOrganizationalUnitsForParent")
def list_organizational_units_for_parent(call: Call) -> Mapping[str, Any]:
    parent: str = call.params["ParentId"]
    _authorize(call, "ListOrganizationalUnitsForParent")
    with call.store.read() as conn:
        org = _administrator(call, conn)
        if not data.is_parent(conn, org, parent):
            raise _no_parent()
        page, more = _page(_ous_in(conn, org, parent), call.params)
        return {"OrganizationalUnits": [_ou_view(conn, org, row) for row in page], **more}


def _no_ou() -> errors.AwsError:
    return errors.org_error(
        "OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified."
    )


def _ou_of(conn: Connection, org: Org, ou_id: str) -> Any:
    row = data.ou_row(conn, org.org_id, ou_id)
    if row is None:
        raise _no_ou()
    return row


def _accounts_in(conn: Connection, org: Org, parent: str) -> list[Any]:
    """The accounts directly in ``parent`` (not those of its OUs), in the order they joined."""
    oa = schema.org_accounts
    return list(
        conn.execute(
            _accounts_query(org).where(oa.c.parent_id == parent).order_by(oa.c.joined_at, oa.c.account_id)
        ).all()
    )


def _ous_in(conn: Connection, org: Org, parent: str) -> list[Any]:
    u = schema.org_units
    return list(
        conn.execute(select(u).where(u.c.parent_id == parent, u.c.org_id == org.org_id).order_by(u.c.name)).all()
    )


@operation(OPERATIONS, "ListChildren")
def list_children(call: Call) -> Mapping[str, Any]:
    parent: str = call.params["ParentId"]
    child_type: str = call.params["ChildType"]
    with call.store.read() as conn:
        org = _administrator(call, conn)
        _authorize(call, "ListChildren", _entity_arn(org, parent))
        if not data.is_parent(conn, org, parent):
            raise _no_parent()
        if child_type == "ACCOUNT":
            children = [row.account_id for row in _accounts_in(conn, org, parent)]
        else:
            children = [row.ou_id for row in _ous_in(conn, org, parent)]
        page, more = _page(children, call.params)
        return {"Children": [{"Id": i, "Type": child_type} for i in page], **more}


@operation(OPERATIONS, "ListParents")
def list_parents(call: Call) -> Mapping[str, Any]:
    child: str = call.params["ChildId"]
    with call.store.read() as conn:
        org = _administrator(call, conn)
        _authorize(call, "ListParents", _entity_arn(org, child))
        parent: str | None = None
        if child.startswith("ou-"):
            row = data.ou_row(conn, org.org_id, child)
            parent = row.parent_id if row is not None else None
        else:
            member = data.org_of_account(conn, child)
            if member is not None and member.org_id == org.org_id:
                parent = data.account_parent(conn, child)
        if parent is None:
            raise errors.org_error(
                "ChildNotFoundException",
                "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
            )
        # An account or OU has exactly one parent, so the list never needs a second page.
        page, more = _page([parent], call.params)
        return {
            "Parents": [{"Id": p, "Type": "ROOT" if p == org.root_id else "ORGANIZATIONAL_UNIT"} for p in page],
            **more,
        }


@operation(OPERATIONS, "ListAccountsForParent")
def list_accounts_for_parent(call: Call) -> Mapping[str, Any]:
    parent: str = call.params["ParentId"]
    with call.store.read() as conn:
        org = _administrator(call, conn)
        _authorize(call, "ListAccountsForParent", _entity_arn(org, parent))
        if not data.is_parent(conn, org, parent):
            raise _no_parent()
        page, more = _page(_accounts_in(conn, org, parent), call.params)
        return {"Accounts": [_account_view(conn, org, row) for row in page], **more}


@operation(OPERATIONS, "DescribeOrganizationalUnit")
def describe_organizational_unit(call: Call) -> Mapping[str, Any]:
    ou_id: str = call.params["OrganizationalUnitId"]
    with call.store.read() as conn:
        org = _administrator(call, conn)
        _authorize(call, "DescribeOrganizationalUnit", _entity_arn(org, ou_id))
        return {"OrganizationalUnit": _ou_view(conn, org, _ou_of(conn, org, ou_id))}


@operation(OPERATIONS, "UpdateOrganizationalUnit")
def update_organizational_unit(call: Call) -> Mapping[str, Any]:
    ou_id: str = call.params["OrganizationalUnitId"]
    name: str | None = call.params.get("Name")
    _authorized(call, "UpdateOrganizationalUnit", _management, lambda org: _entity_arn(org, ou_id))
    u = schema.org_units
    with call.store.write() as conn:
        org = _management(call, conn)
        row = _ou_of(conn, org, ou_id)
        if name is not None and name != row.name:
            clash = conn.execute(
                select(u.c.ou_id).where(u.c.parent_id == row.parent_id, u.c.name == name, u.c.ou_id != ou_id)
            ).first()
            if clash is not None:
                raise _duplicate_ou()
            with _unique(_duplicate_ou):
                conn.execute(update(u).where(u.c.ou_id == ou_id).values(name=name))
            row = _ou_of(conn, org, ou_id)
        return {"OrganizationalUnit": _ou_view(conn, org, row)}


@operation(OPERATIONS, "DeleteOrganizationalUnit")
def delete_organizational_unit(call: Call) -> Mapping[str, Any]:
    ou_id: str = call.params["OrganizationalUnitId"]
    _authorized(call, "DeleteOrganizationalUnit", _management, lambda org: _entity_arn(org, ou_id))
    with call.store.write() as conn:
        org = _management(call, conn)
        _ou_of(conn, org, ou_id)
        if _ous_in(conn, org, ou_id) or _accounts_in(conn, org, ou_id):
            raise errors.org_error(
                "OrganizationalUnitNotEmptyException",
                "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all "
                "child OUs, and try the operation again.",
            )
        a = schema.org_policy_attachments
        conn.execute(delete(a).where(a.c.target_id == ou_id))
        drop_all_tags(conn, _entity_arn(org, ou_id))
        conn.execute(delete(schema.org_units).where(schema.org_units.c.ou_id == ou_id))
    return {}


# --- policies -------------------------------------------------------------------------------


def _check_type(org: Org, policy_type: str) -> None:
    if policy_type not in model.CONTROL_TYPES or not org.all_features:
        raise errors.org_error(
            "PolicyTypeNotAvailableForOrganizationException",
            "You can't use the specified policy type with the feature set currently enabled for this organization.",
        )


def _find_policy(conn: Connection, org: Org, policy_id: str) -> Any:
    managed = model.AWS_MANAGED.get(policy_id)
    if managed is not None:
        return managed
    p = schema.org_policies
    row = conn.execute(select(p).where(p.c.policy_id == policy_id, p.c.org_id == org.org_id)).first()
    if row is None:
        raise errors.org_error(
            "PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified."
        )
    return row


def _check_content(policy_type: str, content: str) -> None:
    """The size quota and the grammar of ``policy_type`` (CreatePolicy and UpdatePolicy alike)."""
    if len(content) > model.MAX_POLICY_CHARS:
        raise errors.org_constraint_violation(
            "You attempted to create a policy that is larger than the maximum size.",
            "POLICY_CONTENT_LIMIT_EXCEEDED",
        )
    try:
        policy.validate_policy(content, "scp" if policy_type == model.SCP else "rcp")
    except errors.AwsError:
        raise errors.org_malformed_policy() from None


def _duplicate_policy() -> errors.AwsError:
    return errors.org_error("DuplicatePolicyException", "A policy with the same name already exists.")


@operation(OPERATIONS, "CreatePolicy")
def create_policy(call: Call) -> Mapping[str, Any]:
    params = call.params
    policy_type: str = params["Type"]
    content: str = params["Content"]
    name: str = params["Name"]
    _authorize(call, "CreatePolicy")
    p = schema.org_policies
    with call.store.write() as conn:
        org = _management(call, conn)
        _check_type(org, policy_type)
        _check_content(policy_type, content)
        if conn.execute(select(p.c.policy_id).where(p.c.org_id == org.org_id, p.c.name == name)).first() is not None:
            raise _duplicate_policy()
        policy_id = model.new_policy_id()
        with _unique(_duplicate_policy):
            conn.execute(
                insert(p).values(
                    policy_id=policy_id,
                    org_id=org.org_id,
                    policy_type=policy_type,
                    name=name,
                    description=params["Description"],
                    content=content,
                )
            )
        tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []]
        if tags:
            put_tags(conn, model.policy_arn(org.management_account_id, org.org_id, policy_type, policy_id), tags)
        row = conn.execute(select(p).where(p.c.policy_id == policy_id)).one()
        return {"Policy": {"PolicySummary": _policy_summary(org, row), "Content": content}}


@operation(OPERATIONS, "ListPolicies")
def list_policies(call: Call) -> Mapping[str, Any]:
    policy_type: str = call.params["Filter"]
    _authorize(call, "ListPolicies")
    p = schema.org_policies
    with call.store.read() as conn:
        org = _administrator(call, conn)
        items: list[Any] = [m for m in model.AWS_MANAGED.values() if m.policy_type == policy_type]
        items.extend(
            conn.execute(
                select(p).where(p.c.org_id == org.org_id, p.c.policy_type == policy_type).order_by(p.c.name)
            ).all()
        )
        page, more = _page(items, call.params)
        return {"Policies": [_policy_summary(org, row) for row in page], **more}


@operation(OPERATIONS, "AttachPolicy")
def attach_policy(call: Call) -> Mapping[str, Any]:
    policy_id: str = call.params["PolicyId"]
    target: str = call.params["TargetId"]
    _authorize(call, "AttachPolicy")
    a = schema.org_policy_attachments
    with call.store.write() as conn:
        org = _management(call, conn)
        found = _find_policy(conn, org, policy_id)
        policy_type: str = found.policy_type
        if not data.is_target(conn, org, target):
            raise _no_target()
        if policy_type not in data.enabled_policy_types(conn, org.org_id):
            raise errors.org_error(
                "PolicyTypeNotEnabledException",
                "This operation can be performed only for enabled policy types.",
            )
        existing = [pid for _, pid, t in data.attached(conn, [target]) if t == policy_type]
        if policy_id in existing:
            raise errors.org_error(
                "DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target."
            )
        if len(existing) >= model.MAX_ATTACHED_PER_TARGET:
            raise errors.org_constraint_violation(
                "You attempted to exceed the number of policies of a certain type that can be attached to an entity.",
                "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            )
        conn.execute(
            insert(a).values(policy_id=policy_id, target_id=target, org_id=org.org_id, policy_type=policy_type)
        )
    return {}


def _no_target() -> errors.AwsError:
    return errors.org_error(
        "TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified."
    )


@operation(OPERATIONS, "DetachPolicy")
def detach_policy(call: Call) -> Mapping[str, Any]:
    policy_id: str = call.params["PolicyId"]
    target: str = call.params["TargetId"]
    _authorize(call, "DetachPolicy")
    a = schema.org_policy_attachments
    with call.store.write() as conn:
        org = _management(call, conn)
        found = _find_policy(conn, org, policy_id)
        if not data.is_target(conn, org, target):
            raise _no_target()
        existing = [pid for _, pid, t in data.attached(conn, [target]) if t == found.policy_type]
        if policy_id not in existing:
            raise errors.org_error(
                "PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root."
            )
        if policy_id in model.NON_DETACHABLE:
            raise errors.org_invalid_input("You can't detach this AWS Managed Policy.", "NON_DETACHABLE_POLICY")
        if len(existing) <= 1:
            # Every root, OU and account keeps at least one policy of each enabled type.
            raise errors.org_constraint_violation(
                "You attempted to detach a policy from an entity that would cause the entity to have fewer than "
                "the minimum number of policies of a certain type required.",
                "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            )
        conn.execute(delete(a).where(a.c.policy_id == policy_id, a.c.target_id == target))
    return {}


@operation(OPERATIONS, "EnablePolicyType")
def enable_policy_type(call: Call) -> Mapping[str, Any]:
    root_id: str = call.params["RootId"]
    policy_type: str = call.params["PolicyType"]
    _authorize(call, "EnablePolicyType")
    with call.store.write() as conn:
        org = _management(call, conn)
        if root_id != org.root_id:
            raise errors.org_error("RootNotFoundException", "We can't find a root with the RootId that you specified.")
        _check_type(org, policy_type)
        if policy_type in data.enabled_policy_types(conn, org.org_id):
            raise errors.org_error(
                "PolicyTypeAlreadyEnabledException",
                "The specified policy type is already enabled in the specified root.",
            )
        conn.execute(insert(schema.org_policy_types).values(org_id=org.org_id, policy_type=policy_type))
        already = {target for target, _, t in _all_attachments(conn, org) if t == policy_type}
        for target in _all_targets(conn, org):
            if target not in already:
                _attach_defaults(conn, org, target, {policy_type})
        return {"Root": _root_view(conn, org)}


def _all_targets(conn: Connection, org: Org) -> list[str]:
    u, oa = schema.org_units, schema.org_accounts
    ous = [r for (r,) in conn.execute(select(u.c.ou_id).where(u.c.org_id == org.org_id)).all()]
    accounts = [r for (r,) in conn.execute(select(oa.c.account_id).where(oa.c.org_id == org.org_id)).all()]
    return [org.root_id, *ous, *accounts]


def _all_attachments(conn: Connection, org: Org) -> list[tuple[str, str, str]]:
    a = schema.org_policy_attachments
    rows = conn.execute(select(a.c.target_id, a.c.policy_id, a.c.policy_type).where(a.c.org_id == org.org_id)).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _policy_arn(org: Org, found: Any) -> str:
    if isinstance(found, model.AwsManagedPolicy):
        return found.arn
    return model.policy_arn(org.management_account_id, org.org_id, found.policy_type, found.policy_id)


def _policy_view(org: Org, found: Any) -> dict[str, Any]:
    return {"PolicySummary": _policy_summary(org, found), "Content": found.content}


def _immutable() -> errors.AwsError:
    return errors.org_invalid_input(
        "You specified a policy that is managed by AWS and can't be modified.", "IMMUTABLE_POLICY"
    )


def _policy_resource(call: Call, policy_id: str) -> Callable[[Org], str]:
    """The ARN of ``policy_id`` for authorization; an unknown id is checked as ``*`` and then
    answered with PolicyNotFoundException by the operation."""

    def arn(org: Org) -> str:
        with call.store.read() as conn:
            try:
                return _policy_arn(org, _find_policy(conn, org, policy_id))
            except errors.AwsError:
                return "*"

    return arn


def _readable_policy(call: Call, conn: Connection, org: Org, action: str, policy_id: str) -> Any:
    try:
        found = _find_policy(conn, org, policy_id)
    except errors.AwsError:
        # A caller without the permission learns nothing about which ids exist.
        _authorize(call, action)
        raise
    _authorize(call, action, _policy_arn(org, found))
    return found


@operation(OPERATIONS, "DescribePolicy")
def describe_policy(call: Call) -> Mapping[str, Any]:
    policy_id: str = call.params["PolicyId"]
    with call.store.read() as conn:
        org = _administrator(call, conn)
        found = _readable_policy(call, conn, org, "DescribePolicy", policy_id)
        return {"Policy": _policy_view(org, found)}


@operation(OPERATIONS, "UpdatePolicy")
def update_policy(call: Call) -> Mapping[str, Any]:
    params = call.params
    policy_id: str = params["PolicyId"]
    _authorized(call, "UpdatePolicy", _management, _policy_resource(call, policy_id))
    p = schema.org_policies
    with call.store.write() as conn:
        org = _management(call, conn)
        found = _find_policy(conn, org, policy_id)
        if isinstance(found, model.AwsManagedPolicy):
            raise _immutable()
        changes: dict[str, str] = {}
        name: str | None = params.get("Name")
        if name is not None and name != found.name:
            clash = conn.execute(
                select(p.c.policy_id).where(p.c.org_id == org.org_id, p.c.name == name, p.c.policy_id != policy_id)
            ).first()
            if clash is not None:
                raise _duplicate_policy()
            changes["name"] = name
        if params.get("Description") is not None:
            changes["description"] = params["Description"]
        content: str | None = params.get("Content")
        if content is not None:
            _check_content(found.policy_type, content)
            changes["content"] = content
        if changes:
            # The commit's change signal makes every node re-read the levels of the
            # accounts below this policy's targets on their next request.
            with _unique(_duplicate_policy):
                conn.execute(update(p).where(p.c.policy_id == policy_id).values(**changes))
        return {"Policy": _policy_view(org, _find_policy(conn, org, policy_id))}


@operation(OPERATIONS, "DeletePolicy")
def delete_policy(call: Call) -> Mapping[str, Any]:
    policy_id: str = call.params["PolicyId"]
    _authorized(call, "DeletePolicy", _management, _policy_resource(call, policy_id))
    a = schema.org_policy_attachments
    with call.store.write() as conn:
        org = _management(call, conn)
        found = _find_policy(conn, org, policy_id)
        if isinstance(found, model.AwsManagedPolicy):
            raise _immutable()
        in_use = conn.execute(select(a.c.target_id).where(a.c.policy_id == policy_id).limit(1)).first()
        if in_use is not None:
            raise errors.org_error(
                "PolicyInUseException",
                "The policy is attached to one or more entities. You must detach it from all roots, OUs, and "
                "accounts before performing this operation.",
            )
        drop_all_tags(conn, _policy_arn(org, found))
        conn.execute(delete(schema.org_policies).where(schema.org_policies.c.policy_id == policy_id))
    return {}


def _policies_sorted(conn: Connection, policy_ids: set[str]) -> list[Any]:
    """AWS managed policies first, then the organization's by name (as ListPolicies lists them)."""
    out: list[Any] = [m for pid, m in model.AWS_MANAGED.items() if pid in policy_ids]
    p = schema.org_policies
    rest = [pid for pid in policy_ids if pid not in model.AWS_MANAGED]
    if rest:
        out.extend(conn.execute(select(p).where(p.c.policy_id.in_(rest)).order_by(p.c.name)).all())
    return out


@operation(OPERATIONS, "ListPoliciesForTarget")
def list_policies_for_target(call: Call) -> Mapping[str, Any]:
    target: str = call.params["TargetId"]
    policy_type: str = call.params["Filter"]
    with call.store.read() as conn:
        org = _administrator(call, conn)
        _authorize(call, "ListPoliciesForTarget", _entity_arn(org, target))
        if not data.is_target(conn, org, target):
            raise _no_target()
        attached = {pid for _, pid, t in data.attached(conn, [target]) if t == policy_type}
        page, more = _page(_policies_sorted(conn, attached), call.params)
        return {"Policies": [_policy_summary(org, row) for row in page], **more}


@operation(OPERATIONS, "ListTargetsForPolicy")
def list_targets_for_policy(call: Call) -> Mapping[str, Any]:
    policy_id: str = call.params["PolicyId"]
    a, u = schema.org_policy_attachments, schema.org_units
    with call.store.read() as conn:
        org = _administrator(call, conn)
        _readable_policy(call, conn, org, "ListTargetsForPolicy", policy_id)
        # AWS managed policies are attached in every organization: only this one's targets.
        targets = {
            t
            for (t,) in conn.execute(
                select(a.c.target_id).where(a.c.policy_id == policy_id, a.c.org_id == org.org_id)
            ).all()
        }
        rows: list[dict[str, Any]] = []
        if org.root_id in targets:
            rows.append({"TargetId": org.root_id, "Name": "Root", "Type": "ROOT"})
        ous = [t for t in targets if t.startswith("ou-")]
        if ous:
            for ou in conn.execute(select(u.c.ou_id, u.c.name).where(u.c.ou_id.in_(ous)).order_by(u.c.name)).all():
                rows.append({"TargetId": ou.ou_id, "Name": ou.name, "Type": "ORGANIZATIONAL_UNIT"})
        accounts = [t for t in targets if t.isdigit()]
        if accounts:
            acc = schema.accounts
            found_accounts = conn.execute(
                select(acc.c.account_id, acc.c.name).where(acc.c.account_id.in_(accounts)).order_by(acc.c.name)
            ).all()
            for account in found_accounts:
                rows.append({"TargetId": account.account_id, "Name": account.name, "Type": "ACCOUNT"})
        page, more = _page(rows, call.params)
        return {"Targets": [{**row, "Arn": _entity_arn(org, row["TargetId"])} for row in page], **more}


@operation(OPERATIONS, "DisablePolicyType")
def disable_policy_type(call: Call) -> Mapping[str, Any]:
    root_id: str = call.params["RootId"]
    policy_type: str = call.params["PolicyType"]
    _authorized(call, "DisablePolicyType", _management, lambda org: _entity_arn(org, root_id))
    t, a = schema.org_policy_types, schema.org_policy_attachments
    with call.store.write() as conn:
        org = _management(call, conn)
        if root_id != org.root_id:
            raise errors.org_error("RootNotFoundException", "We can't find a root with the RootId that you specified.")
        if policy_type not in data.enabled_policy_types(conn, org.org_id):
            raise errors.org_error(
                "PolicyTypeNotEnabledException",
                "This operation can be performed only for enabled policy types.",
            )
        conn.execute(delete(t).where(t.c.org_id == org.org_id, t.c.policy_type == policy_type))
        # AWS detaches every policy of the type (the policies themselves stay); enabling the
        # type again starts over from the full-access policy on every root, OU and account.
        conn.execute(delete(a).where(a.c.org_id == org.org_id, a.c.policy_type == policy_type))
        return {"Root": _root_view(conn, org)}


# --- trusted access and delegated administrators ----------------------------------------------


@operation(OPERATIONS, "EnableAWSServiceAccess")
def enable_aws_service_access(call: Call) -> Mapping[str, Any]:
    service: str = call.params["ServicePrincipal"]
    _authorize(call, "EnableAWSServiceAccess")
    s = schema.org_service_access
    with call.store.write() as conn:
        org = _management(call, conn)
        _require_all_features(org)
        if service not in data.service_access(conn, org.org_id):
            conn.execute(insert(s).values(org_id=org.org_id, service_principal=service, enabled_at=call.now))
    return {}


@operation(OPERATIONS, "RegisterDelegatedAdministrator")
def register_delegated_administrator(call: Call) -> Mapping[str, Any]:
    account_id: str = call.params["AccountId"]
    service: str = call.params["ServicePrincipal"]
    _authorize(call, "RegisterDelegatedAdministrator")
    d = schema.org_delegated_admins
    with call.store.write() as conn:
        org = _management(call, conn)
        _require_member(conn, org, account_id)
        if account_id == org.management_account_id:
            raise errors.org_constraint_violation(
                "You cannot register the management account of the organization as a delegated administrator "
                "for an AWS service integrated with Organizations.",
                "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
            )
        if service not in data.service_access(conn, org.org_id):
            raise errors.org_constraint_violation(
                "You attempted to register a delegated administrator for a service that does not have trusted "
                "access enabled in the organization.",
                "SERVICE_ACCESS_NOT_ENABLED",
            )
        if service in data.delegated_services(conn, account_id):
            raise errors.org_error(
                "AccountAlreadyRegisteredException",
                "The provided account is already a delegated administrator for your organization.",
            )
        conn.execute(
            insert(d).values(account_id=account_id, service_principal=service, org_id=org.org_id, delegated_at=call.now)
        )
    return {}


@operation(OPERATIONS, "DeregisterDelegatedAdministrator")
def deregister_delegated_administrator(call: Call) -> Mapping[str, Any]:
    account_id: str = call.params["AccountId"]
    service: str = call.params["ServicePrincipal"]
    _authorize(call, "DeregisterDelegatedAdministrator")
    d = schema.org_delegated_admins
    with call.store.write() as conn:
        org = _management(call, conn)
        _require_member(conn, org, account_id)
        if service not in data.delegated_services(conn, account_id):
            raise errors.org_error(
                "AccountNotRegisteredException",
                "The provided account is not a registered delegated administrator for this service.",
            )
        # Read access to the organization ends with the account's last delegation: the
        # administrator checks read the store on every request.
        conn.execute(delete(d).where(d.c.account_id == account_id, d.c.service_principal == service))
    return {}


@operation(OPERATIONS, "ListDelegatedAdministrators")
def list_delegated_administrators(call: Call) -> Mapping[str, Any]:
    service: str | None = call.params.get("ServicePrincipal")
    _authorize(call, "ListDelegatedAdministrators")
    d = schema.org_delegated_admins
    with call.store.read() as conn:
        org = _administrator(call, conn)
        query = select(d.c.account_id, func.min(d.c.delegated_at).label("since")).where(d.c.org_id == org.org_id)
        if service:
            query = query.where(d.c.service_principal == service)
        delegated = conn.execute(query.group_by(d.c.account_id)).all()
        since = {row.account_id: row.since for row in delegated}
        rows = conn.execute(_accounts_query(org).where(schema.org_accounts.c.account_id.in_(list(since)))).all()
        rows = sorted(rows, key=lambda row: (since[row.account_id], row.account_id))
        page, more = _page(rows, call.params)
        admins = []
        for row in page:
            view = _account_view(conn, org, row)
            del view["Paths"]  # not a member of DelegatedAdministrator
            admins.append({**view, "DelegationEnabledDate": since[row.account_id]})
        return {"DelegatedAdministrators": admins, **more}


@operation(OPERATIONS, "ListAWSServiceAccessForOrganization")
def list_aws_service_access_for_organization(call: Call) -> Mapping[str, Any]:
    _authorize(call, "ListAWSServiceAccessForOrganization")
    s = schema.org_service_access
    with call.store.read() as conn:
        org = _administrator(call, conn)
        rows = conn.execute(select(s).where(s.c.org_id == org.org_id).order_by(s.c.service_principal)).all()
        page, more = _page(rows, call.params)
        return {
            "EnabledServicePrincipals": [
                {"ServicePrincipal": row.service_principal, "DateEnabled": row.enabled_at} for row in page
            ],
            **more,
        }


@operation(OPERATIONS, "DisableAWSServiceAccess")
def disable_aws_service_access(call: Call) -> Mapping[str, Any]:
    service: str = call.params["ServicePrincipal"]
    _authorize(call, "DisableAWSServiceAccess")
    s = schema.org_service_access
    with call.store.write() as conn:
        org = _management(call, conn)
        # Like EnableAWSServiceAccess, repeating the call changes nothing and is no error.
        # Delegated administrators of the service stay registered, and so do the IAM root
        # access features already enabled (AssumeRoot keeps honouring them); IAM's
        # Enable/Disable/ListOrganizations* operations refuse until trusted access is back.
        # What AWS does with either is unconfirmed.
        conn.execute(delete(s).where(s.c.org_id == org.org_id, s.c.service_principal == service))
    return {}


# --- tags on organization resources ---------------------------------------------------------


def _taggable(call: Call, conn: Connection, org: Org, action: str, resource_id: str) -> str:
    """The ARN the tags of a root, OU, account or policy of ``org`` are kept under, with
    ``action`` authorized on it. A resource of another organization, or none, is
    TargetNotFoundException (after the permission check, so ids are not probed for free)."""
    arn: str | None = None
    if resource_id.startswith("p-"):
        # Customer policies only: AWS managed policies (p-FullAWSAccess...) carry no tags.
        p = schema.org_policies
        row = conn.execute(select(p).where(p.c.policy_id == resource_id, p.c.org_id == org.org_id)).first()
        if row is not None:
            arn = model.policy_arn(org.management_account_id, org.org_id, row.policy_type, resource_id)
    elif data.is_target(conn, org, resource_id):
        arn = _entity_arn(org, resource_id)
    if arn is None:
        _authorize(call, action)
        raise _no_target()
    _authorize(call, action, arn)
    return arn


@operation(OPERATIONS, "TagResource")
def tag_resource(call: Call) -> Mapping[str, Any]:
    tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in call.params.get("Tags") or []]
    with call.store.write() as conn:
        org = _management(call, conn)
        arn = _taggable(call, conn, org, "TagResource", call.params["ResourceId"])
        try:
            put_tags(conn, arn, tags)
        except errors.AwsError as exc:
            # IAM's tag checks, answered in Organizations' words.
            raise errors.org_invalid_input(exc.message or "Invalid tags.", "INVALID_INPUT") from None
    return {}


@operation(OPERATIONS, "UntagResource")
def untag_resource(call: Call) -> Mapping[str, Any]:
    with call.store.write() as conn:
        org = _management(call, conn)
        arn = _taggable(call, conn, org, "UntagResource", call.params["ResourceId"])
        remove_tags(conn, arn, call.params.get("TagKeys") or [])
    return {}


@operation(OPERATIONS, "ListTagsForResource")
def list_tags_for_resource(call: Call) -> Mapping[str, Any]:
    with call.store.read() as conn:
        org = _administrator(call, conn)
        arn = _taggable(call, conn, org, "ListTagsForResource", call.params["ResourceId"])
        page, more = _page(get_tags(conn, arn), call.params)
    return {"Tags": list(page), **more}


@operation(OPERATIONS, "ListDelegatedServicesForAccount")
def list_delegated_services_for_account(call: Call) -> Mapping[str, Any]:
    account_id: str = call.params["AccountId"]
    _authorize(call, "ListDelegatedServicesForAccount")
    d = schema.org_delegated_admins
    with call.store.read() as conn:
        org = _administrator(call, conn)
        _require_member(conn, org, account_id)
        rows = conn.execute(
            select(d.c.service_principal, d.c.delegated_at)
            .where(d.c.org_id == org.org_id, d.c.account_id == account_id)
            .order_by(d.c.delegated_at, d.c.service_principal)
        ).all()
    if not rows:
        raise errors.org_error(
            "AccountNotRegisteredException", "The provided account is not a registered delegated administrator."
        )
    page, more = _page(rows, call.params)
    return {
        "DelegatedServices": [
            {"ServicePrincipal": r.service_principal, "DelegationEnabledDate": r.delegated_at} for r in page
        ],
        **more,
    }
