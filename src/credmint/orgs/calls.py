"""Who is calling an Organizations operation, and may they: the caller's organization and role in it, the
IAM authorization of the action with its condition keys, and list pagination."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from credmint import arns, errors
from credmint.access import condition_keys
from credmint.access.principal import Principal
from credmint.api import Call
from credmint.orgs import data, model
from credmint.orgs import errors as orgs_errors
from credmint.orgs.data import Org
from credmint.store import schema

#: ``MaxResults`` when the caller sends none (the model allows 1-20).
DEFAULT_PAGE = 20

#: The request parameter that names the policy type an operation works on.
_POLICY_TYPE_PARAMS = ("PolicyType", "Type", "Filter")


def caller(call: Call) -> Principal:
    if call.principal is None:
        raise errors.MissingAuthenticationToken()
    return call.principal


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


def _delegation_policy(call: Call, action: str) -> tuple[str, str] | None:
    """``(policy text, management account)`` when the caller's permission to run ``action``
    comes from the organization's resource-based delegation policy: the caller is a member
    account that is not entitled otherwise (a service's delegated administrator keeps its
    read access), the action is one a delegation policy may grant, and the organization has
    one. Then AWS evaluates the call as cross-account: the caller's identity policies and
    the delegation policy must both allow it."""
    p = call.principal
    if p is None or action not in model.DELEGABLE_ACTIONS:
        return None
    with call.store.read() as conn:
        org = data.org_of_account(conn, p.account_id)
        if org is None or org.management_account_id == p.account_id:
            return None
        if action.startswith(("Describe", "List")) and data.delegated_services(conn, p.account_id):
            return None
        found = data.resource_policy(conn, org.org_id)
    return (found.content, org.management_account_id) if found is not None else None


def authorize(call: Call, action: str, resource: str = "*", *, own: bool = False) -> None:
    """Authorize ``organizations:<action>`` on ``resource``; ``own``: the caller asks about its
    own account, which needs no delegation (DescribeEffectivePolicy for itself)."""
    full = f"organizations:{action}"
    delegation = None if own else _delegation_policy(call, action)
    try:
        call.authorize(
            full,
            resource,
            resource_policy=delegation[0] if delegation else None,
            resource_account=delegation[1] if delegation else None,
            extra_keys=_request_keys(call, full, resource),
        )
    except errors.AccessDenied as exc:
        # Organizations answers the authorizer's denial as its own AccessDeniedException.
        raise orgs_errors.AccessDenied(exc.message or "") from None


def membership(call: Call, conn: Connection) -> Org:
    org = data.org_of_account(conn, caller(call).account_id)
    if org is None:
        raise orgs_errors.NotInUse()
    return org


def management(call: Call, conn: Connection) -> Org:
    """The caller's organization, which the caller's account must manage (or be granted
    ``call.operation`` by the organization's delegation policy, checked in :func:`authorize`)."""
    org = membership(call, conn)
    if org.management_account_id != caller(call).account_id and not _delegated(conn, org, call.operation):
        raise orgs_errors.AccessDenied()
    return org


def _delegated(conn: Connection, org: Org, operation: str) -> bool:
    """Whether a member account may get as far as authorization for ``operation`` because
    the organization has a delegation policy (which :func:`authorize` then evaluates)."""
    return operation in model.DELEGABLE_ACTIONS and data.resource_policy(conn, org.org_id) is not None


def administrator(call: Call, conn: Connection) -> Org:
    """The caller's organization, read by its management account or a delegated administrator."""
    org = membership(call, conn)
    account = caller(call).account_id
    if (
        org.management_account_id != account
        and not data.delegated_services(conn, account)
        and not _delegated(conn, org, call.operation)
    ):
        raise orgs_errors.AccessDenied()
    return org


def authorized(
    call: Call,
    action: str,
    role: Callable[[Call, Connection], Org],
    resource: Callable[[Org], str | Sequence[str]],
) -> None:
    """Check ``action`` on the resources whose ARNs need the caller's organization (read
    first). A call that names several (AttachPolicy's policy and target, MoveAccount's
    account and both parents: the Service Authorization Reference lists each) must be
    allowed on every one, so that a Deny on any of them holds.

    The operation reads the organization again in its own write transaction.
    """
    with call.store.read() as conn:
        org = role(call, conn)
    found = resource(org)
    for arn in (found,) if isinstance(found, str) else found:
        authorize(call, action, arn)


def entity_arn(org: Org, entity_id: str) -> str:
    """The ARN of a root, OU or account of ``org`` (ids are told apart by their prefixes)."""
    mgmt = org.management_account_id
    if entity_id.startswith("r-"):
        return arns.org_root(mgmt, org.org_id, entity_id)
    if entity_id.startswith("ou-"):
        return arns.org_unit(mgmt, org.org_id, entity_id)
    return arns.org_account(mgmt, org.org_id, entity_id)


def require_all_features(org: Org) -> None:
    if not org.all_features:
        raise orgs_errors.ConstraintViolation.all_features_required()


@contextmanager
def unique(conflict: Callable[[], errors.AwsError]) -> Iterator[None]:
    """Turn a unique-constraint violation (a concurrent twin of this request on another
    worker or node got there first) into the answer the earlier check gives."""
    try:
        yield
    except IntegrityError:
        raise conflict() from None


def paginate(items: Sequence[Any], params: Mapping[str, Any]) -> tuple[Sequence[Any], dict[str, str]]:
    token: str | None = params.get("NextToken")
    start = 0
    if token:
        try:
            prefix, _, index = base64.b64decode(token, validate=True).decode().partition(":")
            if prefix != "credmint-orgs":
                raise ValueError(token)
            start = int(index)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise orgs_errors.InvalidInput.next_token() from None
    size: int = params.get("MaxResults") or DEFAULT_PAGE
    page = items[start : start + size]
    more: dict[str, str] = {}
    if start + size < len(items):
        more["NextToken"] = base64.b64encode(f"credmint-orgs:{start + size}".encode()).decode()
    return page, more
