"""credmint.sigv4.checksums: the CRCs and digests of S3's checksum headers, their check
values, malformed claimed values, and running checksums equal to whole-body ones."""

from __future__ import annotations

import base64
import zlib

import pytest

from credmint.errors import AwsError
from credmint.sigv4 import (
    RunningChecksum,
    compute_checksum,
    verify_checksum,
)
from credmint.sigv4.checksums import crc32c, crc64nvme


def test_checksum_check_values() -> None:
    assert crc32c(b"123456789") == 0xE3069283
    assert crc64nvme(b"123456789") == 0xAE8B14860A799888
    assert compute_checksum("x-amz-checksum-crc32", b"abc") == "NSRBwg=="
    assert zlib.crc32(b"abc") == 0x352441C2
    with pytest.raises(AwsError) as info:
        verify_checksum("x-amz-checksum-crc32", "AAAAAA==", b"abc")
    assert (info.value.code, info.value.message) == (
        "BadDigest",
        "The CRC32 you specified did not match the calculated checksum.",
    )


def test_running_checksums_equal_the_whole_body_ones() -> None:
    data = bytes(range(256)) * 300
    for name in ("x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme",
                 "x-amz-checksum-sha1", "x-amz-checksum-sha256"):  # fmt: skip
        running = RunningChecksum(name)
        for i in range(0, len(data), 1000):
            running.update(data[i : i + 1000])
        assert running.value() == compute_checksum(name, data)


@pytest.mark.parametrize(
    "value",
    ["", "not base64!", "AAAA", "AAAAAAA=", " ", "NSRBwg==NSRBwg==", "\u00e9\u00e9\u00e9\u00e9"],
)
def test_malformed_claimed_values_are_invalid_requests(value: str) -> None:
    for trailing in (False, True):
        with pytest.raises(AwsError) as info:
            verify_checksum("x-amz-checksum-crc32", value, b"abc", trailing=trailing)
        assert (info.value.code, info.value.status) == ("InvalidRequest", 400)


def test_a_claimed_value_may_carry_surrounding_space() -> None:
    verify_checksum("x-amz-checksum-crc32", " NSRBwg== ", b"abc")


@pytest.mark.parametrize(
    ("name", "label", "size"),
    [
        ("x-amz-checksum-crc32", "CRC32", 4),
        ("x-amz-checksum-crc32c", "CRC32C", 4),
        ("x-amz-checksum-crc64nvme", "CRC64NVME", 8),
        ("x-amz-checksum-sha1", "SHA1", 20),
        ("x-amz-checksum-sha256", "SHA256", 32),
    ],
)
def test_each_algorithm_decodes_to_its_size_and_names_itself_in_bad_digest(name: str, label: str, size: int) -> None:
    value = compute_checksum(name, b"data")
    assert len(base64.b64decode(value)) == size
    verify_checksum(name, value, b"data")
    wrong = base64.b64encode(bytes(size)).decode()
    with pytest.raises(AwsError) as info:
        verify_checksum(name, wrong, b"data")
    assert info.value.code == "BadDigest" and label in (info.value.message or "")
    with pytest.raises(AwsError) as info:
        verify_checksum(name, base64.b64encode(bytes(size + 1)).decode(), b"data")
    assert info.value.code == "InvalidRequest"


def test_crcs_continue_from_a_previous_value() -> None:
    assert crc32c(b"6789", crc32c(b"12345")) == crc32c(b"123456789")
    assert crc64nvme(b"6789", crc64nvme(b"12345")) == crc64nvme(b"123456789")
