"""XML rendering driven by botocore output shapes, shared by the Query (STS, IAM) and
REST-XML (S3) protocols, plus the Query success and error documents.

A :class:`ShapeWriter` compiles, once per shape, a small tree of closures that append
string pieces to a list; rendering a result is then a walk over the value with no model
lookups, which keeps the hot path (``GetCallerIdentity``) to a few microseconds.

Values are plain Python, keyed by the model's member names exactly like botocore's parsed
output: ``str`` for strings (and enums), ``int``, ``bool``, ``float``, ``bytes`` (or ``str``)
for blobs, ``datetime`` (naive means UTC) or epoch seconds for timestamps, lists, dicts.
``None`` members are omitted.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from credmint.errors import AwsError, UnknownOperation

#: Appends the XML for one value to ``out``.
Emit = Callable[[Any, list[str]], None]
#: Formats one scalar as element text (already escaped).
Fmt = Callable[[Any], str]


def escape(text: str) -> str:
    """XML character data. ``\\r`` becomes a character reference so parsers keep it."""
    # Checking first is much cheaper than four unconditional replace() calls on the
    # short, usually clean, strings that make up a response.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#xD;")
    return text


#: What XML 1.0 cannot hold, not even as a character reference: the C0 controls but tab,
#: newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape_any(text: str) -> str:
    """:func:`escape` for text a request supplied (an error's argument value, a message
    quoting it), which may hold what XML 1.0 cannot: each such character is written as
    U+FFFD, so that the client's parser still reads the document."""
    return escape(_NOT_XML.sub("\ufffd", text))


def escape_attr(text: str) -> str:
    return escape(text).replace('"', "&quot;")


# --- timestamps -------------------------------------------------------------------------


def _utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    raise TypeError(f"not a timestamp: {value!r}")


@lru_cache(maxsize=64)
def iso8601_seconds(value: Any) -> str:
    """``2012-05-08T23:34:01Z``: what IAM and STS send (no fractional seconds).

    Cached (values that compare equal are the same instant, so the same text): every
    credential issued in one second has the same ``Expiration``."""
    if isinstance(value, str):
        return value
    d = _utc(value)
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}Z"


def iso8601_millis(value: Any) -> str:
    """``2006-02-03T16:45:09.000Z``: what S3 sends in XML bodies."""
    if isinstance(value, str):
        return value
    d = _utc(value)
    return (
        f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}"
        f".{d.microsecond // 1000:03d}Z"
    )


def rfc822(value: Any) -> str:
    """``Wed, 12 Oct 2009 17:50:00 GMT``: the HTTP-date form (S3 headers)."""
    if isinstance(value, str):
        return value
    return format_datetime(_utc(value).replace(microsecond=0), usegmt=True)


def epoch_seconds(value: Any) -> str:
    if isinstance(value, str):
        return value
    ts = _utc(value).timestamp()
    return str(int(ts)) if ts == int(ts) else repr(ts)


def timestamp_formatter(fmt: str | None, default: Fmt) -> Fmt:
    if fmt == "rfc822":
        return rfc822
    if fmt == "unixTimestamp":
        return epoch_seconds
    return default


# --- scalars ----------------------------------------------------------------------------


def _fmt_string(value: Any) -> str:
    return escape(value if isinstance(value, str) else str(value))


def _fmt_policy_document(value: Any) -> str:
    # IAM sends policy documents URL-encoded (RFC 3986); boto3 unquotes and json.loads
    # every ``policyDocumentType`` member (§1.2). A dict is serialised first.
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return escape(quote(text, safe=""))


def _fmt_bool(value: Any) -> str:
    return "true" if value else "false"


def _fmt_int(value: Any) -> str:
    return str(int(value))


def _fmt_float(value: Any) -> str:
    f = float(value)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    return repr(f)


def _fmt_blob(value: Any) -> str:
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return base64.b64encode(raw).decode("ascii")


#: String shapes whose values IAM URL-encodes on the wire (botocore decodes them back).
POLICY_DOCUMENT_SHAPES = frozenset({"policyDocumentType"})


class ShapeWriter:
    """Compiles botocore shapes into XML emitters (cached per shape)."""

    def __init__(
        self,
        default_timestamp: Fmt,
        *,
        policy_shapes: frozenset[str] = POLICY_DOCUMENT_SHAPES,
        member_order: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self._ts = default_timestamp
        self._policy_shapes = policy_shapes
        #: Per structure name, members to emit first (in this order), the rest following
        #: in model order.
        self._order = dict(member_order or {})
        self._contents: dict[str, Emit] = {}

    # A scalar's text, or None for containers.
    def scalar(self, shape: Shape) -> Fmt | None:
        t = shape.type_name
        if t in ("string", "character"):
            return _fmt_policy_document if shape.name in self._policy_shapes else _fmt_string
        if t in ("integer", "long", "short", "byte"):
            return _fmt_int
        if t == "boolean":
            return _fmt_bool
        if t in ("float", "double"):
            return _fmt_float
        if t == "timestamp":
            return timestamp_formatter(shape.serialization.get("timestampFormat"), self._ts)
        if t == "blob":
            return _fmt_blob
        return None

    def content(self, shape: Shape) -> Emit:
        """The inside of a structure element: its members in model order."""
        cached = self._contents.get(shape.name)
        if cached is not None:
            return cached
        # Recursive shapes: members compiled below may refer back to this shape before
        # its emitter exists, so they get a trampoline that looks it up at render time.
        cell: list[Emit] = []

        def trampoline(value: Any, out: list[str]) -> None:
            cell[0](value, out)

        self._contents[shape.name] = trampoline
        assert isinstance(shape, StructureShape)
        members: list[tuple[str, Emit]] = []
        first = self._order.get(shape.name, ())
        names = [n for n in first if n in shape.members]
        names += [n for n in shape.members if n not in names]
        for name in names:
            member = shape.members[name]
            if member.serialization.get("location") or member.serialization.get("xmlAttribute"):
                continue  # headers, status code, URI parts: not in the body; attributes: in the tag
            members.append((name, self.element(member, member.serialization.get("name", name))))
        items = tuple(members)

        def emit(value: Mapping[str, Any], out: list[str]) -> None:
            get = value.get
            for name, member_emit in items:
                v = get(name)
                if v is not None:
                    member_emit(v, out)

        cell.append(emit)
        self._contents[shape.name] = emit
        return emit

    def open_tag(self, shape: Shape, tag: str) -> tuple[str, Callable[[Any], str] | None]:
        """The opening tag (static), or a function building it from the value (attributes)."""
        ns = shape.serialization.get("xmlNamespace")
        static = f"<{tag}"
        if isinstance(ns, dict) and ns.get("uri"):
            prefix = ns.get("prefix")
            static += f' xmlns{":" + prefix if prefix else ""}="{escape_attr(ns["uri"])}"'
        if isinstance(shape, StructureShape):
            attrs = [
                (name, m.serialization.get("name", name))
                for name, m in shape.members.items()
                if m.serialization.get("xmlAttribute")
            ]
            if attrs:
                head = static

                def dynamic(value: Mapping[str, Any]) -> str:
                    parts = [head]
                    for name, attr in attrs:
                        v = value.get(name)
                        if v is not None:
                            parts.append(f' {attr}="{escape_attr(str(v))}"')
                    parts.append(">")
                    return "".join(parts)

                return static + ">", dynamic
        return static + ">", None

    def element(self, shape: Shape, tag: str) -> Emit:
        """A member called ``tag`` with this shape: one element, or several if flattened."""
        fmt = self.scalar(shape)
        close = f"</{tag}>"
        open_, dynamic = self.open_tag(shape, tag)
        if fmt is _fmt_string:
            # Most members are strings: one call less each.
            def emit_string(value: Any, out: list[str]) -> None:
                out.append(open_ + escape(value if isinstance(value, str) else str(value)) + close)

            return emit_string
        if fmt is not None:

            def emit_scalar(value: Any, out: list[str]) -> None:
                out.append(open_ + fmt(value) + close)

            return emit_scalar
        if isinstance(shape, StructureShape):
            content = self.content(shape)
            if dynamic is not None:
                dyn = dynamic

                def emit_struct_attrs(value: Any, out: list[str]) -> None:
                    out.append(dyn(value))
                    content(value, out)
                    out.append(close)

                return emit_struct_attrs

            def emit_struct(value: Any, out: list[str]) -> None:
                out.append(open_)
                content(value, out)
                out.append(close)

            return emit_struct
        if isinstance(shape, ListShape):
            flattened = bool(shape.serialization.get("flattened"))
            # Flattened elements repeat the list member's locationName if it has one, else
            # the structure member's name: the rule botocore's XML parser reads by.
            member_tag = shape.member.serialization.get("name") or (tag if flattened else "member")
            item = self.element(shape.member, member_tag)
            if flattened:

                def emit_flat_list(value: Any, out: list[str]) -> None:
                    for v in value:
                        item(v, out)

                return emit_flat_list

            def emit_list(value: Any, out: list[str]) -> None:
                out.append(open_)
                for v in value:
                    item(v, out)
                out.append(close)

            return emit_list
        if isinstance(shape, MapShape):
            key = self.element(shape.key, shape.key.serialization.get("name", "key"))
            val = self.element(shape.value, shape.value.serialization.get("name", "value"))
            if shape.serialization.get("flattened"):

                def emit_flat_map(value: Any, out: list[str]) -> None:
                    for k, v in value.items():
                        out.append(open_)
                        key(k, out)
                        val(v, out)
                        out.append(close)

                return emit_flat_map

            def emit_map(value: Any, out: list[str]) -> None:
                out.append(open_)
                for k, v in value.items():
                    out.append("<entry>")
                    key(k, out)
                    val(v, out)
                    out.append("</entry>")
                out.append(close)

            return emit_map
        raise TypeError(f"cannot render shape {shape.name} of type {shape.type_name}")


# --- Query documents --------------------------------------------------------------------

#: Renders one operation's success document: ``(result, request_id) -> bytes``.
QueryRenderer = Callable[[Mapping[str, Any] | None, str], bytes]


def compile_query_renderer(writer: ShapeWriter, namespace: str, op: OperationModel) -> QueryRenderer:
    """``<OpResponse xmlns=..><OpResult>..</OpResult><ResponseMetadata>..`` for ``op``."""
    name = op.name
    head = f'<{name}Response xmlns="{escape_attr(namespace)}">'
    tail = f"</{name}Response>"
    meta_open = "<ResponseMetadata><RequestId>"
    meta_close = "</RequestId></ResponseMetadata>"
    shape = op.output_shape
    if shape is None:
        # Operations without output (PutUserPolicy, DeleteUser...) answer only metadata.
        def render_empty(result: Mapping[str, Any] | None, request_id: str) -> bytes:
            return (head + meta_open + escape(request_id) + meta_close + tail).encode()

        return render_empty
    wrapper = shape.serialization.get("resultWrapper")
    content = writer.content(shape)
    w_open = f"<{wrapper}>" if wrapper else ""
    w_close = f"</{wrapper}>" if wrapper else ""

    def render(result: Mapping[str, Any] | None, request_id: str) -> bytes:
        out = [head, w_open]
        if result:
            content(result, out)
        out.append(w_close)
        out.append(meta_open)
        out.append(escape(request_id))
        out.append(meta_close)
        out.append(tail)
        return "".join(out).encode()

    return render


def render_error(err: AwsError, service_namespace: str, request_id: str) -> bytes:
    """The Query ``<ErrorResponse>`` for ``err`` (``b""`` for errors AWS sends bodiless)."""
    if err.empty_body:
        return b""
    if isinstance(err, UnknownOperation):
        # STS at a path other than '/': the body is just this element [obs §1.3].
        return b"<UnknownOperationException/>"
    ns = err.namespace or service_namespace
    message = f"<Message>{escape_any(err.message)}</Message>" if err.message is not None else ""
    return (
        f'<ErrorResponse xmlns="{escape_attr(ns)}"><Error><Type>{err.fault}</Type>'
        f"<Code>{escape(err.code)}</Code>{message}</Error>"
        f"<RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
    ).encode()
