"""The users, groups and roles that IAM policies are put on and attached to, found by name
for the inline-policy and attachment operations (``Put/Get/List/DeleteUserPolicy``,
``AttachRolePolicy``...), which are written once for the three kinds and registered per
kind. The entities themselves are written by users.py, groups.py and roles.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection

from credmint.api import Call, operation
from credmint.iam.entities import GROUP, ROLE, USER, EntityType
from credmint.iam.ops import OPERATIONS
from credmint.iam.roles import refuse_service_linked

Kind = Literal["user", "group", "role"]

KINDS: dict[Kind, EntityType] = {"user": USER, "group": GROUP, "role": ROLE}


@dataclass(frozen=True)
class Entity:
    kind: Kind
    entity_id: str
    name: str
    path: str
    arn: str


#: Policy actions that change an entity: refused on service-linked roles.
CHANGES = ("iam:Put", "iam:Delete", "iam:Attach", "iam:Detach")


def holder(call: Call, conn: Connection, kind: Kind, action: str, name: str) -> Entity:
    """Find the named user/group/role of the caller's account, authorizing ``action`` on it."""
    k = KINDS[kind]
    row = k.authorized(call, conn, action, name)
    if kind == "role" and action.startswith(CHANGES):
        refuse_service_linked(row)
    return Entity(kind, k.entity_id(row), row.name, row.path, row.arn)


def register_per_holder(name: str, fn: Callable[[Call, Kind], Mapping[str, Any] | None], kind: Kind) -> None:
    def handler(call: Call) -> Mapping[str, Any] | None:
        return fn(call, kind)

    handler.__name__ = handler.__qualname__ = name
    operation(OPERATIONS, name)(handler)
