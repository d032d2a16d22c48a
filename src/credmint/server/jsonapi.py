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

import re
from functools import cache

from botocore.model import ServiceModel

from credmint import errors
from credmint.api import Operation
from credmint.audit.recorder import current_facts
from credmint.cloudtrail import service as cloudtrail
from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.orgs import errors as orgs_errors
from credmint.server import accesslog, registry
from credmint.server.edge import Edge, note_error
from credmint.server.node import Node
from credmint.wire import QueryService, json_protocol, load_model

#: Status, headers and body of one answer.
Response = tuple[int, list[tuple[bytes, bytes]], bytes]

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
            raise errors.UnknownOperation()
        # Target prefixes contain dots themselves (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101).
        prefix, _, name = (req.header("x-amz-target") or "").rpartition(".")
        facts = current_facts.get()
        if facts is not None:
            facts.operation = name[:128] or None
        if prefix != model.metadata.get("targetPrefix") or name not in model.operation_names or name not in table:
            raise errors.UnknownOperation(unknown_target=True)
        op = table[name]
        accesslog.current().operation = name
        op_model = model.operation_model(name)
        now = node.now()
        principal = await edge.authenticate(req, service, op, now)
        params = json_protocol.decode_body(op_model, req.body)
        if facts is not None:
            facts.params = params
        failures = checker.validation_errors(op_model, params)
        if failures:
            raise _INVALID_INPUT[service](failures[0])
        call = node.call(service, name, params, principal, req, now, request_id)
        result = await edge.run_operation(op, call, call.params)
        if facts is not None:
            facts.result = result
        headers = [(b"content-type", json_protocol.CONTENT_TYPE), (b"x-amzn-requestid", request_id.encode())]
        return 200, headers, json_protocol.encode_result(op_model, result)
    except AwsError as err:
        return render_error(err, request_id)


def render_error(err: AwsError, request_id: str) -> Response:
    status, code, body = json_protocol.encode_error(err)
    note_error(code, err.message)
    headers = [(b"content-type", json_protocol.CONTENT_TYPE), (b"x-amzn-requestid", request_id.encode())]
    return status, headers, body


def _invalid_input(failure: str) -> AwsError:
    m = _FAILURE.search(failure)
    path, constraint = (m.group(1), m.group(2)) if m else ("input", failure)
    reason = next((r for text, r in _REASONS if text in constraint), "INVALID_INPUT")
    return orgs_errors.InvalidInput.value(path, reason)


#: Each JSON service's error for a model constraint failure.
_INVALID_INPUT = {"organizations": _invalid_input, "cloudtrail": cloudtrail.invalid_input}
