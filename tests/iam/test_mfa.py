"""Virtual MFA devices through boto3, and the once-only code check STS relies on."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyotp
import pytest
from botocore.exceptions import ClientError

from credmint.access import mfa_codes
from credmint.ids import UniqueId
from credmint.mfa.attempts import AttemptLimits
from credmint.sealing import MasterKey
from credmint.store.db import Store
from tests.conftest import Server, start_server
from tests.iam.fixtures_a import Env, consecutive_codes, iam_env, unique

pytestmark = pytest.mark.e2e
__all__ = ["iam_env"]

ARN = "arn:aws:iam::123456789012:user/guesser"


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    r = exc.value.response
    return r["Error"]["Code"], r["Error"].get("Message", ""), r["ResponseMetadata"]["HTTPStatusCode"]


def decode_qr(png: bytes) -> str:
    """The text of the QR code in ``png``, read by zxing-cpp (an independent decoder)."""
    zxingcpp = pytest.importorskip("zxingcpp")
    # The TOTP unit tests' minimal PNG reader (no Pillow in the dev dependencies).
    from tests.unit.mfa.test_totp import _png_to_gray

    width, height, pixels = _png_to_gray(png)
    # QR codes only: with every format on, the decoder now and then also "finds" a short
    # 1-D barcode in the QR's modules.
    results = zxingcpp.read_barcodes(
        memoryview(pixels).cast("B", (height, width)), formats=zxingcpp.BarcodeFormat.QRCode
    )
    assert len(results) == 1
    return str(results[0].text)


def test_create_device_seed_and_qr(iam_env: Env) -> None:
    iam = iam_env.client()
    name = unique("phone")
    device = iam.create_virtual_mfa_device(
        VirtualMFADeviceName=name, Path="/people/", Tags=[{"Key": "owner", "Value": "me"}]
    )["VirtualMFADevice"]
    assert device["SerialNumber"] == f"arn:aws:iam::{iam_env.account_id}:mfa/people/{name}"
    seed = device["Base32StringSeed"]
    assert isinstance(seed, bytes) and len(seed) == 64
    pyotp.TOTP(seed.decode()).now()  # a valid base32 seed for authenticator apps
    assert device["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n")
    uri = decode_qr(device["QRCodePNG"])
    assert uri == (
        f"otpauth://totp/Amazon%20Web%20Services:{name}@{iam_env.account_id}"
        f"?secret={seed.decode()}&issuer=Amazon%20Web%20Services"
    )
    assert iam.list_mfa_device_tags(SerialNumber=device["SerialNumber"])["Tags"] == [{"Key": "owner", "Value": "me"}]

    # Each device gets its own seed.
    other = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("phone"))["VirtualMFADevice"]
    assert other["Base32StringSeed"] != seed

    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as exc:
        iam.create_virtual_mfa_device(VirtualMFADeviceName=name.upper(), Path="/elsewhere/")
    assert error(exc) == ("EntityAlreadyExists", "MFADevice entity at the same path and name already exists.", 409)


def test_enable_list_deactivate_delete(iam_env: Env) -> None:
    iam = iam_env.client()
    user = unique("mfauser")
    iam.create_user(UserName=user)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("dev"))["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    code1, code2 = consecutive_codes(seed)

    for bad in ((code1, code1), (code2, code1), ("000000", "111111")):
        with pytest.raises(ClientError) as exc:
            iam.enable_mfa_device(
                UserName=user, SerialNumber=serial, AuthenticationCode1=bad[0], AuthenticationCode2=bad[1]
            )
        assert error(exc) == ("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)

    missing = f"arn:aws:iam::{iam_env.account_id}:mfa/{unique('none')}"
    with pytest.raises(iam.exceptions.NoSuchEntityException) as exc:
        iam.enable_mfa_device(UserName=user, SerialNumber=missing, AuthenticationCode1=code1, AuthenticationCode2=code2)
    assert error(exc)[1] == f"VirtualMFADevice with serial number {missing} doesn't exist."

    iam.enable_mfa_device(UserName=user, SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2)

    listed = iam.list_mfa_devices(UserName=user)["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in listed] == [(user, serial)]
    assert listed[0]["EnableDate"].tzinfo is not None
    got = iam.get_mfa_device(SerialNumber=serial, UserName=user)
    assert got["SerialNumber"] == serial and got["UserName"] == user

    assigned = {
        d["SerialNumber"]: d for d in iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    }
    assert assigned[serial]["User"]["UserName"] == user
    assert "Base32StringSeed" not in assigned[serial]
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert serial not in {d["SerialNumber"] for d in unassigned}
    everything = {d["SerialNumber"] for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]}
    assert serial in everything

    other = unique("other")
    iam.create_user(UserName=other)
    with pytest.raises(ClientError) as exc:
        iam.enable_mfa_device(UserName=other, SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2)
    assert error(exc)[:2] == ("EntityAlreadyExists", "MFA Device is already in use.")

    with pytest.raises(iam.exceptions.DeleteConflictException) as exc:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert error(exc)[0] == "DeleteConflict"

    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.deactivate_mfa_device(UserName=other, SerialNumber=serial)
    iam.deactivate_mfa_device(UserName=user, SerialNumber=serial)
    assert iam.list_mfa_devices(UserName=user)["MFADevices"] == []
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert serial in {d["SerialNumber"] for d in unassigned}

    iam.delete_virtual_mfa_device(SerialNumber=serial)
    with pytest.raises(iam.exceptions.NoSuchEntityException) as exc:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert error(exc) == ("NoSuchEntity", f"VirtualMFADevice with serial number {serial} doesn't exist.", 404)


def test_codes_used_to_enable_cannot_be_reused(iam_env: Env) -> None:
    """EnableMFADevice consumes the second code's step: re-enabling after a deactivation
    with the same pair is refused."""
    iam = iam_env.client()
    user = unique("replay")
    iam.create_user(UserName=user)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("dev"))["VirtualMFADevice"]
    serial = device["SerialNumber"]
    code1, code2 = consecutive_codes(device["Base32StringSeed"])
    iam.enable_mfa_device(UserName=user, SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2)
    iam.deactivate_mfa_device(UserName=user, SerialNumber=serial)
    with pytest.raises(ClientError) as exc:
        iam.enable_mfa_device(UserName=user, SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2)
    assert error(exc)[0] == "InvalidAuthenticationCode"


def test_resync(iam_env: Env) -> None:
    iam = iam_env.client()
    user = unique("resync")
    iam.create_user(UserName=user)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("dev"))["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"].decode()
    totp = pyotp.TOTP(seed)
    now = int(time.time())
    iam.enable_mfa_device(
        UserName=user, SerialNumber=serial, AuthenticationCode1=totp.at(now - 60), AuthenticationCode2=totp.at(now - 30)
    )
    # The next pair (the current step and the one after) resyncs; replaying it does not.
    pair = {"AuthenticationCode1": totp.at(now), "AuthenticationCode2": totp.at(now + 30)}
    iam.resync_mfa_device(UserName=user, SerialNumber=serial, **pair)
    with pytest.raises(ClientError) as exc:
        iam.resync_mfa_device(UserName=user, SerialNumber=serial, **pair)
    assert error(exc)[0] == "InvalidAuthenticationCode"
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.resync_mfa_device(UserName=unique("ghost"), SerialNumber=serial, **pair)


def test_mfa_device_tags_and_pagination(iam_env: Env) -> None:
    iam = iam_env.client()
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("tagdev"))["VirtualMFADevice"]["SerialNumber"]
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": f"k{i}", "Value": str(i)} for i in range(3)])
    iam.untag_mfa_device(SerialNumber=serial, TagKeys=["k1"])
    assert [t["Key"] for t in iam.list_mfa_device_tags(SerialNumber=serial)["Tags"]] == ["k0", "k2"]
    missing = f"arn:aws:iam::{iam_env.account_id}:mfa/{unique('none')}"
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.tag_mfa_device(SerialNumber=missing, Tags=[{"Key": "a", "Value": "b"}])

    pages = list(iam.get_paginator("list_virtual_mfa_devices").paginate(PaginationConfig={"PageSize": 2}))
    serials = [d["SerialNumber"] for p in pages for d in p["VirtualMFADevices"]]
    assert serial in serials and len(serials) == len(set(serials))


def test_alias_is_the_qr_account_label(iam_env: Env) -> None:
    iam = iam_env.client()
    alias = unique("qr-alias").lower()
    iam.create_account_alias(AccountAlias=alias)
    try:
        name = unique("aliasdev")
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        uri = decode_qr(device["QRCodePNG"])
        assert f"Amazon%20Web%20Services:{quote(name)}@{alias}?secret=" in uri
    finally:
        iam.delete_account_alias(AccountAlias=alias)


# --- consume_code: once per device, across threads and processes ---------------------------


def _device_store(tmp_path: Path) -> tuple[str, str, str, MasterKey, str]:
    """A store file holding one account, one user and a device assigned to the user:
    (url, serial, user_id, master key, seed)."""
    from sqlalchemy import insert

    from credmint import ids
    from credmint.accounts import create_account
    from credmint.mfa import totp
    from credmint.store import schema
    from credmint.store.db import Store, sqlite_url
    from credmint.store.migrate import upgrade

    url = sqlite_url(tmp_path)
    store = Store(url)
    upgrade(store)
    master = MasterKey.generate()
    now = datetime.now(UTC)
    account = create_account(store, master, now).account_id
    user_id = ids.new_unique_id("AIDA")
    serial = f"arn:aws:iam::{account}:mfa/consume"
    seed = totp.new_seed()
    with store.write() as conn:
        conn.execute(
            insert(schema.users).values(
                user_id=user_id,
                account_id=account,
                name="u",
                name_key="u",
                path="/",
                arn=f"arn:aws:iam::{account}:user/u",
                created_at=now,
            )
        )
        conn.execute(
            insert(schema.mfa_devices).values(
                serial_number=serial,
                account_id=account,
                name="consume",
                name_key="consume",
                path="/",
                seed_sealed=master.seal(seed.encode(), serial.encode()),
                user_id=user_id,
                enable_date=now,
                last_used_step=0,
                created_at=now,
            )
        )
    store.close()
    return url, serial, user_id, master, seed


#: Limits generous enough that the replay tests never meet them.
NO_LIMITS = AttemptLimits(backoff_after=1000, lockout_after=1000)


def consume_code(
    store: Store,
    serial: str,
    user_id: str,
    code: str,
    now: datetime,
    *,
    master: MasterKey,
    limits: AttemptLimits = NO_LIMITS,
) -> bool:
    check = mfa_codes.consume_code(
        store, serial, UniqueId(user_id), code, now, master=master, limits=limits, principal_arn=ARN, operation="Test"
    )
    return check.accepted


def test_consume_code_once_across_threads_and_stores(tmp_path: Path) -> None:
    from credmint.mfa import totp
    from credmint.store.db import Store

    url, serial, user_id, master, seed = _device_store(tmp_path)
    stores = [Store(url), Store(url)]  # two engines on one SQLite file, like two processes
    now = datetime.now(UTC)
    code = totp.totp(seed, now)

    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def attempt(i: int) -> None:
        barrier.wait()
        ok = consume_code(stores[i % 2], serial, user_id, code, now, master=master)
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]

    # The same code again, later in its window: refused. The next step's code: accepted once.
    assert not consume_code(stores[0], serial, user_id, code, now, master=master)
    step = totp.time_step(now)
    nxt = totp.code_at_step(seed, step + 1)
    assert consume_code(stores[1], serial, user_id, nxt, now, master=master)
    assert not consume_code(stores[0], serial, user_id, nxt, now, master=master)
    # An older step's code is refused once a later one was used.
    assert not consume_code(stores[0], serial, user_id, totp.code_at_step(seed, step), now, master=master)


def test_consume_code_refusals(tmp_path: Path) -> None:
    from credmint.mfa import totp
    from credmint.store.db import Store

    url, serial, user_id, master, seed = _device_store(tmp_path)
    store = Store(url)
    now = datetime.now(UTC)
    code = totp.totp(seed, now)
    assert not consume_code(store, serial, "AIDAOTHERUSER0000000", code, now, master=master)
    assert not consume_code(store, serial + "x", user_id, code, now, master=master)
    assert not consume_code(store, serial, user_id, "12345", now, master=master)
    assert not consume_code(store, serial, user_id, "abcdef", now, master=master)
    wrong = "000000" if code != "000000" else "111111"
    assert not consume_code(store, serial, user_id, wrong, now, master=master)
    assert consume_code(store, serial, user_id, code, now, master=master)


# --- wrong codes: backoff and lockout, in the store -----------------------------------------

#: Two free failures, then 60 s doubling, a 15-minute lockout from the fourth.
SMALL = AttemptLimits(backoff_after=2, backoff_base_seconds=60, lockout_after=4, lockout_seconds=900)


def _check(store: Store, serial: str, user_id: str, code: str, now: datetime, master: MasterKey) -> Any:
    return mfa_codes.consume_code(
        store, serial, UniqueId(user_id), code, now, master=master, limits=SMALL, principal_arn=ARN, operation="Test"
    )


def _wrong(seed: str, now: datetime) -> str:
    """A code valid at no step within ±1 of ``now``."""
    from credmint.mfa import totp

    step = totp.time_step(now)
    near = {totp.code_at_step(seed, s) for s in (step - 1, step, step + 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def _counter(store: Store, serial: str) -> tuple[int, Any]:
    from sqlalchemy import select

    from credmint.store import schema

    m = schema.mfa_devices
    with store.read() as conn:
        row = conn.execute(select(m.c.failed_attempts, m.c.retry_at).where(m.c.serial_number == serial)).one()
    return int(row.failed_attempts), row.retry_at


def test_wrong_codes_back_off_then_lock_and_the_right_code_is_not_checked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from credmint.mfa import totp

    url, serial, user_id, master, seed = _device_store(tmp_path)
    store = Store(url)
    t0 = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
    outcomes = mfa_codes.Outcome

    # Two wrong codes are checked at once; the second starts a 60 s wait.
    assert _check(store, serial, user_id, _wrong(seed, t0), t0, master).retry_at is None
    second = _check(store, serial, user_id, _wrong(seed, t0), t0, master)
    assert second.outcome is outcomes.INVALID and second.retry_at == t0 + timedelta(seconds=60)
    # During the wait even the right code is refused, unchecked, and not consumed.
    t1 = t0 + timedelta(seconds=30)
    waiting = _check(store, serial, user_id, totp.totp(seed, t1), t1, master)
    assert waiting.outcome is outcomes.WAITING and waiting.retry_at == t0 + timedelta(seconds=60)
    assert _counter(store, serial)[0] == 2  # a refusal unchecked is not a guess

    # After the wait one more code is checked; wrong, it doubles the wait ...
    t2 = t0 + timedelta(seconds=60)
    assert _check(store, serial, user_id, _wrong(seed, t2), t2, master).retry_at == t2 + timedelta(seconds=120)
    # ... and the fourth wrong code locks the device for 15 minutes.
    t3 = t2 + timedelta(seconds=120)
    assert _check(store, serial, user_id, _wrong(seed, t3), t3, master).retry_at == t3 + timedelta(seconds=900)
    t4 = t3 + timedelta(seconds=899)
    assert _check(store, serial, user_id, totp.totp(seed, t4), t4, master).outcome is outcomes.WAITING

    # When the lockout expires, the right code is accepted and the counter starts again.
    t5 = t3 + timedelta(seconds=900)
    assert _check(store, serial, user_id, totp.totp(seed, t5), t5, master).accepted
    assert _counter(store, serial) == (0, None)

    # Every refusal was logged at WARNING with the device and the principal.
    refusals = [r for r in caplog.records if r.name == "credmint.mfa" and r.levelno == logging.WARNING]
    assert len(refusals) == 6
    assert all(serial in r.getMessage() and ARN in r.getMessage() for r in refusals)
    assert sum("unchecked" in r.getMessage() for r in refusals) == 2
    assert "2 consecutive failures" in refusals[1].getMessage()
    store.close()


def test_a_success_resets_the_counter(tmp_path: Path) -> None:
    from credmint.mfa import totp

    url, serial, user_id, master, seed = _device_store(tmp_path)
    store = Store(url)
    now = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
    _check(store, serial, user_id, _wrong(seed, now), now, master)
    assert _check(store, serial, user_id, totp.totp(seed, now), now, master).accepted
    assert _counter(store, serial) == (0, None)
    # The next wrong code is the first again: no wait.
    later = now + timedelta(seconds=30)
    assert _check(store, serial, user_id, _wrong(seed, later), later, master).retry_at is None
    assert _counter(store, serial)[0] == 1
    store.close()


def test_parallel_guesses_are_claimed_one_at_a_time_across_stores(tmp_path: Path) -> None:
    """Once the schedule makes the next code wait, guesses raced in parallel through two
    stores (two processes or nodes) are not all checked: each claims its attempt by a
    conditional UPDATE first, and the first claim past the free failures sets the wait."""
    url, serial, user_id, master, seed = _device_store(tmp_path)
    stores = [Store(url), Store(url)]
    now = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
    # One wrong code: the next one checked, if wrong, starts a wait.
    _check(stores[0], serial, user_id, _wrong(seed, now), now, master)
    outcomes: list[Any] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def guess(i: int) -> None:
        barrier.wait()
        got = _check(stores[i % 2], serial, user_id, f"{i:06d}", now, master)
        with lock:
            outcomes.append(got.outcome)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checked = [o for o in outcomes if o is not mfa_codes.Outcome.WAITING]
    assert len(checked) == 1
    assert _counter(stores[1], serial)[0] == 2
    for s in stores:
        s.close()


def test_wrong_guesses_empty_no_cache(tmp_path: Path) -> None:
    """Counting a guess signals no change: otherwise every wrong code would empty every
    cache on every node, and guessing would slow all callers down."""
    url, serial, user_id, master, seed = _device_store(tmp_path)
    store = Store(url)
    signals: list[None] = []
    store.on_change(lambda _changes: signals.append(None))
    now = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
    for _ in range(3):
        _check(store, serial, user_id, _wrong(seed, now), now, master)
    assert _counter(store, serial)[0] == 2 and signals == []
    store.close()


@pytest.mark.postgres
def test_counter_on_postgres(pg_url: str, tmp_path: Path) -> None:
    """The claim and the wait are SQL both dialects run the same way."""
    from sqlalchemy import insert, select

    from credmint.mfa import totp
    from credmint.store import schema
    from credmint.store.migrate import upgrade

    url, serial, user_id, master, seed = _device_store(tmp_path)
    source = Store(url)
    target = Store(pg_url)
    upgrade(target)
    with source.read() as conn:
        tables = (schema.accounts, schema.users, schema.mfa_devices)
        rows = {t: conn.execute(select(t)).mappings().all() for t in tables}
    with target.write() as conn:
        for table, found in rows.items():
            for row in found:
                conn.execute(insert(table).values(**row))
    source.close()
    now = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
    for _ in range(2):
        _check(target, serial, user_id, _wrong(seed, now), now, master)
    assert _check(target, serial, user_id, totp.totp(seed, now), now, master).outcome is mfa_codes.Outcome.WAITING
    later = now + timedelta(seconds=60)
    assert _check(target, serial, user_id, totp.totp(seed, later), later, master).accepted
    assert _counter(target, serial) == (0, None)
    target.close()


# --- end to end: the limits through boto3 ---------------------------------------------------

#: One free wrong code, then a 10-minute wait, and a lockout from the third.
STRICT_ENV = {
    "CREDMINT_MFA_BACKOFF_AFTER": "2",
    "CREDMINT_MFA_BACKOFF_BASE_SECONDS": "600",
    "CREDMINT_MFA_LOCKOUT_AFTER": "3",
    "CREDMINT_MFA_LOCKOUT_SECONDS": "900",
}
INVALID_TEXT = "MultiFactorAuthentication failed with invalid MFA one time pass code."


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("mfa-limits"), extra_env=STRICT_ENV)
    yield srv
    srv.stop()


def _wrong_now(seed: str) -> str:
    t = pyotp.TOTP(seed)
    now = int(time.time())
    near = {t.at(now + d) for d in range(-60, 61, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in near)


def test_sts_codes_back_off_and_resync_ends_the_wait(strict_server: Server) -> None:
    root_iam = strict_server.client("iam")
    name = unique("guessed")
    user_arn = root_iam.create_user(UserName=name)["User"]["Arn"]
    key = root_iam.create_access_key(UserName=name)["AccessKey"]
    device = root_iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("dev"))["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"].decode()
    otp = pyotp.TOTP(seed)
    now = int(time.time())
    root_iam.enable_mfa_device(
        UserName=name, SerialNumber=serial, AuthenticationCode1=otp.at(now - 150), AuthenticationCode2=otp.at(now - 120)
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole"}],
    }
    role_arn = root_iam.create_role(RoleName=unique("mfarole"), AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]
    sts = strict_server.client(
        "sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )

    # Two wrong codes are checked and refused with AWS's text; the second starts a wait.
    for _ in range(2):
        with pytest.raises(ClientError) as exc:
            sts.get_session_token(SerialNumber=serial, TokenCode=_wrong_now(seed))
        assert error(exc) == ("AccessDenied", INVALID_TEXT, 403)
    # During the wait the right code is not checked, in GetSessionToken and AssumeRole alike.
    right = otp.at(int(time.time()))
    with pytest.raises(ClientError) as exc:
        sts.get_session_token(SerialNumber=serial, TokenCode=right)
    code, message, status = error(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith("MultiFactorAuthentication failed: too many invalid MFA one time pass codes")
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="guess", SerialNumber=serial, TokenCode=right)
    assert error(exc)[1] == message

    # Each refusal is in the server's log, with the device and the user.
    assert strict_server.log is not None
    logged = [
        line for line in strict_server.log.read_text().splitlines() if "MFA code refused" in line and serial in line
    ]
    assert len(logged) == 4 and all(user_arn in line for line in logged)

    # The administrator resyncs the device with two consecutive codes: the wait ends.
    now = int(time.time())
    root_iam.resync_mfa_device(
        UserName=name, SerialNumber=serial, AuthenticationCode1=otp.at(now - 90), AuthenticationCode2=otp.at(now - 60)
    )
    creds = sts.get_session_token(SerialNumber=serial, TokenCode=right)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")


def test_enable_codes_back_off(strict_server: Server) -> None:
    iam = strict_server.client("iam")
    name = unique("enabler")
    iam.create_user(UserName=name)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("dev"))["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    for pair in (("000000", "111111"), ("222222", "333333")):
        with pytest.raises(ClientError) as exc:
            iam.enable_mfa_device(
                UserName=name, SerialNumber=serial, AuthenticationCode1=pair[0], AuthenticationCode2=pair[1]
            )
        assert error(exc) == ("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)
    code1, code2 = consecutive_codes(seed)
    with pytest.raises(ClientError) as exc:
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2)
    code, message, status = error(exc)
    assert (code, status) == ("InvalidAuthenticationCode", 403)
    assert message.startswith("Authentication code for device was not checked: too many invalid codes")
    assert iam.list_mfa_devices(UserName=name)["MFADevices"] == []
