"""IAM's access advisor: service last accessed reports and the policies granting a service.

Theory of operation. ``Runtime.authorize`` notes every attempt by a user, a role or the
root user (``store.last_accessed``); the rows say which entity last attempted which action,
when and from which region. A report combines them with what the subject's permissions
policies allow, as AWS describes it: "For each service that the resource could access
using permissions policies, the operation returns details about the most recent access
attempt. If there was no attempt, the service is listed without details" (IAM API
reference, GetServiceLastAccessedDetails). Only identity-based permissions policies
count (AWS: not boundaries, SCPs or resource policies).

* a user's report covers its own policies and its groups' and its own attempts;
* a role's, its policies and its sessions' attempts;
* a group's, the group's policies and its members' attempts;
* a managed policy's, that policy and the attempts of every user and role it is attached
  to (directly or through a group).

Which services a policy "allows" is decided per statement: an ``Allow`` whose ``Action``
glob covers ``<service>:<something>``, or whose ``NotAction`` does not exclude the whole
service. The services considered are the ones credmint serves (it records nothing for
others) plus any service an ``Allow`` names explicitly (``ec2:*``), which is then listed
without access; AWS would list every AWS service for ``"Action": "*"``, credmint lists
the ones it can have data for.

Reports are computed when generated (credmint's data is local: no job waits), stored as
JSON with the job and kept for :data:`REPORT_RETENTION` (AWS documents no retention; a
bound keeps the table from growing without end), at most :data:`MAX_REPORTS_PER_ACCOUNT`
per account.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from credmint import arns
from credmint.access import condition_keys
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize, paginate
from credmint.iam.ops import OPERATIONS
from credmint.orgs import data, model
from credmint.policy.matching import glob_matcher
from credmint.store import schema

#: A report older than this is gone (NoSuchEntity), and is deleted when a new one is made.
REPORT_RETENTION = timedelta(days=7)
#: At most this many reports are kept per account; the oldest go first.
MAX_REPORTS_PER_ACCOUNT = 200

#: The services credmint serves, with the names AWS's access advisor gives them.
SERVICE_NAMES: Mapping[str, str] = {
    "iam": "AWS Identity and Access Management",
    "organizations": "AWS Organizations",
    "s3": "Amazon S3",
    "sts": "AWS Security Token Service",
}
#: Services whose report lists actions (``TrackedActionsLastAccessed``) at ACTION_LEVEL
#: granularity, among those credmint serves (AWS tracks actions for IAM and S3, among
#: others; not for STS or Organizations).
ACTION_TRACKED = frozenset({"iam", "s3"})


# --- what a policy allows -------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def allowed_services(document: str, candidates: Iterable[str]) -> set[str]:
    """The service namespaces (lower-case) among ``candidates`` and those named explicitly
    that an ``Allow`` statement of ``document`` grants some action of."""
    try:
        doc = json.loads(document)
    except ValueError:
        return set()
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    found: set[str] = set()
    pool = {c.lower() for c in candidates}
    for st in _as_list(statements):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        if "Action" in st:
            for pattern in _as_list(st["Action"]):
                if not isinstance(pattern, str):
                    continue
                if pattern == "*":
                    found |= pool
                    continue
                service, sep, _ = pattern.lower().partition(":")
                if not sep:
                    continue
                if "*" in service or "?" in service:
                    glob = glob_matcher(service)
                    found |= {c for c in pool if glob(c)}
                else:
                    found.add(service)
        elif "NotAction" in st:
            excluded = [p.lower() for p in _as_list(st["NotAction"]) if isinstance(p, str)]
            for c in pool:
                # The service is left out only when a NotAction covers all of it.
                if not any(_covers_service(p, c) for p in excluded):
                    found.add(c)
    return found


def _covers_service(pattern: str, service: str) -> bool:
    """Whether an action glob matches every action of ``service`` (``*``, ``s3:*``, ``s*:*``)."""
    if pattern == "*":
        return True
    head, sep, tail = pattern.partition(":")
    return bool(sep) and tail == "*" and glob_matcher(head)(service)


def allowed_actions(document: str, service: str, actions: Iterable[str]) -> list[str]:
    """The actions (``Service:Action`` names) of ``service`` that an ``Allow`` of ``document`` grants."""
    try:
        doc = json.loads(document)
    except ValueError:
        return []
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    out: set[str] = set()
    names = [f"{service}:{a}" for a in actions]
    for st in _as_list(statements):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        if "Action" in st:
            globs = [glob_matcher(p, fold_case=True) for p in _as_list(st["Action"]) if isinstance(p, str)]
            out |= {n for n in names if any(g(n.lower()) for g in globs)}
        elif "NotAction" in st:
            globs = [glob_matcher(p, fold_case=True) for p in _as_list(st["NotAction"]) if isinstance(p, str)]
            out |= {n for n in names if not any(g(n.lower()) for g in globs)}
    return sorted(out)


# --- subjects ---------------------------------------------------------------------------


@dataclass
class Entity:
    entity_id: str
    arn: str
    name: str
    kind: str  # USER, ROLE or GROUP
    path: str


@dataclass
class Subject:
    """What a report is about: the policies that count and the entities whose attempts count."""

    kind: str  # user, role, group or policy
    arn: str
    #: (policy name, policy type, policy ARN or None, owner entity type or None, owner name or None, document)
    policies: list[tuple[str, str, str | None, str | None, str | None, str]] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)


def _managed_documents(conn: Connection, arns: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Managed policy ARN -> (name, default version's document)."""
    if not arns:
        return {}
    mp, pv = schema.managed_policies, schema.policy_versions
    rows = conn.execute(
        select(mp.c.arn, mp.c.name, pv.c.document)
        .join(pv, (pv.c.policy_arn == mp.c.arn) & (pv.c.version_id == mp.c.default_version_id))
        .where(mp.c.arn.in_(list(arns)))
    ).all()
    return {r.arn: (r.name, r.document) for r in rows}


def _policies_of(conn: Connection, entity_id: str, entity_type: str, owner_name: str) -> list[Any]:
    """The inline and attached managed policies of one user, group or role."""
    ip, pa = schema.inline_policies, schema.policy_attachments
    out: list[tuple[str, str, str | None, str | None, str | None, str]] = []
    for name, document in conn.execute(
        select(ip.c.name, ip.c.document).where(ip.c.entity_id == entity_id).order_by(ip.c.name_key)
    ).all():
        out.append((name, "INLINE", None, entity_type, owner_name, document))
    arns = list(conn.execute(select(pa.c.policy_arn).where(pa.c.entity_id == entity_id)).scalars())
    managed = _managed_documents(conn, arns)
    for arn in sorted(managed):
        name, document = managed[arn]
        out.append((name, "MANAGED", arn, None, None, document))
    return out


def _entity(row: Any, id_col: str, kind: str) -> Entity:
    return Entity(getattr(row, id_col), row.arn, row.name, kind, row.path)


def _user_groups(conn: Connection, user_id: str) -> list[Any]:
    g, gm = schema.groups, schema.group_members
    return list(conn.execute(select(g).join(gm, gm.c.group_id == g.c.group_id).where(gm.c.user_id == user_id)).all())


def resolve_subject(conn: Connection, account_id: str, arn: str, *, allow_policy: bool = True) -> Subject:
    """The user, group, role or managed policy ``arn`` names, in ``account_id``."""
    prefix = "arn:aws:iam::"
    if not arn.startswith(prefix) or arn.count(":") < 5:
        raise iam_errors.InvalidInput.arn(arn)
    owner, _, resource = arn[len(prefix) :].partition(":")
    kind = resource.partition("/")[0]
    if kind not in ("user", "role", "group", "policy") or (kind == "policy" and not allow_policy):
        raise iam_errors.InvalidInput.arn(arn)
    if owner != account_id and not (kind == "policy" and owner == "aws"):
        raise iam_errors.NoSuchEntity.entity_arn(arn)
    u, r, g = schema.users, schema.roles, schema.groups
    subject = Subject(kind, arn)
    if kind == "user":
        row = conn.execute(select(u).where(u.c.account_id == account_id, u.c.arn == arn)).first()
        if row is None:
            raise iam_errors.NoSuchEntity.user_arn(arn)
        subject.entities = [_entity(row, "user_id", "USER")]
        subject.policies = _policies_of(conn, row.user_id, "USER", row.name)
        for group in _user_groups(conn, row.user_id):
            subject.policies += _policies_of(conn, group.group_id, "GROUP", group.name)
    elif kind == "role":
        row = conn.execute(select(r).where(r.c.account_id == account_id, r.c.arn == arn)).first()
        if row is None:
            raise iam_errors.NoSuchEntity.role_arn(arn)
        subject.entities = [_entity(row, "role_id", "ROLE")]
        subject.policies = _policies_of(conn, row.role_id, "ROLE", row.name)
    elif kind == "group":
        row = conn.execute(select(g).where(g.c.account_id == account_id, g.c.arn == arn)).first()
        if row is None:
            raise iam_errors.NoSuchEntity.group_arn(arn)
        gm = schema.group_members
        members = conn.execute(
            select(u).join(gm, gm.c.user_id == u.c.user_id).where(gm.c.group_id == row.group_id).order_by(u.c.name_key)
        ).all()
        subject.entities = [_entity(m, "user_id", "USER") for m in members]
        subject.policies = _policies_of(conn, row.group_id, "GROUP", row.name)
    else:
        found = _managed_documents(conn, [arn])
        mp = schema.managed_policies
        owned = conn.execute(select(mp.c.account_id).where(mp.c.arn == arn)).scalar_one_or_none()
        if arn not in found or owned not in (account_id, "aws"):
            raise iam_errors.NoSuchEntity.policy_not_attachable(arn)
        name, document = found[arn]
        subject.policies = [(name, "MANAGED", arn, None, None, document)]
        pa = schema.policy_attachments
        attached = conn.execute(
            select(pa.c.entity_id, pa.c.entity_type).where(pa.c.policy_arn == arn, pa.c.account_id == account_id)
        ).all()
        users = {a.entity_id for a in attached if a.entity_type == "user"}
        groups = [a.entity_id for a in attached if a.entity_type == "group"]
        roles = [a.entity_id for a in attached if a.entity_type == "role"]
        if groups:
            gm = schema.group_members
            users |= set(conn.execute(select(gm.c.user_id).where(gm.c.group_id.in_(groups))).scalars())
        if users:
            subject.entities += [
                _entity(x, "user_id", "USER")
                for x in conn.execute(select(u).where(u.c.user_id.in_(users)).order_by(u.c.name_key)).all()
            ]
        if roles:
            subject.entities += [
                _entity(x, "role_id", "ROLE")
                for x in conn.execute(select(r).where(r.c.role_id.in_(roles)).order_by(r.c.name_key)).all()
            ]
    return subject


# --- reports ------------------------------------------------------------------------------


def _utc(at: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; every stored one is UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _iso(at: datetime | None) -> str | None:
    return _utc(at).isoformat() if at is not None else None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _reference_actions(service: str) -> list[str]:
    svc = condition_keys.reference()["services"].get(service, {})
    return sorted(svc.get("actions", {}))


def service_report(conn: Connection, account_id: str, subject: Subject, granularity: str) -> dict[str, Any]:
    """The report's body: per allowed service, the latest attempt among the subject's entities."""
    services: set[str] = set()
    for *_, document in subject.policies:
        services |= allowed_services(document, SERVICE_NAMES)
    ids = [e.entity_id for e in subject.entities]
    sla = schema.service_last_accessed
    rows = (
        conn.execute(
            select(sla).where(sla.c.account_id == account_id, sla.c.entity_id.in_(ids), sla.c.service.in_(services))
        ).all()
        if ids and services
        else []
    )
    by_service: dict[str, list[Any]] = {}
    for row in rows:
        by_service.setdefault(row.service, []).append(row)
    out: list[dict[str, Any]] = []
    for service in sorted(services):
        entry: dict[str, Any] = {"ServiceName": SERVICE_NAMES.get(service, service), "ServiceNamespace": service}
        used = by_service.get(service, [])
        per_entity: dict[str, datetime] = {}
        for row in used:
            if row.entity_id not in per_entity or per_entity[row.entity_id] < row.last_at:
                per_entity[row.entity_id] = row.last_at
        if used:
            latest = max(used, key=lambda x: x.last_at)
            entry.update(
                LastAuthenticated=_iso(latest.last_at),
                LastAuthenticatedEntity=latest.entity_arn,
                LastAuthenticatedRegion=latest.region,
            )
        entry["TotalAuthenticatedEntities"] = len(per_entity)
        entry["_entities"] = {k: _iso(v) for k, v in per_entity.items()}
        if granularity == "ACTION_LEVEL" and service in ACTION_TRACKED:
            granted: set[str] = set()
            for *_, document in subject.policies:
                granted |= set(allowed_actions(document, service, _reference_actions(service)))
            tracked = []
            for name in sorted(granted):
                short = name.partition(":")[2]
                action: dict[str, Any] = {"ActionName": short}
                hits = [x for x in used if x.action == name.lower()]
                if hits:
                    best = max(hits, key=lambda x: x.last_at)
                    action.update(
                        LastAccessedEntity=best.entity_arn,
                        LastAccessedTime=_iso(best.last_at),
                        LastAccessedRegion=best.region,
                    )
                tracked.append(action)
            entry["TrackedActionsLastAccessed"] = tracked
        out.append(entry)
    return {
        "services": out,
        "entities": [e.__dict__ for e in subject.entities],
    }


def _store_job(conn: Connection, call: Call, kind: str, subject: str, granularity: str | None, report: Any) -> str:
    account_id = account_of(call)
    ar = schema.access_reports
    # Bounded: expired reports go, then the oldest past the per-account limit.
    conn.execute(delete(ar).where(ar.c.account_id == account_id, ar.c.created_at < call.now - REPORT_RETENTION))
    count = conn.execute(select(func.count()).select_from(ar).where(ar.c.account_id == account_id)).scalar_one()
    if count >= MAX_REPORTS_PER_ACCOUNT:
        oldest = list(
            conn.execute(
                select(ar.c.job_id)
                .where(ar.c.account_id == account_id)
                .order_by(ar.c.created_at)
                .limit(count - MAX_REPORTS_PER_ACCOUNT + 1)
            ).scalars()
        )
        conn.execute(delete(ar).where(ar.c.job_id.in_(oldest)))
    job_id = str(uuid.uuid4())
    conn.execute(
        insert(ar).values(
            job_id=job_id,
            account_id=account_id,
            kind=kind,
            subject=subject,
            granularity=granularity,
            created_at=call.now,
            completed_at=call.now,
            report=json.dumps(report, separators=(",", ":")),
        )
    )
    return job_id


def _job(call: Call, kind: str) -> Any:
    ar = schema.access_reports
    with call.store.read() as conn:
        row = conn.execute(
            select(ar).where(
                ar.c.job_id == call.params["JobId"], ar.c.account_id == account_of(call), ar.c.kind == kind
            )
        ).first()
    if row is None or _utc(row.created_at) < call.now - REPORT_RETENTION:
        # Wording unconfirmed.
        raise iam_errors.NoSuchEntity.job(call.params["JobId"])
    return row


def _flush(call: Call) -> None:
    call.last_accessed.flush(call.store)


@operation(OPERATIONS, "GenerateServiceLastAccessedDetails")
def generate_service_last_accessed_details(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    arn: str = call.params["Arn"]
    granularity: str = call.params.get("Granularity") or "SERVICE_LEVEL"
    authorize(call, "iam:GenerateServiceLastAccessedDetails", arn)
    _flush(call)
    with call.store.write() as conn:
        subject = resolve_subject(conn, account_id, arn)
        report = service_report(conn, account_id, subject, granularity)
        job_id = _store_job(conn, call, "service", arn, granularity, report)
    return {"JobId": job_id}


def _job_head(row: Any) -> dict[str, Any]:
    return {
        "JobStatus": "COMPLETED",
        "JobCreationDate": _utc(row.created_at),
        "JobCompletionDate": _utc(row.completed_at),
    }


def _rendered_service(entry: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in entry.items() if not k.startswith("_")}
    if "LastAuthenticated" in out:
        out["LastAuthenticated"] = _when(out["LastAuthenticated"])
    if "TrackedActionsLastAccessed" in out:
        out["TrackedActionsLastAccessed"] = [
            {**a, "LastAccessedTime": _when(a["LastAccessedTime"])} if "LastAccessedTime" in a else a
            for a in out["TrackedActionsLastAccessed"]
        ]
    return out


@operation(OPERATIONS, "GetServiceLastAccessedDetails")
def get_service_last_accessed_details(call: Call) -> Mapping[str, Any] | None:
    authorize(call, "iam:GetServiceLastAccessedDetails", "*")
    row = _job(call, "service")
    report = json.loads(row.report)
    page, more = paginate([_rendered_service(s) for s in report["services"]], call.params)
    return {**_job_head(row), "JobType": row.granularity, "ServicesLastAccessed": page, **more}


@operation(OPERATIONS, "GetServiceLastAccessedDetailsWithEntities")
def get_service_last_accessed_details_with_entities(call: Call) -> Mapping[str, Any] | None:
    authorize(call, "iam:GetServiceLastAccessedDetailsWithEntities", "*")
    row = _job(call, "service")
    report = json.loads(row.report)
    namespace = call.params["ServiceNamespace"].lower()
    service = next((s for s in report["services"] if s["ServiceNamespace"] == namespace), None)
    details: list[dict[str, Any]] = []
    if service is not None:
        seen: Mapping[str, str] = service["_entities"]
        for e in report["entities"]:
            info = {"Arn": e["arn"], "Name": e["name"], "Type": e["kind"], "Id": e["entity_id"], "Path": e["path"]}
            item: dict[str, Any] = {"EntityInfo": info}
            if e["entity_id"] in seen:
                item["LastAuthenticated"] = _when(seen[e["entity_id"]])
            details.append(item)
    # AWS: "sorted by date, with the most recent access listed first"; never-used last.
    details.sort(key=lambda d: d.get("LastAuthenticated") or datetime.min.replace(tzinfo=UTC), reverse=True)
    page, more = paginate(details, call.params)
    return {**_job_head(row), "EntityDetailsList": page, **more}


@operation(OPERATIONS, "ListPoliciesGrantingServiceAccess")
def list_policies_granting_service_access(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    arn: str = call.params["Arn"]
    authorize(call, "iam:ListPoliciesGrantingServiceAccess", arn)
    namespaces: list[str] = call.params["ServiceNamespaces"]
    with call.store.read() as conn:
        subject = resolve_subject(conn, account_id, arn, allow_policy=False)
    entries = []
    for ns in namespaces:
        granted = []
        for name, ptype, parn, etype, ename, document in subject.policies:
            if ns.lower() not in allowed_services(document, [ns]):
                continue
            item: dict[str, Any] = {"PolicyName": name, "PolicyType": ptype}
            if parn is not None:
                item["PolicyArn"] = parn
            if etype is not None:
                item.update(EntityType=etype, EntityName=ename)
            granted.append(item)
        entries.append({"ServiceNamespace": ns, "Policies": granted})
    return {"PoliciesGrantingServiceAccess": entries, "IsTruncated": False}


# --- Organizations access reports ------------------------------------------------------------


def _org_target(conn: Connection, account_id: str, path: str) -> tuple[Any, list[str], str]:
    """The organization, the accounts under ``path``'s last entity and the path's target."""
    org = data.org_of_account(conn, account_id)
    if org is None or org.management_account_id != account_id:
        # AWS: "you must be signed in to the management account"; its error for anyone else
        # is not in the model, so the answer is AccessDenied's kin, InvalidInput (unconfirmed).
        raise iam_errors.InvalidInput.not_management_account()
    parts = [p for p in path.split("/") if p]
    if len(parts) < 2 or parts[0] != org.org_id or parts[1] != org.root_id:
        raise iam_errors.InvalidInput.entity_path(path)
    oa = schema.org_accounts
    placed = {r.account_id: r.parent_id for r in conn.execute(select(oa).where(oa.c.org_id == org.org_id)).all()}
    # Each step must be a child of the one before it.
    for parent, child in itertools.pairwise(parts[1:]):
        if child.startswith("ou-"):
            row = data.ou_row(conn, org.org_id, child)
            if row is None or row.parent_id != parent:
                raise iam_errors.InvalidInput.entity_path(path)
        elif placed.get(child) != parent:
            raise iam_errors.InvalidInput.entity_path(path)
    target = parts[-1]
    if target in placed:
        return org, [target], target
    accounts = [a for a, parent in placed.items() if target in data.ancestors(conn, org, parent)]
    return org, sorted(accounts), target


def _org_path(conn: Connection, org: Any, account_id: str) -> str:
    parent = data.account_parent(conn, account_id) or org.root_id
    return data.path_of(org, data.ancestors(conn, org, parent)) + account_id


def _scp_services(conn: Connection, org: Any, target: str) -> set[str]:
    """The services the SCPs on the way from the root to ``target`` allow: an SCP must allow
    at every level (root, each OU, the account), so the levels' sets intersect."""
    parent = data.account_parent(conn, target) if target.isdigit() else target
    levels = data.ancestors(conn, org, parent or org.root_id)
    if target.isdigit():
        levels.append(target)
    if model.SCP not in data.enabled_policy_types(conn, org.org_id):
        return set(SERVICE_NAMES)
    by_level: dict[str, list[str]] = {}
    for level, pid, ptype in data.attached(conn, levels):
        if ptype == model.SCP:
            by_level.setdefault(level, []).append(pid)
    contents = data.policy_content(conn, [pid for pids in by_level.values() for pid in pids])
    services = set(SERVICE_NAMES)
    for level in levels:
        allowed: set[str] = set()
        for pid in by_level.get(level, []):
            allowed |= allowed_services(contents.get(pid, "{}"), SERVICE_NAMES)
        services &= allowed
    return services


@operation(OPERATIONS, "GenerateOrganizationsAccessReport")
def generate_organizations_access_report(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    path: str = call.params["EntityPath"]
    policy_id: str | None = call.params.get("OrganizationsPolicyId")
    authorize(call, "iam:GenerateOrganizationsAccessReport", arns.access_report(account_id, path))
    _flush(call)
    with call.store.write() as conn:
        org, accounts, target = _org_target(conn, account_id, path)
        if policy_id is not None:
            contents = data.policy_content(conn, [policy_id])
            if policy_id not in contents:
                raise iam_errors.NoSuchEntity.policy_id(policy_id)
            services = allowed_services(contents[policy_id], SERVICE_NAMES)
        else:
            services = _scp_services(conn, org, target)
        sla = schema.service_last_accessed
        rows = (
            conn.execute(select(sla).where(sla.c.account_id.in_(accounts), sla.c.service.in_(services))).all()
            if accounts and services
            else []
        )
        details = []
        for service in sorted(services):
            used = [r for r in rows if r.service == service]
            entry: dict[str, Any] = {"ServiceName": SERVICE_NAMES.get(service, service), "ServiceNamespace": service}
            if used:
                latest = max(used, key=lambda x: x.last_at)
                entry.update(
                    Region=latest.region,
                    EntityPath=_org_path(conn, org, latest.account_id),
                    LastAuthenticatedTime=_iso(latest.last_at),
                    # AWS: the number of accounts whose principals attempted the service.
                    TotalAuthenticatedEntities=len({r.account_id for r in used}),
                )
            details.append(entry)
        job_id = _store_job(conn, call, "organizations", path, None, {"details": details})
    return {"JobId": job_id}


_ORG_SORTS: Mapping[str, tuple[str, bool]] = {
    "SERVICE_NAMESPACE_ASCENDING": ("ServiceNamespace", False),
    "SERVICE_NAMESPACE_DESCENDING": ("ServiceNamespace", True),
    "LAST_AUTHENTICATED_TIME_ASCENDING": ("LastAuthenticatedTime", False),
    "LAST_AUTHENTICATED_TIME_DESCENDING": ("LastAuthenticatedTime", True),
}


@operation(OPERATIONS, "GetOrganizationsAccessReport")
def get_organizations_access_report(call: Call) -> Mapping[str, Any] | None:
    authorize(call, "iam:GetOrganizationsAccessReport", "*")
    row = _job(call, "organizations")
    details: list[dict[str, Any]] = json.loads(row.report)["details"]
    field_name, reverse = _ORG_SORTS[call.params.get("SortKey") or "SERVICE_NAMESPACE_ASCENDING"]
    details.sort(key=lambda d: d.get(field_name) or "", reverse=reverse)
    rendered = [
        {**d, "LastAuthenticatedTime": _when(d["LastAuthenticatedTime"])} if "LastAuthenticatedTime" in d else d
        for d in details
    ]
    accessed = sum(1 for d in details if "LastAuthenticatedTime" in d)
    page, more = paginate(rendered, call.params)
    return {
        **_job_head(row),
        "NumberOfServicesAccessible": len(details),
        "NumberOfServicesNotAccessed": len(details) - accessed,
        "AccessDetails": page,
        **more,
    }
