"""credmint.wire.json_protocol: the AWS JSON 1.1 codec against the Organizations model."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from credmint import errors
from credmint.errors import AwsError
from credmint.wire import json_protocol, load_model

MODEL = load_model("organizations")


def _decode(operation: str, body: bytes) -> dict[str, object]:
    return json_protocol.decode_body(MODEL.operation_model(operation), body)


def test_members_are_typed_and_unknown_ones_dropped() -> None:
    got = _decode("CreateOrganizationalUnit", b'{"ParentId": "r-abcd", "Name": "ou", "Other": 1}')
    assert got == {"ParentId": "r-abcd", "Name": "ou"}


def test_an_empty_body_is_an_empty_input() -> None:
    assert _decode("DescribeOrganization", b"  ") == {}


@pytest.mark.parametrize(
    "body",
    [
        b"{",  # not JSON
        b"\xff\xfe",  # not UTF-8
        b"[]",  # not an object
        b'{"ParentId": 7, "Name": "ou"}',  # a number for a string
        b'{"ParentId": "r-abcd", "Name": "ou", "Tags": {"Key": "k"}}',  # an object for a list
        b"[" * 100_000 + b"]" * 100_000,  # deeper than the parser's stack
        b'{"ParentId": "r-abcd", "Name": "o\\udce9u"}',  # a lone surrogate
        b'{"ParentId": "r-abcd", "Name": "\\ud800"}',
        b'{"ParentId": "r-abcd", "Name": "o\\u0000u"}',  # a NUL
        b'{"ParentId": "r-abcd", "Name": "ou", "Tags": [{"Key": "k", "Value": "\\u0000"}]}',
    ],
)
def test_hostile_bodies_are_serialization_errors(body: bytes) -> None:
    with pytest.raises(AwsError) as info:
        _decode("CreateOrganizationalUnit", body)
    assert (info.value.code, info.value.status) == ("SerializationException", 400)


def test_results_render_timestamps_as_epoch_seconds() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    op = MODEL.operation_model("DescribeAccount")
    body = json_protocol.encode_result(op, {"Account": {"Id": "123456789012", "JoinedTimestamp": at}})
    assert json.loads(body) == {"Account": {"Id": "123456789012", "JoinedTimestamp": at.timestamp()}}


def test_edge_errors_take_the_json_names_and_a_denial_is_400() -> None:
    status, code, body = json_protocol.encode_error(errors.AccessDenied("no"))
    assert (status, code) == (400, "AccessDeniedException")
    assert json.loads(body) == {"__type": "AccessDeniedException", "message": "no"}


@pytest.mark.parametrize("name", ["Zoë", "名前", "emoji \U0001f600", "tab\tand newline\n"])
def test_text_beyond_ascii_is_taken(name: str) -> None:
    """Escaped or not, text that is text is taken as it is (a surrogate pair is one character)."""
    for body in (
        json.dumps({"ParentId": "r-abcd", "Name": name}),
        json.dumps({"ParentId": "r-abcd", "Name": name}, ensure_ascii=False),
    ):
        assert _decode("CreateOrganizationalUnit", body.encode())["Name"] == name


def test_a_tag_that_is_not_text_is_refused() -> None:
    good = {"ResourceId": "r-abcd", "Tags": [{"Key": "k", "Value": "v"}]}
    assert _decode("TagResource", json.dumps(good).encode())
    bad = {"ResourceId": "r-abcd", "Tags": [{"Key": "\udc80", "Value": "v"}]}
    with pytest.raises(AwsError):
        _decode("TagResource", json.dumps(bad).encode())
