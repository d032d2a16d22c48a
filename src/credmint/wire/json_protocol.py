"""The AWS JSON 1.1 protocol's codec (Organizations, CloudTrail), without I/O.

A request body is a JSON object decoded against the botocore model of the operation
(:func:`decode_body`: JSON types checked, timestamps and blobs converted, unknown members
dropped, anything else ``SerializationException``); a result is rendered from the output
shape (:func:`encode_result`: timestamps as epoch seconds, which botocore's JSON parser
reads, blobs as base64); an error is ``{"__type": code, "message": text}`` plus the modeled
members some exceptions carry (:func:`encode_error`). The edge's errors, raised in Query
terms, take the names JSON services answer with.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from credmint.errors import AwsError, SerializationException
from credmint.httpreq import is_storable

CONTENT_TYPE = b"application/x-amz-json-1.1"

#: Front-end errors raised in Query terms, renamed as JSON-protocol services answer them,
#: with the status they answer when it differs (a denial is 400, not the Query's 403).
JSON_CODES: dict[str, tuple[str, int | None]] = {
    "AccessDenied": ("AccessDeniedException", 400),
    "InvalidClientTokenId": ("UnrecognizedClientException", None),
    "SignatureDoesNotMatch": ("InvalidSignatureException", None),
    "MissingAuthenticationToken": ("MissingAuthenticationTokenException", None),
    "IncompleteSignature": ("IncompleteSignatureException", None),
    "ExpiredToken": ("ExpiredTokenException", None),
    "InternalFailure": ("InternalFailure", None),
}

class _Serialization(Exception):
    """The body does not match the model's JSON types."""




def encode_error(err: AwsError) -> tuple[int, str, bytes]:
    """``(status, code, body)`` of an error answer."""
    code, renamed_status = JSON_CODES.get(err.code, (err.code, None))
    status = renamed_status if renamed_status is not None else err.status
    body: dict[str, Any] = {"__type": code}
    if err.message is not None:
        body["message"] = err.message
    for key, value in err.extra:
        body[key] = value
    return status, code, json.dumps(body, separators=(",", ":")).encode()


def encode_result(op: OperationModel, result: Mapping[str, Any] | None) -> bytes:
    """The success body of ``op`` for ``result``."""
    out = _render(op.output_shape, result or {}) if op.output_shape is not None else {}
    return json.dumps(out, separators=(",", ":")).encode()


# --- decoding -------------------------------------------------------------------------------


def decode_body(op: OperationModel, body: bytes) -> dict[str, Any]:
    """The operation's input from a JSON body: types checked against the model, timestamps
    and blobs converted, unknown members dropped; ``SerializationException`` otherwise."""
    shape = op.input_shape
    try:
        raw = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: a body nested deeper than the parser's stack (no modeled input
        # nests more than a few levels) is malformed input, not a server fault.
        raise SerializationException() from None
    if shape is None:
        return {}
    try:
        value = _decode(shape, raw)
    except _Serialization:
        raise SerializationException() from None
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
        if not all(is_storable(k) for k in value):
            raise _Serialization
        return {k: _decode(shape.value, v) for k, v in value.items() if v is not None}
    if t == "string":
        # JSON can write a NUL (``\\u0000``) and an unpaired surrogate (``\\udc80``);
        # accepted, they failed the write that came to store them. No string a JSON service
        # takes needs either, and AWS's answer to them is not documented: refused as the
        # body's error (SerializationException), the safer reading.
        if not isinstance(value, str) or not is_storable(value):
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
