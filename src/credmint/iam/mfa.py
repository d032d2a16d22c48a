"""IAM: virtual MFA devices, and the one-time use of their codes (:func:`consume_code`).

Seeds are drawn fresh (``credmint.mfa.totp.new_seed``), shown once (in
CreateVirtualMFADevice's answer, as the base32 text and as a QR code) and stored only
sealed under the master key, bound to the device's serial number.

Replay: ``mfa_devices.last_used_step`` is the last TOTP time step accepted for the
device. Every acceptance (enabling, resync, a code given to STS) moves it forward with a
conditional ``UPDATE ... WHERE last_used_step < :step``, so a code is accepted at most
once per device even when several processes or nodes race on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from credmint import errors
from credmint.api import Call, operation
from credmint.iam.common import (
    account_of,
    authorize,
    drop_all_tags,
    iam_arn,
    paginate,
    put_tags,
    register_tag_operations,
    tags_param,
)
from credmint.iam.ops import OPERATIONS
from credmint.iam.users import ROOT_USER_ID, authorized_user, target_user, user_view, write_unique
from credmint.mfa import totp
from credmint.principal import root_arn
from credmint.sealing import MasterKey, UnsealError
from credmint.store import schema
from credmint.store.db import Store

m = schema.mfa_devices

#: MFA devices per user (and per root user), §6.
MAX_DEVICES_PER_USER = 8


def no_such_device(serial: str) -> errors.AwsError:
    return errors.no_such_entity(f"VirtualMFADevice with serial number {serial} doesn't exist.")


def invalid_for_user() -> errors.AwsError:
    # A device that exists but is not the named user's (wording reported by emulators of
    # AWS; unconfirmed).
    return errors.no_such_entity("MFA Device invalid for user.")


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
        raise no_such_device(serial)
    if row.user_id != _owner_id(user):
        raise invalid_for_user()
    return row


def _codes(call: Call) -> tuple[str, str]:
    return call.params["AuthenticationCode1"], call.params["AuthenticationCode2"]


# --- operations ---------------------------------------------------------------------------


@operation(OPERATIONS, "CreateVirtualMFADevice")
def create_virtual_mfa_device(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    name: str = call.params["VirtualMFADeviceName"]
    path: str = call.params.get("Path") or "/"
    serial = iam_arn(account_id, "mfa", path, name)
    authorize(call, "iam:CreateVirtualMFADevice", serial)
    tags = tags_param(call.params)
    seed = totp.new_seed()
    exists = errors.entity_already_exists("MFADevice entity at the same path and name already exists.")
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
                seed_sealed=call.runtime.master.seal(seed.encode("ascii"), serial.encode()),
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
    with call.runtime.store.write() as conn:
        user = authorized_user(call, conn, "iam:EnableMFADevice", call.params["UserName"])
        device = find_device(conn, account_id, serial)
        if device is None:
            raise no_such_device(serial)
        if device.user_id is not None:
            # Wording seen from emulators of AWS (unconfirmed).
            raise errors.entity_already_exists("MFA Device is already in use.")
        count = conn.execute(select(func.count()).select_from(m).where(m.c.user_id == user.user_id)).scalar_one()
        if count >= MAX_DEVICES_PER_USER:
            raise errors.limit_exceeded(f"Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}")
        step = totp.verify_consecutive(
            open_seed(call.runtime.master, device),
            code1,
            code2,
            call.now,
            last_used_step=device.last_used_step,
        )
        if step is None:
            raise errors.invalid_authentication_code()
        done = conn.execute(
            update(m)
            .where(m.c.serial_number == serial, m.c.user_id.is_(None), m.c.last_used_step < step)
            .values(user_id=user.user_id, enable_date=call.now, last_used_step=step)
        )
        if done.rowcount != 1:
            raise errors.invalid_authentication_code()
    return None


@operation(OPERATIONS, "ResyncMFADevice")
def resync_mfa_device(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    serial: str = call.params["SerialNumber"]
    code1, code2 = _codes(call)
    with call.runtime.store.write() as conn:
        user = authorized_user(call, conn, "iam:ResyncMFADevice", call.params["UserName"])
        device = _owned_device(conn, account_id, serial, user)
        step = totp.verify_consecutive(
            open_seed(call.runtime.master, device),
            code1,
            code2,
            call.now,
            last_used_step=device.last_used_step,
        )
        if step is None:
            raise errors.invalid_authentication_code()
        done = conn.execute(
            update(m)
            .where(m.c.serial_number == serial, m.c.user_id == user.user_id, m.c.last_used_step < step)
            .values(last_used_step=step)
        )
        if done.rowcount != 1:
            raise errors.invalid_authentication_code()
    return None


@operation(OPERATIONS, "DeactivateMFADevice")
def deactivate_mfa_device(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    serial: str = call.params["SerialNumber"]
    with call.runtime.store.write() as conn:
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
    with call.runtime.store.write() as conn:
        device = find_device(conn, account_id, serial)
        if device is None:
            raise no_such_device(serial)
        if device.user_id is not None:
            # Text unconfirmed (§9.5).
            raise errors.delete_conflict("MFA Device is still in use.")
        drop_all_tags(conn, serial)
        conn.execute(delete(m).where(m.c.serial_number == serial))
    return None


@operation(OPERATIONS, "ListMFADevices")
def list_mfa_devices(call: Call) -> Mapping[str, Any] | None:
    with call.runtime.store.read() as conn:
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
    with call.runtime.store.read() as conn:
        rows = conn.execute(query.order_by(m.c.serial_number)).all()
        page, more = paginate(rows, call.params)
        out = []
        for r in page:
            d: dict[str, Any] = {"SerialNumber": r.serial_number}
            if r.user_id == ROOT_USER_ID:
                d["User"] = {"UserId": account_id, "Arn": root_arn(account_id)}
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
    with call.runtime.store.read() as conn:
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
        raise no_such_device(serial)
    return device


def _tagged_device(call: Call, conn: Connection, action: str) -> str:
    return str(_authorized_device(call, conn, action).serial_number)


register_tag_operations("MFADevice", _tagged_device)


# --- for STS ------------------------------------------------------------------------------


def consume_code(
    store: Store, serial_number: str, user_id: str, code: str, now: datetime, *, master: MasterKey
) -> bool:
    """Accept ``code`` for the device ``serial_number`` assigned to ``user_id`` (a user's
    unique id, or ``"root"``), at most once.

    True when the code is valid at ``now`` (±1 step) for a step after the device's last
    used one, and that step was recorded by ONE conditional UPDATE, so two requests (in
    any process, on any node) presenting the same code cannot both succeed. False for a
    wrong, replayed or malformed code, an unknown device, or one not assigned to the user.

    ``master`` is needed to open the sealed seed (the store holds it only sealed).
    """
    if not totp.is_code_format(code):
        return False
    with store.read() as conn:
        row = conn.execute(
            select(m.c.serial_number, m.c.seed_sealed, m.c.last_used_step).where(
                m.c.serial_number == serial_number, m.c.user_id == user_id
            )
        ).first()
    if row is None:
        return False
    try:
        seed = open_seed(master, row)
    except UnsealError:
        return False
    step = totp.verify_after(seed, code, now, row.last_used_step)
    if step is None:
        return False
    with store.write() as conn:
        done = conn.execute(
            update(m)
            .where(m.c.serial_number == serial_number, m.c.user_id == user_id, m.c.last_used_step < step)
            .values(last_used_step=step)
        )
        return done.rowcount == 1
