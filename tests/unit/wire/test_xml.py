"""credmint.wire.xml: character escaping (hostile text survives a real XML parser unchanged),
the timestamp forms of each protocol, and the Query error documents, checked byte-for-byte
and through botocore's parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.etree import ElementTree

import pytest
from botocore.parsers import QueryParser

from credmint import errors
from credmint.iam import errors as iam_errors
from credmint.wire import query_service, render_error
from credmint.wire.xml import (
    epoch_seconds,
    escape,
    escape_any,
    escape_attr,
    iso8601_millis,
    iso8601_seconds,
    rfc822,
    timestamp_formatter,
)

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


HOSTILE = [
    "plain",
    "",
    "a & b < c > d",
    "&amp; is already escaped",
    "]]> ends a CDATA section",
    "<![CDATA[x]]>",
    '<!DOCTYPE x [<!ENTITY e "boom">]>&e;',
    "line\r\nbreaks\rkept",
    "quotes \" and ' apostrophes",
    "unicode: é ü 中文 \U0001f600",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_parses_back_unchanged(text: str) -> None:
    doc = f'<a b="{escape_attr(text)}">{escape(text)}</a>'
    element = ElementTree.fromstring(doc)
    assert (element.text or "") == text
    # Attribute values are normalised by the parser (a line feed reads back as a space);
    # credmint's attributes carry namespaces and enum values (xsi:type), never free text.
    assert element.get("b") == text.replace("\n", " ")


@pytest.mark.parametrize("text", [*HOSTILE, "nul\x00", "\x01\x08\x0b\x0c\x1f", "lone \ud800", "\ufffe\uffff"])
def test_escape_any_parses_whatever_the_text_holds(text: str) -> None:
    """What XML 1.0 can hold reads back unchanged; the rest as U+FFFD."""
    element = ElementTree.fromstring(f"<a>{escape_any(text)}</a>")
    expected = "".join(
        "\ufffd" if (c < " " and c not in "\t\n\r") or "\ud800" <= c <= "\udfff" or c in "\ufffe\uffff" else c
        for c in text
    )
    assert (element.text or "") == expected


def test_a_query_error_quoting_what_xml_cannot_hold_still_parses() -> None:
    """InvalidAction quotes the Action a request sent (``Action=a%00b``)."""
    body = render_error(errors.InvalidAction("a\x00b", None), STS_NS, "r")
    message = ElementTree.fromstring(body).find(".//{*}Message")
    assert message is not None
    assert message.text == "Could not find operation a\ufffdb for version NO_VERSION_SPECIFIED"


def test_escape_leaves_clean_text_alone() -> None:
    clean = "AROAEXAMPLE:session-name"
    assert escape(clean) is clean
    assert escape("\r") == "&#xD;"  # a bare CR would be read back as LF


T = datetime(2024, 2, 17, 17, 50, 39, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds", "millis", "http", "epoch"),
    [
        (T, "2024-02-17T17:50:39Z", "2024-02-17T17:50:39.123Z", "Sat, 17 Feb 2024 17:50:39 GMT", "1708192239.123456"),
        # Naive means UTC; another zone is converted.
        (T.replace(tzinfo=None), "2024-02-17T17:50:39Z", "2024-02-17T17:50:39.123Z", None, None),
        (
            T.astimezone(timezone(timedelta(hours=-5))),
            "2024-02-17T17:50:39Z",
            "2024-02-17T17:50:39.123Z",
            "Sat, 17 Feb 2024 17:50:39 GMT",
            None,
        ),
        (1708192239, "2024-02-17T17:50:39Z", "2024-02-17T17:50:39.000Z", "Sat, 17 Feb 2024 17:50:39 GMT", "1708192239"),
        # Text is passed through as already formatted.
        ("as given", "as given", "as given", "as given", "as given"),
    ],
)
def test_timestamps(value: Any, seconds: str, millis: str, http: str | None, epoch: str | None) -> None:
    assert iso8601_seconds(value) == seconds
    assert iso8601_millis(value) == millis
    if http is not None:
        assert rfc822(value) == http
    if epoch is not None:
        assert epoch_seconds(value) == epoch


@pytest.mark.parametrize("value", [None, [], b"2024", object()])
def test_what_is_not_a_timestamp_is_refused(value: Any) -> None:
    for fmt in (iso8601_seconds, iso8601_millis, rfc822, epoch_seconds):
        with pytest.raises(TypeError):
            fmt(value)


def test_a_shapes_timestamp_format_wins_over_the_protocols() -> None:
    assert timestamp_formatter("rfc822", iso8601_seconds) is rfc822
    assert timestamp_formatter("unixTimestamp", iso8601_seconds) is epoch_seconds
    assert timestamp_formatter("iso8601", iso8601_millis) is iso8601_millis
    assert timestamp_formatter(None, iso8601_seconds) is iso8601_seconds


def test_iso8601_seconds_cache_answers_by_instant() -> None:
    # The formatter is cached by value: equal values (one instant in any zone, an epoch
    # number) share the text; values a second apart, naive or aware, never do.
    base = datetime(2024, 2, 17, 17, 50, 39, tzinfo=UTC)
    seen = [
        (base, "2024-02-17T17:50:39Z"),
        (base.astimezone(timezone(timedelta(hours=3))), "2024-02-17T17:50:39Z"),
        (base.replace(tzinfo=None), "2024-02-17T17:50:39Z"),
        (base.replace(tzinfo=timezone(timedelta(hours=3))), "2024-02-17T14:50:39Z"),
        (base + timedelta(seconds=1), "2024-02-17T17:50:40Z"),
        (base + timedelta(microseconds=999_999), "2024-02-17T17:50:39Z"),
        (1708192240, "2024-02-17T17:50:40Z"),
        (1708192240.5, "2024-02-17T17:50:40Z"),
    ]
    for _ in range(2):
        for value, text in seen:
            assert iso8601_seconds(value) == text
