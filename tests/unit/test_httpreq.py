"""httpreq: header pairs decoded from the wire, and a header value (wire bytes read as
Latin-1) as the client's text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credmint.httpreq import BEYOND_ANY_LIMIT, UNSTORABLE, decode_headers, digits_value, header_text, is_storable


def test_ascii_unchanged() -> None:
    assert header_text("plain value") == "plain value"


def test_utf8_on_the_wire_reads_as_text() -> None:
    wire = "Hello World\xe9".encode().decode("latin-1")  # what the server sees from botocore
    assert header_text(wire) == "Hello World\xe9"


def test_latin1_on_the_wire_keeps_its_bytes() -> None:
    wire = b"caf\xe9".decode("latin-1")  # a client that sent Latin-1: not UTF-8
    text = header_text(wire)
    assert text.encode("utf-8", "surrogateescape") == b"caf\xe9"


def test_value_not_from_the_wire_is_kept() -> None:
    assert header_text("snow \u2603") == "snow \u2603"


def _pairwise(raw: list[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)


@pytest.mark.parametrize(
    "raw",
    [
        [],
        [(b"host", b"example.com")],
        [(b"x-amz-meta-a", b"Hello World\xc3\xa9"), (b"x-amz-meta-b", b"\xe9\xff")],
        [(b"a", b""), (b"", b"v"), (b"", b"")],
        # NUL inside a value or a name must not shift the pairs.
        [(b"x-a", b"1\x002"), (b"x-b", b"3")],
        [(b"x-\x00a", b"1"), (b"x-b", b"\x00")],
        [(b"\x00", b"\x00\x00")],
        [(b"k%d" % i, b"v" * i) for i in range(200)],
    ],
    ids=["none", "one", "non-ascii", "empty-parts", "nul-in-value", "nul-in-name", "only-nuls", "many"],
)
def test_decode_headers_reads_every_byte_as_latin_1_pair_by_pair(raw: list[tuple[bytes, bytes]]) -> None:
    assert decode_headers(raw) == _pairwise(raw)


@given(st.lists(st.tuples(st.binary(max_size=12), st.binary(max_size=12)), max_size=12))
def test_decode_headers_equals_decoding_each_pair(raw: list[tuple[bytes, bytes]]) -> None:
    assert decode_headers(raw) == _pairwise(raw)


@pytest.mark.parametrize(
    ("text", "storable"),
    [
        ("plain", True),
        ("Zoë 名前 \U0001f600", True),
        ("tab\tand\nnewline", True),
        ("nul\x00", False),
        ("\x00", False),
        ("lone \udc80", False),
        ("\ud800", False),
        ("é\x00", False),
    ],
)
def test_is_storable(text: str, storable: bool) -> None:
    assert is_storable(text) is storable
    assert (UNSTORABLE.search(text) is None) is storable


@pytest.mark.parametrize(
    ("digits", "value"),
    [
        ("0", 0),
        ("604800", 604800),
        ("9" * 18, 10**18 - 1),
        ("9" * 19, BEYOND_ANY_LIMIT),
        ("1" * 5000, BEYOND_ANY_LIMIT),
    ],
)
def test_digits_value_is_the_number_or_beyond_any_limit(digits: str, value: int) -> None:
    assert digits_value(digits) == value
