"""Policy documents at the IAM API edge: validation by kind and size quotas.

Handlers return documents as stored text; the wire layer percent-encodes every
``policyDocumentType`` member as IAM does (aws-behavior.md §1.2).

The grammar and the per-kind rules live in :mod:`credmint.policy` (one parser for
the whole server, with AWS's ``MalformedPolicyDocument`` messages); this module is
the thin adapter the IAM operations call, plus the quotas of aws-behavior.md §7.5,
which depend on the IAM entity and so do not belong to the pure engine.

Order of checks, as IAM appears to apply them: the document must parse and obey
its kind's rules first, then its size (whitespace excluded) must fit the quota.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from credmint import policy
from credmint.errors import MalformedPolicyDocument
from credmint.iam import errors as iam_errors

EntityType = Literal["user", "group", "role"]

#: Aggregate inline-policy quota per entity, in non-whitespace characters (§7.5).
INLINE_QUOTA: dict[str, int] = {"user": 2048, "group": 5120, "role": 10240}
#: One managed policy version.
MANAGED_QUOTA = 6144
#: A role's trust policy (adjustable to 4096 in AWS; credmint keeps the default).
TRUST_QUOTA = 2048

#: IAM answers an unparsable trust policy with this text rather than the
#: "Syntax errors in policy." it uses for permission policies (observed: LocalStack
#: snapshot of CreateRole against AWS, test_create_role_with_malformed_assume_role_policy_document).
_TRUST_INVALID_JSON = "This policy contains invalid Json"


def validate_identity_policy(text: str) -> None:
    """An inline policy of a user, group or role (PutUserPolicy & co.)."""
    policy.validate_policy(text, "identity")


def validate_managed_policy(text: str) -> None:
    """A customer managed policy version: an identity policy that must say 2012-10-17."""
    policy.validate_policy(text, "identity", managed=True)


def validate_trust_policy(text: str) -> None:
    """A role's AssumeRolePolicyDocument."""
    try:
        policy.parse_policy(text)
    except MalformedPolicyDocument:
        raise iam_errors.MalformedPolicyDocument.trust_policy_not_json() from None
    policy.validate_policy(text, "trust")


def size(text: str) -> int:
    """Characters as IAM counts them for quotas: whitespace excluded."""
    return policy.policy_size(text)


def check_inline_quota(entity_type: EntityType, entity_name: str, documents: Iterable[str]) -> None:
    """The aggregate of all inline policies of one entity, after a put."""
    limit = INLINE_QUOTA[entity_type]
    if sum(size(d) for d in documents) > limit:
        # User and role texts observed; the group one follows the same pattern (unconfirmed).
        raise iam_errors.LimitExceeded.inline_policy_size(limit, entity_type, entity_name)


def check_managed_quota(text: str) -> None:
    if size(text) > MANAGED_QUOTA:
        raise iam_errors.LimitExceeded.quota("PolicySize", MANAGED_QUOTA)


def check_trust_quota(text: str) -> None:
    if size(text) > TRUST_QUOTA:
        raise iam_errors.LimitExceeded.quota("ACLSizePerRole", TRUST_QUOTA)
