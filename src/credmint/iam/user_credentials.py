"""Credentials a user (or the account's root user) owns, each with a status: access keys
(keys.py) and X.509 signing certificates (public_credentials.py).

Both are the same shape behind different checks on the way in: a row per credential,
found by its id among the caller's own (the named user's, or root's when no user is
named and the caller is root), listed oldest first, set ``Active``/``Inactive`` and
deleted the same way. What differs (how each is created, what is shown) stays with each.
SSH public keys belong to IAM users only and service-specific credentials carry a
service name and a password; they keep their own lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Row, Table, delete, func, select, update

from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, owned_by, settable_status
from credmint.iam.ops import OPERATIONS
from credmint.iam.users import target_user


@dataclass(frozen=True, slots=True)
class CredentialType:
    table: Table
    #: The id column, and the request parameter naming it (``AccessKeyId``...).
    id_column: str
    id_param: str
    #: Listed oldest first by this column (then by id).
    created_column: str
    #: IAM's ``NoSuchEntity`` for an id the owner does not have.
    not_found: Callable[[str], iam_errors.NoSuchEntity]
    #: The ``Update...``/``Delete...`` operations' names: ``AccessKey``, ``SigningCertificate``.
    operation_noun: str

    def _id(self) -> Column[Any]:
        return self.table.c[self.id_column]

    def count(self, conn: Connection, account_id: str, user: Row[Any] | None) -> int:
        t = self.table
        return int(conn.execute(select(func.count()).select_from(t).where(owned_by(t, account_id, user))).scalar_one())

    def owned(self, conn: Connection, account_id: str, user: Row[Any] | None, credential_id: str) -> Row[Any]:
        """The credential ``credential_id`` of ``user`` (root's when None), or ``NoSuchEntity``."""
        t = self.table
        row = conn.execute(select(t).where(self._id() == credential_id, owned_by(t, account_id, user))).first()
        if row is None:
            raise self.not_found(credential_id)
        return row

    def listed(self, conn: Connection, account_id: str, user: Row[Any] | None) -> Sequence[Row[Any]]:
        t = self.table
        order = (t.c[self.created_column], self._id())
        return conn.execute(select(t).where(owned_by(t, account_id, user)).order_by(*order)).all()

    def register_update_and_delete(self) -> None:
        """``Update<noun>`` (status only) and ``Delete<noun>``, on the caller's own or a
        named user's credential, authorized as the user-targeting operations are."""
        update_name, delete_name = f"Update{self.operation_noun}", f"Delete{self.operation_noun}"

        def update_status(call: Call) -> Mapping[str, Any] | None:
            account_id = account_of(call)
            status = settable_status(call.params["Status"])
            with call.store.write() as conn:
                user = target_user(call, conn, f"iam:{update_name}")
                row = self.owned(conn, account_id, user, call.params[self.id_param])
                key = getattr(row, self.id_column)
                conn.execute(update(self.table).where(self._id() == key).values(status=status))
            return None

        def delete_credential(call: Call) -> Mapping[str, Any] | None:
            account_id = account_of(call)
            with call.store.write() as conn:
                user = target_user(call, conn, f"iam:{delete_name}")
                row = self.owned(conn, account_id, user, call.params[self.id_param])
                conn.execute(delete(self.table).where(self._id() == getattr(row, self.id_column)))
            return None

        for name, handler in ((update_name, update_status), (delete_name, delete_credential)):
            handler.__name__ = handler.__qualname__ = name
            operation(OPERATIONS, name)(handler)
