"""httpreq.header_text: a header value (wire bytes read as Latin-1) as the client's text."""

from __future__ import annotations

from credmint.httpreq import header_text


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
