"""The IAM operation table; each module in this package registers its operations here."""

from __future__ import annotations

from credmint.api import Operation

OPERATIONS: dict[str, Operation] = {}
