"""credmint.actions lists every IAM and STS operation the server serves."""

from __future__ import annotations

from credmint import actions
from credmint.server import registry


def test_every_served_operation_is_in_the_table() -> None:
    served = {(svc, op) for svc, ops in registry.OPERATIONS.items() for op in ops}
    missing = sorted(served - actions.TABLE.keys())
    assert missing == []


def test_table_names_only_served_operations() -> None:
    served = {(svc, op) for svc, ops in registry.OPERATIONS.items() for op in ops}
    assert sorted(actions.TABLE.keys() - served) == []


def test_primary_action_is_the_operation_name() -> None:
    for (svc, op), entry in actions.TABLE.items():
        if entry.actions:
            assert entry.actions[0] == f"{svc}:{op}", (svc, op)
