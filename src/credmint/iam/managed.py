"""AWS managed policies: ``arn:aws:iam::aws:policy/...``, present in every account.

They ship as data (``data/aws_managed_policies.json``, provenance in
``data/SOURCE.md``): the real documents, policy ids, default version ids and dates
as AWS serves them. The file is a read-only *virtual table*, merged into lookups by
:mod:`credmint.iam.policies`, rather than rows copied into ``managed_policies``:

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

from credmint.iam.documents import canonical

#: The pseudo account of AWS managed policies, as in their ARNs.
AWS_ACCOUNT = "aws"
AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"


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
        arn=f"{AWS_POLICY_PREFIX}{path[1:]}{name}",
        name=name,
        policy_id=entry["PolicyId"],
        path=path,
        description=entry.get("Description"),
        create_date=datetime.fromisoformat(entry["CreateDate"]),
        update_date=datetime.fromisoformat(entry["UpdateDate"]),
        default_version_id=entry["DefaultVersionId"],
        document=canonical(entry["Document"]),
    )


@cache
def aws_policies() -> dict[str, AwsPolicy]:
    """Every shipped AWS managed policy by ARN (read once per process)."""
    text = resources.files("credmint.iam").joinpath("data", "aws_managed_policies.json").read_text("utf-8")
    data = json.loads(text)
    policies = (_parse(e) for e in data["policies"])
    return {p.arn: p for p in sorted(policies, key=lambda p: p.name.lower())}


def is_aws_policy_arn(arn: str) -> bool:
    return arn.startswith(AWS_POLICY_PREFIX)


def aws_policy(arn: str) -> AwsPolicy | None:
    return aws_policies().get(arn)
