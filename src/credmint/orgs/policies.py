"""Service and resource control policies: CRUD, attachment, the listings, and enabling policy types."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from credmint import arns, errors, policy
from credmint.api import Call, operation
from credmint.orgs import data, model
from credmint.orgs import errors as orgs_errors
from credmint.orgs.calls import administrator, authorize, authorized, entity_arn, management, paginate, unique
from credmint.orgs.data import Org
from credmint.orgs.lookups import attach_defaults, find_policy
from credmint.orgs.ops import OPERATIONS
from credmint.orgs.tags import put_tags
from credmint.orgs.views import policy_arn_of, policy_summary, policy_view, root_view
from credmint.store import schema
from credmint.store.tags import drop_all_tags


def _check_type(org: Org, policy_type: str) -> None:
    if policy_type not in model.CONTROL_TYPES or not org.all_features:
        raise orgs_errors.PolicyTypeNotAvailableForOrganization()


def _check_content(policy_type: str, content: str) -> None:
    """The size quota and the grammar of ``policy_type`` (CreatePolicy and UpdatePolicy alike)."""
    if len(content) > model.MAX_POLICY_CHARS:
        raise orgs_errors.ConstraintViolation.policy_too_large()
    try:
        policy.validate_policy(content, "scp" if policy_type == model.SCP else "rcp")
    except errors.AwsError:
        raise orgs_errors.MalformedPolicyDocument() from None


@operation(OPERATIONS, "CreatePolicy")
def create_policy(call: Call) -> Mapping[str, Any]:
    params = call.params
    policy_type: str = params["Type"]
    content: str = params["Content"]
    name: str = params["Name"]
    authorize(call, "CreatePolicy")
    p = schema.org_policies
    with call.store.write() as conn:
        org = management(call, conn)
        _check_type(org, policy_type)
        _check_content(policy_type, content)
        if conn.execute(select(p.c.policy_id).where(p.c.org_id == org.org_id, p.c.name == name)).first() is not None:
            raise orgs_errors.DuplicatePolicy()
        policy_id = model.new_policy_id()
        with unique(orgs_errors.DuplicatePolicy):
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
            put_tags(conn, arns.org_policy(org.management_account_id, org.org_id, policy_type, policy_id), tags)
        row = conn.execute(select(p).where(p.c.policy_id == policy_id)).one()
        return {"Policy": {"PolicySummary": policy_summary(org, row), "Content": content}}


@operation(OPERATIONS, "ListPolicies")
def list_policies(call: Call) -> Mapping[str, Any]:
    policy_type: str = call.params["Filter"]
    authorize(call, "ListPolicies")
    p = schema.org_policies
    with call.store.read() as conn:
        org = administrator(call, conn)
        items: list[Any] = [m for m in model.AWS_MANAGED.values() if m.policy_type == policy_type]
        items.extend(
            conn.execute(
                select(p).where(p.c.org_id == org.org_id, p.c.policy_type == policy_type).order_by(p.c.name)
            ).all()
        )
        page, more = paginate(items, call.params)
        return {"Policies": [policy_summary(org, row) for row in page], **more}


@operation(OPERATIONS, "AttachPolicy")
def attach_policy(call: Call) -> Mapping[str, Any]:
    policy_id: str = call.params["PolicyId"]
    target: str = call.params["TargetId"]
    authorized(call, "AttachPolicy", management, _policy_and_target(call, policy_id, target))
    a = schema.org_policy_attachments
    with call.store.write() as conn:
        org = management(call, conn)
        found = find_policy(conn, org, policy_id)
        policy_type: str = found.policy_type
        if not data.is_target(conn, org, target):
            raise orgs_errors.TargetNotFound()
        if policy_type not in data.enabled_policy_types(conn, org.org_id):
            raise orgs_errors.PolicyTypeNotEnabled()
        existing = [pid for _, pid, t in data.attached(conn, [target]) if t == policy_type]
        if policy_id in existing:
            raise orgs_errors.DuplicatePolicyAttachment()
        if len(existing) >= model.MAX_ATTACHED_PER_TARGET:
            raise orgs_errors.ConstraintViolation.too_many_attached()
        conn.execute(
            insert(a).values(policy_id=policy_id, target_id=target, org_id=org.org_id, policy_type=policy_type)
        )
    return {}


@operation(OPERATIONS, "DetachPolicy")
def detach_policy(call: Call) -> Mapping[str, Any]:
    policy_id: str = call.params["PolicyId"]
    target: str = call.params["TargetId"]
    authorized(call, "DetachPolicy", management, _policy_and_target(call, policy_id, target))
    a = schema.org_policy_attachments
    with call.store.write() as conn:
        org = management(call, conn)
        found = find_policy(conn, org, policy_id)
        if not data.is_target(conn, org, target):
            raise orgs_errors.TargetNotFound()
        existing = [pid for _, pid, t in data.attached(conn, [target]) if t == found.policy_type]
        if policy_id not in existing:
            raise orgs_errors.PolicyNotAttached()
        if policy_id in model.NON_DETACHABLE:
            raise orgs_errors.InvalidInput.non_detachable_policy()
        if len(existing) <= 1:
            # Every root, OU and account keeps at least one policy of each enabled type.
            raise orgs_errors.ConstraintViolation.too_few_attached()
        conn.execute(delete(a).where(a.c.policy_id == policy_id, a.c.target_id == target))
    return {}


@operation(OPERATIONS, "EnablePolicyType")
def enable_policy_type(call: Call) -> Mapping[str, Any]:
    root_id: str = call.params["RootId"]
    policy_type: str = call.params["PolicyType"]
    authorized(call, "EnablePolicyType", management, lambda org: entity_arn(org, root_id))
    with call.store.write() as conn:
        org = management(call, conn)
        if root_id != org.root_id:
            raise orgs_errors.RootNotFound()
        _check_type(org, policy_type)
        if policy_type in data.enabled_policy_types(conn, org.org_id):
            raise orgs_errors.PolicyTypeAlreadyEnabled()
        conn.execute(insert(schema.org_policy_types).values(org_id=org.org_id, policy_type=policy_type))
        already = {target for target, _, t in _all_attachments(conn, org) if t == policy_type}
        for target in _all_targets(conn, org):
            if target not in already:
                attach_defaults(conn, org, target, {policy_type})
        return {"Root": root_view(conn, org)}


def _all_targets(conn: Connection, org: Org) -> list[str]:
    u, oa = schema.org_units, schema.org_accounts
    ous = [r for (r,) in conn.execute(select(u.c.ou_id).where(u.c.org_id == org.org_id)).all()]
    accounts = [r for (r,) in conn.execute(select(oa.c.account_id).where(oa.c.org_id == org.org_id)).all()]
    return [org.root_id, *ous, *accounts]


def _all_attachments(conn: Connection, org: Org) -> list[tuple[str, str, str]]:
    a = schema.org_policy_attachments
    rows = conn.execute(select(a.c.target_id, a.c.policy_id, a.c.policy_type).where(a.c.org_id == org.org_id)).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _policy_resource(call: Call, policy_id: str) -> Callable[[Org], str]:
    """The ARN of ``policy_id`` for authorization; an unknown id is checked as ``*`` and then
    answered with PolicyNotFoundException by the operation."""

    def arn(org: Org) -> str:
        with call.store.read() as conn:
            try:
                return policy_arn_of(org, find_policy(conn, org, policy_id))
            except orgs_errors.PolicyNotFound:
                return "*"

    return arn


def _policy_and_target(call: Call, policy_id: str, target: str) -> Callable[[Org], tuple[str, str]]:
    """AttachPolicy's and DetachPolicy's resources: the policy and the root, OU or account
    it is attached to (a Deny on either holds: "protect the guardrail SCP")."""
    policy = _policy_resource(call, policy_id)
    return lambda org: (policy(org), entity_arn(org, target))


def _readable_policy(call: Call, conn: Connection, org: Org, action: str, policy_id: str) -> Any:
    try:
        found = find_policy(conn, org, policy_id)
    except orgs_errors.PolicyNotFound:
        # A caller without the permission learns nothing about which ids exist.
        authorize(call, action)
        raise
    authorize(call, action, policy_arn_of(org, found))
    return found


@operation(OPERATIONS, "DescribePolicy")
def describe_policy(call: Call) -> Mapping[str, Any]:
    policy_id: str = call.params["PolicyId"]
    with call.store.read() as conn:
        org = administrator(call, conn)
        found = _readable_policy(call, conn, org, "DescribePolicy", policy_id)
        return {"Policy": policy_view(org, found)}


@operation(OPERATIONS, "UpdatePolicy")
def update_policy(call: Call) -> Mapping[str, Any]:
    params = call.params
    policy_id: str = params["PolicyId"]
    authorized(call, "UpdatePolicy", management, _policy_resource(call, policy_id))
    p = schema.org_policies
    with call.store.write() as conn:
        org = management(call, conn)
        found = find_policy(conn, org, policy_id)
        if isinstance(found, model.AwsManagedPolicy):
            raise orgs_errors.InvalidInput.immutable_policy()
        changes: dict[str, str] = {}
        name: str | None = params.get("Name")
        if name is not None and name != found.name:
            clash = conn.execute(
                select(p.c.policy_id).where(p.c.org_id == org.org_id, p.c.name == name, p.c.policy_id != policy_id)
            ).first()
            if clash is not None:
                raise orgs_errors.DuplicatePolicy()
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
            with unique(orgs_errors.DuplicatePolicy):
                conn.execute(update(p).where(p.c.policy_id == policy_id).values(**changes))
        return {"Policy": policy_view(org, find_policy(conn, org, policy_id))}


@operation(OPERATIONS, "DeletePolicy")
def delete_policy(call: Call) -> Mapping[str, Any]:
    policy_id: str = call.params["PolicyId"]
    authorized(call, "DeletePolicy", management, _policy_resource(call, policy_id))
    a = schema.org_policy_attachments
    with call.store.write() as conn:
        org = management(call, conn)
        found = find_policy(conn, org, policy_id)
        if isinstance(found, model.AwsManagedPolicy):
            raise orgs_errors.InvalidInput.immutable_policy()
        in_use = conn.execute(select(a.c.target_id).where(a.c.policy_id == policy_id).limit(1)).first()
        if in_use is not None:
            raise orgs_errors.PolicyInUse()
        drop_all_tags(conn, policy_arn_of(org, found))
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
        org = administrator(call, conn)
        authorize(call, "ListPoliciesForTarget", entity_arn(org, target))
        if not data.is_target(conn, org, target):
            raise orgs_errors.TargetNotFound()
        attached = {pid for _, pid, t in data.attached(conn, [target]) if t == policy_type}
        page, more = paginate(_policies_sorted(conn, attached), call.params)
        return {"Policies": [policy_summary(org, row) for row in page], **more}


@operation(OPERATIONS, "ListTargetsForPolicy")
def list_targets_for_policy(call: Call) -> Mapping[str, Any]:
    policy_id: str = call.params["PolicyId"]
    a, u = schema.org_policy_attachments, schema.org_units
    with call.store.read() as conn:
        org = administrator(call, conn)
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
        page, more = paginate(rows, call.params)
        return {"Targets": [{**row, "Arn": entity_arn(org, row["TargetId"])} for row in page], **more}


@operation(OPERATIONS, "DisablePolicyType")
def disable_policy_type(call: Call) -> Mapping[str, Any]:
    root_id: str = call.params["RootId"]
    policy_type: str = call.params["PolicyType"]
    authorized(call, "DisablePolicyType", management, lambda org: entity_arn(org, root_id))
    t, a = schema.org_policy_types, schema.org_policy_attachments
    with call.store.write() as conn:
        org = management(call, conn)
        if root_id != org.root_id:
            raise orgs_errors.RootNotFound()
        if policy_type not in data.enabled_policy_types(conn, org.org_id):
            raise orgs_errors.PolicyTypeNotEnabled()
        conn.execute(delete(t).where(t.c.org_id == org.org_id, t.c.policy_type == policy_type))
        # AWS detaches every policy of the type (the policies themselves stay); enabling the
        # type again starts over from the full-access policy on every root, OU and account.
        conn.execute(delete(a).where(a.c.org_id == org.org_id, a.c.policy_type == policy_type))
        return {"Root": root_view(conn, org)}
