"""Managed policies as lookups: AWS's (``arn:aws:iam::aws:policy/...``, present in every
account) and each account's own. Side-effect free; IAM's handlers, STS and the policy
source of :mod:`credmint.access` all read managed policies through here.

They ship as data (``data/aws_managed_policies.json``, provenance in
``data/SOURCE.md``): the real documents, policy ids, default version ids and dates
as AWS serves them. The file is a read-only *virtual table*, merged into lookups by
:func:`find_policy` and :func:`default_document`, rather than rows copied into
``managed_policies``:

* nothing has to run at ``serve`` start and no migration or seeding order matters;
* an upgrade of credmint that ships newer documents takes effect at once, as AWS's
  own updates do, with no stale copies in old databases;
* attachments are ordinary ``policy_attachments`` rows naming the ARN, so
  ``AttachmentCount`` (per account, as AWS reports it) is counted like any other
  policy's, and detaching works the same way.

Only each policy's default version is shipped: older versions of AWS managed
policies are not served (GetPolicyVersion for them answers NoSuchEntity).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Connection, Row, select

from credmint import arns
from credmint.store import schema


@dataclass(frozen=True, slots=True)
class AwsPolicy:
    arn: str
    name: str
    policy_id: str
    path: str
    description: str | None
    create_date: datetime
    update_date: datetime
    default_version_id: str
    #: The default version's document, as compact JSON text.
    document: str


def _parse(entry: dict[str, Any]) -> AwsPolicy:
    path = entry["Path"]
    name = entry["PolicyName"]
    return AwsPolicy(
        arn=arns.aws_managed_policy(path, name),
        name=name,
        policy_id=entry["PolicyId"],
        path=path,
        description=entry.get("Description"),
        create_date=datetime.fromisoformat(entry["CreateDate"]),
        update_date=datetime.fromisoformat(entry["UpdateDate"]),
        default_version_id=entry["DefaultVersionId"],
        document=_compact(entry["Document"]),
    )


def _compact(document: object) -> str:
    """Compact JSON text: the form credmint serves documents it holds as data in."""
    return json.dumps(document, separators=(",", ":"))


@cache
def aws_policies() -> dict[str, AwsPolicy]:
    """Every shipped AWS managed policy by ARN (read once per process)."""
    text = resources.files("credmint.store").joinpath("data", "aws_managed_policies.json").read_text("utf-8")
    data = json.loads(text)
    policies = (_parse(e) for e in data["policies"])
    return {p.arn: p for p in sorted(policies, key=lambda p: p.name.lower())}


def aws_policy(arn: str) -> AwsPolicy | None:
    return aws_policies().get(arn)


# --- lookups over both: AWS managed policies and the account's own ----------------------------


@dataclass(frozen=True)
class ManagedPolicy:
    arn: str
    name: str
    policy_id: str
    path: str
    description: str | None
    create_date: datetime
    update_date: datetime
    default_version_id: str
    is_aws: bool


def from_aws_policy(p: AwsPolicy) -> ManagedPolicy:
    return ManagedPolicy(
        p.arn,
        p.name,
        p.policy_id,
        p.path,
        p.description,
        p.create_date,
        p.update_date,
        p.default_version_id,
        True,
    )


def from_policy_row(row: Row[Any]) -> ManagedPolicy:
    return ManagedPolicy(
        row.arn,
        row.name,
        row.policy_id,
        row.path,
        row.description,
        row.created_at,
        row.updated_at,
        row.default_version_id,
        False,
    )


def find_policy(conn: Connection, account_id: str, arn: str) -> ManagedPolicy | None:
    """An AWS managed policy, or a customer managed policy of ``account_id``."""
    aws = aws_policy(arn)
    if aws is not None:
        return from_aws_policy(aws)
    mp = schema.managed_policies
    row = conn.execute(select(mp).where(mp.c.arn == arn, mp.c.account_id == account_id)).first()
    return from_policy_row(row) if row is not None else None


def managed_policy_exists(conn: Connection, account_id: str, arn: str) -> bool:
    return find_policy(conn, account_id, arn) is not None


def default_document(conn: Connection, arn: str) -> str | None:
    """The default version's document of any managed policy (for policy evaluation)."""
    aws = aws_policy(arn)
    if aws is not None:
        return aws.document
    mp, pv = schema.managed_policies, schema.policy_versions
    return conn.execute(
        select(pv.c.document)
        .select_from(pv.join(mp, mp.c.arn == pv.c.policy_arn))
        .where(mp.c.arn == arn, pv.c.version_id == mp.c.default_version_id)
    ).scalar_one_or_none()
