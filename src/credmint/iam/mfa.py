"""IAM: virtual MFA devices, and the one-time use of their codes (:func:`consume_code`).

Seeds are drawn fresh (``credmint.mfa.totp.new_seed``), shown once (in
CreateVirtualMFADevice's answer, as the base32 text and as a QR code) and stored only
sealed under the master key, bound to the device's serial number.

Replay: ``mfa_devices.last_used_step`` is the last TOTP time step accepted for the
device. Every acceptance (enabling, resync, a code given to STS) moves it forward with a
conditional ``UPDATE ... WHERE last_used_step < :step``, so a code is accepted at most
once per device even when several processes or nodes race on it.

Guessing: ``mfa_devices.failed_attempts`` counts consecutive wrong codes and
``mfa_devices.retry_at`` holds the earliest time the next code may be checked
(``credmint.mfa.attempts`` has the schedule). A single code (STS) claims its attempt
before it is checked, with one conditional ``UPDATE ... SET failed_attempts =
failed_attempts + 1 WHERE retry_at IS NULL OR retry_at <= :now``: of any number of guesses
raced in parallel, across nodes, only those the schedule allows are looked at. During a
wait the code is not checked at all, so even the right one is refused. An accepted code
(or pair) sets the counter back to zero. ResyncMFADevice is the way out of a lockout for
the device's owner or an administrator: its pair of consecutive codes (about 1 in 5·10**10
per try) is checked whatever the counter says, and its wrong pairs count like any wrong
code. Every refused code goes through :func:`report_failed_code`.
"""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, or_, select, update

from credmint import errors, metrics
from credmint.access.principal import root_arn
from credmint.api import Call, operation
from credmint.iam.common import (
    account_of,
    authorize,
    iam_arn,
    paginate,
    register_tag_operations,
    tags_param,
)
from credmint.iam.ops import OPERATIONS
from credmint.iam.users import ROOT_USER_ID, authorized_user, target_user, user_view, write_unique
from credmint.mfa import totp
from credmint.mfa.attempts import AttemptLimits
from credmint.sealing import MasterKey, UnsealError
from credmint.store import schema
from credmint.store.db import Store
from credmint.store.tags import drop_all_tags, put_tags

log = logging.getLogger("credmint.mfa")

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


# --- wrong codes: counting, waiting, reporting --------------------------------------------


@dataclass(frozen=True, slots=True)
class FailedCode:
    """One refused MFA code, as the log (and an audit trail) records it."""

    serial_number: str
    #: Who presented the code.
    principal_arn: str
    operation: str
    #: Consecutive wrong codes on the device, this one included.
    failures: int
    #: The earliest time the next code will be checked (None: at once).
    retry_at: datetime | None
    #: True when the code was refused without being checked (backoff or lockout).
    unchecked: bool


def report_failed_code(event: FailedCode) -> None:
    """Every refused MFA code passes here, once: the one place to record them."""
    log.warning(
        "MFA code refused%s: device %s, principal %s, operation %s, %d consecutive failures, next check %s",
        " unchecked (device waiting)" if event.unchecked else "",
        event.serial_number,
        event.principal_arn,
        event.operation,
        event.failures,
        event.retry_at.isoformat() if event.retry_at is not None else "at once",
    )


def retry_text(at: datetime) -> str:
    """``retry_at`` as error messages show it (UTC, seconds)."""
    return _aware(at).strftime("%Y-%m-%dT%H:%M:%SZ")


def _aware(at: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they are stored in UTC.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


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
        retry = _aware(row.retry_at)  # a lockout in force stays (limits lowered since)
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
        raise errors.invalid_authentication_code() from None


def _refuse_if_waiting(call: Call, device: Row[Any]) -> None:
    """EnableMFADevice checks no code while the device is in backoff or locked out."""
    retry = _aware(device.retry_at) if device.retry_at is not None else None
    if retry is not None and call.now < retry:
        report_failed_code(
            FailedCode(
                device.serial_number, _caller_arn(call), call.operation, device.failed_attempts, retry, unchecked=True
            )
        )
        metrics.MFA_FAILURE["locked"].inc()
        raise errors.mfa_locked_authentication_code(retry_text(retry))


def _caller_arn(call: Call) -> str:
    return call.principal.arn if call.principal is not None else "anonymous"


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
        user = authorized_user(call, conn, "iam:ResyncMFADevice", call.params["UserName"])
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
            raise no_such_device(serial)
        if device.user_id is not None:
            # Text unconfirmed (§9.5).
            raise errors.delete_conflict("MFA Device is still in use.")
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
        raise no_such_device(serial)
    return device


def _tagged_device(call: Call, conn: Connection, action: str) -> str:
    return str(_authorized_device(call, conn, action).serial_number)


register_tag_operations("MFADevice", _tagged_device)


# --- for STS ------------------------------------------------------------------------------


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    #: Checked and wrong, replayed or malformed; or no such device for the user.
    INVALID = "invalid"
    #: Not checked: the device is in backoff or locked out.
    WAITING = "waiting"


@dataclass(frozen=True, slots=True)
class CodeCheck:
    outcome: Outcome
    #: When the device will check a code again (None: at once).
    retry_at: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome is Outcome.ACCEPTED


def consume_code(
    store: Store,
    serial_number: str,
    user_id: str,
    code: str,
    now: datetime,
    *,
    master: MasterKey,
    limits: AttemptLimits,
    principal_arn: str,
    operation: str,
) -> CodeCheck:
    """Accept ``code`` for the device ``serial_number`` assigned to ``user_id`` (a user's
    unique id, or ``"root"``), at most once, and only when the device's attempt schedule
    allows a check at ``now``.

    One transaction: the attempt is claimed first (the failure counter goes up, and the
    wait that will apply if this code is wrong is set) by a conditional UPDATE that only
    matches when no wait is in force; then the code is checked (valid at ``now`` ±1 step,
    for a step after the device's last used one); an accepted code records its step and
    sets the counter back to zero in the same transaction. So neither a replayed code nor
    a guess racing others (in any process, on any node) gets past the store's row lock.

    ``master`` opens the sealed seed; ``principal_arn`` and ``operation`` name the attempt
    in :func:`report_failed_code`.
    """
    where = (m.c.serial_number == serial_number, m.c.user_id == user_id)
    accepted = False
    with store.write_unsignalled() as conn:
        claimed = conn.execute(
            update(m)
            .where(*where, or_(m.c.retry_at.is_(None), m.c.retry_at <= now))
            .values(failed_attempts=m.c.failed_attempts + 1)
            .returning(m.c.seed_sealed, m.c.last_used_step, m.c.failed_attempts)
        ).first()
        if claimed is None:
            waiting = conn.execute(select(m.c.failed_attempts, m.c.retry_at).where(*where)).first()
        else:
            waiting = None
            failures = int(claimed.failed_attempts)
            retry = limits.retry_at(failures, now)
            if retry is not None:
                conn.execute(update(m).where(*where).values(retry_at=retry))
            step = _verified_step(master, serial_number, claimed.seed_sealed, code, now, claimed.last_used_step)
            if step is not None:
                done = conn.execute(
                    update(m)
                    .where(*where, m.c.last_used_step < step)
                    .values(last_used_step=step, failed_attempts=0, retry_at=None)
                )
                accepted = done.rowcount == 1
    if accepted:
        return CodeCheck(Outcome.ACCEPTED)
    if claimed is None:
        if waiting is None or waiting.retry_at is None:
            return CodeCheck(Outcome.INVALID)  # no such device for the user (any more)
        retry = _aware(waiting.retry_at)
        report_failed_code(
            FailedCode(serial_number, principal_arn, operation, int(waiting.failed_attempts), retry, unchecked=True)
        )
        return CodeCheck(Outcome.WAITING, retry)
    report_failed_code(FailedCode(serial_number, principal_arn, operation, failures, retry, unchecked=False))
    return CodeCheck(Outcome.INVALID, retry)


def _verified_step(
    master: MasterKey, serial: str, sealed: bytes, code: str, now: datetime, last_used_step: int
) -> int | None:
    try:
        seed = master.open(sealed, serial.encode()).decode("ascii")
    except UnsealError:
        return None
    return totp.verify_after(seed, code, now, last_used_step)
