"""AWS JSON 1.1 protocol services (``X-Amz-Target``), such as Organizations.

A request is ``POST /`` with ``X-Amz-Target: <targetPrefix>.<Operation>`` and a JSON
object body. It is authenticated exactly as a Query request (SigV4, the one lookup at
the edge), decoded against the botocore model (JSON types checked, timestamps and blobs
converted, unknown members ignored), validated against the model's constraints, run,
and rendered from the output shape: timestamps as epoch seconds (botocore's JSON parser
reads numbers), blobs as base64. Errors are ``{"__type": code, "message": text}`` plus
the modeled members some exceptions carry (``Reason``), with ``x-amzn-requestid``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from credmint import errors
from credmint.api import Operation
from credmint.audit.recorder import current_facts
from credmint.cloudtrail import service as cloudtrail
from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.server import accesslog, registry
from credmint.server.edge import Edge
from credmint.server.node import Node
from credmint.wire import QueryService, load_model

#: Status, headers and body of one answer.
Response = tuple[int, list[tuple[bytes, bytes]], bytes]

CONTENT_TYPE = b"application/x-amz-json-1.1"

#: Front-end errors raised in Query terms, renamed as JSON-protocol services answer them.
_JSON_CODES = {
    "AccessDenied": "AccessDeniedException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "IncompleteSignature": "IncompleteSignatureException",
    "ExpiredToken": "ExpiredTokenException",
    "InternalFailure": "InternalFailure",
}

#: Organizations answers model-constraint failures with ``InvalidInputException`` and a
#: reason (AWS's exact message texts for each are unconfirmed).
_REASONS = (
    ("must not be null", "INPUT_REQUIRED"),
    ("regular expression pattern", "INVALID_PATTERN"),
    ("enum value set", "INVALID_ENUM"),
    ("length less than or equal", "MAX_LENGTH_EXCEEDED"),
    ("length greater than or equal", "MIN_LENGTH_EXCEEDED"),
    ("value less than or equal", "MAX_VALUE_EXCEEDED"),
    ("value greater than or equal", "MIN_VALUE_EXCEEDED"),
)
_FAILURE = re.compile(r"at '([^']*)' failed to satisfy constraint: (.*)\Z", re.DOTALL)


class _Serialization(Exception):
    """The body does not match the model's JSON types."""


@cache
def _service(name: str) -> tuple[ServiceModel, QueryService, dict[str, Operation]]:
    model = load_model(name)
    # The Query compiler's constraint checks depend on the model only, not on the protocol.
    return model, QueryService(model, echo_values=True), registry.JSON_OPERATIONS[name]


async def handle_json(edge: Edge, node: Node, req: HttpRequest, service: str, request_id: str) -> Response:
    """Decode, authenticate, run and render one JSON-protocol call."""
    try:
        model, checker, table = _service(service)
        if req.method != "POST" or req.raw_path not in ("/", ""):
            raise AwsError("UnknownOperationException", None, 404)
        # Target prefixes contain dots themselves (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101).
        prefix, _, name = (req.header("x-amz-target") or "").rpartition(".")
        facts = current_facts.get()
        if facts is not None:
            facts.operation = name[:128] or None
        if prefix != model.metadata.get("targetPrefix") or name not in model.operation_names or name not in table:
            raise AwsError("UnknownOperationException", None, 400)
        op = table[name]
        accesslog.current().operation = name
        op_model = model.operation_model(name)
        now = node.now()
        principal = await edge.authenticate(req, service, op, now)
        params = _decode_body(op_model, req.body)
        if facts is not None:
            facts.params = params
        failures = checker.validation_errors(op_model, params)
        if failures:
            raise _INVALID_INPUT[service](failures[0])
        call = node.call(service, name, params, principal, req, now, request_id)
        result = await edge.run_operation(op, call, call.params)
        if facts is not None:
            facts.result = result
        out = _render(op_model.output_shape, result or {}) if op_model.output_shape is not None else {}
        headers = [(b"content-type", CONTENT_TYPE), (b"x-amzn-requestid", request_id.encode())]
        headers.extend((k.encode(), v.encode()) for k, v in call.headers.items())
        return 200, headers, json.dumps(out, separators=(",", ":")).encode()
    except AwsError as err:
        return render_error(err, request_id)


def render_error(err: AwsError, request_id: str) -> Response:
    code = _JSON_CODES.get(err.code, err.code)
    accesslog.current().error_code = code
    facts = current_facts.get()
    if facts is not None:
        facts.error_code, facts.error_message = code, err.message
    status = 400 if err.code == "AccessDenied" else err.status
    body: dict[str, Any] = {"__type": code}
    if err.message is not None:
        body["message"] = err.message
    for key, value in err.extra:
        body[key] = value
    headers = [(b"content-type", CONTENT_TYPE), (b"x-amzn-requestid", request_id.encode())]
    return status, headers, json.dumps(body, separators=(",", ":")).encode()


def _invalid_input(failure: str) -> AwsError:
    m = _FAILURE.search(failure)
    path, constraint = (m.group(1), m.group(2)) if m else ("input", failure)
    reason = next((r for text, r in _REASONS if text in constraint), "INVALID_INPUT")
    return errors.org_invalid_input(f"You specified an invalid value for {path}.", reason)


#: Each JSON service's error for a model constraint failure.
_INVALID_INPUT = {"organizations": _invalid_input, "cloudtrail": cloudtrail.invalid_input}


# --- decoding -------------------------------------------------------------------------------


def _decode_body(op: OperationModel, body: bytes) -> dict[str, Any]:
    shape = op.input_shape
    try:
        raw = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: a body nested deeper than the parser's stack (no modeled input
        # nests more than a few levels) is malformed input, not a server fault.
        raise AwsError("SerializationException", None, 400) from None
    if shape is None:
        return {}
    try:
        value = _decode(shape, raw)
    except _Serialization:
        raise AwsError("SerializationException", None, 400) from None
    assert isinstance(value, dict)
    return value


def _decode(shape: Shape, value: Any) -> Any:
    t = shape.type_name
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            raise _Serialization
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            v = value.get(name)
            if v is not None:
                out[name] = _decode(member, v)
        return out
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            raise _Serialization
        return [_decode(shape.member, v) for v in value if v is not None]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            raise _Serialization
        return {str(k): _decode(shape.value, v) for k, v in value.items() if v is not None}
    if t == "string":
        if not isinstance(value, str):
            raise _Serialization
        return value
    if t in ("integer", "long", "short", "byte"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Serialization
        return value
    if t in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Serialization
        return float(value)
    if t == "boolean":
        if not isinstance(value, bool):
            raise _Serialization
        return value
    if t == "timestamp":
        return _timestamp(value)
    if t == "blob":
        if not isinstance(value, str):
            raise _Serialization
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _Serialization from None
    return value


def _timestamp(value: Any) -> datetime:
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise _Serialization


# --- rendering ------------------------------------------------------------------------------


def _render(shape: Shape, value: Any) -> Any:
    if isinstance(shape, StructureShape):
        assert isinstance(value, Mapping)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            v = value.get(name)
            if v is not None:
                out[name] = _render(member, v)
        return out
    if isinstance(shape, ListShape):
        return [_render(shape.member, v) for v in value]
    if isinstance(shape, MapShape):
        return {k: _render(shape.value, v) for k, v in value.items()}
    if shape.type_name == "timestamp":
        assert isinstance(value, datetime)
        return value.timestamp()
    if shape.type_name == "blob":
        return base64.b64encode(value).decode("ascii")
    return value
