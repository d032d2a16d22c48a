"""IAM: inline policies of users, groups and roles; managed policies, versions and attachments.

Managed policies come from two places merged here: this account's customer managed
policies (``managed_policies``/``policy_versions`` rows) and AWS managed policies
(the read-only data of :mod:`credmint.iam.managed`). ``AttachmentCount`` and
``PermissionsBoundaryUsageCount`` are counted from ``policy_attachments`` and the
boundary columns of users and roles in the caller's account whenever they are
reported, never stored, so they cannot drift.

Inline policies and attachments of users and groups only look the entity up by name
in the ``users``/``groups`` tables (those entities are written by users.py/groups.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from credmint import errors, ids, policy
from credmint.api import Call, operation
from credmint.iam import documents, managed
from credmint.iam.common import (
    account_of,
    authorize,
    caller,
    iam_arn,
    paginate,
    register_tag_operations,
    tags_param,
)
from credmint.iam.managed import (
    ManagedPolicy,
    find_policy,
    from_aws_policy,
    from_policy_row,
)
from credmint.iam.ops import OPERATIONS
from credmint.iam.roles import no_such_role, refuse_service_linked
from credmint.store import schema
from credmint.store.tags import drop_all_tags, get_tags, put_tags

Kind = Literal["user", "group", "role"]

#: Managed policies attached to one user, group or role (AWS default quota, §7.5).
MAX_ATTACHED = 10
#: Versions a customer managed policy keeps.
MAX_VERSIONS = 5


# --- entities (users, groups, roles) by name -----------------------------------------------


@dataclass(frozen=True)
class _EntityKind:
    kind: Kind
    label: str  # "User", "Group", "Role": operation names and parameter names
    table: Any
    id_column: str
    not_found: Callable[[str], errors.AwsError]


def _no_such_user(name: str) -> errors.AwsError:
    return errors.no_such_entity(f"The user with name {name} cannot be found.")


def _no_such_group(name: str) -> errors.AwsError:
    return errors.no_such_entity(f"The group with name {name} cannot be found.")


KINDS: dict[Kind, _EntityKind] = {
    "user": _EntityKind("user", "User", schema.users, "user_id", _no_such_user),
    "group": _EntityKind("group", "Group", schema.groups, "group_id", _no_such_group),
    "role": _EntityKind("role", "Role", schema.roles, "role_id", no_such_role),
}


@dataclass(frozen=True)
class Entity:
    kind: Kind
    entity_id: str
    name: str
    path: str
    arn: str


def _entity(call: Call, conn: Connection, kind: Kind, action: str, name: str) -> Entity:
    """Find the named user/group/role of the caller's account, authorizing ``action`` on it."""
    k = KINDS[kind]
    account_id = account_of(call)
    t = k.table
    row = conn.execute(select(t).where(t.c.account_id == account_id, t.c.name_key == name.lower())).first()
    authorize(call, action, row.arn if row is not None else iam_arn(account_id, kind, "/", name))
    if row is None:
        raise k.not_found(name)
    if kind == "role" and action.startswith(_CHANGES):
        refuse_service_linked(row)
    return Entity(kind, getattr(row, k.id_column), row.name, row.path, row.arn)


#: Policy actions that change an entity: refused on service-linked roles.
_CHANGES = ("iam:Put", "iam:Delete", "iam:Attach", "iam:Detach")


# --- inline policies ----------------------------------------------------------------------


def inline_rows(conn: Connection, entity_id: str) -> Sequence[Row[Any]]:
    """A user's, group's or role's inline policies, by name."""
    ip = schema.inline_policies
    return conn.execute(select(ip).where(ip.c.entity_id == entity_id).order_by(ip.c.name_key)).all()


def _put_inline(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    p = call.params
    name: str = p["PolicyName"]
    text: str = p["PolicyDocument"]
    ip = schema.inline_policies
    with call.store.write() as conn:
        ent = _entity(call, conn, kind, f"iam:Put{k.label}Policy", p[f"{k.label}Name"])
        documents.validate_identity_policy(text)
        others = [r.document for r in inline_rows(conn, ent.entity_id) if r.name_key != name.lower()]
        documents.check_inline_quota(kind, ent.name, [*others, text])
        conn.execute(delete(ip).where(ip.c.entity_id == ent.entity_id, ip.c.name_key == name.lower()))
        conn.execute(
            insert(ip).values(
                entity_id=ent.entity_id,
                name_key=name.lower(),
                name=name,
                account_id=account_of(call),
                entity_type=kind,
                document=text,
            )
        )
    return None


def _get_inline(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    p = call.params
    name: str = p["PolicyName"]
    ip = schema.inline_policies
    with call.store.read() as conn:
        ent = _entity(call, conn, kind, f"iam:Get{k.label}Policy", p[f"{k.label}Name"])
        row = conn.execute(select(ip).where(ip.c.entity_id == ent.entity_id, ip.c.name_key == name.lower())).first()
    if row is None:
        raise errors.no_such_entity(f"The {kind} policy with name {name} cannot be found.")
    return {
        f"{k.label}Name": ent.name,
        "PolicyName": row.name,
        "PolicyDocument": row.document,
    }


def _list_inline(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    with call.store.read() as conn:
        ent = _entity(call, conn, kind, f"iam:List{k.label}Policies", call.params[f"{k.label}Name"])
        names = [r.name for r in inline_rows(conn, ent.entity_id)]
    page, more = paginate(names, call.params)
    return {"PolicyNames": page, **more}


def _delete_inline(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    p = call.params
    name: str = p["PolicyName"]
    ip = schema.inline_policies
    with call.store.write() as conn:
        ent = _entity(call, conn, kind, f"iam:Delete{k.label}Policy", p[f"{k.label}Name"])
        done = conn.execute(delete(ip).where(ip.c.entity_id == ent.entity_id, ip.c.name_key == name.lower()))
        if done.rowcount == 0:
            raise errors.no_such_entity(f"The {kind} policy with name {name} cannot be found.")
    return None


# --- managed policies: lookup ---------------------------------------------------------------


def invalid_arn() -> errors.AwsError:
    # Observed for a value that is not an ARN at all (LocalStack snapshot against AWS).
    return errors.validation_error("Invalid ARN:  Could not be parsed!")


def check_arn_syntax(arn: str) -> None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
        raise invalid_arn()


def policy_not_found(arn: str) -> errors.AwsError:
    return errors.no_such_entity(f"Policy {arn} was not found.")


def not_attachable(arn: str) -> errors.AwsError:
    return errors.no_such_entity(f"Policy {arn} does not exist or is not attachable.")


def attachment_counts(conn: Connection, account_id: str) -> dict[str, int]:
    pa = schema.policy_attachments
    rows = conn.execute(
        select(pa.c.policy_arn, func.count()).where(pa.c.account_id == account_id).group_by(pa.c.policy_arn)
    ).all()
    return {arn: n for arn, n in rows}


def boundary_counts(conn: Connection, account_id: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in (schema.users, schema.roles):
        col = t.c.permissions_boundary_arn
        rows = conn.execute(
            select(col, func.count()).where(t.c.account_id == account_id, col.is_not(None)).group_by(col)
        ).all()
        for arn, n in rows:
            out[arn] = out.get(arn, 0) + n
    return out


def policy_view(
    p: ManagedPolicy,
    attachments: int,
    boundaries: int,
    *,
    full: bool,
    tags: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "PolicyName": p.name,
        "PolicyId": p.policy_id,
        "Arn": p.arn,
        "Path": p.path,
        "DefaultVersionId": p.default_version_id,
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": boundaries,
        "IsAttachable": True,
        "CreateDate": p.create_date,
        "UpdateDate": p.update_date,
    }
    # GetPolicy adds the description and tags; ListPolicies leaves them out.
    if full and p.description:
        out["Description"] = p.description
    if full and tags is not None:
        out["Tags"] = tags  # GetPolicy lists Tags even when there are none
    return out


def _authorized_policy(call: Call, conn: Connection, action: str, arn: str) -> ManagedPolicy:
    check_arn_syntax(arn)
    authorize(call, action, arn)
    p = find_policy(conn, account_of(call), arn)
    if p is None:
        raise policy_not_found(arn)
    return p


def _refuse_aws(call: Call, action: str, p: ManagedPolicy) -> None:
    """AWS managed policies belong to AWS's account: changing them is a cross-account
    write no identity can be granted (unconfirmed wording: AWS's resource-side deny)."""
    if p.is_aws:
        raise errors.access_denied(policy.access_denied_message(caller(call).arn, action, p.arn, "resource", False))


def _view(conn: Connection, account_id: str, p: ManagedPolicy, *, full: bool) -> dict[str, Any]:
    attachments = attachment_counts(conn, account_id).get(p.arn, 0)
    boundaries = boundary_counts(conn, account_id).get(p.arn, 0)
    tags = None if p.is_aws else get_tags(conn, p.arn)
    return policy_view(p, attachments, boundaries, full=full, tags=tags)


# --- managed policies: operations ---------------------------------------------------------


@operation(OPERATIONS, "CreatePolicy")
def create_policy(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    account_id = account_of(call)
    name: str = p["PolicyName"]
    path: str = p.get("Path") or "/"
    arn = iam_arn(account_id, "policy", path, name)
    authorize(call, "iam:CreatePolicy", arn)
    text: str = p["PolicyDocument"]
    tags = tags_param(p)
    mp, pv = schema.managed_policies, schema.policy_versions
    with call.store.write() as conn:
        # Policy names are unique per account whatever the path (unconfirmed whether
        # case-insensitively; IAM names generally are).
        clash = conn.execute(
            select(mp.c.arn).where(mp.c.account_id == account_id, func.lower(mp.c.name) == name.lower())
        ).first()
        if clash is not None:
            raise errors.entity_already_exists(
                f"A policy called {name} already exists. Duplicate names are not allowed."
            )
        documents.validate_managed_policy(text)
        documents.check_managed_quota(text)
        conn.execute(
            insert(mp).values(
                arn=arn,
                policy_id=ids.new_unique_id("ANPA"),
                account_id=account_id,
                name=name,
                path=path,
                description=p.get("Description"),
                default_version_id="v1",
                next_version=2,
                created_at=call.now,
                updated_at=call.now,
            )
        )
        conn.execute(insert(pv).values(policy_arn=arn, version_id="v1", document=text, created_at=call.now))
        if tags:
            put_tags(conn, arn, tags)
        out = _view(conn, account_id, from_policy_row(conn.execute(select(mp).where(mp.c.arn == arn)).one()), full=True)
    # CreatePolicy's answer leaves the description out, and the tags unless some were given.
    out.pop("Description", None)
    if not tags:
        out.pop("Tags", None)
    return {"Policy": out}


@operation(OPERATIONS, "GetPolicy")
def get_policy(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        p = _authorized_policy(call, conn, "iam:GetPolicy", call.params["PolicyArn"])
        return {"Policy": _view(conn, account_of(call), p, full=True)}


@operation(OPERATIONS, "ListPolicies")
def list_policies(call: Call) -> Mapping[str, Any] | None:
    prm = call.params
    account_id = account_of(call)
    scope: str = prm.get("Scope") or "All"
    prefix: str = prm.get("PathPrefix") or "/"
    # ListPolicies has no resource-level permissions (Service Authorization Reference).
    authorize(call, "iam:ListPolicies", "*")
    only_attached = bool(prm.get("OnlyAttached"))
    usage: str | None = prm.get("PolicyUsageFilter")
    mp = schema.managed_policies
    with call.store.read() as conn:
        found: list[ManagedPolicy] = []
        if scope in ("All", "AWS"):
            found.extend(from_aws_policy(a) for a in managed.aws_policies().values())
        if scope in ("All", "Local"):
            rows = conn.execute(select(mp).where(mp.c.account_id == account_id)).all()
            found.extend(from_policy_row(r) for r in rows)
        attachments = attachment_counts(conn, account_id)
        boundaries = boundary_counts(conn, account_id)

    def used(p: ManagedPolicy) -> bool:
        as_policy = attachments.get(p.arn, 0) > 0
        as_boundary = boundaries.get(p.arn, 0) > 0
        if usage == "PermissionsPolicy":
            return as_policy
        if usage == "PermissionsBoundary":
            return as_boundary
        return as_policy or as_boundary

    selected = [p for p in found if p.path.startswith(prefix) and (not (only_attached or usage) or used(p))]
    selected.sort(key=lambda p: (p.name.lower(), p.arn))
    page, more = paginate(selected, prm)
    views = [policy_view(p, attachments.get(p.arn, 0), boundaries.get(p.arn, 0), full=False) for p in page]
    return {"Policies": views, **more}


@operation(OPERATIONS, "DeletePolicy")
def delete_policy(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["PolicyArn"]
    mp, pv, pa = schema.managed_policies, schema.policy_versions, schema.policy_attachments
    with call.store.write() as conn:
        p = _authorized_policy(call, conn, "iam:DeletePolicy", arn)
        _refuse_aws(call, "iam:DeletePolicy", p)
        attached = conn.execute(select(func.count()).select_from(pa).where(pa.c.policy_arn == arn)).scalar_one()
        if attached:
            raise errors.delete_conflict("Cannot delete a policy attached to entities.")
        versions = conn.execute(select(func.count()).select_from(pv).where(pv.c.policy_arn == arn)).scalar_one()
        if versions > 1:
            raise errors.delete_conflict(
                "This policy has more than one version. Before you delete a policy, you must delete the "
                "policy's versions. The default version is deleted with the policy."
            )
        conn.execute(delete(pv).where(pv.c.policy_arn == arn))
        conn.execute(delete(mp).where(mp.c.arn == arn))
        drop_all_tags(conn, arn)
    return None


def _version_missing(arn: str, version_id: str) -> errors.AwsError:
    # Unconfirmed wording (the one IAM emulators use, in AWS's attachable-policy style).
    return errors.no_such_entity(f"Policy {arn} version {version_id} does not exist or is not attachable.")


def _version_view(version_id: str, created: datetime, default: bool, document: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"VersionId": version_id, "IsDefaultVersion": default, "CreateDate": created}
    if document is not None:
        out["Document"] = document
    return out


@operation(OPERATIONS, "CreatePolicyVersion")
def create_policy_version(call: Call) -> Mapping[str, Any] | None:
    prm = call.params
    arn: str = prm["PolicyArn"]
    text: str = prm["PolicyDocument"]
    mp, pv = schema.managed_policies, schema.policy_versions
    with call.store.write() as conn:
        p = _authorized_policy(call, conn, "iam:CreatePolicyVersion", arn)
        _refuse_aws(call, "iam:CreatePolicyVersion", p)
        count = conn.execute(select(func.count()).select_from(pv).where(pv.c.policy_arn == arn)).scalar_one()
        if count >= MAX_VERSIONS:
            raise errors.limit_exceeded(
                "A managed policy can have up to 5 versions. Before you create a new version, you must "
                "delete an existing version."
            )
        documents.validate_managed_policy(text)
        documents.check_managed_quota(text)
        row = conn.execute(select(mp.c.next_version).where(mp.c.arn == arn)).one()
        version_id = f"v{row.next_version}"
        default = bool(prm.get("SetAsDefault"))
        conn.execute(insert(pv).values(policy_arn=arn, version_id=version_id, document=text, created_at=call.now))
        values: dict[str, Any] = {"next_version": row.next_version + 1, "updated_at": call.now}
        if default:
            values["default_version_id"] = version_id
        conn.execute(update(mp).where(mp.c.arn == arn).values(**values))
    return {"PolicyVersion": _version_view(version_id, call.now, default, None)}


@operation(OPERATIONS, "GetPolicyVersion")
def get_policy_version(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["PolicyArn"]
    version_id: str = call.params["VersionId"]
    pv = schema.policy_versions
    with call.store.read() as conn:
        p = _authorized_policy(call, conn, "iam:GetPolicyVersion", arn)
        if p.is_aws:
            aws = managed.aws_policy(arn)
            if aws is None or version_id != aws.default_version_id:
                raise _version_missing(arn, version_id)
            return {"PolicyVersion": _version_view(version_id, aws.update_date, True, aws.document)}
        row = conn.execute(select(pv).where(pv.c.policy_arn == arn, pv.c.version_id == version_id)).first()
    if row is None:
        raise _version_missing(arn, version_id)
    return {
        "PolicyVersion": _version_view(
            row.version_id, row.created_at, row.version_id == p.default_version_id, row.document
        )
    }


def version_number(version_id: str) -> int:
    return int(version_id[1:]) if version_id[1:].isdigit() else 0


@operation(OPERATIONS, "ListPolicyVersions")
def list_policy_versions(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["PolicyArn"]
    pv = schema.policy_versions
    with call.store.read() as conn:
        p = _authorized_policy(call, conn, "iam:ListPolicyVersions", arn)
        if p.is_aws:
            versions = [_version_view(p.default_version_id, p.update_date, True, None)]
        else:
            rows = conn.execute(select(pv.c.version_id, pv.c.created_at).where(pv.c.policy_arn == arn)).all()
            # Newest first, as IAM lists them.
            rows = sorted(rows, key=lambda r: version_number(r.version_id), reverse=True)
            versions = [
                _version_view(r.version_id, r.created_at, r.version_id == p.default_version_id, None) for r in rows
            ]
    page, more = paginate(versions, call.params)
    return {"Versions": page, **more}


@operation(OPERATIONS, "SetDefaultPolicyVersion")
def set_default_policy_version(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["PolicyArn"]
    version_id: str = call.params["VersionId"]
    mp, pv = schema.managed_policies, schema.policy_versions
    with call.store.write() as conn:
        p = _authorized_policy(call, conn, "iam:SetDefaultPolicyVersion", arn)
        _refuse_aws(call, "iam:SetDefaultPolicyVersion", p)
        found = conn.execute(select(pv.c.version_id).where(pv.c.policy_arn == arn, pv.c.version_id == version_id))
        if found.first() is None:
            raise _version_missing(arn, version_id)
        conn.execute(update(mp).where(mp.c.arn == arn).values(default_version_id=version_id))
    return None


@operation(OPERATIONS, "DeletePolicyVersion")
def delete_policy_version(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["PolicyArn"]
    version_id: str = call.params["VersionId"]
    pv = schema.policy_versions
    with call.store.write() as conn:
        p = _authorized_policy(call, conn, "iam:DeletePolicyVersion", arn)
        _refuse_aws(call, "iam:DeletePolicyVersion", p)
        if version_id == p.default_version_id:
            raise errors.delete_conflict("Cannot delete the default version of a policy.")
        done = conn.execute(delete(pv).where(pv.c.policy_arn == arn, pv.c.version_id == version_id))
        if done.rowcount == 0:
            raise _version_missing(arn, version_id)
    return None


def _tagged_policy(call: Call, conn: Connection, action: str) -> str:
    p = _authorized_policy(call, conn, action, call.params["PolicyArn"])
    if action != "iam:ListPolicyTags":
        _refuse_aws(call, action, p)
    return p.arn


register_tag_operations("Policy", _tagged_policy)


# --- attachments --------------------------------------------------------------------------


def _attach(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    arn: str = call.params["PolicyArn"]
    check_arn_syntax(arn)
    pa = schema.policy_attachments
    with call.store.write() as conn:
        ent = _entity(call, conn, kind, f"iam:Attach{k.label}Policy", call.params[f"{k.label}Name"])
        if find_policy(conn, account_of(call), arn) is None:
            raise not_attachable(arn)
        existing = {r.policy_arn for r in conn.execute(select(pa.c.policy_arn).where(pa.c.entity_id == ent.entity_id))}
        if arn in existing:
            return None  # attaching twice is not an error in IAM
        if len(existing) >= MAX_ATTACHED:
            raise errors.limit_exceeded(f"Cannot exceed quota for PoliciesPer{k.label}: {MAX_ATTACHED}")
        conn.execute(
            insert(pa).values(policy_arn=arn, entity_id=ent.entity_id, entity_type=kind, account_id=account_of(call))
        )
    return None


def _detach(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    arn: str = call.params["PolicyArn"]
    check_arn_syntax(arn)
    pa = schema.policy_attachments
    with call.store.write() as conn:
        ent = _entity(call, conn, kind, f"iam:Detach{k.label}Policy", call.params[f"{k.label}Name"])
        done = conn.execute(delete(pa).where(pa.c.policy_arn == arn, pa.c.entity_id == ent.entity_id))
        if done.rowcount == 0:
            raise policy_not_found(arn)
    return None


def attached_policy_arns(conn: Connection, entity_id: str) -> list[str]:
    """ARNs of the managed policies attached to a user, group or role (for evaluation)."""
    pa = schema.policy_attachments
    return [r.policy_arn for r in conn.execute(select(pa.c.policy_arn).where(pa.c.entity_id == entity_id))]


def _list_attached(call: Call, kind: Kind) -> Mapping[str, Any] | None:
    k = KINDS[kind]
    prefix: str = call.params.get("PathPrefix") or "/"
    with call.store.read() as conn:
        ent = _entity(call, conn, kind, f"iam:ListAttached{k.label}Policies", call.params[f"{k.label}Name"])
        found = [find_policy(conn, account_of(call), arn) for arn in attached_policy_arns(conn, ent.entity_id)]
    policies = sorted((p for p in found if p is not None and p.path.startswith(prefix)), key=lambda p: p.name.lower())
    page, more = paginate(policies, call.params)
    return {"AttachedPolicies": [{"PolicyName": p.name, "PolicyArn": p.arn} for p in page], **more}


@operation(OPERATIONS, "ListEntitiesForPolicy")
def list_entities_for_policy(call: Call) -> Mapping[str, Any] | None:
    prm = call.params
    arn: str = prm["PolicyArn"]
    account_id = account_of(call)
    entity_filter: str | None = prm.get("EntityFilter")
    usage: str | None = prm.get("PolicyUsageFilter")
    prefix: str = prm.get("PathPrefix") or "/"
    pa = schema.policy_attachments
    with call.store.read() as conn:
        p = _authorized_policy(call, conn, "iam:ListEntitiesForPolicy", arn)
        if (entity_filter == "LocalManagedPolicy" and p.is_aws) or (
            entity_filter == "AWSManagedPolicy" and not p.is_aws
        ):
            return {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": [], "IsTruncated": False}
        kinds: list[Kind] = ["group", "user", "role"]
        if entity_filter in ("User", "Group", "Role"):
            kinds = [entity_filter.lower()]  # type: ignore[list-item]
        entities: list[tuple[Kind, Row[Any]]] = []
        for kind in kinds:
            k = KINDS[kind]
            t = k.table
            id_col = t.c[k.id_column]
            queries = []
            if usage in (None, "PermissionsPolicy"):
                attached = select(pa.c.entity_id).where(pa.c.policy_arn == arn, pa.c.entity_type == kind)
                queries.append(select(t).where(t.c.account_id == account_id, id_col.in_(attached)))
            if usage in (None, "PermissionsBoundary") and kind != "group":
                queries.append(select(t).where(t.c.account_id == account_id, t.c.permissions_boundary_arn == arn))
            seen: set[str] = set()
            for q in queries:
                for row in conn.execute(q.order_by(t.c.name_key)):
                    rid = getattr(row, k.id_column)
                    if rid not in seen and row.path.startswith(prefix):
                        seen.add(rid)
                        entities.append((kind, row))
    page, more = paginate(entities, prm)
    out: dict[str, Any] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
    for kind, row in page:
        label = KINDS[kind].label
        out[f"Policy{label}s"].append({f"{label}Name": row.name, f"{label}Id": getattr(row, KINDS[kind].id_column)})
    return {**out, **more}


# --- registration of the per-entity operations --------------------------------------------


def _register(name: str, fn: Callable[[Call, Kind], Mapping[str, Any] | None], kind: Kind) -> None:
    def handler(call: Call) -> Mapping[str, Any] | None:
        return fn(call, kind)

    handler.__name__ = handler.__qualname__ = name
    operation(OPERATIONS, name)(handler)


for _kind, _k in KINDS.items():
    _register(f"Put{_k.label}Policy", _put_inline, _kind)
    _register(f"Get{_k.label}Policy", _get_inline, _kind)
    _register(f"List{_k.label}Policies", _list_inline, _kind)
    _register(f"Delete{_k.label}Policy", _delete_inline, _kind)
    _register(f"Attach{_k.label}Policy", _attach, _kind)
    _register(f"Detach{_k.label}Policy", _detach, _kind)
    _register(f"ListAttached{_k.label}Policies", _list_attached, _kind)
