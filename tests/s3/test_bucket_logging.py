"""S3 server access logging end to end (boto3 and the AWS CLI): Put/GetBucketLogging with
S3's checks of the target bucket, and the delivery of records as log objects."""

from __future__ import annotations

import json
import shlex
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, start_server
from tests.s3.helpers import aws_cli, empty_bucket, error_of, new_account, policy

pytestmark = pytest.mark.e2e

PREFIX = "log/"


@pytest.fixture(scope="module")
def log_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that delivers access logs every half second (the default is a minute)."""
    srv = start_server(tmp_path_factory.mktemp("s3-logging"), extra_env={"CREDMINT_S3_ACCESS_LOG_FLUSH_SECONDS": "0.5"})
    yield srv
    srv.stop()


@pytest.fixture
def s3(log_server: Server) -> Any:
    return log_server.client("s3")


def _bucket(s3: Any, **kwargs: Any) -> str:
    name = f"lg-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name, **kwargs)
    return name


@pytest.fixture
def buckets(s3: Any) -> Iterator[tuple[str, str]]:
    """A source bucket and a target bucket, both the server's root account's."""
    made = [_bucket(s3), _bucket(s3)]
    yield made[0], made[1]
    for name in made:
        try:
            s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={})
            empty_bucket(s3, name)
            s3.delete_bucket(Bucket=name)
        except ClientError:
            pass


def log_policy(target: str, source: str, account: str, prefix: str = PREFIX, **overrides: Any) -> str:
    """The target bucket policy S3's documentation gives for server access log delivery."""
    statement: dict[str, Any] = {
        "Sid": "S3ServerAccessLogsPolicy",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{target}/{prefix}*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{source}"},
            "StringEquals": {"aws:SourceAccount": account},
        },
    }
    statement.update(overrides)
    return policy(statement)


def _enable(s3: Any, source: str, target: str, **extra: Any) -> None:
    s3.put_bucket_logging(
        Bucket=source, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": PREFIX, **extra}}
    )


def _code(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as e:
        fn(**kwargs)
    code, _, status = error_of(e)
    return code, status


def test_put_get_and_remove(log_server: Server, s3: Any, buckets: tuple[str, str]) -> None:
    source, target = buckets
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=source)
    s3.put_bucket_policy(Bucket=target, Policy=log_policy(target, source, log_server.account_id))
    _enable(s3, source, target)
    assert s3.get_bucket_logging(Bucket=source)["LoggingEnabled"] == {"TargetBucket": target, "TargetPrefix": PREFIX}
    formats: tuple[dict[str, Any], ...] = (
        {"SimplePrefix": {}},
        {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}},
        {"PartitionedPrefix": {"PartitionDateSource": "DeliveryTime"}},
    )
    for key_format in formats:
        _enable(s3, source, target, TargetObjectKeyFormat=key_format)
        assert s3.get_bucket_logging(Bucket=source)["LoggingEnabled"]["TargetObjectKeyFormat"] == key_format
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=source)


def test_target_bucket_refusals(log_server: Server, s3: Any, buckets: tuple[str, str]) -> None:
    source, target = buckets
    account = log_server.account_id
    missing = f"lg-missing-{uuid.uuid4().hex[:8]}"
    assert _code(
        s3.put_bucket_logging,
        Bucket=source,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": missing, "TargetPrefix": PREFIX}},
    ) == ("InvalidTargetBucketForLogging", 400)
    assert _code(
        s3.put_bucket_logging,
        Bucket=f"lg-missing-{uuid.uuid4().hex[:8]}",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": PREFIX}},
    ) == ("NoSuchBucket", 404)
    # Guardrail: without a policy letting the logging service write, S3 refuses the target.
    assert _code(_enable, s3=s3, source=source, target=target) == ("AccessDenied", 403)
    for wrong in (
        log_policy(target, source, account, prefix="elsewhere/"),
        log_policy(target, f"{source}-other", account),
        log_policy(target, source, "111122223333"),
        log_policy(target, source, account, Action="s3:GetObject"),
        log_policy(target, source, account, Principal={"Service": "logging.s3.amazonaws.com.example"}),
        log_policy(target, source, account, Principal={"AWS": f"arn:aws:iam::{account}:root"}),
        log_policy(target, source, account, Effect="Deny"),
    ):
        s3.put_bucket_policy(Bucket=target, Policy=wrong)
        assert _code(_enable, s3=s3, source=source, target=target) == ("AccessDenied", 403), wrong
    s3.put_bucket_policy(Bucket=target, Policy=log_policy(target, source, account))
    _enable(s3, source, target)
    # A bucket may log into itself, as S3 allows (its policy must still let the service in).
    s3.put_bucket_policy(Bucket=source, Policy=log_policy(source, source, account))
    _enable(s3, source, source)
    grant = {
        "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},
        "Permission": "READ",
    }
    # ACLs disabled on the target (BucketOwnerEnforced, the default): no target grants.
    assert _code(_enable, s3=s3, source=source, target=target, TargetGrants=[grant]) == (
        "AccessControlListNotSupported",
        400,
    )
    bad_source = {"PartitionedPrefix": {"PartitionDateSource": "kaboom"}}
    assert _code(_enable, s3=s3, source=source, target=target, TargetObjectKeyFormat=bad_source) == (
        "MalformedXML",
        400,
    )


def test_target_of_another_account(log_server: Server, s3: Any, buckets: tuple[str, str]) -> None:
    """S3: "Both the source and destination buckets must be ... owned by the same account"."""
    source, _ = buckets
    _account, key, secret = new_account(log_server)
    other = log_server.client("s3", aws_access_key_id=key, aws_secret_access_key=secret)
    theirs = _bucket(other)
    try:
        other.put_bucket_policy(Bucket=theirs, Policy=log_policy(theirs, source, log_server.account_id))
        assert _code(_enable, s3=s3, source=source, target=theirs) == ("InvalidTargetBucketForLogging", 400)
    finally:
        other.delete_bucket_policy(Bucket=theirs)
        other.delete_bucket(Bucket=theirs)


def test_only_the_bucket_owner_sets_logging(log_server: Server, s3: Any, buckets: tuple[str, str]) -> None:
    """Even a bucket policy granting s3:PutBucketLogging to everyone lets no other account
    set or remove the logging status (S3: "you must be the bucket owner")."""
    source, target = buckets
    s3.put_public_access_block(
        Bucket=source,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    s3.put_bucket_policy(
        Bucket=source,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:PutBucketLogging", "s3:GetBucketLogging"],
                "Resource": f"arn:aws:s3:::{source}",
            }
        ),
    )
    s3.put_bucket_policy(Bucket=target, Policy=log_policy(target, source, log_server.account_id))
    _account, key, secret = new_account(log_server)
    other = log_server.client("s3", aws_access_key_id=key, aws_secret_access_key=secret)
    assert _code(_enable, s3=other, source=source, target=target) == ("AccessDenied", 403)
    _enable(s3, source, target)
    assert _code(other.put_bucket_logging, Bucket=source, BucketLoggingStatus={}) == ("AccessDenied", 403)
    assert other.get_bucket_logging(Bucket=source)["LoggingEnabled"]["TargetBucket"] == target


def test_hostile_input(log_server: Server, buckets: tuple[str, str]) -> None:
    source, target = buckets
    client = log_server.client("s3")
    bodies = (
        b"<BucketLoggingStatus><LoggingEnabled><TargetBucket>",
        b"<NotLogging/>",
        b"<BucketLoggingStatus><LoggingEnabled><TargetPrefix>x</TargetPrefix></LoggingEnabled></BucketLoggingStatus>",
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><BucketLoggingStatus>&e;</BucketLoggingStatus>',
    )
    for body in bodies:

        def replace(request: Any, body: bytes = body, **_: Any) -> None:
            # The body as sent, and no checksum of the body botocore built.
            request.data = body
            for name in [n for n in request.headers if n.lower().startswith(("content-md5", "x-amz-checksum-"))]:
                del request.headers[name]

        client.meta.events.unregister("before-sign.s3.PutBucketLogging", unique_id="raw")
        client.meta.events.register("before-sign.s3.PutBucketLogging", replace, unique_id="raw")
        assert _code(_enable, s3=client, source=source, target=target) == ("MalformedXML", 400), body
    s3 = log_server.client("s3")
    huge = "p" * 5000
    assert _code(
        s3.put_bucket_logging,
        Bucket=source,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": huge}},
    ) == ("InvalidArgument", 400)


def _records(s3: Any, bucket: str, prefix: str, wanted: int, timeout: float = 20) -> tuple[list[str], list[str]]:
    """The log objects under ``prefix`` and their lines, once there are ``wanted`` lines."""
    deadline = time.monotonic() + timeout
    while True:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
        lines = [
            line for key in keys for line in s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()
        ]
        if len(lines) >= wanted or time.monotonic() > deadline:
            return keys, lines
        time.sleep(0.25)


def _fields(line: str) -> list[str]:
    """A record split as S3's documentation describes (brackets around the time)."""
    return shlex.split(line.replace("[", '"').replace("]", '"'))


def _await_logging() -> None:
    """Configurations reach the request path on the next refresh (here within half a second)."""
    time.sleep(1.2)


def test_delivery(log_server: Server, s3: Any, buckets: tuple[str, str]) -> None:
    source, target = buckets
    s3.put_bucket_policy(Bucket=target, Policy=log_policy(target, source, log_server.account_id))
    _enable(s3, source, target)
    _await_logging()
    s3.put_object(Bucket=source, Key="a b.txt", Body=b"hello")
    assert s3.get_object(Bucket=source, Key="a b.txt")["Body"].read() == b"hello"
    assert _code(s3.get_object, Bucket=source, Key="missing") == ("NoSuchKey", 404)
    # botocore presigns with SigV2 for a custom endpoint, unless told SigV4.
    v4 = log_server.client("s3", config={"signature_version": "s3v4"})
    for client in (s3, v4):
        url = client.generate_presigned_url("get_object", Params={"Bucket": source, "Key": "a b.txt"})
        assert httpx.get(url, headers={"User-Agent": 'agent "quoted" \\ x'}).status_code == 200
    keys, lines = _records(s3, target, PREFIX, 5)
    assert keys and all(k.startswith(PREFIX) for k in keys)
    records = [_fields(line) for line in lines]
    assert all(len(r) == 26 for r in records), lines
    by_op: dict[str, list[list[str]]] = {}
    for r in records:
        by_op.setdefault(r[6], []).append(r)
    owner = s3.list_buckets()["Owner"]["ID"]
    put = by_op["REST.PUT.OBJECT"][0]
    assert put[0] == owner and put[1] == source and put[7] == "a%20b.txt" and put[9] == "200"
    assert put[4] == f"arn:aws:iam::{log_server.account_id}:root"
    assert put[12] == "5" and put[19] == "SigV4" and put[21] == "AuthHeader"
    gets = by_op["REST.GET.OBJECT"]
    assert sorted(r[9] for r in gets) == ["200", "200", "200", "404"]
    assert [r[10] for r in gets if r[9] == "404"] == ["NoSuchKey"]
    presigned = {r[19]: r for r in gets if r[21] == "QueryString"}
    assert set(presigned) == {"SigV2", "SigV4"}
    for r in presigned.values():
        assert r[8].startswith(f"GET /{source}/a%20b.txt?") and r[8].endswith(" HTTP/1.1")
        assert r[16] == "agent %22quoted%22 %5C x"
    assert "Expires=" in presigned["SigV2"][8] and "X-Amz-Expires=" in presigned["SigV4"][8]
    # The signatures and credentials never reach a log object.
    for secret in ("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "Signature=", "AWSAccessKeyId"):
        assert secret not in "\n".join(lines)
    # The log objects themselves are not logged (they are written into the store directly).
    assert all(r[1] == source for r in records)


def test_partitioned_key_format_and_removal(log_server: Server, s3: Any, buckets: tuple[str, str]) -> None:
    source, target = buckets
    s3.put_bucket_policy(Bucket=target, Policy=log_policy(target, source, log_server.account_id))
    _enable(s3, source, target, TargetObjectKeyFormat={"PartitionedPrefix": {"PartitionDateSource": "EventTime"}})
    _await_logging()
    s3.head_bucket(Bucket=source)
    keys, lines = _records(s3, target, PREFIX, 1)
    assert lines and _fields(lines[0])[6] == "REST.HEAD.BUCKET"
    day = time.strftime("%Y/%m/%d", time.gmtime())
    assert keys[0].startswith(f"{PREFIX}{log_server.account_id}/us-east-1/{source}/{day}/")
    assert keys[0].rsplit("/", 1)[1][10:19] == "-00-00-00"
    # Logging off: no more records.
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={})
    _await_logging()
    before = len(_records(s3, target, PREFIX, 0)[1])
    s3.head_bucket(Bucket=source)
    time.sleep(1.5)
    assert len(_records(s3, target, PREFIX, 0)[1]) == before


def test_delivery_stops_when_the_policy_no_longer_allows(log_server: Server, s3: Any, buckets: tuple[str, str]) -> None:
    """Deliveries are subject to the target's policy as it is then (S3: log writes "are
    subject to the usual access control restrictions")."""
    source, target = buckets
    s3.put_bucket_policy(Bucket=target, Policy=log_policy(target, source, log_server.account_id))
    _enable(s3, source, target)
    _await_logging()
    s3.delete_bucket_policy(Bucket=target)
    s3.head_bucket(Bucket=source)
    time.sleep(1.5)
    assert s3.list_objects_v2(Bucket=target).get("KeyCount") == 0


def test_aws_cli(log_server: Server, s3: Any, buckets: tuple[str, str]) -> None:
    source, target = buckets
    s3.put_bucket_policy(Bucket=target, Policy=log_policy(target, source, log_server.account_id))
    status = {"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": PREFIX}}
    put = ("s3api", "put-bucket-logging", "--bucket", source, "--bucket-logging-status")
    out = aws_cli(log_server, *put, json.dumps(status))
    assert out.returncode == 0, out.stderr
    out = aws_cli(log_server, "s3api", "get-bucket-logging", "--bucket", source)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == status
    s3.delete_bucket_policy(Bucket=target)
    out = aws_cli(log_server, *put, json.dumps(status))
    assert out.returncode != 0 and "AccessDenied" in out.stderr
    out = aws_cli(log_server, *put, "{}")
    assert out.returncode == 0, out.stderr
    out = aws_cli(log_server, "s3api", "get-bucket-logging", "--bucket", source)
    assert out.returncode == 0 and out.stdout.strip() == "", out.stdout


def _logged_pair(srv: Server) -> tuple[Any, str, str]:
    s3 = srv.client("s3")
    source, target = _bucket(s3), _bucket(s3)
    s3.put_bucket_policy(Bucket=target, Policy=log_policy(target, source, srv.account_id))
    _enable(s3, source, target)
    return s3, source, target


def test_records_are_delivered_at_shutdown(tmp_path_factory: pytest.TempPathFactory) -> None:
    """With a delivery interval of an hour, what a process holds is written when it stops."""
    data = tmp_path_factory.mktemp("s3-logging-stop")
    env = {"CREDMINT_S3_ACCESS_LOG_FLUSH_SECONDS": "3600"}
    srv = start_server(data, extra_env=env)
    try:
        s3, source, target = _logged_pair(srv)
        time.sleep(5.5)  # the configuration refresh (at most 5 s)
        s3.put_object(Bucket=source, Key="k", Body=b"x")
        time.sleep(0.5)
        assert s3.list_objects_v2(Bucket=target).get("KeyCount") == 0
    finally:
        srv.stop()
    again = start_server(
        data,
        extra_env=env,
        account_id=srv.account_id,
        access_key_id=srv.access_key_id,
        secret_access_key=srv.secret_access_key,
    )
    try:
        _keys, lines = _records(again.client("s3"), target, PREFIX, 1, timeout=1)
        assert [_fields(line)[6:8] for line in lines] == [["REST.PUT.OBJECT", "k"]]
    finally:
        again.stop()


def test_several_workers_each_deliver_their_own(tmp_path_factory: pytest.TempPathFactory) -> None:
    srv = start_server(
        tmp_path_factory.mktemp("s3-logging-workers"),
        extra_env={"CREDMINT_S3_ACCESS_LOG_FLUSH_SECONDS": "0.5"},
        workers=2,
    )
    try:
        _s3, source, target = _logged_pair(srv)
        time.sleep(5.5)  # every worker's configuration refresh
        keys = [f"k{i}" for i in range(20)]
        for key in keys:
            # A new connection each time, so the requests spread over the workers.
            srv.client("s3").put_object(Bucket=source, Key=key, Body=b"x")
        found, lines = _records(srv.client("s3"), target, PREFIX, len(keys))
        assert sorted(_fields(line)[7] for line in lines) == sorted(keys)
        assert len(set(found)) == len(found)
    finally:
        srv.stop()


def test_target_grants_and_log_delivery_acl(log_server: Server, s3: Any, buckets: tuple[str, str]) -> None:
    """With the target's ACLs enabled: the Log Delivery group's WRITE grant lets the service
    write (no policy needed), and the target grants are kept, shown, and given on the log
    objects next to the owner's FULL_CONTROL."""
    source, _ = buckets
    target = _bucket(s3, ObjectOwnership="ObjectWriter")
    try:
        assert _code(_enable, s3=s3, source=source, target=target) == ("AccessDenied", 403)
        s3.put_bucket_acl(Bucket=target, ACL="log-delivery-write")
        readers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
        grant = {"Grantee": {"Type": "Group", "URI": readers}, "Permission": "READ"}
        _enable(s3, source, target, TargetGrants=[grant])
        assert s3.get_bucket_logging(Bucket=source)["LoggingEnabled"]["TargetGrants"] == [grant]
        bad = {"Grantee": {"Type": "Group", "URI": readers}, "Permission": "READ_ACP"}
        assert _code(_enable, s3=s3, source=source, target=target, TargetGrants=[bad]) == ("MalformedXML", 400)
        _await_logging()
        s3.head_bucket(Bucket=source)
        keys, _lines = _records(s3, target, PREFIX, 1)
        found = s3.get_object_acl(Bucket=target, Key=keys[0])["Grants"]
        owner = s3.list_buckets()["Owner"]["ID"]
        assert {(g["Grantee"].get("ID") or g["Grantee"].get("URI"), g["Permission"]) for g in found} == {
            (owner, "FULL_CONTROL"),
            (readers, "READ"),
        }
    finally:
        s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={})
        empty_bucket(s3, target)
        s3.delete_bucket(Bucket=target)
