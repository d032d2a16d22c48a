"""IAM: GetAccountAuthorizationDetails, the whole account's IAM configuration in one list.

Security tools (Prowler, PMapper, CloudMapper) call it first, so it reports what the
per-entity operations report, from the same tables, in one snapshot.

Pagination. AWS's marker is opaque and spans the four result lists, so one offset
runs over them concatenated in a fixed order: users, groups, roles, then managed
policies, each sorted by name as the List* operations sort them. ``MaxItems`` counts
entries of any kind, which is what boto3's paginator (result keys
``UserDetailList``, ``GroupDetailList``, ``RoleDetailList``, ``Policies``) expects.
Only the entries of the requested page are expanded into their details.

AWS managed policies are reported only when they are attached to a user, group or
role of the account (unconfirmed: the API reference does not say which ones appear;
the whole catalogue would say nothing about the account, and one used only as a
permissions boundary is left out as well).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from sqlalchemy import Connection, Row, select

from credmint.api import Call, operation
from credmint.iam.common import account_of, authorize, paginate
from credmint.iam.groups import group_view
from credmint.iam.inline_policies import inline_rows
from credmint.iam.instance_profiles import profile_view, profiles_of_role
from credmint.iam.managed_policies import attachment_counts, boundary_counts, policy_view
from credmint.iam.ops import OPERATIONS
from credmint.iam.policy_attachments import attached_policy_arns
from credmint.iam.policy_versions import version_number
from credmint.iam.roles import role_view
from credmint.iam.users import user_view
from credmint.store import managed_policies as managed
from credmint.store import schema
from credmint.store.managed_policies import ManagedPolicy, find_policy, from_aws_policy, from_policy_row

Kind = Literal["User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy"]

#: Every filter value, in the order the entries are listed (and paginated).
ALL_KINDS: tuple[Kind, ...] = ("User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy")

#: An entry before expansion: its kind and its row (or the managed policy).
Entry = tuple[Kind, Any]


def _collect(conn: Connection, account_id: str, kinds: set[Kind]) -> list[Entry]:
    entries: list[Entry] = []
    for kind, table in (("User", schema.users), ("Group", schema.groups), ("Role", schema.roles)):
        if kind in kinds:
            rows = conn.execute(select(table).where(table.c.account_id == account_id).order_by(table.c.name_key))
            entries.extend((kind, row) for row in rows)
    found: list[tuple[Kind, ManagedPolicy]] = []
    if "LocalManagedPolicy" in kinds:
        mp = schema.managed_policies
        rows = conn.execute(select(mp).where(mp.c.account_id == account_id))
        found.extend(("LocalManagedPolicy", from_policy_row(r)) for r in rows)
    if "AWSManagedPolicy" in kinds:
        attached = attachment_counts(conn, account_id)
        aws = [p for p in managed.aws_policies().values() if attached.get(p.arn, 0) > 0]
        found.extend(("AWSManagedPolicy", from_aws_policy(p)) for p in aws)
    # Customer and AWS managed policies share one list in the output, sorted together.
    found.sort(key=lambda e: (e[1].name.lower(), e[1].arn))
    entries.extend(found)
    return entries


def _inline(conn: Connection, entity_id: str) -> list[dict[str, Any]]:
    return [{"PolicyName": r.name, "PolicyDocument": r.document} for r in inline_rows(conn, entity_id)]


def _attached(conn: Connection, account_id: str, entity_id: str) -> list[dict[str, str]]:
    found = [p for p in (find_policy(conn, account_id, a) for a in attached_policy_arns(conn, entity_id)) if p]
    found.sort(key=lambda p: p.name.lower())
    return [{"PolicyName": p.name, "PolicyArn": p.arn} for p in found]


# Each detail starts from the view GetUser / GetGroup / GetRole answer with; the detail
# shapes render only their own members, so what those views add beyond them is not sent.


def _user_detail(conn: Connection, row: Row[Any]) -> dict[str, Any]:
    g, gm = schema.groups, schema.group_members
    groups = conn.execute(
        select(g.c.name)
        .join(gm, gm.c.group_id == g.c.group_id)
        .where(gm.c.user_id == row.user_id)
        .order_by(g.c.name_key)
    ).scalars()
    return {
        **user_view(conn, row, full=True),
        "UserPolicyList": _inline(conn, row.user_id),
        "GroupList": list(groups),
        "AttachedManagedPolicies": _attached(conn, row.account_id, row.user_id),
    }


def _group_detail(conn: Connection, row: Row[Any]) -> dict[str, Any]:
    return {
        **group_view(row),
        "GroupPolicyList": _inline(conn, row.group_id),
        "AttachedManagedPolicies": _attached(conn, row.account_id, row.group_id),
    }


def _role_detail(conn: Connection, row: Row[Any]) -> dict[str, Any]:
    return {
        **role_view(conn, row, full=True),
        "InstanceProfileList": [profile_view(conn, p, with_tags=False) for p in profiles_of_role(conn, row.role_id)],
        "RolePolicyList": _inline(conn, row.role_id),
        "AttachedManagedPolicies": _attached(conn, row.account_id, row.role_id),
    }


def _versions(conn: Connection, p: ManagedPolicy) -> list[dict[str, Any]]:
    if p.is_aws:
        # Only the default version of an AWS managed policy is shipped (store/managed_policies.py).
        aws = managed.aws_policy(p.arn)
        document = aws.document if aws is not None else None
        return [
            {
                "Document": document,
                "VersionId": p.default_version_id,
                "IsDefaultVersion": True,
                "CreateDate": p.update_date,
            }
        ]
    pv = schema.policy_versions
    rows = conn.execute(select(pv).where(pv.c.policy_arn == p.arn)).all()
    # Newest first, as ListPolicyVersions lists them.
    rows = sorted(rows, key=lambda r: version_number(r.version_id), reverse=True)
    return [
        {
            "Document": r.document,
            "VersionId": r.version_id,
            "IsDefaultVersion": r.version_id == p.default_version_id,
            "CreateDate": r.created_at,
        }
        for r in rows
    ]


def _policy_detail(
    conn: Connection, p: ManagedPolicy, attachments: Mapping[str, int], boundaries: Mapping[str, int]
) -> dict[str, Any]:
    out = policy_view(p, attachments.get(p.arn, 0), boundaries.get(p.arn, 0), full=False)
    if p.description:
        out["Description"] = p.description
    out["PolicyVersionList"] = _versions(conn, p)
    return out


def _filter(params: Mapping[str, Any]) -> set[Kind]:
    given: Sequence[str] = params.get("Filter") or []
    # No filter (or an empty one) means everything, as in AWS.
    return {k for k in ALL_KINDS if k in given} if given else set(ALL_KINDS)


@operation(OPERATIONS, "GetAccountAuthorizationDetails")
def get_account_authorization_details(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    # No resource-level permissions (Service Authorization Reference).
    authorize(call, "iam:GetAccountAuthorizationDetails", "*")
    kinds = _filter(call.params)
    out: dict[str, Any] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    with call.store.read() as conn:
        page, more = paginate(_collect(conn, account_id, kinds), call.params)
        attachments = attachment_counts(conn, account_id)
        boundaries = boundary_counts(conn, account_id)
        for kind, item in page:
            if kind == "User":
                out["UserDetailList"].append(_user_detail(conn, item))
            elif kind == "Group":
                out["GroupDetailList"].append(_group_detail(conn, item))
            elif kind == "Role":
                out["RoleDetailList"].append(_role_detail(conn, item))
            else:
                out["Policies"].append(_policy_detail(conn, item, attachments, boundaries))
    return {**out, **more}
