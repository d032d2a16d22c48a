"""Operation tables by service: the Query layer looks operations up here."""

from __future__ import annotations

from credmint.api import Operation
from credmint.sts.service import OPERATIONS as STS_OPERATIONS

OPERATIONS: dict[str, dict[str, Operation]] = {
    "sts": STS_OPERATIONS,
    "iam": {},
}
