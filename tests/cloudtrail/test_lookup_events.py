"""CloudTrail's LookupEvents against credmint, with boto3 and the AWS CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint import ids
from tests.conftest import Server, start_server
from tests.sts.helpers import allow, aws_cli, doc, make_user, unique

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("trail"), extra_env={"CREDMINT_AUDIT_FLUSH_MS": "50"})
    yield srv
    srv.stop()


def settle() -> None:
    """Records reach the store within the flush interval (50 ms here)."""
    time.sleep(0.5)


def test_lookup_by_attribute(trail: Server) -> None:
    iam = trail.client("iam")
    name = unique("lu")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    user_sts = trail.client("sts", aws_access_key_id=key, aws_secret_access_key="wrong" * 8)
    with pytest.raises(ClientError):
        user_sts.get_caller_identity()
    settle()
    ct = trail.client("cloudtrail")
    cases: list[tuple[str, str, str]] = [
        ("EventName", "CreateUser", "CreateUser"),
        ("ResourceName", name, "CreateUser"),
        ("ResourceType", "AWS::IAM::AccessKey", "CreateAccessKey"),
        ("Username", name, "GetCallerIdentity"),
        ("AccessKeyId", key, "GetCallerIdentity"),
        ("EventSource", "iam.amazonaws.com", "CreateAccessKey"),
        ("ReadOnly", "false", "CreateAccessKey"),
    ]
    for attr, value, expected in cases:
        events = ct.lookup_events(LookupAttributes=[{"AttributeKey": attr, "AttributeValue": value}])["Events"]
        assert expected in [e["EventName"] for e in events], (attr, value)
        for e in events:
            record = json.loads(e["CloudTrailEvent"])
            assert record["eventID"] == e["EventId"]
            assert record["recipientAccountId"] == trail.account_id
    one = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}])
    event_id = one["Events"][0]["EventId"]
    by_id = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventId", "AttributeValue": event_id}])["Events"]
    assert [e["EventId"] for e in by_id] == [event_id]
    failed = ct.lookup_events(LookupAttributes=[{"AttributeKey": "AccessKeyId", "AttributeValue": key}])["Events"]
    assert json.loads(failed[0]["CloudTrailEvent"])["errorCode"] == "SignatureDoesNotMatch"


def test_paging_with_next_token(trail: Server) -> None:
    sts = trail.client("sts")
    start = datetime.now(UTC) - timedelta(seconds=1)
    for _ in range(7):
        sts.get_caller_identity()
    settle()
    ct = trail.client("cloudtrail")
    attr = [{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}]
    seen: list[str] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"LookupAttributes": attr, "StartTime": start, "MaxResults": 3}
        if token:
            kwargs["NextToken"] = token
        page = ct.lookup_events(**kwargs)
        assert len(page["Events"]) <= 3
        seen.extend(e["EventId"] for e in page["Events"])
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) >= 7
    times = [e["EventTime"] for e in ct.lookup_events(LookupAttributes=attr, StartTime=start)["Events"]]
    assert times == sorted(times, reverse=True)
    # The paginator (what the CLI uses) walks the same pages.
    paged = [
        e["EventId"]
        for p in ct.get_paginator("lookup_events").paginate(
            LookupAttributes=attr, StartTime=start, PaginationConfig={"PageSize": 2}
        )
        for e in p["Events"]
    ]
    assert paged == seen


def test_time_window(trail: Server) -> None:
    ct = trail.client("cloudtrail")
    future = datetime.now(UTC) + timedelta(days=1)
    assert ct.lookup_events(StartTime=future, EndTime=future + timedelta(hours=1))["Events"] == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"MaxResults": 51}, "InvalidMaxResultsException"),
        ({"MaxResults": 0}, "InvalidMaxResultsException"),
        (
            {"StartTime": datetime(2026, 1, 2, tzinfo=UTC), "EndTime": datetime(2026, 1, 1, tzinfo=UTC)},
            "InvalidTimeRangeException",
        ),
        ({"LookupAttributes": [{"AttributeKey": "Nope", "AttributeValue": "x"}]}, "InvalidLookupAttributesException"),
        (
            {"LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "maybe"}]},
            "InvalidLookupAttributesException",
        ),
        (
            {
                "LookupAttributes": [
                    {"AttributeKey": "EventName", "AttributeValue": "A"},
                    {"AttributeKey": "EventName", "AttributeValue": "B"},
                ]
            },
            "InvalidLookupAttributesException",
        ),
        (
            {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "x" * 2001}]},
            "InvalidLookupAttributesException",
        ),
        ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
        ({"NextToken": "A" * 5000}, "InvalidNextTokenException"),
    ],
)
def test_bad_input_gets_lookup_events_errors(trail: Server, kwargs: dict[str, Any], code: str) -> None:
    ct = trail.client("cloudtrail", config={"parameter_validation": False})
    with pytest.raises(ClientError) as exc:
        ct.lookup_events(**kwargs)
    assert exc.value.response["Error"]["Code"] == code
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_next_token_is_bound_to_its_filters_and_tamper_proof(trail: Server) -> None:
    sts = trail.client("sts")
    for _ in range(3):
        sts.get_caller_identity()
    settle()
    ct = trail.client("cloudtrail")
    token = ct.lookup_events(MaxResults=1)["NextToken"]
    assert ct.lookup_events(MaxResults=1, NextToken=token)["Events"]
    other = [{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}]
    flipped = token[:10] + ("B" if token[10] != "B" else "C") + token[11:]
    for kwargs in ({"NextToken": flipped}, {"NextToken": token, "LookupAttributes": other}):
        with pytest.raises(ClientError) as exc:
            ct.lookup_events(MaxResults=1, **kwargs)
        assert exc.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_only_the_calling_account_and_only_when_allowed(trail: Server) -> None:
    # A user without cloudtrail:LookupEvents is denied through the normal decision path.
    user = make_user(trail, policy=doc(allow("sts:GetCallerIdentity")))
    with pytest.raises(ClientError) as exc:
        trail.client("cloudtrail", **user.creds.kwargs()).lookup_events()
    assert exc.value.response["Error"]["Code"] == "AccessDeniedException"
    reader = make_user(trail, policy=doc(allow("cloudtrail:LookupEvents")))
    assert trail.client("cloudtrail", **reader.creds.kwargs()).lookup_events(MaxResults=5)["Events"]

    # Another account on the same node sees its own events only.
    out = second_account(trail)
    other = trail.client("cloudtrail", aws_access_key_id=out[0], aws_secret_access_key=out[1])
    trail.client("sts", aws_access_key_id=out[0], aws_secret_access_key=out[1]).get_caller_identity()
    settle()
    events = other.lookup_events()["Events"]
    assert events
    assert {json.loads(e["CloudTrailEvent"])["recipientAccountId"] for e in events} == {out[2]}
    # A page token of one account does not page through another's events.
    token = trail.client("cloudtrail").lookup_events(MaxResults=1)["NextToken"]
    with pytest.raises(ClientError) as exc:
        other.lookup_events(MaxResults=1, NextToken=token)
    assert exc.value.response["Error"]["Code"] == "InvalidNextTokenException"


def second_account(server: Server) -> tuple[str, str, str]:
    """A second account on the server (``credmint account create``)."""
    env = {**server.env}
    done = subprocess.run(
        [sys.executable, "-m", "credmint.cli.main", "account", "create"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    values = dict(
        line.strip().removeprefix("export ").split("=", 1) for line in done.stdout.splitlines() if "export" in line
    )
    key = values["AWS_ACCESS_KEY_ID"]
    return key, values["AWS_SECRET_ACCESS_KEY"], ids.account_from_access_key_id(key) or ""


def test_aws_cli_lookup_events(trail: Server) -> None:
    name = unique("cli")
    trail.client("iam").create_user(UserName=name)
    settle()
    done = aws_cli(
        trail,
        "cloudtrail",
        "lookup-events",
        "--lookup-attributes",
        f"AttributeKey=ResourceName,AttributeValue={name}",
        "--max-items",
        "5",
    )
    assert done.returncode == 0, done.stderr
    events = json.loads(done.stdout)["Events"]
    assert [e["EventName"] for e in events] == ["CreateUser"]
    assert json.loads(events[0]["CloudTrailEvent"])["requestParameters"]["userName"] == name
