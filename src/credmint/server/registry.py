"""Operation tables by service: the Query layer looks operations up here."""

from __future__ import annotations

from credmint.api import Operation
from credmint.iam.service import OPERATIONS as IAM_OPERATIONS
from credmint.sts import (  # noqa: F401  (register AssumeRoot, DecodeAuthorizationMessage, AssumeRoleWith*,
    assume_root,  #             GetScopedCredentials, workload identity)
    decode,
    delegation,
    federation,
    scoped,
    workload_identity,
)
from credmint.sts.service import OPERATIONS as STS_OPERATIONS

OPERATIONS: dict[str, dict[str, Operation]] = {
    "sts": STS_OPERATIONS,
    "iam": IAM_OPERATIONS,
}
