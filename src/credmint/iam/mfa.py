"""IAM: virtual MFA devices (create, enable, resync, deactivate, delete, list, tags).

Seeds are drawn fresh (``credmint.mfa.totp.new_seed``), shown once (in
CreateVirtualMFADevice's answer, as the base32 text and as a QR code) and stored only
sealed under the master key, bound to the device's serial number.

Replay protection and the attempt schedule are :mod:`credmint.access.mfa_codes`'s; this
module counts the wrong codes of IAM's own operations (enable, resync) the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from credmint import arns, metrics
from credmint.access.mfa_codes import FailedCode, aware, report_failed_code, retry_text
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import (
    account_of,
    authorize,
    paginate,
    put_tags,
    register_tag_operations,
    tags_param,
)
from credmint.iam.entities import USER
from credmint.iam.ops import OPERATIONS
from credmint.iam.users import target_user, user_view, write_unique
from credmint.ids import ROOT_USER_ID
from credmint.mfa import totp
from credmint.mfa.attempts import AttemptLimits
from credmint.sealing import MasterKey
from credmint.store import schema
from credmint.store.tags import drop_all_tags

m = schema.mfa_devices

#: MFA devices per user (and per root user), §6.
MAX_DEVICES_PER_USER = 8


def find_device(conn: Connection, account_id: str, serial: str) -> Row[Any] | None:
    return conn.execute(select(m).where(m.c.serial_number == serial, m.c.account_id == account_id)).first()


def open_seed(master: MasterKey, row: Any) -> str:
    return master.open(row.seed_sealed, row.serial_number.encode()).decode("ascii")


def account_label(conn: Connection, account_id: str) -> str:
    """The account name an authenticator app shows: the alias if set, else the account id."""
    alias = conn.execute(
        select(schema.accounts.c.alias).where(schema.accounts.c.account_id == account_id)
    ).scalar_one_or_none()
    return alias or account_id


def _owner_id(user: Row[Any] | None) -> str:
    return ROOT_USER_ID if user is None else str(user.user_id)


def _owned_device(conn: Connection, account_id: str, serial: str, user: Row[Any] | None) -> Row[Any]:
    row = find_device(conn, account_id, serial)
    if row is None:
        raise iam_errors.NoSuchEntity.virtual_mfa_device(serial)
    if row.user_id != _owner_id(user):
        raise iam_errors.NoSuchEntity.mfa_device_for_user()
    return row


def _codes(call: Call) -> tuple[str, str]:
    return call.params["AuthenticationCode1"], call.params["AuthenticationCode2"]


# --- wrong codes: counting, waiting, reporting --------------------------------------------


def _count_failure(conn: Connection, serial: str, now: datetime, limits: AttemptLimits) -> tuple[int, datetime | None]:
    """Count one wrong code on the device (no condition: the caller decided it was checked).
    Returns the new count and the time the next attempt may be checked."""
    row = conn.execute(
        update(m)
        .where(m.c.serial_number == serial)
        .values(failed_attempts=m.c.failed_attempts + 1)
        .returning(m.c.failed_attempts, m.c.retry_at)
    ).first()
    if row is None:
        return 0, None
    retry = limits.retry_at(row.failed_attempts, now)
    if retry is not None:
        conn.execute(update(m).where(m.c.serial_number == serial).values(retry_at=retry))
    elif row.retry_at is not None:
        retry = aware(row.retry_at)  # a lockout in force stays (limits lowered since)
    return int(row.failed_attempts), retry


class _WrongCodes(Exception):
    """Raised inside an IAM write transaction so that it rolls back; counted after."""


@contextlib.contextmanager
def _counting_wrong_codes(call: Call, serial: str) -> Iterator[None]:
    """Around an IAM transaction that checks a pair of codes: a :class:`_WrongCodes`
    raised inside is counted against the device in a transaction of its own (the
    refused operation's writes roll back, the count must not), reported, and answered
    with AWS's InvalidAuthenticationCode."""
    try:
        yield
    except _WrongCodes:
        with call.store.write_unsignalled() as conn:
            failures, retry = _count_failure(conn, serial, call.now, call.mfa_limits)
        report_failed_code(FailedCode(serial, _caller_arn(call), call.operation, failures, retry, unchecked=False))
        metrics.MFA_FAILURE["invalid_code"].inc()
        raise iam_errors.InvalidAuthenticationCode.invalid() from None


def _refuse_if_waiting(call: Call, device: Row[Any]) -> None:
    """EnableMFADevice checks no code while the device is in backoff or locked out."""
    retry = aware(device.retry_at) if device.retry_at is not None else None
    if retry is not None and call.now < retry:
        report_failed_code(
            FailedCode(
                device.serial_number, _caller_arn(call), call.operation, device.failed_attempts, retry, unchecked=True
            )
        )
        metrics.MFA_FAILURE["locked"].inc()
        raise iam_errors.InvalidAuthenticationCode.locked(retry_text(retry))


def _caller_arn(call: Call) -> str:
    return call.principal.arn if call.principal is not None else "anonymous"


# --- operations ---------------------------------------------------------------------------


@operation(OPERATIONS, "CreateVirtualMFADevice")
def create_virtual_mfa_device(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    name: str = call.params["VirtualMFADeviceName"]
    path: str = call.params.get("Path") or "/"
    serial = arns.virtual_mfa_device(account_id, path, name)
    authorize(call, "iam:CreateVirtualMFADevice", serial)
    tags = tags_param(call.params)
    seed = totp.new_seed()
    exists = iam_errors.EntityAlreadyExists.mfa_device()
    with write_unique(call, exists) as conn:
        # Names are unique in the account, case-insensitively, whatever the path.
        clash = conn.execute(
            select(m.c.serial_number).where(m.c.account_id == account_id, m.c.name_key == name.lower())
        ).first()
        if clash is not None or find_device(conn, account_id, serial) is not None:
            raise exists
        conn.execute(
            insert(m).values(
                serial_number=serial,
                account_id=account_id,
                name=name,
                name_key=name.lower(),
                path=path,
                seed_sealed=call.master.seal(seed.encode("ascii"), serial.encode()),
                user_id=None,
                enable_date=None,
                last_used_step=0,
                created_at=call.now,
            )
        )
        if tags:
            put_tags(conn, serial, tags)
        label = account_label(conn, account_id)
    device: dict[str, Any] = {
        "SerialNumber": serial,
        # Blobs: the wire layer base64-encodes them; boto3 hands back these bytes.
        "Base32StringSeed": seed.encode("ascii"),
        "QRCodePNG": totp.qr_png(totp.otpauth_uri(name, label, seed)),
    }
    if tags:
        device["Tags"] = tags
    return {"VirtualMFADevice": device}


@operation(OPERATIONS, "EnableMFADevice")
def enable_mfa_device(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    serial: str = call.params["SerialNumber"]
    code1, code2 = _codes(call)
    with _counting_wrong_codes(call, serial), call.store.write() as conn:
        user = USER.authorized(call, conn, "iam:EnableMFADevice", call.params["UserName"])
        device = find_device(conn, account_id, serial)
        if device is None:
            raise iam_errors.NoSuchEntity.virtual_mfa_device(serial)
        if device.user_id is not None:
            # Wording seen from emulators of AWS (unconfirmed).
            raise iam_errors.EntityAlreadyExists.mfa_device_in_use()
        count = conn.execute(select(func.count()).select_from(m).where(m.c.user_id == user.user_id)).scalar_one()
        if count >= MAX_DEVICES_PER_USER:
            raise iam_errors.LimitExceeded.quota("MFADevicesPerUser", MAX_DEVICES_PER_USER)
        _refuse_if_waiting(call, device)
        step = totp.verify_consecutive(
            open_seed(call.master, device),
            code1,
            code2,
            call.now,
            last_used_step=device.last_used_step,
        )
        if step is None:
            raise _WrongCodes
        done = conn.execute(
            update(m)
            .where(m.c.serial_number == serial, m.c.user_id.is_(None), m.c.last_used_step < step)
            .values(user_id=user.user_id, enable_date=call.now, last_used_step=step, failed_attempts=0, retry_at=None)
        )
        if done.rowcount != 1:
            raise _WrongCodes
    return None


@operation(OPERATIONS, "ResyncMFADevice")
def resync_mfa_device(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    serial: str = call.params["SerialNumber"]
    code1, code2 = _codes(call)
    with _counting_wrong_codes(call, serial), call.store.write() as conn:
        user = USER.authorized(call, conn, "iam:ResyncMFADevice", call.params["UserName"])
        device = _owned_device(conn, account_id, serial, user)
        # No _refuse_if_waiting: resync is how the owner or an administrator ends a
        # lockout, and a pair of consecutive codes cannot be guessed (module docstring).
        step = totp.verify_consecutive(
            open_seed(call.master, device),
            code1,
            code2,
            call.now,
            last_used_step=device.last_used_step,
        )
        if step is None:
            raise _WrongCodes
        done = conn.execute(
            update(m)
            .where(m.c.serial_number == serial, m.c.user_id == user.user_id, m.c.last_used_step < step)
            .values(last_used_step=step, failed_attempts=0, retry_at=None)
        )
        if done.rowcount != 1:
            raise _WrongCodes
    return None


@operation(OPERATIONS, "DeactivateMFADevice")
def deactivate_mfa_device(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    serial: str = call.params["SerialNumber"]
    with call.store.write() as conn:
        user = target_user(call, conn, "iam:DeactivateMFADevice")
        device = _owned_device(conn, account_id, serial, user)
        # The device stays, unassigned; its replay guard stays too, so a code accepted
        # before cannot be accepted again after re-enabling.
        conn.execute(update(m).where(m.c.serial_number == device.serial_number).values(user_id=None, enable_date=None))
    return None


@operation(OPERATIONS, "DeleteVirtualMFADevice")
def delete_virtual_mfa_device(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    serial: str = call.params["SerialNumber"]
    authorize(call, "iam:DeleteVirtualMFADevice", serial)
    with call.store.write() as conn:
        device = find_device(conn, account_id, serial)
        if device is None:
            raise iam_errors.NoSuchEntity.virtual_mfa_device(serial)
        if device.user_id is not None:
            # Text unconfirmed (§9.5).
            raise iam_errors.DeleteConflict.mfa_device_in_use()
        drop_all_tags(conn, serial)
        conn.execute(delete(m).where(m.c.serial_number == serial))
    return None


@operation(OPERATIONS, "ListMFADevices")
def list_mfa_devices(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        user = target_user(call, conn, "iam:ListMFADevices")
        rows = conn.execute(
            select(m)
            .where(m.c.account_id == account_of(call), m.c.user_id == _owner_id(user))
            .order_by(m.c.enable_date, m.c.serial_number)
        ).all()
    page, more = paginate(rows, call.params)
    devices = []
    for r in page:
        d: dict[str, Any] = {"SerialNumber": r.serial_number, "EnableDate": r.enable_date}
        if user is not None:
            d["UserName"] = user.name
        devices.append(d)
    return {"MFADevices": devices, **more}


@operation(OPERATIONS, "ListVirtualMFADevices")
def list_virtual_mfa_devices(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    authorize(call, "iam:ListVirtualMFADevices", "*")
    status: str = call.params.get("AssignmentStatus") or "Any"
    query = select(m).where(m.c.account_id == account_id)
    if status == "Assigned":
        query = query.where(m.c.user_id.is_not(None))
    elif status == "Unassigned":
        query = query.where(m.c.user_id.is_(None))
    u = schema.users
    with call.store.read() as conn:
        rows = conn.execute(query.order_by(m.c.serial_number)).all()
        page, more = paginate(rows, call.params)
        out = []
        for r in page:
            d: dict[str, Any] = {"SerialNumber": r.serial_number}
            if r.user_id == ROOT_USER_ID:
                d["User"] = {"UserId": account_id, "Arn": arns.root(account_id)}
            elif r.user_id is not None:
                owner = conn.execute(select(u).where(u.c.user_id == r.user_id)).first()
                if owner is not None:
                    d["User"] = user_view(conn, owner, full=False)
            if r.enable_date is not None:
                d["EnableDate"] = r.enable_date
            out.append(d)
    return {"VirtualMFADevices": out, **more}


@operation(OPERATIONS, "GetMFADevice")
def get_mfa_device(call: Call) -> Mapping[str, Any] | None:
    serial: str = call.params["SerialNumber"]
    with call.store.read() as conn:
        user = target_user(call, conn, "iam:GetMFADevice")
        device = _owned_device(conn, account_of(call), serial, user)
    out: dict[str, Any] = {"SerialNumber": device.serial_number, "EnableDate": device.enable_date}
    if user is not None:
        out["UserName"] = user.name
    return out


def _authorized_device(call: Call, conn: Connection, action: str) -> Row[Any]:
    serial: str = call.params["SerialNumber"]
    authorize(call, action, serial)
    device = find_device(conn, account_of(call), serial)
    if device is None:
        raise iam_errors.NoSuchEntity.virtual_mfa_device(serial)
    return device


def _tagged_device(call: Call, conn: Connection, action: str) -> str:
    return str(_authorized_device(call, conn, action).serial_number)


register_tag_operations("MFADevice", _tagged_device)
