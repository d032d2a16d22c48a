"""IAM: the credential report — one CSV row per user (root first) with the state of every
credential, as security scanners (Prowler, ScoutSuite, Steampipe...) read it.

The columns, their order and their special values are AWS's (IAM User Guide, "Getting
credential reports"): ``N/A`` where the credential does not exist, ``no_information`` where
it exists but was never used, ``not_supported`` for what the root user's row cannot have,
``true``/``false`` for flags and ISO 8601 times with an explicit ``+00:00``.

A report is made at once and kept (in ``account_settings``). GenerateCredentialReport
answers ``STARTED`` when it made a new one and ``COMPLETE`` when the last one is younger
than four hours, which it then keeps ("a new report is generated only if ... more than
four hours" old); GetCredentialReport refuses a report older than four hours as expired,
the safer reading of AWS's expiry for security data that must not be stale.

credmint serves no console, so ``password_last_used`` is ``no_information`` for a user
with a password; ``password_last_changed`` is the login profile's creation time (updates
to a profile do not move it: the store does not keep a change time).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from credmint import arns
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize
from credmint.iam.ops import OPERATIONS
from credmint.iam.passwords import stored_policy
from credmint.ids import ROOT_USER_ID
from credmint.store import schema

COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)
#: A report this young is kept by GenerateCredentialReport and served by GetCredentialReport.
REPORT_LIFETIME = timedelta(hours=4)
SETTING = "credential_report"
NA, NO_INFO, NOT_SUPPORTED = "N/A", "no_information", "not_supported"


def _time(value: datetime | None, missing: str = NA) -> str:
    if value is None:
        return missing
    if value.tzinfo is None:  # SQLite hands back naive UTC times
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _keys(rows: list[Any]) -> list[str]:
    out: list[str] = []
    for i in range(2):
        if i < len(rows):
            k = rows[i]
            out += [
                _flag(k.status == "Active"),
                _time(k.created_at),
                _time(k.last_used_at),
                k.last_used_region or NA,
                k.last_used_service or NA,
            ]
        else:
            out += ["false", NA, NA, NA, NA]
    return out


def _certs(rows: list[Any]) -> list[str]:
    out: list[str] = []
    for i in range(2):
        out += [_flag(rows[i].status == "Active"), _time(rows[i].uploaded_at)] if i < len(rows) else ["false", NA]
    return out


def build_report(conn: Connection, account_id: str) -> str:
    """The CSV text of the account's credential report, as it stands in the store."""
    s = schema
    account = conn.execute(select(s.accounts).where(s.accounts.c.account_id == account_id)).one()
    max_age = (stored_policy(conn, account_id) or {}).get("MaxPasswordAge")
    # Three reads for the whole account, grouped by owner (None: the root user), instead
    # of three per user.
    k, c, m = s.access_keys, s.signing_certificates, s.mfa_devices
    keys: dict[str | None, list[Any]] = defaultdict(list)
    for row in conn.execute(select(k).where(k.c.account_id == account_id).order_by(k.c.created_at, k.c.access_key_id)):
        keys[row.user_id].append(row)
    certs: dict[str | None, list[Any]] = defaultdict(list)
    for row in conn.execute(
        select(c).where(c.c.account_id == account_id).order_by(c.c.uploaded_at, c.c.certificate_id)
    ):
        certs[row.user_id].append(row)
    with_mfa = set(conn.execute(select(m.c.user_id).where(m.c.account_id == account_id)).scalars())

    def keys_of(user_id: str | None) -> list[Any]:
        return keys.get(user_id, [])

    def certs_of(user_id: str | None) -> list[Any]:
        return certs.get(user_id, [])

    def mfa(user_id: str) -> bool:
        return user_id in with_mfa

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "<root_account>",
            arns.root(account_id),
            _time(account.created_at),
            NOT_SUPPORTED,
            NO_INFO,
            NOT_SUPPORTED,
            NOT_SUPPORTED,
            _flag(mfa(ROOT_USER_ID)),
            *_keys(keys_of(None)),
            *_certs(certs_of(None)),
        ]
    )
    lp = s.login_profiles
    users = conn.execute(
        select(s.users, lp.c.created_at.label("password_changed"))
        .select_from(s.users.outerjoin(lp, lp.c.user_id == s.users.c.user_id))
        .where(s.users.c.account_id == account_id)
        .order_by(s.users.c.name_key)
    ).all()
    for u in users:
        has_password = u.password_changed is not None
        if not has_password:
            rotation = NA
        elif max_age:
            rotation = _time(u.password_changed + timedelta(days=int(max_age)))
        else:
            rotation = NA
        writer.writerow(
            [
                u.name,
                u.arn,
                _time(u.created_at),
                _flag(has_password),
                _time(u.password_last_used, NO_INFO) if has_password else NA,
                _time(u.password_changed),
                rotation,
                _flag(mfa(u.user_id)),
                *_keys(keys_of(u.user_id)),
                *_certs(certs_of(u.user_id)),
            ]
        )
    return out.getvalue()


def _stored(conn: Connection, account_id: str) -> tuple[datetime, str] | None:
    st = schema.account_settings
    text = conn.execute(
        select(st.c.value).where(st.c.account_id == account_id, st.c.name == SETTING)
    ).scalar_one_or_none()
    if text is None:
        return None
    d = json.loads(text)
    generated = datetime.fromisoformat(d["generated"])
    return (generated if generated.tzinfo else generated.replace(tzinfo=UTC)), str(d["csv"])


@operation(OPERATIONS, "GenerateCredentialReport")
def generate_credential_report(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    authorize(call, "iam:GenerateCredentialReport", "*")
    # Access-key use is recorded in memory first: write it so the report includes it.
    call.last_used.flush(call.store)
    st = schema.account_settings
    with call.store.write() as conn:
        found = _stored(conn, account_id)
        if found is not None and call.now - found[0] < REPORT_LIFETIME:
            return {"State": "COMPLETE"}
        value = json.dumps({"generated": call.now.isoformat(), "csv": build_report(conn, account_id)})
        if found is None:
            conn.execute(insert(st).values(account_id=account_id, name=SETTING, value=value))
        else:
            conn.execute(update(st).where(st.c.account_id == account_id, st.c.name == SETTING).values(value=value))
    return {"State": "STARTED", "Description": "No report exists. Starting a new report generation task"}


@operation(OPERATIONS, "GetCredentialReport")
def get_credential_report(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    authorize(call, "iam:GetCredentialReport", "*")
    with call.store.read() as conn:
        found = _stored(conn, account_id)
    if found is None:
        raise iam_errors.ReportNotPresent()
    generated, text = found
    if call.now - generated >= REPORT_LIFETIME:
        raise iam_errors.ReportExpired()
    return {"Content": text.encode("utf-8"), "ReportFormat": "text/csv", "GeneratedTime": generated}
