"""The access advisor's recorder: coalescing, ordering and its bound (unit tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from credmint.iam.access_advisor import allowed_actions, allowed_services
from credmint.iam.lastaccessed import AccessRecorder

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_uses_of_one_pair_coalesce_and_an_older_one_never_wins() -> None:
    rec = AccessRecorder()
    rec.record("111111111111", "AIDA1", "arn:u", "iam:ListUsers", "us-east-1", T0)
    rec.record("111111111111", "AIDA1", "arn:u", "IAM:listusers", "eu-west-1", T0 + timedelta(seconds=1))
    rec.record("111111111111", "AIDA1", "arn:u", "iam:ListUsers", "ap-south-1", T0)
    assert rec.pending() == 1
    ((_, use),) = rec._pending.items()
    assert use.region == "eu-west-1"


def test_pending_pairs_are_bounded() -> None:
    """The guardrail: past the bound new pairs are dropped (and counted) until a flush,
    while a pair already pending still takes a newer use."""
    rec = AccessRecorder(max_pending=3)
    for i in range(10):
        rec.record("111111111111", f"AIDA{i}", "arn:u", "iam:GetUser", "us-east-1", T0)
    assert rec.pending() == 3 and rec.dropped == 7
    rec.record("111111111111", "AIDA0", "arn:u", "iam:GetUser", "eu-west-1", T0 + timedelta(seconds=5))
    assert rec._pending[("111111111111", "AIDA0", "iam:getuser")].region == "eu-west-1"


SERVED = ("iam", "s3", "sts", "organizations")


def test_allowed_services() -> None:
    def doc(*statements: str) -> str:
        return '{"Version":"2012-10-17","Statement":[' + ",".join(statements) + "]}"

    assert allowed_services(doc('{"Effect":"Allow","Action":"*","Resource":"*"}'), SERVED) == set(SERVED)
    assert allowed_services(doc('{"Effect":"Allow","Action":["s3:Get*","EC2:Describe*"],"Resource":"*"}'), SERVED) == {
        "s3",
        "ec2",
    }
    assert allowed_services(doc('{"Effect":"Allow","Action":"s*:*","Resource":"*"}'), SERVED) == {"s3", "sts"}
    assert allowed_services(doc('{"Effect":"Deny","Action":"*","Resource":"*"}'), SERVED) == set()
    not_iam = doc('{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}')
    assert allowed_services(not_iam, SERVED) == {"s3", "sts", "organizations"}
    # A NotAction naming one action leaves the rest of the service allowed.
    assert "iam" in allowed_services(doc('{"Effect":"Allow","NotAction":"iam:GetUser","Resource":"*"}'), SERVED)
    assert allowed_services("not json", SERVED) == set()


def test_allowed_actions() -> None:
    document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:list*","Resource":"*"}]}'
    assert allowed_actions(document, "iam", ["ListUsers", "GetUser", "ListRoles"]) == ["iam:ListRoles", "iam:ListUsers"]
