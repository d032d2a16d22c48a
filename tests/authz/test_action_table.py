"""credmint.access.actions: every IAM and STS operation the server serves has its action in the reference."""

from __future__ import annotations

import pytest

from credmint.access import actions, condition_keys
from credmint.server import registry

SERVED = sorted((svc, op) for svc, ops in registry.OPERATIONS.items() for op in ops)


@pytest.mark.parametrize(("service", "operation"), SERVED)
def test_every_served_operation_has_its_actions(service: str, operation: str) -> None:
    allowed = actions.allowed_actions(service, operation)
    assert allowed is not None
    if (service, operation) in actions.NO_ACTION:
        assert allowed == ()
    elif (service, operation) in actions.COMPOSITE:
        assert allowed == actions.COMPOSITE[(service, operation)]
    else:
        assert allowed[0] == f"{service}:{operation}"
    for name in allowed:
        assert condition_keys.action(name) is not None, name


def test_tables_name_only_served_operations() -> None:
    listed = set(actions.NO_ACTION) | set(actions.ADDITIONAL) | set(actions.COMPOSITE)
    assert sorted(listed - set(SERVED)) == []


@pytest.mark.parametrize(
    ("service", "operation", "expected"),
    [
        ("iam", "CreateUser", ("iam:CreateUser",)),
        ("iam", "AddRoleToInstanceProfile", ("iam:AddRoleToInstanceProfile", "iam:PassRole")),
        ("sts", "GetCallerIdentity", ()),
        ("iam", "AcquireRole", actions.COMPOSITE[("iam", "AcquireRole")]),
        ("iam", "NoSuchOperation", None),
        ("nosuchservice", "CreateUser", None),
    ],
)
def test_allowed_actions(service: str, operation: str, expected: tuple[str, ...] | None) -> None:
    assert actions.allowed_actions(service, operation) == expected
