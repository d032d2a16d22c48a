"""IAM's named entities: users, groups, roles, instance profiles and server certificates.

Every operation on one of them starts the same way, written once here: find the entity
of the caller's account by name (case-insensitively, as IAM compares names), authorize
the action on its ARN (on the ARN it would have at path ``/`` when there is none, so a
caller who is denied learns nothing about which entities exist: AWS checks
authorization before existence), then answer ``NoSuchEntity`` in the entity's own words.

Their ``List...`` operations page through the caller's entities under a path the same
way (:meth:`EntityType.page_under_path`). What differs between the entities (their views,
quotas, what deleting them requires) stays in their modules; MFA devices are found by
serial number, not by name, and keep their own lookup (mfa.py); server certificates are
listed on ``*`` in name order, and keep their own listing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Table, func, select

from credmint import arns
from credmint.api import Call
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize, paginate
from credmint.store import schema


@dataclass(frozen=True, slots=True)
class EntityType:
    #: As in operation and parameter names: ``User`` (``UserName``, ``AttachUserPolicy``).
    label: str
    #: The ARN's resource type: ``user``, ``instance-profile``...
    resource_type: str
    table: Table
    #: The column holding the entity's unique id (``AIDA...``, ``AROA...``).
    id_column: str
    #: IAM's ``NoSuchEntity`` for a missing entity of this type, by name.
    not_found: Callable[[str], iam_errors.NoSuchEntity]

    def arn(self, account_id: str, path: str, name: str) -> str:
        return arns.iam(account_id, self.resource_type, path, name)

    def find(self, conn: Connection, account_id: str, name: str) -> Row[Any] | None:
        """The entity named ``name`` in ``account_id``, compared case-insensitively."""
        t = self.table
        key = t.c.name_key == name.lower() if "name_key" in t.c else func.lower(t.c.name) == name.lower()
        return conn.execute(select(t).where(t.c.account_id == account_id, key)).first()

    def arn_for(self, account_id: str, row: Row[Any] | None, name: str) -> str:
        """The ARN to authorize against: the entity's own (with its path) when it exists,
        else the one the name would have at ``/``."""
        return str(row.arn) if row is not None else self.arn(account_id, "/", name)

    def authorized(self, call: Call, conn: Connection, action: str, name: str) -> Row[Any]:
        """Authorize ``action`` on the caller's entity ``name``, then return its row or
        raise ``NoSuchEntity``."""
        account_id = account_of(call)
        row = self.find(conn, account_id, name)
        authorize(call, action, self.arn_for(account_id, row, name))
        if row is None:
            raise self.not_found(name)
        return row

    def page_under_path(self, call: Call, conn: Connection, action: str) -> tuple[list[Row[Any]], dict[str, Any]]:
        """``List<Kind>s``: one page of the caller's entities under ``PathPrefix``, by name
        (the order IAM lists them in), once ``action`` is allowed on the listed path (AWS
        names it as the resource: "... on resource: arn:aws:iam::<account>:user/").

        Paths are few and short, so they are matched here rather than in SQL (where ``%``
        and ``_`` in a path would be wildcards)."""
        account_id = account_of(call)
        prefix: str = call.params.get("PathPrefix") or "/"
        authorize(call, action, self.arn(account_id, prefix, ""))
        t = self.table
        rows = conn.execute(select(t).where(t.c.account_id == account_id).order_by(t.c.name_key)).all()
        return paginate([row for row in rows if row.path.startswith(prefix)], call.params)

    def entity_id(self, row: Row[Any]) -> str:
        return str(getattr(row, self.id_column))


USER = EntityType("User", "user", schema.users, "user_id", iam_errors.NoSuchEntity.user)
GROUP = EntityType("Group", "group", schema.groups, "group_id", iam_errors.NoSuchEntity.group)
ROLE = EntityType("Role", "role", schema.roles, "role_id", iam_errors.NoSuchEntity.role)
INSTANCE_PROFILE = EntityType(
    "InstanceProfile",
    "instance-profile",
    schema.instance_profiles,
    "instance_profile_id",
    iam_errors.NoSuchEntity.instance_profile,
)
SERVER_CERTIFICATE = EntityType(
    "ServerCertificate",
    "server-certificate",
    schema.server_certificates,
    "server_certificate_id",
    iam_errors.NoSuchEntity.server_certificate,
)

