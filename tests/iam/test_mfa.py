"""Virtual MFA devices through boto3, and the once-only code check STS relies on."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pyotp
import pytest
from botocore.exceptions import ClientError

from credmint.sealing import MasterKey
from tests.iam.fixtures_a import Env, consecutive_codes, iam_env, unique

pytestmark = pytest.mark.e2e
__all__ = ["iam_env"]


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    r = exc.value.response
    return r["Error"]["Code"], r["Error"].get("Message", ""), r["ResponseMetadata"]["HTTPStatusCode"]


def decode_qr(png: bytes) -> str:
    """The text of the QR code in ``png``, read by zxing-cpp (an independent decoder)."""
    zxingcpp = pytest.importorskip("zxingcpp")
    # The TOTP unit tests' minimal PNG reader (no Pillow in the dev dependencies).
    from tests.unit.test_totp import _png_to_gray

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


def test_consume_code_once_across_threads_and_stores(tmp_path: Path) -> None:
    from credmint.iam.mfa import consume_code
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
    from credmint.iam.mfa import consume_code
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
