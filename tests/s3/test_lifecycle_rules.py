"""credmint.s3.lifecycle and credmint.s3.acl parsers: the rules from data, and hostile input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from credmint.errors import AwsError
from credmint.s3 import acl, lifecycle


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (datetime(2030, 1, 1, 10, tzinfo=UTC), 1, datetime(2030, 1, 3, tzinfo=UTC)),
        (datetime(2030, 1, 1, 0, tzinfo=UTC), 1, datetime(2030, 1, 2, tzinfo=UTC)),
        (datetime(2030, 12, 31, 23, 59, tzinfo=UTC), 30, datetime(2031, 1, 31, tzinfo=UTC)),
    ],
)
def test_days_round_up_to_midnight_utc(start: datetime, days: int, expected: datetime) -> None:
    assert lifecycle.due(start, days) == expected


def _config(rule: str, count: int = 1) -> bytes:
    return ("<LifecycleConfiguration>" + rule * count + "</LifecycleConfiguration>").encode()


RULE = (
    "<Rule><ID>{id}</ID><Status>Enabled</Status><Filter><Prefix>p/</Prefix></Filter>"
    "<Expiration><Days>1</Days></Expiration></Rule>"
)


TRANSITION = (
    "<Rule><Status>Enabled</Status><Filter/><Transition>{}<StorageClass>{}</StorageClass></Transition></Rule>"
)


def test_filters_match() -> None:
    body = _config(
        "<Rule><Status>Enabled</Status><Filter><And><Prefix>a/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>"
        "<ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter><Expiration><Days>1</Days></Expiration></Rule>"
    )
    (rule,) = lifecycle.parse_configuration(body, lambda: "generated")
    assert lifecycle.matches(rule, "a/x", 11, {"k": "v"})
    assert not lifecycle.matches(rule, "a/x", 10, {"k": "v"})
    assert not lifecycle.matches(rule, "b/x", 11, {"k": "v"})
    assert not lifecycle.matches(rule, "a/x", 11, {"k": "w"})


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "MalformedXML"),
        (b"<LifecycleConfiguration>", "MalformedXML"),
        (b"<Other/>", "MalformedXML"),
        (_config(RULE.format(id="a"), 1001), "MalformedXML"),  # more rules than S3 allows
        (_config(RULE.format(id="x" * 256)), "InvalidArgument"),
        (_config(RULE.format(id="a").replace("<Days>1</Days>", "<Days>1e9</Days>")), "MalformedXML"),
        (_config(RULE.format(id="a").replace("<Days>1</Days>", "<Days>-1</Days>")), "InvalidArgument"),
        (_config(RULE.format(id="a").replace("Enabled", "On")), "MalformedXML"),
        (
            _config(RULE.format(id="a").replace("<Days>1</Days>", "<Days>1</Days><Date>2030-01-01T00:00:00Z</Date>")),
            "MalformedXML",
        ),
        (b'<!DOCTYPE x [<!ENTITY e "boom">]><LifecycleConfiguration>&e;</LifecycleConfiguration>', "MalformedXML"),
        (_config(TRANSITION.format("<Days>1</Days><Date>2030-01-01T00:00:00Z</Date>", "GLACIER")), "MalformedXML"),
        (_config(TRANSITION.format("", "GLACIER")), "MalformedXML"),
        (_config(TRANSITION.format("<Days>1</Days>", "")), "MalformedXML"),
        (_config(TRANSITION.format("<Days>-1</Days>", "GLACIER")), "InvalidArgument"),
        (_config(TRANSITION.format("<Days>x</Days>", "GLACIER")), "MalformedXML"),
        (_config(TRANSITION.format("<Date>2030-01-01T10:00:00Z</Date>", "GLACIER")), "InvalidArgument"),
        (_config(TRANSITION.format("<Days>1</Days>", "GLACIER" * 1000)), "MalformedXML"),
    ],
)
def test_hostile_lifecycle_configurations(body: bytes, code: str) -> None:
    with pytest.raises(AwsError) as e:
        lifecycle.parse_configuration(body, lambda: "generated")
    assert e.value.code == code


def _resolve(canonical: str) -> str | None:
    return "111111111111" if canonical == "c" * 64 else None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ('id="' + "0" * 64 + '"', "InvalidArgument"),
        ('uri="http://example.com/group"', "InvalidArgument"),
        ('emailAddress="a@example.com"', "UnresolvableGrantByEmailAddress"),
        ("garbage", "InvalidArgument"),
        (",".join(['id="' + "c" * 64 + '"'] * 101), "MalformedACLError"),
    ],
)
def test_hostile_grant_headers(value: str, code: str) -> None:
    with pytest.raises(AwsError) as e:
        acl.from_grant_headers([("x-amz-grant-read", value)], "o" * 64, "222222222222", _resolve)
    assert e.value.code == code


def test_grant_headers_and_statements() -> None:
    parsed = acl.from_grant_headers(
        [
            ("x-amz-grant-read", f'id="{"c" * 64}", uri="{acl.ALL_USERS}"'),
            ("x-amz-grant-write", f'uri="{acl.LOG_DELIVERY}"'),
        ],
        "o" * 64,
        "222222222222",
        _resolve,
    )
    statements = acl.statements(parsed, "bucket", "b", None, ignore_public=False)
    principals = [s["Principal"] for s in statements]
    # LogDelivery matches no caller here: it yields no statement.
    assert principals == [{"AWS": "arn:aws:iam::111111111111:root"}, "*"]
    assert statements[0]["Action"] == ["s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions"]
    assert [s["Principal"] for s in acl.statements(parsed, "bucket", "b", None, ignore_public=True)] == [
        {"AWS": "arn:aws:iam::111111111111:root"}
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"not xml",
        b"<AccessControlPolicy/>",
        b"<AccessControlPolicy><Owner><ID>" + b"o" * 64 + b"</ID></Owner></AccessControlPolicy>",
        b'<!DOCTYPE x [<!ENTITY e "boom">]><AccessControlPolicy>&e;</AccessControlPolicy>',
    ],
)
def test_hostile_acl_documents(body: bytes) -> None:
    with pytest.raises(AwsError) as e:
        acl.from_xml(body, "o" * 64, "222222222222", _resolve)
    assert e.value.code == "MalformedACLError"
