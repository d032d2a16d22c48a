from __future__ import annotations

import base64
import json
import random
import struct
import zlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pyotp
import pytest

from credmint import mfa
from credmint.mfa import totp as t
from tests.vector_data import IN_REPO

VECTORS = IN_REPO / "totp" / "rfc6238.json"
NOW = datetime(2024, 6, 1, 12, 0, 10, tzinfo=UTC)  # 10 s into its 30 s step


def _vectors() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(VECTORS.read_text())
    return data


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


# --- RFC vectors ------------------------------------------------------------------------


@pytest.mark.parametrize("vector", _vectors()["vectors"], ids=lambda v: f"{v['mode']}-{v['time']}")
def test_rfc6238_vectors(vector: dict[str, Any]) -> None:
    data = _vectors()
    seed = data["seeds"][vector["mode"]]["base32"]
    assert t.time_step(vector["time"]) == int(vector["T_hex"], 16)
    assert t.totp(seed, vector["time"], digits=8, algorithm=vector["mode"]) == vector["totp"]
    assert t.totp(seed, _at(vector["time"]), digits=8, algorithm=vector["mode"]) == vector["totp"]
    # 6-digit codes are the last six digits of the 8-digit ones (the file's note).
    assert t.totp(seed, vector["time"], algorithm=vector["mode"]) == vector["totp"][-6:]


def test_rfc6238_sha1_vectors_verify() -> None:
    data = _vectors()
    seed = data["seeds"]["SHA1"]["base32"]
    for vector in data["vectors"]:
        if vector["mode"] != "SHA1":
            continue
        step = int(vector["T_hex"], 16)
        assert t.verify(seed, vector["totp"][-6:], _at(vector["time"])) == step
        assert t.verify(seed, vector["totp"][-6:], _at(vector["time"] + 30)) == step  # -1 window
        assert t.verify(seed, vector["totp"][-6:], _at(vector["time"] + 90)) is None


def test_rfc4226_hotp_vectors() -> None:
    hotp = _vectors()["rfc4226_hotp"]
    seed = base64.b32encode(hotp["secret_ascii"].encode()).decode()
    for vector in hotp["vectors"]:
        assert t.code_at_step(seed, vector["counter"]) == vector["hotp"]


# --- seeds ------------------------------------------------------------------------------


def test_new_seed() -> None:
    seeds = {t.new_seed() for _ in range(200)}
    assert len(seeds) == 200
    for seed in seeds:
        assert len(seed) == 64
        assert set(seed) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        assert len(t.decode_seed(seed)) == 40


def test_decode_seed_tolerance_and_refusal() -> None:
    seed = t.new_seed()
    raw = t.decode_seed(seed)
    assert t.decode_seed(seed.lower()) == raw
    assert t.decode_seed(" ".join(seed[i : i + 4] for i in range(0, 64, 4))) == raw
    for bad in ["", "====", "ABC1", "ABCDEFG!"]:
        with pytest.raises(ValueError):
            t.decode_seed(bad)


# --- pyotp differential -----------------------------------------------------------------


def test_pyotp_differential() -> None:
    rng = random.Random(6238)
    for _ in range(300):
        seed = rng.choice([t.new_seed(), pyotp.random_base32(), pyotp.random_base32(64)])
        epoch = rng.randrange(0, 4_000_000_000)
        ours = t.totp(seed, epoch)
        theirs = pyotp.TOTP(seed).at(epoch)
        assert ours == theirs
        # pyotp generates, credmint verifies; credmint generates, pyotp verifies.
        assert t.verify(seed, theirs, _at(epoch)) is not None
        assert pyotp.TOTP(seed).verify(ours, for_time=epoch)
        # pyotp's code from one step earlier / later is inside the ±1 window.
        assert t.verify(seed, pyotp.TOTP(seed).at(epoch - 30), _at(epoch)) is not None
        assert t.verify(seed, pyotp.TOTP(seed).at(epoch + 30), _at(epoch)) is not None


def test_datetime_and_epoch_agree_and_naive_refused() -> None:
    seed = t.new_seed()
    assert t.totp(seed, NOW) == t.totp(seed, int(NOW.timestamp()))
    other_zone = NOW.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert t.totp(seed, other_zone) == t.totp(seed, NOW)
    with pytest.raises(ValueError):
        t.totp(seed, NOW.replace(tzinfo=None))


# --- verify / window / replay -----------------------------------------------------------


def test_window() -> None:
    seed = t.new_seed()
    step = t.time_step(NOW)
    for offset in (-1, 0, 1):
        assert t.verify(seed, t.code_at_step(seed, step + offset), NOW) == step + offset
    for offset in (-3, -2, 2, 3):
        code = t.code_at_step(seed, step + offset)
        if code not in {t.code_at_step(seed, step + o) for o in (-1, 0, 1)}:
            assert t.verify(seed, code, NOW) is None
    assert t.verify(seed, t.code_at_step(seed, step + 2), NOW, window=2) == step + 2
    assert t.verify(seed, t.code_at_step(seed, step + 1), NOW, window=0) is None


def test_replay_guard() -> None:
    seed = t.new_seed()
    code = t.totp(seed, NOW)
    step = t.verify_after(seed, code, NOW, None)
    assert step == t.time_step(NOW)
    # The same code again (also a few seconds later, same step) is refused.
    assert t.verify_after(seed, code, NOW, step) is None
    assert t.verify_after(seed, code, NOW + timedelta(seconds=15), step) is None
    # An older code still inside the window is refused once a later one was used.
    previous = t.code_at_step(seed, step - 1)
    assert t.verify_after(seed, previous, NOW, step) is None
    # The next step's code is accepted, once.
    later = NOW + timedelta(seconds=30)
    next_code = t.totp(seed, later)
    assert t.verify_after(seed, next_code, later, step) == step + 1
    assert t.verify_after(seed, next_code, later, step + 1) is None


@pytest.mark.parametrize(
    "code",
    ["", "12345", "1234567", "12345a", " 12345", "123456 ", "١٢٣٤٥٦", "１２３４５６", "+12345", "-12345"],
)
def test_malformed_codes_refused(code: str) -> None:
    seed = t.new_seed()
    assert not t.is_code_format(code)
    assert t.verify(seed, code, NOW) is None
    assert t.verify_consecutive(seed, code, t.totp(seed, NOW), NOW) is None


def test_unicode_digits_equal_to_a_valid_code_are_refused() -> None:
    seed = t.new_seed()
    code = t.totp(seed, NOW)
    fullwidth = "".join(chr(ord(c) - ord("0") + ord("０")) for c in code)
    assert int(fullwidth) == int(code)  # Python would read it as the same number
    assert t.verify(seed, fullwidth, NOW) is None


# --- consecutive codes (EnableMFADevice / ResyncMFADevice) ------------------------------


def test_consecutive_pairs() -> None:
    seed = t.new_seed()
    step = t.time_step(NOW)
    for s in range(step - t.CONSECUTIVE_SEARCH_STEPS, step + t.CONSECUTIVE_SEARCH_STEPS):
        c1, c2 = t.code_at_step(seed, s), t.code_at_step(seed, s + 1)
        if c1 != c2:
            assert t.verify_consecutive(seed, c1, c2, NOW) == s + 1
    # Just outside the search range on either side.
    far_back = step - t.CONSECUTIVE_SEARCH_STEPS - 1
    assert (
        t.verify_consecutive(seed, t.code_at_step(seed, far_back), t.code_at_step(seed, far_back + 1), NOW)
        is None
    )
    far_ahead = step + t.CONSECUTIVE_SEARCH_STEPS
    assert (
        t.verify_consecutive(seed, t.code_at_step(seed, far_ahead), t.code_at_step(seed, far_ahead + 1), NOW)
        is None
    )


def test_consecutive_refusals() -> None:
    seed = t.new_seed()
    step = t.time_step(NOW)
    c = [t.code_at_step(seed, step + i) for i in range(-2, 3)]
    # Same code twice.
    assert t.verify_consecutive(seed, c[2], c[2], NOW) is None
    # Reversed order.
    assert t.verify_consecutive(seed, c[3], c[2], NOW) is None
    # Not consecutive (a gap of one step).
    assert t.verify_consecutive(seed, c[1], c[3], NOW) is None
    # Wrong seed.
    assert t.verify_consecutive(t.new_seed(), c[2], c[3], NOW) is None


def test_consecutive_respects_last_used_step() -> None:
    seed = t.new_seed()
    step = t.time_step(NOW)
    c1, c2 = t.code_at_step(seed, step - 1), t.code_at_step(seed, step)
    used = t.verify_consecutive(seed, c1, c2, NOW)
    assert used == step
    assert t.verify_consecutive(seed, c1, c2, NOW, last_used_step=used) is None
    assert t.verify_consecutive(seed, c1, c2, NOW, last_used_step=step - 2) == step


def test_pyotp_pair_enables() -> None:
    seed = pyotp.random_base32(64)
    epoch = int(NOW.timestamp())
    otp = pyotp.TOTP(seed)
    assert t.verify_consecutive(seed, otp.at(epoch - 30), otp.at(epoch), NOW) == t.time_step(NOW)


def test_package_exports() -> None:
    assert mfa.verify is t.verify
    assert mfa.otpauth_uri is t.otpauth_uri
    assert mfa.qr_png is t.qr_png


# --- otpauth URI and QR code ------------------------------------------------------------


def test_otpauth_uri_exact() -> None:
    seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert t.otpauth_uri("alice-phone", "123456789012", seed) == (
        "otpauth://totp/Amazon%20Web%20Services:alice-phone@123456789012"
        f"?secret={seed}&issuer=Amazon%20Web%20Services"
    )
    assert t.otpauth_uri("dev.name_1=a,b@c", "my-alias", seed) == (
        "otpauth://totp/Amazon%20Web%20Services:dev.name_1=a,b@c@my-alias"
        f"?secret={seed}&issuer=Amazon%20Web%20Services"
    )


def test_otpauth_uri_encodes_plus_and_unicode() -> None:
    seed = t.new_seed()
    uri = t.otpauth_uri("a+b", "123456789012", seed)
    assert "Services:a%2Bb@123456789012" in uri
    assert "Services:%C3%A9t%C3%A9@" in t.otpauth_uri("été", "123456789012", seed)
    # pyotp's parser reads back the seed and issuer.
    parsed = pyotp.parse_uri(uri)
    assert isinstance(parsed, pyotp.TOTP)
    assert parsed.secret == seed
    assert parsed.issuer == "Amazon Web Services"
    assert parsed.name == "a+b@123456789012"


def test_otpauth_uri_refuses_bad_seed() -> None:
    with pytest.raises(ValueError):
        t.otpauth_uri("d", "123456789012", "not a seed!")


def test_qr_png_decodes_to_uri() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    uri = t.otpauth_uri("alice-phone", "123456789012", t.new_seed())
    png = t.qr_png(uri)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, pixels = _png_to_gray(png)
    assert 200 <= width == height <= 600
    image = memoryview(pixels).cast("B", (height, width))
    # QR codes only: with every format on, the decoder now and then also "finds" a 1-D code.
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in results] == [uri]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode


def test_qr_png_matrix_matches_segno() -> None:
    # Independent of a decoder: the PNG's pixels are exactly segno's matrix for the URI.
    import segno

    uri = t.otpauth_uri("d", "123456789012", t.new_seed())
    width, _, pixels = _png_to_gray(t.qr_png(uri))
    qr = segno.make_qr(uri, error="m", boost_error=False)
    assert qr.designator.endswith("-M")
    matrix = qr.matrix
    scale, border = 4, 4
    assert width == (len(matrix) + 2 * border) * scale
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            px = pixels[((y + border) * scale + 1) * width + (x + border) * scale + 1]
            assert (px < 128) == bool(dark)


def _png_to_gray(png: bytes) -> tuple[int, int, bytes]:
    """A minimal PNG reader (grayscale/palette, bit depth 1-8, non-interlaced): enough
    for segno's output and independent of it."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, palette = 8, b"", None
    width = height = depth = color = 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])[0]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert color in (0, 3) and interlace == 0
        elif kind == b"PLTE":
            palette = [body[i : i + 3] for i in range(0, len(body), 3)]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = (width * depth + 7) // 8
    prev = bytearray(stride)
    out = bytearray()
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        ftype, cur = line[0], bytearray(line[1:])
        bpp = 1
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                cur[i] = (cur[i] + a) & 0xFF
            elif ftype == 2:
                cur[i] = (cur[i] + b) & 0xFF
            elif ftype == 3:
                cur[i] = (cur[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[i] = (cur[i] + pred) & 0xFF
        prev = cur
        mask = (1 << depth) - 1
        for x in range(width):
            bit = x * depth
            value = (cur[bit // 8] >> (8 - depth - bit % 8)) & mask
            if palette is not None:
                r, g, b_ = palette[value]
                out.append((r + g + b_) // 3)
            else:
                out.append(value * 255 // mask)
    return width, height, bytes(out)
