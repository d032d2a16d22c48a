"""S3 Object Lock end to end (boto3 and the AWS CLI): bucket configuration, retention in
GOVERNANCE and COMPLIANCE modes, legal hold, s3:BypassGovernanceRetention, and S3's refusals."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import aws_cli, error_of, policy

pytestmark = pytest.mark.e2e


@pytest.fixture
def locked(s3: Any) -> Iterator[str]:
    name = f"lock-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    yield name
    # Protected versions stay until their retention passes: the bucket is left behind, as on S3.


def _code(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as e:
        fn(**kwargs)
    code, _, status = error_of(e)
    return code, status


def _later(days: int = 1) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)


def _governance_put(s3: Any, bucket: str) -> tuple[str, int]:
    """The refusal of a PutObject under GOVERNANCE retention until tomorrow."""
    return _code(
        s3.put_object,
        Bucket=bucket,
        Key="k",
        Body=b"x",
        ObjectLockMode="GOVERNANCE",
        ObjectLockRetainUntilDate=_later(),
    )


def test_bucket_created_with_object_lock(s3: Any, locked: str) -> None:
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
    config = s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"]
    assert config == {"ObjectLockEnabled": "Enabled"}
    code = _code(s3.put_bucket_versioning, Bucket=locked, VersioningConfiguration={"Status": "Suspended"})
    assert code == ("InvalidBucketState", 409)
    rule = {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}
    s3.put_object_lock_configuration(
        Bucket=locked, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": rule}
    )
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"]["Rule"] == rule
    # The default retention applies to new versions.
    v = s3.put_object(Bucket=locked, Key="d", Body=b"x")["VersionId"]
    head = s3.head_object(Bucket=locked, Key="d")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=1)
    assert _code(s3.delete_object, Bucket=locked, Key="d", VersionId=v) == ("AccessDenied", 403)


def test_configuration_refusals(s3: Any, bucket: str) -> None:
    assert _code(s3.get_object_lock_configuration, Bucket=bucket) == ("ObjectLockConfigurationNotFoundError", 404)
    enabled = {"ObjectLockEnabled": "Enabled"}
    # Versioning must be enabled first.
    assert _code(s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration=enabled) == (
        "InvalidBucketState",
        409,
    )
    assert _governance_put(s3, bucket) == ("InvalidRequest", 400)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=enabled)
    both = {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}
    assert _code(
        s3.put_object_lock_configuration,
        Bucket=bucket,
        ObjectLockConfiguration={**enabled, "Rule": {"DefaultRetention": both}},
    ) == ("MalformedXML", 400)
    assert _code(
        s3.put_object_lock_configuration,
        Bucket=bucket,
        ObjectLockConfiguration={**enabled, "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}}},
    ) == ("InvalidArgument", 400)


def test_compliance_retention(s3: Any, locked: str) -> None:
    until = _later(2)
    v = s3.put_object(Bucket=locked, Key="c", Body=b"x", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)[
        "VersionId"
    ]
    got = s3.get_object_retention(Bucket=locked, Key="c")["Retention"]
    assert got["Mode"] == "COMPLIANCE" and got["RetainUntilDate"] == until
    # Not removable, not even with the bypass; not shortened, not turned into GOVERNANCE.
    assert _code(s3.delete_object, Bucket=locked, Key="c", VersionId=v) == ("AccessDenied", 403)
    assert _code(s3.delete_object, Bucket=locked, Key="c", VersionId=v, BypassGovernanceRetention=True) == (
        "AccessDenied",
        403,
    )
    for retention in (
        {"Mode": "COMPLIANCE", "RetainUntilDate": _later(1)},
        {"Mode": "GOVERNANCE", "RetainUntilDate": _later(3)},
    ):
        assert _code(s3.put_object_retention, Bucket=locked, Key="c", Retention=retention) == ("AccessDenied", 403)
    # Extending is allowed.
    s3.put_object_retention(Bucket=locked, Key="c", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": _later(5)})
    # A plain delete adds a delete marker: allowed, the version stays.
    assert s3.delete_object(Bucket=locked, Key="c")["DeleteMarker"] is True
    assert s3.get_object(Bucket=locked, Key="c", VersionId=v)["Body"].read() == b"x"
    out = s3.delete_objects(Bucket=locked, Delete={"Objects": [{"Key": "c", "VersionId": v}]})
    assert out["Errors"][0]["Code"] == "AccessDenied"


def test_governance_retention_and_bypass(server: Server, s3: Any, locked: str) -> None:
    v = s3.put_object(
        Bucket=locked, Key="g", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=_later(2)
    )["VersionId"]
    assert _code(s3.delete_object, Bucket=locked, Key="g", VersionId=v) == ("AccessDenied", 403)
    shorter = {"Mode": "GOVERNANCE", "RetainUntilDate": _later(1)}
    assert _code(s3.put_object_retention, Bucket=locked, Key="g", Retention=shorter) == ("AccessDenied", 403)
    # A user allowed everything but s3:BypassGovernanceRetention cannot bypass.
    iam = server.client("iam")
    name = f"lockuser-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name,
        PolicyName="p",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:BypassGovernanceRetention", "Resource": "*"},
        ),
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user = server.client("s3", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    deadline = time.monotonic() + 5
    while True:
        try:
            user.head_object(Bucket=locked, Key="g")
            break
        except ClientError as err:
            if err.response["Error"]["Code"] != "InvalidAccessKeyId" or time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    assert _code(user.delete_object, Bucket=locked, Key="g", VersionId=v, BypassGovernanceRetention=True) == (
        "AccessDenied",
        403,
    )
    assert _code(
        user.put_object_retention, Bucket=locked, Key="g", Retention=shorter, BypassGovernanceRetention=True
    ) == ("AccessDenied", 403)
    # The root user (allowed the bypass) may shorten and then delete with it.
    s3.put_object_retention(Bucket=locked, Key="g", Retention=shorter, BypassGovernanceRetention=True)
    assert s3.get_object_retention(Bucket=locked, Key="g")["Retention"]["RetainUntilDate"] == shorter["RetainUntilDate"]
    s3.delete_object(Bucket=locked, Key="g", VersionId=v, BypassGovernanceRetention=True)
    assert _code(s3.head_object, Bucket=locked, Key="g")[1] == 404


def test_legal_hold(s3: Any, locked: str) -> None:
    v = s3.put_object(Bucket=locked, Key="h", Body=b"x", ObjectLockLegalHoldStatus="ON")["VersionId"]
    assert s3.get_object_legal_hold(Bucket=locked, Key="h")["LegalHold"]["Status"] == "ON"
    assert s3.head_object(Bucket=locked, Key="h")["ObjectLockLegalHoldStatus"] == "ON"
    assert _code(s3.delete_object, Bucket=locked, Key="h", VersionId=v, BypassGovernanceRetention=True) == (
        "AccessDenied",
        403,
    )
    s3.put_object_legal_hold(Bucket=locked, Key="h", VersionId=v, LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=locked, Key="h", VersionId=v)
    # No retention or legal hold recorded on a version: S3's NoSuchObjectLockConfiguration.
    s3.put_object(Bucket=locked, Key="plain", Body=b"x")
    assert _code(s3.get_object_retention, Bucket=locked, Key="plain") == ("NoSuchObjectLockConfiguration", 404)
    assert _code(s3.get_object_legal_hold, Bucket=locked, Key="plain") == ("NoSuchObjectLockConfiguration", 404)


def test_write_refusals(s3: Any, locked: str) -> None:
    past = datetime.now(UTC) - timedelta(days=1)
    assert _code(
        s3.put_object, Bucket=locked, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=past
    ) == ("InvalidArgument", 400)
    assert _code(s3.put_object, Bucket=locked, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE") == (
        "InvalidArgument",
        400,
    )
    s3.put_object(Bucket=locked, Key="k", Body=b"x")
    assert _code(
        s3.put_object_retention, Bucket=locked, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": past}
    ) == ("InvalidArgument", 400)


def test_a_retain_until_date_past_the_calendar_is_invalid(s3: Any, locked: str) -> None:
    """A zone that moves the date past year 9999 is InvalidArgument, not a 500."""

    def raw_date(request: Any, **_: Any) -> None:
        del request.headers["x-amz-object-lock-retain-until-date"]  # assigning would repeat it
        request.headers["x-amz-object-lock-retain-until-date"] = "9999-12-31T23:59:59-23:59"

    s3.meta.events.register("before-sign.s3.PutObject", raw_date)
    try:
        assert _governance_put(s3, locked) == ("InvalidArgument", 400)
    finally:
        s3.meta.events.unregister("before-sign.s3.PutObject", raw_date)


def test_lock_condition_keys(server: Server, s3: Any, locked: str) -> None:
    """A bucket policy can require COMPLIANCE retention on every write (s3:object-lock-mode)."""
    s3.put_bucket_policy(
        Bucket=locked,
        Policy=policy(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{locked}/*",
                "Condition": {"StringNotEquals": {"s3:object-lock-mode": "COMPLIANCE"}},
            }
        ),
    )
    assert _governance_put(s3, locked) == ("AccessDenied", 403)
    s3.put_object(Bucket=locked, Key="k", Body=b"x", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=_later())
    s3.delete_bucket_policy(Bucket=locked)


def _s3_user(server: Server, *statements: dict[str, Any]) -> Any:
    iam = server.client("iam")
    name = f"lockuser-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.client("s3", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def test_a_lock_stated_on_a_write_needs_the_lock_permissions(server: Server, s3: Any, locked: str) -> None:
    """S3 enforces a bucket's default retention by denying the permission to configure
    retention: a write stating a retention needs s3:PutObjectRetention, one stating a legal
    hold s3:PutObjectLegalHold, whichever operation writes (PutObject, CopyObject,
    CreateMultipartUpload)."""
    default = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}}
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=default)
    user = _s3_user(
        server,
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["s3:PutObjectRetention", "s3:PutObjectLegalHold"], "Resource": "*"},
    )
    body = {"Bucket": locked, "Key": "k", "Body": b"x", "ContentMD5": _md5(b"x")}
    weaker = {"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": _later()}
    assert _code(user.put_object, **body, **weaker) == ("AccessDenied", 403)
    assert _code(user.put_object, **body, ObjectLockLegalHoldStatus="ON") == ("AccessDenied", 403)
    copy = {"Bucket": locked, "Key": "c", "CopySource": {"Bucket": locked, "Key": "k"}}
    created = user.put_object(**body)  # the bucket's default retention, which needs nothing more
    assert s3.get_object_retention(Bucket=locked, Key="k", VersionId=created["VersionId"])["Retention"]["Mode"] == (
        "COMPLIANCE"
    )
    assert _code(user.copy_object, **copy, **weaker) == ("AccessDenied", 403)
    assert _code(user.create_multipart_upload, Bucket=locked, Key="m", **weaker) == ("AccessDenied", 403)


def test_a_retention_limit_on_put_object_retention_holds_for_writes(server: Server, s3: Any, locked: str) -> None:
    """The S3 guide's retention-limit policy (no more than 10 days left) holds for a
    retention stated on PutObject too."""
    s3.put_bucket_policy(
        Bucket=locked,
        Policy=policy(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObjectRetention",
                "Resource": f"arn:aws:s3:::{locked}/*",
                "Condition": {"NumericGreaterThan": {"s3:object-lock-remaining-retention-days": "10"}},
            }
        ),
    )
    body = {"Bucket": locked, "Key": "k", "Body": b"x", "ContentMD5": _md5(b"x"), "ObjectLockMode": "COMPLIANCE"}
    assert _code(s3.put_object, **body, ObjectLockRetainUntilDate=_later(36500)) == ("AccessDenied", 403)
    s3.put_object(**body, ObjectLockRetainUntilDate=_later(5))
    s3.delete_bucket_policy(Bucket=locked)


def test_reads_show_the_lock_only_to_callers_allowed_to_read_it(server: Server, s3: Any, locked: str) -> None:
    s3.put_object(
        Bucket=locked,
        Key="shown",
        Body=b"x",
        ContentMD5=_md5(b"x"),
        ObjectLockMode="GOVERNANCE",
        ObjectLockRetainUntilDate=_later(),
        ObjectLockLegalHoldStatus="ON",
    )
    lock = ("ObjectLockMode", "ObjectLockRetainUntilDate", "ObjectLockLegalHoldStatus")
    head = s3.head_object(Bucket=locked, Key="shown")
    assert all(m in head for m in lock)
    reader = _s3_user(
        server,
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectLegalHold"], "Resource": "*"},
    )
    for read in (reader.head_object, reader.get_object):
        got = read(Bucket=locked, Key="shown")
        assert "ObjectLockMode" not in got and "ObjectLockRetainUntilDate" not in got
        assert got["ObjectLockLegalHoldStatus"] == "ON"
    s3.put_object_legal_hold(Bucket=locked, Key="shown", LegalHold={"Status": "OFF"})


def test_aws_cli_object_lock(server: Server, s3: Any, locked: str) -> None:
    s3.put_object(Bucket=locked, Key="cli", Body=b"x")
    until = _later(3).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = aws_cli(server, "s3api", "put-object-retention", "--bucket", locked, "--key", "cli",
                  "--retention", f"Mode=GOVERNANCE,RetainUntilDate={until}")  # fmt: skip
    assert out.returncode == 0, out.stderr
    out = aws_cli(server, "s3api", "get-object-retention", "--bucket", locked, "--key", "cli")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Retention"]["Mode"] == "GOVERNANCE"
    out = aws_cli(server, "s3api", "put-object-retention", "--bucket", locked, "--key", "cli",
                  "--retention", "Mode=GOVERNANCE,RetainUntilDate=2001-01-01T00:00:00Z")  # fmt: skip
    assert out.returncode != 0 and "InvalidArgument" in out.stderr


def test_aws_cli_configuration_modes_legal_hold_and_bypass(server: Server) -> None:
    name = f"lock-{uuid.uuid4().hex[:12]}"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        # One attempt: a refused lock write is answered at once, not after the CLI's retries.
        return aws_cli(server, "s3api", *args, "--bucket", name, extra_env={"AWS_MAX_ATTEMPTS": "1"})

    def ok(*args: str) -> dict[str, Any]:
        out = cli(*args)
        assert out.returncode == 0, out.stderr
        got: dict[str, Any] = json.loads(out.stdout) if out.stdout.strip() else {}
        return got

    def refused(*args: str) -> str:
        out = cli(*args)
        assert out.returncode != 0, out.stdout
        return out.stderr

    ok("create-bucket", "--object-lock-enabled-for-bucket")
    assert ok("get-object-lock-configuration") == {"ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled"}}
    assert ok("get-bucket-versioning")["Status"] == "Enabled"
    assert "(InvalidBucketState)" in refused("put-bucket-versioning", "--versioning-configuration", "Status=Suspended")
    # A default retention (GOVERNANCE) applies to new versions; the bypass lifts it for root.
    ok("put-object-lock-configuration", "--object-lock-configuration",
       "ObjectLockEnabled=Enabled,Rule={DefaultRetention={Mode=GOVERNANCE,Days=1}}")  # fmt: skip
    rule = ok("get-object-lock-configuration")["ObjectLockConfiguration"]["Rule"]
    assert rule == {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}
    v = ok("put-object", "--key", "g")["VersionId"]
    assert ok("get-object-retention", "--key", "g")["Retention"]["Mode"] == "GOVERNANCE"
    assert "(AccessDenied)" in refused("delete-object", "--key", "g", "--version-id", v)
    assert ok("delete-object", "--key", "g", "--version-id", v, "--bypass-governance-retention")["VersionId"] == v
    ok("put-object-lock-configuration", "--object-lock-configuration", "ObjectLockEnabled=Enabled")
    # COMPLIANCE: neither removed nor weakened, bypass or not; extended, yes.
    until = _later(1).strftime("%Y-%m-%dT%H:%M:%SZ")
    c = ok("put-object", "--key", "c", "--object-lock-mode", "COMPLIANCE",
           "--object-lock-retain-until-date", until)["VersionId"]  # fmt: skip
    assert ok("head-object", "--key", "c")["ObjectLockMode"] == "COMPLIANCE"
    bypass = "--bypass-governance-retention"
    assert "(AccessDenied)" in refused("delete-object", "--key", "c", "--version-id", c, bypass)
    weaker = f"Mode=GOVERNANCE,RetainUntilDate={until}"
    assert "(AccessDenied)" in refused("put-object-retention", "--key", "c", "--retention", weaker, bypass)
    later = _later(2).strftime("%Y-%m-%dT%H:%M:%SZ")
    ok("put-object-retention", "--key", "c", "--retention", f"Mode=COMPLIANCE,RetainUntilDate={later}")
    # A legal hold: no retention, still not removable until the hold is lifted.
    h = ok("put-object", "--key", "h")["VersionId"]
    assert "(NoSuchObjectLockConfiguration)" in refused("get-object-legal-hold", "--key", "h")
    ok("put-object-legal-hold", "--key", "h", "--version-id", h, "--legal-hold", "Status=ON")
    assert ok("get-object-legal-hold", "--key", "h") == {"LegalHold": {"Status": "ON"}}
    assert "(AccessDenied)" in refused("delete-object", "--key", "h", "--version-id", h, bypass)
    ok("put-object-legal-hold", "--key", "h", "--version-id", h, "--legal-hold", "Status=OFF")
    assert ok("delete-object", "--key", "h", "--version-id", h)["VersionId"] == h
    # The COMPLIANCE version keeps the bucket until its retention passes, as on S3.


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


# (what puts the version under Object Lock, the digest the request carries, refused?)
INTEGRITY_CASES = [
    ("retention", None, True),
    ("legal hold", None, True),
    ("default retention", None, True),
    ("none", None, False),
    ("retention", "content-md5", False),
    ("legal hold", "checksum", False),
    ("default retention", "checksum", False),
]


@pytest.mark.parametrize(("lock", "digest", "refused"), INTEGRITY_CASES)
def test_lock_writes_need_a_body_digest(
    server: Server, s3: Any, locked: str, lock: str, digest: str | None, refused: bool
) -> None:
    """S3 refuses a PutObject that puts a version under Object Lock unless it carries
    Content-MD5 or an x-amz-checksum-*: the SHA-256 of the signature is not enough."""
    bare = server.client("s3", config={"request_checksum_calculation": "when_required"})
    if lock == "default retention":
        rule = {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}
        s3.put_object_lock_configuration(
            Bucket=locked, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": rule}
        )
    args: dict[str, Any] = {"Bucket": locked, "Key": "k", "Body": b"data"}
    if lock == "retention":
        args.update(ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=_later())
    elif lock == "legal hold":
        args["ObjectLockLegalHoldStatus"] = "OFF"
    if digest == "content-md5":
        args["ContentMD5"] = _md5(b"data")
    elif digest == "checksum":
        args["ChecksumAlgorithm"] = "CRC32"
    if refused:
        with pytest.raises(ClientError) as e:
            bare.put_object(**args)
        code, message, status = error_of(e)
        assert (code, status) == ("InvalidRequest", 400)
        assert "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests" in message
    else:
        assert bare.put_object(**args)["VersionId"]


def test_lock_upload_parts_need_a_body_digest(server: Server, s3: Any, locked: str) -> None:
    bare = server.client("s3", config={"request_checksum_calculation": "when_required"})
    up = s3.create_multipart_upload(Bucket=locked, Key="m", ObjectLockLegalHoldStatus="ON")["UploadId"]
    with pytest.raises(ClientError) as e:
        bare.upload_part(Bucket=locked, Key="m", UploadId=up, PartNumber=1, Body=b"part")
    code, message, _ = error_of(e)
    assert code == "InvalidRequest" and "Put Part requests with Object Lock parameters" in message
    bare.upload_part(Bucket=locked, Key="m", UploadId=up, PartNumber=1, Body=b"part", ContentMD5=_md5(b"part"))
    # An upload with no lock parameters on the same bucket needs none.
    plain = s3.create_multipart_upload(Bucket=locked, Key="p")["UploadId"]
    bare.upload_part(Bucket=locked, Key="p", UploadId=plain, PartNumber=1, Body=b"part")
    # The AWS CLI sends a checksum with every upload, so its lock writes pass.
    out = aws_cli(
        server, "s3api", "put-object", "--bucket", locked, "--key", "cli", "--object-lock-legal-hold-status", "ON"
    )
    assert out.returncode == 0, out.stderr
    refused = aws_cli(
        server,
        "s3api",
        "put-object",
        "--bucket",
        locked,
        "--key",
        "cli",
        "--object-lock-legal-hold-status",
        "ON",
        extra_env={"AWS_REQUEST_CHECKSUM_CALCULATION": "when_required"},
    )
    assert refused.returncode != 0 and "Content-MD5 OR x-amz-checksum-" in refused.stderr
