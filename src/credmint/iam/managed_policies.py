"""IAM: managed policies (CreatePolicy, GetPolicy, ListPolicies, DeletePolicy, tags).

Managed policies come from two places merged here: this account's customer managed
policies (``managed_policies``/``policy_versions`` rows) and AWS managed policies
(the read-only data of :mod:`credmint.store.managed_policies`). ``AttachmentCount`` and
``PermissionsBoundaryUsageCount`` are counted from ``policy_attachments`` and the
boundary columns of users and roles in the caller's account whenever they are
reported, never stored, so they cannot drift. Versions are policy_versions.py's,
attachments policy_attachments.py's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from credmint import arns, errors, ids, policy
from credmint.api import Call, operation
from credmint.iam import documents
from credmint.iam import errors as iam_errors
from credmint.iam.common import (
    account_of,
    authorize,
    caller,
    paginate,
    put_tags,
    register_tag_operations,
    tags_param,
)
from credmint.iam.ops import OPERATIONS
from credmint.store import managed_policies as managed
from credmint.store import schema
from credmint.store.managed_policies import (
    ManagedPolicy,
    find_policy,
    from_aws_policy,
    from_policy_row,
)
from credmint.store.tags import drop_all_tags, get_tags

# --- managed policies: lookup ---------------------------------------------------------------


def check_arn_syntax(arn: str) -> None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
        raise iam_errors.ValidationError.invalid_arn()


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


def authorized_policy(call: Call, conn: Connection, action: str, arn: str) -> ManagedPolicy:
    check_arn_syntax(arn)
    authorize(call, action, arn)
    p = find_policy(conn, account_of(call), arn)
    if p is None:
        raise iam_errors.NoSuchEntity.policy(arn)
    return p


def refuse_aws(call: Call, action: str, p: ManagedPolicy) -> None:
    """AWS managed policies belong to AWS's account: changing them is a cross-account
    write no identity can be granted (unconfirmed wording: AWS's resource-side deny)."""
    if p.is_aws:
        raise errors.AccessDenied(policy.access_denied_message(caller(call).arn, action, p.arn, "resource", False))


def policy_summary(conn: Connection, account_id: str, p: ManagedPolicy, *, full: bool) -> dict[str, Any]:
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
    arn = arns.policy(account_id, path, name)
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
            raise iam_errors.EntityAlreadyExists.policy(name)
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
        out = policy_summary(
            conn, account_id, from_policy_row(conn.execute(select(mp).where(mp.c.arn == arn)).one()), full=True
        )
    # CreatePolicy's answer leaves the description out, and the tags unless some were given.
    out.pop("Description", None)
    if not tags:
        out.pop("Tags", None)
    return {"Policy": out}


@operation(OPERATIONS, "GetPolicy")
def get_policy(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        p = authorized_policy(call, conn, "iam:GetPolicy", call.params["PolicyArn"])
        return {"Policy": policy_summary(conn, account_of(call), p, full=True)}


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
        p = authorized_policy(call, conn, "iam:DeletePolicy", arn)
        refuse_aws(call, "iam:DeletePolicy", p)
        attached = conn.execute(select(func.count()).select_from(pa).where(pa.c.policy_arn == arn)).scalar_one()
        # A permissions boundary is an attachment too: deleting it would lift the bound
        # (boundaries are the account's own policies, counted as GetPolicy counts them).
        bounded = boundary_counts(conn, account_of(call)).get(arn, 0)
        if attached or bounded:
            raise iam_errors.DeleteConflict.policy_attached()
        versions = conn.execute(select(func.count()).select_from(pv).where(pv.c.policy_arn == arn)).scalar_one()
        if versions > 1:
            raise iam_errors.DeleteConflict.policy_versions()
        conn.execute(delete(pv).where(pv.c.policy_arn == arn))
        conn.execute(delete(mp).where(mp.c.arn == arn))
        drop_all_tags(conn, arn)
    return None


def _tagged_policy(call: Call, conn: Connection, action: str) -> str:
    p = authorized_policy(call, conn, action, call.params["PolicyArn"])
    if action != "iam:ListPolicyTags":
        refuse_aws(call, action, p)
    return p.arn


register_tag_operations("Policy", _tagged_policy)
