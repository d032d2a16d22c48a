"""The organization's resource-based delegation policy: PutResourcePolicy, DescribeResourcePolicy,
DeleteResourcePolicy.

The policy lets member accounts manage the organization's policies and read its shape
without being the management account. It is evaluated where AWS evaluates it: when a
member account calls one of :data:`credmint.orgs.model.DELEGABLE_ACTIONS`
(:func:`credmint.orgs.calls.authorize`), as a cross-account resource policy, so the
caller's own identity policies must allow the call as well.

What a policy may say is checked on the way in, each rule with AWS's reason:

================================  ==============================================
rule                              reason
================================  ==============================================
valid JSON, IAM policy grammar    ``INVALID_RESOURCE_POLICY_JSON``
every action a read or delegable  ``UNSUPPORTED_ACTION_IN_RESOURCE_POLICY``
principals exist (bound to ids)   ``INVALID_PRINCIPAL``
at most 40,000 characters         the model's ``max`` (``MAX_LENGTH_EXCEEDED``)
================================  ==============================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, update

from credmint import arns, bound_principals, errors, policy
from credmint.access import condition_keys
from credmint.api import Call, operation
from credmint.orgs import data, model
from credmint.orgs import errors as orgs_errors
from credmint.orgs.calls import administrator, authorize, management
from credmint.orgs.data import Org
from credmint.orgs.ops import OPERATIONS
from credmint.orgs.tags import put_tags
from credmint.policy.matching import glob_matcher
from credmint.store import schema
from credmint.store.tags import drop_all_tags


def _actions_of(doc: Any) -> list[str]:
    statements = doc.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    out: list[str] = []
    for st in statements if isinstance(statements, list) else []:
        if not isinstance(st, Mapping):
            continue
        if "NotAction" in st:
            # NotAction grants everything it does not name: never only delegable actions.
            out.append("*")
        value = st.get("Action", [])
        out.extend([value] if isinstance(value, str) else [v for v in value if isinstance(v, str)])
    return out


def _check_actions(doc: Any) -> None:
    """Every action a statement names (wildcards expanded over Organizations' operations)
    must be one a delegation policy may grant."""
    for action in _actions_of(doc):
        service, _, name = action.partition(":")
        if service.lower() != "organizations" or not name:
            raise orgs_errors.InvalidInput.unsupported_action(action)
        matches = glob_matcher(name, fold_case=True)
        matched = [op for op in _known_operations() if matches(op.lower())]
        if not matched or not all(_grantable(op) for op in matched):
            raise orgs_errors.InvalidInput.unsupported_action(action)


def _grantable(operation: str) -> bool:
    """A delegation policy may name any read action (AWS's own examples grant
    ``organizations:Describe*`` and ``organizations:List*``); only the delegable ones ever
    take effect (:data:`credmint.orgs.model.DELEGABLE_ACTIONS`), the others stay with the
    management account or the account the read is about."""
    return operation in model.DELEGABLE_ACTIONS or operation.startswith(("Describe", "List"))


def _known_operations() -> tuple[str, ...]:
    """Every Organizations action the Service Authorization Reference lists."""
    return tuple(condition_keys.reference()["services"]["organizations"]["actions"])


def _validated(conn: Any, content: str) -> str:
    """The policy as stored: checked, with IAM user and role principals bound to their ids."""
    try:
        # parse_policy bounds hostile JSON (deep nesting, duplicate keys) with a policy error.
        doc = policy.parse_policy(content)
        policy.validate_policy(doc, "resource")
    except errors.AwsError as exc:
        raise orgs_errors.InvalidInput.resource_policy_json(exc.message) from None
    _check_actions(doc)
    return bound_principals.bind(
        conn, content, orgs_errors.InvalidInput.principal
    )


def _view(conn: Any, org: Org, row: Any) -> dict[str, Any]:
    return {
        "ResourcePolicySummary": {
            "Id": row.policy_id,
            "Arn": arns.org_resource_policy(org.management_account_id, org.org_id, row.policy_id),
        },
        "Content": bound_principals.render(conn, row.content),
    }


@operation(OPERATIONS, "PutResourcePolicy")
def put_resource_policy(call: Call) -> Mapping[str, Any]:
    content: str = call.params["Content"]
    tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in call.params.get("Tags") or []]
    with call.store.read() as conn:
        org = management(call, conn)
        found = data.resource_policy(conn, org.org_id)
    policy_id = found.policy_id if found is not None else model.new_resource_policy_id()
    authorize(call, "PutResourcePolicy", arns.org_resource_policy(org.management_account_id, org.org_id, policy_id))
    r = schema.org_resource_policies
    with call.store.write() as conn:
        org = management(call, conn)
        stored = _validated(conn, content)
        found = data.resource_policy(conn, org.org_id)
        if found is None:
            conn.execute(insert(r).values(org_id=org.org_id, policy_id=policy_id, content=stored))
        else:
            conn.execute(update(r).where(r.c.org_id == org.org_id).values(content=stored))
        arn = arns.org_resource_policy(org.management_account_id, org.org_id, policy_id)
        if tags:
            put_tags(conn, arn, tags)
        return {"ResourcePolicy": _view(conn, org, data.resource_policy(conn, org.org_id))}


@operation(OPERATIONS, "DescribeResourcePolicy")
def describe_resource_policy(call: Call) -> Mapping[str, Any]:
    with call.store.read() as conn:
        org = administrator(call, conn)
        found = data.resource_policy(conn, org.org_id)
        arn = arns.org_resource_policy(org.management_account_id, org.org_id, found.policy_id) if found else "*"
        authorize(call, "DescribeResourcePolicy", arn)
        if found is None:
            raise orgs_errors.ResourcePolicyNotFound()
        return {"ResourcePolicy": _view(conn, org, found)}


@operation(OPERATIONS, "DeleteResourcePolicy")
def delete_resource_policy(call: Call) -> Mapping[str, Any]:
    authorize(call, "DeleteResourcePolicy")
    r = schema.org_resource_policies
    with call.store.write() as conn:
        org = management(call, conn)
        found = data.resource_policy(conn, org.org_id)
        if found is None:
            raise orgs_errors.ResourcePolicyNotFound()
        drop_all_tags(conn, arns.org_resource_policy(org.management_account_id, org.org_id, found.policy_id))
        conn.execute(delete(r).where(r.c.org_id == org.org_id))
    return {}
