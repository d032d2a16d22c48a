"""multipart/form-data parsing (S3 POST uploads), including hostile bodies."""

from __future__ import annotations

import time

import pytest

from credmint.errors import AwsError
from credmint.wire import form_data

B = "XyZboundary"


def body(*parts: tuple[str, bytes], filename: str | None = None, close: bool = True) -> bytes:
    out = b""
    for name, value in parts:
        disposition = f'form-data; name="{name}"'
        if name == "file" and filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{B}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"
    return out + (f"--{B}--\r\n".encode() if close else b"")


def test_fields_and_file() -> None:
    form = form_data.parse(body(("key", b"a/b"), ("Content-Type", b"text/plain"), ("file", b"DATA\r\n")), B)
    assert form.fields == (("key", "a/b"), ("Content-Type", "text/plain"))
    assert form.file is not None and form.file.data == b"DATA\r\n"


def test_fields_after_file_are_ignored() -> None:
    form = form_data.parse(body(("key", b"k"), ("file", b"x"), ("acl", b"public-read")), B)
    assert form.fields == (("key", "k"),)


def test_filename_and_quoted_names() -> None:
    raw = (
        f'--{B}\r\nContent-Disposition: form-data; name="a\\"b"\r\n\r\nv\r\n'
        f'--{B}\r\nContent-Disposition: form-data; name=file; filename="C:\\\\dir\\\\f.txt"\r\n'
        f"Content-Type: image/png\r\n\r\nPNG\r\n--{B}--"
    ).encode()
    form = form_data.parse(raw, B)
    assert form.fields == (('a"b', "v"),)
    assert form.file is not None and form.file.filename == "C:\\dir\\f.txt" and form.file.content_type == "image/png"


def test_no_file() -> None:
    assert form_data.parse(body(("key", b"k")), B).file is None


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=XyZboundary", 'Multipart/Form-Data; charset=utf-8; boundary="XyZboundary"'],
)
def test_boundary_of(content_type: str) -> None:
    assert form_data.boundary_of(content_type) == B


def test_boundary_of_other_types() -> None:
    assert form_data.boundary_of("application/xml") is None
    assert form_data.boundary_of(None) is None
    with pytest.raises(AwsError):
        form_data.boundary_of("multipart/form-data")  # no boundary
    with pytest.raises(AwsError):
        form_data.boundary_of("multipart/form-data; boundary=" + "x" * 71)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"no delimiter at all",
        f"--{B}".encode(),  # delimiter then nothing
        f"--{B}\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nunterminated".encode(),
        f"--{B}\r\nno colon here\r\n\r\nv\r\n--{B}--".encode(),
        f"--{B}\r\nContent-Disposition: attachment; name=\"k\"\r\n\r\nv\r\n--{B}--".encode(),
        f"--{B}\r\nContent-Disposition: form-data\r\n\r\nv\r\n--{B}--".encode(),  # no name
        f"--{B}XX\r\n".encode(),
        f"--{B}\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\n\xff\xfe\r\n--{B}--".encode("latin-1"),
    ],
)
def test_malformed_bodies(raw: bytes) -> None:
    with pytest.raises(AwsError) as exc:
        form_data.parse(raw, B)
    assert (exc.value.code, exc.value.status) == ("MalformedPOSTRequest", 400)


def test_header_block_is_bounded() -> None:
    raw = f"--{B}\r\nContent-Disposition: form-data; name=\"k\"\r\nX: {'a' * 10000}\r\n\r\nv\r\n--{B}--".encode()
    with pytest.raises(AwsError):
        form_data.parse(raw, B)


def test_field_value_is_bounded() -> None:
    with pytest.raises(AwsError):
        form_data.parse(body(("key", b"v" * (form_data.MAX_FIELD_VALUE + 1)), ("file", b"")), B)


def test_field_count_is_bounded() -> None:
    parts = [(f"f{i}", b"v") for i in range(form_data.MAX_FIELDS + 1)]
    with pytest.raises(AwsError):
        form_data.parse(body(*parts, ("file", b"")), B)
    assert len(form_data.parse(body(*parts[:-1], ("file", b"")), B).fields) == form_data.MAX_FIELDS


def test_linear_on_many_near_delimiters() -> None:
    """A file full of almost-delimiters costs one scan, not one per candidate."""
    nasty = (b"\r\n--" + B[:-1].encode()) * 200_000
    started = time.perf_counter()
    form = form_data.parse(body(("key", b"k"), ("file", nasty)), B)
    assert form.file is not None and form.file.data == nasty
    assert time.perf_counter() - started < 2.0
