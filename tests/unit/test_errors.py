"""Every error class, pinned: its code, status, message and extra members, from one table.

A change to any wording or status fails here, and a new error class fails
``test_every_error_class_is_in_the_table`` until its row is added. Each row also renders
through the three protocols' renderers.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import NamedTuple

import pytest

from credmint import errors
from credmint.errors import AwsError
from credmint.wire import json_protocol, render_error
from credmint.wire.s3 import render_s3_error

#: The modules that hold error classes; a class defined anywhere else is not looked for.
ERROR_MODULES = ("credmint.errors",)


class Row(NamedTuple):
    make: Callable[[], AwsError]
    code: str
    status: int
    message: str | None
    extra: tuple[tuple[str, str], ...] = ()



ROWS: dict[str, Row] = {
    # --- the protocol's own errors
    "InvalidAction": Row(
        lambda: errors.InvalidAction("Nope", "2011-06-15"),
        "InvalidAction",
        400,
        "Could not find operation Nope for version 2011-06-15",
    ),
    "InvalidAction-no-version": Row(
        lambda: errors.InvalidAction("Nope", None),
        "InvalidAction",
        400,
        "Could not find operation Nope for version NO_VERSION_SPECIFIED",
    ),
    "ValidationError": Row(lambda: errors.ValidationError("bad value"), "ValidationError", 400, "bad value"),
    "MalformedInput": Row(lambda: errors.MalformedInput(), "MalformedInput", 400, None),
    "MalformedInput-decimal": Row(
        lambda: errors.MalformedInput(missing_decimal=True), "MalformedInput", 400, "missing value for decimal type"
    ),
    "MissingParameter": Row(
        lambda: errors.MissingParameter("RoleArn"),
        "MissingParameter",
        400,
        "The request must contain the parameter RoleArn",
    ),
    "MalformedQueryString-trailing": Row(
        lambda: errors.MalformedQueryString("%4"),
        "MalformedQueryString",
        400,
        "Incomplete trailing escape % sequence",
    ),
    "MalformedQueryString-hex": Row(
        lambda: errors.MalformedQueryString("%zz"),
        "MalformedQueryString",
        400,
        "Illegal hex character in escape % pattern: %zz",
    ),
    "SerializationException": Row(lambda: errors.SerializationException(), "SerializationException", 400, None),
    "RequestEntityTooLarge": Row(lambda: errors.RequestEntityTooLarge(), "RequestEntityTooLarge", 413, None),
    "RequestTimeout": Row(
        lambda: errors.RequestTimeout(),
        "RequestTimeout",
        400,
        "Your socket connection to the server was not read from or written to within the timeout period. "
        "Idle connections will be closed.",
    ),
    "RequestHeaderSectionTooLarge": Row(
        lambda: errors.RequestHeaderSectionTooLarge(),
        "RequestHeaderSectionTooLarge",
        400,
        "Your request header section exceeds the maximum allowed size.",
    ),
    "InternalFailure": Row(
        lambda: errors.InternalFailure(),
        "InternalFailure",
        500,
        "The request processing has failed because of an unknown error, exception or failure.",
    ),
    "ServiceUnavailable": Row(
        lambda: errors.ServiceUnavailable(),
        "ServiceUnavailable",
        503,
        "The request has failed due to a temporary failure of the server.",
    ),
    "UnknownOperation": Row(lambda: errors.UnknownOperation(), "UnknownOperationException", 404, None),
    "UnknownOperation-target": Row(
        lambda: errors.UnknownOperation(unknown_target=True), "UnknownOperationException", 400, None
    ),
    "MissingAuthenticationToken": Row(
        lambda: errors.MissingAuthenticationToken(),
        "MissingAuthenticationToken",
        403,
        "Request is missing Authentication Token",
    ),
    "InvalidClientTokenId": Row(
        lambda: errors.InvalidClientTokenId(),
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid.",
    ),
    "InvalidClientTokenId-iam": Row(
        lambda: errors.InvalidClientTokenId(period=False),
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid",
    ),
    "ExpiredToken": Row(
        lambda: errors.ExpiredToken(), "ExpiredToken", 403, "The security token included in the request is expired"
    ),
    "AccessDenied": Row(lambda: errors.AccessDenied("no"), "AccessDenied", 403, "no"),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_error_is_pinned(row: Row) -> None:
    err = row.make()
    assert (err.code, err.status, err.message, err.extra) == (row.code, row.status, row.message, row.extra)
    assert err.fault == ("Receiver" if row.status >= 500 else "Sender")


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_every_protocol_renders_it(row: Row) -> None:
    err = row.make()
    query = render_error(err, "https://sts.amazonaws.com/doc/2011-06-15/", "req")
    s3 = render_s3_error(err, "req", "host")
    status, code, body = json_protocol.encode_error(err)
    assert json.loads(body)["__type"] == code
    if err.empty_body:
        assert query == s3 == b""
        return
    assert row.code.encode() in query
    assert f"<Code>{row.code}</Code>".encode() in s3
    assert status in (400, row.status)


def _classes(base: type[AwsError]) -> set[type[AwsError]]:
    found: set[type[AwsError]] = set()
    for sub in base.__subclasses__():
        found |= {sub} | _classes(sub)
    return found


def test_every_error_class_is_in_the_table() -> None:
    for name in ERROR_MODULES:
        importlib.import_module(name)
    defined = {c for c in _classes(AwsError) if c.__module__ in ERROR_MODULES and c is not errors.CodedError}
    pinned = {type(row.make()) for row in ROWS.values()}
    assert sorted(c.__qualname__ for c in defined - pinned) == []
