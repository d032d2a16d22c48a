"""Operation tables by service and protocol, assembled here, in one place.

Each service keeps its table beside its handlers (``OPERATIONS``, filled by the
``@operation`` decorator as its modules are imported); this module imports every
handler module of every service, so every table is complete once it is imported, and
the protocol paths look operations up here only: AWS Query (STS, IAM) in
:data:`OPERATIONS`, the AWS JSON protocol (Organizations, CloudTrail) in
:data:`JSON_OPERATIONS`. S3's table is its router's (``s3/handler.py``).
"""

from __future__ import annotations

from credmint.api import Operation
from credmint.cloudtrail.service import OPERATIONS as CLOUDTRAIL_OPERATIONS
from credmint.iam.service import OPERATIONS as IAM_OPERATIONS
from credmint.orgs.service import OPERATIONS as ORGANIZATIONS_OPERATIONS
from credmint.sts import (  # noqa: F401  (register AssumeRoot, DecodeAuthorizationMessage, AssumeRoleWith*,
    assume_root,  #             GetScopedCredentials)
    decode,
    federation,
    scoped,
)
from credmint.sts.service import OPERATIONS as STS_OPERATIONS

#: The AWS Query services.
OPERATIONS: dict[str, dict[str, Operation]] = {
    "sts": STS_OPERATIONS,
    "iam": IAM_OPERATIONS,
}

#: The AWS JSON 1.1 services.
JSON_OPERATIONS: dict[str, dict[str, Operation]] = {
    "organizations": ORGANIZATIONS_OPERATIONS,
    "cloudtrail": CLOUDTRAIL_OPERATIONS,
}
