"""IAM: versions of customer managed policies (Create/Get/List/Delete PolicyVersion,
SetDefaultPolicyVersion). AWS managed policies serve their default version only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from credmint.api import Call, operation
from credmint.iam import documents
from credmint.iam import errors as iam_errors
from credmint.iam.common import (
    paginate,
)
from credmint.iam.managed_policies import (
    authorized_policy,
    refuse_aws,
)
from credmint.iam.ops import OPERATIONS
from credmint.store import managed_policies as managed
from credmint.store import schema

#: Versions a customer managed policy keeps.
MAX_VERSIONS = 5


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
        p = authorized_policy(call, conn, "iam:CreatePolicyVersion", arn)
        refuse_aws(call, "iam:CreatePolicyVersion", p)
        count = conn.execute(select(func.count()).select_from(pv).where(pv.c.policy_arn == arn)).scalar_one()
        if count >= MAX_VERSIONS:
            raise iam_errors.LimitExceeded.policy_versions()
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
        p = authorized_policy(call, conn, "iam:GetPolicyVersion", arn)
        if p.is_aws:
            aws = managed.aws_policy(arn)
            if aws is None or version_id != aws.default_version_id:
                raise iam_errors.NoSuchEntity.policy_version(arn, version_id)
            return {"PolicyVersion": _version_view(version_id, aws.update_date, True, aws.document)}
        row = conn.execute(select(pv).where(pv.c.policy_arn == arn, pv.c.version_id == version_id)).first()
    if row is None:
        raise iam_errors.NoSuchEntity.policy_version(arn, version_id)
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
        p = authorized_policy(call, conn, "iam:ListPolicyVersions", arn)
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
        p = authorized_policy(call, conn, "iam:SetDefaultPolicyVersion", arn)
        refuse_aws(call, "iam:SetDefaultPolicyVersion", p)
        found = conn.execute(select(pv.c.version_id).where(pv.c.policy_arn == arn, pv.c.version_id == version_id))
        if found.first() is None:
            raise iam_errors.NoSuchEntity.policy_version(arn, version_id)
        conn.execute(update(mp).where(mp.c.arn == arn).values(default_version_id=version_id))
    return None


@operation(OPERATIONS, "DeletePolicyVersion")
def delete_policy_version(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["PolicyArn"]
    version_id: str = call.params["VersionId"]
    pv = schema.policy_versions
    with call.store.write() as conn:
        p = authorized_policy(call, conn, "iam:DeletePolicyVersion", arn)
        refuse_aws(call, "iam:DeletePolicyVersion", p)
        if version_id == p.default_version_id:
            raise iam_errors.DeleteConflict.default_policy_version()
        done = conn.execute(delete(pv).where(pv.c.policy_arn == arn, pv.c.version_id == version_id))
        if done.rowcount == 0:
            raise iam_errors.NoSuchEntity.policy_version(arn, version_id)
    return None
