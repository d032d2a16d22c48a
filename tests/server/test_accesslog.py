"""Access-log lines: query-string redaction (with hostile input), the two formats, bounds."""

from __future__ import annotations

import asyncio
import json
import logging
import threading

import pytest

from credmint.redaction import SECRET_QUERY_PARAMETERS
from credmint.s3.log_delivery import request_uri
from credmint.server import accesslog
from credmint.server.accesslog import REDACTED, AccessFormatter, Exchange, logged_path, redact_query


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", ""),
        ("list-type=2&prefix=a", "list-type=2&prefix=a"),
        (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host"
            "&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLETOKEN&X-Amz-Signature=deadbeef",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=<redacted>&X-Amz-Date=20260101T000000Z"
            "&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token=<redacted>&X-Amz-Signature=<redacted>",
        ),
        (
            "AWSAccessKeyId=AKIAEXAMPLE&Signature=abc%2Bdef%3D&Expires=1700000000&x-amz-security-token=tok",
            "AWSAccessKeyId=<redacted>&Signature=<redacted>&Expires=1700000000&x-amz-security-token=<redacted>",
        ),
        # names compared case-insensitively and after percent-decoding, as the parsers read them
        (
            "x-amz-signature=1&X%2DAmz%2DSignature=2&SIGNATURE=3",
            "x-amz-signature=<redacted>&X%2DAmz%2DSignature=<redacted>&SIGNATURE=<redacted>",
        ),
        (
            "Action=AssumeRole&SerialNumber=arn&TokenCode=123456",
            "Action=AssumeRole&SerialNumber=arn&TokenCode=<redacted>",
        ),
        ("Action=AssumeRoleWithSAML&SAMLAssertion=PHNhbWw%2B", "Action=AssumeRoleWithSAML&SAMLAssertion=<redacted>"),
        (
            "Action=AssumeRoleWithWebIdentity&WebIdentityToken=eyJ.x.y",
            "Action=AssumeRoleWithWebIdentity&WebIdentityToken=<redacted>",
        ),
        (
            "Action=ChangePassword&OldPassword=a&NewPassword=b",
            "Action=ChangePassword&OldPassword=<redacted>&NewPassword=<redacted>",
        ),
        ("Signature=a=b=c", "Signature=<redacted>"),  # "=" in the value
        ("Signature+=x", "Signature+=<redacted>"),  # "+" decodes to a space around the name
    ],
)
def test_redact_query(query: str, expected: str) -> None:
    assert redact_query(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "%",
        "%zz=%zz",
        "&&&",
        "=",
        "==&=x",
        "Signature",  # a name without a value: nothing to hide
        "%ff%fe=%00",
        "\x00\x01=\x7f",
        "a=" + "%" * 10_000,
        "&".join(f"p{i}=v" for i in range(5000)),
    ],
)
def test_hostile_queries_never_fail(query: str) -> None:
    out = redact_query(query)
    assert out.count("&") == query.count("&")
    assert len(logged_path("/", query)) <= accesslog.MAX_PATH + len("...(truncated)")


def test_redacted_value_cannot_hide_behind_a_separator() -> None:
    # The value of a secret parameter ends at the next "&", as every parser here reads it.
    assert redact_query("X-Amz-Signature=abc&def=1") == "X-Amz-Signature=<redacted>&def=1"


def _record(fields: dict[str, object]) -> logging.LogRecord:
    record = logging.LogRecord(accesslog.ACCESS_LOGGER, logging.INFO, __file__, 1, "access", None, None)
    record.access = fields
    record.created = 1767225600.25  # 2026-01-01T00:00:00.250Z
    record.msecs = 250
    return record


FIELDS: dict[str, object] = {
    "source": "10.0.0.1",
    "method": "POST",
    "path": "/",
    "status": 200,
    "duration_ms": 1.234,
    "request_id": "r-1",
    "principal_arn": "arn:aws:iam::123456789012:user/alice",
    "access_key_id": "AKIAEXAMPLE",
    "service": "sts",
    "operation": "AssumeRole",
    "user_agent": "Boto3/1.35",
}


def test_plain_line() -> None:
    line = AccessFormatter("plain").format(_record(FIELDS))
    assert line == (
        '2026-01-01T00:00:00.250Z 10.0.0.1 "POST /" 200 1.234ms r-1 arn:aws:iam::123456789012:user/alice '
        'AKIAEXAMPLE sts AssumeRole "Boto3/1.35"'
    )


def test_json_line() -> None:
    line = AccessFormatter("json").format(_record(FIELDS))
    assert json.loads(line) == {"time": "2026-01-01T00:00:00.250Z", **FIELDS}
    assert tuple(json.loads(line)) == accesslog.FIELDS


@pytest.mark.parametrize(
    "user_agent",
    ['evil" 200 0ms forged "x', "a\nforged line", "\x1b[31mred\x1b[0m", "back\\slash", "caf\xe9"],
)
def test_plain_fields_cannot_forge_a_line(user_agent: str) -> None:
    line = AccessFormatter("plain").format(_record({**FIELDS, "user_agent": user_agent, "path": "/" + user_agent}))
    assert "\n" not in line and "\x1b" not in line
    assert line.isascii()
    # Exactly the quotes the format itself writes remain unescaped.
    assert line.replace('\\"', "").count('"') == 4


def test_emit_bounds_user_agent_and_path(caplog: pytest.LogCaptureFixture) -> None:
    exchange = Exchange("s3")
    with caplog.at_level(logging.INFO, logger=accesslog.ACCESS_LOGGER):
        accesslog.emit(
            exchange,
            method="GET",
            path="/b/" + "k" * 10_000,
            query_string="X-Amz-Signature=" + "f" * 64,
            status=403,
            seconds=0.002,
            request_id="r",
            source="127.0.0.1",
            user_agent="u" * 10_000,
        )
    (record,) = caplog.records
    fields = record.access  # type: ignore[attr-defined]
    assert len(fields["path"]) <= accesslog.MAX_PATH + len("...(truncated)")
    assert len(fields["user_agent"]) <= accesslog.MAX_USER_AGENT + len("...(truncated)")
    assert fields["principal_arn"] is None and fields["operation"] is None


def test_emit_redacts_before_bounding(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=accesslog.ACCESS_LOGGER):
        accesslog.emit(
            Exchange("s3"),
            method="GET",
            path="/b/k",
            query_string="X-Amz-Signature=" + "f" * 64,
            status=200,
            seconds=0.0,
            request_id="r",
            source="127.0.0.1",
            user_agent=None,
        )
    assert caplog.records[0].access["path"] == f"/b/k?X-Amz-Signature={REDACTED}"  # type: ignore[attr-defined]


def test_current_outside_a_request_is_detached() -> None:
    first = accesslog.current()
    first.operation = "Changed"
    assert accesslog.current().operation == "-"


@pytest.mark.parametrize("name", sorted(SECRET_QUERY_PARAMETERS))
def test_every_secret_parameter_is_withheld_by_both_logs(name: str) -> None:
    """The access log and S3's server access logs withhold one list: a value the one hides
    never appears in the other (an SSE-C key in a presigned URL reached the access log)."""
    query = f"{name.upper()}=s3cr3t&keep=1"
    assert redact_query(query) == f"{name.upper()}={REDACTED}&keep=1"
    line = request_uri("GET", "/b/k", query, "1.1")
    assert "s3cr3t" not in line and line == "GET /b/k?keep=1 HTTP/1.1"


@pytest.mark.parametrize(
    "name",
    [
        # Query API paths whose last part, or a list's name, is a secret member.
        "ProvidedContexts.member.1.ContextAssertion",
        "PrivateKeyList.member.1",
        "PrivateKey",
        "Tags.member.1.TokenCode",
        "ProvidedContexts.member.1.%43ontextAssertion",
    ],
)
def test_secret_members_deep_in_a_query_path_are_withheld(name: str) -> None:
    assert redact_query(f"{name}=s3cr3t&keep=1") == f"{name}={REDACTED}&keep=1"


def _emit(request_id: str) -> None:
    accesslog.emit(
        Exchange("sts"),
        method="POST",
        path="/",
        query_string="",
        status=200,
        seconds=0.001,
        request_id=request_id,
        source="127.0.0.1",
        user_agent=None,
    )


def test_lines_of_one_loop_turn_are_handed_over_together_in_order(caplog: pytest.LogCaptureFixture) -> None:
    """On an event loop a line reaches the logging machinery at the end of the loop's
    turn, with the turn's other lines (see ``_hand_over_later``); each keeps its time."""

    async def serve() -> tuple[int, list[str], list[float]]:
        for i in range(3):
            _emit(f"r{i}")
        during = len(caplog.records)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        ids = [r.access["request_id"] for r in caplog.records]  # type: ignore[attr-defined]
        return during, ids, [r.created for r in caplog.records]

    with caplog.at_level(logging.INFO, logger=accesslog.ACCESS_LOGGER):
        during, ids, created = asyncio.run(serve())
    assert during == 0
    assert ids == ["r0", "r1", "r2"]
    assert created == sorted(created)


def test_outside_an_event_loop_a_line_is_handed_over_at_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=accesslog.ACCESS_LOGGER):
        _emit("now")
        assert [r.access["request_id"] for r in caplog.records] == ["now"]  # type: ignore[attr-defined]


def test_loops_in_several_threads_lose_and_mix_no_line(caplog: pytest.LogCaptureFixture) -> None:
    """Each thread's loop hands over its own turn's lines (credmint.testing serves on a
    thread of the test process, beside other loops)."""

    def serve(name: str) -> None:
        async def run() -> None:
            for i in range(200):
                _emit(f"{name}-{i}")
                if i % 7 == 0:
                    await asyncio.sleep(0)
            await asyncio.sleep(0)

        asyncio.run(run())

    with caplog.at_level(logging.INFO, logger=accesslog.ACCESS_LOGGER):
        threads = [threading.Thread(target=serve, args=(f"t{n}",)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    ids = [r.access["request_id"] for r in caplog.records]  # type: ignore[attr-defined]
    assert sorted(ids) == sorted(f"t{n}-{i}" for n in range(4) for i in range(200))
    for n in range(4):
        mine = [i for i in ids if i.startswith(f"t{n}-")]
        assert mine == [f"t{n}-{i}" for i in range(200)]
