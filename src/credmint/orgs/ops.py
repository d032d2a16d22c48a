"""The Organizations operation table; each operation module of this package registers its operations here."""

from __future__ import annotations

from credmint.api import Operation

OPERATIONS: dict[str, Operation] = {}
