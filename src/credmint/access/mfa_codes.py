"""MFA codes presented by callers: accepted at most once, and only as often as the device's
attempt schedule allows. Side-effect free apart from the store writes it describes; STS
(a code given to GetSessionToken, AssumeRole...) and IAM's device operations use it.

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

import enum
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select, update

from credmint.ids import UniqueId
from credmint.mfa import totp
from credmint.mfa.attempts import AttemptLimits
from credmint.sealing import MasterKey, UnsealError
from credmint.store import schema
from credmint.store.db import Store

log = logging.getLogger("credmint.mfa")

m = schema.mfa_devices


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
    return aware(at).strftime("%Y-%m-%dT%H:%M:%SZ")


def aware(at: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they are stored in UTC.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


# --- one code, at most once ------------------------------------------------------------------------------


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
    user_id: UniqueId,
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
        retry = aware(waiting.retry_at)
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
