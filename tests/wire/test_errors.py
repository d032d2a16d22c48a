"""Query error documents, checked byte-for-byte and through botocore's parser."""

from __future__ import annotations

import pytest
from botocore.parsers import QueryParser

from credmint import errors
from credmint.iam import errors as iam_errors
from credmint.wire import query_service, render_error

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def _parse(body: bytes, status: int) -> dict[str, object]:
    op = query_service("sts").model.operation_model("GetCallerIdentity")
    parsed: dict[str, object] = QueryParser().parse(
        {"body": body, "headers": {}, "status_code": status}, op.output_shape
    )
    return parsed


def test_validation_error_document() -> None:
    err = errors.ValidationError("1 validation error detected: Value 'a<b' at 'x' failed")
    body = render_error(err, STS_NS, "c7e4a2a1")
    assert body == (
        b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        b"<Code>ValidationError</Code><Message>1 validation error detected: Value 'a&lt;b' at 'x' failed</Message>"
        b"</Error><RequestId>c7e4a2a1</RequestId></ErrorResponse>"
    )
    parsed = _parse(body, 400)
    assert parsed["Error"] == {
        "Type": "Sender",
        "Code": "ValidationError",
        "Message": "1 validation error detected: Value 'a<b' at 'x' failed",
    }
    assert parsed["ResponseMetadata"]["RequestId"] == "c7e4a2a1"  # type: ignore[index]


def test_invalid_action_uses_the_aws_fault_namespace() -> None:
    body = render_error(errors.InvalidAction("Nope", None), STS_NS, "r")
    assert body.startswith(b'<ErrorResponse xmlns="http://webservices.amazon.com/AWSFault/2005-15-09">')
    assert b"<Message>Could not find operation Nope for version NO_VERSION_SPECIFIED</Message>" in body


def test_message_omitted_when_none() -> None:
    body = render_error(errors.MalformedInput(), STS_NS, "r")
    assert b"<Message>" not in body
    assert _parse(body, 400)["Error"] == {"Type": "Sender", "Code": "MalformedInput"}


def test_receiver_fault_for_5xx() -> None:
    body = render_error(errors.InternalFailure(), "https://iam.amazonaws.com/doc/2010-05-08/", "r")
    assert b"<Type>Receiver</Type><Code>InternalFailure</Code>" in body
    assert b'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"' in body


@pytest.mark.parametrize(
    ("err", "body"),
    [
        (errors.RequestEntityTooLarge(), b""),
        (errors.UnknownOperation(), b"<UnknownOperationException/>"),
    ],
)
def test_special_bodies(err: errors.AwsError, body: bytes) -> None:
    assert render_error(err, STS_NS, "r") == body


def test_service_helper_uses_its_namespace() -> None:
    body = query_service("iam").render_error(iam_errors.NoSuchEntity.user("x"), "r")
    assert body.startswith(b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">')
