"""S3 REST-XML: request routing (bucket and key), error documents and result rendering.

Rendering is driven by the botocore ``s3`` model like the Query side: members bound to
headers go to a headers dict, the rest to the XML body in model order, honouring
``locationName``, ``flattened`` lists, attributes and namespaces.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

from botocore.model import OperationModel, Shape, StructureShape

from credmint.errors import AwsError
from credmint.wire import xml
from credmint.wire.errors import InvalidURI
from credmint.wire.query import load_model

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

#: Hosts that name the S3 service itself; ``<bucket>.<one of these>`` is virtual-host style.
DEFAULT_BASE_DOMAINS = ("s3.amazonaws.com", "s3.localhost.localstack.cloud", "localhost")

# --- errors -----------------------------------------------------------------------------


def render_s3_error(err: AwsError, request_id: str, host_id: str) -> bytes:
    """S3's bare ``<Error>``: Code, Message, the error's extra elements, RequestId, HostId."""
    if err.empty_body:
        return b""
    parts = [XML_DECLARATION, "<Error><Code>", xml.escape(err.code), "</Code>"]
    if err.message is not None:
        parts += ["<Message>", xml.escape_any(err.message), "</Message>"]
    for name, value in err.extra:
        parts += [f"<{name}>", xml.escape_any(value), f"</{name}>"]
    parts += [
        "<RequestId>",
        xml.escape(request_id),
        "</RequestId><HostId>",
        xml.escape(host_id),
        "</HostId></Error>",
    ]
    return "".join(parts).encode()


# --- routing ----------------------------------------------------------------------------

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# bucket.s3.<region>.amazonaws.com, bucket.s3-<region>.amazonaws.com (legacy),
# bucket.s3.dualstack.<region>.amazonaws.com, and the same without a bucket (path style).
_AWS_REGIONAL = re.compile(
    r"(?:(?P<bucket>.+)\.)?s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?"
)


def _decode_path(text: str) -> str:
    if "%" not in text:
        return text
    if _BAD_ESCAPE.search(text):
        raise InvalidURI()
    # In a path '+' is a literal plus (RFC 3986); SDKs send spaces as %20. Escapes that do
    # not decode as UTF-8 are refused, not replaced by U+FFFD: replacing would make two
    # different keys name one object.
    try:
        decoded = unquote(text, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise InvalidURI() from None
    if "\x00" in decoded:
        # No object can be named with a NUL: PostgreSQL's text refuses it and XML 1.0
        # cannot write it in a listing. AWS's answer is not documented; refusing it as a
        # path that does not parse, on every database alike, is the safer reading.
        raise InvalidURI()
    return decoded


def _host_name(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if host.startswith("["):  # [::1]:9000
        return host[: host.find("]") + 1]
    name, _, port = host.rpartition(":")
    return name if name and port.isdigit() else host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def virtual_host_bucket(host: str | None, base_domains: Iterable[str] = DEFAULT_BASE_DOMAINS) -> str | None:
    """The bucket a virtual-host-style ``Host`` names, or None for path-style requests."""
    return _virtual_bucket(host, base_domains)


def _virtual_bucket(host: str | None, base_domains: Iterable[str]) -> str | None:
    if not host:
        return None
    name = _host_name(host)
    if _is_ip(name):
        return None
    domains = sorted({_host_name(d) for d in base_domains if d}, key=len, reverse=True)
    for domain in domains:
        if name == domain:
            return None
        if name.endswith("." + domain):
            return name[: -len(domain) - 1]
    if "s3.amazonaws.com" in domains and name.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        m = _AWS_REGIONAL.fullmatch(name)
        if m:
            return m.group("bucket")
    return None


def s3_target(
    host: str | None, raw_path: str, base_domains: Iterable[str] = DEFAULT_BASE_DOMAINS
) -> tuple[str | None, str | None]:
    """``(bucket, key)`` of an S3 request, either possibly ``None``.

    Virtual-host style when ``host`` is ``<bucket>.<base domain>`` (or an AWS regional S3
    host when ``s3.amazonaws.com`` is a base domain); otherwise path style
    (``/bucket/key``). The key keeps its slashes and is percent-decoded; an escape that does
    not decode is S3's ``InvalidURI``.
    """
    path = raw_path.split("?", 1)[0]
    if path.startswith("/"):
        path = path[1:]
    bucket = _virtual_bucket(host, base_domains)
    if bucket is None:
        first, _, rest = path.partition("/")
        if not first:
            return None, None
        bucket = _decode_path(first)
        return bucket, (_decode_path(rest) if rest else None)
    return bucket, (_decode_path(path) if path else None)


# --- results ----------------------------------------------------------------------------

#: The root element of an operation's XML body. botocore's JSON models drop the Smithy
#: ``@xmlName`` of output structures, so the well-known ones are listed here;
#: anything else falls back to ``<Operation>Result``.
ROOT_NAMES: dict[str, str] = {
    "ListBuckets": "ListAllMyBucketsResult",
    "ListDirectoryBuckets": "ListAllMyDirectoryBucketsResult",
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
    "ListObjectVersions": "ListVersionsResult",
    "ListMultipartUploads": "ListMultipartUploadsResult",
    "ListParts": "ListPartsResult",
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "CompleteMultipartUpload": "CompleteMultipartUploadResult",
    "DeleteObjects": "DeleteResult",
    "GetBucketAcl": "AccessControlPolicy",
    "GetObjectAcl": "AccessControlPolicy",
    "GetBucketTagging": "Tagging",
    "GetObjectTagging": "Tagging",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetBucketCors": "CORSConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketWebsite": "WebsiteConfiguration",
    "GetBucketLogging": "BucketLoggingStatus",
    "GetBucketRequestPayment": "RequestPaymentConfiguration",
    "GetBucketAccelerateConfiguration": "AccelerateConfiguration",
    "GetObjectAttributes": "GetObjectAttributesResponse",
}

#: Operations whose body is one element holding the value of their single member as text.
TEXT_ROOTS: dict[str, str] = {"GetBucketLocation": "LocationConstraint"}


def _header_fmt(shape: Shape) -> xml.Fmt:
    t = shape.type_name
    if t == "timestamp":
        # Headers default to the HTTP date; a member may ask for ISO 8601 (object lock).
        fmt = shape.serialization.get("timestampFormat")
        return xml.iso8601_millis if fmt == "iso8601" else xml.timestamp_formatter(fmt, xml.rfc822)
    if t == "boolean":
        return lambda v: "true" if v else "false"
    if t in ("integer", "long"):
        return lambda v: str(int(v))
    return str


@dataclass(frozen=True, slots=True)
class _S3Op:
    body: Callable[[Mapping[str, Any]], bytes]
    headers: Callable[[Mapping[str, Any]], dict[str, str]]


def _compile_headers(shape: StructureShape | None) -> Callable[[Mapping[str, Any]], dict[str, str]]:
    singles: list[tuple[str, str, xml.Fmt]] = []
    prefixed: list[tuple[str, str]] = []
    if shape is not None:
        for name, member in shape.members.items():
            where = member.serialization.get("location")
            if where == "header":
                singles.append((name, member.serialization.get("name", name), _header_fmt(member)))
            elif where == "headers":
                prefixed.append((name, member.serialization.get("name", "")))

    def headers(result: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, header, fmt in singles:
            v = result.get(name)
            if v is not None:
                out[header] = fmt(v)
        for name, prefix in prefixed:
            for k, v in (result.get(name) or {}).items():
                out[prefix + k] = str(v)
        return out

    return headers


def _compile_body(writer: xml.ShapeWriter, op: OperationModel) -> Callable[[Mapping[str, Any]], bytes]:
    shape = op.output_shape
    if shape is None:
        return lambda result: b""
    assert isinstance(shape, StructureShape)
    ns = f' xmlns="{S3_NAMESPACE}"'
    text_root = TEXT_ROOTS.get(op.name)
    if text_root is not None:
        (member_name,) = [n for n, m in shape.members.items() if not m.serialization.get("location")]

        def render_text(result: Mapping[str, Any]) -> bytes:
            v = result.get(member_name)
            if not v:
                return f"{XML_DECLARATION}<{text_root}{ns}/>".encode()
            return f"{XML_DECLARATION}<{text_root}{ns}>{xml.escape(str(v))}</{text_root}>".encode()

        return render_text
    payload = shape.serialization.get("payload")
    if payload is not None:
        member = shape.members[payload]
        if not isinstance(member, StructureShape):
            # A streaming/blob/string payload is the body itself.
            def render_raw(result: Mapping[str, Any]) -> bytes:
                v = result.get(payload)
                if v is None:
                    return b""
                return v.encode() if isinstance(v, str) else bytes(v)

            return render_raw
        root = member.serialization.get("name", member.name)
        content = writer.content(member)

        def render_payload(result: Mapping[str, Any]) -> bytes:
            v = result.get(payload)
            if v is None:
                return b""
            out = [XML_DECLARATION, f"<{root}{ns}>"]
            content(v, out)
            out.append(f"</{root}>")
            return "".join(out).encode()

        return render_payload
    if all(m.serialization.get("location") for m in shape.members.values()):
        return lambda result: b""  # everything is in headers (PutObject, CreateBucket...)
    root = ROOT_NAMES.get(op.name, f"{op.name}Result")
    body = writer.content(shape)

    def render(result: Mapping[str, Any]) -> bytes:
        out = [XML_DECLARATION, f"<{root}{ns}>"]
        body(result, out)
        out.append(f"</{root}>")
        return "".join(out).encode()

    return render


class S3Renderer:
    """Compiled renderers for the operations of one REST-XML model (default: botocore's s3)."""

    def __init__(self, model: Any = None) -> None:
        self.model = model if model is not None else load_model("s3")
        # S3 sends XML timestamps with milliseconds: 2006-02-03T16:45:09.000Z.
        self._writer = xml.ShapeWriter(xml.iso8601_millis, policy_shapes=frozenset())
        self._ops: dict[str, _S3Op] = {}

    def _op(self, op: OperationModel | str) -> _S3Op:
        name = op if isinstance(op, str) else op.name
        compiled = self._ops.get(name)
        if compiled is None:
            model = self.model.operation_model(name)
            shape = model.output_shape
            compiled = _S3Op(
                _compile_body(self._writer, model),
                _compile_headers(shape if isinstance(shape, StructureShape) else None),
            )
            self._ops[name] = compiled
        return compiled

    def body(self, op: OperationModel | str, result: Mapping[str, Any]) -> bytes:
        return self._op(op).body(result)

    def headers(self, op: OperationModel | str, result: Mapping[str, Any]) -> dict[str, str]:
        return self._op(op).headers(result)


@cache
def s3_renderer() -> S3Renderer:
    return S3Renderer()


def render_s3_result(op: OperationModel | str, result: Mapping[str, Any]) -> bytes:
    """The XML body of an S3 operation's result (``b""`` when everything is in headers)."""
    return s3_renderer().body(op, result)


def s3_result_headers(op: OperationModel | str, result: Mapping[str, Any]) -> dict[str, str]:
    """The header-bound output members of ``result`` (``ETag``, ``x-amz-meta-*``...)."""
    return s3_renderer().headers(op, result)
