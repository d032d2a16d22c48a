"""``multipart/form-data`` bodies (RFC 7578), as browsers send S3 POST uploads.

Theory of operation. A body is a run of parts, each introduced by ``--<boundary>`` and
ended by the next; the last delimiter is ``--<boundary>--``. A part is a header block
(``Content-Disposition: form-data; name="key"``, optionally ``filename=...`` and
``Content-Type``), a blank line, and its content. :func:`parse` finds each delimiter with
one ``bytes.find`` from where the previous one ended, so the cost is linear in the body,
whatever it holds.

S3 reads fields up to the one named ``file`` and ignores everything after it; so does
this parser. Every count and size is bounded before anything is kept (fields, header
block, field value), and any malformation answers S3's ``MalformedPOSTRequest``.
Nothing here does I/O or reads a clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from credmint.wire.errors import MalformedPOSTRequest

#: Form fields before the file (S3 documents no number; browsers send a dozen).
MAX_FIELDS = 200
#: One part's header block.
MAX_PART_HEADER = 8 * 1024
#: One field's value (a policy document is at most 20 KB in S3, base64 a third more).
MAX_FIELD_VALUE = 64 * 1024
#: The boundary (RFC 2046: 1 to 70 characters).
MAX_BOUNDARY = 70

_BOUNDARY = re.compile(r'(?i)(?:^|;)\s*boundary\s*=\s*(?:"([^"]*)"|([^\s;"]*))')
_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))')


@dataclass(frozen=True)
class FormFile:
    filename: str
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class Form:
    #: (name as sent, value) of each field before the file, in order.
    fields: tuple[tuple[str, str], ...]
    file: FormFile | None


def malformed() -> MalformedPOSTRequest:
    """The one answer to any malformation of the body (S3's POST handler raises it too)."""
    return MalformedPOSTRequest()


def boundary_of(content_type: str | None) -> str | None:
    """The boundary of a ``multipart/form-data`` content type; None for any other type."""
    if content_type is None:
        return None
    media, _, params = content_type.partition(";")
    if media.strip().lower() != "multipart/form-data":
        return None
    m = _BOUNDARY.search(";" + params)
    boundary = (m.group(1) or m.group(2)) if m is not None else None
    if not boundary or len(boundary) > MAX_BOUNDARY:
        raise malformed()
    return boundary


def _disposition(header_block: bytes) -> tuple[str, str | None, str | None]:
    """(name, filename, content type) from a part's header block."""
    try:
        text = header_block.decode("utf-8")
    except UnicodeDecodeError:
        raise malformed() from None
    name: str | None = None
    filename: str | None = None
    content_type: str | None = None
    for line in text.split("\r\n"):
        field, sep, value = line.partition(":")
        if not sep:
            raise malformed()
        field = field.strip().lower()
        if field == "content-disposition":
            kind, _, rest = value.strip().partition(";")
            if kind.strip().lower() != "form-data":
                raise malformed()
            for m in _PARAM.finditer(";" + rest):
                raw = m.group(2) if m.group(2) is not None else m.group(3)
                unquoted = re.sub(r"\\(.)", r"\1", raw) if m.group(2) is not None else raw
                param = m.group(1).lower()
                if param == "name":
                    name = unquoted
                elif param == "filename":
                    filename = unquoted
        elif field == "content-type":
            content_type = value.strip()
    if name is None:
        raise malformed()
    return name, filename, content_type


def parse(body: bytes, boundary: str) -> Form:
    """The fields up to the ``file`` field, and the file."""
    if not boundary or len(boundary) > MAX_BOUNDARY:
        raise malformed()
    delimiter = b"--" + boundary.encode("latin-1")
    start = body.find(delimiter)
    if start < 0:
        raise malformed()
    at = start + len(delimiter)
    separator = b"\r\n" + delimiter
    fields: list[tuple[str, str]] = []
    while True:
        if body.startswith(b"--", at):
            break  # the closing delimiter: no file was sent
        if not body.startswith(b"\r\n", at):
            raise malformed()
        at += 2
        head_end = body.find(b"\r\n\r\n", at, at + MAX_PART_HEADER + 4)
        if head_end < 0:
            raise malformed()
        name, filename, content_type = _disposition(body[at:head_end])
        content_start = head_end + 4
        end = body.find(separator, content_start)
        if end < 0:
            raise malformed()
        if name.lower() == "file":
            return Form(tuple(fields), FormFile(filename or "", content_type, body[content_start:end]))
        if end - content_start > MAX_FIELD_VALUE or len(fields) >= MAX_FIELDS:
            raise malformed()
        try:
            value = body[content_start:end].decode("utf-8")
        except UnicodeDecodeError:
            raise malformed() from None
        fields.append((name, value))
        at = end + len(separator)
    return Form(tuple(fields), None)
