"""What every IAM operation module shares: pagination, tags, caller checks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, Table, select

from credmint import errors
from credmint.access import condition_keys
from credmint.access.principal import Principal
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.ops import OPERATIONS
from credmint.policy import CompiledPolicy
from credmint.store import schema
from credmint.store import tags as stored_tags
from credmint.store.managed_policies import find_policy
from credmint.store.tags import get_tags, remove_tags

T = TypeVar("T")



def put_tags(conn: Connection, resource: str, tags: Sequence[Mapping[str, str]]) -> None:
    """Add or overwrite the tags of an IAM resource (at most 50), refused in IAM's words."""
    try:
        stored_tags.put_tags(conn, resource, tags)
    except stored_tags.DuplicateTagKeys:
        raise iam_errors.InvalidInput.duplicate_tag_keys() from None
    except stored_tags.TooManyTags as exc:
        raise iam_errors.LimitExceeded.tags(exc.most) from None


def settable_status(value: str) -> str:
    """The ``Status`` of an Update call on a credential (access key, SSH key, certificate,
    service-specific credential). "Expired" is in the models' enums but is a state IAM
    sets, not one a caller picks (AWS's answer to it is unconfirmed; refusing is the
    safe side)."""
    if value not in ("Active", "Inactive"):
        raise iam_errors.InvalidInput.status_value(value)
    return value


def owned_by(table: Table, account_id: str, user: Row[Any] | None) -> Any:
    """The rows of ``table`` (with ``account_id`` and ``user_id`` columns) that belong to
    ``user``, or to the account's root user when ``user`` is None."""
    if user is None:
        return (table.c.account_id == account_id) & table.c.user_id.is_(None)
    return table.c.user_id == user.user_id


def caller(call: Call) -> Principal:
    if call.principal is None:
        raise errors.MissingAuthenticationToken()
    return call.principal


def account_of(call: Call) -> str:
    """The account an IAM call acts in: the caller's own."""
    return caller(call).account_id


#: The service a role passed by an operation goes to (``iam:PassedToService``): a role put
#: in an instance profile is handed to every EC2 instance launched with the profile.
PASSED_TO_SERVICE: Mapping[str, str] = {"AddRoleToInstanceProfile": "ec2.amazonaws.com"}


#: Condition keys whose value is a request parameter, set for the actions that take them.
PARAMETER_KEYS: dict[str, str] = {
    "iam:AWSServiceName": "AWSServiceName",
    "iam:ServiceSpecificCredentialServiceName": "ServiceName",
    "iam:ServiceSpecificCredentialAgeDays": "CredentialAgeDays",
    "iam:OrganizationsPolicyId": "OrganizationsPolicyId",
}


def authorize(
    call: Call,
    action: str,
    resource: str,
    *,
    stored: Mapping[str, str | list[str]] | None = None,
    resource_policy: str | None = None,
    resource_account: str | None = None,
    granted: CompiledPolicy | None = None,
) -> None:
    """Authorize an IAM call, with the condition keys AWS puts on it (``granted``: an
    account-wide grant evaluated with the caller's identity policies, see
    :meth:`credmint.api.Call.authorize`).

    ``resource_policy`` is the stored resource-based policy of ``resource`` that takes part
    (a workload identity provider's), and ``resource_account`` the account owning it
    (default: the caller's): the engine then applies AWS's rule, either policy allowing in
    the same account and both across accounts, an explicit Deny in either winning.

    Which keys an action carries is the Service Authorization Reference's word
    (``condition_keys.takes``):

    * ``aws:RequestTag/<k>`` and ``aws:TagKeys`` from the call's ``Tags`` (and
      ``aws:TagKeys`` from ``UntagX``'s ``TagKeys``);
    * ``aws:ResourceTag/<k>`` (and its ``iam:ResourceTag/<k>`` twin) from the tags of the
      user, role, policy, provider, MFA device or instance profile named by ``resource``;
    * ``iam:PolicyARN``: the managed policy being attached or detached;
    * ``iam:PermissionsBoundary``: the boundary the call sets (``PermissionsBoundary`` of
      CreateUser, CreateRole, Put*PermissionsBoundary), else the one the target user or
      role has, so a delegated administrator can be limited to entities kept inside a
      boundary (absent when there is none, as in AWS: an Allow requiring it then fails);
    * ``iam:PassedToService`` for ``iam:PassRole``;
    * the keys of :data:`PARAMETER_KEYS` from the request's parameters, and ``stored`` keys
      the handler read from the resource (a service-specific credential's service).
    """
    keys: dict[str, str | list[str]] = {}
    tags = call.params.get("Tags")
    if isinstance(tags, list) and tags:
        for tag in tags:
            keys[f"aws:RequestTag/{tag['Key']}"] = tag.get("Value", "")
        keys["aws:TagKeys"] = [tag["Key"] for tag in tags]
    elif call.operation.startswith("Untag") and call.params.get("TagKeys"):
        keys["aws:TagKeys"] = list(call.params["TagKeys"])
    target = target_facts(call, resource)
    for key, value in target.tags:
        keys[f"aws:ResourceTag/{key}"] = value
        keys[f"iam:ResourceTag/{key}"] = value
    policy_arn = call.params.get("PolicyArn")
    if isinstance(policy_arn, str) and condition_keys.takes(action, "iam:PolicyARN"):
        keys["iam:PolicyARN"] = policy_arn
    if condition_keys.takes(action, "iam:PermissionsBoundary"):
        requested = call.params.get("PermissionsBoundary")
        boundary = requested if isinstance(requested, str) and requested else target.boundary
        if boundary:
            keys["iam:PermissionsBoundary"] = boundary
    if target.template is not None and condition_keys.takes(action, "iam:RoleTemplateARN"):
        keys["iam:RoleTemplateARN"] = target.template
    passed_to = PASSED_TO_SERVICE.get(call.operation)
    if action == "iam:PassRole" and passed_to is not None:
        keys["iam:PassedToService"] = passed_to
    for key, param in PARAMETER_KEYS.items():
        given = call.params.get(param)
        if given is not None and condition_keys.takes(action, key):
            keys[key] = str(given)
    for key, stored_value in (stored or {}).items():
        if condition_keys.takes(action, key):
            keys[key] = stored_value
    call.authorize(
        action,
        resource,
        extra_keys=keys,
        resource_policy=resource_policy,
        resource_account=resource_account,
        granted=granted,
    )


@dataclass(frozen=True, slots=True)
class TargetFacts:
    """What the store holds about the IAM resource a call acts on, for its condition keys."""

    tags: tuple[tuple[str, str], ...] = ()
    #: The permissions boundary of a target user or role.
    boundary: str | None = None
    #: The role template a target role was created from (AcquireRole).
    template: str | None = None


_NO_FACTS = TargetFacts()


def target_facts(call: Call, resource: str) -> TargetFacts:
    """The tags (and, for users and roles, boundary) of the IAM resource an ARN names.

    Users and roles are tagged by unique id; one read serves both facts.
    """
    if not resource.startswith("arn:aws:iam::") or resource.endswith("/"):
        return _NO_FACTS
    kind = resource.split(":", 5)[5].split("/", 1)[0]
    t = schema.tags
    boundary: str | None = None
    template: str | None = None
    with call.store.read() as conn:
        target = resource
        if kind == "user":
            u = schema.users
            user = conn.execute(select(u.c.user_id, u.c.permissions_boundary_arn).where(u.c.arn == resource)).first()
            if user is None:
                return _NO_FACTS
            target, boundary = user[0], user[1]
        elif kind == "role":
            r, src = schema.roles, schema.role_template_sources
            found = conn.execute(
                select(r.c.role_id, r.c.permissions_boundary_arn, src.c.template_arn)
                .outerjoin(src, src.c.role_id == r.c.role_id)
                .where(r.c.arn == resource)
            ).first()
            if found is None:
                return _NO_FACTS
            target, boundary, template = found[0], found[1], found[2]
        elif kind not in (
            "policy",
            "saml-provider",
            "oidc-provider",
            "mfa",
            "instance-profile",
            "workload-identity-provider",
            "workload-identity-template",
        ):
            return _NO_FACTS
        rows = conn.execute(select(t.c.key, t.c.value).where(t.c.resource == target).order_by(t.c.position)).all()
    return TargetFacts(tuple((k, v) for k, v in rows), boundary, template)


# --- pagination -------------------------------------------------------------------------


def _encode_marker(index: int) -> str:
    return base64.b64encode(f"credmint:{index}".encode()).decode()


def _decode_marker(marker: str) -> int:
    try:
        text = base64.b64decode(marker, validate=True).decode()
        prefix, _, index = text.partition(":")
        # Only the plain offsets _encode_marker writes: int() would also take "-1" (a
        # slice from the end, whose next Marker jumps back to the start) or "+1".
        if prefix != "credmint" or not (index.isascii() and index.isdigit()):
            raise ValueError(marker)
        return int(index)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise iam_errors.ValidationError.invalid_marker() from None


def check_boundary(conn: Connection, account_id: str, arn: str) -> None:
    """A permissions boundary must be an existing managed policy: this account's own or
    an AWS managed one. Shared by users, roles and role templates."""
    if find_policy(conn, account_id, arn) is None:
        # The boundary wording (unconfirmed; from client reports of AWS errors).
        raise iam_errors.NoSuchEntity.scope_arn(arn)


def boundary_view(arn: str) -> dict[str, str]:
    """The ``PermissionsBoundary`` member of a user or role."""
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


def paginate(items: Sequence[T], params: Mapping[str, Any], default_max: int = 100) -> tuple[list[T], dict[str, Any]]:
    """Slice ``items`` by ``Marker``/``MaxItems`` and return the page and the
    ``IsTruncated``/``Marker`` members to merge into the result."""
    start = _decode_marker(params["Marker"]) if params.get("Marker") else 0
    max_items = params.get("MaxItems") or default_max
    page = list(items[start : start + max_items])
    end = start + len(page)
    if end < len(items):
        return page, {"IsTruncated": True, "Marker": _encode_marker(end)}
    return page, {"IsTruncated": False}


# --- tags -------------------------------------------------------------------------------


def tags_param(params: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []]


#: Finds and authorizes the tagged resource of a call: ``(call, conn, action) -> tag key``
#: (a user's or role's unique id, or the resource's ARN).
TagTarget = Callable[[Call, Connection, str], str]


def register_tag_operations(suffix: str, target: TagTarget) -> None:
    """``Tag<suffix>``, ``Untag<suffix>`` and ``List<suffix>Tags``, the same for every IAM resource."""

    def tag(call: Call) -> Mapping[str, Any] | None:
        with call.store.write() as conn:
            put_tags(conn, target(call, conn, f"iam:Tag{suffix}"), tags_param(call.params))
        return None

    def untag(call: Call) -> Mapping[str, Any] | None:
        with call.store.write() as conn:
            remove_tags(conn, target(call, conn, f"iam:Untag{suffix}"), call.params.get("TagKeys") or [])
        return None

    def list_tags(call: Call) -> Mapping[str, Any] | None:
        with call.store.read() as conn:
            page, more = paginate(get_tags(conn, target(call, conn, f"iam:List{suffix}Tags")), call.params)
        return {"Tags": page, **more}

    operation(OPERATIONS, f"Tag{suffix}")(tag)
    operation(OPERATIONS, f"Untag{suffix}")(untag)
    operation(OPERATIONS, f"List{suffix}Tags")(list_tags)
