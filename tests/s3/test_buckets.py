"""Bucket operations through boto3 and the AWS CLI, against the real server."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from credmint.errors import AwsError
from credmint.s3.buckets import create_configuration, valid_bucket_name
from tests.conftest import Server
from tests.s3.helpers import aws_cli, error_of, new_account, policy, unique_bucket

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("abc", True),
        ("my.bucket-1", True),
        ("ab", False),
        ("a" * 64, False),
        ("Upper", False),
        ("-start", False),
        ("end-", False),
        ("a..b", False),
        ("a.-b", False),
        ("192.168.1.1", False),
        ("xn--abc", False),
        ("name-s3alias", False),
        ("under_score", False),
    ],
)
def test_bucket_name_rules(name: str, ok: bool) -> None:
    assert valid_bucket_name(name) is ok


def test_create_list_head_locate_delete(s3: Any, server: Server) -> None:
    name = unique_bucket()
    r = s3.create_bucket(Bucket=name)
    assert r["Location"] == f"/{name}"
    listed = s3.list_buckets()
    assert name in [b["Name"] for b in listed["Buckets"]]
    assert len(listed["Owner"]["ID"]) == 64
    head = s3.head_bucket(Bucket=name)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    # us-east-1 keeps S3's legacy answer to re-creating your own bucket: 200.
    assert s3.create_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=name)
    assert error_of(e)[0] == "NoSuchBucket"


def test_location_constraint(s3: Any) -> None:
    name = unique_bucket()
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    try:
        assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
        listed = {b["Name"]: b for b in s3.list_buckets()["Buckets"]}
        assert listed[name]["BucketRegion"] == "eu-west-1"
    finally:
        s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=unique_bucket(), CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert error_of(e)[0] == "InvalidLocationConstraint"


def test_invalid_bucket_name(s3: Any, server: Server) -> None:
    # botocore's client-side check lets "bad..name" through; the server refuses it.
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="bad..name")
    assert error_of(e)[:3:2] == ("InvalidBucketName", 400)


def test_bucket_not_empty(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(e) == ("BucketNotEmpty", "The bucket you tried to delete is not empty", 409)


def test_other_account_sees_only_its_buckets_and_cannot_take_names(s3: Any, server: Server, bucket: str) -> None:
    _, key, secret = new_account(server)
    other = server.client("s3", aws_access_key_id=key, aws_secret_access_key=secret)
    assert bucket not in [b["Name"] for b in other.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as e:
        other.create_bucket(Bucket=bucket)
    assert error_of(e)[0] == "BucketAlreadyExists"
    assert error_of(e)[2] == 409
    # Without a bucket policy the other account's root is refused.
    with pytest.raises(ClientError) as e:
        other.list_objects_v2(Bucket=bucket)
    assert error_of(e)[0] == "AccessDenied"


def test_list_buckets_pagination_and_prefix(s3: Any) -> None:
    prefix = unique_bucket("pg")
    names = [f"{prefix}-{i}" for i in range(3)]
    for n in names:
        s3.create_bucket(Bucket=n)
    try:
        r = s3.list_buckets(Prefix=prefix, MaxBuckets=2)
        assert [b["Name"] for b in r["Buckets"]] == names[:2]
        r2 = s3.list_buckets(Prefix=prefix, MaxBuckets=2, ContinuationToken=r["ContinuationToken"])
        assert [b["Name"] for b in r2["Buckets"]] == names[2:]
        assert "ContinuationToken" not in r2
    finally:
        for n in names:
            s3.delete_bucket(Bucket=n)


def test_bucket_policy_roundtrip_and_validation(s3: Any, bucket: str, server: Server) -> None:
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_of(e)[:3:2] == ("NoSuchBucketPolicy", 404)
    doc = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
        }
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=doc)
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(doc)
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket=bucket, Policy="not json")
    assert error_of(e)[0] == "MalformedPolicy"
    with pytest.raises(ClientError) as e:  # a statement without Principal is not a resource policy
        s3.put_bucket_policy(
            Bucket=bucket, Policy=policy({"Effect": "Allow", "Action": "s3:*", "Resource": f"arn:aws:s3:::{bucket}"})
        )
    assert error_of(e)[0] == "MalformedPolicy"
    with pytest.raises(ClientError) as e:  # another bucket's resources
        s3.put_bucket_policy(
            Bucket=bucket,
            Policy=policy(
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}
            ),
        )
    assert error_of(e) == ("MalformedPolicy", "Policy has invalid resource", 400)
    with pytest.raises(ClientError) as e:  # another service's action
        s3.put_bucket_policy(
            Bucket=bucket,
            Policy=policy(
                {"Effect": "Allow", "Principal": "*", "Action": ["s3:Get*", "iam:CreateUser"], "Resource": "*"}
            ),
        )
    assert error_of(e) == ("MalformedPolicy", "Policy has invalid action", 400)
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(doc)  # the stored one stays
    s3.delete_bucket_policy(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_of(e)[0] == "NoSuchBucketPolicy"


@pytest.mark.parametrize(
    ("resource", "accepted"),
    [
        ("{b}/secret/*", True),
        ("{b}/k", True),
        ("{b}/*.txt", True),
        ("{b}", True),
        ("{b}x/*", False),
        ("other-{b}/k", False),
    ],
)
def test_bucket_policy_may_name_any_resource_within_the_bucket(
    s3: Any, bucket: str, server: Server, resource: str, accepted: bool
) -> None:
    doc = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::" + resource.format(b=bucket),
        }
    )
    if accepted:
        s3.put_bucket_policy(Bucket=bucket, Policy=doc)
        assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(doc)
    else:
        with pytest.raises(ClientError) as e:
            s3.put_bucket_policy(Bucket=bucket, Policy=doc)
        assert error_of(e) == ("MalformedPolicy", "Policy has invalid resource", 400)


def test_root_cannot_lock_itself_out_of_the_policy(s3: Any, bucket: str) -> None:
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            }
        ),
    )
    with pytest.raises(ClientError) as e:
        s3.list_objects_v2(Bucket=bucket)
    assert error_of(e)[0] == "AccessDenied"
    s3.get_bucket_policy(Bucket=bucket)
    s3.delete_bucket_policy(Bucket=bucket)
    s3.list_objects_v2(Bucket=bucket)


def _signed(server: Server, method: str, host: str, path: str, body: bytes = b"") -> httpx.Response:
    url = f"{server.url}{path}"
    req = AWSRequest(method=method, url=url, data=body, headers={"Host": host})
    req.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    S3SigV4Auth(Credentials(server.access_key_id, server.secret_access_key), "s3", "us-east-1").add_auth(req)
    return httpx.request(method, url, headers=dict(req.headers.items()), content=body)


def test_virtual_host_style(server: Server, s3: Any, bucket: str) -> None:
    port = server.url.rsplit(":", 1)[1]
    host = f"{bucket}.localhost:{port}"
    r = _signed(server, "PUT", host, "/dir/vh.txt", b"virtual")
    assert r.status_code == 200, r.text
    assert s3.get_object(Bucket=bucket, Key="dir/vh.txt")["Body"].read() == b"virtual"
    r = _signed(server, "GET", host, "/dir/vh.txt")
    assert r.content == b"virtual"
    r = _signed(server, "GET", host, "/?list-type=2")
    assert "<Key>dir/vh.txt</Key>" in r.text


def test_aws_cli_mb_ls_rb(server: Server) -> None:
    name = unique_bucket("cli")
    r = aws_cli(server, "s3", "mb", f"s3://{name}")
    assert r.returncode == 0, r.stderr
    r = aws_cli(server, "s3api", "list-buckets", "--output", "json")
    assert name in [b["Name"] for b in json.loads(r.stdout)["Buckets"]]
    r = aws_cli(server, "s3api", "head-bucket", "--bucket", name)
    assert r.returncode == 0, r.stderr
    r = aws_cli(server, "s3", "rb", f"s3://{name}")
    assert r.returncode == 0, r.stderr
    r = aws_cli(server, "s3api", "head-bucket", "--bucket", name)
    assert r.returncode != 0


_CONFIG = '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{}</CreateBucketConfiguration>'


def _tags(*pairs: tuple[str, str]) -> str:
    return "<Tags>" + "".join(f"<Tag><Key>{k}</Key><Value>{v}</Value></Tag>" for k, v in pairs) + "</Tags>"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", (None, {})),
        (_CONFIG.format("<LocationConstraint>eu-west-1</LocationConstraint>"), ("eu-west-1", {})),
        (_CONFIG.format(_tags(("env", "dev"), ("team", ""))), (None, {"env": "dev", "team": ""})),
    ],
)
def test_create_configuration(body: str, expected: tuple[str | None, dict[str, str]]) -> None:
    assert create_configuration(body.encode()) == expected


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (_CONFIG.format("<Tags><Tag><Key>k</Key></Tag></Tags>"), "MalformedXML"),
        (_CONFIG.format(_tags(("aws:owner", "x"))), "InvalidTag"),
        (_CONFIG.format(_tags(("k", "a"), ("k", "b"))), "InvalidTag"),
        (_CONFIG.format(_tags(*[(f"k{i}", "v") for i in range(51)])), "InvalidTag"),
        (_CONFIG.format(_tags(("k" * 129, "v"))), "InvalidTag"),
        ("<CreateBucketConfiguration><Tags>", "MalformedXML"),
        ('<!DOCTYPE x [<!ENTITY a "b">]>' + _CONFIG.format(_tags(("&a;", "v"))), "MalformedXML"),
    ],
)
def test_hostile_create_configurations_are_refused(body: str, code: str) -> None:
    with pytest.raises(AwsError) as e:
        create_configuration(body.encode())
    assert e.value.code == code


def test_expected_bucket_owner(server: Server, s3: Any, bucket: str) -> None:
    """x-amz-expected-bucket-owner: a request naming another account as the bucket's owner
    is refused 403 AccessDenied, whatever else it may do; the right account passes."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    for call, kwargs in (
        (s3.list_objects_v2, {"Bucket": bucket}),
        (s3.get_object, {"Bucket": bucket, "Key": "k"}),
        (s3.put_object, {"Bucket": bucket, "Key": "k2", "Body": b"x"}),
        (s3.get_bucket_tagging, {"Bucket": bucket}),
    ):
        with pytest.raises(ClientError) as e:
            call(ExpectedBucketOwner="111122223333", **kwargs)
        assert error_of(e)[0::2] == ("AccessDenied", 403)
    assert s3.get_object(Bucket=bucket, Key="k", ExpectedBucketOwner=server.account_id)["Body"].read() == b"v"
    assert "k2" not in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
